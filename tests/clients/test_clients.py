"""What real podcast clients' parsers see in a show that uses every feature podpub publishes.

The rich show (tests/rich_show.py) is built and published to a folder with the real CLI, then its feed
goes through podcastparser (gPodder), feedparser and podcast-partytime (the Podcast Index's parser),
episode by episode. Every expectation comes from the inputs (the fixtures' bytes, sizes and measured
durations, the chapters and transcripts given to `podpub add`, the keys of podcast.toml), never from
the feed itself, and every URL a parser reports is resolved to the published file and compared with
its source. The known quirks of each parser (shared/docs/audio-and-clients.md, Part B) are pinned, so
a release that starts or stops reading a tag makes a test say so.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import mutagen
import podcastparser
import pytest
from lxml import etree

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES
from tests.rich_show import RichShow, build_rich_show

BASE_URL = "https://podcast.example.org/riche/"
FEED_URL = BASE_URL + "feed.xml"
OFFICIAL_NS = "https://podcastindex.org/namespace/1.0"
LEGACY_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
NS = {"podcast": OFFICIAL_NS, "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
CLIENTS = Path(__file__).parent
INSTALL = "run npm ci --prefix tests/clients"
PARTYTIME_VERSION = "5.0.0"  # tests/clients/package.json; the pins below are this release's behaviour
MEASURED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
# The Podcast Index's namespace for podcast:guid (a UUIDv5 of the feed URL without its scheme).
PODCAST_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

HOST = {"name": "Ana Author", "role": "host", "href": "https://example.org/ana", "img": "https://example.org/ana.jpg"}
FUNDING_URL = "https://example.org/soutenir"


@dataclass(frozen=True)
class Expected:
    """What one episode of the rich show is made of."""

    fixture: str
    chapters: tuple[tuple[float, str], ...]
    episode_type: str = "full"

    @property
    def path(self) -> Path:
        return FIXTURES / self.fixture

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def mime(self) -> str:
        return str(MEASURED[self.fixture]["mime_type"])

    @property
    def duration(self) -> int:
        return round(MEASURED[self.fixture]["duration"])


def measured_chapters(fixture: str) -> tuple[tuple[float, str], ...]:
    return tuple((c["start"], c["title"]) for c in MEASURED[fixture]["chapters"])


# Keyed by what RichShow.guids says each episode demonstrates.
EXPECTED = {
    # the chapters file given to `podpub add --chapters` (tests/rich_show.py) replaces the MP3's own
    "everything": Expected("chapters.mp3", ((0, "Présentation"), (4.5, "Le jardin"), (9, "À bientôt"))),
    "embedded chpl chapters": Expected("chapters.m4a", measured_chapters("chapters.m4a")),
    "trailer": Expected("cbr.mp3", (), "trailer"),
}


def sri(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode("ascii")


@dataclass
class Published:
    show: RichShow
    site: Path
    feed: bytes

    @property
    def by_what(self) -> dict[str, str]:
        return {what: guid for guid, what in self.show.guids.items()}

    def expected(self, guid: str) -> Expected:
        return EXPECTED[self.show.guids[guid]]

    def local(self, url: str) -> Path:
        """The published file behind a feed URL (every file podpub links lives under base_url)."""
        assert url.startswith(BASE_URL), url
        path = self.site / url.removeprefix(BASE_URL)
        assert path.is_file(), url
        return path

    def assert_serves(self, url: str, source: Path) -> None:
        """The URL is published, content-addressed, and its bytes are the source's."""
        data = self.local(url).read_bytes()
        assert data == source.read_bytes(), (url, source)
        assert hashlib.sha256(data).hexdigest()[:12] in url.rsplit("/", 1)[1], url

    def item(self, guid: str) -> etree._Element:
        root = etree.fromstring(self.feed)
        [item] = [i for i in root.iter("item") if i.findtext("guid") == guid]
        return item


