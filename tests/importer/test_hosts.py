"""Feeds written like the exports of the major hosts: imported, built, and read back by real parsers."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import feedparser
import podcastparser
import pytest
from rich.console import Console

from podpub.episodes import frontmatter
from podpub.episodes.files import load_episodes
from podpub.importer.run import ImportOptions, ImportReport, import_feed
from podpub.importer.summary import DownloadProgress
from podpub.pipeline import build, open_show
from podpub.podcasts.config import load_show, podcast_guid
from tests.importer.conftest import HOST_FEEDS, HostFeeds
from tests.importer.server import FeedServer

NEW_BASE = "https://podcast.example.org/show/"


def run_import(url: str, root: Path, **options: object) -> ImportReport:
    values: dict[str, object] = {"base_url": NEW_BASE, **options}
    return import_feed(url, root, ImportOptions(**values))  # type: ignore[arg-type]


def episode_front(root: Path) -> dict[str, dict[str, object]]:
    """Every episode file's front matter (and body under "_body"), by GUID."""
    result = {}
    for path in sorted((root / "episodes").glob("*.md")):
        parts = frontmatter.split(path.read_text(encoding="utf-8"), path.name)
        data = tomllib.loads(parts.front_matter)
        data["_body"] = parts.body
        data["_file"] = path.name
        result[str(data["guid"])] = data
    return result


def source_entries(server: FeedServer, url: str) -> list[dict[str, object]]:
    """What podcastparser (gPodder) sees in the source feed: episodes with audio, newest first."""
    route = server.routes[url.removeprefix(server.base)]
    return [e for e in podcastparser.parse(url, io.BytesIO(route.body))["episodes"] if e["enclosures"]]


@pytest.mark.parametrize("host", HOST_FEEDS)
def test_a_host_feed_republishes_with_the_same_guids_dates_titles_and_order(
    host: str, hosts: HostFeeds, feed_server: FeedServer, tmp_path: Path
) -> None:
    url = hosts.serve_feed(host)
    root = tmp_path / host
    report = run_import(url, root)
    assert report.ok, report.failed
    assert report.created and len(report.added) == len({e["guid"] for e in source_entries(feed_server, url)})

    show = load_show(root)
    episodes = load_episodes(show)  # the strict reader accepts everything import wrote
    assert all(e.audio is not None and e.audio.is_relative_to(root / "media") for e in episodes)
    result = build(open_show(root))
    assert not [w for w in result.site.warnings if "artwork" in w]
    feed = (result.out / "feed.xml").read_bytes()

    before = source_entries(feed_server, url)
    after = podcastparser.parse(NEW_BASE + "feed.xml", io.BytesIO(feed))["episodes"]
    key = ("guid", "title", "published")
    assert [tuple(e[k] for k in key) for e in after] == [tuple(e[k] for k in key) for e in before]
    for episode in after:
        (enclosure,) = episode["enclosures"]
        assert enclosure["url"].startswith(NEW_BASE + "media/")
    sizes = {e.guid: e.media.size for e in result.site.episodes if e.media}
    assert {e["guid"]: e["enclosures"][0]["file_size"] for e in after} == sizes

    old = feedparser.parse(feed_server.routes[url.removeprefix(feed_server.base)].body)
    new = feedparser.parse(feed)
    old_entries = [(e.id, e.title, e.published_parsed) for e in old.entries if e.get("enclosures")]
    new_entries = [(e.id, e.title, e.published_parsed) for e in new.entries]
    if show.type == "serial":  # apps play serial shows by season and number, whatever the document order
        assert sorted(new_entries) == sorted(old_entries)
        numbers = [(int(e.itunes_season), int(e.itunes_episode)) for e in new.entries]
        assert numbers == sorted(numbers)
    else:  # episodic: the same document order as the old feed, newest first
        assert new_entries == old_entries


