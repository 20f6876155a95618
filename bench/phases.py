"""Where a podpub command's time goes, phase by phase, without a profiler's overhead.

Runs one podpub CLI command in this process with a wall-clock timer around each step of the pipeline
(loading the show, probing, the website, the feed, validation, planning, transfers) and prints the
split. Nested phases are indented; their time is included in the phase above them. Imports done
inside a phase (boto3 when an S3 target is opened, jinja2 for the website) count in that phase.
Run: python bench/phases.py [--repeat N] -- -C SHOW publish --to FOLDER   (any podpub arguments)
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

# (module, attribute, depth): each is looked up at call time by the code that uses it, so wrapping the
# module attribute times every call.
PHASES = [
    ("podpub.pipeline", "open_show", 0),
    ("podpub.pipeline", "load_show_in", 1),
    ("podpub.pipeline", "load_episodes", 1),
    ("podpub.pipeline", "MediaCache", 1),
    ("podpub.episodes.add", "add_episodes", 0),
    ("podpub.storage.targets", "open_target", 0),
    ("podpub.pipeline", "build", 0),
    ("podpub.pipeline", "assemble", 1),
    ("podpub.feeds.site", "with_media", 2),
    ("podpub.feeds.site", "episode_item", 2),
    ("podpub.feeds.site", "render_website", 2),
    ("podpub.feeds.site", "render_feed", 2),
    ("podpub.storage.sync", "make_plan", 1),
    ("podpub.storage.sync", "execute", 1),
    ("podpub.pipeline", "gate_publish", 0),
    ("podpub.pipeline", "publish_plan", 0),
]


def install(totals: Counter[str], calls: Counter[str]) -> None:
    for module_name, attr, depth in PHASES:
        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        label = "  " * depth + f"{module_name.rsplit('.', 1)[-1]}.{attr}"
        setattr(module, attr, timer(original, label, totals, calls))


def timer(fn: Callable[..., Any], label: str, totals: Counter[str], calls: Counter[str]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - started
            calls[label] += 1

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="run the command N times; print each split")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="podpub's arguments, after --")
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    started = time.perf_counter()
    bare = subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)
    interpreter = time.perf_counter() - started
    del bare
    started = time.perf_counter()
    from podpub.cli import main as podpub_main

    imports = time.perf_counter() - started
    totals: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    install(totals, calls)
    print(f"interpreter start (python -c pass, a child): {interpreter:.3f} s; import podpub.cli: {imports:.3f} s")
    for _ in range(options.repeat):
        totals.clear()
        calls.clear()
        started = time.perf_counter()
        try:
            podpub_main(list(args))
        except SystemExit as exc:
            if exc.code:
                raise
        total = time.perf_counter() - started
        print(f"podpub {' '.join(args)}: {total:.3f} s in process (after imports)")
        order = [("  " * d + f"{m.rsplit('.', 1)[-1]}.{a}") for m, a, d in PHASES]
        for label in order:
            if calls[label]:
                share = totals[label] / total * 100
                print(f"  {label:<34} {totals[label]:7.3f} s  {share:4.0f}%  ({calls[label]} call(s))")


if __name__ == "__main__":
    main()
