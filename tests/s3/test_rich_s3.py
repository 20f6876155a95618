"""The rich show published to a real S3 server (SeaweedFS), then fetched the way a podcast app fetches it.

Every file the feed links under base_url (artwork, enclosures, JSON chapters and their images, transcripts,
alternate encodings, the trailer) is requested anonymously over HTTP and checked: status, Content-Type,
Cache-Control, and bytes against their source (the fixture, the digest the feed announces, the chapters
given to `podpub add`). What is linked must be exactly what podpub's manifest says it published.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from podpub.website import is_site_key
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES
from tests.rich_show import build_rich_show
from tests.s3server import SeaweedFS, anonymous_request

PODCAST = "https://podcastindex.org/namespace/1.0"
NS = {
    "podcast": PODCAST,
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "psc": "http://podlove.org/simple-chapters",
}
IMMUTABLE = "public, max-age=31536000, immutable"
MEASURED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
# the chapters the rich show gives `podpub add --chapters` (tests/rich_show.py) and the M4A's own
CHAPTERS = {
    "chapters.mp3": [(0, "Présentation"), (4.5, "Le jardin"), (9, "À bientôt")],
    "chapters.m4a": [(c["start"], c["title"]) for c in MEASURED["chapters.m4a"]["chapters"]],
}
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class Fetcher:
    """Anonymous GETs under base_url, each checked for what every published file must have."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.fetched: dict[str, bytes] = {}
        self.content_types: dict[str, str] = {}

    def get(self, url: str | None, content_type: str) -> bytes:
        assert url is not None and url.startswith(self.base_url), url
        status, headers, body = anonymous_request(url)
        assert status == 200, (url, status, body[:200])
        assert media_type(headers["content-type"]) == content_type, (url, headers["content-type"])
        assert headers["cache-control"] == IMMUTABLE, (url, headers.get("cache-control"))
        assert int(headers["content-length"]) == len(body)
        # content-addressed: the name carries the start of the bytes' sha256
        assert hashlib.sha256(body).hexdigest()[:12] in url.rsplit("/", 1)[1], url
        self.fetched[url] = body
        self.content_types[url] = headers["content-type"]
        return body

    def image(self, url: str | None) -> Image.Image:
        assert url is not None
        status, headers, _ = anonymous_request(url, method="HEAD")
        assert status == 200, url
        picture = Image.open(io.BytesIO(self.get(url, media_type(headers["content-type"]))))
        assert IMAGE_TYPES[picture.format or ""] == media_type(headers["content-type"])
        return picture


