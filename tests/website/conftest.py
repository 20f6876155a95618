"""Shows whose websites the tests render: the rich show, plus an episode and a show full of hostile text."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree

from podpub import pipeline
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES
from tests.rich_show import RichShow, build_rich_show

BASE_URL = "https://cdn.example.org/show/"

#: every hostile text sets window.__pwned when it runs; the browser tests check that it never does
SCRIPT_TITLE = "<script>window.__pwned = 'title'</script> & \"quotes\""
HOSTILE_NOTES = """Notes with <script>window.__pwned = 'notes'</script> and <img src=x onerror="window.__pwned='img'">.

[click me](javascript:window.__pwned='link') and [ok](https://example.org/ok) and <a href="javascript:alert(1)">raw</a>

"><svg onload="window.__pwned='svg'"> <iframe src="javascript:alert(1)"></iframe>
"""
HOSTILE_CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 0, "title": "<img src=x onerror=\"window.__pwned='chapter'\">"},
        {"startTime": 2, "title": "Second </li></ol><script>window.__pwned='chapter2'</script>"},
    ],
}
HOSTILE_VTT = """WEBVTT

00:00:00.000 --> 00:00:01.500
<v Eve"><script>window.__pwned='speaker'</script>>Hello &lt;script&gt;window.__pwned='cue'&lt;/script&gt;

00:00:01.500 --> 00:00:03.000
<b>bold</b> <c.x>text</c> <00:00:02.000>timed & fine
"""


@dataclass
class BuiltSite:
    show: RichShow
    out: Path
    base_url: str
    result: pipeline.BuildResult

    def page(self, key: str) -> lxml.html.HtmlElement:
        return lxml.html.fromstring((self.out / key).read_bytes())

    def text(self, key: str) -> str:
        return (self.out / key).read_text(encoding="utf-8")

    def pages(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*.html"))

    def episode_key(self, what: str) -> str:
        guid = next(g for g, w in self.show.guids.items() if w == what)
        return self.episode_key_of(guid)

    def episode_key_of(self, guid: str) -> str:
        """The page the feed links for the episode (its item `<link>`)."""
        for item in etree.fromstring((self.out / "feed.xml").read_bytes()).iter("item"):
            if item.findtext("guid") == guid:
                link = item.findtext("link")
                assert link and link.startswith(self.base_url), link
                return link.removeprefix(self.base_url)
        raise AssertionError(f"no item for {guid}")


def add_hostile_episodes(root: Path, capsys: pytest.CaptureFixture[str], show: RichShow) -> None:
    """An episode whose title, notes, chapters and transcript try to run script; and hostile.mp3's tags."""
    notes = root.parent / "hostile-notes.md"
    notes.write_text(HOSTILE_NOTES, encoding="utf-8")
    chapters = root.parent / "hostile-chapters.json"
    chapters.write_text(json.dumps(HOSTILE_CHAPTERS), encoding="utf-8")
    vtt = root.parent / "hostile.vtt"
    vtt.write_text(HOSTILE_VTT, encoding="utf-8")
    result = run_podpub(
        capsys, "-C", str(root), "add", "--json", str(FIXTURES / "cbr_noxing.mp3"), "--title", SCRIPT_TITLE,
        "--notes", str(notes), "--chapters", str(chapters), "--transcript", str(vtt),
        "--date", "2026-03-05T09:00:00+01:00",
    )  # fmt: skip
    assert result.code == 0, result.err
    show.guids[json.loads(result.out)[0]["guid"]] = "script title"
    result = run_podpub(
        capsys, "-C", str(root), "add", "--json", str(FIXTURES / "hostile.mp3"), "--date", "2026-03-04T09:00:00+01:00"
    )
    assert result.code == 0, result.err
    show.guids[json.loads(result.out)[0]["guid"]] = "hostile tags"
    config = root / "podcast.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('name = "Ana Author"', "name = \"Ana <script>window.__pwned='person'</script>\"", 1)
    text = text.replace('label = "Soutenez l\'association"', 'label = "Soutenez <b onclick=x>nous</b>"', 1)
    config.write_text(text, encoding="utf-8")


def build_site(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    hostile: bool = True,
    base_url: str = BASE_URL,
    site: str = "",
    out: Path | None = None,
) -> BuiltSite:
    root = tmp_path / "show"
    show = build_rich_show(root, BASE_URL, capsys)
    if hostile:
        add_hostile_episodes(root, capsys, show)
    if site:
        config = root / "podcast.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("[owner]", site + "\n[owner]", 1), encoding="utf-8"
        )
    ws = pipeline.open_show(root)
    out = out or tmp_path / "public"
    result = pipeline.build(ws, out, base_url=None if base_url == BASE_URL else base_url)
    return BuiltSite(show, out, base_url, result)


@pytest.fixture
def built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> BuiltSite:
    return build_site(tmp_path, capsys)


# --- the browser (Debian's Chromium, driven by Playwright) ---------------------------------------------

CHROMIUM = os.environ.get("PODPUB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
]  # fmt: skip


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def playwright_browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield playwright, browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("PODPUB_ARTIFACTS")
    folder = Path(root) / "website" if root else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
