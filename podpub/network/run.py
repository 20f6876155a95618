"""One command over several shows of a workspace: each show isolated, one result per show.

A show that fails (a broken episode, a store that refuses it) is reported and skipped; the others
go on, and nothing of the failed show is half-published, because each show's publish keeps its own
order (media, claim, feed, manifest) on its own target.

Builds run one after the other in this thread (rendering is CPU work under the GIL, and the notes
cache is per process); uploads, which wait on the network, run in parallel while the next show builds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from podpub import pipeline
from podpub.episodes.model import Status
from podpub.errors import InputError, PodpubError, one_line
from podpub.network.files import NetworkSite, entry_for, public_entries, render_network_files
from podpub.network.workspace import Network, parent_of_template
from podpub.podcasts.model import Show
from podpub.storage import manifest as manifests
from podpub.storage import sync
from podpub.storage.base import Target
from podpub.storage.local import LocalTarget
from podpub.storage.targets import TargetOptions, open_target

PARALLEL_SHOWS = 4
NETWORK = "(network)"  # the label of the network's own files in results


@dataclass
class ShowResult:
    """What happened to one show (or to the network's own files, labelled NETWORK)."""

    slug: str
    title: str = ""
    error: str | None = None
    episodes: int = 0
    feed_url: str | None = None
    target: str | None = None
    warnings: list[str] = field(default_factory=list)
    plan: sync.Plan | None = None
    report: sync.Report | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Shows:
    """The selected shows, loaded with their links; those that failed to load carry their error."""

    network: Network
    loaded: dict[str, pipeline.LoadedShow]
    failed: dict[str, str]
    every: dict[str, Show]  # every show of the workspace that loads, for the network's files

    @property
    def results(self) -> list[ShowResult]:
        return [ShowResult(slug, error=error) for slug, error in self.failed.items()]


def load_shows(network: Network, slugs: Sequence[str], *, verbose: bool = False) -> Shows:
    """Every show of the workspace read once; the selected ones with their episodes."""
    every: dict[str, Show] = {}
    errors: dict[str, str] = {}
    for slug in network.show_dirs:
        try:
            every[slug] = network.load_show(slug)
        except Exception as exc:
            errors[slug] = one_line(exc, traceback_too=verbose)
    loaded: dict[str, pipeline.LoadedShow] = {}
    failed: dict[str, str] = {}
    for slug in slugs:
        if slug in errors:
            failed[slug] = errors[slug]
            continue
        try:
            loaded[slug] = pipeline.loaded(network.linked(every[slug], every.values()))
        except Exception as exc:
            failed[slug] = one_line(exc, traceback_too=verbose)
    return Shows(network, loaded, failed, every)


def build_shows(shows: Shows, *, verbose: bool = False) -> list[ShowResult]:
    """`build --all`: each show into its own public/ folder."""
    results = shows.results
    for slug, ws in shows.loaded.items():
        started = time.monotonic()
        try:
            built = pipeline.build(ws)
        except Exception as exc:
            results.append(ShowResult(slug, ws.show.title, error=one_line(exc, traceback_too=verbose)))
            continue
        results.append(
            ShowResult(
                slug, ws.show.title, episodes=len(built.site.episodes), feed_url=built.site.feed_url,
                target=str(built.out), warnings=built.site.warnings, report=built.report,
                seconds=time.monotonic() - started,
            )
        )  # fmt: skip
    return sorted(results, key=lambda r: r.slug)


@dataclass(frozen=True)
class PublishOptions:
    target_template: str | None = None  # --to with {slug}; None: each show's [publish] target
    target_options: TargetOptions = field(default_factory=TargetOptions)
    force: bool = False
    prune: bool = False
    verify: bool = False
    remove_missing: bool = False
    dry_run: bool = False


# Progress callbacks for one show's uploads: (slug, plan) -> (on_start, on_bytes, on_done)
ProgressFactory = Callable[[str, sync.Plan], tuple[Callable, Callable, Callable]]


def publish_shows(
    shows: Shows, options: PublishOptions, *, progress: ProgressFactory | None = None, verbose: bool = False
) -> list[ShowResult]:
    """`publish --all`: every selected show to its own target, then the network's own files."""
    results = {r.slug: r for r in shows.results}
    specs = {slug: _target_spec(ws.show, options.target_template) for slug, ws in shows.loaded.items()}
    _refuse_shared_targets(specs, shows, results)
    futures: dict[str, Future[sync.Report]] = {}
    prepared: dict[str, pipeline.PreparedPublish] = {}
    started: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=PARALLEL_SHOWS, thread_name_prefix="podpub-show") as uploads:
        for slug, ws in shows.loaded.items():
            if slug in results:
                continue
            started[slug] = time.monotonic()
            try:
                ready = pipeline.prepare_publish(
                    ws, specs[slug], options.target_options, force=options.force, prune=options.prune,
                    verify=options.verify, remove_missing=options.remove_missing,
                )  # fmt: skip
            except Exception as exc:
                results[slug] = ShowResult(slug, ws.show.title, error=one_line(exc, traceback_too=verbose))
                continue
            prepared[slug] = ready
            if options.dry_run:
                continue
            callbacks = progress(slug, ready.plan) if progress else (None, None, None)
            jobs = options.target_options.jobs or ws.show.publish.jobs
            futures[slug] = uploads.submit(
                sync.execute, ready.plan, ready.target, jobs=jobs,
                on_start=callbacks[0], on_bytes=callbacks[1], on_done=callbacks[2],
            )  # fmt: skip
        for slug, ready in prepared.items():
            result = ShowResult(
                slug, ready.loaded.show.title, episodes=len(ready.result.site.episodes),
                feed_url=ready.result.site.feed_url, target=ready.target.description, warnings=ready.warnings,
                plan=ready.plan,
            )  # fmt: skip
            if slug in futures:
                try:
                    result.report = futures[slug].result()
                    pipeline.publish_redirects(ready, options.target_options)
                except Exception as exc:
                    result.error = one_line(exc, traceback_too=verbose)
            result.seconds = time.monotonic() - started[slug]
            results[slug] = result
    ordered = sorted(results.values(), key=lambda r: r.slug)
    network_result = publish_network_files(shows, ordered, options, prepared, verbose=verbose)
    return [*ordered, *([network_result] if network_result else [])]


