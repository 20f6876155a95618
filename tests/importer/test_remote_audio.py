"""`audio_url`: episodes whose audio stays on another host — linked as the enclosure, never uploaded or pruned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from podpub.episodes.files import load_episodes
from podpub.errors import ConfigError
from podpub.podcasts.config import load_show
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, snapshot

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
REMOTE = "https://old-host.example/media/ep1.mp3?dest-id=7"


def write_episode(show: Path, name: str, front: str, body: str = "Notes.") -> Path:
    path = show / "episodes" / name
    path.write_text(f"+++\n{front.strip()}\n+++\n\n{body}\n", encoding="utf-8")
    return path


REMOTE_FRONT = f"""
guid = "remote-1"
title = "Left on the old host"
date = 2024-01-02T10:00:00Z
audio_url = "{REMOTE}"
audio_length = 123456
audio_type = "audio/mpeg"
audio_duration = 1830.5
"""


def test_a_remote_episode_loads(show_dir: Path) -> None:
    write_episode(show_dir, "0001-remote.md", REMOTE_FRONT)
    (episode,) = load_episodes(load_show(show_dir))
    assert episode.audio is None
    assert episode.remote is not None
    assert (episode.remote.url, episode.remote.length, episode.remote.type) == (REMOTE, 123456, "audio/mpeg")
    assert episode.remote.duration == 1830.5


def test_remote_type_defaults_from_the_extension_and_duration_may_be_unknown(show_dir: Path) -> None:
    write_episode(show_dir, "0001-r.md", REMOTE_FRONT.replace('audio_type = "audio/mpeg"\n', "").replace(
        "audio_duration = 1830.5\n", ""))  # fmt: skip
    (episode,) = load_episodes(load_show(show_dir))
    assert episode.remote is not None and episode.remote.type == "audio/mpeg" and episode.remote.duration == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('audio_url = "https://old', 'audio = "media/x.mp3"\naudio_url = "https://old'),  # both
        ("audio_length = 123456\n", ""),
        ('audio_url = "https://', 'audio_url = "ftp://'),
        ('audio_type = "audio/mpeg"', 'audio_type = "text/html"'),
        ("audio_length = 123456", 'audio_length = 123456\nimage = "embedded"'),
        ("audio_length = 123456", 'audio_length = 123456\nalternates = [{file = "media/x.opus"}]'),
    ],
    ids=["audio-and-audio_url", "no-length", "not-http", "not-audio", "embedded-image", "alternates"],
)
def test_bad_remote_keys_are_one_line_errors(show_dir: Path, change: str, expected: str) -> None:
    (show_dir / "media" / "x.mp3").write_bytes((FIXTURES / "cbr.mp3").read_bytes())
    front = REMOTE_FRONT.replace(change, expected, 1)
    assert front != REMOTE_FRONT
    write_episode(show_dir, "0001-bad.md", front)
    with pytest.raises(ConfigError) as caught:
        load_episodes(load_show(show_dir))
    message = str(caught.value)
    assert message.startswith("episodes/0001-bad.md:") and "\n" not in message


def test_remote_keys_without_audio_url_are_refused(show_dir: Path) -> None:
    shutil.copy(FIXTURES / "cbr.mp3", show_dir / "media" / "x.mp3")
    write_episode(
        show_dir, "0001-x.md", 'guid = "a"\ntitle = "A"\ndate = 2024-01-01T00:00:00Z\naudio = "media/x.mp3"\n'
        "audio_length = 5\n",
    )  # fmt: skip
    with pytest.raises(ConfigError, match="audio_length needs audio_url"):
        load_episodes(load_show(show_dir))


def test_the_feed_links_remote_audio_and_publish_never_uploads_or_prunes_it(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(FIXTURES / "cbr.mp3", show_dir / "media" / "local.mp3")
    write_episode(show_dir, "0001-remote.md", REMOTE_FRONT)
    write_episode(show_dir, "0002-local.md", 'guid = "local-1"\ntitle = "Here"\ndate = 2024-01-03T10:00:00Z\n'
                  'audio = "media/local.mp3"\n')  # fmt: skip
    target = tmp_path / "www"
    result = run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target), "--json", "--prune")
    assert result.code == 0, result.err
    uploaded = json.loads(result.out)["uploaded"]
    media_keys = [key for key in uploaded if key.startswith("media/")]
    assert len(media_keys) == 1 and media_keys[0].startswith("media/local-")  # only the local episode's audio
    feed = (target / "feed.xml").read_bytes()
    items = {i.findtext("guid"): i for i in etree.fromstring(feed).iter("item")}
    remote = items["remote-1"].find("enclosure")
    assert remote is not None
    assert (remote.get("url"), remote.get("length"), remote.get("type")) == (REMOTE, "123456", "audio/mpeg")
    assert items["remote-1"].findtext(f"{ITUNES}duration") == "1831"
    assert items["local-1"].find("enclosure").get("url").startswith("https://cdn.example.org/show/media/")
    parsed = feedparser.parse(feed)
    assert {e.id: e.enclosures[0].href for e in parsed.entries}["remote-1"] == REMOTE

    # a second publish with --prune changes nothing: the remote URL is not podpub's to delete
    before = snapshot(target)
    result = run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target), "--json", "--prune")
    assert result.code == 0, result.err
    assert json.loads(result.out)["deleted"] == [] and snapshot(target) == before


def test_unknown_duration_leaves_itunes_duration_out_and_list_works(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_episode(show_dir, "0001-r.md", REMOTE_FRONT.replace("audio_duration = 1830.5\n", ""))
    result = run_podpub(capsys, "-C", str(show_dir), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    (item,) = etree.fromstring((tmp_path / "out" / "feed.xml").read_bytes()).iter("item")
    assert item.find(f"{ITUNES}duration") is None
    result = run_podpub(capsys, "-C", str(show_dir), "list", "--json")
    assert result.code == 0, result.err
    (row,) = json.loads(result.out)
    assert row["audio"] == REMOTE and row["duration"] == 0
