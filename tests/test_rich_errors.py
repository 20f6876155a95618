"""Bad inputs of the rich-episode features: one line naming the file and the fix, exit 2, nothing written.

`podpub add` checks chapters, transcripts, artwork and alternate encodings before it writes anything, so
the show folder must come out byte for byte as it went in. The Podcasting 2.0 keys of podcast.toml and
of the front matter are checked by `podpub build`, which must name the file and the line of the key and
leave the site as it was: not created when there was none, untouched when an earlier build made one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES, snapshot
from tests.rich_show import build_rich_show

BASE_URL = "https://podcast.example.org/riche/"


def assert_one_line_error(result: Result, *needles: str) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    lines = [line for line in result.err.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ----------------------------------------------------------------------------------------------------
# podpub add
# ----------------------------------------------------------------------------------------------------


@pytest.fixture
def images(tmp_path: Path) -> Path:
    """Pictures Apple refuses, made with Pillow: too small, and not square."""
    folder = tmp_path / "images"
    folder.mkdir()
    Image.new("RGB", (1000, 1000), (30, 90, 160)).save(folder / "small.jpg", "JPEG")
    Image.new("RGB", (1400, 1600), (30, 90, 160)).save(folder / "wide.png", "PNG")
    return folder


CHAPTERS = FIXTURES / "chapters"
TRANSCRIPTS = FIXTURES / "transcripts"
GOOD_VTT = str(TRANSCRIPTS / "good.vtt")
GOOD_OPUS = str(FIXTURES / "alternate.opus")


@pytest.mark.parametrize(
    ("audio", "options", "needles"),
    [
        pytest.param(
            "long.opus", ["--chapters", str(CHAPTERS / "out_of_order.txt")],
            ["out_of_order.txt:4:", 'chapter 3 "Questions" at 2:10 comes before "Interview" at 12:30',
             "fix the mistyped time or put the chapters in time order"],
            id="chapters-out-of-order",
        ),
        pytest.param(
            "long.opus", ["--chapters", str(CHAPTERS / "past_end.json")],
            ["past_end.json:6:", 'chapter 3 "Outro" at 1:40:00 starts past the end of the audio (1:01:59.771)',
             "fix the time or remove the chapter"],
            id="chapters-past-the-end",
        ),
        pytest.param(
            "long.opus", ["--chapters", str(CHAPTERS / "duplicate_start.txt")],
            ["duplicate_start.txt:3:", '"Questions" and "Interview" both start at 1:30',
             "give each chapter its own start time"],
            id="chapters-same-start",
        ),
        pytest.param(
            "long.opus", ["--chapters", str(CHAPTERS / "empty_title.json")],
            ["empty_title.json:5:", "chapter 2 at 1:00 has no title", 'add a "title"'],
            id="chapters-empty-title",
        ),
        pytest.param(
            "chapters.mp3", ["--transcript", GOOD_VTT, "--transcript", str(TRANSCRIPTS / "binary.pdf")],
            ["binary.pdf", "not a transcript (looks like a PDF document)", "export it as WebVTT (.vtt), SRT (.srt)"],
            id="transcript-unknown-format",
        ),
        pytest.param(
            "chapters.mp3", ["--transcript", GOOD_VTT, "--transcript", str(TRANSCRIPTS / "broken_timestamp.vtt")],
            ["broken_timestamp.vtt:6:", "bad cue timestamp '00:00:02,500'", "write it as HH:MM:SS.mmm"],
            id="transcript-broken-timestamp",
        ),
        pytest.param(
            "chapters.mp3", ["--image", str(FIXTURES / "notes.txt")],
            ["--image", "notes.txt", "not an image", "use a square JPEG or PNG, 1400 to 3000 px"],
            id="image-not-an-image",
        ),
        pytest.param(
            "chapters.mp3", ["--image", "{images}/small.jpg"],
            ["--image", "small.jpg", "1000x1000 px is too small", "export it at 1400x1400 or more"],
            id="image-too-small",
        ),
        pytest.param(
            "chapters.mp3", ["--image", "{images}/wide.png"],
            ["--image", "wide.png", "1400x1600 px is not square", "crop it to 1400x1400"],
            id="image-not-square",
        ),
        pytest.param(
            "chapters.mp3", ["--alternate", GOOD_OPUS, "--alternate", str(FIXTURES / "notes.txt")],
            ["notes.txt", "not an audio file", "give an MP3, M4A, Ogg, Opus or FLAC file"],
            id="alternate-not-audio",
        ),
        pytest.param(
            "chapters.mp3", ["--alternate", str(FIXTURES / "opus.opus")],
            ["--alternate opus.opus", "lasts 5.0 s but the episode 12.0 s", "must be the same recording (within 1 s)"],
            id="alternate-other-length",
        ),
    ],
)  # fmt: skip
def test_add_refuses_bad_episode_extras_and_writes_nothing(
    show_dir: Path,
    images: Path,
    capsys: pytest.CaptureFixture[str],
    audio: str,
    options: list[str],
    needles: list[str],
) -> None:
    before = snapshot(show_dir)
    args = [option.format(images=images) for option in options]
    result = run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / audio), *args)
    assert_one_line_error(result, *needles)
    assert snapshot(show_dir) == before


def test_the_same_options_with_good_files_add_the_episodes(
    show_dir: Path, images: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The counterpart of the refusals above: they come from the files, not from the options."""
    Image.new("RGB", (1400, 1400), (30, 90, 160)).save(images / "square.jpg", "JPEG")
    result = run_podpub(
        capsys, "-C", str(show_dir), "add", "--json", str(FIXTURES / "long.opus"),
        "--chapters", str(CHAPTERS / "good.json"), "--transcript", GOOD_VTT, "--image", str(images / "square.jpg"),
    )  # fmt: skip
    assert result.code == 0, result.err
    result = run_podpub(
        capsys, "-C", str(show_dir), "add", "--json", str(FIXTURES / "chapters.mp3"),
        "--alternate", str(FIXTURES / "alternate.opus"),
    )  # fmt: skip
    assert result.code == 0, result.err
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((show_dir / "episodes").iterdir()))
    for key in (
        'chapters = "chapters/good.json"',
        'file = "transcripts/good.vtt"',
        'image = "artwork/square.jpg"',
        'file = "media/alternate.opus"',
    ):
        assert key in text
    assert (show_dir / "transcripts" / "good.vtt").read_bytes() == (TRANSCRIPTS / "good.vtt").read_bytes()


