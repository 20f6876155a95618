"""Targets 1 and 2: the first scan of a 1,000-episode show, and its rebuild when nothing changed.

1. `MediaCache(root).facts(path)` over every episode's audio (probe + sha256 + the cache written), a
   fresh cache each time, against a bare loop of `mutagen.File()` over the same files; best of 3 each,
   the two alternating so that both see the same page cache and machine noise.
2. `pipeline.build(open_show(root))` a second time (nothing changed) against the first build of
   the same show (empty media cache, empty notes cache, no public/): what `build` does, the static
   website included.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mutagen
from showgen import make_show

from podpub import pipeline
from podpub.episodes.cache import CACHE_PATH, MediaCache
from targets.common import Context, Row, secs, timed, times


def shared_show(ctx: Context) -> tuple[Path, list[Path]]:
    """The show of targets 1, 2 and 7 (tagged MP3s with cover art, LAME Info header), made once per run."""
    if "show" not in ctx.shared:
        root = ctx.work / "show-scan"
        seconds, paths = timed(lambda: make_show(root, ctx.sizes.scan_episodes, xing=True))
        size = sum(p.stat().st_size for p in paths)
        ctx.log(f"made a {len(paths)}-episode show in {seconds:.1f} s ({size / 1e6:.0f} MB)")
        ctx.shared["show"] = (root, paths)
    return ctx.shared["show"]


def first_scan(root: Path, paths: list[Path]) -> None:
    cache = MediaCache(root)
    for path in paths:
        cache.facts(path)
    cache.save()


def target_1(ctx: Context) -> Row:
    root, paths = shared_show(ctx)
    n = len(paths)
    what = f"first scan of {n} MP3s (tags + cover): MediaCache.facts"
    for path in paths:  # warm the page cache: both loops then read from memory
        path.read_bytes()

    def fresh_cache() -> None:
        (root / CACHE_PATH).unlink(missing_ok=True)

    raw = ours = float("inf")
    for _ in range(ctx.sizes.repeats):  # alternate, best of N each
        raw = min(raw, timed(lambda: [mutagen.File(p) for p in paths])[0])
        fresh_cache()
        ours = min(ours, timed(lambda: first_scan(root, paths))[0])
    fresh_cache()
    if ctx.profile:
        ctx.profiled("target1-first-scan", lambda: first_scan(root, paths))
        fresh_cache()
    ctx.log(f"1: mutagen.File loop {secs(raw)}, podpub first scan {secs(ours)} ({ours / n * 1000:.2f} ms per file)")
    return Row(
        "1",
        what,
        podpub=secs(ours),
        baseline=f"{secs(raw)} (mutagen.File loop)",
        ratio=times(ours / raw),
        target="≤ 1.3×",
        met=ours / raw <= 1.3,
    )


def target_2(ctx: Context) -> Row:
    root, paths = shared_show(ctx)
    n = len(paths)
    for leftover in (root / ".podpub", root / "public"):  # a first build: nothing cached, nothing built
        shutil.rmtree(leftover, ignore_errors=True)
    first, result = timed(lambda: pipeline.build(pipeline.open_show(root)))
    files = len(result.site.files)
    rebuilds = []
    for i in range(ctx.sizes.repeats):
        seconds, again = timed(lambda: pipeline.build(pipeline.open_show(root)))
        rebuilds.append(seconds)
        if again.report.uploaded:
            ctx.note(f"2: rebuild {i + 1} rewrote {len(again.report.uploaded)} file(s) though nothing changed")
    rebuild = min(rebuilds)
    if ctx.profile:
        ctx.profiled("target2-rebuild", lambda: pipeline.build(pipeline.open_show(root)))
    ctx.log(f"2: first build {secs(first)} ({files} files), rebuild best of {len(rebuilds)} {secs(rebuild)}")
    speedup = first / rebuild
    return Row(
        "2",
        f"rebuild of that show ({n} episodes, {files} files), nothing changed",
        podpub=secs(rebuild),
        baseline=f"{secs(first)} (first build)",
        ratio=f"{times(speedup)} faster",
        target="≥ 20× faster, ≤ 1 s",
        met=speedup >= 20 and rebuild <= 1.0,
    )


TARGETS = [
    ("1", "first scan of a 1,000-episode show", target_1),
    ("2", "rebuild of that show, nothing changed", target_2),
]
