"""The website published to a real S3 server (SeaweedFS), read anonymously, then browsed in Chromium.

An S3 bucket serves no folder's `index.html`: the site must link files by name. Every local link of
every page is followed and must answer 200 with podpub's Content-Type and Cache-Control.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from podpub.website import is_site_key
from tests.cli_helpers import run_podpub
from tests.conftest import isolate_aws_env
from tests.rich_show import build_rich_show
from tests.s3server import SeaweedFS, anonymous_request

IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
}


@pytest.fixture
def published(
    seaweedfs: SeaweedFS,
    bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, dict[str, Any]]]:
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)
    endpoint = seaweedfs.endpoint_url
    base = f"{endpoint}/{bucket}/show/"
    show = build_rich_show(
        tmp_path / "show", base, capsys, extra_publish={"target": f"s3://{bucket}/show", "endpoint_url": endpoint}
    )
    result = run_podpub(capsys, "-C", str(show.root), "publish", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    yield base, report


def test_every_page_and_asset_is_served_from_the_bucket(published: tuple[str, dict[str, Any]]) -> None:
    base, report = published
    uploaded = report["uploaded"]
    assert uploaded[-1] == "feed.xml"
    pages = [k for k in uploaded if k.endswith(".html") or k == "sitemap.xml"]
    first_page = min(uploaded.index(k) for k in pages)
    assert all(not k.startswith(("media/", "site/")) for k in uploaded[first_page:-1])  # pages after the rest
    seen: dict[str, bytes] = {}
    queue = [base + "index.html"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, headers, body = anonymous_request(url)
        assert status == 200, url
        key = url.removeprefix(base)
        assert is_site_key(key) or key == "feed.xml" or key.startswith(("artwork/", "transcripts/", "chapters/")), key
        suffix = Path(urlsplit(url).path).suffix
        if suffix in TYPES:
            assert headers["content-type"] == TYPES[suffix], url
        if key.endswith(".html"):
            assert headers["cache-control"] == "public, max-age=300", url
        elif key.startswith("site/"):
            assert headers["cache-control"] == IMMUTABLE, url
        seen[url] = body
        if key.endswith(".html"):
            page = lxml.html.fromstring(body)
            for link in page.xpath("//a/@href | //link[@rel!='canonical' and @rel!='alternate']/@href | //@src"):
                target = urljoin(url, link).split("#", 1)[0]
                if target.startswith(base) and not target.startswith(base + "media/"):
                    queue.append(target)
    keys = {u.removeprefix(base) for u in seen}
    assert "index.html" in keys and sum(k.startswith("episodes/") for k in keys) == 3
    assert any(re.fullmatch(r"site/style-[0-9a-f]{12}\.css", k) for k in keys)
    status, headers, feed = anonymous_request(base + "feed.xml")
    assert headers["content-type"] == TYPES[".xml"]
    for href in re.findall(rb'<\?xml-stylesheet type="[^"]+" href="([^"]+)"\?>', feed):
        status, headers, _ = anonymous_request(base + href.decode())
        assert status == 200 and headers["cache-control"] == IMMUTABLE
    status, headers, sitemap = anonymous_request(base + "sitemap.xml")
    assert status == 200 and sitemap.count(b"<loc>") == 4


def test_browsing_the_bucket(published: tuple[str, dict[str, Any]], playwright_browser: Any, artifacts: Path) -> None:
    base, _ = published
    _, browser = playwright_browser
    page = browser.new_page()
    try:
        page.goto(base + "index.html")
        page.get_by_role("link", name="Chapitres en MP3", exact=True).click()
        page.wait_for_load_state()
        assert page.url.startswith(base + "episodes/") and page.locator("h1").inner_text() == "Chapitres en MP3"
        page.get_by_role("link", name="0:04 Le jardin").click()  # seeking needs byte ranges from the store
        page.wait_for_function("document.getElementById('player').currentTime >= 4.5", timeout=15_000)
        page.evaluate("document.getElementById('player').pause()")
        page.goto(base + "feed.xml")
        assert page.evaluate("document.documentElement.tagName") == "HTML"
        assert page.locator("h1").inner_text() == "La Voix & les Autres"
        page.screenshot(path=str(artifacts / "feed-from-s3.png"))
    finally:
        page.close()
