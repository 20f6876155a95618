"""The data flow from a show folder to a target: read, probe, assemble, sync.

The CLI calls these functions and only prints what they return; tests and other tools can call
them the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from podpub.episodes.cache import MediaCache
from podpub.episodes.files import load_episodes
from podpub.episodes.model import Episode
from podpub.feeds import notes
from podpub.feeds.redirect import with_new_feed_url
from podpub.feeds.site import Site, assemble
from podpub.fsutil import atomic_write_bytes
from podpub.network.workspace import load_show_in
from podpub.podcasts.model import MovedFrom, Show
from podpub.storage import sync
from podpub.storage.base import Target, Upload
from podpub.storage.local import LocalTarget
from podpub.storage.targets import TargetOptions, open_target
from podpub.validation import gate_publish

STAGING = Path(".podpub") / "staging"


@dataclass
class LoadedShow:
    """A loaded show: its config, its episodes and the media cache they share."""

    show: Show
    episodes: list[Episode]
    cache: MediaCache


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def open_show(directory: Path) -> LoadedShow:
    """The show `directory` is in (inheriting its workspace's defaults), its episodes and media cache."""
    return loaded(load_show_in(directory))


def loaded(show: Show) -> LoadedShow:
    return LoadedShow(redirected(show), load_episodes(show), MediaCache(show.root))


def redirected(show: Show) -> Show:
    """After a move that kept the storage (a new domain in front of the same bucket), one file serves
    both addresses: the feed itself must then carry `itunes:new-feed-url`."""
    if show.new_feed_url is None and any(m.shares_storage_with(show.publish.target) for m in show.publish.moved_from):
        return replace(show, new_feed_url=show.publish.feed_url)
    return show


def default_out(show: Show) -> Path:
    return show.root / "public"


@dataclass
class BuildResult:
    site: Site
    out: Path
    report: sync.Report


def site_state(ws: LoadedShow, site: Site, root: Path | None = None) -> sync.SiteState:
    """The site as the sync step sees it; files come from `root` (the build folder) when given."""
    files = site.files
    if root is not None:
        files = [Upload(u.key, root / u.key, u.size, u.sha256, u.content_type, u.cache_control) for u in files]
    return sync.SiteState(
        files=files,
        feed_key=site.feed_key,
        episodes={e.guid: e.title for e in site.episodes},
        known_guids=frozenset(e.guid for e in ws.episodes),
        pages=site.page_keys,
    )


def build(
    ws: LoadedShow, out: Path | None = None, *, now: datetime | None = None, base_url: str | None = None
) -> BuildResult:
    """Render the site and mirror it into `out`, exactly as it will be published."""
    out = (out or default_out(ws.show)).resolve()
    staging = ws.show.root / STAGING / ("preview" if base_url else "site")
    with notes.cached(ws.show.root / ".podpub" / "notes-cache.json"):
        site = assemble(ws.show, ws.episodes, ws.cache, now=now or now_utc(), staging=staging, base_url=base_url)
    target = LocalTarget(out, link=True)
    # The build folder mirrors this copy of the show: episodes removed here leave it too.
    plan = sync.make_plan(site_state(ws, site), target, prune=True, check_existing=True, remove_missing=True)
    report = sync.execute(plan, target)
    return BuildResult(site, out, report)


def publish_plan(
    ws: LoadedShow,
    result: BuildResult,
    target: Target,
    *,
    prune: bool = False,
    verify: bool = False,
    remove_missing: bool = False,
) -> sync.Plan:
    """Plan the upload of the built site; the files come from the build folder."""
    return sync.make_plan(
        site_state(ws, result.site, result.out),
        target,
        prune=prune,
        check_existing=verify or target.verify_is_cheap,
        remove_missing=remove_missing,
    )


@dataclass
class PreparedPublish:
    """A show built, checked and compared with its target: what `execute` will do."""

    loaded: LoadedShow
    target: Target
    result: BuildResult
    plan: sync.Plan
    warnings: list[str]


def prepare_publish(
    ws: LoadedShow,
    target_spec: str | None,
    options: TargetOptions,
    *,
    force: bool = False,
    prune: bool = False,
    verify: bool = False,
    remove_missing: bool = False,
) -> PreparedPublish:
    """Open the target (failing fast on a bad one), build, refuse a feed with errors, plan the upload."""
    target = open_target(target_spec or ws.show.publish.target, ws.show.root, ws.show.publish, options)
    result = build(ws)
    forced = gate_publish(result.out / result.site.feed_key, result.site.feed_url, force=force)
    plan = publish_plan(ws, result, target, prune=prune, verify=verify, remove_missing=remove_missing)
    return PreparedPublish(ws, target, result, plan, [*result.site.warnings, *([forced] if forced else [])])


@dataclass
class Redirect:
    """The old feed of a moved show, refreshed by a publish."""

    old: MovedFrom
    report: sync.Report | None  # None: same storage as the new feed, which carries the tag itself


def publish_redirects(prepared: PreparedPublish, options: TargetOptions) -> list[Redirect]:
    """Refresh the feed at every address the show moved from, pointing at the new one.

    Only the feed is written there: the old media stay for listeners who downloaded their URLs, and
    nothing is pruned. Run after the new feed is live, so the old feed never points at nothing.
    """
    show, site = prepared.loaded.show, prepared.result.site
    if not show.publish.moved_from:
        return []
    xml = with_new_feed_url((prepared.result.out / site.feed_key).read_bytes(), show.publish.feed_url)
    staged = show.root / STAGING / "redirect" / site.feed_key
    atomic_write_bytes(staged, xml)
    upload = Upload(
        site.feed_key, staged, len(xml), hashlib.sha256(xml).hexdigest(), site.feed.content_type,
        site.feed.cache_control,
    )  # fmt: skip
    state = sync.SiteState(
        files=[upload], feed_key=site.feed_key, episodes={e.guid: e.title for e in site.episodes},
        known_guids=frozenset(e.guid for e in prepared.loaded.episodes),
    )  # fmt: skip
    redirects = []
    for old in show.publish.moved_from:
        if old.shares_storage_with(show.publish.target):
            redirects.append(Redirect(old, None))
            continue
        target = open_target(old.target, show.root, show.publish, options)
        redirects.append(Redirect(old, sync.execute(sync.make_plan(state, target), target)))
    return redirects


def episode_rows(ws: LoadedShow, *, now: datetime) -> list[dict[str, object]]:
    """One row per episode for `podpub list`, newest first; probing only changed audio."""
    rows = []
    for episode in sorted(ws.episodes, key=lambda e: (e.date, e.guid), reverse=True):
        remote, audio = episode.remote, episode.audio  # audio is None exactly when the audio is remote
        duration = remote.duration if remote or audio is None else ws.cache.facts(audio).info.duration
        rows.append(
            {
                "status": episode.status(now).value,
                "date": episode.date.isoformat(),
                "duration": duration,
                "title": episode.title,
                "guid": episode.guid,
                "file": episode.source.relative_to(ws.show.root).as_posix(),
                "audio": remote.url if remote or audio is None else audio.relative_to(ws.show.root).as_posix(),
                "season": episode.season,
                "number": episode.number,
                "type": episode.type,
            }
        )
    ws.cache.save()
    return rows
