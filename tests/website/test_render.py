"""The show's website as `podpub build` renders it: pages, escaping, size, metadata, sitemap, the styled feed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
import pytest
from lxml import etree

from podpub import pipeline
from podpub.feeds.render import XML_DECLARATION
from podpub.mediatypes import content_type_for
from podpub.storage import sync
from podpub.storage.local import LocalTarget
from podpub.website import is_site_key
from podpub.website.colors import AA_RATIO, DARK, LIGHT, contrast
from podpub.website.render import TRANSCRIPT_BUDGET
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, snapshot
from tests.website.conftest import BASE_URL, SCRIPT_TITLE, BuiltSite, build_site

PAGE_LIMIT = 100_000
IMMUTABLE = "public, max-age=31536000, immutable"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def page_weight(site: BuiltSite, key: str) -> int:
    """The page and every file of the site it loads before audio: stylesheets, script, artwork."""
    page = site.page(key)
    folder = (site.out / key).parent
    loaded = {site.out / key}
    for url in page.xpath("//link[@rel='stylesheet' or @rel='icon']/@href | //script/@src | //img/@src"):
        if "://" not in url:  # images in the notes may live elsewhere
            path = (folder / url).resolve()
            assert path.is_file(), (key, url)
            loaded.add(path)
    return sum(path.stat().st_size for path in loaded)


def test_every_page_is_rendered_and_published_like_the_feed(built: BuiltSite) -> None:
    pages = built.pages()
    assert "index.html" in pages
    episode_pages = [p for p in pages if p.startswith("episodes/")]
    assert len(episode_pages) == len(built.show.guids) == 5
    assert all(re.fullmatch(r"episodes/[a-z0-9-]+/index\.html", p) for p in episode_pages)
    files = {u.key: u for u in built.result.site.files}
    for key in [*pages, "sitemap.xml"]:
        upload = files[key]
        assert upload.cache_control == "public, max-age=300"  # like the feed: stable URL, short cache
        assert upload.content_type == content_type_for(key)
        assert key in built.result.site.page_keys  # published after the manifest claim, with the feed
    assert files["index.html"].content_type == "text/html; charset=utf-8"
    assets = [k for k in files if k.startswith("site/")]
    assert {k.rsplit(".", 1)[1] for k in assets} == {"css", "js", "xsl", "jpg"}
    assert all(files[k].cache_control == IMMUTABLE and files[k].key not in built.result.site.page_keys for k in assets)
    assert files[next(k for k in assets if k.endswith(".xsl"))].content_type == "text/xsl; charset=utf-8"
    assert files[next(k for k in assets if k.endswith(".js"))].content_type == "text/javascript; charset=utf-8"
    assert all(is_site_key(k) for k in [*pages, "sitemap.xml", *assets])
    assert not any(is_site_key(k) for k in files if k.startswith(("media/", "artwork/", "chapters/", "transcripts/")))


def test_pages_are_small(built: BuiltSite) -> None:
    for key in built.pages():
        assert page_weight(built, key) < PAGE_LIMIT, key


def test_a_long_transcript_is_cut_and_linked_so_the_page_stays_small(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cues = ["WEBVTT", ""]
    for n in range(4000):  # two hours of talk
        start = n * 1.8
        cues += [
            f"{_ts(start)} --> {_ts(start + 1.8)}",
            f"<v Ana>Phrase numéro {n}, assez longue pour être réaliste.",
            "",
        ]
    long_vtt = tmp_path / "long.vtt"
    long_vtt.write_text("\n".join(cues), encoding="utf-8")
    root = tmp_path / "show"
    site = build_site(tmp_path, capsys, hostile=False)
    result = run_podpub(
        capsys, "-C", str(root), "add", "--json", str(FIXTURES / "long.opus"), "--transcript", str(long_vtt),
        "--date", "2026-04-01T00:00:00Z",
    )  # fmt: skip
    assert result.code == 0, result.err
    ws = pipeline.open_show(root)
    pipeline.build(ws, site.out)
    key = site.episode_key_of(json.loads(result.out)[0]["guid"])
    page = site.page(key)
    shown = page.xpath("//ol[@class='transcript']/li")
    assert 100 < len(shown) < 4000
    assert len(site.text(key).encode()) < TRANSCRIPT_BUDGET + 20_000
    assert page_weight(site, key) < PAGE_LIMIT
    more = page.xpath("//section[.//ol[@class='transcript']]//p/a/@href")
    assert len(more) == 1 and more[0].endswith(".vtt") and (site.out / key).parent.joinpath(more[0]).resolve().is_file()


def _ts(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def test_hostile_text_is_escaped_everywhere(built: BuiltSite) -> None:
    for key in built.pages():
        page = built.page(key)
        scripts = page.xpath("//script")
        assert len(scripts) == 1 and not (scripts[0].text or "").strip(), key  # only podpub's own, external
        assert re.fullmatch(r"(\.\./)*site/site-[0-9a-f]{12}\.js", scripts[0].get("src")), key
        for element in page.iter():
            if not isinstance(element.tag, str):
                continue
            assert element.tag not in ("iframe", "svg", "object", "embed"), key
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (key, element.tag, name)
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (key, name, value)
    index = built.page("index.html")
    titles = index.xpath("//ol[@class='episodes']//h3/a/text()")
    assert SCRIPT_TITLE in titles  # shown as text, exactly as the producer typed it
    assert any("</b> ]]> &" in title for title in titles)  # hostile.mp3's title tag, markup included, as text
    episode = built.page(built.episode_key("script title"))
    assert episode.xpath("string(//h1)") == SCRIPT_TITLE
    assert episode.xpath("string(//title)").startswith(SCRIPT_TITLE)
    assert episode.xpath("//meta[@property='og:title']/@content") == [SCRIPT_TITLE]
    chapters = episode.xpath("//ol[@class='chapters']/li")
    assert [c.xpath("string(a)").split(" ", 1)[1] for c in chapters] == [c["title"] for c in _hostile_chapters()]
    notes = episode.xpath("//div[@class='notes']")[0]
    assert [a.get("href") for a in notes.iter("a")] == ["https://example.org/ok", None]  # javascript: links gone
    assert "window.__pwned" not in "".join(notes.xpath(".//@*"))
    assert "Ana <script>" in index.xpath("string(//p[@class='people-line'])")


def _hostile_chapters() -> list[dict[str, object]]:
    from tests.website.conftest import HOSTILE_CHAPTERS

    return HOSTILE_CHAPTERS["chapters"]  # type: ignore[return-value]


def test_every_page_has_autodiscovery_open_graph_and_a_canonical_url(built: BuiltSite) -> None:
    feed_url = BASE_URL + "feed.xml"
    for key in built.pages():
        page = built.page(key)
        assert page.get("lang") == "fr"
        alternates = page.xpath("//link[@rel='alternate'][@type='application/rss+xml']")
        assert [a.get("href") for a in alternates] == [feed_url], key
        assert alternates[0].get("title") == "La Voix & les Autres"
        canonical = page.xpath("//link[@rel='canonical']/@href")
        assert canonical == [BASE_URL + key], key
        meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//meta[@content]")}
        assert meta["og:url"] == canonical[0]
        assert meta["og:site_name"] == "La Voix & les Autres"
        assert meta["og:title"] and meta["og:description"] and meta["description"]
        assert meta["og:image"].startswith(BASE_URL + "artwork/") and meta["og:image"].endswith(".jpg")
        assert meta["twitter:card"] == "summary" and meta["twitter:image"] == meta["og:image"]
        assert page.xpath("//meta[@name='viewport']")
    episode = built.page(built.episode_key("everything"))
    meta = {m.get("property") or m.get("name"): m.get("content") for m in episode.xpath("//meta[@content]")}
    audio = episode.xpath("//audio")[0]
    assert meta["og:audio"].startswith(BASE_URL + "media/") and meta["og:audio"].endswith(".mp3")
    assert meta["og:audio:type"] == "audio/mpeg"
    assert (built.out / built.episode_key("everything")).parent.joinpath(audio.get("src")).resolve() == (
        built.out / meta["og:audio"].removeprefix(BASE_URL)
    ).resolve()
    assert meta["og:type"] == "article" and meta["article:published_time"] == "2026-03-01T09:00:00+01:00"


def test_episode_page_has_player_chapters_transcript_people_and_links(built: BuiltSite) -> None:
    key = built.episode_key("everything")
    page = built.page(key)
    folder = (built.out / key).parent
    (audio,) = page.xpath("//audio")
    assert audio.get("preload") == "none" and audio.get("controls") is not None and audio.get("aria-label")
    assert audio.get("id") == "player"
    assert audio.xpath("a/@href") == [audio.get("src")]  # browsers without <audio> get a link
    assert folder.joinpath(audio.get("src")).resolve().is_file()
    chapters = page.xpath("//ol[@class='chapters']/li/a[@class='seek']")
    assert [c.xpath("string(time)") for c in chapters] == ["0:00", "0:04", "0:09"]
    assert [c.get("href").rsplit("#", 1)[1] for c in chapters] == ["t=0", "t=4.5", "t=9"]
    assert all(c.get("href").split("#")[0] == audio.get("src") for c in chapters)  # works without JavaScript
    assert page.xpath("//ol[@class='chapters']/li/a[@class='ext']/@href") == ["https://example.org/jardin"]
    cues = page.xpath("//ol[@class='transcript']/li")
    assert [c.xpath("string(a)") for c in cues] == ["0:00", "0:02", "1:10"]
    assert [c.xpath("a/@href")[0] for c in cues] == ["#t=0", "#t=2.5", "#t=70.25"]
    assert [c.xpath("a/@data-end")[0] for c in cues] == ["2.5", "6", "72"]
    assert cues[0].xpath("string(b)") == "Ana" and cues[1].xpath("string(b)") == "Ben"
    assert "Merci, Ana. Aujourd'hui : le jardin de l'école." in cues[1].text_content()
    people = [p.text_content() for p in page.xpath("//ul[@class='people']/li")]
    assert people == ["Ana <script>window.__pwned='person'</script> animation", "Gaston Guest invité·e"]
    links = page.xpath("//ul[@class='links-list']//a")
    assert [a.text_content() for a in links] == [
        "Le jardin", "Transcription (VTT)", "Transcription (SRT)", "Transcription (VTT)"
    ]  # fmt: skip
    downloads = [a.text_content() for a in page.xpath("//ul[@class='downloads']//a")]
    assert downloads == ["Télécharger (MP3)", "Télécharger (Ogg)"]
    assert page.xpath("string(//p[@class='kicker'])") == "Saison 1 (Les débuts) · Épisode un"
    assert page.xpath("string(//p[@class='meta'])") == "1er mars 2026 · 12 s"
    nav = page.xpath("//nav[@class='pager']/a")
    assert [a.get("rel") for a in nav] == ["prev", "next"]


def test_index_lists_episodes_newest_first_with_subscribe_buttons(built: BuiltSite) -> None:
    index = built.page("index.html")
    items = index.xpath("//ol[@class='episodes']/li")
    dates = [i.xpath("string(.//time[1]/@datetime)") for i in items]
    assert dates == sorted(dates, reverse=True) and len(items) == 5
    for item in items:
        assert item.xpath(".//a[@class='play']/@href")[0].startswith("media/")
        assert item.xpath(".//a[@class='play']/@data-title")
        assert item.xpath("string(.//time[2])").endswith(" s")
    buttons = {a.text_content(): a.get("href") for a in index.xpath("//ul[@class='buttons']//a")}
    feed = BASE_URL + "feed.xml"
    assert buttons == {
        "Apple Podcasts": "podcast://cdn.example.org/show/feed.xml",
        "Pocket Casts": "pktc://subscribe/cdn.example.org/show/feed.xml",
        "Overcast": "overcast://x-callback-url/add?url=https%3A%2F%2Fcdn.example.org%2Fshow%2Ffeed.xml",
        "AntennaPod": "https://antennapod.org/deeplink/subscribe?url=https%3A%2F%2Fcdn.example.org%2Fshow%2Ffeed.xml"
        "&title=La%20Voix%20%26%20les%20Autres",
    }
    (field,) = index.xpath("//input[@id='feed-url']")
    assert field.get("value") == feed and field.get("readonly") is not None
    assert index.xpath("//label[@for='feed-url']")
    (copy,) = index.xpath("//button[@data-copy='feed-url']")
    assert copy.get("hidden") is not None  # shown by the script only where the clipboard API exists
    assert index.xpath("//a[@class='skip'][@href='#main']") and index.xpath("//main[@id='main']")


def test_site_table_sets_title_directory_links_colours_and_extra_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = build_site(
        tmp_path, capsys, hostile=False,
        site='[site]\ntitle = "Le site & co"\napple_podcasts = "https://podcasts.apple.com/fr/podcast/id1"\n'
        'spotify = "https://open.spotify.com/show/abc"\naccent_color = "#0b5394"\nbackground_color = "#fffdf5"\n'
        'text_color = "#222"\nclean_urls = true\n'
        '[[site.links]]\nlabel = "Mastodon"\nurl = "https://mastodon.example.org/@show"\n',
    )  # fmt: skip
    index = site.page("index.html")
    assert index.xpath("string(//h1)") == "Le site & co" and index.xpath("string(//title)") == "Le site & co"
    buttons = {a.text_content(): a.get("href") for a in index.xpath("//ul[@class='buttons']//a")}
    assert buttons["Apple Podcasts"] == "https://podcasts.apple.com/fr/podcast/id1"
    assert buttons["Spotify"] == "https://open.spotify.com/show/abc"
    assert list(buttons) == ["Apple Podcasts", "Spotify", "Pocket Casts", "Overcast", "AntennaPod"]
    style = index.xpath("string(//style)")
    assert "--accent:#0b5394" in style and "--bg:#fffdf5" in style and "--fg:#222222" in style
    assert "prefers-color-scheme" not in style  # the producer's colours, in every scheme
    assert index.xpath("//footer//a[@href='https://mastodon.example.org/@show']/text()") == ["Mastodon"]
    # clean URLs: folders, not index.html
    links = index.xpath("//ol[@class='episodes']//h3/a/@href")
    assert links and all(re.fullmatch(r"episodes/[a-z0-9-]+/", href) for href in links)
    assert index.xpath("//link[@rel='canonical']/@href") == [BASE_URL]
    episode = site.page(links[0] + "index.html")
    assert episode.xpath("//header[@class='top']/a[@class='brand']/@href") == ["../../"]
    feed = etree.fromstring((site.out / "feed.xml").read_bytes())
    assert all(link.endswith("/") for link in feed.xpath("//item/link/text()"))


def test_disabled_site_publishes_no_page_and_an_unstyled_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = build_site(tmp_path, capsys, hostile=False, site="[site]\nenabled = false\n")
    assert site.pages() == [] and not (site.out / "sitemap.xml").exists() and not (site.out / "site").exists()
    feed = (site.out / "feed.xml").read_bytes()
    assert b"xml-stylesheet" not in feed and b"<link>https://cdn.example.org/show/episodes" not in feed
    assert not any(is_site_key(u.key) for u in site.result.site.files)
    assert site.result.site.page_keys == frozenset()


def test_sitemap_lists_every_page(built: BuiltSite) -> None:
    root = etree.fromstring((built.out / "sitemap.xml").read_bytes())
    locs = root.xpath("//sm:url/sm:loc/text()", namespaces=NS)
    assert sorted(locs) == sorted(BASE_URL + key for key in built.pages())
    lastmods = dict(zip(locs, root.xpath("//sm:url/sm:lastmod/text()", namespaces=NS), strict=True))
    assert lastmods[BASE_URL + "index.html"] == "2026-03-05"
    assert lastmods[BASE_URL + built.episode_key("everything")] == "2026-03-01"


def test_feed_is_styled_for_browsers_and_unchanged_for_apps(built: BuiltSite) -> None:
    feed = (built.out / "feed.xml").read_bytes()
    head = feed.split(b"<rss", 1)[0].decode()
    assert feed.startswith(XML_DECLARATION)
    assert re.fullmatch(
        r'<\?xml version="1.0" encoding="UTF-8"\?>\n'
        r'<\?xml-stylesheet type="text/xsl" href="site/feed-[0-9a-f]{12}\.xsl"\?>\n'
        r'<\?xml-stylesheet type="text/css" href="site/feed-[0-9a-f]{12}\.css"\?>\n',
        head,
    )
    parsed = podcastparser.parse(BASE_URL + "feed.xml", io.BytesIO(feed))
    assert len(parsed["episodes"]) == 5 and parsed["title"] == "La Voix & les Autres"
    fp = feedparser.parse(feed)
    assert not fp.bozo and len(fp.entries) == 5
    links = {e.id: e.link for e in fp.entries}
    for guid in built.show.guids:
        assert links[guid] == BASE_URL + built.episode_key_of(guid)
    # the XSL turns the feed into a page: libxslt here is the engine Chromium runs
    xsl_href = re.search(r'href="(site/feed-[0-9a-f]{12}\.xsl)"', head)
    assert xsl_href is not None
    transform = etree.XSLT(etree.parse(str(built.out / xsl_href.group(1))))
    page = lxml.html.fromstring(str(transform(etree.fromstring(feed))))
    assert page.xpath("string(//h1)") == "La Voix & les Autres"
    assert SCRIPT_TITLE in page.xpath("//ol[@class='episodes']//h3/a/text()")
    assert not page.xpath("//script")
    assert page.xpath("//input/@value") == [BASE_URL + "feed.xml"]
    assert page.xpath("//link[@rel='stylesheet']/@href")[0].startswith("site/style-")
    assert set(page.xpath("//ol[@class='episodes']//h3/a/@href")) == {
        BASE_URL + built.episode_key_of(g) for g in built.show.guids
    }


def test_rebuild_rewrites_nothing(built: BuiltSite, tmp_path: Path) -> None:
    before = snapshot(built.out)
    ws = pipeline.open_show(built.show.root)
    result = pipeline.build(ws, built.out)
    assert result.report.uploaded == [] and snapshot(built.out) == before


def test_pages_are_uploaded_after_the_claim_and_before_the_feed(built: BuiltSite, tmp_path: Path) -> None:
    ws = pipeline.open_show(built.show.root)
    target = LocalTarget(tmp_path / "www")
    plan = pipeline.publish_plan(ws, built.result, target)
    assert {u.key for u in plan.pages} == set(built.result.site.page_keys)
    assert not any(u.key in built.result.site.page_keys for u in plan.files)
    order = [u.key for u in sync.execute(plan, target).uploaded]
    first_page = min(order.index(k) for k in built.result.site.page_keys)
    assert all(order.index(u.key) < first_page for u in plan.files) and order[-1] == "feed.xml"


def test_default_palette_passes_wcag_aa() -> None:
    for palette in (LIGHT, DARK):
        for under in (palette.background, palette.surface, palette.highlight):
            for color in (palette.text, palette.muted, palette.accent):
                assert contrast(color, under) >= AA_RATIO, (palette, color, under)
        assert contrast(palette.background, palette.accent) >= AA_RATIO  # button text on the accent


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ("[site]\nenabeld = true\n", "site.enabeld is not a known key; did you mean 'enabled'?"),
        ('[site]\naccent_color = "red"\n', 'site.accent_color must be a colour written "#rrggbb"'),
        ('[site]\naccent_color = "#ffd000"\n', "site.accent_color gives accent_color #ffd000 a contrast of 1.5:1"),
        ('[site]\nbackground_color = "#000000"\n', "site.background_color gives text_color #1f2328 a contrast of"),
        ('[site]\nspotify = "open.spotify.com/show/x"\n', "site.spotify must be an http(s):// URL"),
        ('[site]\nenabled = "no"\n', "site.enabled must be true or false"),
        ('[[site.links]]\nlabel = "x"\n', "missing required key 'site.links[1].url'"),
        ('[[site.links]]\nlabel = "x"\nurl = "https://x.org"\nhref = "y"\n', "site.links[1].href is not a known key"),
        ("site = 3\n", "site must be a table"),
    ],
)
def test_site_table_errors_name_the_line_and_the_fix(
    show_dir: Path, capsys: pytest.CaptureFixture[str], site: str, message: str
) -> None:
    config = show_dir / "podcast.toml"
    text = config.read_text(encoding="utf-8")
    if site.startswith("site ="):
        text = site + text
    else:
        text += "\n" + site
    config.write_text(text, encoding="utf-8")
    result = run_podpub(capsys, "-C", str(show_dir), "build")
    assert result.code == 2, result.err
    assert message in result.err, result.err
    assert "podcast.toml:" in result.err


def test_many_episodes_go_to_archive_pages_and_shared_slugs_stay_apart(
    show_dir: Path, capsys: pytest.CaptureFixture[str], fixture_copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podpub.website import render

    monkeypatch.setattr(render, "INDEX_LIMIT", 4)
    monkeypatch.setattr(render, "ARCHIVE_PAGE", 3)
    for n in range(7):
        audio = fixture_copy("cbr.mp3", show_dir.parent / "incoming" / f"ep{n}.mp3")
        title = "Interview" if n < 2 else f"Épisode {n}"
        result = run_podpub(
            capsys, "-C", str(show_dir), "add", str(audio), "--title", title, "--date", f"2026-01-0{n + 1}T10:00:00Z"
        )
        assert result.code == 0, result.err
    ws = pipeline.open_show(show_dir)
    out = show_dir / "public"
    pipeline.build(ws, out)
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    # Archive pages are cut from the oldest episode (so a new episode changes the newest page only):
    # archive/1/ holds the 3 oldest, archive/2/ the next 3, archive/index.html the newest one.
    assert pages == [
        "archive/1/index.html", "archive/2/index.html", "archive/index.html",
        "episodes/0001-interview/index.html", "episodes/0002-interview/index.html",
        *[f"episodes/episode-{n}/index.html" for n in range(2, 7)], "index.html",
    ]  # fmt: skip
    index = lxml.html.fromstring((out / "index.html").read_bytes())
    assert index.xpath("//ol[@class='episodes']//h3/a/text()") == ["Épisode 6", "Épisode 5", "Épisode 4", "Épisode 3"]
    assert index.xpath("//p[@class='more']/a/@href") == ["archive/index.html"]
    seen = []
    for key in ("archive/index.html", "archive/2/index.html", "archive/1/index.html"):
        page = lxml.html.fromstring((out / key).read_bytes())
        seen += page.xpath("//ol[@class='episodes']//h3/a/text()")
        nav = {a.get("rel"): a.get("href") for a in page.xpath("//nav[@class='pager']/a")}
        if key == "archive/2/index.html":
            assert nav == {"prev": "../index.html", "next": "../1/index.html"}
    assert seen == ["Épisode 6", "Épisode 5", "Épisode 4", "Épisode 3", "Épisode 2", "Interview", "Interview"]
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") == len(pages)
