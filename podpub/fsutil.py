"""File-system helpers that never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; published files must be readable by the web server like any file
# the producer creates, so new files get the mode the umask gives (read once, at import, while
# podpub is still single-threaded).
FILE_MODE = 0o666 & ~_current_umask()


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return FILE_MODE


@contextlib.contextmanager
def _replacing(dest: Path) -> Iterator[Path]:
    """A temp path beside `dest` that replaces it, complete and fsynced, when the block ends.

    The temp file lives in the same folder so that the final `os.replace` is a rename on one file
    system, which POSIX makes atomic: readers see the old file or the whole new one, never a part.
    If the block fails, the temp file is removed and `dest` is untouched.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, _mode_for(dest))
        os.close(fd)
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` so that readers see either the old file or the whole new one."""
    with _replacing(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(source: Path, dest: Path) -> None:
    """Copy a (possibly large) file so that `dest` appears complete or not at all."""
    with _replacing(dest) as tmp:
        shutil.copyfile(source, tmp)


def link_into_place(source: Path, dest: Path) -> bool:
    """Hard-link `source` to `dest` atomically (link to a temp name, then rename); False if the file
    system cannot (another device, no hard links), so the caller copies instead."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.{os.getpid()}.link"
    try:
        os.link(source, tmp)
    except OSError:
        return False
    try:
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` complete with `data`, or return False if it already exists.

    The bytes go to a temp file first and are hard-linked into place: `link` fails when the name
    exists, so of two processes racing for one name exactly one wins, and nobody ever sees a
    partly written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(name, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def is_within(path: Path, root: Path) -> bool:
    """True when `path`, with links resolved, stays inside `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks so an hour of audio costs no memory."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