# ----------------------------------------------------------------------------------------------------
# podpub build: podcast.toml and front matter
# ----------------------------------------------------------------------------------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line that contains needle."""
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) >= occurrence, (needle, text)
    return lines[occurrence - 1]


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (old, text)
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def full_episode(root: Path) -> Path:
    return next(p for p in (root / "episodes").iterdir() if "chapters.mp3" in p.read_text(encoding="utf-8"))


def show_person_without_name(root: Path) -> list[str]:
    text = edit(root / "podcast.toml", 'name = "Ana Author"\nrole = "host"', 'role = "host"')
    return [f"podcast.toml:{line_of(text, '[[persons]]')}:", "missing required key 'persons[1].name'", "add it"]


def episode_person_without_name(root: Path) -> list[str]:
    episode = full_episode(root)
    text = edit(episode, 'name = "Gaston Guest"\n', "")
    return [f"episodes/{episode.name}:{line_of(text, '[[persons]]')}:", "missing required key 'persons[1].name'"]


def show_unknown_license(root: Path) -> list[str]:
    text = edit(root / "podcast.toml", 'license = "CC-BY-4.0"', 'license = "Quartier-Libre-1.0"')
    return [
        f"podcast.toml:{line_of(text, 'license = ')}:",
        "'Quartier-Libre-1.0' is not a well-known license slug",
        "add license_url for a custom license",
    ]


def episode_unknown_license(root: Path) -> list[str]:
    episode = full_episode(root)
    text = edit(episode, 'type = "full"\n', 'type = "full"\nlicense = "Quartier-Libre-1.0"\n')
    return [f"episodes/{episode.name}:{line_of(text, 'license = ')}:", "add license_url for a custom license"]


def transcript_missing(root: Path) -> list[str]:
    episode = full_episode(root)
    (root / "transcripts" / "good.srt").unlink()
    text = episode.read_text(encoding="utf-8")
    return [
        f"episodes/{episode.name}:{line_of(text, 'file = ', occurrence=2)}:",
        "transcripts[2].file file 'transcripts/good.srt' not found",
        "fix the path or restore the file",
    ]


def embedded_image_without_cover(root: Path) -> list[str]:
    episode = next(p for p in (root / "episodes").iterdir() if "notags.mp3" in p.read_text(encoding="utf-8"))
    edit(episode, 'type = "full"\n', 'type = "full"\nimage = "embedded"\n')
    # podpub names the file but gives no line for this one (it is found while the site is built)
    return [episode.name, 'image = "embedded" but notags.mp3 has no cover art', "set image to a file"]


BREAKS: dict[str, Callable[[Path], list[str]]] = {
    "show-person-without-name": show_person_without_name,
    "episode-person-without-name": episode_person_without_name,
    "show-unknown-license": show_unknown_license,
    "episode-unknown-license": episode_unknown_license,
    "transcript-file-missing": transcript_missing,
    "embedded-image-without-cover": embedded_image_without_cover,
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_build_refuses_bad_rich_keys_and_leaves_the_site_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    show = build_rich_show(tmp_path / "show", BASE_URL, capsys)
    root = show.root
    result = run_podpub(capsys, "-C", str(root), "add", "--date", "2026-03-05T09:00:00Z", str(FIXTURES / "notags.mp3"))
    assert result.code == 0, result.err
    result = run_podpub(capsys, "-C", str(root), "build")
    assert result.code == 0, result.err
    site = snapshot(root / "public")
    assert "feed.xml" in site

    needles = BREAKS[name](root)
    before = snapshot(root)
    assert_one_line_error(run_podpub(capsys, "-C", str(root), "build"), *needles)
    assert snapshot(root / "public") == site  # the last good build stays
    assert snapshot(root) == before

    shutil.rmtree(root / "public")
    before = snapshot(root)
    assert_one_line_error(run_podpub(capsys, "-C", str(root), "build"), *needles)
    assert not (root / "public").exists()
    assert snapshot(root) == before
