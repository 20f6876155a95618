"""The one small interface every storage target implements.

A target only stores and fetches objects by key; the order of operations that keeps listeners
safe (media before feed, a claimed manifest generation before the feed, deletions last) lives in
`sync.py`, once, for every target.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

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
    """A place listeners fetch a show's files from. Keys are relative to the target's root."""

    #: shown to the producer, e.g. "/srv/www/podcast" or "s3://bucket/show"
    description: str
    #: whether checking every published file exists is cheap enough for every publish (a folder);
    #: on S3 it costs LIST requests, so it runs only with `--verify`
    verify_is_cheap: bool = False
    #: files at least this big are looked for (`verify`) before being sent: a run that failed later may
    #: have uploaded them completely, and on S3 a HEAD costs far less than sending them again
    check_before_put: int | None = None

    @abstractmethod
    def get_bytes(self, key: str) -> bytes | None:
        """A small object's bytes, or None when there is no such object."""

    @abstractmethod
    def put_bytes(
        self, key: str, data: bytes, content_type: str, cache_control: str, *, create_only: bool = False
    ) -> bool:
        """Store a small object atomically. With `create_only`, return False (and change nothing)
        when the key already exists: that is how concurrent publishers are told apart."""

    @abstractmethod
    def put(self, upload: Upload, progress: Progress | None = None) -> None:
        """Store one file so that readers see the whole new object or nothing (never a part)."""

    @abstractmethod
    def verify(self, upload: Upload) -> bool:
        """True when the object is there and complete (right size, and hash where the target keeps it)."""

    @abstractmethod
    def sizes(self, keys: Iterable[str]) -> dict[str, int]:
        """The size of each of `keys` that exists (missing keys are left out)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove one object; a missing one is not an error."""

    def prepare(self, uploads: Iterable[Upload]) -> None:  # noqa: B027 - optional hook
        """Called before `uploads` are put: a target may clean up what an interrupted run left."""

    def cancel(self) -> None:  # noqa: B027 - optional hook
        """Stop transfers in flight (the run is failing or was interrupted); called from the main thread."""
