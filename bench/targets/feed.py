"""Target 4: render feed.xml for 10,000 episodes, podpub against raw feedgen, and podpub's peak RSS.

The items are bench_feed.make's (every episode with its own Markdown notes); the baseline is
bench_feed.raw_feedgen, which emits the same items with feedgen alone, Markdown → HTML included.
Four renders, each in its own child process (`run.py --child feed MODE N CACHE`) so that the peak RSS
of one render is that process's own (os.wait4), input items included:
  raw        raw feedgen, notes rendered from Markdown (the floor for a first render);
  raw-html   raw feedgen given the notes already rendered (the floor for a render with a warm cache);
  cold       podpub's render_feed inside notes.cached(CACHE) with an empty cache (a first build);
  warm       the same with the cache the cold render left (every later build).
Times are those of the render alone (taken in the child), best of N; RSS is the largest of the runs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from targets.common import Context, Row, mb, run_child, secs, times

MODES = ("raw", "raw-html", "cold", "warm")


def child(mode: str, n: int, cache: Path) -> None:
    """In the child: make the items, render once, print seconds and bytes as JSON."""
    from bench_feed import make, raw_feedgen, rendered_notes

    from podpub.feeds import notes
    from podpub.feeds.render import render_feed

    show, items = make(n)
    if mode == "raw":
        started = time.perf_counter()
        xml = raw_feedgen(show, items)
    elif mode == "raw-html":
        rendered = rendered_notes(show, items)
        started = time.perf_counter()
        xml = raw_feedgen(show, items, rendered)
    elif mode in ("cold", "warm"):
        if mode == "cold":
            cache.unlink(missing_ok=True)
        started = time.perf_counter()
        with notes.cached(cache):  # loading and saving the cache file are part of the render
            xml = render_feed(show, items, image_url=None)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": len(xml)}))


LABELS = {
    "raw": "raw feedgen (Markdown → HTML)",
    "raw-html": "raw feedgen (HTML given)",
    "cold": "podpub, empty notes cache",
    "warm": "podpub, notes cache filled",
}


def renders(ctx: Context, cache: Path) -> dict[str, tuple[float, int, int]]:
    """Per mode: best seconds, largest peak RSS, the feed's size; the modes alternate within each round."""
    found = {mode: (float("inf"), 0, 0) for mode in MODES}
    for _ in range(ctx.sizes.repeats):  # each round: a cold run empties the cache, the warm run after it uses it
        for mode in MODES:
            cmd = [sys.executable, str(ctx.run_script), "--child", "feed", mode, str(ctx.sizes.feed_items), str(cache)]
            done = run_child(cmd, cwd=ctx.work)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            best, rss, _ = found[mode]
            found[mode] = (min(best, result["seconds"]), max(rss, done.maxrss), result["bytes"])
    for mode in MODES:
        best, rss, size = found[mode]
        ctx.log(f"4: {LABELS[mode]:<34} {secs(best):>9}  peak RSS {mb(rss):>7}  {size / 1e6:.1f} MB of XML")
    if ctx.profile:  # one more cold and warm run under cProfile, not counted
        for mode in ("cold", "warm"):
            out = ctx.dir("profiles") / f"target4-{mode}.prof"
            ctx.shared.setdefault("profiles", []).append((out, f"target4-{mode}"))
            cmd = [sys.executable, "-m", "cProfile", "-o", str(out), str(ctx.run_script), "--child", "feed", mode]
            run_child([*cmd, str(ctx.sizes.feed_items), str(cache)], cwd=ctx.work)
        ctx.print_child_profiles()
    return found


def target_4(ctx: Context) -> list[Row]:
    n = ctx.sizes.feed_items
    cache = ctx.dir("feed") / "notes.json"
    found = renders(ctx, cache)
    (raw, raw_rss, raw_size), (raw_html, _, _) = found["raw"], found["raw-html"]
    (cold, cold_rss, size), (warm, warm_rss, _) = found["cold"], found["warm"]
    rss = max(cold_rss, warm_rss)
    ctx.log(f"4: feed {size / 1e6:.1f} MB (podpub) vs {raw_size / 1e6:.1f} MB (raw)")
    return [
        Row(
            "4",
            f"render feed.xml, {n:,} episodes, empty notes cache",
            podpub=secs(cold),
            baseline=f"{secs(raw)} (raw feedgen + Markdown)",
            ratio=times(cold / raw),
            target="≤ 1.5×",
            met=cold / raw <= 1.5,
        ),
        Row(
            "4",
            f"render feed.xml, {n:,} episodes, notes cache filled",
            podpub=secs(warm),
            baseline=f"{secs(raw_html)} (raw feedgen, HTML given)",
            ratio=times(warm / raw_html),
            target="≤ 1.5×",
            met=warm / raw_html <= 1.5,
        ),
        Row(
            "4",
            f"peak RSS of that render ({n:,} episodes, input included)",
            podpub=mb(rss),
            baseline=f"{mb(raw_rss)} (raw feedgen)",
            ratio=times(rss / raw_rss),
            target="≤ 300 MB",
            met=rss <= 300e6,
        ),
    ]


TARGETS = [("4", "render feed.xml for 10,000 episodes", target_4)]
