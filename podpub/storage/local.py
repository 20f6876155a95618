"""A folder as a target: a web server's document root, a mounted share, or `public/` for build."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from podpub.errors import OperationError
from podpub.fsutil import atomic_copy, atomic_write_bytes
from podpub.storage.base import Progress, Target, Upload
from podpub.storage.manifest import MANIFEST_KEY, Manifest


class LocalTarget(Target):
    """Files under a root folder; every write is a temp file renamed into place."""

    verify_is_cheap = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.description = str(self.root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise OperationError(f"refusing to write {key!r} outside {self.root}")
        return path

    def read_manifest(self) -> Manifest | None:
        path = self._path(MANIFEST_KEY)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OperationError(f"{path}: cannot read ({exc.strerror})") from None
        return Manifest.from_bytes(raw, str(path))

    def put(self, upload: Upload, progress: Progress | None = None) -> None:
        dest = self._path(upload.key)
        try:
            atomic_copy(upload.source, dest)
        except OSError as exc:
            raise OperationError(
                f"{dest}: cannot write ({exc.strerror}); check the folder's permissions and free space"
            ) from None
        if progress:
            progress(upload.size)

    def verify(self, upload: Upload) -> bool:
        # Size only: the bytes were just copied from a file whose hash we know, and a local
        # re-hash would double the cost of every publish for no new information.
        try:
            return self._path(upload.key).stat().st_size == upload.size
        except FileNotFoundError:
            return False

    def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        # tidy empty folders we created, never the root
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def write_manifest(self, manifest: Manifest, previous: Manifest | None) -> None:
        path = self._path(MANIFEST_KEY)
        try:
            atomic_write_bytes(path, manifest.to_bytes())
        except OSError as exc:
            raise OperationError(f"{path}: cannot write ({exc.strerror})") from None


def local_target_from(spec: str, base: Path) -> LocalTarget:
    """A LocalTarget from a path or a `file://` URL; relative paths are relative to `base`."""
    if spec.startswith("file://"):
        from urllib.parse import unquote, urlparse

        parsed = urlparse(spec)
        if parsed.netloc not in ("", "localhost"):
            raise OperationError(f"target {spec!r}: file:// URLs must be local (file:///path)")
        path = Path(unquote(parsed.path))
    else:
        path = Path(os.path.expanduser(spec))
    if not path.is_absolute():
        path = base / path
    return LocalTarget(path)
