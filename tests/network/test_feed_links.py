"""`podcast:podroll` and `podcast:publisher` on the feeds of a network's shows.

Each show recommends its public sister shows and points at the network's publisher feed. The
expectations come from the inputs (each show's podcast.toml guid, the workspace's base_url and
guid), the validator must accept the tags and catch broken ones, and the three client parsers
(podcastparser, feedparser, podcast-partytime) must read the feed as before, partytime exposing both.
"""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser
import pytest
import tomlkit
from lxml import etree

from podpub import pipeline
from podpub.validation import check_feed_file
from podpub.validation.model import Finding
from tests.cli_helpers import run_podpub
from tests.clients.test_clients import partytime
from tests.conftest import FIXTURES
from tests.network.sample_network import BLOCKED, NETWORK_BASE, NETWORK_TITLE, SHOWS, SampleNetwork, build_sample

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


def guid_of(sample: SampleNetwork, slug: str) -> str:
    """The podcast:guid new-show wrote into the show's podcast.toml."""
    return str(tomlkit.parse((sample.root / slug / "podcast.toml").read_text(encoding="utf-8"))["guid"])


def network_guid(sample: SampleNetwork) -> str:
    doc = tomlkit.parse((sample.root / "podpub.toml").read_text(encoding="utf-8"))
    return str(doc["network"]["guid"])  # type: ignore[index]


def build_feed(sample: SampleNetwork, slug: str) -> Path:
    loaded = pipeline.open_show(sample.root / slug)
    result = pipeline.build(loaded)
    return result.out / result.site.feed_key


@pytest.fixture
def sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> SampleNetwork:
    sample = build_sample(tmp_path)
    added = run_podpub(
        capsys, "-C", str(sample.root / "ecoles"), "add", "--date", "2026-03-01T08:00:00Z", str(FIXTURES / "cbr.mp3")
    )
    assert added.code == 0, added.err
    return sample


@pytest.fixture
def feed(sample: SampleNetwork) -> Path:
    return build_feed(sample, "ecoles")


def remote_items(parent: etree._Element | None) -> list[dict[str, str]]:
    assert parent is not None
    return [dict(item.attrib) for item in parent.findall("podcast:remoteItem", NS)]


def test_the_podroll_lists_every_public_sister_show_and_the_publisher_points_at_the_network(
    sample: SampleNetwork, feed: Path
) -> None:
    channel = etree.parse(str(feed)).getroot().find("channel")
    assert channel is not None
    [podroll] = channel.findall("podcast:podroll", NS)
    # in slug order; neither the show itself nor the blocked show
    assert remote_items(podroll) == [
        {"feedGuid": guid_of(sample, slug), "feedUrl": f"{NETWORK_BASE}{slug}/feed.xml", "title": SHOWS[slug][0]}
        for slug in ("jardin", "zebre")
    ]
    [publisher] = channel.findall("podcast:publisher", NS)
    assert remote_items(publisher) == [
        {
            "feedGuid": network_guid(sample),
            "feedUrl": NETWORK_BASE + "publisher.xml",
            "title": NETWORK_TITLE,
            "medium": "publisher",
        }
    ]
    # the network's title (with its "&") is escaped once, not twice
    assert b'title="R\xc3\xa9seau des \xc3\xa9coles &amp; Cie"' in feed.read_bytes()


def test_a_blocked_show_still_links_its_sisters_but_none_links_it(sample: SampleNetwork) -> None:
    for slug in SHOWS:
        channel = etree.parse(str(build_feed(sample, slug))).getroot().find("channel")
        assert channel is not None
        listed = [item["feedUrl"] for item in remote_items(channel.find("podcast:podroll", NS))]
        assert f"{NETWORK_BASE}{BLOCKED}/feed.xml" not in listed
        assert f"{NETWORK_BASE}{slug}/feed.xml" not in listed
        assert len(listed) == (3 if slug == BLOCKED else 2)


def test_without_podroll_or_guid_in_the_network_the_tags_are_left_out(sample: SampleNetwork) -> None:
    config = sample.root / "podpub.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["network"]["podroll"] = False  # type: ignore[index]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    channel = etree.parse(str(build_feed(sample, "jardin"))).getroot().find("channel")
    assert channel is not None
    assert channel.find("podcast:podroll", NS) is None
    assert channel.find("podcast:publisher", NS) is not None

    del doc["network"]["guid"]  # type: ignore[attr-defined]
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    channel = etree.parse(str(build_feed(sample, "jardin"))).getroot().find("channel")
    assert channel is not None
    assert channel.find("podcast:publisher", NS) is None


# --- podpub validate --------------------------------------------------------------------------------


