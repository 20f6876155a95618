"""A storage node of the cluster goes down while a producer publishes: what listeners and the producer see.

SeaweedFS with replication 001 keeps every object readable with one volume server stopped, but refuses
every new write until it is back (each write answered 500 after about 30 s, the gateway's own wait for a
writable volume). podpub must then stop with one clear line instead of retrying for minutes, leave the
previous feed and every enclosure it lists served, and finish on the next run, uploading only what is
missing — including no orphan multipart upload of the large episode it was sending.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import etree

from podpub.website import is_site_key
from tests.conftest import FIXTURES, big_mp3
from tests.conftest import s3_show as make_show
from tests.s3.test_publish_s3 import add, publish
from tests.s3cluster import SeaweedCluster, volume_outage
from tests.s3server import CountingProxy, anonymous_request

# One slow refusal (the gateway's 30 s) plus podpub's own work, far from the 2+ minutes that retrying
# each refused write 4 times would take.
OUTAGE_PUBLISH_LIMIT = 60.0


def enclosures(feed: bytes) -> list[tuple[str, int]]:
    """(url, length) of every enclosure a feed lists."""
    return [(e.get("url"), int(e.get("length"))) for e in etree.fromstring(feed).iter("enclosure")]


def assert_served(feed: bytes) -> None:
    """Every enclosure of `feed` answers an anonymous Range request with 206 and its first 2 bytes."""
    listed = enclosures(feed)
    assert listed
    for url, length in listed:
        status, headers, body = anonymous_request(url, headers={"Range": "bytes=0-1"})
        assert status == 206 and len(body) == 2, (url, status)
        assert headers["content-range"] == f"bytes 0-1/{length}", url


def test_a_volume_server_outage_refuses_the_publish_keeps_the_old_feed_and_a_rerun_finishes(
    whole_cluster: SeaweedCluster, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = whole_cluster
    # A proxy of our own, patient enough to relay the gateway's 30 s answer (the shared fixture's
    # 30 s socket timeout would cut it and turn a refusal into a connection error).
    with CountingProxy(cluster.endpoint_url, timeout=90) as proxy:
        show = make_show(
            tmp_path / "show", cluster.endpoint_url, bucket, endpoint_url=proxy.url,
            multipart_threshold_mib=5, multipart_chunk_mib=5,
        )  # fmt: skip
        add(capsys, show, FIXTURES / "chapters.mp3")
        add(capsys, show, FIXTURES / "vorbis.ogg", date="2026-01-02T00:00:00Z")
        assert publish(capsys, show).code == 0
        feed_url = cluster.public_url(bucket, "show/feed.xml")
        feed_before = anonymous_request(feed_url)[2]
        published_media = {url.rsplit("/show/", 1)[1] for url, _ in enclosures(feed_before)}

        new_guid = add(capsys, show, FIXTURES / "opus.opus", date="2026-02-01T00:00:00Z")
        big_guid = add(capsys, show, big_mp3(tmp_path / "long.mp3", 12), date="2026-02-02T00:00:00Z")
        planned = json.loads(publish(capsys, show, "--dry-run").out)["upload"]
        assert any(k.startswith("media/long") for k in planned) and any(k.endswith(".opus") for k in planned)

        with volume_outage(cluster, "volume-2"):
            started = time.monotonic()
            result = publish(capsys, show)
            elapsed = time.monotonic() - started
            assert result.code == 1, result.out + result.err
            errors = [line for line in result.err.splitlines() if line.startswith("error:")]
            assert len(errors) == 1, result.err
            assert "the store refused writes" in errors[0] and "500" in errors[0], errors[0]
            assert "previous feed is still live" in errors[0] and "run the command again" in errors[0]
            assert "Traceback" not in result.err
            assert elapsed < OUTAGE_PUBLISH_LIMIT, f"publish took {elapsed:.0f} s to give up"

            # Listeners, meanwhile: the previous feed, unchanged, and every file it lists.
            status, headers, feed = anonymous_request(feed_url)
            assert status == 200 and feed == feed_before
            assert headers["content-type"] == "application/xml; charset=utf-8"
            assert new_guid.encode() not in feed and big_guid.encode() not in feed
            assert_served(feed)
        # volume_outage brought volume-2 back and waited until every volume is writable again

        proxy.reset()
        result = publish(capsys, show)
        assert result.code == 0, result.err
        uploaded = json.loads(result.out)["uploaded"]
        # Only what was missing: exactly the plan made before the outage (the refused run left nothing
        # that counts as uploaded), and never a file the previous feed already had.
        assert sorted(uploaded) == sorted(planned)
        put_keys = {r.path.split("/", 2)[2].removeprefix("show/") for r in proxy.requests if r.method == "PUT"}
        assert not put_keys & published_media
        assert {k for k in put_keys if not is_site_key(k) and not k.startswith(".podpub/")} == {
            k for k in planned if not is_site_key(k)
        }

    feed = anonymous_request(feed_url)[2]
    assert new_guid.encode() in feed and big_guid.encode() in feed
    assert_served(feed)
    assert cluster.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_stopping_and_restarting_a_volume_server_is_seen_by_the_master(whole_cluster: SeaweedCluster) -> None:
    """The fixture's own promise: stop_volume/start_volume wait on what the master reports, not on time."""
    cluster = whole_cluster
    both = {cluster.components[n].address for n in cluster.volume_names}
    with volume_outage(cluster, "volume-1"):
        assert cluster.data_nodes() == both - {cluster.components["volume-1"].address}
        assert not cluster.components["volume-1"].running
    assert cluster.data_nodes() == both
    assert all(cluster.components[n].running for n in cluster.volume_names)
