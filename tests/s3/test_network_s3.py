"""A network of three shows published to SeaweedFS in one `publish --all`, as listeners then see it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree, html

from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES
from tests.rich_show import make_artwork
from tests.s3server import CountingProxy, SeaweedFS, anonymous_request

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
SHOWS = {
    "les-ecoles": "Les écoles d'à côté",
    "cafe-des-parents": "Café des parents & co",
    "recettes": "Recettes à la française",
}


def podpub(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    return run_podpub(capsys, *args)


def get(url: str) -> bytes:
    status, _, body = anonymous_request(url)
    assert status == 200, url
    return body


def test_publish_all_serves_every_feed_opml_and_page_and_isolates_a_broken_show(
    seaweedfs: SeaweedFS,
    bucket: str,
    counting_proxy: CountingProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    public = f"{seaweedfs.endpoint_url}/{bucket}"
    root = tmp_path / "réseau"
    created = podpub(
        capsys, "-C", str(tmp_path), "new-workspace", "réseau", "--title", "Les podcasts du quartier",
        "--base-url", public + "/{slug}/", "--target", f"s3://{bucket}/{{slug}}", "--author", "Association Élan",
        "--email", "radio@example.org", "--language", "fr", "--category", "Education",
    )  # fmt: skip
    assert created.code == 0, created.err
    config = root / "podpub.toml"  # every show reaches the store through the counting proxy
    config.write_text(
        config.read_text().replace("[publish]\n", f'[publish]\nendpoint_url = "{counting_proxy.url}"\n'),
        encoding="utf-8",
    )
    art = make_artwork(tmp_path / "cover.jpg")
    for slug, title in SHOWS.items():
        extra = ["--language", "en"] if slug == "cafe-des-parents" else []
        made = podpub(capsys, "-C", str(root), "new-show", slug, "--title", title, "--image", str(art), *extra)
        assert made.code == 0, made.err
        date = "2026-02-01T09:00:00Z"
        added = podpub(capsys, "-C", str(root / slug), "add", "--date", date, str(FIXTURES / "cbr.mp3"))
        assert added.code == 0, added.err
    broken = root / "recettes" / "episodes" / "bad.md"
    broken.write_text('+++\ntitle = "Tarte"\ndate = 2026-02-02\n+++\n', encoding="utf-8")

    first = podpub(capsys, "-C", str(root), "publish", "--all", "--json")
    assert first.code == 1
    rows = {row["show"]: row for row in json.loads(first.out)["shows"]}
    assert rows["les-ecoles"]["status"] == rows["cafe-des-parents"]["status"] == "published"
    assert rows["recettes"]["status"] == "failed" and "bad.md" in rows["recettes"]["error"]
    assert rows["(network)"]["status"] == "published"
    errors = [line for line in first.err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: recettes: {rows['recettes']['error']}"]

    # every live feed is served anonymously and parses in gPodder's and feedparser's parsers
    for slug in ("les-ecoles", "cafe-des-parents"):
        url = f"{public}/{slug}/feed.xml"
        body = get(url)
        parsed = podcastparser.parse(url, io.BytesIO(body))
        assert parsed["title"] == SHOWS[slug] and len(parsed["episodes"]) == 1
        assert get(parsed["episodes"][0]["enclosures"][0]["url"]) == (FIXTURES / "cbr.mp3").read_bytes()
        channel = etree.fromstring(body).find("channel")
        # inherited from podpub.toml ...
        assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == "radio@example.org"
        assert channel.findtext(f"{ITUNES}author") == "Association Élan"
        # ... and overridden by one show
        assert channel.findtext("language") == ("en" if slug == "cafe-des-parents" else "fr")
        assert feedparser.parse(body).feed.title == SHOWS[slug]
        sisters = {i.get("feedUrl") for i in channel.find(f"{PODCAST}podroll")}
        assert f"{public}/{slug}/feed.xml" not in sisters and len(sisters) == 2
    status, _, _ = anonymous_request(f"{public}/recettes/feed.xml")
    assert status == 404  # the broken show published nothing

    opml = etree.fromstring(get(f"{public}/podcasts.opml"))
    assert opml.get("version") == "2.0"
    assert {o.get("xmlUrl") for o in opml.iter("outline")} == {
        f"{public}/les-ecoles/feed.xml",
        f"{public}/cafe-des-parents/feed.xml",
    }
    page = html.fromstring(get(f"{public}/index.html"))
    text = page.text_content()
    assert "Les écoles d'à côté" in text and "Café des parents & co" in text and "Recettes" not in text
    assert not page.xpath("//script[not(@src)][contains(., 'Recettes')]")
    publisher = etree.fromstring(get(f"{public}/publisher.xml"))
    assert publisher.findtext(f"channel/{PODCAST}medium") == "publisher"
    assert len(publisher.findall(f"channel/{PODCAST}remoteItem")) == 2

    # nothing changed: nothing written (the broken show still fails, alone)
    counting_proxy.reset()
    again = podpub(capsys, "-C", str(root), "publish", "--all", "--json")
    assert again.code == 1
    assert [r.method for r in counting_proxy.requests if r.method in ("PUT", "POST", "DELETE")] == []
    assert {row["show"]: row["status"] for row in json.loads(again.out)["shows"]} == {
        "cafe-des-parents": "up to date", "les-ecoles": "up to date", "recettes": "failed", "(network)": "up to date",
    }  # fmt: skip

    # fixed: the third show goes live and joins the network's files
    broken.unlink()
    fixed = podpub(capsys, "-C", str(root), "publish", "--all", "--json")
    assert fixed.code == 0, fixed.err
    assert podcastparser.parse("u", io.BytesIO(get(f"{public}/recettes/feed.xml")))["title"] == SHOWS["recettes"]
    assert len(list(etree.fromstring(get(f"{public}/podcasts.opml")).iter("outline"))) == 3
    counting_proxy.reset()
    quiet = podpub(capsys, "-C", str(root), "publish", "--all", "--json")
    assert quiet.code == 0
    assert [r for r in counting_proxy.requests if r.method in ("PUT", "POST", "DELETE")] == []