def _target_spec(show: Show, template: str | None) -> str | None:
    return template.replace("{slug}", show.slug or "") if template else show.publish.target


def _refuse_shared_targets(specs: dict[str, str | None], shows: Shows, results: dict[str, ShowResult]) -> None:
    """Two shows on one target would overwrite each other's feed: neither is published."""
    by_target: dict[str, list[str]] = {}
    for slug, spec in specs.items():
        if spec:
            by_target.setdefault(spec.rstrip("/"), []).append(slug)
    for spec, slugs in by_target.items():
        if len(slugs) > 1:
            for slug in slugs:
                others = ", ".join(s for s in slugs if s != slug)
                results[slug] = ShowResult(
                    slug, shows.loaded[slug].show.title,
                    error=f"publishes to {spec} like {others}; give each show its own target "
                    "(e.g. target = \"s3://bucket/{slug}\" in podpub.toml)",
                )  # fmt: skip


def network_target(network: Network, template: str | None, options: TargetOptions) -> Target:
    """Where the network's own files go: [network] target, or the parent of the shows' target template."""
    spec = parent_of_template(template) if template else network.settings.target
    if not spec:
        raise InputError(
            "the network's files have no target; set target in [network] of podpub.toml "
            '(or a [publish] target template ending in "/{slug}")'
        )
    return open_target(spec, network.root, network.publish_settings(), options)


