"""File-system helpers that never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from podpub.errors import SourceChangedError

# Temp names: `.NAME.XXXXXXXX.tmp` (mkstemp) and `.NAME.PID.link`. Only a process killed mid-write
# (kill -9, power loss) leaves one behind; `remove_stale_temp_files` recognises them by these shapes.
TEMP_SUFFIX = ".tmp"
LINK_SUFFIX = ".link"
_STALE_TEMP = re.compile(r"^\..+\.(?:[a-z0-9_]{8}\.tmp|\d+\.link)$")
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


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
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=TEMP_SUFFIX, dir=dest.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, _mode_for(dest))
        os.close(fd)
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, name):
            # Name the file the producer asked for, not our temp file (a write to an open file, such as
            # one that fills the disk, names none).
            raise OSError(exc.errno, exc.strerror, str(dest)) from None
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` so that readers see either the old file or the whole new one."""
    with _replacing(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(source: Path, dest: Path, *, sha256: str | None = None) -> None:
    """Copy a (possibly large) file so that `dest` appears complete or not at all.

    With `sha256`, the bytes are hashed as they are copied and `dest` is only put in place when
    they are the ones expected: a source changed since it was hashed (an audio file re-exported in
    place during a publish) raises SourceChangedError and leaves `dest` untouched.
    """
    with _replacing(dest) as tmp:
        if sha256 is None:
            shutil.copyfile(source, tmp)
            return
        import hashlib

        digest = hashlib.sha256()
        with open(source, "rb") as reader, open(tmp, "wb") as writer:
            while block := reader.read(1 << 20):
                digest.update(block)
                writer.write(block)
        if digest.hexdigest() != sha256:
            raise SourceChangedError(source.name, str(dest))


def link_into_place(source: Path, dest: Path) -> bool:
    """Hard-link `source` to `dest` atomically (link to a temp name, then rename); False if the file
    system cannot (another device, no hard links), so the caller copies instead."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.{os.getpid()}{LINK_SUFFIX}"
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
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
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


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temp files a killed podpub left under `root`; returns them.

    Only call it while holding the show's lock (podpub.showlock): then no podpub is writing there,
    so every temp file of podpub's shape is an orphan. Links are not followed and `.git` is skipped.
    """
    removed: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
        for name in files:
            if _STALE_TEMP.match(name):
                path = Path(folder) / name
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


def is_disk_full(exc: OSError) -> bool:
    """No space left, a quota, or a file-size limit (RLIMIT_FSIZE): the same fix for the producer."""
    return exc.errno in _NO_SPACE


def describe_os_error(exc: OSError) -> str:
    """One line for a file-system failure: the file, the reason, and what to do about a full disk."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc)
    if is_disk_full(exc):
        return (
            f"{where}cannot write ({reason}): the disk is full or a size limit was reached; free some space and run "
            "the command again (nothing was left half-written)"
        )
    return f"{where}{reason}"
