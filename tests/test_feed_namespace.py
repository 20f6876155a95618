"""The Podcasting 2.0 (`podcast:`) tags, Podlove Simple Chapters and the rarer Apple tags in the feed.

Checked with a strict XML parser (exact namespace URIs, prefixes, attributes, counts and order) and
through podcastparser and feedparser, whose known gaps are pinned: if a release starts (or stops)
reading a tag, the test says so and the choice of what to write can be revisited.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from lxml import etree

from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.model import Episode
from podpub.feeds.extension import ATOM_NS, CONTENT_NS, ITUNES_NS, PODCAST_NS, PSC_NS, tag
from podpub.feeds.render import (
    FeedAlternate,
    FeedChapter,
    FeedEpisode,
    FeedTranscript,
    iso8601,
    npt,
    render_feed,
    seconds_text,
    sri_sha256,
)
from podpub.namespace import (
    Funding,
    License,
    Location,
    Person,
    SocialInteract,
    Soundbite,
    Txt,
    UpdateFrequency,
)
from podpub.podcasts.model import Category, PublishSettings, Show

BASE_URL = "https://cdn.example.org/show/"
FEED_URL = BASE_URL + "feed.xml"
COVER = BASE_URL + "artwork/cover.jpg"
LEGACY_PODCAST_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS, "psc": PSC_NS}
STRICT = etree.XMLParser(recover=False, resolve_entities=False)
DAY = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

# A known digest, computed independently of the code under test.
OPUS_BYTES = b"podpub opus alternate"
OPUS_SHA256 = hashlib.sha256(OPUS_BYTES).hexdigest()

HOST = Person("Ana Host", role="Host", group="Cast", img="https://example.org/ana.jpg", href="https://example.org/ana")
COHOST = Person("Cy Cohost", role="cohost")
GUEST = Person("Bob Guest", role="Guest", href="https://example.org/bob")


# --- builders ------------------------------------------------------------------------------------------


def make_show(root: Path, **overrides: Any) -> Show:
    """A show with none of the Podcasting 2.0 fields set unless `overrides` gives them."""
    values: dict[str, Any] = {
        "root": root,
        "title": "Namespace Show",
        "description": "A show for namespace tests.",
        "language": "fr",
        "author": "Ana Author",
        "owner_name": "Ana Owner",
        "owner_email": "owner@example.org",
        "categories": (Category("Technology"),),
        "explicit": False,
        "type": "episodic",
        "guid": "9b024349-ccf0-5f69-a609-6b82873eab3c",
        "locked": True,
        "publish": PublishSettings(base_url=BASE_URL),
    }
    values.update(overrides)
    return Show(**values)


def full_show(root: Path, **overrides: Any) -> Show:
    """Every channel-level field set."""
    values: dict[str, Any] = {
        "medium": "music",
        "license": License("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
        "persons": (HOST, COHOST),
        "funding": (
            Funding("https://pay.example.org/ana", "Support the show"),
            Funding("https://tip.example/a", "Tip"),
        ),
        "txts": (Txt("verify-123", "applepodcastsverify"), Txt("free text")),
        "location": Location("Paris", geo="geo:48.8566,2.3522", osm="R7444", country="FR", rel="creator"),
        "social": (
            SocialInteract(
                "activitypub",
                "https://podcasts.social/@ana/1",
                account_id="@ana@podcasts.social",
                account_url="https://podcasts.social/@ana",
                priority=1,
            ),
            SocialInteract("disabled", "https://example.org/"),
        ),
        "update_frequency": UpdateFrequency(
            "Toutes les deux semaines",
            rrule="FREQ=WEEKLY;INTERVAL=2",
            dtstart=datetime(2025, 1, 6, 9, 30, tzinfo=timezone(timedelta(hours=1))),
            complete=False,
        ),
        "season_names": {1: "Les débuts", 2: "La suite"},
        "new_feed_url": "https://new.example.org/feed.xml",
        "block": True,
        "complete": True,
    }
    values.update(overrides)
    return make_show(root, **values)


def make_item(
    root: Path, n: int, date: datetime = DAY, *, feed: dict[str, Any] | None = None, **ep: Any
) -> FeedEpisode:
    """An episode (fields from `ep`) wrapped as a FeedEpisode (fields from `feed`)."""
    values: dict[str, Any] = {
        "source": root / "episodes" / f"{n:04d}-episode-{n}.md",
        "guid": f"urn:podpub:ns:{n}",
        "title": f"Episode {n}",
        "date": date,
        "audio": root / "media" / f"episode-{n}.mp3",
        "notes": f"Notes {n}.",
        "media": MediaInfo(
            format="MP3",
            mime_type="audio/mpeg",
            extension=".mp3",
            size=2_000_000 + n,
            duration=900.0,
            exact_duration=True,
        ),
    }
    values.update(ep)
    return FeedEpisode(episode=Episode(**values), enclosure_url=f"{BASE_URL}media/episode-{n}.mp3", **(feed or {}))


CHAPTERS = (  # deliberately unsorted
    FeedChapter(3725.25, "Fin", href="https://example.org/fin", image="https://example.org/fin.jpg"),
    FeedChapter(0, "Intro"),
    FeedChapter(187.5, "Sujet & débat"),
)
TRANSCRIPTS = (
    FeedTranscript(BASE_URL + "t/ep1.vtt", "text/vtt", captions=True),
    FeedTranscript(BASE_URL + "t/ep1.en.srt", "application/x-subrip", language="en"),
    FeedTranscript(BASE_URL + "t/ep1.html", "text/html"),
)
ALTERNATES = (
    FeedAlternate(
        BASE_URL + "media/episode-1.opus",
        "audio/opus",
        1_234_567,
        OPUS_SHA256,
        bitrate=64000,
        codecs="opus",
        title="Opus",
        default=True,
    ),
    FeedAlternate(BASE_URL + "media/episode-1.m4a", "audio/mp4", 2_345_678, "00" * 32),
)


def rich_item(root: Path) -> FeedEpisode:
    """Every item-level field set."""
    return make_item(
        root,
        1,
        season=1,
        number=3,
        episode_display="Épisode 3½",
        persons=(GUEST, Person("Ana Host", role="HOST")),  # the host again: written once
        location=Location("Lyon", geo="geo:45.76,4.84"),
        soundbites=(Soundbite(73.0, 30.0, "Le meilleur moment"), Soundbite(0.1 + 0.2, 15.25), Soundbite(12.34567, 60)),
        social=(SocialInteract("atproto", "at://did:plc:abc/app.bsky.feed.post/1"),),
        license=License("ARR"),
        block=True,
        feed={
            "chapters_url": BASE_URL + "chapters/ep1.json",
            "chapters": CHAPTERS,
            "transcripts": TRANSCRIPTS,
            "alternates": ALTERNATES,
        },
    )


def parse(feed: bytes) -> etree._Element:
    return etree.fromstring(feed, STRICT)


def pc(local: str) -> str:
    return f"{{{PODCAST_NS}}}{local}"


def children(parent: etree._Element, name: str) -> list[etree._Element]:
    return parent.findall(name, NS)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "show"


# --- the document --------------------------------------------------------------------------------------


def test_prefixes_and_uris_are_exact(root: Path) -> None:
    """AntennaPod needs URI and prefix to match; psc has no trailing slash (`.../simple-chapters/` is
    another namespace to strict readers); the declaration order is fixed so bytes are stable."""
    feed = render_feed(full_show(root), [rich_item(root)], image_url=COVER)
    rss = parse(feed)
    assert rss.nsmap == NS
    assert list(rss.nsmap) == ["itunes", "podcast", "atom", "content", "psc"]
    assert b' xmlns:psc="http://podlove.org/simple-chapters" ' in feed
    assert b"simple-chapters/" not in feed
    assert {el.prefix for el in rss.iter() if el.prefix} == {"itunes", "podcast", "atom", "content", "psc"}
    assert b"ns0:" not in feed
    assert render_feed(full_show(root), [rich_item(root)], image_url=COVER) == feed


def test_psc_is_declared_only_with_inline_chapters(root: Path) -> None:
    """Without psc:chapters the feed keeps the four namespaces it always had (same bytes as before)."""
    item = make_item(root, 1, feed={"chapters_url": BASE_URL + "chapters/ep1.json"})
    rss = parse(render_feed(full_show(root), [item], image_url=COVER))
    assert list(rss.nsmap) == ["itunes", "podcast", "atom", "content"]


def test_a_show_without_the_new_fields_gets_none_of_the_new_tags(root: Path) -> None:
    """Only `podcast:medium` (always written, default `podcast`) and `podcast:image` (beside itunes:image)
    are new for a plain show; an episode's season and number, which already gave itunes:season/episode,
    add their podcast: twins and nothing else."""
    items = [make_item(root, 1), make_item(root, 2, DAY + timedelta(days=1))]
    rss = parse(render_feed(make_show(root), items, image_url=COVER))
    channel = rss[0]
    assert [el.tag for el in channel if el.tag.startswith(f"{{{PODCAST_NS}}}")] == [
        pc("guid"),
        pc("locked"),
        pc("medium"),
        pc("image"),
    ]
    image = channel.find(pc("image"))
    assert image.get("href") == COVER and image.get("purpose") == "artwork"
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    for name in ("new-feed-url", "block", "complete"):
        assert channel.find(f"itunes:{name}", NS) is None
    for item in channel.findall("item"):
        assert [el for el in item if el.tag.startswith(f"{{{PODCAST_NS}}}")] == []
        assert item.find("itunes:block", NS) is None
    assert not [el for el in rss.iter() if isinstance(el.tag, str) and el.tag.startswith(f"{{{PSC_NS}}}")]
    assert "psc" not in rss.nsmap

    numbered = make_item(root, 3, season=1, number=4)
    el = parse(render_feed(make_show(root), [numbered], image_url=COVER))[0].find("item")
    assert [(e.tag, e.text, dict(e.attrib)) for e in el if e.tag.startswith(f"{{{PODCAST_NS}}}")] == [
        (pc("season"), "1", {}),
        (pc("episode"), "4", {}),
    ]


# --- channel -------------------------------------------------------------------------------------------


def test_channel_tags(root: Path) -> None:
    channel = parse(render_feed(full_show(root), [rich_item(root)], image_url=COVER))[0]
    assert channel.findtext("podcast:medium", namespaces=NS) == "music"
    (lic,) = children(channel, "podcast:license")
    assert (lic.text, lic.attrib) == ("CC-BY-4.0", {"url": "https://creativecommons.org/licenses/by/4.0/"})

    persons = children(channel, "podcast:person")
    assert [(p.text, dict(p.attrib)) for p in persons] == [
        (
            "Ana Host",
            {"role": "host", "group": "cast", "img": "https://example.org/ana.jpg", "href": "https://example.org/ana"},
        ),
        ("Cy Cohost", {"role": "cohost", "group": "cast"}),
    ]
    assert [(f.text, dict(f.attrib)) for f in children(channel, "podcast:funding")] == [
        ("Support the show", {"url": "https://pay.example.org/ana"}),
        ("Tip", {"url": "https://tip.example/a"}),
    ]
    assert [(t.text, dict(t.attrib)) for t in children(channel, "podcast:txt")] == [
        ("verify-123", {"purpose": "applepodcastsverify"}),
        ("free text", {}),
    ]
    (loc,) = children(channel, "podcast:location")
    assert loc.text == "Paris"
    assert loc.attrib == {"rel": "creator", "geo": "geo:48.8566,2.3522", "osm": "R7444", "country": "FR"}
    socials = children(channel, "podcast:socialInteract")
    assert [dict(s.attrib) for s in socials] == [
        {
            "protocol": "activitypub",
            "uri": "https://podcasts.social/@ana/1",
            "accountId": "@ana@podcasts.social",
            "accountUrl": "https://podcasts.social/@ana",
            "priority": "1",
        },
        {"protocol": "disabled", "uri": "https://example.org/"},
    ]
    assert all(s.text is None for s in socials)
    (freq,) = children(channel, "podcast:updateFrequency")
    assert freq.text == "Toutes les deux semaines"
    assert freq.attrib == {
        "rrule": "FREQ=WEEKLY;INTERVAL=2",
        "dtstart": "2025-01-06T08:30:00.000Z",  # 09:30 at UTC+1
        "complete": "false",
    }
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == "https://new.example.org/feed.xml"
    assert channel.findtext("itunes:block", namespaces=NS) == "Yes"
    assert channel.findtext("podcast:block", namespaces=NS) == "yes"
    assert channel.findtext("itunes:complete", namespaces=NS) == "Yes"
    for name in ("medium", "license", "location", "updateFrequency", "block"):
        assert len(children(channel, f"podcast:{name}")) == 1, name
    for name in ("new-feed-url", "block", "complete"):
        assert len(children(channel, f"itunes:{name}")) == 1, name


def test_update_frequency_minimal_and_complete(root: Path) -> None:
    show = make_show(root, update_frequency=UpdateFrequency("That's all folks!", complete=True))
    (freq,) = children(parse(render_feed(show, [], image_url=COVER))[0], "podcast:updateFrequency")
    assert (freq.text, dict(freq.attrib)) == ("That's all folks!", {"complete": "true"})


def test_block_and_complete_are_absent_when_false(root: Path) -> None:
    """Apple honours only `Yes`; `no` would be noise, so false writes nothing."""
    channel = parse(render_feed(full_show(root, block=False, complete=False), [], image_url=COVER))[0]
    assert channel.find("itunes:block", NS) is None
    assert channel.find("podcast:block", NS) is None
    assert channel.find("itunes:complete", NS) is None
    assert channel.find("itunes:new-feed-url", NS) is not None


def test_trailers(root: Path) -> None:
    paris = timezone(timedelta(hours=2))
    items = [
        make_item(root, 1, type="trailer"),
        make_item(root, 2, datetime(2024, 6, 1, 20, 0, tzinfo=paris), type="trailer", season=2, title=" Saison\n2 "),
        make_item(root, 3, DAY + timedelta(days=9)),
        make_item(root, 4, DAY + timedelta(days=2), type="bonus"),
    ]
    rss = parse(render_feed(make_show(root), items, image_url=COVER))
    trailers = children(rss[0], "podcast:trailer")
    assert [(t.text, dict(t.attrib)) for t in trailers] == [
        (
            "Saison 2",
            {
                "url": BASE_URL + "media/episode-2.mp3",
                "pubdate": "Sat, 01 Jun 2024 18:00:00 GMT",
                "length": "2000002",
                "type": "audio/mpeg",
                "season": "2",
            },
        ),
        (
            "Episode 1",
            {
                "url": BASE_URL + "media/episode-1.mp3",
                "pubdate": "Fri, 01 Mar 2024 08:00:00 GMT",
                "length": "2000001",
                "type": "audio/mpeg",
            },
        ),
    ]
    pub_dates = {i.findtext("guid"): i.findtext("pubDate") for i in rss[0].findall("item")}
    assert trailers[0].get("pubdate") == pub_dates["urn:podpub:ns:2"]  # same format as pubDate
    assert trailers[1].get("pubdate") == pub_dates["urn:podpub:ns:1"]


# --- items ---------------------------------------------------------------------------------------------


def test_item_tags(root: Path) -> None:
    (item,) = parse(render_feed(full_show(root), [rich_item(root)], image_url=COVER))[0].findall("item")
    (season,) = children(item, "podcast:season")
    assert (season.text, dict(season.attrib)) == ("1", {"name": "Les débuts"})
    (episode,) = children(item, "podcast:episode")
    assert (episode.text, dict(episode.attrib)) == ("3", {"display": "Épisode 3½"})
    (loc,) = children(item, "podcast:location")
    assert (loc.text, dict(loc.attrib)) == ("Lyon", {"geo": "geo:45.76,4.84"})
    bites = children(item, "podcast:soundbite")
    assert [(b.text, dict(b.attrib)) for b in bites] == [
        ("Le meilleur moment", {"startTime": "73", "duration": "30"}),
        (None, {"startTime": "0.3", "duration": "15.25"}),  # not 0.30000000000000004
        (None, {"startTime": "12.346", "duration": "60"}),
    ]
    (social,) = children(item, "podcast:socialInteract")
    assert social.attrib == {"protocol": "atproto", "uri": "at://did:plc:abc/app.bsky.feed.post/1"}
    (lic,) = children(item, "podcast:license")
    assert (lic.text, dict(lic.attrib)) == ("ARR", {})
    assert [b.text for b in children(item, "itunes:block")] == ["Yes"]
    (chapters,) = children(item, "podcast:chapters")
    assert chapters.attrib == {"url": BASE_URL + "chapters/ep1.json", "type": "application/json+chapters"}
    assert [dict(t.attrib) for t in children(item, "podcast:transcript")] == [
        {"url": BASE_URL + "t/ep1.vtt", "type": "text/vtt", "rel": "captions"},
        {"url": BASE_URL + "t/ep1.en.srt", "type": "application/x-subrip", "language": "en"},
        {"url": BASE_URL + "t/ep1.html", "type": "text/html"},  # no language: the channel's applies
    ]
    assert len(children(item, "psc:chapters")) == 1


def test_season_without_a_name_and_episode_without_display(root: Path) -> None:
    show = full_show(root)
    item = make_item(root, 1, season=7, number=12)
    el = parse(render_feed(show, [item], image_url=COVER))[0].find("item")
    (season,) = children(el, "podcast:season")
    (episode,) = children(el, "podcast:episode")
    assert (season.text, dict(season.attrib)) == ("7", {})
    assert (episode.text, dict(episode.attrib)) == ("12", {})
    assert el.find("itunes:block", NS) is None


def test_item_persons_repeat_the_show_persons(root: Path) -> None:
    """Item-level persons replace ALL channel persons: an episode with a guest lists the host and
    co-host again (once, even when the episode names the host too); one without persons lists none."""
    show = full_show(root)
    plain = make_item(root, 2, DAY + timedelta(days=1))
    channel = parse(render_feed(show, [rich_item(root), plain], image_url=COVER))[0]
    with_guest, without = (channel.find(f"item[guid='{g}']") for g in ("urn:podpub:ns:1", "urn:podpub:ns:2"))
    persons = children(with_guest, "podcast:person")
    assert [(p.text, p.get("role"), p.get("group")) for p in persons] == [
        ("Ana Host", "host", "cast"),
        ("Cy Cohost", "cohost", "cast"),
        ("Bob Guest", "guest", "cast"),
    ]
    assert persons[0].get("img") == "https://example.org/ana.jpg"  # the show's entry wins the dedupe
    assert dict(persons[2].attrib) == {"role": "guest", "group": "cast", "href": "https://example.org/bob"}
    assert children(without, "podcast:person") == []
    assert len(children(channel, "podcast:person")) == 2


def test_same_name_in_two_roles_is_two_persons(root: Path) -> None:
    show = make_show(root, persons=(HOST,))
    item = make_item(root, 1, persons=(Person("Ana Host", role="producer", group="Audio Post-Production"),))
    el = parse(render_feed(show, [item], image_url=COVER))[0].find("item")
    assert [(p.text, p.get("role"), p.get("group")) for p in children(el, "podcast:person")] == [
        ("Ana Host", "host", "cast"),
        ("Ana Host", "producer", "audio post-production"),
    ]


def test_psc_chapters_sorted_in_normal_play_time(root: Path) -> None:
    el = parse(render_feed(full_show(root), [rich_item(root)], image_url=COVER))[0].find("item")
    (psc,) = children(el, "psc:chapters")
    assert psc.attrib == {"version": "1.2"}
    assert [dict(c.attrib) for c in psc] == [
        {"start": "00:00:00.000", "title": "Intro"},
        {"start": "00:03:07.500", "title": "Sujet & débat"},
        {
            "start": "01:02:05.250",
            "title": "Fin",
            "href": "https://example.org/fin",
            "image": "https://example.org/fin.jpg",
        },
    ]
    assert all(c.tag == f"{{{PSC_NS}}}chapter" and len(c) == 0 and c.text is None for c in psc)


def test_alternate_enclosures_with_sri(root: Path) -> None:
    el = parse(render_feed(full_show(root), [rich_item(root)], image_url=COVER))[0].find("item")
    alternates = children(el, "podcast:alternateEnclosure")
    assert [dict(a.attrib) for a in alternates] == [
        {
            "type": "audio/opus",
            "length": "1234567",
            "bitrate": "64000",
            "codecs": "opus",
            "title": "Opus",
            "default": "true",
        },
        {"type": "audio/mp4", "length": "2345678"},
    ]
    expected_sri = "sha256-" + base64.b64encode(hashlib.sha256(OPUS_BYTES).digest()).decode()
    for alt, url, sri in zip(
        alternates,
        (BASE_URL + "media/episode-1.opus", BASE_URL + "media/episode-1.m4a"),
        (expected_sri, "sha256-" + base64.b64encode(bytes(32)).decode()),
        strict=True,
    ):
        assert [c.tag for c in alt] == [pc("source"), pc("integrity")]
        assert alt.find("podcast:source", NS).attrib == {"uri": url}
        assert alt.find("podcast:integrity", NS).attrib == {"type": "sri", "value": sri}
    assert len(expected_sri) == len("sha256-") + 44  # 32 raw bytes, not the 64-character hex text


def test_item_tag_order_is_fixed(root: Path) -> None:
    el = parse(render_feed(full_show(root), [rich_item(root)], image_url=COVER))[0].find("item")
    tail = [etree.QName(c).localname for c in el][-20:]
    assert tail == [
        "explicit",
        "season",
        "episode",
        "person",
        "person",
        "person",
        "location",
        "soundbite",
        "soundbite",
        "soundbite",
        "socialInteract",
        "license",
        "block",
        "chapters",
        "transcript",
        "transcript",
        "transcript",
        "chapters",
        "alternateEnclosure",
        "alternateEnclosure",
    ]


def test_hostile_text_is_cleaned(root: Path) -> None:
    """Names and labels come from hand-edited TOML: control characters are dropped, one-line values
    collapse their whitespace, markup is escaped by the serializer and reads back intact."""
    show = make_show(
        root,
        persons=(Person(" Ana\x1b <b>&\n Co ", role=" Host "),),
        funding=(Funding(" https://pay.example.org/?a=1&b=2 ", "Don\t& <merci>\x01"),),
        txts=(Txt("ligne 1\nligne 2\x0b ", "note"),),
    )
    item = make_item(root, 1, feed={"chapters": (FeedChapter(1, "A ]]> & <b>\x07\ntitre"),)}, persons=(GUEST,))
    feed = render_feed(show, [item], image_url=COVER)
    channel = parse(feed)[0]
    (person,) = children(channel, "podcast:person")
    assert (person.text, person.get("role")) == ("Ana <b>& Co", "host")
    (funding,) = children(channel, "podcast:funding")
    assert (funding.text, funding.get("url")) == ("Don & <merci>", "https://pay.example.org/?a=1&b=2")
    assert channel.findtext("podcast:txt", namespaces=NS) == "ligne 1\nligne 2"
    assert channel.find("item/psc:chapters/psc:chapter", NS).get("title") == "A ]]> & <b> titre"
    assert not feedparser.parse(feed).bozo


# --- formatting helpers --------------------------------------------------------------------------------


def test_seconds_text() -> None:
    assert [seconds_text(x) for x in (0, 0.0, 73.0, 1.5, 0.1 + 0.2, 12.34567, 2.0005, 100.1, 3600)] == [
        "0",
        "0",
        "73",
        "1.5",
        "0.3",
        "12.346",
        "2.001",  # half up
        "100.1",
        "3600",
    ]
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            seconds_text(bad)


def test_npt() -> None:
    assert [npt(x) for x in (0, 59.9994, 59.9995, 187.5, 3725.25, 360_000)] == [
        "00:00:00.000",
        "00:00:59.999",
        "00:01:00.000",
        "00:03:07.500",
        "01:02:05.250",
        "100:00:00.000",
    ]
    with pytest.raises(ValueError):
        npt(-0.5)


def test_sri_sha256() -> None:
    digest = hashlib.sha256(b"abc").digest()
    assert sri_sha256(digest.hex()) == "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    assert sri_sha256(digest.hex().upper()) == sri_sha256(digest.hex())
    for bad in ("", "zz" * 32, "ab" * 31, "ab" * 48):
        with pytest.raises(ValueError):
            sri_sha256(bad)


def test_iso8601() -> None:
    assert iso8601(datetime(2023, 8, 28, tzinfo=UTC)) == "2023-08-28T00:00:00.000Z"
    assert iso8601(datetime(2023, 8, 28, 2, tzinfo=timezone(timedelta(hours=2)))) == "2023-08-28T00:00:00.000Z"
    assert iso8601(datetime(2023, 8, 28, 9, 5)) == "2023-08-28T09:05:00.000"  # floating: no invented offset


def test_tag_refuses_non_str_attributes() -> None:
    """lxml would raise late (or a caller might write `5` where `"5"` was meant); fail at build time."""
    with pytest.raises(TypeError, match="priority"):
        tag(pc("socialInteract"), protocol="x", priority=1)  # type: ignore[arg-type]
    assert tag(pc("season"), "1", name=None).attrs == ()


@pytest.mark.parametrize("bite", [Soundbite(-1, 10), Soundbite(5, 0), Soundbite(5, float("nan"))])
def test_bad_soundbite_is_refused(root: Path, bite: Soundbite) -> None:
    with pytest.raises(ValueError):
        render_feed(make_show(root), [make_item(root, 1, soundbites=(bite,))], image_url=COVER)


def test_bad_alternate_digest_is_refused(root: Path) -> None:
    alt = replace(ALTERNATES[0], sha256="not-hex")
    with pytest.raises(ValueError, match="SHA-256"):
        render_feed(make_show(root), [make_item(root, 1, feed={"alternates": (alt,)})], image_url=COVER)


# --- what the clients see ------------------------------------------------------------------------------


def test_feedparser_reads_the_feed_without_bozo(root: Path) -> None:
    show = full_show(root)
    feed = render_feed(show, [rich_item(root), make_item(root, 2, type="trailer")], image_url=COVER)
    d = feedparser.parse(feed)
    assert not d.bozo, d.get("bozo_exception")
    assert [e.id for e in d.entries] == ["urn:podpub:ns:1", "urn:podpub:ns:2"]
    entry = d.entries[0]
    psc = entry.psc_chapters
    assert psc.version == "1.2"
    assert [(c.start, c.title, c.start_parsed) for c in psc.chapters] == [
        ("00:00:00.000", "Intro", timedelta(0)),
        ("00:03:07.500", "Sujet & débat", timedelta(seconds=187, milliseconds=500)),
        ("01:02:05.250", "Fin", timedelta(seconds=3725, milliseconds=250)),
    ]
    assert psc.chapters[2].href == "https://example.org/fin"
    # Pinned: unknown-namespace elements keep only the last occurrence and, with attributes, lose their text.
    assert entry.podcast_transcript == {"url": BASE_URL + "t/ep1.html", "type": "text/html"}
    assert d.feed.podcast_medium == "music"


def test_podcastparser_ignores_the_official_podcast_uri_but_reads_psc(root: Path) -> None:
    """Pinned (gPodder): podcastparser 0.6.x maps only the legacy GitHub URI, so under the official URI
    `transcript_url`, `chapters_json_url` and `persons` are missing; psc:chapters (its own namespace) is
    read into `chapters` with start in whole seconds and the title. The legacy URI shows what is lost."""
    feed = render_feed(full_show(root), [rich_item(root)], image_url=COVER)
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(feed))
    (episode,) = parsed["episodes"]
    for key in ("transcript_url", "chapters_json_url", "persons"):
        assert key not in episode, key
    assert "funding_url" not in parsed
    assert parsed["new_url"] == "https://new.example.org/feed.xml"  # itunes:new-feed-url
    assert episode["chapters"] == [
        {"start": 0, "title": "Intro"},
        {"start": 187, "title": "Sujet & débat"},
        {"start": 3725, "title": "Fin", "href": "https://example.org/fin", "image": "https://example.org/fin.jpg"},
    ]

    legacy = podcastparser.parse(FEED_URL, io.BytesIO(feed.replace(PODCAST_NS.encode(), LEGACY_PODCAST_NS.encode())))
    (legacy_episode,) = legacy["episodes"]
    assert legacy_episode["transcript_url"] == BASE_URL + "t/ep1.html"  # the last one wins
    assert legacy_episode["chapters_json_url"] == BASE_URL + "chapters/ep1.json"
    assert legacy["funding_url"] == "https://tip.example/a"  # the last one wins here too
    assert [(p["name"], p["role"]) for p in legacy_episode["persons"]] == [
        ("Ana Host", "host"),
        ("Cy Cohost", "cohost"),
        ("Bob Guest", "guest"),
    ]
