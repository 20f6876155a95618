"""What podpub knows about one media file, independent of how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Chapter:
    """A chapter mark read from the file: start in seconds and its title."""

    start: float
    title: str
    url: str | None = None


@dataclass(frozen=True)
class MediaInfo:
    """Everything `probe()` reads from an audio or video file.

    `mime_type` and `extension` come from podpub's own table, never from mutagen; `exact_duration` is
    False only when the duration could not be measured exactly (it is always exact for the formats
    podpub supports, MP3 without a Xing header included, because podpub walks the frames).
    """

    format: str  # "MP3", "MP4", "OggVorbis", "OggOpus", "FLAC", "WAVE", "AIFF"
    mime_type: str  # e.g. "audio/mpeg"; the enclosure type
    extension: str  # canonical extension with the dot, e.g. ".mp3", ".m4a", ".mp4"
    size: int  # bytes
    duration: float  # seconds
    exact_duration: bool
    is_video: bool = False
    bitrate: int = 0  # bits per second, as the container states it (0 when unknown)
    sample_rate: int = 0
    channels: int = 0
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    date: str | None = None
    comment: str | None = None
    chapters: tuple[Chapter, ...] = ()
    has_cover: bool = False
    cover_mime: str | None = None
    suitable: bool = True  # False for WAV/AIFF: readable, but no podcast app should get them
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The JSON shape `podpub inspect --json` prints; keys are a public contract."""
        # Built by hand rather than with dataclasses.asdict, which deep-copies every value: this runs
        # for every new file of a scan and asdict was a third of the cache's cost.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["chapters"] = [
            {"start": c.start, "title": c.title, **({"url": c.url} if c.url is not None else {})}
            for c in self.chapters
        ]
        data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaInfo:
        """Rebuild from `to_json()` output (the media cache stores it)."""
        values = dict(data)
        values["chapters"] = tuple(Chapter(**c) for c in data.get("chapters", ()))
        values["warnings"] = tuple(data.get("warnings", ()))
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(MediaInfo))