def test_anchor_play_urls_redirect_and_the_show_artwork_is_fetched_once(
    hosts: HostFeeds, feed_server: FeedServer, tmp_path: Path
) -> None:
    report = run_import(hosts.serve_feed("anchor"), tmp_path / "show")
    assert report.ok
    assert len(feed_server.requests_for("/anchor/images/cover.jpg", "GET")) == 1
    episodes = episode_front(tmp_path / "show")
    assert all("image" not in e for e in episodes.values())  # every item used the show artwork
    foxes = episodes["6d1b8f7e-0c1f-4b7e-9b6e-3f3a1c2b4d5e"]
    assert foxes["explicit"] is True and foxes["season"] == 1 and foxes["number"] == 3
    assert "<p>Who knocks the bins over? We <strong>investigate</strong>.</p>" in str(foxes["_body"])
    assert episodes["e3c0b2aa-1f9d-4c5e-8a7b-6d5c4b3a2910"]["type"] == "trailer"
    show = load_show(tmp_path / "show")
    assert show.guid == podcast_guid("https://anchor.fm/s/1a2b3c4d/podcast/rss")  # what the Index derived
    assert (show.author, show.owner_email, show.language) == ("Nadia Owl", "nadia@example.com", "en")
    assert [str(c) for c in show.categories] == ["Society & Culture > Personal Journals"]
    assert show.description == "Conversations after midnight, from a kitchen table in Leeds."


def test_libsyn_wrong_lengths_and_durations_are_reported_and_corrected(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("libsyn"), tmp_path / "show")
    assert report.ok
    assert any("99999 bytes" in c and "40541" in c for c in report.corrections)
    assert any("45:00" in c for c in report.corrections)
    show = load_show(tmp_path / "show")
    assert show.locked is False and show.explicit is False and show.language == "en-GB"
    assert [str(c) for c in show.categories] == ["Leisure > Home & Garden", "Leisure"]
    assert any("Games & Hobbies" in n for n in report.notes)
    numbers = sorted(e["number"] for e in episode_front(tmp_path / "show").values())
    assert numbers == [51, 52]


def test_buzzsprout_guid_persons_transcripts_and_chapters_are_kept(hosts: HostFeeds, tmp_path: Path) -> None:
    root = tmp_path / "show"
    report = run_import(hosts.serve_feed("buzzsprout"), root)
    assert report.ok
    show = load_show(root)
    assert show.guid == "8f2c1e55-3b7a-5d10-9c44-0e6a2f1b3c8d" and show.type == "serial"
    assert [(p.name, p.role) for p in show.persons] == [("Lena Count", "host")]
    support = ("https://www.buzzsprout.com/2012345/support", "Support the show")
    assert [(f.url, f.label) for f in show.funding] == [support]
    zero = next(e for e in load_episodes(show) if e.guid == "Buzzsprout-14000002")
    assert [(p.name, p.role, p.href) for p in zero.persons] == [("Zed Zero", "guest", None)]  # host is the show's
    assert any("http://example.org/zed" in n and "not https" in n for n in report.notes)
    assert sorted(t.file.suffix for t in zero.transcripts) == [".json", ".vtt"]  # SRT dropped: podpub makes VTT
    assert zero.chapters_file is not None and zero.chapters_file.read_bytes().startswith(b"{")
    feed = (build(open_show(root)).out / "feed.xml").read_bytes()
    assert f"<podcast:guid>{show.guid}</podcast:guid>".encode() in feed
    assert b"podcast:chapters" in feed and feed.count(b"podcast:transcript ") >= 2


def test_podbean_bonus_type_and_artwork_apple_would_refuse(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("podbean"), tmp_path / "show")
    assert report.ok
    episodes = episode_front(tmp_path / "show")
    bonus = episodes["bookclubradio.podbean.com/bonus-listener-letters-a1b2c3d"]
    assert bonus["type"] == "bonus" and bonus["explicit"] is False and "image" not in bonus
    assert any("600x600" in n and "left out" in n for n in report.notes)
    january = episodes["bookclubradio.podbean.com/january-the-dispossessed-e5f6a7b"]
    assert str(january["image"]).startswith("artwork/dispossessed-") and january["explicit"] is True
    assert load_show(tmp_path / "show").explicit is True