@pytest.fixture
def published(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Published:
    show = build_rich_show(tmp_path / "show", BASE_URL, capsys)
    assert sorted(show.guids.values()) == sorted(EXPECTED)
    site = tmp_path / "site"
    result = run_podpub(capsys, "-C", str(show.root), "publish", "--to", str(site))
    assert result.code == 0, result.err
    return Published(show, site, (site / "feed.xml").read_bytes())


def assert_chapters_json(published: Published, url: str, expected: Expected) -> None:
    """A podcast:chapters URL serves JSON chapters with the episode's starts and titles."""
    assert url.startswith(BASE_URL + "chapters/") and url.endswith(".json"), url
    chapters = json.loads(published.local(url).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == list(expected.chapters)


# ----------------------------------------------------------------------------------------------------
# podcastparser (gPodder)
# ----------------------------------------------------------------------------------------------------


def test_podcastparser_keeps_every_episode_with_its_audio_duration_and_chapters(published: Published) -> None:
    feed = podcastparser.parse(FEED_URL, io.BytesIO(published.feed))
    episodes = {e["guid"]: e for e in feed["episodes"]}
    assert len(feed["episodes"]) == 3
    assert set(episodes) == set(published.show.guids)
    for guid, episode in episodes.items():
        expected = published.expected(guid)
        [enclosure] = episode["enclosures"]
        assert (enclosure["mime_type"], enclosure["file_size"]) == (expected.mime, expected.size)
        published.assert_serves(enclosure["url"], expected.path)
        assert episode["total_time"] == expected.duration
        assert episode["type"] == expected.episode_type
        assert episode["explicit"] is False
        # psc chapters; podcastparser truncates fractional starts (00:00:04.500 -> 4)
        chapters = [(c["start"], c["title"]) for c in episode.get("chapters", [])]
        assert chapters == [(int(start), title) for start, title in expected.chapters]
        # Known quirk: under the official namespace URI podcastparser 0.6.11 drops every podcast:* tag.
        for key in ("transcript_url", "chapters_json_url", "persons"):
            assert key not in episode, (guid, key)
    full = episodes[published.by_what["everything"]]
    assert full["chapters"][1]["href"] == "https://example.org/jardin"
    assert (full["season"], full["number"]) == (1, 1)
    assert "funding_url" not in feed and "import_prohibited" not in feed
    assert feed["new_url"] == FEED_URL


def test_podcastparser_reads_our_podcast_tags_under_the_legacy_namespace_uri(published: Published) -> None:
    """Only the URI differs: with the legacy one substituted, podcastparser finds every tag it knows."""
    declaration = f'xmlns:podcast="{OFFICIAL_NS}"'.encode()
    assert published.feed.count(declaration) == 1
    legacy = published.feed.replace(declaration, f'xmlns:podcast="{LEGACY_NS}"'.encode())
    feed = podcastparser.parse(FEED_URL, io.BytesIO(legacy))
    episodes = {e["guid"]: e for e in feed["episodes"]}
    assert set(episodes) == set(published.show.guids)
    assert feed["funding_url"] == FUNDING_URL
    assert feed["import_prohibited"] is True  # podcast:locked yes

    full = episodes[published.by_what["everything"]]
    assert full["persons"] == [
        {**HOST, "group": "cast"},
        {"name": "Gaston Guest", "role": "guest", "group": "cast", "href": None, "img": None},
    ]
    assert_chapters_json(published, full["chapters_json_url"], EXPECTED["everything"])
    # with several podcast:transcript podcastparser keeps the last one: the VTT copy of the SRT
    transcripts = published.item(full["guid"]).findall("podcast:transcript", NS)
    assert len(transcripts) == 3
    assert full["transcript_url"] == transcripts[-1].get("url")
    copy = published.local(full["transcript_url"]).read_text(encoding="utf-8")
    assert copy.startswith("WEBVTT") and "Ana: Bonjour et bienvenue." in copy

    m4a = episodes[published.by_what["embedded chpl chapters"]]
    assert_chapters_json(published, m4a["chapters_json_url"], EXPECTED["embedded chpl chapters"])
    trailer = episodes[published.by_what["trailer"]]
    for episode, absent in ((m4a, ("persons", "transcript_url")), (trailer, ("persons", "transcript_url"))):
        for key in absent:
            assert key not in episode
    assert "chapters_json_url" not in trailer


# ----------------------------------------------------------------------------------------------------
# feedparser
# ----------------------------------------------------------------------------------------------------


def test_feedparser_reads_every_entry_without_complaint(published: Published) -> None:
    parsed = feedparser.parse(published.feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    entries = {e.id: e for e in parsed.entries}
    assert len(parsed.entries) == 3
    assert set(entries) == set(published.show.guids)
    for guid, entry in entries.items():
        expected = published.expected(guid)
        assert entry.guidislink is False
        [enclosure] = entry.enclosures
        assert (enclosure.length, enclosure.type) == (str(expected.size), expected.mime)  # length stays a string
        published.assert_serves(enclosure.href, expected.path)
        assert entry.itunes_duration == str(expected.duration)
        assert entry.itunes_episodetype == expected.episode_type
        if expected.chapters:
            chapters = entry.psc_chapters["chapters"]
            assert [(c["start_parsed"], c["title"]) for c in chapters] == [
                (timedelta(seconds=start), title) for start, title in expected.chapters
            ]
            assert entry.psc_chapters["version"] == "1.2"
        else:
            assert "psc_chapters" not in entry
        # Known quirk: feedparser maps only "yes" and "clean"; "false" (what Apple asks for) gives None.
        assert "itunes_explicit" in entry and entry.itunes_explicit is None
    assert parsed.feed.itunes_explicit is None

    # podcast:* is handled generically, by prefix: an element's attributes, text lost, the last one wins.
    full = entries[published.by_what["everything"]]
    assert full.podcast_person == {"role": "guest", "group": "cast"}
    transcripts = published.item(full.id).findall("podcast:transcript", NS)
    assert full.podcast_transcript["url"] == transcripts[-1].get("url")
    assert_chapters_json(published, full.podcast_chapters["url"], EXPECTED["everything"])
    assert parsed.feed.podcast_guid == str(uuid.uuid5(PODCAST_GUID_NS, FEED_URL.split("://", 1)[1]))


def test_feedparser_maps_neither_true_nor_false_to_itunes_explicit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = build_rich_show(tmp_path / "show", BASE_URL, capsys)
    result = run_podpub(
        capsys, "-C", str(show.root), "add", "--json", "--explicit", "--date", "2026-03-02T09:00:00Z",
        str(FIXTURES / "vorbis.ogg"),
    )  # fmt: skip
    assert result.code == 0, result.err
    explicit_guid = json.loads(result.out)[0]["guid"]
    result = run_podpub(capsys, "-C", str(show.root), "publish", "--to", str(tmp_path / "site"))
    assert result.code == 0, result.err
    feed = (tmp_path / "site" / "feed.xml").read_bytes()
    written = {
        item.findtext("guid"): item.findtext("itunes:explicit", namespaces=NS)
        for item in etree.fromstring(feed).iter("item")
    }
    assert written == {explicit_guid: "true", **dict.fromkeys(show.guids, "false")}

    entries = feedparser.parse(feed).entries
    assert {e.id: e.itunes_explicit for e in entries} == dict.fromkeys(written)  # None for "true" and "false"
    # podcastparser reads both
    episodes = podcastparser.parse(FEED_URL, io.BytesIO(feed))["episodes"]
    assert {e["guid"]: e["explicit"] for e in episodes} == {g: v == "true" for g, v in written.items()}


# ----------------------------------------------------------------------------------------------------
# podcast-partytime (Podcast Index)
# ----------------------------------------------------------------------------------------------------


def partytime(feed: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: podcast-partytime (the Podcast Index's feed parser) runs on Node.js")
    package = CLIENTS / "node_modules" / "podcast-partytime" / "package.json"
    if not package.is_file():
        pytest.fail(f"podcast-partytime is not installed: {INSTALL}")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    if version != PARTYTIME_VERSION:
        pytest.fail(f"podcast-partytime {version} installed, the tests pin {PARTYTIME_VERSION}: {INSTALL}")
    process = subprocess.run(
        [node, str(CLIENTS / "partytime.js"), str(feed)],
        capture_output=True,
        text=True,
        env={**os.environ, "PARTYTIME_LOG": "silent"},
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


def test_partytime_keeps_every_episode_with_its_audio_and_duration(published: Published) -> None:
    feed = partytime(published.site / "feed.xml")
    items = {item["guid"]: item for item in feed["items"]}
    assert len(feed["items"]) == 3
    assert set(items) == set(published.show.guids)
    for guid, item in items.items():
        expected = published.expected(guid)
        enclosure = item["enclosure"]
        assert (enclosure["length"], enclosure["type"]) == (expected.size, expected.mime)
        published.assert_serves(enclosure["url"], expected.path)
        assert item["duration"] == expected.duration
        assert item["itunesEpisodeType"] == expected.episode_type
        assert item["explicit"] is False
    assert feed["guid"] == str(uuid.uuid5(PODCAST_GUID_NS, FEED_URL.split("://", 1)[1]))
    assert feed["itunesNewFeedUrl"] == FEED_URL


def test_partytime_reports_these_namespace_phases(published: Published) -> None:
    feed = partytime(published.site / "feed.xml")
    assert {phase: sorted(tags) for phase, tags in feed["pc20support"].items()} == {
        "1": ["chapters", "funding", "locked", "soundbite", "transcript"],
        "2": ["episode", "location", "person", "season"],
        "3": ["alternateEnclosure", "guid", "license", "trailer"],
        "4": ["medium"],
        "6": ["txt"],
    }
    # Not reported, and not for want of the tags: partytime 5.0.0 reads socialInteract only inside an
    # <item> (the namespace allows <channel> too) and has no parser for updateFrequency at all.
    channel = etree.fromstring(published.feed).find("channel")
    assert channel is not None
    social = channel.find("podcast:socialInteract", NS)
    assert social is not None and social.get("protocol") == "activitypub"
    frequency = channel.find("podcast:updateFrequency", NS)
    assert frequency is not None and frequency.get("rrule") == "FREQ=MONTHLY" and frequency.text == "Mensuel"
    assert not [key for key in feed if "social" in key.lower() or "frequency" in key.lower()]


def test_partytime_reads_the_show_tags(published: Published) -> None:
    feed = partytime(published.site / "feed.xml")
    assert feed["locked"] is True
    assert feed["podcastOwner"] == "ana@example.org"
    assert feed["podcastFunding"] == [{"message": "Soutenez l'association", "url": FUNDING_URL}]
    assert feed["podcastPeople"] == [{**HOST, "role": "Host", "group": "Cast"}]  # partytime capitalises
    # partytime 5.0.0 does not read the country attribute
    assert feed["podcastLocation"] == {"name": "Paris", "osm": "R7444", "geo": "geo:48.8566,2.3522"}
    assert feed["license"] == {"identifier": "CC-BY-4.0", "url": "https://spdx.org/licenses/CC-BY-4.0.html"}
    assert feed["medium"] == "podcast"
    assert feed["podcastTxt"] == [{"value": "0123456789abcdef", "purpose": "applepodcastsverify"}]
    assert feed["podcastSeasons"] == {"1": {"number": 1, "name": "Les débuts"}}
    [trailer] = feed["trailers"]
    assert {k: v for k, v in trailer.items() if k != "url"} == {
        "title": "cbr", "pubdate": "2026-01-01T08:00:00.000Z", "type": "audio/mpeg", "length": EXPECTED["trailer"].size,
    }  # fmt: skip
    published.assert_serves(trailer["url"], EXPECTED["trailer"].path)
    assert trailer["url"] == published.item(published.by_what["trailer"]).find("enclosure").get("url")


def test_partytime_reads_every_episode_tag(published: Published) -> None:
    items = {item["guid"]: item for item in partytime(published.site / "feed.xml")["items"]}
    full = items[published.by_what["everything"]]
    transcripts = full["podcastTranscripts"]
    # application/x-subrip is reported as partytime's own name for SRT
    assert [(t["type"], t["language"], t["rel"]) for t in transcripts] == [
        ("text/vtt", "fr", "captions"), ("application/srt", "fr", "captions"), ("text/vtt", "fr", "captions"),
    ]  # fmt: skip
    published.assert_serves(transcripts[0]["url"], FIXTURES / "transcripts" / "good.vtt")
    published.assert_serves(transcripts[1]["url"], FIXTURES / "transcripts" / "good.srt")
    copy = published.local(transcripts[2]["url"]).read_text(encoding="utf-8")
    assert copy.startswith("WEBVTT") and "00:00:02.500 --> 00:00:06.000" in copy
    assert full["podcastChapters"]["type"] == "application/json+chapters"
    assert_chapters_json(published, full["podcastChapters"]["url"], EXPECTED["everything"])
    # the host is repeated in the item (an item's persons replace the show's), then the guest
    assert full["podcastPeople"] == [
        {**HOST, "role": "Host", "group": "Cast"},
        {"name": "Gaston Guest", "role": "Guest", "group": "Cast"},
    ]
    assert full["podcastSoundbites"] == [{"startTime": 1.5, "duration": 4, "title": "Le meilleur moment"}]
    assert full["podcastSeason"] == {"number": 1, "name": "Les débuts"}
    assert full["podcastEpisode"] == {"number": 1, "display": "Épisode un"}
    assert (full["itunesSeason"], full["itunesEpisode"]) == (1, 1)

    main, alternate = full["alternativeEnclosures"]
    mp3, opus = FIXTURES / "chapters.mp3", FIXTURES / "alternate.opus"
    assert {k: v for k, v in main.items() if k != "source"} == {
        "type": "audio/mpeg", "length": mp3.stat().st_size, "default": True, "codecs": "mp3",
        "integrity": {"type": "sri", "value": sri(mp3)}, "bitrate": mutagen.File(mp3).info.bitrate,
    }  # fmt: skip
    [source] = main["source"]
    assert source == {"uri": full["enclosure"]["url"], "contentType": "audio/mpeg"}
    assert {k: v for k, v in alternate.items() if k not in ("source", "bitrate")} == {
        "type": "audio/ogg", "length": opus.stat().st_size, "default": False, "codecs": "opus",
        "integrity": {"type": "sri", "value": sri(opus)},
    }  # fmt: skip
    opus_seconds = mutagen.File(opus).info.length
    assert alternate["bitrate"] == pytest.approx(opus.stat().st_size * 8 / opus_seconds, rel=0.02)
    [source] = alternate["source"]
    assert source["contentType"] == "audio/ogg"
    published.assert_serves(source["uri"], opus)

    m4a = items[published.by_what["embedded chpl chapters"]]
    assert m4a["podcastChapters"]["type"] == "application/json+chapters"
    assert_chapters_json(published, m4a["podcastChapters"]["url"], EXPECTED["embedded chpl chapters"])
    trailer = items[published.by_what["trailer"]]
    item_tags = ("podcastTranscripts", "podcastPeople", "podcastSoundbites", "alternativeEnclosures", "podcastSeason")
    for item in (m4a, trailer):
        assert not [key for key in item_tags if key in item], item["guid"]
    assert "podcastChapters" not in trailer
