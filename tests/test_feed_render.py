"""The feed as the three kinds of readers see it: a strict XML parser, podcastparser (gPodder) and
feedparser. A feed that one of them misreads loses listeners, so each fact is checked through each.

Known client quirks are pinned on purpose: if a parser release changes them, the test says so.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import podcastparser
import pytest
from lxml import etree

from podpub import __version__
from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.model import Episode
from podpub.feeds.extension import ATOM_NS, CONTENT_NS, ITUNES_NS, PODCAST_NS
from podpub.feeds.notes import render_notes, summary_html
from podpub.feeds.render import FeedEpisode, duration_seconds, render_feed
from podpub.feeds.text import clean_line, clean_text
from podpub.podcasts.model import Category, PublishSettings, Show

BASE_URL = "https://cdn.example.org/show/"
FEED_URL = BASE_URL + "feed.xml"
COVER = BASE_URL + "artwork/cover-1.jpg"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS}
PARIS = timezone(timedelta(hours=2))
STRICT = etree.XMLParser(recover=False, resolve_entities=False)


# --- builders ------------------------------------------------------------------------------------------


def make_show(root: Path, **overrides: Any) -> Show:
    values: dict[str, Any] = {
        "root": root,
        "title": "Test & Show",
        "description": "A show for tests.",
        "language": "fr",
        "author": "Ana Author",
        "owner_name": "Ana Owner",
        "owner_email": "owner@example.org",
        "categories": (Category("Society & Culture", "Documentary"), Category("Technology")),
        "explicit": False,
        "type": "episodic",
        "guid": "9b024349-ccf0-5f69-a609-6b82873eab3c",
        "locked": True,
        "publish": PublishSettings(base_url=BASE_URL),
        "link": "https://example.org/",
        "copyright": "Ana Author",
    }
    values.update(overrides)
    return Show(**values)


def make_media(size: int = 1_234_567, duration: float = 1800.4, mime: str = "audio/mpeg") -> MediaInfo:
    return MediaInfo(
        format="MP3",
        mime_type=mime,
        extension=".mp3",
        size=size,
        duration=duration,
        exact_duration=True,
    )


def make_item(root: Path, n: int, date: datetime, **overrides: Any) -> FeedEpisode:
    media = overrides.pop("media", make_media(size=1_000_000 + n, duration=600.0 + n))
    image_url = overrides.pop("image_url", None)
    link = overrides.pop("link", None)
    values: dict[str, Any] = {
        "source": root / "episodes" / f"{n:04d}-episode-{n}.md",
        "guid": f"urn:podpub:test:{n}",
        "title": f"Episode {n}",
        "date": date,
        "audio": root / "media" / f"episode-{n}.mp3",
        "notes": f"Notes for **episode {n}**.",
        "media": media,
    }
    values.update(overrides)
    return FeedEpisode(
        episode=Episode(**values),
        enclosure_url=f"{BASE_URL}media/episode-{n}.mp3",
        image_url=image_url,
        link=link,
    )


def three_items(root: Path) -> list[FeedEpisode]:
    """Deliberately out of order, one with a Paris offset, one explicit, one with art and a page."""
    return [
        make_item(root, 1, datetime(2024, 1, 5, 8, 0, tzinfo=UTC), season=1, number=1),
        make_item(
            root,
            3,
            datetime(2024, 3, 1, 18, 30, tzinfo=PARIS),
            explicit=True,
            type="bonus",
            image_url=BASE_URL + "artwork/ep3.png",
            link="https://example.org/ep3",
        ),
        make_item(root, 2, datetime(2024, 2, 1, 12, 0, tzinfo=UTC), media=make_media(duration=2.5)),
    ]


def parse_strict(feed: bytes) -> etree._Element:
    return etree.fromstring(feed, STRICT)


def podcastparser_parse(feed: bytes) -> dict[str, Any]:
    return podcastparser.parse(FEED_URL, io.BytesIO(feed))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "show"


@pytest.fixture
def show(root: Path) -> Show:
    return make_show(root)


# --- the document --------------------------------------------------------------------------------------


def test_declaration_namespaces_and_strict_parse(show: Show, root: Path) -> None:
    feed = render_feed(show, three_items(root), image_url=COVER)
    assert feed.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss ')
    rss = parse_strict(feed)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert rss.nsmap == NS  # exact conventional prefixes (AntennaPod matches on prefix too)


def test_channel_fields(show: Show, root: Path) -> None:
    channel = parse_strict(render_feed(show, three_items(root), image_url=COVER))[0]
    assert channel.findtext("title") == "Test & Show"
    assert channel.findtext("link") == "https://example.org/"  # the site, not the feed URL
    assert channel.findtext("description") == "A show for tests."
    assert channel.findtext("language") == "fr"
    assert channel.findtext("copyright") == "Ana Author"
    assert channel.findtext("generator") == f"podpub {__version__}"
    newest = "Fri, 01 Mar 2024 16:30:00 GMT"  # 18:30 Paris
    assert channel.findtext("lastBuildDate") == newest
    assert channel.findtext("pubDate") == newest
    (self_link,) = channel.findall("atom:link", NS)
    assert self_link.attrib == {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"}
    assert channel.findtext("itunes:author", namespaces=NS) == "Ana Author"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Ana Owner"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "owner@example.org"
    assert channel.find("itunes:image", NS).get("href") == COVER
    assert [channel.findtext(f"image/{t}") for t in ("url", "title", "link")] == [
        COVER,
        "Test & Show",
        "https://example.org/",
    ]
    cats = channel.findall("itunes:category", NS)
    assert [c.get("text") for c in cats] == ["Society & Culture", "Technology"]
    assert [c.get("text") for c in cats[0]] == ["Documentary"]
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext(f"{{{PODCAST_NS}}}guid") == show.guid
    locked = channel.find(f"{{{PODCAST_NS}}}locked")
    assert locked is not None and locked.text == "yes" and locked.get("owner") == "owner@example.org"


def test_category_ampersand_is_escaped_in_the_bytes(show: Show, root: Path) -> None:
    feed = render_feed(show, [], image_url=COVER)
    assert b'<itunes:category text="Society &amp; Culture">' in feed


def test_link_defaults_to_base_url_and_optional_fields_are_omitted(root: Path) -> None:
    show = make_show(root, link=None, copyright=None, locked=False, explicit=True)
    channel = parse_strict(render_feed(show, [], image_url=None))[0]
    assert channel.findtext("link") == BASE_URL
    assert channel.find("copyright") is None
    assert channel.find("image") is None and channel.find("itunes:image", NS) is None
    assert channel.findtext("itunes:explicit", namespaces=NS) == "true"
    assert channel.findtext(f"{{{PODCAST_NS}}}locked") == "no"


def test_no_items_no_dates(show: Show) -> None:
    """No clock is read: without episodes there is no date to give, so none is written."""
    channel = parse_strict(render_feed(show, [], image_url=COVER))[0]
    assert channel.find("lastBuildDate") is None
    assert channel.find("pubDate") is None
    assert channel.findall("item") == []


def test_items_in_xml(show: Show, root: Path) -> None:
    items = three_items(root)
    channel = parse_strict(render_feed(show, items, image_url=COVER))[0]
    xml_items = channel.findall("item")
    assert [i.findtext("guid") for i in xml_items] == [
        "urn:podpub:test:3",
        "urn:podpub:test:2",
        "urn:podpub:test:1",
    ]
    by_guid = {i.episode.guid: i for i in items}
    for el in xml_items:
        item = by_guid[el.findtext("guid")]
        ep, media = item.episode, item.episode.media
        assert media is not None
        assert el.find("guid").get("isPermaLink") == "false"
        assert el.findtext("title") == ep.title
        assert el.findtext("itunes:title", namespaces=NS) == ep.title
        assert el.find("enclosure").attrib == {
            "url": item.enclosure_url,
            "length": str(media.size),
            "type": media.mime_type,
        }
        assert parsedate_to_datetime(el.findtext("pubDate")) == ep.date
        assert el.findtext("pubDate").endswith(" GMT")
        assert el.findtext("itunes:duration", namespaces=NS) == str(duration_seconds(media.duration))
        assert el.findtext("itunes:episodeType", namespaces=NS) == ep.type
        expected_explicit = "true" if ep.explicit else "false"  # None inherits the show's False
        assert el.findtext("itunes:explicit", namespaces=NS) == expected_explicit
        assert el.findtext("link") == item.link
        image = el.find("itunes:image", NS)
        assert (image.get("href") if image is not None else None) == item.image_url
    first = xml_items[2]
    assert first.findtext("itunes:season", namespaces=NS) == "1"
    assert first.findtext("itunes:episode", namespaces=NS) == "1"
    assert xml_items[1].find("itunes:season", NS) is None
    assert xml_items[1].findtext("itunes:duration", namespaces=NS) == "3"  # 2.5 rounds half up


def test_description_and_content_are_cdata(show: Show, root: Path) -> None:
    feed = render_feed(show, three_items(root), image_url=COVER)
    assert b"<description><![CDATA[<p>Notes for <strong>episode 1</strong>.</p>]]></description>" in feed
    assert b"<content:encoded><![CDATA[<p>Notes for <strong>episode 1</strong>.</p>]]></content:encoded>" in feed


def test_empty_notes_description_is_the_title(show: Show, root: Path) -> None:
    item = make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), notes="  \n", title="A & B <c>")
    el = parse_strict(render_feed(show, [item], image_url=COVER))[0].find("item")
    assert el.findtext("description") == "A &amp; B &lt;c&gt;"  # HTML-escaped, so apps show the text
    assert el.find("content:encoded", NS) is None


def test_duration_rounds_half_up() -> None:
    assert [duration_seconds(x) for x in (0.0, 0.49, 0.5, 2.5, 1800.4, 1800.5, 3599.9)] == [
        0,
        0,
        1,
        3,
        1800,
        1801,
        3600,
    ]


def test_episodic_ties_are_broken_by_guid(show: Show, root: Path) -> None:
    same = datetime(2024, 1, 1, 12, tzinfo=UTC)
    items = [make_item(root, n, same, guid=g) for n, g in ((1, "b"), (2, "c"), (3, "a"))]
    channel = parse_strict(render_feed(show, items, image_url=COVER))[0]
    assert [i.findtext("guid") for i in channel.findall("item")] == ["a", "b", "c"]


def test_serial_order(root: Path) -> None:
    """Serial: season, number, date ascending; the show trailer (no season, no number) first."""
    show = make_show(root, type="serial")
    day = datetime(2024, 1, 1, tzinfo=UTC)
    items = [
        make_item(root, 1, day + timedelta(days=9), season=2, number=1),
        make_item(root, 2, day + timedelta(days=1), season=1, number=2),
        make_item(root, 3, day + timedelta(days=5), season=1, number=1),
        make_item(root, 4, day + timedelta(days=20), type="trailer"),
        make_item(root, 5, day + timedelta(days=2), season=2, number=2),
    ]
    feed = render_feed(show, items, image_url=COVER)
    channel = parse_strict(feed)[0]
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    expected = ["urn:podpub:test:4", *(f"urn:podpub:test:{n}" for n in (3, 2, 1, 5))]
    assert [i.findtext("guid") for i in channel.findall("item")] == expected
    assert [e.id for e in feedparser.parse(feed).entries] == expected  # document order


def test_identical_inputs_identical_bytes(root: Path) -> None:
    first = render_feed(make_show(root), three_items(root), image_url=COVER)
    again = render_feed(make_show(root), three_items(root), image_url=COVER)
    shuffled = render_feed(make_show(root), list(reversed(three_items(root))), image_url=COVER)
    assert first == again == shuffled


@pytest.mark.parametrize(
    "url",
    [
        BASE_URL + "cover.webp",
        BASE_URL + "cover.jpg?v=2",
        BASE_URL + "cover",
        "artwork/cover.jpg",
        "ftp://example.org/cover.jpg",
    ],
)
def test_bad_artwork_urls_raise(show: Show, root: Path, url: str) -> None:
    """feedgen would silently drop such a channel image; a feed without art is refused by Apple."""
    with pytest.raises(ValueError):
        render_feed(show, [], image_url=url)
    with pytest.raises(ValueError):
        render_feed(show, [make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), image_url=url)], image_url=None)


def test_jpeg_artwork_is_accepted(show: Show) -> None:
    channel = parse_strict(render_feed(show, [], image_url=BASE_URL + "cover.JPEG"))[0]
    assert channel.find("itunes:image", NS).get("href") == BASE_URL + "cover.JPEG"


def test_episode_without_media_is_refused(show: Show, root: Path) -> None:
    item = make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), media=None)
    with pytest.raises(ValueError, match="media"):
        render_feed(show, [item], image_url=COVER)


# --- what the clients see ------------------------------------------------------------------------------


def test_podcastparser_reads_every_episode(show: Show, root: Path) -> None:
    items = three_items(root)
    parsed = podcastparser_parse(render_feed(show, items, image_url=COVER))
    assert parsed["title"] == "Test & Show"
    assert parsed["link"] == "https://example.org/"
    assert parsed["cover_url"] == COVER
    assert parsed["itunes_owner"] == {"name": "Ana Owner", "email": "owner@example.org"}
    assert parsed["itunes_categories"] == [["Society & Culture", "Documentary"], ["Technology"]]
    assert parsed["explicit"] is False
    assert parsed["type"] == "episodic"
    episodes = parsed["episodes"]
    assert [e["guid"] for e in episodes] == ["urn:podpub:test:3", "urn:podpub:test:2", "urn:podpub:test:1"]
    by_guid = {i.episode.guid: i for i in items}
    for got in episodes:
        item = by_guid[got["guid"]]
        media = item.episode.media
        assert media is not None
        assert got["title"] == item.episode.title
        assert got["enclosures"] == [{"url": item.enclosure_url, "file_size": media.size, "mime_type": media.mime_type}]
        assert got["total_time"] == duration_seconds(media.duration)
        assert got["published"] == int(item.episode.date.timestamp())
        assert got["explicit"] is bool(item.episode.explicit)
        assert got["type"] == item.episode.type
    assert episodes[0]["episode_art_url"] == BASE_URL + "artwork/ep3.png"
    assert episodes[0]["link"] == "https://example.org/ep3"
    assert (episodes[2]["season"], episodes[2]["number"]) == (1, 1)
    assert episodes[2]["description_html"] == "<p>Notes for <strong>episode 1</strong>.</p>"


def test_podcastparser_quirk_ignores_the_official_podcast_namespace(show: Show) -> None:
    """Pinned: podcastparser 0.6.x only maps the legacy GitHub URI, so `podcast:locked yes` is not seen
    (no `import_prohibited`). We still use the official URI, as the namespace requires."""
    feed = render_feed(show, [], image_url=COVER)
    assert "import_prohibited" not in podcastparser_parse(feed)
    legacy = feed.replace(
        PODCAST_NS.encode(), b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    )
    assert podcastparser_parse(legacy)["import_prohibited"] is True


def test_feedparser_reads_every_episode(show: Show, root: Path) -> None:
    items = three_items(root)
    d = feedparser.parse(render_feed(show, items, image_url=COVER))
    assert not d.bozo, d.get("bozo_exception")
    assert d.feed.title == "Test & Show"
    assert [t.term for t in d.feed.tags] == ["Society & Culture", "Documentary", "Technology"]
    assert d.feed.podcast_guid == show.guid
    assert [e.id for e in d.entries] == ["urn:podpub:test:3", "urn:podpub:test:2", "urn:podpub:test:1"]
    by_guid = {i.episode.guid: i for i in items}
    for entry in d.entries:
        item = by_guid[entry.id]
        media = item.episode.media
        assert media is not None
        assert entry.guidislink is False
        assert [(x.href, x.length, x.type) for x in entry.enclosures] == [
            (item.enclosure_url, str(media.size), media.mime_type)
        ]
        assert entry.itunes_duration == str(duration_seconds(media.duration))
        assert calendar.timegm(entry.published_parsed) == int(item.episode.date.timestamp())
        assert entry.itunes_episodetype == item.episode.type
    assert d.entries[0].image.href == BASE_URL + "artwork/ep3.png"
    assert d.entries[2].content[0].value == "<p>Notes for <strong>episode 1</strong>.</p>"


def test_feedparser_quirks(show: Show, root: Path) -> None:
    """Pinned: feedparser maps only yes/clean for itunes:explicit (true/false → None), and turns an
    unknown-namespace element with attributes into its attribute dict, losing `yes`."""
    d = feedparser.parse(render_feed(show, three_items(root), image_url=COVER))
    assert d.feed.itunes_explicit is None
    assert all(e.itunes_explicit is None for e in d.entries)
    assert d.feed.podcast_locked == {"owner": "owner@example.org"}
    xml = parse_strict(render_feed(show, three_items(root), image_url=COVER))
    explicit = [el.text for el in xml.iter(f"{{{ITUNES_NS}}}explicit")]
    assert explicit == ["false", "true", "false", "false"]  # channel, then items 3, 2, 1


# --- hostile text --------------------------------------------------------------------------------------

HOSTILE = "Ça ]]> & <script>alert(1)</script>\x01\x1b 🎙️ «fin»"
HOSTILE_CLEAN = "Ça ]]> & <script>alert(1)</script> 🎙️ «fin»"


def test_hostile_text_round_trips(root: Path) -> None:
    show = make_show(root, title=HOSTILE, description=HOSTILE, author=HOSTILE, copyright=HOSTILE)
    notes = (
        f"# {HOSTILE}\n\n{HOSTILE} [ok](notes/page.html) [bad](javascript:alert(1))"
        " <img src=x onerror=alert(1)> ![pic](pic.png)\n\n```\n]]> code\n```\n"
    )
    item = make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), title=HOSTILE, notes=notes)
    feed = render_feed(show, [item], image_url=COVER)

    channel = parse_strict(feed)[0]
    assert channel.findtext("title") == HOSTILE_CLEAN
    assert channel.findtext("description") == HOSTILE_CLEAN
    assert channel.findtext("itunes:author", namespaces=NS) == HOSTILE_CLEAN
    assert channel.findtext("copyright") == HOSTILE_CLEAN
    el = channel.find("item")
    assert el.findtext("title") == HOSTILE_CLEAN
    assert el.findtext("itunes:title", namespaces=NS) == HOSTILE_CLEAN

    for html_text in (el.findtext("description"), el.findtext("content:encoded", namespaces=NS)):
        doc = lxml.html.fragment_fromstring(html_text, create_parent="div")
        assert doc.findall(".//script") == []  # raw HTML is sanitized: the script and its text are gone
        assert "alert(1)</script>" not in html_text and "<script" not in html_text
        assert not [e for e in doc.iter() if any(a.startswith("on") for a in e.attrib)]
        assert "Ça ]]> & 🎙️ «fin»" in " ".join(doc.text_content().split())
        assert "]]> code" in doc.text_content()
        hrefs = [a.get("href") for a in doc.iter("a")]
        assert hrefs == [BASE_URL + "notes/page.html"]  # absolute; javascript: dropped
        assert "[bad](javascript:alert(1))" in doc.text_content()  # markdown-it leaves it as plain text
    content = lxml.html.fragment_fromstring(el.findtext("content:encoded", namespaces=NS), create_parent="div")
    # the pasted <img> keeps no onerror and gets an absolute src, like the Markdown image
    assert [i.get("src") for i in content.iter("img")] == [BASE_URL + "x", BASE_URL + "pic.png"]

    assert podcastparser_parse(feed)["episodes"][0]["title"] == HOSTILE_CLEAN
    d = feedparser.parse(feed)
    assert not d.bozo
    assert d.entries[0].title == HOSTILE_CLEAN


def test_long_french_notes_fit_in_4000_bytes(show: Show, root: Path) -> None:
    paragraph = (
        "Élève à l'école, Hélène étudiait l'été près du lac où les cœurs s'enflamment ; "
        "ça déçoit, mais où est passé le garçon français ? "
    )
    blocks = []
    while len("\n\n".join(blocks).encode()) < 10_000:
        blocks.append(paragraph * 3)
    notes = "\n\n".join(blocks)
    assert len(notes.encode()) >= 10_000
    item = make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), notes=notes)
    el = parse_strict(render_feed(show, [item], image_url=COVER))[0].find("item")
    description = el.findtext("description")
    assert len(description.encode("utf-8")) <= 4000
    assert len(description.encode("utf-8")) > 2000  # not thrown away
    fragment = etree.fromstring(f"<div>{description}</div>", STRICT)  # well-formed even as XML
    assert {e.tag for e in fragment.iter()} <= {"div", "p"}
    assert description.endswith("</p>")
    content = el.findtext("content:encoded", namespaces=NS)
    assert len(content.encode("utf-8")) > 10_000  # the full notes are kept here


# --- notes and summaries -------------------------------------------------------------------------------


def test_render_notes_links() -> None:
    out = render_notes(
        "[a](page.html) [b](/root.html) [c](https://x.org/) [d](mailto:a@x.org) [e](javascript:x) "
        "[f](data:text/html,x) [g](ftp://x.org/f) ![i](img/p.jpg)",
        BASE_URL,
    )
    doc = lxml.html.fragment_fromstring(out, create_parent="div")
    assert [a.get("href") for a in doc.iter("a")] == [
        BASE_URL + "page.html",
        "https://cdn.example.org/root.html",
        "https://x.org/",
        "mailto:a@x.org",
    ]
    assert "ftp://" not in out and "</a></a>" not in out
    assert [i.get("src") for i in doc.iter("img")] == [BASE_URL + "img/p.jpg"]


def test_render_notes_without_base_drops_relative_links() -> None:
    assert render_notes("[a](page.html) [b](https://x.org/)") == '<p>a <a href="https://x.org/">b</a></p>'


def test_summary_allowed_tags_only() -> None:
    html_in = (
        '<h2 id="t">Title</h2><p class="x" style="color:red">A <code>b</code> <em>c</em>'
        ' <a href="https://x.org/" title="t" onclick="y">d</a> <a href="javascript:z">e</a>'
        '<br><img src="https://x.org/i.jpg"></p><blockquote><p>q</p></blockquote>'
        "<script>alert(1)</script><ul><li><b>l</b></li></ul><table><tr><td>t1</td><td>t2</td></tr></table>"
    )
    out = summary_html(html_in)
    assert out == (
        '<p>Title</p><p>A b <em>c</em> <a href="https://x.org/">d</a> e<br /></p><p>q</p>\n'
        "<ul><li><b>l</b></li></ul>t1\nt2"
    )
    etree.fromstring(f"<div>{out}</div>", STRICT)


@pytest.mark.parametrize("limit", [30, 50, 64, 100, 157, 400])
def test_summary_cut_is_well_formed(limit: int) -> None:
    html_in = render_notes(
        "Intro: *ça & va* 🎙️🎙️ [lien](https://x.org/a?b=1&c=2) fin.\n\n- un élément\n- deux & trois\n\n"
        + "Dernier paragraphe très long " * 20
    )
    out = summary_html(html_in, limit)
    assert 0 < len(out.encode()) <= limit
    etree.fromstring(f"<div>{out}</div>", STRICT)  # no cut tag, entity or character
    assert out.encode().decode("utf-8") == out


def test_summary_prefers_block_boundaries() -> None:
    first = "<p>" + "mot " * 300 + "</p>"  # 1207 bytes
    second = "<p>" + "autre " * 100 + "</p>"
    assert summary_html(first + second, 1500) == first


def test_summary_cuts_at_a_word_with_ellipsis() -> None:
    out = summary_html("<p>un deux trois quatre cinq</p>", 24)
    assert out == "<p>un deux trois…</p>"


def test_summary_cuts_a_giant_word_between_characters() -> None:
    out = summary_html("<p>" + "é" * 3000 + "</p>", 100)
    assert out == "<p>" + "é" * 45 + "…</p>"  # 3 + 45 * 2 + 3 + 4 = 100 bytes
    assert len(out.encode()) <= 100


def test_summary_of_nothing() -> None:
    assert summary_html("") == ""
    assert summary_html("  <img src='https://x.org/a.jpg'> ") == ""


def test_clean_text() -> None:
    assert clean_text(" a\x00b\x01\x08\tc\nd\re\x1b\x7f\ufffe\uffff\ud800z ") == "ab\tc\nd\rez"
    # C1 controls are mojibake that clients show as Windows-1252 (U+0086 as "†"); NEL is a line break
    assert clean_text("a\x80b\x86c\x9fd\x85e") == "abcd\ne"
    assert clean_line(" a \n\t b\x1b ") == "a b"


def test_no_break_spaces_survive(show: Show, root: Path) -> None:
    """French typography puts U+00A0/U+202F before « : ? ! »; they are text, not collapsible space."""
    title = "Quoi\u202f? «\u00a0Tout\u00a0» : oui"
    notes = "Alors\u202f? «\u00a0Rien\u00a0»\n\n" + "mot " * 2000
    item = make_item(root, 1, datetime(2024, 1, 1, tzinfo=UTC), title=title, notes=notes)
    el = parse_strict(render_feed(show, [item], image_url=COVER))[0].find("item")
    assert el.findtext("title") == title
    assert el.findtext("description").startswith("<p>Alors\u202f? «\u00a0Rien\u00a0»</p>")
    assert clean_line("a\u00a0\n b") == "a\u00a0 b"


def test_render_is_pure_with_respect_to_the_show_object(show: Show, root: Path) -> None:
    """A replace()d Show with equal fields renders the same bytes: nothing depends on identity."""
    items = three_items(root)
    assert render_feed(show, items, image_url=COVER) == render_feed(replace(show), items, image_url=COVER)
