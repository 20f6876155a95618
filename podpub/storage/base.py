"""The one small interface every storage target implements.

A target only stores and fetches objects by key; the order of operations that keeps listeners
safe (media before feed, feed before manifest, deletions last) lives in `sync.py`, once, for every
target.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podpub.storage.manifest import Manifest

Progress = Callable[[int], None]  # called with the number of bytes just transferred


@dataclass(frozen=True)
class Upload:
    """One file to put on a target, with the headers a listener's app will see."""

    key: str
    source: Path
    size: int
    sha256: str
    content_type: str
    cache_control: str


class Target(ABC):
    """A place listeners fetch a show's files from."""

    #: shown to the producer, e.g. "/srv/www/podcast" or "s3://bucket/show"
    description: str
    #: whether `verify()` is cheap enough to run on every unchanged file of every publish
    verify_is_cheap: bool = False

    @abstractmethod
    def read_manifest(self) -> Manifest | None:
        """What podpub published here last time, or None for a target podpub never wrote."""

    @abstractmethod
    def put(self, upload: Upload, progress: Progress | None = None) -> None:
        """Store one file so that readers see the whole new object or nothing (never a part)."""

    @abstractmethod
    def verify(self, upload: Upload) -> bool:
        """True when the object is there and complete (right size and hash where cheap to know)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove one object; a missing one is not an error."""

    @abstractmethod
    def write_manifest(self, manifest: Manifest, previous: Manifest | None) -> None:
        """Record what is now published; the last write of a publish."""
