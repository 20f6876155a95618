"""RFC 5005 paging (`max_items`) and the complete feed (`complete_feed`), read back by real parsers.

feed.xml keeps the newest `max_items` episodes and links the newest archive page; archive pages are
anchored on the oldest episode, so a new episode changes feed.xml and the newest page only; every
document parses with podcastparser and feedparser, and together they hold every episode once.
"""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from podpub import pipeline
from podpub.errors import ConfigError
from podpub.feeds.extension import ATOM_NS, FH_NS
from podpub.feeds.paging import archive_key
from podpub.network.workspace import load_show_in
from podpub.validation.model import Severity
from podpub.validation.offline import LocalFiles
from podpub.validation.run import check_feed_file
from tests.conftest import BASE_URL, FIXTURES, write_show

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def add_episode(root: Path, number: int) -> None:
    shutil.copyfile(FIXTURES / "cbr.mp3", root / "media" / f"ep{number}.mp3")
    (root / "episodes" / f"{number:04d}-ep{number}.md").write_text(
        f'+++\nguid = "guid-{number:02d}"\ntitle = "Episode {number}"\n'
        f'date = 2026-01-{number:02d}T09:00:00Z\naudio = "media/ep{number}.mp3"\n+++\n\nNotes {number}.\n',
        encoding="utf-8",
    )


def make_show(root: Path, count: int, keys: str = "") -> Path:
    write_show(root)
    config = root / "podcast.toml"
    config.write_text(keys + config.read_text(encoding="utf-8"), encoding="utf-8")
    for number in range(1, count + 1):
        add_episode(root, number)
    return root


def build(root: Path) -> pipeline.BuildResult:
    return pipeline.build(pipeline.open_show(root), now=NOW)


def documents(root: Path) -> dict[str, bytes]:
    public = root / "public"
    return {p.name: p.read_bytes() for p in sorted(public.glob("*.xml")) if p.name != "sitemap.xml"}


def atom_links(xml: bytes) -> dict[str, str]:
    channel = etree.fromstring(xml).find("channel")
    assert channel is not None
    return {link.get("rel"): link.get("href") for link in channel.iterfind(f"{{{ATOM_NS}}}link")}


def guids(xml: bytes) -> list[str]:
    parsed = podcastparser.parse("https://cdn.example.org/show/x.xml", io.BytesIO(xml))
    return [episode["guid"] for episode in parsed["episodes"]]


def test_feed_keeps_the_newest_and_archive_pages_hold_the_rest(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 7, "max_items = 3\n")
    build(root)
    docs = documents(root)
    assert sorted(docs) == ["feed-archive-1.xml", "feed-archive-2.xml", "feed.xml"]
    assert guids(docs["feed.xml"]) == ["guid-07", "guid-06", "guid-05"]
    assert guids(docs["feed-archive-1.xml"]) == ["guid-03", "guid-02", "guid-01"]  # the oldest, newest first
    assert guids(docs["feed-archive-2.xml"]) == ["guid-04"]

    feed, first, second = (atom_links(docs[k]) for k in ("feed.xml", "feed-archive-1.xml", "feed-archive-2.xml"))
    assert feed == {"self": BASE_URL + "feed.xml", "prev-archive": BASE_URL + "feed-archive-2.xml"}
    assert first == {
        "self": BASE_URL + "feed-archive-1.xml", "current": BASE_URL + "feed.xml",
        "next-archive": BASE_URL + "feed-archive-2.xml",
    }  # fmt: skip
    assert second == {
        "self": BASE_URL + "feed-archive-2.xml", "current": BASE_URL + "feed.xml",
        "prev-archive": BASE_URL + "feed-archive-1.xml",
    }  # fmt: skip
    for key in ("feed-archive-1.xml", "feed-archive-2.xml"):
        assert etree.fromstring(docs[key]).find(f"channel/{{{FH_NS}}}archive") is not None
    assert etree.fromstring(docs["feed.xml"]).find(f"channel/{{{FH_NS}}}archive") is None


def test_every_document_parses_with_podcastparser_and_feedparser(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 7, 'max_items = 3\ncomplete_feed = "feed-complete.xml"\n')
    build(root)
    docs = documents(root)
    seen: list[str] = []
    for key, xml in docs.items():
        parsed = feedparser.parse(xml)
        assert not parsed.bozo, (key, parsed.get("bozo_exception"))
        assert parsed.feed.title == "Test & Show"
        from_feedparser = [entry.id for entry in parsed.entries]
        from_podcastparser = guids(xml)
        assert from_feedparser == from_podcastparser
        assert all(entry.enclosures for entry in parsed.entries)
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels["self"] == BASE_URL + key
        if key != "feed-complete.xml":
            seen += from_podcastparser
    assert sorted(seen) == [f"guid-{n:02d}" for n in range(1, 8)]  # every episode once, in feed or archive
    assert sorted(guids(docs["feed-complete.xml"])) == sorted(seen)


def test_the_complete_feed_holds_everything_and_says_so(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 4, 'max_items = 2\ncomplete_feed = "feed-complete.xml"\n')
    build(root)
    xml = (root / "public" / "feed-complete.xml").read_bytes()
    assert guids(xml) == ["guid-04", "guid-03", "guid-02", "guid-01"]
    assert etree.fromstring(xml).find(f"channel/{{{FH_NS}}}complete") is not None
    assert atom_links(xml) == {"self": BASE_URL + "feed-complete.xml"}


