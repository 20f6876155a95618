"""Probing: podpub's probe() against bare mutagen.File on each fixture format, in one run.

probe() does more than mutagen (frame walk for MP3 without a Xing header, truncation checks,
chapters, cover detection, our own MIME map); this prints what that costs per file.
Run: python bench/bench_probe.py [repetitions]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import mutagen

from podpub.episodes.probe import probe

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
FILES = [
    "cbr.mp3",
    "vbr_xing.mp3",
    "vbr_noxing.mp3",
    "chapters.mp3",
    "chapters.m4a",
    "video.mp4",
    "vorbis.ogg",
    "opus.opus",
    "flac.flac",
    "long.opus",
]


def make_long_vbr(path: Path, copies: int = 369) -> Path:
    """A VBR MP3 without Xing header: the frames of the 10 s fixture repeated (369 copies: 1 h 1 min 41 s)."""
    source = FIXTURES / "vbr_noxing.mp3"
    frames = source.read_bytes()[mutagen.File(source).info.frame_offset :]
    path.write_bytes(frames * copies)
    return path


def per_call(fn, path: Path, reps: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(reps):
            fn(path)
        best = min(best, (time.perf_counter() - started) / reps)
    return best


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(f"{'file':<18} {'size':>9} {'mutagen':>10} {'podpub':>10} {'ratio':>7}   (best of 3 x {reps}, per file)")
    tmp = Path(tempfile.mkdtemp())
    long_mp3 = make_long_vbr(tmp / "1h_vbr_noxing.mp3")  # podpub walks every frame of it
    for path in [*(FIXTURES / name for name in FILES), long_mp3]:
        name = path.name
        raw = per_call(mutagen.File, path, reps)
        ours = per_call(probe, path, reps)
        print(f"{name:<18} {path.stat().st_size:>9} {raw * 1000:>8.3f}ms {ours * 1000:>8.3f}ms {ours / raw:>6.1f}x")
    info = probe(long_mp3)
    print(
        f"1 h file: podpub {info.duration:.2f} s (exact), mutagen's estimate {mutagen.File(long_mp3).info.length:.2f} s"
    )
    long_mp3.unlink()


if __name__ == "__main__":
    main()