def test_wordpress_text_posts_are_skipped_and_full_content_is_kept(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("wordpress"), tmp_path / "show")
    assert report.ok
    assert [why for _, why in report.skipped] == ["no audio (no enclosure); podpub episodes need one"]
    episodes = episode_front(tmp_path / "show")
    harvest = episodes["https://parishnotes.example.org/?p=412"]
    assert harvest["title"] == "Harvest supper – the recipes"
    assert "<!-- wp:paragraph -->" in str(harvest["_body"]) and "Recipes are on" in str(harvest["_body"])
    assert episodes["https://parishnotes.example.org/?p=398"]["block"] is True
    show = load_show(tmp_path / "show")
    assert show.guid == "6a1f2b3c-4d5e-5f60-8172-93a4b5c6d7e8" and show.author == "St Anne's Parish"


def test_atom_feeds_import_too(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("atom"), tmp_path / "show")
    assert report.ok and report.feed_kind == "Atom"
    episodes = episode_front(tmp_path / "show")
    assert set(episodes) == {"tag:lefil.example.org,2024:ep1", "tag:lefil.example.org,2024:ep2"}
    one = episodes["tag:lefil.example.org,2024:ep1"]
    assert one["title"] == "Épisode 1" and "<em>épisode</em>" in str(one["_body"])
    assert str(episodes["tag:lefil.example.org,2024:ep2"]["audio"]).endswith(".ogg")
    show = load_show(tmp_path / "show")
    assert (show.language, show.author, show.owner_email) == ("fr", "Claire Fil", "claire@lefil.example.org")


class RecordingProgress:
    def __init__(self) -> None:
        self.started: dict[str, int | None] = {}
        self.bytes = 0
        self.finished: list[str] = []

    def start(self, key: str, label: str, total: int | None) -> None:
        self.started[key] = total

    def advance(self, key: str, count: int) -> None:
        self.bytes += count

    def done(self, key: str) -> None:
        self.finished.append(key)


def test_progress_counts_every_byte_and_the_rich_display_runs(hosts: HostFeeds, tmp_path: Path) -> None:
    url = hosts.serve_feed("podbean")
    progress = RecordingProgress()
    report = import_feed(url, tmp_path / "a", ImportOptions(base_url=NEW_BASE), progress=progress)
    assert report.ok and sorted(progress.started) == sorted(progress.finished) and len(progress.finished) == 2
    assert progress.bytes == sum(p.stat().st_size for p in (tmp_path / "a" / "media").iterdir())

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with DownloadProgress(console, enabled=True) as display:
        assert import_feed(url, tmp_path / "b", ImportOptions(base_url=NEW_BASE), progress=display).ok


def test_artwork_shared_by_many_items_is_fetched_once(hosts: HostFeeds, tmp_path: Path) -> None:
    art = hosts.serve_file("/shared/art.jpg", "@art")
    items = "".join(
        f"<item><title>E{n}</title><guid>s{n}</guid><pubDate>Mon, 0{n + 1} Jan 2024 10:00:00 +0000</pubDate>"
        f'<itunes:image href="{art}"/><enclosure url="{hosts.serve_file(f"/shared/{n}.mp3", "cbr.mp3")}" '
        'length="40541" type="audio/mpeg"/></item>'
        for n in range(6)
    )
    feed = (
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>S</title>'
        f"{items}</channel></rss>"
    )
    report = run_import(hosts.serve_bytes("/shared/feed.xml", feed.encode()), tmp_path / "show", jobs=6)
    assert report.ok and len(hosts.server.requests_for("/shared/art.jpg", "GET")) == 1
    assert len({str(e["image"]) for e in episode_front(tmp_path / "show").values()}) == 1
