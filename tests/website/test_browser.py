"""The show's website in a real browser: Debian's Chromium, headless, driven by Playwright.

The built site is served by podpub's own preview server (built with base_url pointed at it, as
`podpub serve` does). Playwright never downloads a browser here: it drives /usr/bin/chromium. The
tests skip only on a developer's machine without Chromium; under CI (CI set) a missing browser fails.

Screenshots go to $PODPUB_ARTIFACTS/website (default: the session's pytest temp folder).
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from podpub import pipeline
from podpub.serve import make_server
from tests.website.conftest import ARGS, CHROMIUM, SCRIPT_TITLE, BuiltSite, build_site


class Served:
    def __init__(self, site: BuiltSite, url: str) -> None:
        self.site = site
        self.url = url


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The rich show with hostile episodes, built for and served by a preview server on a free port."""
    tmp_path = tmp_path_factory.mktemp("browser")
    out = tmp_path / "public"
    out.mkdir()
    server = make_server(out, port=0)
    capture = _Capture()
    with contextlib.redirect_stdout(capture.out), contextlib.redirect_stderr(capture.err):
        site = build_site(tmp_path, capture, base_url=server.url, out=out)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(site, server.url)
    finally:
        server.shutdown()
        server.server_close()


class _Capture:
    """A capsys for module-scoped fixtures: `run_podpub` reads what the CLI printed through it."""

    def __init__(self) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()

    def readouterr(self) -> Any:
        captured = SimpleNamespace(out=self.out.getvalue(), err=self.err.getvalue())
        self.out.seek(0), self.out.truncate(), self.err.seek(0), self.err.truncate()
        return captured


@pytest.fixture
def page(playwright_browser: Any) -> Iterator[Any]:
    _, browser = playwright_browser
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def player_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def test_index_to_episode_play_seek_and_transcript_highlight(page: Any, served: Served, artifacts: Path) -> None:
    page.goto(served.url)
    assert page.title() == "La Voix & les Autres"
    feed = page.locator("link[rel=alternate][type='application/rss+xml']")
    assert feed.get_attribute("href") == served.url + "feed.xml"
    page.screenshot(path=str(artifacts / "index.png"), full_page=True)

    page.get_by_role("link", name="Chapitres en MP3", exact=True).click()
    page.wait_for_load_state()
    assert page.url == served.url + served.site.episode_key("everything")
    player = page.locator("audio#player")
    assert player.get_attribute("preload") == "none"
    assert page.evaluate("document.getElementById('player').readyState") == 0  # nothing fetched before play
    assert page.locator(".skips").is_visible()  # the script ran

    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime > 0.3", timeout=15_000)
    assert not page.evaluate("document.getElementById('player').paused")

    page.get_by_role("link", name="0:04 Le jardin").click()
    page.wait_for_function("document.getElementById('player').currentTime >= 4.5", timeout=10_000)
    assert 4.5 <= player_time(page) < 7
    # the highlight moves on the player's next timeupdate (up to 250 ms later on a busy machine)
    page.wait_for_function(
        "document.querySelector('.chapters li.current')?.textContent.trim().startsWith('0:04 Le jardin')",
        timeout=10_000,
    )
    current = page.locator(".chapters li.current")
    assert current.inner_text().startswith("0:04 Le jardin") and current.get_attribute("aria-current") == "true"
    assert page.locator(".chapters li.current").count() == 1

    page.locator(".transcript a.seek", has_text="0:00").click()
    page.wait_for_function(
        "document.querySelector('.transcript li.current')?.textContent.includes('Bonjour')", timeout=10_000
    )
    assert player_time(page) < 2.5
    # playing on: the highlight follows the audio into the next cue (2.5 s to 6 s)
    page.wait_for_function(
        "document.querySelector('.transcript li.current')?.textContent.includes('Merci, Ana')", timeout=10_000
    )
    assert page.locator(".transcript li.current").count() == 1
    assert page.locator(".transcript li[aria-current=true]").inner_text().startswith("0:02")
    assert 2.5 <= player_time(page) < 6.5
    page.evaluate("document.getElementById('player').pause()")
    page.screenshot(path=str(artifacts / "episode.png"), full_page=True)
    assert page.errors == []


def test_keyboard_seeks_with_a_chapter_link(page: Any, served: Served) -> None:
    page.goto(served.url + served.site.episode_key("everything"))
    link = page.get_by_role("link", name="0:09 À bientôt")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('player').currentTime >= 9", timeout=10_000)
    assert player_time(page) < 12
    # the native controls are focusable and labelled
    label = page.locator("audio#player").get_attribute("aria-label")
    assert label is not None and label.endswith("Chapitres en MP3")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_script_in_titles_notes_chapters_and_transcripts_never_runs(page: Any, served: Served, artifacts: Path) -> None:
    page.goto(served.url)
    assert page.get_by_role("link", name=SCRIPT_TITLE, exact=True).count() == 1  # shown as text
    page.get_by_role("link", name=SCRIPT_TITLE, exact=True).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == SCRIPT_TITLE
    assert "<img src=x onerror" in page.locator(".chapters").inner_text()
    assert "<script>window.__pwned='cue'</script>" in page.locator(".transcript").inner_text()
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime > 0.2", timeout=15_000)
    page.get_by_role("link", name=re.compile(r"^0:02 Second")).click()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    page.screenshot(path=str(artifacts / "hostile-episode.png"), full_page=True)
    page.goto(served.url + "feed.xml")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []


