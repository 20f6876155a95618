"""The store dies, throttles, resets, stalls or fails while podpub publishes to it.

Every test: the fault happens while a new episode is published on top of a live one; podpub then
stops with one clear line, the old feed stays live with every enclosure servable, nothing half-written
is left, and a re-run (fault gone) finishes the job, sending only what is missing.
"""

from __future__ import annotations

import threading

import pytest

from tests.conftest import FIXTURES, big_mp3
from tests.faultproxy import FaultProxy, key_contains, key_endswith, upload_part, writes
from tests.faults.conftest import PublishedFactory, assert_one_clear_error, revive
from tests.s3server import SeaweedFS

MULTIPART = {"multipart_threshold_mib": 5, "multipart_chunk_mib": 5}  # a 12 MiB episode goes in 3 parts


def kill_store_on(server: SeaweedFS, proxy: FaultProxy, match: object) -> threading.Event:
    """Stop the store the moment the proxy sees the first request `match` accepts; the proxy drops that
    request and every later one, as a dead store does.

    Stopped with SIGTERM, not SIGKILL: SeaweedFS loses writes it had acknowledged when killed (its
    filer metadata is flushed lazily), and a store that forgets what it confirmed is not the fault
    under test here.
    """
    killed = threading.Event()

    def hook(record: object) -> None:
        if not killed.is_set() and match(record):  # type: ignore[operator]
            killed.set()
            proxy.block()
            server.stop()

    proxy.on_request = hook
    return killed


@pytest.mark.parametrize(
    ("where", "match"),
    [
        ("multipart", upload_part(2)),
        ("feed", key_endswith("/feed.xml", "PUT")),
    ],
)
def test_store_killed_before_the_feed_is_live(
    own_server: SeaweedFS, published: PublishedFactory, tmp_path, where: str, match: object
) -> None:
    bucket = own_server.make_bucket("podpub-faults", public_read=True)
    with FaultProxy(own_server.endpoint_url, timeout=10) as proxy:
        state = published(own_server, proxy, bucket, **MULTIPART)
        state.add(big_mp3(tmp_path / "big.mp3", 12))
        killed = kill_store_on(own_server, proxy, match)
        result = state.publish()
        proxy.on_request = None
        assert killed.is_set()
        assert_one_clear_error(result, "previous feed is still live")
        revive(state)
        assert state.live_feed() == state.feed_before
        state.assert_feed_servable()

        proxy.reset()
        result = state.publish()
        uploaded = state.uploaded(result)
        media = [k for k in uploaded if k.startswith("media/")]
        if where == "multipart":
            assert len(media) == 1 and media[0].startswith("media/big")  # the interrupted upload, again
        else:
            assert media == []  # the audio went up before the store died: not sent twice
        assert "feed.xml" in uploaded
        assert set(state.assert_feed_servable()) == set(state.guids)
        state.assert_no_leftovers()


def test_a_rerun_sends_only_the_audio_the_dead_store_did_not_get(
    own_server: SeaweedFS, published: PublishedFactory, tmp_path
) -> None:
    """Two new episodes, one at a time (--jobs 1): the store dies in the second one's upload. The first
    is complete on the store but in no manifest; the re-run finds it there (one HEAD) and sends only
    the second."""
    bucket = own_server.make_bucket("podpub-faults", public_read=True)
    with FaultProxy(own_server.endpoint_url, timeout=10) as proxy:
        state = published(own_server, proxy, bucket, **MULTIPART)
        state.add(big_mp3(tmp_path / "aaa.mp3", 12))
        state.add(big_mp3(tmp_path / "bbb.mp3", 11), date="2026-02-02T00:00:00Z")
        uploads: list[str] = []

        def second_upload(record: object) -> bool:
            query = getattr(record, "query", "")
            upload_id = dict(p.partition("=")[::2] for p in query.split("&")).get("uploadId")
            if upload_id and upload_id not in uploads:
                uploads.append(upload_id)
            return len(uploads) == 2 and upload_part(2)(record)  # type: ignore[arg-type]

        killed = kill_store_on(own_server, proxy, second_upload)
        result = state.publish("--jobs", "1")
        proxy.on_request = None
        assert killed.is_set()
        assert_one_clear_error(result, "previous feed is still live")
        revive(state)
        assert state.live_feed() == state.feed_before
        assert len([k for k in state.keys("media/") if k.startswith("media/aaa")]) == 1  # the first one made it

        proxy.reset()
        uploaded = state.uploaded(state.publish())
        assert [k for k in uploaded if k.startswith("media/")] == [next(k for k in state.keys("media/bbb"))]
        assert len([r for r in proxy.requests if r.method == "POST" and "uploads" in r.query]) == 1
        assert set(state.assert_feed_servable()) == set(state.guids)
        state.assert_no_leftovers()


def test_store_killed_while_the_manifest_is_written(
    own_server: SeaweedFS, published: PublishedFactory, tmp_path
) -> None:
    bucket = own_server.make_bucket("podpub-faults", public_read=True)
    with FaultProxy(own_server.endpoint_url, timeout=10) as proxy:
        state = published(own_server, proxy, bucket)
        state.add(FIXTURES / "vorbis.ogg")
        killed = kill_store_on(own_server, proxy, key_endswith("/.podpub/manifest.json", "PUT"))
        result = state.publish()
        proxy.on_request = None
        assert killed.is_set()
        assert_one_clear_error(result, "new feed is live", "run the command again")
        revive(state)
        # The feed went up before the store died: the new episode is live, with its audio.
        assert set(state.assert_feed_servable()) == set(state.guids)

        proxy.reset()
        result = state.publish()
        assert state.uploaded(result) == []
        assert state.writes() == [".podpub/manifest.json"]  # only the record the dead store missed
        proxy.reset()
        assert state.uploaded(state.publish()) == []
        assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in proxy.requests] == [("GET", "manifest.json")]
        state.assert_no_leftovers()


