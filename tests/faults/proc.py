"""podpub as a real child process, for faults that need one: signals, kill -9, a write limit, a second podpub.

In-process runs (tests.cli_helpers.run_podpub) cannot be killed or signalled without killing pytest,
and a resource limit set in-process would bind pytest too. Every wait here is on a condition (a
process exit, a line on a pipe, a file appearing) with a deadline, never a bare sleep.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable

PODPUB = [sys.executable, "-m", "podpub"]

# Runs podpub unmodified, except that os.replace pauses (reporting on a pipe first) when it is about
# to put a file into the show's media/ folder: the one moment of `add` where a copy is complete but
# not yet in place. The parent then kills the child there, exactly, instead of racing a fast copy.
PAUSE_BEFORE_MEDIA_RENAME = """
import os, sys, time
fd = int(os.environ.pop("PODPUB_TEST_PAUSE_FD"))
real_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if os.sep + "media" + os.sep in os.fspath(dst):
        os.write(fd, b"paused\\n")
        time.sleep(3600)
    return real_replace(src, dst, *args, **kwargs)
os.replace = replace
from podpub.cli import main
main(sys.argv[1:])
"""


def spawn(
    *args: str, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None, stderr: object = None
) -> subprocess.Popen[str]:
    """`podpub ARGS` in a child with the test's environment (its AWS settings included)."""
    return subprocess.Popen(
        [*PODPUB, *args],
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
    )


def run(*args: str, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
    proc = spawn(*args, env=env, preexec=preexec)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def spawn_paused_before_media_rename(*args: str) -> tuple[subprocess.Popen[str], int]:
    """`podpub ARGS`, pausing before it renames a file into media/; returns the child and the pipe to
    read its "paused" line from."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSE_BEFORE_MEDIA_RENAME, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PODPUB_TEST_PAUSE_FD": str(write_fd)},
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    return proc, read_fd


def wait_for_line(fd: int, proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The next line the child writes on `fd`; fails if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proc.kill()
            raise AssertionError(f"the child never reported; stderr: {proc.communicate()[1]}")
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.2))
        if ready:
            chunk = os.read(fd, 1024)
            if not chunk:
                raise AssertionError(f"the child closed the pipe (exit {proc.wait()}): {proc.communicate()[1]}")
            data += chunk
        elif proc.poll() is not None:
            raise AssertionError(f"the child exited with {proc.returncode} first: {proc.communicate()[1]}")
    return data.decode().strip()


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str] | None = None, timeout: float = 60,
               what: str = "condition") -> None:  # fmt: skip
    """Poll `condition` until true; fails when the deadline passes or `proc` exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: the child exited with {proc.returncode} first: {proc.communicate()[1]}")
        if time.monotonic() > deadline:
            if proc is not None:
                proc.kill()
            raise AssertionError(f"{what}: not reached in {timeout} s")
        time.sleep(0.02)


def kill_and_reap(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