def test_feed_renders_through_the_xsl_stylesheet(page: Any, served: Served, artifacts: Path) -> None:
    response = page.goto(served.url + "feed.xml")
    assert response is not None and response.headers["content-type"] == "application/xml; charset=utf-8"
    assert page.evaluate("document.documentElement.tagName") == "HTML"
    assert page.locator("h1").inner_text() == "La Voix & les Autres"
    body = page.locator("main").inner_text()
    assert SCRIPT_TITLE in body and "Chapitres en MP3" in body
    assert "<?xml" not in page.locator("body").inner_text() and "<rss" not in page.locator("body").inner_text()
    assert page.get_by_role("textbox", name="Adresse du flux").input_value() == served.url + "feed.xml"
    page.get_by_role("link", name="Chapitres en MP3", exact=True).click()
    page.wait_for_load_state()
    assert page.url == served.url + served.site.episode_key("everything")
    page.goto(served.url + "feed.xml")
    page.screenshot(path=str(artifacts / "feed.png"), full_page=True)


def test_feed_is_readable_with_css_where_xslt_is_gone(playwright_browser: Any, served: Served, artifacts: Path) -> None:
    """Chromium is removing XSLT; the feed's second stylesheet (CSS) then styles the RSS itself."""
    playwright, _ = playwright_browser
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--disable-features=XSLT"])
    try:
        page = browser.new_page()
        page.goto(served.url + "feed.xml")
        assert page.evaluate("document.documentElement.tagName") == "rss"  # XSLT really is off
        text = page.evaluate("document.documentElement.textContent")
        assert "La Voix & les Autres" in text and "Chapitres en MP3" in text
        assert "does not appear to have any style information" not in page.content()
        assert page.evaluate("getComputedStyle(document.querySelector('channel > title')).fontWeight") == "700"
        assert page.evaluate("getComputedStyle(document.querySelector('enclosure')).display") == "none"
        page.screenshot(path=str(artifacts / "feed-css.png"))
    finally:
        browser.close()


def test_pages_work_without_javascript(playwright_browser: Any, served: Served) -> None:
    _, browser = playwright_browser
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url + served.site.episode_key("everything"))
        assert page.locator("audio#player[controls]").count() == 1
        assert not page.locator(".skips").is_visible() and not page.locator("button[data-copy]").is_visible()
        href = page.get_by_role("link", name="0:04 Le jardin").get_attribute("href")
        assert re.fullmatch(r"\.\./\.\./media/chapitres-en-mp3-[0-9a-f]{12}\.mp3#t=4\.5", href or "")
        page.get_by_role("link", name="0:04 Le jardin").click()  # the audio file itself, at 4.5 s
        page.wait_for_url(re.compile(r"/media/.*\.mp3#t=4\.5$"))
        page.goto(served.url)
        page.get_by_role("link", name="Chapitres en MP3", exact=True).click()
        page.wait_for_url(served.url + served.site.episode_key("everything"))
    finally:
        context.close()


def test_play_button_on_the_home_page_and_copying_the_feed_address(
    playwright_browser: Any, served: Served, artifacts: Path
) -> None:
    _, browser = playwright_browser
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
    try:
        page = context.new_page()
        page.goto(served.url)
        assert not page.locator("#dock").is_visible()
        page.locator("li", has=page.get_by_role("link", name="Chapitres en MP3", exact=True)).locator("a.play").click()
        page.wait_for_function("document.getElementById('player').currentTime > 0.2", timeout=15_000)
        assert page.locator("#dock").is_visible() and page.locator("#now-title").inner_text() == "Chapitres en MP3"
        assert re.search(r"/media/chapitres-en-mp3-[0-9a-f]{12}\.mp3$", page.evaluate("player.currentSrc"))
        page.get_by_role("button", name="Copier").click()
        page.wait_for_function("document.getElementById('copy-status').textContent.length > 0")
        assert page.locator("#copy-status").inner_text() == "Copiée dans le presse-papiers"
        assert page.evaluate("navigator.clipboard.readText()") == served.url + "feed.xml"
        page.screenshot(path=str(artifacts / "index-playing.png"))
    finally:
        context.close()


CONTRAST_JS = """
() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => c.map(channel).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && el.tagName !== 'BODY') continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = rgb(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    out.push([el.tagName + '.' + el.className, (a + 0.05) / (b + 0.05)]);
  }
  return out;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_passes_wcag_aa_contrast(playwright_browser: Any, served: Served, scheme: str) -> None:
    _, browser = playwright_browser
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        for key in ("index.html", served.site.episode_key("everything")):
            page.goto(served.url + key)
            page.evaluate("document.querySelector('.chapters li, .episodes li').classList.add('current')")
            ratios = page.evaluate(CONTRAST_JS)
            assert len(ratios) > 20
            low = [(element, round(ratio, 2)) for element, ratio in ratios if ratio < 4.5]
            assert low == [], (scheme, key, low)
    finally:
        context.close()


def test_site_on_s3_without_index_documents_links_files(page: Any, served: Served) -> None:
    """Links name index.html, so the site works where folders are not served (S3 buckets, R2, B2)."""
    for key in served.site.pages():
        for href in page.context.request.get(served.url + key).text().split('href="')[1:]:
            target = href.split('"', 1)[0]
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            assert not target.endswith("/"), (key, target)


def test_rebuilt_site_keeps_its_urls(served: Served) -> None:
    before = served.site.pages()
    ws = pipeline.open_show(served.site.show.root)
    result = pipeline.build(ws, served.site.out, base_url=served.url)
    assert result.report.uploaded == [] and served.site.pages() == before
