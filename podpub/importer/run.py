"""`podpub import`: read the feed, decide what is new, bring it in, say what happened.

Order of work, so that an interrupted or failed import is simply run again:
1. the feed is read and parsed, and refused if it is locked (nothing written yet);
2. a new show gets its `podcast.toml` (with its artwork); an existing one is left as it is;
3. items already in the show (same GUID) are skipped, and reported when they changed upstream;
4. new items are fetched in parallel: media downloaded to partial files, verified and probed, then
   renamed into `media/`; artwork, transcripts and chapters fetched and checked;
5. each episode file is written only once its audio is complete, so a failed item leaves no
   episode behind and the next run retries it (resuming its partial download).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tomllib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import urlsplit

from podpub.episodes import frontmatter
from podpub.episodes.cache import MediaCache
from podpub.episodes.files import next_file_number
from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.probe import probe
from podpub.errors import InputError, OperationError, PodpubError
from podpub.fsutil import atomic_write_text
from podpub.importer import convert
from podpub.importer.assets import Assets
from podpub.importer.download import MAX_MEDIA_BYTES, Downloader, DownloadJob
from podpub.importer.fetch import Fetched, FetchError, open_url, read_source
from podpub.importer.parse import parse_feed
from podpub.importer.records import FeedRecord, ItemRecord
from podpub.importer.state import PARTIAL_DIR, ExistingEpisode, ImportState, changes, existing_episodes
from podpub.importer.values import step_back
from podpub.importer.xmlload import load_xml
from podpub.mediatypes import CONTENT_TYPES, content_type_for
from podpub.podcasts.config import CONFIG_NAME, load_show, write_new_config
from podpub.podcasts.setup import GITIGNORE
from podpub.slugs import slugify

#: a feed duration this far from the audio's (seconds, or this fraction of it) is reported as wrong
DURATION_TOLERANCE = (2.0, 0.01)
_TYPE_ALIASES = {"audio/mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg", "audio/x-mp3": "audio/mpeg",
                 "audio/x-mpeg": "audio/mpeg", "audio/m4a": "audio/x-m4a", "audio/mp4": "audio/x-m4a",
                 "audio/aac": "audio/x-m4a", "audio/x-aac": "audio/x-m4a"}  # fmt: skip


@dataclass(frozen=True)
class ImportOptions:
    download_media: bool = True
    jobs: int = 4
    since: datetime | None = None
    force_locked: bool = False
    base_url: str | None = None  # for a new show; without it podcast.toml gets a placeholder to edit
    max_media_bytes: int = MAX_MEDIA_BYTES


class Progress(Protocol):
    def start(self, key: str, label: str, total: int | None) -> None: ...
    def advance(self, key: str, count: int) -> None: ...
    def done(self, key: str) -> None: ...


class NoProgress:
    def start(self, key: str, label: str, total: int | None) -> None:
        pass

    def advance(self, key: str, count: int) -> None:
        pass

    def done(self, key: str) -> None:
        pass


@dataclass
class ImportReport:
    root: Path
    source: str
    created: bool
    feed_kind: str
    feed_title: str
    item_count: int
    podcast_guid: str
    old_feed_url: str | None
    new_feed_url: str
    download_media: bool
    locked: bool = False  # the source feed said podcast:locked yes (and --force-locked was given)
    added: list[tuple[str, str]] = field(default_factory=list)  # (episode file, title)
    localized: list[tuple[str, str]] = field(default_factory=list)  # remote episodes whose audio came over
    already: int = 0  # items the show already had
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, why)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (episode file, what changed upstream)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item, error)
    notes: list[str] = field(default_factory=list)  # how messy values were read
    corrections: list[str] = field(default_factory=list)  # what the feed said wrong, found by probing
    placeholders: list[str] = field(default_factory=list)  # podcast.toml keys to set before publishing

    @property
    def ok(self) -> bool:
        return not self.failed

    def cutover_steps(self) -> list[str]:
        """What to do next, in order, to move the listeners without losing one."""
        steps = []
        if self.placeholders:
            steps.append(f"Set {', '.join(self.placeholders)} in {CONFIG_NAME}: import wrote placeholders there.")
        if self.failed:
            steps.append("Run the same `podpub import` again: it retries the failed items and resumes their downloads.")
        steps.append("Check the show: `podpub list`, then `podpub serve` and listen to an episode or two.")
        steps.append(
            f"Publish: `podpub publish --to TARGET` (or set target in [publish]). The new feed is {self.new_feed_url}"
        )
        old = self.old_feed_url or "the old feed"
        steps.append(
            f"On the old host, redirect {old} to {self.new_feed_url} with an HTTP 301 (permanent) redirect, or "
            "set itunes:new-feed-url to it (the host's 'redirect feed' or 'move podcast' setting). Keep the "
            "old feed online, redirected, for at least four weeks: Apple, Spotify and the apps follow it and "
            "keep every subscriber."
        )
        steps.append(
            f"Nothing else changes for listeners: every episode keeps its GUID and date, and the show keeps its "
            f"podcast:guid {self.podcast_guid}, so apps download nothing twice and directories recognise the show."
        )
        if not self.download_media:
            steps.append(
                "Episodes still play from the old host (audio_url): keep that media online, and run "
                "`podpub import` again without --keep-remote-media, then publish, to move it here."
            )
        if self.locked:
            steps.append(f"The show is locked again here (locked = true in {CONFIG_NAME}), as it was on the old host.")
        steps.append(f"To move away from podpub one day: set new_feed_url in {CONFIG_NAME} and publish once more.")
        return steps


@dataclass
class _Planned:
    item: ItemRecord
    guid: str
    title: str
    date: datetime
    number: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Drafted:
    planned: _Planned
    audio: dict[str, Any]  # {"audio": path} or the audio_url keys
    media: tuple[Path, MediaInfo] | None = None
    image: str | None = None
    chapters: str | None = None
    transcripts: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)


def import_feed(
    source: str, root: Path, options: ImportOptions, *, progress: Progress | None = None, now: datetime | None = None
) -> ImportReport:
    progress = progress or NoProgress()
    now = now or datetime.now(UTC).replace(microsecond=0)
    fetched = read_source(source)
    loaded = load_xml(fetched.data, charset=fetched.charset, label=source)
    feed = parse_feed(loaded.root, base_url=fetched.url, label=source)
    if feed.locked and not options.force_locked:
        owner = feed.locked_owner or feed.owner_email or "the e-mail in its itunes:owner"
        raise InputError(
            f"{source}: the feed is locked (podcast:locked yes, owner {owner}): its owner does not allow moving "
            "it to another host; if you are the owner, unlock it on the old host or run again with --force-locked"
        )
    root = root.resolve()
    notes = [*loaded.repairs, *feed.notes]
    _feed_address_notes(source, fetched, feed, notes)
    assets = Assets(root)
    created = not (root / CONFIG_NAME).exists()
    placeholders: list[str] = []
    if created:
        guid, feed_url, placeholders = _create_show(root, feed, fetched, source, options, assets, notes)
    else:
        show = load_show(root)
        guid, feed_url = show.guid, show.publish.feed_url
        if options.base_url and options.base_url != show.publish.base_url:
            notes.append(f"--base-url applies to new shows only; {CONFIG_NAME} keeps {show.publish.base_url}")
        if feed.podcast_guid and feed.podcast_guid.strip().lower() != show.guid.lower():
            raise InputError(
                f"{root / CONFIG_NAME}: this folder holds another show (podcast:guid {show.guid}) than the feed "
                f"({feed.podcast_guid}); import into a new folder"
            )
    report = ImportReport(
        root=root, source=source, created=created, feed_kind=feed.kind, feed_title=feed.title,
        item_count=len(feed.items), podcast_guid=guid, old_feed_url=feed.self_url or fetched.url,
        new_feed_url=feed_url, download_media=options.download_media, locked=bool(feed.locked),
        notes=notes, placeholders=placeholders,
    )  # fmt: skip
    if feed.locked:
        notes.append("the feed is locked (podcast:locked yes); imported because of --force-locked")
    _fill_dates(feed.items, now)
    existing = existing_episodes(root)
    state = ImportState(root)
    planned, localize = _plan(feed, existing, state, options, report)
    first_number = next_file_number(load_show(root))
    for offset, plan in enumerate(sorted(planned, key=lambda p: (p.date, -p.item.index))):
        plan.number = first_number + offset
    _run(root, feed, planned, localize, options, assets, state, report, progress)
    return report


def _feed_address_notes(source: str, fetched: Fetched, feed: FeedRecord, notes: list[str]) -> None:
    if fetched.moved_to:
        notes.append(f"{source} redirects permanently to {fetched.moved_to}: the old host already points there")
    if feed.new_feed_url and feed.new_feed_url not in (source, fetched.url, feed.self_url):
        notes.append(
            f"the feed says it moved to {feed.new_feed_url} (itunes:new-feed-url); make sure this is the current feed"
        )


def _create_show(
    root: Path, feed: FeedRecord, fetched: Fetched, source: str, options: ImportOptions, assets: Assets,
    notes: list[str],
) -> tuple[str, str, list[str]]:  # fmt: skip
    image = None
    if feed.image:
        image, problem = assets.artwork(feed.image, "show")
        if problem:
            notes.append(problem)
    else:
        notes.append("the feed has no show artwork; add image = ... to podcast.toml (Apple requires it)")
    source_url = fetched.url if fetched.url else None
    config = convert.show_config(feed, source_url=source_url, base_url=options.base_url, image=image, source=source)
    notes.extend(config.notes)
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("episodes", "media"):
        (root / folder).mkdir(exist_ok=True)
    if not (root / ".gitignore").exists():
        atomic_write_text(root / ".gitignore", GITIGNORE)
    path = write_new_config(root, config.text)
    try:
        show = load_show(root)
    except PodpubError as exc:  # a value the conversion should have caught: leave no broken show behind
        path.unlink()
        raise OperationError(f"podpub wrote a podcast.toml it cannot read ({exc}); please report this") from None
    return config.guid, show.publish.feed_url, config.placeholders


def _fill_dates(items: list[ItemRecord], now: datetime) -> None:
    """Give undated items a date that keeps their place in the feed: just after the next older item."""
    for position, item in enumerate(items):
        if item.date is not None:
            continue
        older = next((i.date for i in items[position + 1 :] if i.date is not None), None)
        newer = next((i.date for i in reversed(items[:position]) if i.date is not None), None)
        if older is not None:
            item.date = older + timedelta(seconds=1)
        elif newer is not None:
            item.date = step_back(newer)
        else:
            item.date = step_back(now, item.index)
        item.date_guessed = True
        item.notes_list.append(f"it has no usable date; given {item.date.isoformat()} to keep its place: check it")


def _plan(
    feed: FeedRecord, existing: dict[str, ExistingEpisode], state: ImportState, options: ImportOptions,
    report: ImportReport,
) -> tuple[list[_Planned], list[ExistingEpisode]]:  # fmt: skip
    seen: dict[str, int] = {}
    planned: list[_Planned] = []
    localize: list[ExistingEpisode] = []
    for item in feed.items:
        item_notes = list(item.notes_list)
        guid, guid_note = convert.item_guid(item)
        if guid_note:
            item_notes.append(guid_note)
        if item.enclosure is None:
            report.skipped.append((item.label, "no audio (no enclosure); podpub episodes need one"))
            continue
        assert guid is not None and item.date is not None
        if guid in seen:
            report.skipped.append((item.label, f"same guid as item {seen[guid]}; only the first is kept"))
            continue
        seen[guid] = item.index
        if guid in existing:
            report.already += 1
            episode = existing[guid]
            what = changes(state.items[guid], item) if guid in state.items else _differences(episode, item)
            if what:
                report.changed.append((f"episodes/{episode.path.name}", ", ".join(what)))
            if options.download_media and episode.audio_url:
                localize.append(episode)
            continue
        if options.since and item.date < options.since:
            report.skipped.append((item.label, f"published before --since {options.since.date().isoformat()}"))
            continue
        title, title_note = convert.episode_title(item)
        if title_note:
            item_notes.append(title_note)
        planned.append(_Planned(item, guid, title, item.date, notes=item_notes))
        report.notes.extend(f"{item.label}: {note}" for note in item_notes)
    return planned, localize


def _differences(episode: ExistingEpisode, item: ItemRecord) -> list[str]:
    """Without an earlier import's record: what the episode file and the feed disagree on."""
    result = []
    if episode.title and episode.title != item.title:
        result.append(f"title {episode.title!r} -> {item.title!r}")
    if episode.date and item.date and not item.date_guessed and episode.date != item.date:
        result.append(f"date {episode.date.isoformat()} -> {item.date.isoformat()}")
    return result


