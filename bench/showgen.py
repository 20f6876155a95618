"""Synthetic shows for the benchmarks: real MP3 frames, real ID3 tags and cover art, N episodes.

Real encoded audio (frames of a committed fixture, repeated), never zero bytes, so every reader
does the work it does on a producer's files: ID3 parsing with an APIC cover, Xing or frame walk.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mutagen.id3 import APIC, COMM, ID3, TALB, TDRC, TIT2, TPE1
from PIL import Image

from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def cover_jpeg(size: int = 300) -> bytes:
    image = Image.new("RGB", (size, size), (30, 90, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def mp3_body(seconds: float = 60.0, *, xing: bool = True) -> bytes:
    """Real MP3 audio of about `seconds`.

    With `xing` (what LAME and every encoder write): the committed 5 s CBR fixture with its LAME Info
    header, as is (the header's frame count must match the file, so it is not repeated). Without: the
    frames of the header-less fixture repeated, which podpub must walk to know the exact duration.
    """
    if xing:
        return (FIXTURES / "cbr.mp3").read_bytes()
    data = (FIXTURES / "cbr_noxing.mp3").read_bytes()
    return data * max(1, int(seconds / 5.0))


def write_tagged_mp3(path: Path, body: bytes, index: int, cover: bytes) -> None:
    path.write_bytes(body + index.to_bytes(4, "big") * 0)  # body identical; tags make files distinct
    tags = ID3()
    tags.add(TIT2(encoding=3, text=f"Épisode {index}"))
    tags.add(TPE1(encoding=3, text="Bench"))
    tags.add(TALB(encoding=3, text="Bench show"))
    tags.add(TDRC(encoding=3, text="2026"))
    tags.add(COMM(encoding=3, lang="fra", desc="", text=f"Notes de l'épisode {index}"))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=cover))
    tags.save(path)


def make_show(
    root: Path, episodes: int, seconds: float = 60.0, notes: str | None = None, *, xing: bool = True
) -> list[Path]:
    """A show folder with `episodes` tagged MP3s and their episode files; returns the audio paths."""
    (root / "episodes").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "podcast.toml").write_text(
        render_new_config(
            title="Bench", author="A", email="a@example.org", language="fr", categories=[Category("Technology")],
            base_url="https://cdn.example.org/bench/",
        ),
        encoding="utf-8",
    )  # fmt: skip
    body, cover = mp3_body(seconds, xing=xing), cover_jpeg()
    start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=episodes)  # daily, all in the past: all published
    paths = []
    text = notes or "Dans cet épisode : **le jardin**, la fête & [le site](https://example.org/).\n\n- un\n- deux\n"
    for i in range(episodes):
        audio = root / "media" / f"ep{i:05d}.mp3"
        write_tagged_mp3(audio, body, i, cover)
        date = (start + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        (root / "episodes" / f"{i + 1:05d}-ep{i:05d}.md").write_text(
            f'+++\nguid = "bench-{i:05d}"\ntitle = "Épisode {i}"\ndate = {date}\naudio = "media/ep{i:05d}.mp3"\n'
            f"+++\n\n{text}",
            encoding="utf-8",
        )
        paths.append(audio)
    return paths
