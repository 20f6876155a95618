"""`podpub add` writes the episode files a producer expects, and the media cache saves re-reading audio."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from podpub.episodes.cache import MediaCache
from podpub.episodes.frontmatter import split
from podpub.pipeline import build, open_show
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES


def front(path: Path) -> dict:
    return tomllib.loads(split(path.read_text(), path.name).front_matter)


def test_add_copies_outside_audio_into_media_and_writes_front_matter(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Des **notes** & des liens.\n", encoding="utf-8")
    result = run_podpub(
        capsys,
        "-C",
        str(show_dir),
        "add",
        str(FIXTURES / "chapters.mp3"),
        "--title",
        "Épisode un : l'école",
        "--date",
        "2026-03-04T05:06:07+02:00",
        "--season",
        "2",
        "--number",
        "7",
        "--type",
        "bonus",
        "--explicit",
        "--notes",
        str(notes),
    )
    assert result.code == 0, result.err
    assert "Added episodes/0001-episode-un-l-ecole.md" in result.out
    assert "3 chapters" in result.out and "cover art" in result.out
    episode_file = show_dir / "episodes" / "0001-episode-un-l-ecole.md"
    data = front(episode_file)
    assert data["title"] == "Épisode un : l'école"
    assert data["date"].isoformat() == "2026-03-04T05:06:07+02:00"
    assert (data["season"], data["number"], data["type"], data["explicit"]) == (2, 7, "bonus", True)
    assert data["audio"].startswith("media/") and data["audio"].endswith(".mp3")
    assert (show_dir / data["audio"]).read_bytes() == (FIXTURES / "chapters.mp3").read_bytes()
    assert "draft" not in data
    assert episode_file.read_text().endswith("Des **notes** & des liens.\n")
    # the next episode gets the next number, the tag title, and the same audio is not copied twice
    again = json.loads(run_podpub(capsys, "-C", str(show_dir), "add", "--json", str(FIXTURES / "chapters.mp3")).out)
    assert Path(again[0]["file"]).name.startswith("0002-")
    assert front(Path(again[0]["file"]))["audio"] == data["audio"]
    assert again[0]["guid"] != data["guid"]


def test_title_falls_back_to_the_file_name_and_audio_inside_the_show_stays(
    show_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = show_dir / "media" / "mon_episode-03.mp3"
    inside.write_bytes((FIXTURES / "notags.mp3").read_bytes())
    (added,) = json.loads(run_podpub(capsys, "-C", str(show_dir), "add", "--json", str(inside)).out)
    assert added["title"] == "mon episode 03"
    assert front(Path(added["file"]))["audio"] == "media/mon_episode-03.mp3"
    assert sorted(p.name for p in (show_dir / "media").iterdir()) == ["mon_episode-03.mp3"]


def test_date_without_offset_is_local_time(show_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (added,) = json.loads(
        run_podpub(capsys, "-C", str(show_dir), "add", "--json", "--date", "2026-05-01", str(FIXTURES / "cbr.mp3")).out
    )
    date = front(Path(added["file"]))["date"]
    assert date.utcoffset() == datetime(2026, 5, 1).astimezone().utcoffset()
    assert (date.year, date.month, date.day, date.hour) == (2026, 5, 1, 0)


def test_title_option_needs_a_single_file(show_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_podpub(
        capsys, "-C", str(show_dir), "add", "--title", "X", str(FIXTURES / "cbr.mp3"), str(FIXTURES / "flac.flac")
    )
    assert result.code == 2 and "--title applies to one episode" in result.err
    assert list((show_dir / "episodes").iterdir()) == []


def test_rebuild_reads_no_unchanged_audio_and_rereads_changed_audio(
    show_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "cbr.mp3")).code == 0
    assert run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "vorbis.ogg")).code == 0
    ws = open_show(show_dir)
    build(ws)
    assert ws.cache.probed == []  # add already recorded both files
    media = next((show_dir / "media").glob("*.ogg"))
    media.write_bytes((FIXTURES / "opus.opus").read_bytes())  # replaced audio, same name
    ws = open_show(show_dir)
    result = build(ws)
    assert ws.cache.probed == [media]
    (ogg,) = [e for e in result.site.episodes if e.audio == media]
    assert ogg.media is not None and ogg.media.format == "OggOpus"
    cached = json.loads((show_dir / ".podpub" / "media-cache.json").read_text())
    assert cached["files"]["media/" + media.name]["info"]["format"] == "OggOpus"
    assert MediaCache(show_dir).facts(media).info.format == "OggOpus"


def test_init_on_a_terminal_asks_for_what_is_missing(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "podpub", "init", str(tmp_path / "s"), "--title", "Asked"],
        stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    os.close(secondary)
    answers = "Ana\nana@example.org\nfr\nhttps://x.example.org/s/\nHistory\n"
    os.write(primary, answers.encode())
    _out, err = proc.communicate(timeout=30)
    os.close(primary)
    assert proc.returncode == 0, err.decode()
    text = (tmp_path / "s" / "podcast.toml").read_text()
    for expected in ('title = "Asked"', 'author = "Ana"', 'email = "ana@example.org"', 'categories = ["History"]'):
        assert expected in text