def _run(
    root: Path, feed: FeedRecord, planned: list[_Planned], localize: list[ExistingEpisode], options: ImportOptions,
    assets: Assets, state: ImportState, report: ImportReport, progress: Progress,
) -> None:  # fmt: skip
    downloader = Downloader(root / PARTIAL_DIR, max_bytes=options.max_media_bytes, on_bytes=progress.advance)
    cache = MediaCache(root)
    show_persons = convert.person_entries(feed.persons, [], "channel")
    work = _Work(root, feed, options, assets, downloader, progress)
    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="podpub-import")
    futures: dict[Future[Any], tuple[str, Callable[[Any], None]]] = {}

    def finish(result: tuple[_Drafted, str]) -> None:
        _record(*result, cache, state, report)

    def finish_local(result: tuple[ExistingEpisode, Path, MediaInfo, list[str]]) -> None:
        _localize(root, result, cache, report)

    try:
        for plan in planned:
            futures[pool.submit(work.episode, plan, show_persons)] = (plan.item.label, finish)
        for episode in localize:
            futures[pool.submit(work.bring_over, episode)] = (f"episodes/{episode.path.name}", finish_local)
        for future in as_completed(futures):
            label, finish_one = futures[future]
            try:
                finish_one(future.result())
            except PodpubError as exc:
                report.failed.append((label, exc.message))
    except BaseException:
        downloader.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        cache.save()
        state.save()
    report.added.sort()


