"""The small files an imported show links: artwork, transcripts and chapters, brought into the show.

podpub publishes these from files in the show folder, so each one is downloaded (size-capped),
checked with the reader the build uses (artwork against Apple's rules, transcripts and chapters for
syntax), and kept only when it passes; otherwise the episode goes without it and the report says
why. Names come from the URL's hash and podpub's slugs: ASCII, inside the show, and the same on
every run, so a re-import finds the file it already has instead of fetching it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from podpub.episodes.chapters import format_npt, read_chapter_file, validate
from podpub.episodes.transcripts import read_transcript
from podpub.errors import InputError, PodpubError
from podpub.fsutil import atomic_write_bytes, atomic_write_text
from podpub.importer.fetch import MAX_SMALL_BYTES, fetch
from podpub.importer.records import InlineChapter, LinkRecord
from podpub.podcasts.artwork import prepare_artwork
from podpub.podcasts.config import check_language
from podpub.slugs import slugify

TRANSCRIPT_SUFFIXES = {
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "application/json": ".json",
    "text/html": ".html",
    "text/plain": ".txt",
}
_IMAGE_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"RIFF", ".webp"), (b"GIF8", ".gif"))


def url_name(url: str, fallback: str) -> str:
    """`<slug of the URL's file name>-<8 hex of the URL's hash>`: ASCII, no path, unique per URL."""
    stem = PurePosixPath(urlsplit(url).path).stem
    return f"{slugify(stem, fallback, max_length=40)}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


class Assets:
    """Fetches and checks linked files for one import; safe to use from several download threads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._artwork: dict[str, tuple[str | None, str | None]] = {}
        self._fetching: dict[str, threading.Lock] = {}  # one download per URL, however many items share it

    def _existing(self, folder: str, stem: str) -> str | None:
        directory = self.root / folder
        if directory.is_dir():
            for path in sorted(directory.glob(stem + ".*")):
                if path.is_file() and not path.name.startswith("."):
                    return path.relative_to(self.root).as_posix()
        return None

    def artwork(self, url: str, label: str) -> tuple[str | None, str | None]:
        """(show-relative path, None) for usable artwork, else (None, why it was left out)."""
        with self._lock:
            url_lock = self._fetching.setdefault(url, threading.Lock())
        with url_lock:
            if url not in self._artwork:
                self._artwork[url] = self._fetch_artwork(url, label)
            return self._artwork[url]

    def _fetch_artwork(self, url: str, label: str) -> tuple[str | None, str | None]:
        stem = url_name(url, "artwork")
        existing = self._existing("artwork", stem)
        if existing:
            return existing, None
        try:
            data = fetch(url, cap=MAX_SMALL_BYTES, label=f"{label} artwork", accept="image/*").data
            prepare_artwork(data, f"{label} artwork {url}")
        except PodpubError as exc:
            return None, f"{exc}; left out (the show artwork stands in)"
        suffix = next((ext for magic, ext in _IMAGE_MAGIC if data.startswith(magic)), ".jpg")
        relative = f"artwork/{stem}{suffix}"
        atomic_write_bytes(self.root / relative, data)
        return relative, None

    def transcript(self, link: LinkRecord, label: str) -> tuple[dict[str, str] | None, str | None]:
        """({"file": ..., "language": ...}, None) for a transcript that reads, else (None, why not)."""
        suffix = TRANSCRIPT_SUFFIXES.get((link.type or "").split(";")[0].strip())
        url_suffix = PurePosixPath(urlsplit(link.url).path).suffix.lower()
        if suffix is None:
            suffix = url_suffix if url_suffix in set(TRANSCRIPT_SUFFIXES.values()) else ".txt"
        stem = url_name(link.url, "transcript")
        relative = self._existing("transcripts", stem)
        if relative is None:
            relative = f"transcripts/{stem}{suffix}"
            problem = self._download_checked(link.url, relative, f"{label} transcript", read_transcript)
            if problem:
                return None, problem
        entry = {"file": relative}
        if link.language and not check_language(link.language.lower()):
            entry["language"] = link.language.lower()
        return entry, None

    def chapters(self, link: LinkRecord, duration: float, label: str) -> tuple[str | None, str | None]:
        """The show-relative path of a JSON chapters file that passes podpub's checks, else (None, why)."""
        stem = url_name(link.url, "chapters")
        relative = self._existing("chapters", stem)
        if relative is None:
            relative = f"chapters/{stem}.json"

            def check(path: Path) -> None:
                validate(read_chapter_file(path), duration, path.name)

            problem = self._download_checked(link.url, relative, f"{label} chapters", check)
            if problem:
                return None, problem
        return relative, None

    def inline_chapters(
        self, marks: list[InlineChapter], name: str, duration: float, label: str
    ) -> tuple[str | None, str | None]:
        """Podlove Simple Chapters from the feed as a podpub chapters text file (`HH:MM:SS.mmm Title`)."""
        relative = f"chapters/{name}.txt"
        path = self.root / relative
        if path.is_file():
            return relative, None
        lines = []
        for mark in marks:
            link = f" <{mark.href}>" if mark.href else ""
            lines.append(f"{format_npt(mark.start)} {' '.join(mark.title.split())}{link}")
        atomic_write_text(path, "\n".join(lines) + "\n")
        try:
            validate(read_chapter_file(path), duration, path.name)
        except InputError as exc:
            path.unlink()
            return None, f"{label}: its psc:chapters do not pass podpub's checks ({exc}); left out"
        return relative, None

    def _download_checked(self, url: str, relative: str, label: str, check: object) -> str | None:
        """Download `url` to `relative` and run `check(path)`; on any failure remove it and say why."""
        path = self.root / relative
        try:
            data = fetch(url, cap=MAX_SMALL_BYTES, label=label).data
            atomic_write_bytes(path, data)
            check(path)  # type: ignore[operator]
        except PodpubError as exc:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return f"{exc}; left out"
        return None