def publish_network_files(
    shows: Shows,
    results: list[ShowResult],
    options: PublishOptions,
    prepared: dict[str, pipeline.PreparedPublish],
    *,
    verbose: bool = False,
) -> ShowResult | None:
    """podcasts.opml, publisher.xml and the network page, listing every show whose feed is live."""
    settings = shows.network.settings
    if not settings.base_url:
        return None
    result = ShowResult(NETWORK, settings.title)
    started = time.monotonic()
    try:
        target = network_target(shows.network, options.target_template, options.target_options)
        result.target = target.description
        live = _live_shows(shows, results, prepared, options)
        site, result.episodes = _render(shows, live)
        result.feed_url = settings.base_url + site.feed_key
        result.plan = sync.make_plan(_state(site), target, prune=options.prune, check_existing=options.verify)
        if not options.dry_run:
            result.report = sync.execute(result.plan, target)
    except Exception as exc:
        result.error = one_line(exc, traceback_too=verbose)
    result.seconds = time.monotonic() - started
    return result


def build_network_files(shows: Shows, results: list[ShowResult]) -> ShowResult | None:
    """`build --all`: the network's files into the workspace's public/ folder."""
    settings = shows.network.settings
    if not settings.base_url:
        return None
    result = ShowResult(NETWORK, settings.title)
    try:
        built = {r.slug for r in results if r.ok}
        listed = [s for slug, s in shows.every.items() if slug in built or slug not in shows.loaded]
        site, result.episodes = _render(shows, listed)
        out = shows.network.root / "public"
        target = LocalTarget(out, link=True)
        result.report = sync.execute(sync.make_plan(_state(site), target, prune=True, check_existing=True), target)
        result.target, result.feed_url = str(out), settings.base_url + site.feed_key
    except Exception as exc:
        result.error = one_line(exc)
    return result


def _live_shows(
    shows: Shows, results: list[ShowResult], prepared: dict[str, pipeline.PreparedPublish], options: PublishOptions
) -> list[Show]:
    """Shows published now, plus those whose feed was already live: a listed feed must exist."""
    done = {r.slug for r in results if r.ok}
    live = []
    for slug, show in shows.every.items():
        if slug in done:
            live.append(show)
            continue
        try:
            target = prepared[slug].target if slug in prepared else open_target(
                _target_spec(show, options.target_template), show.root, show.publish, options.target_options
            )
            if manifests.read_current(target) is not None:
                live.append(show)
        except PodpubError:
            continue
    return live


def _render(shows: Shows, live: Sequence[Show]) -> tuple[NetworkSite, int]:
    """The network's files listing `live`, and how many episodes those shows have."""
    now = pipeline.now_utc()
    entries = []
    for show in live:
        loaded = shows.loaded.get(show.slug or "") or pipeline.loaded(show)
        entries.append(entry_for(show, [e for e in loaded.episodes if e.status(now) is Status.PUBLISHED]))
    staging = shows.network.root / ".podpub" / "staging" / "network"
    site = render_network_files(shows.network, entries, staging)
    return site, sum(entry.episode_count for entry in public_entries(entries))


def _state(site: NetworkSite) -> sync.SiteState:
    return sync.SiteState(files=site.files, feed_key=site.feed_key, episodes={}, known_guids=frozenset(),
                          pages=site.pages)  # fmt: skip


def summary_row(result: ShowResult, *, built: bool = False) -> dict[str, object]:
    """One show's figures for the summary table and for --json."""
    report, plan = result.report, result.plan
    if result.error:
        status = "failed"
    elif report is None:
        status = "up to date" if plan is not None and plan.is_empty else "planned"
    elif built:
        status = "built"
    else:
        status = "published" if report.uploaded or report.deleted else "up to date"
    planned = plan.writes if plan is not None and report is None else []
    return {
        "show": result.slug,
        "title": result.title,
        "status": status,
        "episodes": result.episodes,
        "written": len(report.uploaded) if report else len(planned),
        "bytes": report.uploaded_bytes if report else sum(u.size for u in planned),
        "unchanged": len(report.skipped) if report else len(plan.unchanged) if plan else 0,
        "deleted": len(report.deleted) if report else len(plan.deletions) if plan else 0,
        "seconds": round(result.seconds or (report.seconds if report else 0.0), 3),
        "feed_url": result.feed_url,
        "target": result.target,
        "error": result.error,
    }
