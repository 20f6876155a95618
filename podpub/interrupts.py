"""SIGTERM and SIGHUP handled like Ctrl-C, so every clean-up path runs for them too.

Python's default for SIGTERM (what `kill`, systemd, Docker and CI runners send to stop a job) and
SIGHUP (a closed terminal or SSH session) ends the process on the spot: no temp file removed, no
multipart upload aborted, no lock released cleanly. Raised as a KeyboardInterrupt instead, they take
the same way out as Ctrl-C: the `except BaseException` clean-ups in podpub.fsutil and
podpub.storage.sync run, and the CLI prints one line and exits with 128 + the signal number.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal other than SIGINT."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Terminated in the main thread (elsewhere: no change,
    Python only lets the main thread set handlers). Handlers the caller had are put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise) for signum in HANDLED}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
