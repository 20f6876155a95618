"""Publishing a site to a target in the one order that never shows a listener a broken episode.

1. every new or changed file except the feed (audio first, so the biggest and most important
   objects land first), each written atomically by the target;
2. a check that each of them is really there;
3. the feed, atomically: from here listeners see the new episodes, whose files all exist;
4. the manifest, recording what is live;
5. with `prune`, files podpub published before and the new site no longer links.
A failure before step 3 leaves the previous feed live and the next run picks up where this one
stopped, because the manifest only lists what was completed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from podpub.errors import OperationError
from podpub.storage.base import Target, Upload
from podpub.storage.manifest import Entry, Manifest


@dataclass
class Plan:
    files: list[Upload]  # everything to write but the feed, in order
    feed: Upload | None  # None when the feed is unchanged
    unchanged: list[Upload]
    deletions: list[str]
    manifest: Manifest
    previous: Manifest | None

    @property
    def writes(self) -> list[Upload]:
        return [*self.files, *([self.feed] if self.feed else [])]

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.writes)

    @property
    def is_empty(self) -> bool:
        return not self.writes and not self.deletions and not self.manifest_changed

    @property
    def manifest_changed(self) -> bool:
        return self.previous is None or self.previous.to_bytes() != self.manifest.to_bytes()


@dataclass
class Report:
    uploaded: list[Upload] = field(default_factory=list)
    skipped: list[Upload] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def uploaded_bytes(self) -> int:
        return sum(u.size for u in self.uploaded)


def _order(upload: Upload) -> tuple[int, str]:
    kind = upload.content_type.split("/", 1)[0]
    return (0 if kind in ("audio", "video") else 1, upload.key)


def make_plan(
    site: Sequence[Upload],
    feed_key: str,
    target: Target,
    *,
    prune: bool = False,
    check_existing: bool = False,
) -> Plan:
    """Compare the site with what the target's manifest says is live.

    `check_existing` also asks the target whether each unchanged file is really there, so a file
    deleted behind podpub's back is put again; cheap on a folder, one request a file on S3.
    """
    previous = target.read_manifest()
    live = previous.files if previous else {}
    feed: Upload | None = None
    files: list[Upload] = []
    unchanged: list[Upload] = []
    for upload in site:
        entry = live.get(upload.key)
        same = (
            entry is not None
            and entry.sha256 == upload.sha256
            and entry.size == upload.size
            and entry.content_type == upload.content_type
        )
        if same and check_existing and not target.verify(upload):
            same = False
        if same:
            unchanged.append(upload)
        elif upload.key == feed_key:
            feed = upload
        else:
            files.append(upload)
    files.sort(key=_order)
    wanted = {u.key for u in site}
    deletions = sorted(key for key in live if key not in wanted) if prune else []
    manifest = Manifest(
        files={
            **{k: e for k, e in live.items() if k not in deletions},
            **{u.key: Entry(u.sha256, u.size, u.content_type) for u in site},
        },
        feed=feed_key,
    )
    return Plan(files, feed, unchanged, deletions, manifest, previous)


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
    report = Report(skipped=list(plan.unchanged))

    def put(upload: Upload) -> Upload:
        if on_start:
            on_start(upload)
        target.put(upload, (lambda n: on_bytes(upload, n)) if on_bytes else None)
        if on_done:
            on_done(upload)
        return upload

    if plan.files:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(put, u) for u in plan.files]
            errors = []
            for future in futures:
                try:
                    report.uploaded.append(future.result())
                except Exception as exc:
                    errors.append(exc)
            if errors:
                raise errors[0]
        missing = [u.key for u in plan.files if not target.verify(u)]
        if missing:
            raise OperationError(
                f"{target.description}: {len(missing)} file(s) missing or incomplete after upload "
                f"(first: {missing[0]}); the previous feed is still live, run the publish again"
            )
    if plan.feed:
        report.uploaded.append(put(plan.feed))
    if plan.deletions:
        # Keep owning the doomed files until they are gone, so an interrupted prune can resume.
        live = plan.previous.files if plan.previous else {}
        interim = Manifest(
            {**plan.manifest.files, **{k: live[k] for k in plan.deletions}}, plan.manifest.feed
        )
        target.write_manifest(interim, plan.previous)
        for key in plan.deletions:
            target.delete(key)
            report.deleted.append(key)
        target.write_manifest(plan.manifest, interim)
    elif plan.manifest_changed:
        target.write_manifest(plan.manifest, plan.previous)
    report.seconds = time.monotonic() - started
    return report
