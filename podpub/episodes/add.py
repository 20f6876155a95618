"""`podpub add`: turn audio files into episode files.

Everything is checked before anything is written (every audio file probed, the notes and image
read), and the files written are removed again if a later write fails, so a failed `add` leaves
the show folder as it was. The GUID is a random UUID chosen here, once: it never depends on the
title, the file or the URL, so no later edit can make apps download the episode again.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from podpub.episodes import frontmatter
from podpub.episodes.cache import MediaCache
from podpub.episodes.chapters import read_chapter_file, validate
from podpub.episodes.files import MAX_NOTES_BYTES, next_file_number
from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.probe import probe, read_cover
from podpub.episodes.transcripts import read_transcript
from podpub.errors import InputError, OperationError
from podpub.feeds.text import clean_line
from podpub.fsutil import atomic_copy, atomic_write_text, is_disk_full, is_within, sha256_file
from podpub.inputfiles import read_regular_text
from podpub.podcasts.artwork import check_artwork, prepare_artwork
from podpub.podcasts.config import check_language
from podpub.podcasts.model import Show
from podpub.slugs import slugify
from podpub.tomlfiles import MAX_TEXT_CHARS


@dataclass(frozen=True)
class EpisodeOptions:
    """What the producer said on the command line; None means "use the default"."""

    title: str | None = None
    date: datetime | None = None
    season: int | None = None
    number: int | None = None
    type: str = "full"
    explicit: bool | None = None
    notes_file: Path | None = None
    image: Path | None = None
    draft: bool = False
    chapters_file: Path | None = None  # overrides the chapters inside the audio
    transcripts: tuple[Path, ...] = ()
    transcript_language: str | None = None
    alternates: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Added:
    episode_file: Path
    audio: Path  # inside the show
    copied: bool
    guid: str
    title: str
    date: datetime
    info: MediaInfo
    warnings: tuple[str, ...] = ()


def default_title(info: MediaInfo, audio: Path) -> str:
    """The tag title, else a readable form of the file name (also for a giant tag no episode file takes)."""
    title = clean_line(info.title or "")
    if title and len(title) <= MAX_TEXT_CHARS:
        return title
    return " ".join(audio.stem.replace("_", " ").replace("-", " ").split()) or audio.stem


def _unique_destination(folder: Path, name: str, source: Path) -> tuple[Path, bool]:
    """Where to copy `source` in `folder`: its slugged name, or name-2, -3 if taken by other bytes.

    Returns the path and whether a copy is needed (False when identical bytes are already there).
    """
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate = folder / name
    counter = 2
    source_hash: str | None = None
    while candidate.exists():
        source_hash = source_hash or sha256_file(source)
        if candidate.stat().st_size == source.stat().st_size and sha256_file(candidate) == source_hash:
            return candidate, False
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate, True


def add_episodes(
    show: Show, audio_files: list[Path], options: EpisodeOptions, *, now: datetime, cache: MediaCache
) -> list[Added]:
    if not audio_files:
        raise InputError("no audio file given; usage: podpub add AUDIO...")
    if len(audio_files) > 1:
        for flag, value in (
            ("--title", options.title),
            ("--number", options.number),
            ("--notes", options.notes_file),
            ("--chapters", options.chapters_file),
            ("--transcript", options.transcripts or None),
            ("--alternate", options.alternates or None),
        ):
            if value is not None:
                raise InputError(f"{flag} applies to one episode; add the files one at a time to use it")
    probed = [(path, probe(path)) for path in audio_files]
    for path, info in probed:
        if not info.suitable:
            raise InputError(
                f"{path.name}: {info.format} is not playable in podcast apps; encode it to MP3 or M4A first"
            )
    notes = ""
    if options.notes_file is not None:
        try:
            notes = read_regular_text(options.notes_file)
        except FileNotFoundError:
            raise InputError(f"--notes {options.notes_file}: file not found") from None
        except UnicodeDecodeError:
            raise InputError(f"--notes {options.notes_file}: not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            raise InputError(f"--notes {options.notes_file}: cannot read it ({exc.strerror or exc})") from None
        if len(notes.encode("utf-8")) > MAX_NOTES_BYTES:
            raise InputError(f"--notes {options.notes_file}: over {MAX_NOTES_BYTES >> 20} MiB; shorten the notes")
    if options.image is not None:
        check_artwork(options.image, f"--image {options.image}")
    _check_attachments(options, probed[0][1])
    covers = {path: _usable_cover(path, info) for path, info in probed} if options.image is None else {}
    date = options.date or now.replace(microsecond=0)

    written: list[Path] = []
    added: list[Added] = []
    try:
        number = next_file_number(show)
        image_rel: str | None = None
        if options.image is not None:
            image_rel = _bring_in(show, options.image, show.root / "artwork", written)
        chapters_rel = transcripts = alternates = None
        if options.chapters_file is not None:
            chapters_rel = _bring_in(show, options.chapters_file, show.root / "chapters", written)
        if options.transcripts:
            transcripts = [
                {
                    "file": _bring_in(show, t, show.root / "transcripts", written),
                    "language": options.transcript_language,
                }
                for t in options.transcripts
            ]
            transcripts = [{k: v for k, v in t.items() if v is not None} for t in transcripts]
        if options.alternates:
            alternates = [{"file": _bring_in(show, a, show.media_dir, written)} for a in options.alternates]
        for path, info in probed:
            audio_rel = _bring_in(show, path, show.media_dir, written, extension=info.extension)
            audio_abs = show.root / audio_rel
            title = options.title or default_title(info, path)
            guid = str(uuid.uuid4())
            values: dict[str, object] = {
                "guid": guid,
                "title": title,
                "date": date,
                "audio": audio_rel,
                "type": options.type,
                "season": options.season,
                "number": options.number,
                "explicit": options.explicit,
                "draft": True if options.draft else None,
                "image": image_rel or ("embedded" if covers.get(path) is None and path in covers else None),
                "chapters": chapters_rel,
                "transcripts": transcripts,
                "alternates": alternates,
            }
            body = notes if options.notes_file is not None else (info.comment or "")
            tag_warnings: tuple[str, ...] = ()
            if len(body.encode("utf-8")) > MAX_NOTES_BYTES:  # only a tag can be this big: --notes was checked
                tag_warnings = (f"{path.name}: the comment tag is over {MAX_NOTES_BYTES >> 20} MiB; "
                                "left out of the notes (give --notes FILE)",)  # fmt: skip
                body = ""
            slug = slugify(title)
            episode_file = show.episodes_dir / f"{number:04d}-{slug}.md"
            number += 1
            text = frontmatter.join(frontmatter.new_front_matter(values), body)
            _check_writable(episode_file)
            atomic_write_text(episode_file, text)
            written.append(episode_file)
            cache.record(audio_abs, info)
            notes_for_file = ((covers[path],) if covers.get(path) else ()) + tag_warnings
            added.append(
                Added(episode_file, audio_abs, audio_abs != path.resolve(), guid, title, date, info, notes_for_file)
            )
        cache.save()
    except BaseException:
        for path in reversed(written):
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return added


def _usable_cover(path: Path, info: MediaInfo) -> str | None:
    """None when the audio's cover art can be the episode artwork (image = "embedded"), else why not.

    Files without cover art give "" (nothing to say). Covers too small or not square are common
    (600 px thumbnails): the episode then just uses the show artwork, and the producer is told.
    """
    if not info.has_cover:
        return ""
    cover = read_cover(path)
    if cover is None:
        return ""
    try:
        prepare_artwork(cover[0], f"{path.name} (cover art)")
    except InputError as exc:
        return f"{exc}; the episode uses the show artwork"
    return None


def _check_attachments(options: EpisodeOptions, info: MediaInfo) -> None:
    """Read every chapters, transcript and alternate file before anything is written."""
    if options.chapters_file is not None:
        marks = read_chapter_file(options.chapters_file)
        validate(marks, info.duration, options.chapters_file.name)
    if options.transcript_language and (problem := check_language(options.transcript_language)):
        raise InputError(f"--transcript-language {options.transcript_language!r}: {problem}")
    for transcript in options.transcripts:
        read_transcript(transcript)
    for alternate in options.alternates:
        alt = probe(alternate)
        if not alt.suitable:
            raise InputError(f"--alternate {alternate.name}: {alt.format} is not playable in podcast apps")
        if abs(alt.duration - info.duration) > 1.0:
            raise InputError(
                f"--alternate {alternate.name}: lasts {alt.duration:.1f} s but the episode {info.duration:.1f} s; "
                "an alternate must be the same recording (within 1 s)"
            )


def _check_writable(path: Path) -> None:
    if path.exists():
        raise InputError(f"{path}: already exists; choose another --title")


def _bring_in(show: Show, source: Path, folder: Path, written: list[Path], extension: str | None = None) -> str:
    """The show-relative path of `source`, copying it into `folder` when it lives elsewhere."""
    source = source.resolve()
    if is_within(source, show.root):
        return source.relative_to(show.root.resolve()).as_posix()
    suffix = extension or source.suffix.lower()
    name = slugify(source.stem, "file") + suffix
    folder.mkdir(parents=True, exist_ok=True)
    dest, needed = _unique_destination(folder, name, source)
    if needed:
        try:
            atomic_copy(source, dest)
        except OSError as exc:  # a full disk or a read-only folder: an operation that failed, not bad input
            advice = "; free some space and add it again" if is_disk_full(exc) else ""
            raise OperationError(f"{dest}: cannot copy {source.name} into the show ({exc.strerror}){advice}") from None
        shutil.copystat(source, dest)
        written.append(dest)
    return dest.relative_to(show.root).as_posix()
