"""The core promise end to end: init → add every format → publish → a feed real clients read right."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from podpub.website import is_site_key
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, snapshot

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
FORMATS = [
    "cbr.mp3",
    "vbr_xing.mp3",
    "vbr_noxing.mp3",
    "chapters.mp3",
    "chapters.m4a",
    "audiobook.m4b",
    "video.mp4",
    "vorbis.ogg",
    "opus.opus",
    "flac.flac",
    "notags.mp3",
    "hostile.mp3",
    "hostile.ogg",
]
BASE = "https://cdn.example.org/show/"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


@pytest.fixture
def show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "show"
    result = run_podpub(
        capsys,
        "init",
        str(root),
        "--title",
        "Tests & <Friends>",
        "--author",
        "Ana",
        "--email",
        "ana@example.org",
        "--language",
        "fr",
        "--category",
        "Society & Culture > Documentary",
        "--category",
        "education",
        "--base-url",
        BASE.rstrip("/"),
    )
    assert result.code == 0, result.err
    return root


def add(capsys: pytest.CaptureFixture[str], show: Path, *args: str) -> dict:
    result = run_podpub(capsys, "-C", str(show), "add", "--json", "--date", "2026-01-01T10:00:00+01:00", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def published(capsys: pytest.CaptureFixture[str], show: Path, target: Path) -> dict:
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target), "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_format_publishes_a_feed_every_parser_reads_right(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = {}
    for number, name in enumerate(FORMATS, start=1):
        (entry,) = add(capsys, show, str(FIXTURES / name), "--number", str(number))
        added[entry["guid"]] = (name, entry)
    target = tmp_path / "www"
    report = published(capsys, show, target)
    assert report["feed_url"] == BASE + "feed.xml"
    raw = (target / "feed.xml").read_bytes()

    # strict XML: no recovery
    root = etree.fromstring(raw, etree.XMLParser(recover=False, resolve_entities=False))
    channel = root.find("channel")
    assert channel.findtext("title") == "Tests & <Friends>"
    assert [c.get("text") for c in channel.findall(f"{ITUNES}category")] == ["Society & Culture", "Education"]
    assert channel.find(f"{ITUNES}category/{ITUNES}category").get("text") == "Documentary"
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext(f"{PODCAST}guid")
    items = channel.findall("item")
    assert len(items) == len(FORMATS)

    pp = podcastparser.parse(BASE + "feed.xml", io.BytesIO(raw))
    fp = feedparser.parse(raw)
    assert not fp.bozo
    pp_by_guid = {e["guid"]: e for e in pp["episodes"]}
    fp_by_guid = {e.id: e for e in fp.entries}
    assert set(pp_by_guid) == set(fp_by_guid) == set(added)
    for guid, (name, _entry) in added.items():
        expected = EXPECTED[name]
        item = next(i for i in items if i.findtext("guid") == guid)
        assert item.find("guid").get("isPermaLink") == "false"
        enclosure = item.find("enclosure")
        url = enclosure.get("url")
        key = url.removeprefix(BASE)
        assert url.startswith(BASE + "media/") and url.isascii() and " " not in url
        assert int(enclosure.get("length")) == os.path.getsize(FIXTURES / name) == (target / key).stat().st_size
        assert (target / key).read_bytes() == (FIXTURES / name).read_bytes()
        assert enclosure.get("type") == expected["mime_type"]
        assert abs(int(item.findtext(f"{ITUNES}duration")) - expected["duration"]) <= 0.5 + 0.1
        # gPodder's parser
        e = pp_by_guid[guid]
        assert e["enclosures"][0]["url"] == url
        assert e["enclosures"][0]["file_size"] == os.path.getsize(FIXTURES / name)
        assert e["enclosures"][0]["mime_type"] == expected["mime_type"]
        assert abs(e["total_time"] - expected["duration"]) <= 0.6
        # feedparser
        f = fp_by_guid[guid]
        assert f.enclosures[0].href == url
        assert f.enclosures[0].type == expected["mime_type"]
        assert int(f.itunes_duration) == int(item.findtext(f"{ITUNES}duration"))
    # hostile tags became titles that survive the trip (control characters removed)
    hostile_titles = [e["title"] for g, e in pp_by_guid.items() if added[g][0].startswith("hostile")]
    assert all("]]>" in t and "\x1b" not in t and "\x00" not in t for t in hostile_titles)


def test_second_publish_copies_nothing_and_rebuild_is_byte_identical(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add(capsys, show, str(FIXTURES / "chapters.mp3"))
    target = tmp_path / "www"
    first = published(capsys, show, target)
    # the audio, the JSON chapters made from its ID3 chapters, and the feed (besides the website's files)
    assert first["uploaded"][-1] == "feed.xml" and len([k for k in first["uploaded"] if not is_site_key(k)]) == 3
    assert any(key.startswith("chapters/") and key.endswith(".chapters.json") for key in first["uploaded"])
    feed = (target / "feed.xml").read_bytes()
    mtimes = {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()}
    second = published(capsys, show, target)
    assert second["uploaded"] == [] and second["skipped"] == len(first["uploaded"])
    assert (target / "feed.xml").read_bytes() == feed
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*") if p.is_file()} == mtimes
    # a file deleted behind podpub's back is put back, and only that file
    media = next((target / "media").iterdir())
    media.unlink()
    third = published(capsys, show, target)
    assert third["uploaded"] == [f"media/{media.name}"]


def test_guid_survives_retitle_reencode_and_new_base_url(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture_copy
) -> None:
    source = fixture_copy("cbr.mp3")
    (entry,) = add(capsys, show, str(source), "--title", "First title")
    guid = entry["guid"]
    target = tmp_path / "www"
    published(capsys, show, target)

    def item() -> etree._Element:
        root = etree.fromstring((target / "feed.xml").read_bytes())
        (only,) = root.findall("channel/item")
        return only

    first_url = item().find("enclosure").get("url")
    episode_file = Path(entry["file"])
    episode_file.write_text(episode_file.read_text().replace("First title", "Second title"))
    # re-encode: the episode's audio is replaced by other bytes under the same path
    audio = show / entry["audio"] if not os.path.isabs(entry["audio"]) else Path(entry["audio"])
    audio.write_bytes((FIXTURES / "vbr_xing.mp3").read_bytes())
    published(capsys, show, target)
    assert item().findtext("title") == "Second title"
    assert item().findtext("guid") == guid
    new_url = item().find("enclosure").get("url")
    assert new_url != first_url  # new bytes, new immutable URL
    assert int(item().find("enclosure").get("length")) == os.path.getsize(FIXTURES / "vbr_xing.mp3")
    # the old media file is still there for apps with the old feed, until --prune
    assert (target / first_url.removeprefix(BASE)).exists()
    pruned = json.loads(run_podpub(capsys, "-C", str(show), "publish", "--to", str(target), "--prune", "--json").out)
    assert pruned["deleted"] == [first_url.removeprefix(BASE)]
    assert not (target / first_url.removeprefix(BASE)).exists()

    config = show / "podcast.toml"
    podcast_guid = etree.fromstring((target / "feed.xml").read_bytes()).findtext(f"channel/{PODCAST}guid")
    config.write_text(config.read_text().replace(BASE, "https://other.example.net/pod/"))
    published(capsys, show, target)
    assert item().findtext("guid") == guid
    assert item().find("enclosure").get("url").startswith("https://other.example.net/pod/media/")
    assert etree.fromstring((target / "feed.xml").read_bytes()).findtext(f"channel/{PODCAST}guid") == podcast_guid


def test_drafts_and_scheduled_episodes_stay_out_with_their_audio(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (live,) = add(capsys, show, str(FIXTURES / "cbr.mp3"))
    (draft,) = add(capsys, show, str(FIXTURES / "vorbis.ogg"), "--draft")
    result = run_podpub(
        capsys,
        "-C",
        str(show),
        "add",
        "--json",
        "--date",
        "2999-01-01T00:00:00Z",
        str(FIXTURES / "opus.opus"),
    )
    (scheduled,) = json.loads(result.out)
    assert scheduled["status"] == "scheduled"
    target = tmp_path / "www"
    report = published(capsys, show, target)
    feed = (target / "feed.xml").read_text()
    assert live["guid"] in feed and draft["guid"] not in feed and scheduled["guid"] not in feed
    assert not any(k.endswith((".ogg", ".opus")) for k in report["uploaded"])
    listed = json.loads(run_podpub(capsys, "-C", str(show), "list", "--json").out)
    assert {r["guid"]: r["status"] for r in listed} == {
        live["guid"]: "published",
        draft["guid"]: "draft",
        scheduled["guid"]: "scheduled",
    }
    assert listed[0]["guid"] == scheduled["guid"]  # newest first


def test_dry_run_changes_nothing(show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add(capsys, show, str(FIXTURES / "cbr.mp3"))
    target = tmp_path / "www"
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target), "--dry-run", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["upload"][-1] == "feed.xml" and plan["upload"][0].startswith("media/")
    assert not target.exists()


def test_build_is_byte_identical_and_laid_out_as_published(show: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add(capsys, show, str(FIXTURES / "chapters.m4a"))
    assert run_podpub(capsys, "-C", str(show), "build").code == 0
    first = snapshot(show / "public")
    assert run_podpub(capsys, "-C", str(show), "build").code == 0
    assert snapshot(show / "public") == first
    keys = sorted(k for k in first if not k.startswith(".podpub/") and not is_site_key(k))
    assert len(keys) == 3 and "feed.xml" in keys
    assert keys[0].startswith("chapters/") and keys[0].endswith(".chapters.json")  # from the M4A's chpl box
    assert keys[2].startswith("media/") and keys[2].endswith(".m4a")


def test_inspect_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_podpub(capsys, "inspect", "--json", str(FIXTURES / "chapters.mp3"))
    assert result.code == 0, result.err
    data = json.loads(result.out)
    for key in (
        "duration",
        "size",
        "mime_type",
        "title",
        "artist",
        "album",
        "date",
        "chapters",
        "has_cover",
        "exact_duration",
    ):
        assert key in data
    assert isinstance(data["duration"], float) and data["exact_duration"] is True
    assert data["has_cover"] is True and data["mime_type"] == "audio/mpeg"
    assert [c["title"] for c in data["chapters"]] == [c["title"] for c in EXPECTED["chapters.mp3"]["chapters"]]
    assert all(set(c) >= {"start", "title"} for c in data["chapters"])