def test_a_new_episode_changes_feed_xml_and_the_newest_page_only(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 11, "max_items = 3\n")  # archive [1-3], [4-6], [7, 8]; feed 9-11
    build(root)
    before = documents(root)
    assert guids(before["feed-archive-3.xml"]) == ["guid-08", "guid-07"]
    add_episode(root, 12)
    result = build(root)
    after = documents(root)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["feed-archive-3.xml", "feed.xml"]
    assert {u.key for u in result.report.uploaded} >= {"feed.xml", "feed-archive-3.xml"}
    assert not {archive_key(1), archive_key(2)} & {u.key for u in result.report.uploaded}


def test_a_full_newest_page_starts_a_new_one(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 5, "max_items = 2\n")  # archive: [1, 2], [3]
    build(root)
    before = documents(root)
    add_episode(root, 6)  # 4 leaves feed.xml: [1, 2], [3, 4]
    build(root)
    middle = documents(root)
    assert sorted(k for k in middle if middle[k] != before.get(k)) == ["feed-archive-2.xml", "feed.xml"]
    add_episode(root, 7)  # 5 leaves feed.xml: [1, 2], [3, 4], [5]
    build(root)
    after = documents(root)
    assert sorted(k for k in after if after[k] != middle.get(k)) == [
        "feed-archive-2.xml", "feed-archive-3.xml", "feed.xml",
    ]  # fmt: skip
    assert atom_links(after["feed-archive-2.xml"])["next-archive"] == BASE_URL + "feed-archive-3.xml"
    assert after["feed-archive-1.xml"] == before["feed-archive-1.xml"]


def test_without_paging_or_with_room_the_feed_is_the_plain_one(tmp_path: Path) -> None:
    plain = make_show(tmp_path / "plain", 3)
    roomy = make_show(tmp_path / "roomy", 3, "max_items = 3\n")
    build(plain)
    build(roomy)
    assert documents(plain) == documents(roomy) == {"feed.xml": documents(plain)["feed.xml"]}
    assert b"syndication/history" not in documents(plain)["feed.xml"]


def test_archive_pages_are_published_with_the_feed_after_the_media(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 5, 'max_items = 2\ncomplete_feed = "feed-complete.xml"\n')
    ws = pipeline.open_show(root)
    result = pipeline.build(ws, now=NOW)
    target = tmp_path / "site"
    from podpub.storage.local import LocalTarget

    plan = pipeline.publish_plan(ws, result, LocalTarget(target))
    pages = {u.key for u in plan.pages}
    assert {archive_key(1), archive_key(2), "feed-complete.xml"} <= pages
    assert not pages & {u.key for u in plan.files}
    assert plan.feed is not None and plan.feed.key == "feed.xml"


def test_every_document_passes_podpubs_own_validation(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 5, 'max_items = 2\ncomplete_feed = "feed-complete.xml"\n')
    build(root)
    public = root / "public"
    for key in documents(root):
        checked = check_feed_file(public / key, expected_url=BASE_URL + key, local=LocalFiles(BASE_URL, public))
        errors = [f for f in checked.findings if f.rule.severity is Severity.ERROR]
        assert errors == [], (key, [f.one_line() for f in errors])


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("max_items = 0\n", "max_items"),
        ('max_items = "ten"\n', "max_items"),
        ('complete_feed = "feed.xml"\n', "complete_feed"),
        ('complete_feed = "feed-archive-2.xml"\n', "complete_feed"),
        ('complete_feed = "all/feed.xml"\n', "complete_feed"),
        ('complete_feed = "complete.rss"\n', "complete_feed"),
    ],
)
def test_bad_paging_keys_are_refused(tmp_path: Path, keys: str, message: str) -> None:
    root = make_show(tmp_path / "show", 1, keys)
    with pytest.raises(ConfigError, match=message):
        load_show_in(root)


def test_archive_key_is_refused_as_complete_feed() -> None:
    from podpub.podcasts.config import check_feed_file

    assert check_feed_file(archive_key(12)) is not None
    assert check_feed_file("feed-complete.xml") is None


def test_publish_checks_the_archive_pages_too(tmp_path: Path) -> None:
    from podpub.errors import OperationError
    from podpub.validation.run import archive_pages, gate_publish

    root = make_show(tmp_path / "show", 5, "max_items = 2\n")
    build(root)
    public = root / "public"
    assert [p.name for p, _ in archive_pages(public / "feed.xml", LocalFiles(BASE_URL, public))] == [
        "feed-archive-2.xml", "feed-archive-1.xml",
    ]  # fmt: skip
    assert gate_publish(public / "feed.xml", BASE_URL + "feed.xml", force=False) is None
    page = public / "feed-archive-1.xml"
    page.write_bytes(page.read_bytes().replace(b">false</itunes:explicit>", b">fals3</itunes:explicit>"))
    with pytest.raises(OperationError, match=r"feed-archive-1\.xml: apple\.explicit\.value"):
        gate_publish(public / "feed.xml", BASE_URL + "feed.xml", force=False)


def test_a_loop_of_archive_links_ends(tmp_path: Path) -> None:
    from podpub.validation.run import archive_pages

    root = make_show(tmp_path / "show", 5, "max_items = 2\n")
    build(root)
    public = root / "public"
    page = public / "feed-archive-1.xml"
    text = page.read_bytes().replace(b'rel="next-archive"', b'rel="prev-archive"')  # points back at page 2
    page.unlink()  # a new file: the staged copy is left alone
    page.write_bytes(text)
    pages = [p.name for p, _ in archive_pages(public / "feed.xml", LocalFiles(BASE_URL, public))]
    assert pages == ["feed-archive-2.xml", "feed-archive-1.xml"]
