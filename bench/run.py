"""Every performance target of issue 9 in one run, each against a baseline measured in the same run.

Run: python bench/run.py            full sizes (≈ 5–10 min on a 2-core machine)
     python bench/run.py --quick    tiny sizes, a smoke run (< 1 min): the code paths, not the figures
Options: --only 1,4,7 runs some targets; --keep keeps the generated data (else a temp dir removed at
the end); --profile also runs podpub's part of each target once more under cProfile and prints where
the time goes (those runs are not counted in the table).

The targets live in bench/targets/ (one module per group, reusing bench_probe, bench_feed, bench_s3
and showgen); each returns rows of the final table: target #, what, podpub's figure, the baseline's,
ratio, target, met. A target that cannot run here (SeaweedFS, rclone, aws-cli or ffprobe not
installed) says so in its row; an error in one target is printed in its row and the others still run
(exit status 1). Loopback only; every child process has a timeout.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench_* and targets/ first; the repo (tests.s3server, and podpub when it is not installed) last, so that a
# child started with PYTHONPATH (see freeze_code) imports the frozen copy of podpub, not the working tree.
sys.path.insert(0, str(BENCH))
sys.path.append(str(BENCH.parent))

from targets import feed, grow, scan, store, vbr  # noqa: E402
from targets.common import FULL, QUICK, Context, Row, Skip, error_row  # noqa: E402

from podpub import __version__  # noqa: E402

GROUPS = [scan.TARGETS, vbr.TARGETS, feed.TARGETS, store.TARGETS, grow.TARGETS]
COLUMNS = ("#", "what", "podpub", "baseline (same run)", "ratio", "target", "met")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, podpub {__version__}, {when}"
    )


def table(rows: list[Row]) -> str:
    cells = [COLUMNS] + [(r.number, r.what, r.podpub, r.baseline, r.ratio, r.target, r.verdict) for r in rows]
    lines = ["| " + " | ".join(c) + " |" for c in cells]
    lines.insert(1, "| " + " | ".join(["---"] * len(COLUMNS)) + " |")
    return "\n".join(lines)


def run_targets(ctx: Context, only: set[str] | None) -> list[Row]:
    rows: list[Row] = []
    for group in GROUPS:
        for number, what, fn in group:
            if only and number not in only:
                continue
            print(f"\n[{number}] {what}", flush=True)
            started = time.perf_counter()
            try:
                result = fn(ctx)
            except Skip as skip:
                result = Row(number, what, note=str(skip))
                print(f"  skipped: {skip}")
            except Exception as exc:  # one broken target must not hide the others' figures
                import traceback

                traceback.print_exc()
                result = error_row(number, what, exc)
            new = result if isinstance(result, list) else [result]
            rows += new
            print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return rows


def freeze_code(work: Path) -> None:
    """Child processes run a copy of podpub taken now (PYTHONPATH), the code this process imported.

    podpub's caches are keyed on its own code (every file's size and mtime, `canonical.code_version`),
    so an edit to the working tree between a target's setup and its measured command would make the
    command start cold. A producer's install does not change between two commands; a shared checkout
    being edited during a 5-minute run does. Each run therefore measures one version of podpub.
    """
    code = work / "podpub-code"
    shutil.copytree(BENCH.parent / "podpub", code / "podpub", ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:  # a measured child process (target 4): run.py --child feed MODE N CACHE
        feed.child(argv[2], int(argv[3]), Path(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of every target")
    parser.add_argument("--keep", action="store_true", help="keep the generated data (its folder is printed)")
    parser.add_argument("--only", help="comma-separated target numbers, e.g. 1,4,7")
    parser.add_argument("--profile", action="store_true", help="also profile podpub's part of each target")
    args = parser.parse_args(argv)
    only = {n.strip() for n in args.only.split(",")} if args.only else None
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="podpub-bench-"))
    freeze_code(work)
    ctx = Context(work=work, quick=args.quick, sizes=QUICK if args.quick else FULL, profile=args.profile)
    print(f"podpub benchmarks ({'quick: tiny sizes, figures not meaningful' if args.quick else 'full sizes'})")
    print(f"machine: {machine()}")
    print(f"data: {work}")
    try:
        rows = run_targets(ctx, only)
    finally:
        for cleanup in reversed(ctx.cleanups):
            try:
                cleanup()
            except Exception as exc:  # keep cleaning up
                print(f"  cleanup: {exc}")
        if args.keep:
            print(f"\nkept the generated data in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n## Results ({'quick' if args.quick else 'full'} run, {time.perf_counter() - started:.0f} s)\n")
    print(table(rows))
    notes = ctx.notes + [f"{r.number}: {r.note}" for r in rows if r.note]
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"- {note}")
    return 1 if any(r.verdict == "ERROR" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
