"""Publishing a site to a target in the one order that never shows a listener a broken episode.

1. every new or changed file except the feed and the web pages (audio first: the biggest and most
   important objects), each written atomically by the target, then checked to be really there;
2. the claim of the next manifest generation, a create-only write that exactly one of several
   concurrent publishers wins (the others stop before touching the feed, with nothing lost);
3. the website's pages, which like the feed keep their URL when their content changes (so only the
   winner of the claim may write them), then the feed: from here listeners see the new episodes,
   whose files all exist;
4. the current manifest, a copy of the claimed generation;
5. with `prune`, files podpub published before and the new site no longer links.
A failure before step 3 leaves the previous feed live; the next run uploads only what is missing,
because the manifest only lists what a completed run published. A run that stopped after its claim
(step 2) left a generation newer than the current manifest; the next run plans against it, but
re-uploads the feed and pages that run may not have written, unless the feed on the target is
already the claimed one (then only the manifest copy is missing, and it is written).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from podpub.errors import ConflictError, OperationError, PodpubError, SourceChangedError
from podpub.storage import manifest as manifests
from podpub.storage.base import Target, Upload
from podpub.storage.manifest import Entry, Manifest


@dataclass
class Plan:
    files: list[Upload]  # everything to write but the feed, in order
    feed: Upload | None  # None when the feed is unchanged
    unchanged: list[Upload]
    deletions: list[str]
    manifest: Manifest  # what will be live, as the next generation
    previous: Manifest | None  # what is live now
    removed_episodes: dict[str, str] = field(default_factory=dict)  # live episodes leaving the feed
    pages: list[Upload] = field(default_factory=list)  # web pages, written after the claim, before the feed
    behind: bool = False  # the current manifest lags the newest generation (a run stopped after its claim)

    @property
    def writes(self) -> list[Upload]:
        return [*self.files, *self.pages, *([self.feed] if self.feed else [])]

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.writes)

    @property
    def manifest_changed(self) -> bool:
        return not self.manifest.content_equals(self.previous)

    @property
    def is_empty(self) -> bool:
        return not self.writes and not self.deletions and not self.manifest_changed and not self.behind


@dataclass
class Report:
    uploaded: list[Upload] = field(default_factory=list)
    skipped: list[Upload] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    generation: int = 0
    seconds: float = 0.0

    @property
    def uploaded_bytes(self) -> int:
        return sum(u.size for u in self.uploaded)


def _order(upload: Upload) -> tuple[int, str]:
    kind = upload.content_type.split("/", 1)[0]
    return (0 if kind in ("audio", "video") else 1, upload.key)


@dataclass(frozen=True)
class SiteState:
    """What this copy of the show wants live."""

    files: Sequence[Upload]
    feed_key: str
    episodes: Mapping[str, str]  # guid -> title of the episodes in the new feed
    known_guids: frozenset[str]  # every episode this copy has a file for, in the feed or not
    pages: frozenset[str] = frozenset()  # keys written after the claim, like the feed (the website's pages)


def make_plan(
    site: SiteState,
    target: Target,
    *,
    prune: bool = False,
    check_existing: bool = False,
    remove_missing: bool = False,
) -> Plan:
    """Compare the site with what the target's manifest says is live.

    `check_existing` also asks the target whether the unchanged files are really there (a stat on
    a folder, a LIST on S3), so a file deleted behind podpub's back is put again. An unchanged site
    costs one read of the current manifest; otherwise newer generations are looked for too.
    """
    current = manifests.read_current(target)
    plan = _plan_against(current, site, target, prune, check_existing, remove_missing)
    if not plan.is_empty:
        newest = manifests.read_newest(target, current)
        if newest is not current and newest is not None:
            unsure = _unconfirmed(target, site, current, newest)
            plan = _plan_against(newest, site, target, prune, check_existing, remove_missing, unsure)
            plan.behind = True
    return plan


def _unconfirmed(target: Target, site: SiteState, current: Manifest | None, newest: Manifest) -> frozenset[str]:
    """The feed and pages that the run which claimed `newest` wrote after its claim, and so may not have
    written before it stopped. The feed is written last: when the target has the claimed feed, all is there."""
    before = current.files if current else {}
    keys = {k for k in (site.feed_key, *site.pages) if k in newest.files and newest.files[k] != before.get(k)}
    feed = newest.files.get(newest.feed)
    if newest.feed in keys and feed is not None:
        claimed = Upload(newest.feed, Path(), feed.size, feed.sha256, feed.content_type, "")
        if target.verify(claimed):
            return frozenset()
    return frozenset(keys)


def _plan_against(
    base: Manifest | None, site: SiteState, target: Target, prune: bool, check_existing: bool, remove_missing: bool,
    unsure: frozenset[str] = frozenset(),
) -> Plan:  # fmt: skip
    live = base.files if base else {}
    live_episodes = base.episodes if base else {}
    unknown = {guid: title for guid, title in live_episodes.items() if guid not in site.known_guids}
    if unknown and not remove_missing:
        guid, title = next(iter(sorted(unknown.items())))
        raise ConflictError(
            f"{target.description}: the live feed has {len(unknown)} episode(s) this copy of the show has no file for "
            f"(first: {title!r}, guid {guid}), published from another copy; bring their episode files here "
            "(e.g. git pull) and publish again, or pass --remove-missing to take them out of the feed"
        )
    existing = target.sizes(u.key for u in site.files if u.key in live) if check_existing else None
    feed: Upload | None = None
    files: list[Upload] = []
    pages: list[Upload] = []
    unchanged: list[Upload] = []
    for upload in site.files:
        entry = live.get(upload.key)
        same = entry == Entry(upload.sha256, upload.size, upload.content_type) and upload.key not in unsure
        if same and existing is not None and existing.get(upload.key) != upload.size:
            same = False
        if same:
            unchanged.append(upload)
        elif upload.key == site.feed_key:
            feed = upload
        elif upload.key in site.pages:
            pages.append(upload)
        else:
            files.append(upload)
    files.sort(key=_order)
    wanted = {u.key for u in site.files}
    deletions = sorted(key for key in live if key not in wanted) if prune else []
    manifest = Manifest(
        files={
            **{k: e for k, e in live.items() if k not in deletions},
            **{u.key: Entry(u.sha256, u.size, u.content_type) for u in site.files},
        },
        episodes=dict(site.episodes),
        feed=site.feed_key,
        generation=(base.generation if base else 0) + 1,
    )
    removed = {g: t for g, t in live_episodes.items() if g not in site.episodes}
    return Plan(files, feed, unchanged, deletions, manifest, base, removed, sorted(pages, key=lambda u: u.key))


def execute(
    plan: Plan,
    target: Target,
    *,
    jobs: int = 4,
    on_start: Callable[[Upload], None] | None = None,
    on_bytes: Callable[[Upload, int], None] | None = None,
    on_done: Callable[[Upload], None] | None = None,
) -> Report:
    started = time.monotonic()
    report = Report(skipped=list(plan.unchanged), generation=plan.previous.generation if plan.previous else 0)
    if plan.is_empty:
        report.seconds = time.monotonic() - started
        return report
    if plan.behind and plan.previous and not plan.writes and not plan.deletions and not plan.manifest_changed:
        # An earlier run put its feed live but stopped before recording it: record it now.
        with _stage(AFTER_FEED):
            manifests.write_current(target, plan.previous)
        report.seconds = time.monotonic() - started
        return report

    def put(upload: Upload) -> Upload:
        if on_start:
            on_start(upload)
        target.put(upload, (lambda n: on_bytes(upload, n)) if on_bytes else None)
        if on_done:
            on_done(upload)
        return upload

    live = plan.previous.files if plan.previous else {}
    threshold = target.check_before_put

    def already_there(upload: Upload) -> bool:
        if threshold is None or upload.size < threshold:
            return False
        try:
            return target.verify(upload)
        except OperationError:
            return False  # cannot tell (e.g. a key without s3:ListBucket): send it

    def put_and_verify(upload: Upload) -> Upload | None:
        if already_there(upload):
            return None  # complete on the target already (a failed earlier run sent it): not sent again
        # Checked right after its own upload, in the same worker: the checks run in parallel and
        # overlap other uploads instead of adding a serial round trip per file at the end.
        try:
            put(upload)
        except SourceChangedError as exc:
            if exc.written and upload.key not in live:
                target.delete(upload.key)  # no feed links it yet: take the changed bytes back
            raise
        if not target.verify(upload):
            raise OperationError(f"{target.description}: {upload.key} is missing or incomplete after upload")
        return upload

    with _stage(BEFORE_FEED):
        if plan.files:
            target.prepare(plan.files)
            _upload_all(plan.files, put_and_verify, jobs, report, target.cancel)
        _claim_and_write_feed(plan, target, put, jobs, report)
    with _stage(AFTER_FEED):
        manifests.write_current(target, _claimed(plan))
    with _stage(PRUNING):
        for key in plan.deletions:
            target.delete(key)
            report.deleted.append(key)
        if plan.deletions:
            manifests.write_current(target, plan.manifest)
    report.generation = plan.manifest.generation
    report.seconds = time.monotonic() - started
    return report


BEFORE_FEED = "The previous feed is still live; run the command again: it writes only what is missing"
AFTER_FEED = "The new feed is live, but podpub could not record it on the target; run the command again to finish"
PRUNING = "The new feed is live; some files to prune are left: run the command again with --prune to remove them"


@contextlib.contextmanager
def _stage(note: str) -> Iterator[None]:
    """Say what a failure at this step left live: the producer needs that more than the HTTP detail."""
    try:
        yield
    except ConflictError:
        raise  # its message already says what is live
    except PodpubError as exc:
        if note not in exc.message:
            exc.message = f"{exc.message.rstrip('. ')}. {note}"
            exc.args = (exc.message,)
        raise


def _claimed(plan: Plan) -> Manifest:
    """The generation this run claims: the new manifest, still owning the files to be pruned until they
    are gone, so an interrupted prune can resume."""
    live = plan.previous.files if plan.previous else {}
    return Manifest(
        {**plan.manifest.files, **{k: live[k] for k in plan.deletions}},
        plan.manifest.episodes, plan.manifest.feed, plan.manifest.generation,
    )  # fmt: skip


def _claim_and_write_feed(
    plan: Plan, target: Target, put: Callable[[Upload], Upload], jobs: int, report: Report
) -> None:
    claimed = _claimed(plan)
    if not manifests.claim(target, claimed):
        raise ConflictError(
            f"{target.description}: another publish of this show got there first (generation "
            f"{claimed.generation}); nothing was lost: the live feed is theirs and the files this run uploaded "
            "are kept. Run `podpub publish` again to publish on top of it"
        )
    if plan.pages:
        _upload_all(plan.pages, put, jobs, report, target.cancel)
    if plan.feed:
        report.uploaded.append(put(plan.feed))


def _upload_all(
    files: list[Upload], put: Callable[[Upload], Upload | None], jobs: int, report: Report, abort: Callable[[], None]
) -> None:
    """Upload in parallel; on the first failure (or Ctrl-C) stop everything and re-raise it.

    `abort` asks the target to cancel transfers in flight (S3 then aborts their multipart
    uploads); every object is written atomically, so a stopped run leaves no partial object.
    """
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [pool.submit(put, u) for u in files]
    try:
        done, _ = wait(futures, return_when="FIRST_EXCEPTION")
        for future in done:
            if (error := future.exception()) is not None:
                raise error
    except BaseException:
        for future in futures:
            future.cancel()
        abort()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    for upload, future in zip(files, futures, strict=True):
        (report.skipped if future.result() is None else report.uploaded).append(upload)
