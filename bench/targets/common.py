"""What every target shares: the run's context, result rows, timing, bounded child processes with their peak RSS.

Figures are always measured against a baseline in the same run on the same machine; a row says what
was measured, the target, and whether it was met. In --quick mode the sizes are tiny, so "met" only
says the code ran end to end (the targets are stated for the full sizes).
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
T = TypeVar("T")

CHILD_TIMEOUT = 600.0  # seconds; no single step of the full run comes near it


@dataclass
class Sizes:
    """The sizes of one run: the issue's for the full run, tiny ones for --quick."""

    scan_episodes: int  # targets 1, 2 (and 7 reuses the same show)
    vbr_copies: int  # target 3: copies of the 10 s fixture's frames (369 = 1 h 1 min 41 s)
    feed_items: int  # target 4
    s3_files: int  # target 5: files of ~1 MB
    big_file_mb: int  # target 6
    add_show: int  # target 8: episodes already in the show
    add_seconds: float  # target 8: length of the new episode's audio
    repeats: int  # best of N (or median of N) where a step is repeated


FULL = Sizes(1000, 369, 10_000, 200, 500, 10_000, 1800.0, 3)
QUICK = Sizes(20, 18, 200, 10, 20, 50, 60.0, 1)


@dataclass
class Row:
    """One line of the results table."""

    number: str
    what: str
    podpub: str = "-"
    baseline: str = "-"
    ratio: str = "-"
    target: str = "-"
    met: bool | None = None  # None: not judged (skipped, or no baseline)
    note: str = ""  # why skipped, or what an error was

    @property
    def verdict(self) -> str:
        if self.note.startswith("error"):
            return "ERROR"
        if self.met is None:
            return "skipped" if self.note else "n/a"
        return "yes" if self.met else "no"


@dataclass
class Context:
    """The run's options, its temp dir, and what targets share (the 1,000-episode show of targets 1, 2 and 7)."""

    work: Path
    quick: bool
    sizes: Sizes
    profile: bool = False
    run_script: Path = BENCH / "run.py"  # children re-enter it: `run.py --child ...`
    shared: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed under the table
    cleanups: list[Callable[[], object]] = field(default_factory=list)  # run last to first at the end

    def log(self, message: str) -> None:
        print(f"  {message}", flush=True)

    def note(self, message: str) -> None:
        self.notes.append(message)
        self.log(message)

    def dir(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # --- profiling (--profile): where podpub's time goes, for the targets it misses ---------------

    def profiled(self, label: str, fn: Callable[[], T]) -> T:
        """Run fn, under cProfile when --profile is on (its time then is inflated: not used for the table)."""
        if not self.profile:
            return fn()
        profiler = cProfile.Profile()
        result = profiler.runcall(fn)
        out = self.dir("profiles") / f"{label}.prof"
        profiler.dump_stats(out)
        print_profile(out, label)
        return result

    def podpub_cmd(self, label: str) -> list[str]:
        """The command that runs the podpub CLI in a child process (under cProfile with --profile)."""
        if not self.profile:
            return [sys.executable, "-m", "podpub"]
        out = self.dir("profiles") / f"{label}.prof"
        self.shared.setdefault("profiles", []).append((out, label))
        return [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "podpub"]

    def print_child_profiles(self) -> None:
        for out, label in self.shared.pop("profiles", []):
            if out.exists():
                print_profile(out, label)


class Skip(Exception):
    """A target that cannot run here (a tool not installed); the row says why."""


def print_profile(path: Path, label: str, limit: int = 25) -> None:
    print(f"\n--- profile: {label} ({path}) ---", flush=True)
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)


# --- timing ------------------------------------------------------------------------------------------


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


@dataclass
class Child:
    """A finished child process: wall seconds, its peak RSS (bytes, from wait4), exit code, output."""

    seconds: float
    maxrss: int
    returncode: int
    stdout: str
    stderr: str


# Runs the measured command as its own child and reports that child's wall time and ru_maxrss. Why a
# launcher: Linux carries a process's peak RSS across exec (the RSS of the image it replaced counts), so
# a command started straight from this harness (tens or hundreds of MB) would inherit the harness's
# peak; forked from this small interpreter (-S: no site, ~10 MB) it starts from the launcher's size.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_child(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = CHILD_TIMEOUT,
    check: bool = True,
) -> Child:
    """Run cmd to completion within `timeout`; its wall seconds and its own peak RSS (os.wait4 of that process).

    Output goes to files, not pipes, so a chatty child can never block on a full pipe. On timeout the
    whole process group (launcher and command) is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "usage"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), *cmd]
        proc = subprocess.Popen(
            launcher, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )
        try:
            returncode = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            raise RuntimeError(f"{' '.join(cmd[:6])} ...: no result after {timeout:.0f} s (killed)") from None
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        if not report.exists():
            raise RuntimeError(f"{' '.join(cmd[:6])} ...: the launcher failed ({returncode}):\n{stderr[-2000:]}")
        seconds, maxrss = report.read_text().split()
    child = Child(float(seconds), int(maxrss) * 1024, returncode, stdout, stderr)  # Linux: ru_maxrss in KiB
    if check and child.returncode != 0:
        tail = (child.stderr or child.stdout)[-2000:]
        raise RuntimeError(f"{' '.join(cmd[:6])} ... exited {child.returncode}:\n{tail}")
    return child


# --- formatting --------------------------------------------------------------------------------------


def secs(value: float) -> str:
    if value < 0.1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def error_row(number: str, what: str, exc: BaseException) -> Row:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Row(number, what, note=f"error: {type(exc).__name__}: {first}"[:300])
