"""Every bad input: a one-line error naming the file or field, exit 2, no traceback, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES, snapshot


def assert_clean_error(result: Result, *needles: str, code: int = 2) -> None:
    assert result.code == code, (result.code, result.out, result.err)
    lines = [line for line in result.err.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [
        ("empty.mp3", "empty"),
        ("text.mp3", "text"),
        ("image.mp3", "JPEG"),
        ("truncated.m4a", "truncated"),
        ("truncated.mp3", "truncated"),
        ("random.m4a", "random.m4a"),
        ("adts.aac", "AAC"),
        ("notes.txt", "notes.txt"),
        ("missing.mp3", "not found"),
    ],
)
def test_bad_audio_is_refused_and_nothing_is_written(
    show_dir: Path, capsys: pytest.CaptureFixture[str], fixture: str, needle: str
) -> None:
    before = snapshot(show_dir)
    result = run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "cbr.mp3"), str(FIXTURES / fixture))
    assert_clean_error(result, fixture, needle)
    assert snapshot(show_dir) == before  # the good file given first was not added either


def test_wav_is_refused_as_an_episode(show_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(show_dir)
    assert_clean_error(run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "wave.wav")), "wave.wav", "MP3")
    assert snapshot(show_dir) == before


@pytest.mark.parametrize("date", ["yesterday", "2026-13-01", "01/02/2026"])
def test_invalid_date_option(show_dir: Path, capsys: pytest.CaptureFixture[str], date: str) -> None:
    before = snapshot(show_dir)
    result = run_podpub(capsys, "-C", str(show_dir), "add", "--date", date, str(FIXTURES / "cbr.mp3"))
    assert_clean_error(result, "--date", date)
    assert snapshot(show_dir) == before


def init_args(root: Path, category: str = "History") -> list[str]:
    return [
        "init", str(root), "--title", "T", "--author", "A", "--email", "a@example.org", "--language", "fr",
        "--category", category, "--base-url", "https://x.example.org/",
    ]  # fmt: skip


def test_unknown_category_at_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_podpub(capsys, *init_args(tmp_path / "s", "Documentaries"))
    assert_clean_error(result, "--category", "Documentaries")
    assert not (tmp_path / "s").exists()


def test_init_without_required_values_and_no_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_podpub(capsys, "init", str(tmp_path / "s"), "--title", "T")
    assert_clean_error(result, "--author", "--email", "--language", "--base-url")
    assert not (tmp_path / "s").exists()


def test_init_refuses_to_overwrite(show_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(show_dir)
    result = run_podpub(capsys, *init_args(show_dir))
    assert_clean_error(result, "already exists")
    assert snapshot(show_dir) == before


def _episode(show_dir: Path, name: str, front: str) -> None:
    (show_dir / "media" / "a.mp3").write_bytes((FIXTURES / "cbr.mp3").read_bytes())
    (show_dir / "episodes" / name).write_text(f"+++\n{front}+++\nNotes\n", encoding="utf-8")


GOOD = 'guid = "{guid}"\ntitle = "T"\ndate = 2026-01-01T00:00:00Z\naudio = "{audio}"\n'


@pytest.mark.parametrize(
    ("setup", "needles"),
    [
        (
            lambda d: (d / "podcast.toml").write_text((d / "podcast.toml").read_text().replace("title =", "title == ")),
            ["podcast.toml:2:", "invalid TOML"],
        ),
        (
            lambda d: (d / "podcast.toml").write_text((d / "podcast.toml").read_text() + "\nsubtitle = 'x'\n"),
            ["podcast.toml:", "subtitle is not a known key"],
        ),
        (
            lambda d: _episode(d, "0001-a.md", GOOD.format(guid="x", audio="media/a.mp3") + "titel = 'y'\n"),
            ["episodes/0001-a.md:6:", "titel"],
        ),
        (
            lambda d: _episode(d, "0001-a.md", GOOD.format(guid="x", audio="../../etc/passwd")),
            ["episodes/0001-a.md:5:", "outside the show folder"],
        ),
        (
            lambda d: (
                _episode(d, "0001-a.md", GOOD.format(guid="same", audio="media/a.mp3")),
                _episode(d, "0002-b.md", GOOD.format(guid="same", audio="media/a.mp3")),
            ),
            ["episodes/0002-b.md", "'same'", "0001-a.md"],
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "publish", "list"])
def test_bad_show_files_stop_every_command(
    show_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup,
    needles: list[str],
    command: str,
) -> None:
    setup(show_dir)
    before = snapshot(show_dir)
    args = [command] + (["--to", str(tmp_path / "www")] if command == "publish" else [])
    assert_clean_error(run_podpub(capsys, "-C", str(show_dir), *args), *needles)
    assert snapshot(show_dir) == before
    assert not (tmp_path / "www").exists()


def test_failed_publish_leaves_the_previous_feed_live(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "www"
    assert run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "cbr.mp3")).code == 0
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target)).code == 0
    feed = (target / "feed.xml").read_bytes()
    manifest = (target / ".podpub" / "manifest.json").read_bytes()
    assert run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "vorbis.ogg")).code == 0
    plan = json.loads(
        run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target), "--dry-run", "--json").out
    )
    new_media = next(k for k in plan["upload"] if k.endswith(".ogg"))
    (target / new_media).mkdir()  # something in the way: the new audio cannot be written
    result = run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target))
    assert_clean_error(result, "cannot write", code=1)
    assert (target / "feed.xml").read_bytes() == feed
    assert (target / ".podpub" / "manifest.json").read_bytes() == manifest


def test_unknown_target_scheme(show_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_clean_error(run_podpub(capsys, "-C", str(show_dir), "publish", "--to", "ftp://host/x"), "ftp")


def test_no_show_here(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_clean_error(run_podpub(capsys, "-C", str(tmp_path), "list"), "podcast.toml", "podpub init")