def test_every_file_the_rich_feed_links_is_served_anonymously(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = seaweedfs.endpoint_url
    base = f"{endpoint}/{bucket}/show/"
    show = build_rich_show(
        tmp_path / "show", base, capsys, extra_publish={"target": f"s3://{bucket}/show", "endpoint_url": endpoint}
    )
    fixture_of = {"everything": "chapters.mp3", "embedded chpl chapters": "chapters.m4a", "trailer": "cbr.mp3"}
    assert sorted(show.guids.values()) == sorted(fixture_of)
    result = run_podpub(capsys, "-C", str(show.root), "publish", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["uploaded"][-1] == "feed.xml"

    status, headers, feed = anonymous_request(base + "feed.xml")
    assert status == 200
    assert headers["content-type"] == "application/xml; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=300"
    channel = etree.fromstring(feed).find("channel")
    assert channel is not None
    fetch = Fetcher(base)

    # show artwork: the 1400x1400 JPEG given to `init`, compliant, so published byte for byte
    artwork_url = channel.find("itunes:image", NS).get("href")
    assert channel.findtext("image/url") == artwork_url
    artwork = fetch.image(artwork_url)
    assert (artwork.format, artwork.size) == ("JPEG", (1400, 1400))
    assert fetch.fetched[artwork_url] == (tmp_path / "cover.jpg").read_bytes()

    items = {item.findtext("guid"): item for item in channel.iter("item")}
    assert set(items) == set(show.guids)
    ranges = 0
    for guid, item in items.items():
        fixture = FIXTURES / fixture_of[show.guids[guid]]
        enclosure = item.find("enclosure")
        url, length, mime = enclosure.get("url"), int(enclosure.get("length")), enclosure.get("type")
        assert mime == MEASURED[fixture.name]["mime_type"]
        assert fetch.get(url, mime) == fixture.read_bytes() and length == fixture.stat().st_size
        status, headers, body = anonymous_request(url, headers={"Range": "bytes=0-1"})
        assert (status, body) == (206, fixture.read_bytes()[:2]), url
        assert headers["content-range"] == f"bytes 0-1/{length}"
        ranges += 1
        for image in item.findall("itunes:image", NS):
            fetch.image(image.get("href"))

        chapters_tag = item.find("podcast:chapters", NS)
        if fixture.name in CHAPTERS:
            assert chapters_tag is not None and chapters_tag.get("type") == "application/json+chapters"
            chapters = json.loads(fetch.get(chapters_tag.get("url"), "application/json+chapters"))
            assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == CHAPTERS[fixture.name]
            for chapter in chapters["chapters"]:
                if chapter.get("img", "").startswith(base):
                    fetch.image(chapter["img"])
            for mark in item.iterfind("psc:chapters/psc:chapter", NS):
                if (mark.get("image") or "").startswith(base):
                    fetch.image(mark.get("image"))
        else:
            assert chapters_tag is None

        transcripts = item.findall("podcast:transcript", NS)
        bodies = [fetch.get(t.get("url"), t.get("type")) for t in transcripts]
        if show.guids[guid] == "everything":
            good_vtt = (FIXTURES / "transcripts" / "good.vtt").read_bytes()
            good_srt = (FIXTURES / "transcripts" / "good.srt").read_bytes()
            assert [t.get("type") for t in transcripts] == ["text/vtt", "application/x-subrip", "text/vtt"]
            assert bodies[:2] == [good_vtt, good_srt]
            copy = bodies[2].decode("utf-8")  # the VTT copy of the SRT
            assert copy.startswith("WEBVTT")
            assert "00:00:02.500 --> 00:00:06.000\nBen: Merci, Ana. Aujourd'hui :\nle jardin de l'école.\n" in copy
            assert "Ana: À bientôt --&gt; la semaine prochaine !" in copy  # "-->" may not appear in a VTT cue
        else:
            assert transcripts == []

        alternates = item.findall("podcast:alternateEnclosure", NS)
        for alternate in alternates:
            source = alternate.find("podcast:source", NS).get("uri")
            body = fetch.get(source, alternate.get("type"))
            integrity = alternate.find("podcast:integrity", NS)
            assert integrity.get("type") == "sri"
            assert integrity.get("value") == "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()
            assert int(alternate.get("length")) == len(body)
        if show.guids[guid] == "everything":
            assert [a.get("type") for a in alternates] == ["audio/mpeg", "audio/ogg"]
            assert (
                fetch.fetched[alternates[1].find("podcast:source", NS).get("uri")]
                == (FIXTURES / "alternate.opus").read_bytes()
            )
        else:
            assert alternates == []
    assert ranges == 3

    trailer = channel.find("podcast:trailer", NS)
    assert fetch.get(trailer.get("url"), trailer.get("type")) == (FIXTURES / "cbr.mp3").read_bytes()
    assert int(trailer.get("length")) == (FIXTURES / "cbr.mp3").stat().st_size

    # what the feed links is exactly what podpub published (nothing missing, nothing orphaned)
    manifest = json.loads(seaweedfs.client().get_object(Bucket=bucket, Key="show/.podpub/manifest.json")["Body"].read())
    published = {key for key in manifest["files"] if key != "feed.xml" and not is_site_key(key)}
    linked = {url.removeprefix(base) for url in fetch.fetched}
    assert linked == published
    # artwork, 3 enclosures, 2 chapters files, 3 transcripts (with the VTT copy), the Opus alternate
    assert len(linked) == 10
    for key, entry in manifest["files"].items():
        if key in published:
            assert fetch.content_types[base + key] == entry["content_type"]
            assert hashlib.sha256(fetch.fetched[base + key]).hexdigest() == entry["sha256"]
