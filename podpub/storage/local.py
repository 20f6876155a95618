"""A folder as a target: a web server's document root, a mounted share, or `public/` for build."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG

from podpub.errors import OperationError
from podpub.fsutil import atomic_copy, atomic_write_bytes, create_exclusive, link_into_place
from podpub.storage.base import Progress, Target, Upload


class LocalTarget(Target):
    """Files under a root folder; every write is a temp file renamed (or linked) into place."""

    verify_is_cheap = True

    def __init__(self, root: Path, *, link: bool = False) -> None:
        self.root = root.resolve()
        self.description = str(self.root)
        # `link`: hard-link files instead of copying them when the file system allows (the build
        # folder, podpub's own staging area, where nobody edits files in place).
        self.link = link

    def _path(self, key: str) -> Path:
        """The file for `key`, links resolved: a write never lands outside the root."""
        path = Path(os.path.realpath(self.root / key))
        if not path.is_relative_to(self.root):
            raise OperationError(f"refusing to write {key!r} outside {self.root}")
        return path

    def _lookup(self, key: str) -> Path:
        """The file for `key` for reading: no link resolution (one stat instead of one per folder level),
        but keys that climb out of the root are refused all the same."""
        if key.startswith("/") or ".." in key.split("/"):
            raise OperationError(f"refusing to read {key!r} outside {self.root}")
        return self.root / key

    def _write_error(self, path: Path, exc: OSError) -> OperationError:
        return OperationError(f"{path}: cannot write ({exc.strerror}); check the folder's permissions and free space")

    def get_bytes(self, key: str) -> bytes | None:
        path = self._lookup(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OperationError(f"{path}: cannot read ({exc.strerror})") from None

    def put_bytes(
        self, key: str, data: bytes, content_type: str, cache_control: str, *, create_only: bool = False
    ) -> bool:
        path = self._path(key)
        try:
            if create_only:
                return create_exclusive(path, data)
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise self._write_error(path, exc) from None
        return True

    def put(self, upload: Upload, progress: Progress | None = None) -> None:
        dest = self._path(upload.key)
        try:
            if not (self.link and link_into_place(upload.source, dest)):
                # Hashed while copied: a file changed since the build never lands under its old name.
                atomic_copy(upload.source, dest, sha256=upload.sha256)
        except OSError as exc:
            raise self._write_error(dest, exc) from None
        if progress:
            progress(upload.size)

    def verify(self, upload: Upload) -> bool:
        # Size only: the bytes were just copied from a file whose hash we know, and a local
        # re-hash would double the cost of every publish for no new information.
        return self.sizes([upload.key]).get(upload.key) == upload.size

    def sizes(self, keys: Iterable[str]) -> dict[str, int]:
        # os.stat on strings: the build and every publish to a folder check each of the site's files,
        # and on a 10,000-episode show building a Path per key cost more than the stats themselves.
        found = {}
        prefix = str(self.root) + os.sep
        for key in keys:
            if key.startswith("/") or ".." in key.split("/"):
                self._lookup(key)  # raises: keys that climb out of the root are refused
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                stat = os.stat(prefix + key)
                if S_ISREG(stat.st_mode):
                    found[key] = stat.st_size
        return found

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
