"""Publishing to a local folder: podpub against cp and rsync on the same media, in one run.

Makes a show of N episodes (~1 MB MP3 each, every file different), then times:
  1. podpub add of all files (probe + hash + episode files) vs raw mutagen.File on the same files;
  2. first `podpub publish` (build into public/ + copy to the target) vs `cp -r` of the media;
  3. unchanged `podpub publish` vs `rsync -a` of an unchanged tree (the cost of deciding "nothing to do").
Run: python bench/bench_publish.py [N]   (needs rsync for the last baseline; skipped if missing)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mutagen

from podpub.cli import main as podpub_main
from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "cbr_noxing.mp3"


def make_media(folder: Path, n: int) -> list[Path]:
    """N distinct ~1 MB MP3s: the frames of a real CBR file repeated, plus a unique ID3v1 tag."""
    frames = FIXTURE.read_bytes()
    body = frames * max(1, 1_000_000 // len(frames))
    folder.mkdir(parents=True)
    files = []
    for i in range(n):
        tag = b"TAG" + f"Episode {i}".encode().ljust(30, b"\0") + b"\0" * 95
        path = folder / f"episode-{i:04d}.mp3"
        path.write_bytes(body + tag)
        files.append(path)
    return files


def podpub(*args: str) -> None:
    try:
        podpub_main(["-q", *args])
    except SystemExit as exc:
        if exc.code:
            raise RuntimeError(f"podpub {' '.join(args)} exited {exc.code}") from None


def timed(label: str, fn) -> float:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:8.3f} s")
    return seconds


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = make_media(work / "incoming", n)
        total = sum(f.stat().st_size for f in files)
        show = work / "show"
        show.mkdir()
        (show / "podcast.toml").write_text(
            render_new_config(
                title="Bench",
                author="A",
                email="a@example.org",
                language="en",
                categories=[Category("Technology")],
                base_url="https://cdn.example.org/bench/",
            )
        )
        print(f"{n} episodes, {total / 1e6:.0f} MB of MP3")
        raw = timed("raw mutagen.File on every file", lambda: [mutagen.File(f) for f in files])
        add = timed(
            "podpub add (probe + sha256 + write + copy)", lambda: podpub("-C", str(show), "add", *map(str, files))
        )
        cp = timed(
            "cp -r media (baseline)",
            lambda: subprocess.run(["cp", "-r", str(work / "incoming"), str(work / "cp")], check=True),
        )
        first = timed(
            "podpub publish, first (build + copy)",
            lambda: podpub("-C", str(show), "publish", "--to", str(work / "www")),
        )
        again = timed(
            "podpub publish, unchanged", lambda: podpub("-C", str(show), "publish", "--to", str(work / "www"))
        )
        rsync = None
        if shutil.which("rsync"):
            subprocess.run(["rsync", "-a", f"{work / 'www'}/", str(work / "rs")], check=True)
            rsync = timed(
                "rsync -a, unchanged (baseline)",
                lambda: subprocess.run(["rsync", "-a", f"{work / 'www'}/", str(work / "rs")], check=True),
            )
        print("ratios:")
        print(
            f"  add / raw mutagen            {add / raw:6.1f}x  "
            f"({add / n * 1000:.2f} ms per episode, includes hashing and copying)"
        )
        print(
            f"  first publish / cp -r        {first / cp:6.1f}x  (publish copies twice: into public/ and to the target)"
        )
        if rsync:
            print(f"  unchanged publish / rsync -a {again / rsync:6.1f}x")


if __name__ == "__main__":
    main()