class _Work:
    """What the download threads do for one item; everything they write is a file of their own."""

    def __init__(
        self, root: Path, feed: FeedRecord, options: ImportOptions, assets: Assets, downloader: Downloader,
        progress: Progress,
    ) -> None:  # fmt: skip
        self.root, self.feed, self.options = root, feed, options
        self.assets, self.downloader, self.progress = assets, downloader, progress

    def episode(self, plan: _Planned, show_persons: list[dict[str, str]]) -> tuple[_Drafted, str]:
        drafted = self.draft(plan)
        return drafted, _write_episode(self.root, drafted, show_persons)

    def draft(self, plan: _Planned) -> _Drafted:
        item = plan.item
        assert item.enclosure is not None
        label = f"{item.label}"
        drafted = _Drafted(plan, audio={})
        if self.options.download_media:
            path, info, corrections = self._download(plan.guid, item.enclosure.url, label, plan.title, item)
            drafted.media = (path, info)
            drafted.audio = {"audio": path.relative_to(self.root).as_posix()}
            drafted.corrections = corrections
            drafted.notes.extend(info.warnings)
            duration = info.duration
        else:
            drafted.audio = self._remote(item, drafted.notes)
            duration = item.duration or 0.0
        name = f"{slugify(plan.title, 'episode', max_length=40)}-{_short_hash(plan.guid)}"
        if item.image and item.image != self.feed.image:
            drafted.image, problem = self.assets.artwork(item.image, "episode")
            if problem:
                drafted.notes.append(problem)
        transcripts = item.transcripts
        if any((t.type or "").startswith("text/vtt") for t in transcripts):  # podpub makes VTT from SRT itself
            transcripts = [t for t in transcripts if "srt" not in (t.type or "") and "subrip" not in (t.type or "")]
        for link in transcripts:
            entry, problem = self.assets.transcript(link, "episode")
            if entry:
                drafted.transcripts.append(entry)
            if problem:
                drafted.notes.append(problem)
        if item.chapters is not None:
            drafted.chapters, problem = self.assets.chapters(item.chapters, duration, "episode")
            if problem:
                drafted.notes.append(problem)
        if drafted.chapters is None and item.inline_chapters:
            drafted.chapters, problem = self.assets.inline_chapters(item.inline_chapters, name, duration, label)
            if problem:
                drafted.notes.append(problem)
        return drafted

    def bring_over(self, episode: ExistingEpisode) -> tuple[ExistingEpisode, Path, MediaInfo, list[str]]:
        assert episode.audio_url is not None
        path, info, _ = self._download(
            episode.guid, episode.audio_url, f"episodes/{episode.path.name}", episode.title, None
        )
        return episode, path, info, []

    def _download(
        self, guid: str, url: str, label: str, title: str, item: ItemRecord | None
    ) -> tuple[Path, MediaInfo, list[str]]:
        """Download, verify and probe the audio, then move it into media/; returns its facts."""
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        job = DownloadJob(
            key=hashlib.sha256(f"{guid}\n{url}".encode()).hexdigest()[:24],
            url=url,
            label=label,
            suffix=suffix if suffix in CONTENT_TYPES else ".bin",
        )
        feed_length = item.enclosure.length if item and item.enclosure else None
        self.progress.start(job.key, label, feed_length)
        try:
            result = self.downloader.download(job)
        finally:
            self.progress.done(job.key)
        try:
            info = probe(result.path)
        except PodpubError as exc:
            self.downloader.discard(job)
            detail = exc.message.split(": ", 1)[-1]
            raise FetchError(f"{label}: the download from {url} is not audio podpub can read ({detail})") from None
        if not info.suitable:
            self.downloader.discard(job)
            raise FetchError(f"{label}: {url} is {info.format}, which podcast apps cannot play; not imported")
        corrections = _compare(label, item, result.size, info) if item else []
        dest = self.root / "media" / f"{slugify(title, 'episode', max_length=40)}-{_short_hash(guid)}{info.extension}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(result.path, dest)
        self.downloader.discard(job)
        info = replace(info, warnings=tuple(w for w in info.warnings if not w.startswith("the extension")))
        return dest, info, corrections

    def _remote(self, item: ItemRecord, notes: list[str]) -> dict[str, Any]:
        """The audio_url keys of an episode whose audio stays on the old host."""
        enclosure = item.enclosure
        assert enclosure is not None
        length = enclosure.length
        if length is None:
            length = remote_length(enclosure.url)
            if length is None:
                notes.append(
                    "its audio's size is unknown (the feed and the server give none): audio_length = 0, which "
                    "validation refuses; set it by hand, or import without --keep-remote-media"
                )
            else:
                notes.append(f"its enclosure length was read from the server: {length} bytes")
        by_extension = content_type_for(PurePosixPath(urlsplit(enclosure.url).path).suffix or ".bin")
        declared = _TYPE_ALIASES.get(enclosure.type or "", enclosure.type or "")
        mime = declared if declared.startswith(("audio/", "video/")) else by_extension
        if not mime.startswith(("audio/", "video/")):
            mime = "audio/mpeg"
            notes.append(f"its enclosure type {enclosure.type!r} is not audio; audio/mpeg assumed")
        if item.duration is None:
            notes.append("its duration is unknown; the feed will have no itunes:duration for it")
        return {
            "audio_url": enclosure.url,
            "audio_length": length or 0,
            "audio_type": mime,
            "audio_duration": round(item.duration, 3) if item.duration else None,
        }


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def remote_length(url: str) -> int | None:
    """The size of a remote file from a HEAD (or a one-byte Range GET); None when the server won't say."""
    with contextlib.suppress(PodpubError), open_url(url, method="HEAD", headers={"Accept-Encoding": "identity"}) as r:
        if r.status == 200 and r.length:
            return r.length
    with contextlib.suppress(PodpubError), open_url(url, headers={"Range": "bytes=0-0"}) as r:
        match = re.match(r"^bytes\s+0-0/(\d+)$", r.header("Content-Range") or "")
        if r.status == 206 and match:
            return int(match.group(1))
    return None


