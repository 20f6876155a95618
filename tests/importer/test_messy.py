"""Real-world mistakes: each one handled sensibly and reported."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

from podpub.episodes.files import load_episodes
from podpub.importer.run import ImportOptions, import_feed
from podpub.pipeline import build, open_show
from podpub.podcasts.config import load_show
from tests.importer.conftest import FEEDS, HostFeeds
from tests.importer.server import FeedServer, Route
from tests.importer.test_hosts import NEW_BASE, episode_front, run_import


def test_the_messy_feed(hosts: HostFeeds, tmp_path: Path) -> None:
    root = tmp_path / "show"
    report = run_import(hosts.serve_feed("messy"), root)
    assert report.ok, report.failed
    notes = "\n".join(report.notes)
    episodes = episode_front(root)
    assert set(episodes) == {"messy-1", "messy-2", "messy-6", hosts.server.url("/messy/four.mp3")}

    one = episodes["messy-1"]  # relative enclosure, escaped notes, MM:SS, "clean", entities and a bare &
    assert one["title"] == "Q&A one" and one["explicit"] is False
    assert one["_body"] == "<p>Escaped <b>notes</b></p>\n"
    assert "relative enclosure URL 'media/one.mp3'" in notes
    assert "HTML entities" in notes and "bare '&'" in notes and "blank lines before the XML" in notes

    two = episodes["messy-2"]  # protocol-relative URL, padded guid, no length, zone name, CDATA notes
    assert two["date"] == datetime(2024, 1, 4, 15, tzinfo=UTC) and two["explicit"] is True
    assert '<a href="https://example.com/?a=1&b=2">link</a> & an ampersand' in str(two["_body"])
    assert "protocol-relative" in notes and "'Two': its enclosure has no length" in notes
    assert any("'Two'" in c and "00:00:05" in c for c in report.corrections)  # the audio lasts 10 s

    four = episodes[hosts.server.url("/messy/four.mp3")]  # no guid, garbage date/duration/explicit/numbers
    assert four["_body"] == "<p>Escaped twice</p>\n" and "explicit" not in four
    assert "season" not in four and "number" not in four
    assert four["date"] == datetime(2024, 1, 1, 10, 0, 1, tzinfo=UTC)  # just after the item below it
    for expected in ("'sometime last week' is not a date", "'about five minutes' is not a duration",
                     "'maybe' means nothing", "no guid; its enclosure URL", "no usable length ('abc')"):  # fmt: skip
        assert expected in notes

    assert episodes["messy-6"]["_body"] == "Plain text notes.\n\nSecond paragraph.\n"
    skipped = dict(report.skipped)
    assert skipped["item 3 'Three, a duplicate'"].startswith("same guid as item 1")
    assert skipped["item 5 'A text-only post'"].startswith("no audio")

    show = load_show(root)
    assert show.language == "en-us" and show.explicit is True and show.owner_email == "messy@example.com"
    assert [str(c) for c in show.categories] == ["News > Tech News"]
    assert "'Podcasting' is not one of Apple's" in notes
    assert show.image is not None and show.image.is_file()
    assert len(load_episodes(show)) == 4
    assert build(open_show(root)).site.episodes


def test_a_latin1_feed_served_without_a_declaration(hosts: HostFeeds, tmp_path: Path) -> None:
    text = (FEEDS / "atom.xml").read_text(encoding="utf-8").replace('<?xml version="1.0" encoding="utf-8"?>', "")
    data = hosts.render(text).encode("latin-1")
    url = hosts.serve_bytes("/latin1.atom", data, "application/atom+xml; charset=ISO-8859-1")
    report = run_import(url, tmp_path / "show")
    assert report.ok
    assert load_show(tmp_path / "show").description == "Un podcast publié en Atom."
    assert "tag:lefil.example.org,2024:ep2" in episode_front(tmp_path / "show")


def test_gzip_responses_and_feed_redirects(hosts: HostFeeds, feed_server: FeedServer, tmp_path: Path) -> None:
    target = hosts.serve_feed("podbean", gzip=True)
    feed_server.add("/old-feed", Route(status=301, location="/moved-once"))
    feed_server.add("/moved-once", Route(status=302, location=target))
    report = run_import(feed_server.url("/old-feed"), tmp_path / "show")
    assert report.ok and len(report.added) == 2
    assert any("redirects permanently to" in n for n in report.notes)
    (request,) = feed_server.requests_for("/podbean/feed.xml")
    assert "gzip" in request.headers.get("Accept-Encoding", "")


def test_a_saved_feed_file_and_a_gzipped_one(hosts: HostFeeds, tmp_path: Path) -> None:
    text = hosts.render((FEEDS / "buzzsprout.xml").read_text(encoding="utf-8"))
    plain = tmp_path / "feed.xml"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "feed.xml.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    first = run_import(str(plain), tmp_path / "a")
    second = run_import(f"file://{packed}", tmp_path / "b")
    assert first.ok and second.ok and len(first.added) == len(second.added) == 2
    assert episode_front(tmp_path / "a").keys() == episode_front(tmp_path / "b").keys()


def test_missing_show_values_get_placeholders_that_load_and_are_listed(
    hosts: HostFeeds, feed_server: FeedServer, tmp_path: Path
) -> None:
    data = f"""<rss version="2.0"><channel><title></title><language>klingon!</language>
    <item><title></title><guid>x1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
    <enclosure url="{hosts.serve_file("/bare/My_Episode-01.mp3", "cbr.mp3")}" length="40541" type="audio/mpeg"/>
    </item></channel></rss>"""
    url = hosts.serve_bytes("/bare/feed.xml", data.encode())
    report = import_feed(url, tmp_path / "show", ImportOptions())
    assert report.ok
    assert set(report.placeholders) == {"title", "[owner] email", "language", "categories", "[publish] base_url"}
    show = load_show(tmp_path / "show")
    assert show.owner_email == "owner@example.invalid" and show.publish.base_url.startswith("https://")
    (episode,) = load_episodes(show)
    assert episode.title == "My Episode 01"
    steps = "\n".join(report.cutover_steps())
    assert "Set title, [owner] email" in steps


def test_episode_files_and_media_are_named_safely(hosts: HostFeeds, tmp_path: Path) -> None:
    root = tmp_path / "show"
    run_import(hosts.serve_feed("messy"), root)
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if ".podpub" not in relative:
            assert re.fullmatch(r"[A-Za-z0-9._/-]+", relative), relative
    assert NEW_BASE in (root / "podcast.toml").read_text()
