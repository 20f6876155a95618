"""Round trip: import a host's feed, publish it to S3 (SeaweedFS), read the new feed like the apps do.

Same GUIDs, dates, titles, order and enclosure lengths as the old feed (lengths as the real files are,
when the old feed had them wrong), every enclosure now served from the new host, and a second import
and publish change nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import podcastparser
import pytest

from tests.cli_helpers import run_podpub
from tests.conftest import isolate_aws_env, snapshot
from tests.importer.conftest import HOST_FEEDS, HostFeeds
from tests.s3server import SeaweedFS, anonymous_request


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seaweedfs: SeaweedFS) -> Iterator[None]:
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)
    yield


def _sources(hosts: HostFeeds) -> dict[str, bytes]:
    """The audio the old host serves, by path: what listeners must now get from the new host."""
    return {path: route.body for path, route in hosts.server.routes.items() if route.content_type.startswith("audio/")}


@pytest.mark.usefixtures("s3_env")
@pytest.mark.parametrize("host", HOST_FEEDS)
def test_an_imported_show_republishes_from_s3_with_the_same_identity(
    host: str,
    hosts: HostFeeds,
    seaweedfs: SeaweedFS,
    bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_url = hosts.serve_feed(host)
    old_feed = hosts.server.routes[old_url.removeprefix(hosts.server.base)].body
    base = f"{seaweedfs.endpoint_url}/{bucket}/{host}/"
    show = tmp_path / host
    result = run_podpub(capsys, "import", old_url, str(show), "--base-url", base)
    assert result.code == 0, result.err
    published = run_podpub(
        capsys, "-C", str(show), "publish", "--to", f"s3://{bucket}/{host}",
        "--endpoint-url", seaweedfs.endpoint_url, "--json",
    )  # fmt: skip
    assert published.code == 0, published.err

    status, headers, new_feed = anonymous_request(base + "feed.xml")
    assert status == 200 and "xml" in headers["content-type"]
    before = [e for e in podcastparser.parse(old_url, io.BytesIO(old_feed))["episodes"] if e["enclosures"]]
    after = podcastparser.parse(base + "feed.xml", io.BytesIO(new_feed))["episodes"]
    assert [(e["guid"], e["title"], e["published"]) for e in after] == [
        (e["guid"], e["title"], e["published"]) for e in before
    ]
    audio = _sources(hosts)
    true_sizes = {e["guid"]: len(audio[_path(hosts, e["enclosures"][0]["url"])]) for e in before}
    assert {e["guid"]: e["enclosures"][0]["file_size"] for e in after} == true_sizes
    if host != "libsyn":  # the only feed here with a wrong length
        assert {e["guid"]: e["enclosures"][0]["file_size"] for e in before} == true_sizes

    old = feedparser.parse(old_feed)
    new = feedparser.parse(new_feed)
    assert not new.bozo
    old_entries = {e.id: (e.title, e.published_parsed) for e in old.entries if e.get("enclosures")}
    assert {e.id: (e.title, e.published_parsed) for e in new.entries} == old_entries
    if new.feed.get("itunes_type", "episodic") != "serial":
        assert [e.id for e in new.entries] == [e.id for e in old.entries if e.get("enclosures")]
    for entry in new.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.href.startswith(base + "media/")
        status, _, body = anonymous_request(enclosure.href)
        assert status == 200 and len(body) == int(enclosure.length)
        source = next(e for e in before if e["guid"] == entry.id)["enclosures"][0]["url"]
        assert body == audio[_path(hosts, source)]

    # importing and publishing again is a no-op
    before_files = snapshot(show)
    again = run_podpub(capsys, "-C", str(show), "import", old_url)
    assert again.code == 0, again.err
    assert snapshot(show) == before_files
    republished = run_podpub(
        capsys, "-C", str(show), "publish", "--to", f"s3://{bucket}/{host}",
        "--endpoint-url", seaweedfs.endpoint_url, "--json",
    )  # fmt: skip
    assert republished.code == 0, republished.err
    assert json.loads(republished.out)["uploaded"] == []


def _path(hosts: HostFeeds, url: str) -> str:
    """The server path an enclosure URL ends up at (Anchor's play URLs redirect to /moved/...)."""
    path = url.removeprefix(hosts.server.base).split("?", 1)[0]
    route = hosts.server.routes[path]
    if route.location is not None:
        return route.location.removeprefix(hosts.server.base).split("?", 1)[0]
    return path


@pytest.mark.usefixtures("s3_env")
def test_remote_media_is_linked_never_uploaded_or_pruned(
    hosts: HostFeeds,
    seaweedfs: SeaweedFS,
    bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_url = hosts.serve_feed("anchor")
    base = f"{seaweedfs.endpoint_url}/{bucket}/show/"
    show = tmp_path / "show"
    result = run_podpub(capsys, "import", old_url, str(show), "--base-url", base, "--keep-remote-media")
    assert result.code == 0, result.err
    target = ("--to", f"s3://{bucket}/show", "--endpoint-url", seaweedfs.endpoint_url, "--json", "--prune")
    published = run_podpub(capsys, "-C", str(show), "publish", *target)
    assert published.code == 0, published.err
    report = json.loads(published.out)
    assert not [key for key in report["uploaded"] if key.startswith("media/")]
    _, _, feed = anonymous_request(base + "feed.xml")
    enclosures = [e.enclosures[0].href for e in feedparser.parse(feed).entries]
    assert len(enclosures) == 3 and all(url.startswith(hosts.server.url("/anchor/s/")) for url in enclosures)
    again = run_podpub(capsys, "-C", str(show), "publish", *target)
    assert again.code == 0, again.err
    assert json.loads(again.out)["deleted"] == [] and json.loads(again.out)["uploaded"] == []