def _compare(label: str, item: ItemRecord, size: int, info: MediaInfo) -> list[str]:
    """What the feed said wrong about the audio, now that the file is here."""
    found = []
    enclosure = item.enclosure
    if enclosure and enclosure.length is not None and enclosure.length != size:
        found.append(f"{label}: the feed says {enclosure.length} bytes, the file has {size}; the new feed is exact")
    if item.duration is not None:
        seconds, fraction = DURATION_TOLERANCE
        if abs(item.duration - info.duration) > max(seconds, fraction * info.duration):
            found.append(
                f"{label}: the feed says it lasts {item.duration_text} ({item.duration:.0f} s), the audio "
                f"{info.duration:.0f} s; the new feed is exact"
            )
    declared = _TYPE_ALIASES.get(enclosure.type or "", enclosure.type or "") if enclosure else ""
    if declared and declared != info.mime_type:
        found.append(f"{label}: the feed says type {enclosure.type} but it is {info.format} ({info.mime_type})")
    return found


def _write_episode(root: Path, drafted: _Drafted, show_persons: list[dict[str, str]]) -> str:
    """Write the episode file (in the download thread: thousands of fsyncs go faster side by side)."""
    plan = drafted.planned
    item = plan.item
    persons = [p for p in convert.person_entries(item.persons, drafted.notes, "") if p not in show_persons]
    values = convert.episode_values(
        item, guid=plan.guid, title=plan.title, date=plan.date, audio=drafted.audio, image=drafted.image,
        chapters=drafted.chapters, transcripts=drafted.transcripts, persons=persons,
    )  # fmt: skip
    text = frontmatter.join(convert.front_matter(values), item.notes)
    slug = slugify(plan.title)
    path = root / "episodes" / f"{plan.number:04d}-{slug}.md"  # numbers are unique to this item
    counter = 2
    while path.exists():
        path = root / "episodes" / f"{plan.number:04d}-{slug}-{counter}.md"
        counter += 1
    atomic_write_text(path, text)
    return f"episodes/{path.name}"