def findings(path: Path) -> list[Finding]:
    return check_feed_file(path, expected_url=NETWORK_BASE + "ecoles/feed.xml").findings


def test_validate_accepts_the_tags(feed: Path) -> None:
    assert [f.rule.id for f in findings(feed) if f.rule.id.startswith(("podcastindex", "url."))] == []
    assert [f.message for f in findings(feed) if f.severity == "error"] == []


def edited(feed: Path, tmp_path: Path, edit: str, value: str | None = None) -> Path:
    """A copy of the feed with one change to the podroll or publisher."""
    root = etree.parse(str(feed)).getroot()
    channel = root.find("channel")
    assert channel is not None
    podroll = channel.find("podcast:podroll", NS)
    publisher = channel.find("podcast:publisher", NS)
    assert podroll is not None and publisher is not None
    first = podroll.find("podcast:remoteItem", NS)
    assert first is not None
    if edit in ("feedGuid", "feedUrl", "medium"):
        assert value is not None
        first.set(edit, value)
    elif edit == "empty podroll":
        for item in list(podroll):
            podroll.remove(item)
    elif edit == "publisher without medium":
        item = publisher.find("podcast:remoteItem", NS)
        assert item is not None
        del item.attrib["medium"]
    elif edit == "two publishers":
        publisher.append(etree.fromstring(etree.tostring(publisher[0])))
    elif edit == "no feedGuid":
        del first.attrib["feedGuid"]
    path = tmp_path / "edited.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


@pytest.mark.parametrize(
    ("edit", "value", "rule", "words"),
    [
        ("feedGuid", "not-a-uuid", "podcastindex.value.invalid", "feedGuid 'not-a-uuid' is not a UUID"),
        ("no feedGuid", None, "podcastindex.attribute.missing", "feedGuid"),
        ("feedUrl", "ftp://cdn.example.org/jardin/feed.xml", "url.invalid", "not ftp"),
        ("feedUrl", "/jardin/feed.xml", "url.invalid", "relative"),
        ("feedUrl", "http://cdn.example.org/jardin/feed.xml", "url.https", "not https"),
        ("medium", "radio", "podcastindex.value.invalid", "medium 'radio'"),
        ("empty podroll", None, "podcastindex.value.invalid", "podcast:podroll> has no <podcast:remoteItem>"),
        ("publisher without medium", None, "podcastindex.value.invalid", 'without medium="publisher"'),
        ("two publishers", None, "podcastindex.value.invalid", "exactly one"),
    ],
)
def test_validate_names_a_broken_remote_item(
    feed: Path, tmp_path: Path, edit: str, value: str | None, rule: str, words: str
) -> None:
    found = [f for f in findings(edited(feed, tmp_path, edit, value)) if f.rule.id == rule]
    assert len(found) == 1, [f.message for f in findings(edited(feed, tmp_path, edit, value))]
    assert words in found[0].message


# --- the client parsers -----------------------------------------------------------------------------


def test_podcastparser_and_feedparser_read_the_feed_as_before(sample: SampleNetwork, feed: Path) -> None:
    data = feed.read_bytes()
    parsed = podcastparser.parse(NETWORK_BASE + "ecoles/feed.xml", io.BytesIO(data))
    assert parsed["title"] == SHOWS["ecoles"][0]
    assert len(parsed["episodes"]) == 1

    result = feedparser.parse(data)
    assert not result.bozo, result.get("bozo_exception")
    assert result.feed.title == SHOWS["ecoles"][0]
    assert len(result.entries) == 1
    # feedparser handles podcast:* generically: the last remoteItem's attributes (lower-cased), the
    # containers' text (empty)
    assert result.feed.podcast_remoteitem == {
        "feedguid": network_guid(sample),
        "feedurl": NETWORK_BASE + "publisher.xml",
        "title": NETWORK_TITLE,
        "medium": "publisher",
    }
    assert (result.feed.podcast_podroll, result.feed.podcast_publisher) == ("", "")


def test_partytime_reads_the_podroll_and_the_publisher(sample: SampleNetwork, feed: Path) -> None:
    parsed = partytime(feed)
    assert parsed["podroll"] == [
        {"feedGuid": guid_of(sample, slug), "feedUrl": f"{NETWORK_BASE}{slug}/feed.xml", "title": SHOWS[slug][0]}
        for slug in ("jardin", "zebre")
    ]
    # partytime 5.0.0 keeps only feedGuid and feedUrl of the publisher
    assert parsed["podcastPublisher"] == {"feedGuid": network_guid(sample), "feedUrl": NETWORK_BASE + "publisher.xml"}
    assert "podroll" in parsed["pc20support"]["6"] and parsed["pc20support"]["7"] == ["publisher"]
    assert len(parsed["items"]) == 1