def test_slowdown_for_the_first_requests_is_retried(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory
) -> None:
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    fault_proxy.respond(503, "SlowDown", times=3)
    result = state.publish()
    assert result.code == 0, result.err
    assert fault_proxy.count_injected("respond") == 3
    # the first request (the manifest GET) was answered 503 three times, then retried a fourth time
    manifest_gets = [r for r in fault_proxy.requests if r.method == "GET" and r.path.endswith("/manifest.json")]
    assert [r.status for r in manifest_gets[:4]] == [503, 503, 503, 200]
    assert set(state.assert_feed_servable()) == set(state.guids)


def test_endless_slowdown_fails_in_one_line_and_a_rerun_finishes(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore's own variable, honoured by podpub: a short test
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    fault_proxy.respond(503, "SlowDown", match=writes, times=None)  # reads work, every write is throttled
    result = state.publish()
    assert_one_clear_error(result, "throttling", "503 SlowDown", "after retries", "previous feed is still live")
    assert fault_proxy.count_injected() >= 2
    assert state.live_feed() == state.feed_before
    state.assert_feed_servable()

    fault_proxy.clear()
    fault_proxy.reset()
    result = state.publish()
    assert [k for k in state.uploaded(result) if k.startswith("media/")] == [
        k for k in state.writes() if k.startswith("media/")
    ]
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()


@pytest.mark.parametrize("fault", ["reset", "cut_request", "cut_response"])
def test_dropped_connections_are_retried(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, fault: str
) -> None:
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    audio = key_contains("/media/", "PUT")
    if fault == "reset":
        fault_proxy.reset_connection(match=audio, times=2)
    elif fault == "cut_request":
        fault_proxy.cut_request(4096, match=audio)
    else:
        fault_proxy.cut_response(0, match=audio)  # the store stored it; the client never heard back
    result = state.publish()
    assert result.code == 0, result.err
    assert fault_proxy.count_injected(fault) >= 1
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()


def test_a_lost_answer_to_the_claim_is_not_a_conflict(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory
) -> None:
    """The store creates the generation, the answer is lost, the SDK retries the create-only write and
    the store refuses it (412) because of our own first attempt: podpub must see its own claim."""
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    fault_proxy.cut_response(0, match=key_contains("/.podpub/manifests/", "PUT"))
    result = state.publish()
    assert result.code == 0, result.err
    claims = [r.status for r in fault_proxy.requests if "/.podpub/manifests/" in r.path and r.method == "PUT"]
    assert claims == [200, 412] or claims == [None, 412], claims
    assert set(state.assert_feed_servable()) == set(state.guids)


def test_a_read_timeout_is_retried_then_reported(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # 2 s, 3 attempts: short for a test, yet a busy machine's slow answer is not taken for the stall
    monkeypatch.setenv("PODPUB_S3_READ_TIMEOUT", "2")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    feed = key_endswith("/feed.xml", "PUT")
    fault_proxy.stall(match=feed, times=1)
    result = state.publish()
    assert result.code == 0, result.err  # the second attempt got through
    assert fault_proxy.count_injected("stall") == 1
    assert set(state.assert_feed_servable()) == set(state.guids)

    state.add(FIXTURES / "opus.opus", date="2026-03-01T00:00:00Z")
    before = state.live_feed()
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # every attempt stalls: two are enough to show it
    fault_proxy.stall(match=feed, times=None)
    result = state.publish()
    assert_one_clear_error(result, "stopped answering", "previous feed is still live")
    assert state.live_feed() == before
    fault_proxy.clear()
    fault_proxy.reset()
    uploaded = state.uploaded(state.publish())
    assert [k for k in uploaded if not k.startswith("media/")] and not [k for k in uploaded if k.startswith("media/")]
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()


def test_a_500_on_one_part(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    state = published(seaweedfs, fault_proxy, bucket, **MULTIPART)
    state.add(big_mp3(tmp_path / "big.mp3", 12))
    fault_proxy.respond(500, "InternalError", match=upload_part(2), times=1, message="We encountered an error")
    result = state.publish()
    assert result.code == 0, result.err  # retried
    parts = [r.status for r in fault_proxy.requests if upload_part(2)(r)]
    assert parts == [500, 200]
    assert set(state.assert_feed_servable()) == set(state.guids)

    state.add(big_mp3(tmp_path / "big2.mp3", 11), date="2026-03-01T00:00:00Z")
    before = state.live_feed()
    fault_proxy.respond(500, "InternalError", match=upload_part(2), times=None, message="We encountered an error")
    result = state.publish()
    assert_one_clear_error(result, "500", "previous feed is still live")
    assert state.live_feed() == before
    assert state.multipart_uploads() == []  # s3transfer aborted it
    fault_proxy.clear()
    fault_proxy.reset()
    uploaded = state.uploaded(state.publish())
    assert next(k for k in uploaded if k.startswith("media/")).startswith("media/big2")
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()
