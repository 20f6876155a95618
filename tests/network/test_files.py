"""The network's own files: podcasts.opml, publisher.xml, index.html and the page's artwork and assets.

The network is made with `podpub.network.create` (tests/network/sample_network.py): four shows with
accented titles and characters that break careless escaping, one of them blocked. Every expectation
comes from those inputs (titles, descriptions, the guids new-show wrote, the workspace's base_url),
the files are read by real parsers (lxml, feedparser, podcast-partytime, lxml.html), and rendering
twice must give the same bytes and rewrite nothing.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest
import tomlkit
from lxml import etree
from PIL import Image

from podpub import pipeline
from podpub.errors import ConfigError
from podpub.network.files import (
    OPML_KEY,
    PAGE_KEY,
    PUBLISHER_KEY,
    NetworkEntry,
    NetworkSite,
    entry_for,
    public_entries,
    render_network_files,
    title_order,
)
from podpub.network.workspace import Network
from podpub.podcasts.artwork import square_thumbnail
from podpub.storage import sync
from podpub.storage.local import LocalTarget
from podpub.validation import check_feed_file, gate_publish
from tests.cli_helpers import run_podpub
from tests.clients.test_clients import partytime
from tests.conftest import FIXTURES
from tests.network.sample_network import (
    BLOCKED,
    HOSTILE_TITLE,
    NETWORK_BASE,
    NETWORK_TITLE,
    SCRIPT,
    SHOWS,
    SampleNetwork,
    build_sample,
    fixed_date,
)

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
NS = {"podcast": PODCAST_NS}
#: the public shows in the order a French reader expects: Ç among the C, "Le " before "Les"
PUBLIC_ORDER = ["zebre", "jardin", "ecoles"]
LATEST_TITLE = 'Épisode <1> & "deux"'


def guid_of(sample: SampleNetwork, slug: str) -> str:
    return str(tomlkit.parse((sample.root / slug / "podcast.toml").read_text(encoding="utf-8"))["guid"])


def network_guid(sample: SampleNetwork) -> str:
    doc = tomlkit.parse((sample.root / "podpub.toml").read_text(encoding="utf-8"))
    return str(doc["network"]["guid"])  # type: ignore[index]


def entries_for(sample: SampleNetwork) -> list[NetworkEntry]:
    """Every show (the blocked one too: the module leaves it out), with feed facts for "ecoles"."""
    entries = []
    for slug, show in sample.shows().items():
        if slug == "ecoles":
            entries.append(NetworkEntry(show, 3, LATEST_TITLE, fixed_date(2)))
        else:
            entries.append(NetworkEntry(show))
    return entries


@pytest.fixture
def sample(tmp_path: Path) -> SampleNetwork:
    return build_sample(tmp_path)


@pytest.fixture
def rendered(sample: SampleNetwork, tmp_path: Path) -> NetworkSite:
    return render_network_files(sample.load(), entries_for(sample), tmp_path / "staging")


def staged(site: NetworkSite, key: str) -> bytes:
    [upload] = [f for f in site.files if f.key == key]
    return upload.source.read_bytes()


# --- podcasts.opml ----------------------------------------------------------------------------------


def test_the_opml_lists_every_public_feed_in_title_order(sample: SampleNetwork, rendered: NetworkSite) -> None:
    root = etree.fromstring(staged(rendered, OPML_KEY), etree.XMLParser(resolve_entities=False))
    assert (root.tag, root.get("version")) == ("opml", "2.0")
    head = root.find("head")
    assert head is not None
    assert head.findtext("title") == NETWORK_TITLE
    owner = (head.findtext("ownerName"), head.findtext("ownerEmail"))
    assert owner == ("Association des écoles", "podcasts@example.org")
    assert head.findtext("docs") == "http://opml.org/spec2.opml"
    assert head.find("dateModified") is None and head.find("dateCreated") is None  # nothing that changes by itself
    outlines = root.findall("body/outline")
    assert [dict(o.attrib) for o in outlines] == [
        {
            "type": "rss",
            "text": SHOWS[slug][0],
            "title": SHOWS[slug][0],
            "xmlUrl": f"{NETWORK_BASE}{slug}/feed.xml",
            "htmlUrl": f"{NETWORK_BASE}{slug}/index.html",
            "description": " ".join(SHOWS[slug][2].split()),  # one line: the newline becomes a space
            "language": "fr",
        }
        for slug in PUBLIC_ORDER
    ]
    assert b"cachee" not in staged(rendered, OPML_KEY)


def test_the_opml_leaves_out_html_url_of_a_show_without_a_site(sample: SampleNetwork, tmp_path: Path) -> None:
    entries = entries_for(sample)
    entries = [
        replace(e, show=replace(e.show, site=replace(e.show.site, enabled=False))) if e.show.slug == "jardin" else e
        for e in entries
    ]
    site = render_network_files(sample.load(), entries, tmp_path / "staging")
    outlines = {o.get("xmlUrl"): o for o in etree.fromstring(staged(site, OPML_KEY)).iter("outline")}
    assert outlines[f"{NETWORK_BASE}jardin/feed.xml"].get("htmlUrl") is None
    assert outlines[f"{NETWORK_BASE}zebre/feed.xml"].get("htmlUrl") == f"{NETWORK_BASE}zebre/index.html"
    page = lxml.html.fromstring(staged(site, PAGE_KEY))
    [title] = page.xpath("//li[@id='show-jardin']//h3")
    assert title.text_content() == "Le jardin" and not title.xpath(".//a")


def test_title_order_ignores_accents_and_case() -> None:
    titles = ["zoo", "Émission", "cigale", "Ça zèbre", "Les écoles", "Le jardin", "être", "ÉTÉ"]
    expected = ["Ça zèbre", "cigale", "Émission", "ÉTÉ", "être", "Le jardin", "Les écoles", "zoo"]
    assert sorted(titles, key=title_order) == expected


# --- publisher.xml ----------------------------------------------------------------------------------


def expected_remote_items(sample: SampleNetwork) -> list[dict[str, str]]:
    return [
        {
            "feedGuid": guid_of(sample, slug),
            "feedUrl": f"{NETWORK_BASE}{slug}/feed.xml",
            "title": SHOWS[slug][0],
            "medium": "podcast",
        }
        for slug in PUBLIC_ORDER
    ]


def test_the_publisher_feed_names_the_network_and_each_public_show(
    sample: SampleNetwork, rendered: NetworkSite
) -> None:
    assert rendered.publisher_url == NETWORK_BASE + PUBLISHER_KEY
    data = staged(rendered, PUBLISHER_KEY)
    channel = etree.fromstring(data).find("channel")
    assert channel is not None
    assert channel.findtext("title") == NETWORK_TITLE
    assert channel.findtext("podcast:guid", namespaces=NS) == network_guid(sample)
    assert channel.findtext("podcast:medium", namespaces=NS) == "publisher"
    assert [dict(i.attrib) for i in channel.findall("podcast:remoteItem", NS)] == expected_remote_items(sample)
    assert channel.find("item") is None

    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == NETWORK_TITLE
    assert parsed.feed.podcast_guid == network_guid(sample)
    assert parsed.feed.podcast_medium == "publisher"
    assert parsed.entries == []
    # the network's artwork: a 400 px square thumbnail published beside the feed
    image_url = parsed.feed.image.href
    assert image_url.startswith(NETWORK_BASE + "artwork/") and image_url.endswith(".jpg")
    with Image.open(io.BytesIO(staged(rendered, image_url.removeprefix(NETWORK_BASE)))) as image:
        assert (image.format, image.size) == ("JPEG", (400, 400))


def test_partytime_reads_the_publisher_feed(sample: SampleNetwork, rendered: NetworkSite, tmp_path: Path) -> None:
    path = tmp_path / "publisher.xml"
    path.write_bytes(staged(rendered, PUBLISHER_KEY))
    parsed = partytime(path)
    assert parsed["medium"] == "publisher"
    assert parsed["guid"] == network_guid(sample)
    assert parsed["title"] == NETWORK_TITLE
    assert parsed["podcastRemoteItems"] == expected_remote_items(sample)
    assert parsed["items"] == []


def test_each_show_points_at_the_publisher_feed_that_lists_it(sample: SampleNetwork, rendered: NetworkSite) -> None:
    """The two-way link apps require before they trust a publisher: show -> network and network -> show."""
    listed = {
        item.get("feedGuid")
        for item in etree.fromstring(staged(rendered, PUBLISHER_KEY)).iter(f"{{{PODCAST_NS}}}remoteItem")
    }
    for slug, show in sample.shows().items():
        assert show.publisher is not None
        assert (show.publisher.feed_guid, show.publisher.feed_url) == (network_guid(sample), rendered.publisher_url)
        assert (show.guid in listed) == (slug != BLOCKED)


def test_validate_takes_the_publisher_feed_for_what_it_is(sample: SampleNetwork, rendered: NetworkSite) -> None:
    """No directory rule (artwork, category, episodes) applies to a list of feeds; the publish gate passes it."""
    [upload] = [f for f in rendered.files if f.key == PUBLISHER_KEY]
    assert check_feed_file(upload.source, expected_url=rendered.publisher_url).findings == []
    assert gate_publish(upload.source, NETWORK_BASE + PUBLISHER_KEY, force=False) is None


def test_validate_refuses_a_publisher_feed_that_lists_no_feed(sample: SampleNetwork, tmp_path: Path) -> None:
    blocked = [replace(e, show=replace(e.show, block=True)) for e in entries_for(sample)]
    site = render_network_files(sample.load(), blocked, tmp_path / "staging")
    assert site.warnings == ["podpub.toml: the network has no public show; its OPML, publisher feed and page list none"]
    [upload] = [f for f in site.files if f.key == PUBLISHER_KEY]
    [found] = check_feed_file(upload.source, expected_url=site.publisher_url).findings
    assert found.rule.id == "podcastindex.value.invalid" and "lists no <podcast:remoteItem>" in found.message
    assert page_of(site).xpath("//ol[contains(@class, 'shows')]/li/text()") == ["Aucun podcast pour l’instant."]


def test_without_a_guid_there_is_no_publisher_feed(sample: SampleNetwork, tmp_path: Path) -> None:
    network = sample.load()
    network = replace(network, settings=replace(network.settings, guid=None))
    site = render_network_files(network, entries_for(sample), tmp_path / "staging")
    assert PUBLISHER_KEY not in {f.key for f in site.files}
    assert site.publisher_url is None
    assert site.pages == frozenset({OPML_KEY})


# --- index.html -------------------------------------------------------------------------------------


def page_of(site: NetworkSite) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(staged(site, PAGE_KEY))


def test_the_page_lists_every_public_show_with_its_links(sample: SampleNetwork, rendered: NetworkSite) -> None:
    page = page_of(rendered)
    assert page.get("lang") == "fr"
    assert page.findtext(".//h1") == NETWORK_TITLE
    cards = page.xpath("//ol[contains(@class, 'shows')]/li")
    assert [card.get("id") for card in cards] == [f"show-{slug}" for slug in PUBLIC_ORDER]
    keys = {f.key for f in rendered.files}
    for card, slug in zip(cards, PUBLIC_ORDER, strict=True):
        title, colour, description = SHOWS[slug]
        feed_url = f"{NETWORK_BASE}{slug}/feed.xml"
        [heading] = card.xpath(".//h3")
        assert heading.text_content() == title
        assert heading.xpath("a/@href") == [f"{NETWORK_BASE}{slug}/index.html"]
        assert card.xpath(".//p[@class='summary']")[0].text_content() == " ".join(description.split())
        assert card.xpath(".//input/@value") == [feed_url]
        buttons = {a.text: a.get("href") for a in card.xpath(".//ul[@class='buttons']//a")}
        assert buttons["Apple Podcasts"] == "podcast://" + feed_url.removeprefix("https://")
        assert buttons["Pocket Casts"] == "pktc://subscribe/" + feed_url.removeprefix("https://")
        # the copy button and its status are wired by unique ids
        [button] = card.xpath(".//button[@data-copy]")
        assert card.xpath(f".//input[@id='{button.get('data-copy')}']")
        assert card.xpath(f".//p[@id='{button.get('data-status')}'][@role='status']")
        # the artwork: a 400 px square of the show's own picture, under a content-addressed key
        [src] = card.xpath(".//img/@src")
        assert src in keys and src.startswith(f"artwork/{slug}-")
        data = staged(rendered, src)
        assert hashlib.sha256(data).hexdigest()[:12] in src
        assert data == square_thumbnail(sample.art[slug].read_bytes(), 400, "test")
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (400, 400)
            red, green, blue = image.convert("RGB").getpixel((300, 20))  # type: ignore[misc]
            assert max(abs(red - colour[0]), abs(green - colour[1]), abs(blue - colour[2])) < 24
    assert page.xpath("//a[@href='podcasts.opml']")
    assert page.xpath("//link[@rel='alternate']/@type") == ["text/x-opml"]
    assert "Émission cachée" not in page.text_content()
    assert not any(BLOCKED in f.key for f in rendered.files)


def test_the_page_shows_the_latest_episode(rendered: NetworkSite) -> None:
    page = page_of(rendered)
    [meta] = page.xpath("//li[@id='show-ecoles']//p[@class='meta']")
    assert meta.text_content() == f"3 épisodes · Dernier épisode\u00a0: {LATEST_TITLE}, 2 mars 2026"
    assert meta.xpath("time/@datetime") == [fixed_date(2).isoformat()]
    [other] = page.xpath("//li[@id='show-jardin']//p[@class='meta']")
    assert other.text_content() == "0 épisode"


def test_nothing_from_a_title_or_description_becomes_markup(rendered: NetworkSite) -> None:
    page = page_of(rendered)
    scripts = page.xpath("//script")
    assert len(scripts) == 1 and scripts[0].get("src", "").startswith("site/site-")
    assert SCRIPT in page.text_content()  # shown as text
    assert not page.xpath("//*[@onclick or @onerror or @onload]")
    raw = staged(rendered, PAGE_KEY).decode("utf-8")
    assert "Les écoles &amp; &#34;nous&#34; &lt;3" in raw
    assert HOSTILE_TITLE not in raw


def test_the_page_speaks_the_network_language_and_uses_its_colours(sample: SampleNetwork, tmp_path: Path) -> None:
    config = sample.root / "podpub.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    doc["network"]["language"] = "en"  # type: ignore[index]
    doc["site"] = {"accent_color": "#0b5394"}
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    site = render_network_files(sample.load(), entries_for(sample), tmp_path / "staging")
    page = page_of(site)
    assert page.get("lang") == "en"
    assert page.xpath("//h2/text()") == ["Our podcasts"]
    [meta] = page.xpath("//li[@id='show-ecoles']//p[@class='meta']")
    assert meta.text_content() == f"3 episodes · Latest episode: {LATEST_TITLE}, 2 March 2026"
    assert "--accent:#0b5394" in page.xpath("//style/text()")[0]
    assert site.warnings == []


def test_a_show_whose_artwork_cannot_be_read_is_listed_without_it(sample: SampleNetwork, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    entries = entries_for(sample)
    entries = [replace(e, show=replace(e.show, image=broken)) if e.show.slug == "zebre" else e for e in entries]
    site = render_network_files(sample.load(), entries, tmp_path / "staging")
    page = page_of(site)
    assert page.xpath("//li[@id='show-zebre']//img") == []
    assert page.xpath("//li[@id='show-jardin']//img")
    assert len(site.warnings) == 1 and "broken.jpg" in site.warnings[0]


# --- what the sync step needs -----------------------------------------------------------------------


def test_every_file_is_staged_with_its_type_cache_and_hash(rendered: NetworkSite) -> None:
    for upload in rendered.files:
        data = upload.source.read_bytes()
        assert (upload.size, upload.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    types = {f.key: (f.content_type, f.cache_control) for f in rendered.files}
    assert types[OPML_KEY] == ("text/x-opml; charset=utf-8", "public, max-age=300")
    assert types[PUBLISHER_KEY] == ("application/xml; charset=utf-8", "public, max-age=300")
    assert types[PAGE_KEY] == ("text/html; charset=utf-8", "public, max-age=300")
    hashed = [key for key in types if key not in (OPML_KEY, PUBLISHER_KEY, PAGE_KEY)]
    assert {key.split("/")[0] for key in hashed} == {"artwork", "site"}
    assert all(types[key][1] == "public, max-age=31536000, immutable" for key in hashed)
    assert rendered.feed_key == PAGE_KEY and rendered.feed_key not in rendered.pages
    assert rendered.pages == frozenset({OPML_KEY, PUBLISHER_KEY})


def test_rendering_twice_gives_the_same_bytes_and_rewrites_nothing(sample: SampleNetwork, tmp_path: Path) -> None:
    network = sample.load()
    first = render_network_files(network, entries_for(sample), tmp_path / "one")
    times = {f.key: f.source.stat().st_mtime_ns for f in first.files}
    again = render_network_files(sample.load(), list(reversed(entries_for(sample))), tmp_path / "one")
    assert [(f.key, f.sha256, f.size) for f in again.files] == [(f.key, f.sha256, f.size) for f in first.files]
    assert {f.key: f.source.stat().st_mtime_ns for f in again.files} == times
    elsewhere = render_network_files(network, entries_for(sample), tmp_path / "two")
    for upload in elsewhere.files:
        assert upload.source.read_bytes() == (tmp_path / "one" / upload.key).read_bytes(), upload.key


def test_a_second_publish_with_nothing_changed_writes_nothing(sample: SampleNetwork, tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "bucket")

    def publish() -> sync.Report:
        site = render_network_files(sample.load(), entries_for(sample), tmp_path / "staging")
        state = sync.SiteState(site.files, site.feed_key, {}, frozenset(), site.pages)
        return sync.execute(sync.make_plan(state, target), target)

    first = publish()
    assert {u.key for u in first.uploaded} >= {OPML_KEY, PUBLISHER_KEY, PAGE_KEY}
    assert first.uploaded[-1].key == PAGE_KEY  # the page, which links everything else, last
    second = publish()
    assert second.uploaded == [] and second.deleted == []


def test_an_entry_counts_the_episodes_in_the_feed_and_names_the_newest(
    sample: SampleNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = sample.root / "jardin"
    for date, title in (("2026-03-01T08:00:00Z", "Les semis"), ("2026-03-08T08:00:00Z", "Les récoltes & <co>"),
                        ("2999-01-01T08:00:00Z", "Plus tard")):  # fmt: skip
        audio = str(FIXTURES / "cbr.mp3")
        added = run_podpub(capsys, "-C", str(folder), "add", "--date", date, "--title", title, audio)
        assert added.code == 0, added.err
    built = pipeline.build(pipeline.open_show(folder))
    entry = entry_for(sample.shows()["jardin"], built.site.episodes)
    assert (entry.episode_count, entry.latest_title) == (2, "Les récoltes & <co>")  # the scheduled one is not out yet
    assert entry.latest_date == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert entry_for(sample.shows()["zebre"], []) == NetworkEntry(sample.shows()["zebre"])


def test_public_entries_leave_out_blocked_shows(sample: SampleNetwork) -> None:
    kept = public_entries(entries_for(sample))
    assert [e.show.slug for e in kept] == PUBLIC_ORDER


def test_a_network_without_base_url_cannot_publish_its_files(sample: SampleNetwork, tmp_path: Path) -> None:
    network: Network = sample.load()
    network = replace(network, settings=replace(network.settings, base_url=None))
    with pytest.raises(ConfigError, match=r"podpub.toml: \[network\] has no base_url"):
        render_network_files(network, entries_for(sample), tmp_path / "staging")
