"""One podpub at a time in a show folder: an advisory lock on `.podpub/lock`.

Why: `add`, `build`, `publish`, `import` and `serve`'s build all write in the show folder (episode
files, `media/`, `public/`, the caches). Two of them at once (a cron job and the producer, or two
terminals) would interleave those writes: a build could prune a file the other is about to upload,
two `add`s could take the same episode number. The second one therefore waits a bounded time
(`PODPUB_LOCK_WAIT` seconds, default 10), then stops with a message that names the process holding
the lock and what it is doing.

`fcntl.flock` is used because the kernel releases it when its holder dies, even by `kill -9`: a
crashed podpub never leaves a stale lock. The lock file records who holds it and is removed on a
clean release, so finding it filled when taking the lock means the previous holder died mid-write;
its temporary files (never visible under a final name, see `podpub.fsutil`) are removed then.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from podpub.errors import InputError, OperationError
from podpub.fsutil import remove_stale_temp_files

LOCK_NAME = Path(".podpub") / "lock"
DEFAULT_WAIT = 10.0  # seconds: long enough for a quick `add` or `build` to end, short enough for cron
POLL = 0.1

Notify = Callable[[str], None]

try:  # Windows has no fcntl; there podpub runs without the lock (documented as POSIX-only)
    import fcntl
except ImportError:  # pragma: no cover - POSIX CI
    fcntl = None  # type: ignore[assignment]

_held = threading.local()  # roots this thread holds: a nested lock of the same show is a no-op


def wait_seconds() -> float:
    """How long to wait for another podpub: `PODPUB_LOCK_WAIT` (seconds, 0: do not wait), default 10."""
    raw = os.environ.get("PODPUB_LOCK_WAIT", "").strip()
    if not raw:
        return DEFAULT_WAIT
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"PODPUB_LOCK_WAIT={raw!r}: not a number of seconds") from None
    return max(0.0, value)


def _holder(handle: int) -> dict[str, object]:
    """Who the lock file says holds the lock ({} when nobody wrote it, or it is not ours)."""
    try:
        raw = os.pread(handle, 4096, 0)
        data = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict[str, object]) -> str:
    pid, command = holder.get("pid"), holder.get("command")
    if isinstance(pid, int) and isinstance(command, str):
        return f"another podpub (pid {pid}, `{command}`)"
    return "another podpub"


class ShowLock:
    """The lock of one show folder; use `show_lock()` rather than this class directly."""

    def __init__(self, root: Path, command: str) -> None:
        self.root = root
        self.path = root / LOCK_NAME
        self.command = command
        self._fd: int | None = None
        self._created: list[Path] = []  # folders this lock created, removed again if left empty

    def acquire(self, wait: float, notify: Notify | None = None) -> None:
        if fcntl is None:  # pragma: no cover
            return
        deadline = time.monotonic() + wait
        told = False
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise OperationError(f"{self.path}: cannot lock ({exc.strerror})") from None
                holder = _holder(fd)
                os.close(fd)
                if time.monotonic() >= deadline:
                    pid = holder.get("pid")
                    stop = f" (or stop it: kill {pid})" if isinstance(pid, int) else ""
                    raise OperationError(
                        f"{self.root}: {_describe(holder)} is working in this show; wait for it to finish, "
                        f"then run the command again{stop}"
                    ) from None
                if notify and not told:
                    notify(f"{_describe(holder)} is working in {self.root}; waiting up to {wait:g} s for it")
                    told = True
                time.sleep(POLL)
                continue
            if self._same_file(fd):
                break
            os.close(fd)  # the holder removed the file on release: lock the new one
        self._fd = fd
        previous = _holder(fd)
        if previous:
            removed = remove_stale_temp_files(self.root)
            if removed and notify:
                notify(
                    f"{_describe(previous)} stopped without finishing; removed {len(removed)} temporary file(s) "
                    "it left (nothing it had completed is touched)"
                )
        record = json.dumps({"pid": os.getpid(), "command": self.command}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)

    def _open(self) -> int:
        for folder in (self.root, self.path.parent):
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True)
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise OperationError(f"{folder}: cannot create it to lock the show ({exc.strerror})") from None
                else:
                    self._created.append(folder)
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise OperationError(f"{self.path}: cannot open the show's lock ({exc.strerror})") from None

    def _same_file(self, fd: int) -> bool:
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Removed while still locked: a clean release leaves nothing behind, and a lock file found
            # with content later means its holder died (see the module docstring). A waiter that had
            # opened the removed file notices (_same_file) and locks the new one.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            for folder in reversed(self._created):  # folders this lock created, if nothing else was put there
                with contextlib.suppress(OSError):
                    folder.rmdir()
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


@contextlib.contextmanager
def show_lock(root: Path, command: str, *, wait: float | None = None, notify: Notify | None = None) -> Iterator[None]:
    """Hold the lock of the show in `root` (created if missing) while the block runs."""
    with show_locks([root], command, wait=wait, notify=notify):
        yield


@contextlib.contextmanager
def show_locks(
    roots: Iterable[Path], command: str, *, wait: float | None = None, notify: Notify | None = None
) -> Iterator[None]:
    """Hold the locks of several shows (a workspace run); taken in path order, so two runs never deadlock."""
    held: set[Path] = getattr(_held, "roots", set())
    _held.roots = held
    wanted = sorted({Path(os.path.abspath(r)) for r in roots} - held)
    seconds = wait_seconds() if wait is None else wait
    locks: list[ShowLock] = []
    try:
        for root in wanted:
            lock = ShowLock(root, command)
            lock.acquire(seconds, notify)
            locks.append(lock)
            held.add(root)
        yield
    finally:
        for lock in reversed(locks):
            held.discard(lock.root)
            lock.release()