def _record(drafted: _Drafted, file: str, cache: MediaCache, state: ImportState, report: ImportReport) -> None:
    """What the main thread keeps of an episode written: the media facts, the fingerprint, the report."""
    plan = drafted.planned
    if drafted.media is not None:
        cache.record(*drafted.media)
    state.record(plan.guid, plan.item)
    report.added.append((file, plan.title))
    report.notes.extend(f"{plan.item.label}: {note}" for note in drafted.notes)
    report.corrections.extend(drafted.corrections)


_REMOTE_LINE = re.compile(r"^\s*(audio_length|audio_type|audio_duration)\s*=")
_URL_LINE = re.compile(r"^(\s*)audio_url\s*=.*$")


def _localize(
    root: Path, result: tuple[ExistingEpisode, Path, MediaInfo, list[str]], cache: MediaCache, report: ImportReport
) -> None:
    """Point a remote episode at its downloaded audio: only the audio keys of its file change."""
    episode, media, info, _ = result
    text = episode.path.read_text(encoding="utf-8")
    parts = frontmatter.split(text, episode.path.name)
    relative = media.relative_to(root).as_posix()
    lines = []
    for line in parts.front_matter.splitlines():
        if _REMOTE_LINE.match(line):
            continue
        match = _URL_LINE.match(line)
        lines.append(f'{match.group(1)}audio = "{relative}"' if match else line)
    front = "\n".join(lines) + "\n"
    data = tomllib.loads(front)
    if data.get("audio") != relative or "audio_url" in data:
        raise OperationError(f"episodes/{episode.path.name}: cannot set its audio; set audio = {relative!r} yourself")
    atomic_write_text(episode.path, frontmatter.join(front, parts.body))
    cache.record(media, info)
    report.localized.append((f"episodes/{episode.path.name}", episode.title))
