"""An episode as podpub holds it after reading its Markdown file and probing its audio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from podpub.episodes.mediainfo import MediaInfo
from podpub.namespace import License, Location, Person, SocialInteract, Soundbite


@dataclass(frozen=True)
class TranscriptRef:
    """A transcript file of the episode (inside the show) and its language (None: the show's)."""

    file: Path
    language: str | None = None


@dataclass(frozen=True)
class RemoteAudio:
    """Audio left on another host (`audio_url`, e.g. a show imported with --keep-remote-media).

    The feed links the URL as the enclosure; podpub never uploads, copies or prunes it.
    """

    url: str
    length: int  # bytes, for the enclosure
    type: str  # enclosure MIME type, e.g. audio/mpeg
    duration: float = 0.0  # seconds; 0 means unknown (no itunes:duration)


@dataclass(frozen=True)
class AlternateRef:
    """Another encoding of the episode's audio (e.g. Opus beside the MP3), published beside it."""

    file: Path
    title: str | None = None


class Status(StrEnum):
    """Whether an episode is in the feed now, later, or not until the producer says so."""

    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    DRAFT = "draft"


@dataclass(frozen=True)
class Episode:
    """One episode file (`episodes/NNNN-slug.md`) with the facts of its audio."""

    source: Path  # the episode's Markdown file
    guid: str
    title: str
    date: datetime  # always timezone-aware
    audio: Path | None  # absolute path inside the show folder; None when the audio is remote
    notes: str  # Markdown body
    season: int | None = None
    number: int | None = None
    type: str = "full"  # "full" | "trailer" | "bonus"
    explicit: bool | None = None  # None: inherit the show's
    draft: bool = False
    image: Path | None = None
    image_embedded: bool = False  # image = "embedded": the cover art inside the audio file
    chapters_file: Path | None = None  # JSON chapters or "HH:MM:SS Title" lines; None: the audio's own
    transcripts: tuple[TranscriptRef, ...] = ()
    alternates: tuple[AlternateRef, ...] = ()
    persons: tuple[Person, ...] = ()  # guests etc.; the show's hosts are repeated in the feed
    location: Location | None = None
    soundbites: tuple[Soundbite, ...] = ()
    social: tuple[SocialInteract, ...] = ()
    episode_display: str | None = None  # podcast:episode display, e.g. "Épisode 1.5"
    license: License | None = None
    block: bool = False  # itunes:block yes for this episode
    media: MediaInfo | None = None  # filled in by the media cache
    sha256: str | None = None  # of the audio file, filled in by the media cache
    remote: RemoteAudio | None = None  # audio_url: audio on another host, linked as it is

    @property
    def slug(self) -> str:
        """The file's stem without its number: `0003-les-ecoles` gives `les-ecoles`."""
        stem = self.source.stem
        head, sep, tail = stem.partition("-")
        return tail if sep and head.isdigit() and tail else stem

    def status(self, now: datetime) -> Status:
        if self.draft:
            return Status.DRAFT
        if self.date > now:
            return Status.SCHEDULED
        return Status.PUBLISHED
