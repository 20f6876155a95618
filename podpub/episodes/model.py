"""An episode as podpub holds it after reading its Markdown file and probing its audio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from podpub.episodes.mediainfo import MediaInfo


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
    audio: Path  # absolute path inside the show folder
    notes: str  # Markdown body
    season: int | None = None
    number: int | None = None
    type: str = "full"  # "full" | "trailer" | "bonus"
    explicit: bool | None = None  # None: inherit the show's
    draft: bool = False
    image: Path | None = None
    media: MediaInfo | None = None  # filled in by the media cache
    sha256: str | None = None  # of the audio file, filled in by the media cache

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
