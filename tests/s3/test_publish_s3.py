"""Publishing to a real S3 server (SeaweedFS): what listeners fetch, what it costs, what survives faults."""

from __future__ import annotations

import io
import json
import shutil
import threading
from pathlib import Path

import podcastparser
import pytest
from lxml import etree

from podpub.errors import ConflictError
from podpub.pipeline import build, open_show, publish_plan
from podpub.storage import sync
from podpub.storage.targets import TargetOptions, open_target
from podpub.website import is_site_key
from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES, big_mp3
from tests.conftest import s3_show as make_show
from tests.s3server import CountingProxy, SeaweedFS, anonymous_request

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
IMMUTABLE = "public, max-age=31536000, immutable"


def add(capsys: pytest.CaptureFixture[str], show: Path, path: Path, date: str = "2026-01-01T00:00:00Z") -> str:
    result = run_podpub(capsys, "-C", str(show), "add", "--json", "--date", date, str(path))
    assert result.code == 0, result.err
    return json.loads(result.out)[0]["guid"]


def publish(capsys: pytest.CaptureFixture[str], show: Path, *args: str) -> Result:
    return run_podpub(capsys, "-C", str(show), "publish", "--json", *args)


def put_requests(proxy: CountingProxy) -> list[str]:
    """The object keys PUT (or multipart-created) through the proxy, without the bucket."""
    return sorted({r.path.split("/", 2)[2] for r in proxy.requests if r.method in ("PUT", "POST")})


def test_published_show_is_served_anonymously_with_the_right_headers(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = make_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    guids = {add(capsys, show, FIXTURES / name): name for name in ("chapters.mp3", "chapters.m4a", "vorbis.ogg")}
    result = publish(capsys, show)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["uploaded"][-1] == "feed.xml" and report["generation"] == 1

    base = f"{seaweedfs.endpoint_url}/{bucket}/show/"
    status, headers, feed = anonymous_request(base + "feed.xml")
    assert status == 200
    assert headers["content-type"] == "application/xml; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=300"
    root = etree.fromstring(feed)
    parsed = podcastparser.parse(base + "feed.xml", io.BytesIO(feed))
    assert {e["guid"] for e in parsed["episodes"]} == set(guids)
    for item in root.iter("item"):
        name = guids[item.findtext("guid")]
        enclosure = item.find("enclosure")
        url = enclosure.get("url")
        assert url.startswith(base + "media/")
        status, headers, body = anonymous_request(url)
        assert status == 200 and body == (FIXTURES / name).read_bytes()
        assert headers["content-type"] == enclosure.get("type")
        assert headers["cache-control"] == IMMUTABLE
        assert int(headers["content-length"]) == int(enclosure.get("length"))
        status, headers, body = anonymous_request(url, headers={"Range": "bytes=0-1"})
        assert status == 206 and body == (FIXTURES / name).read_bytes()[:2]
        assert headers["content-range"] == f"bytes 0-1/{enclosure.get('length')}"
    # our sha256 is on every object, so any object can be verified by HEAD alone
    client = seaweedfs.client()
    key = root.find("channel/item/enclosure").get("url").removeprefix(f"{seaweedfs.endpoint_url}/{bucket}/")
    head = client.head_object(Bucket=bucket, Key=key)
    assert len(head["Metadata"]["sha256"]) == 64
    assert "x-amz-acl" not in head["ResponseMetadata"]["HTTPHeaders"]


def test_unchanged_publish_is_one_get_and_a_new_episode_writes_only_its_files(
    seaweedfs: SeaweedFS,
    bucket: str,
    counting_proxy: CountingProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = make_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=counting_proxy.url)
    add(capsys, show, FIXTURES / "cbr.mp3")
    assert publish(capsys, show).code == 0
    counting_proxy.reset()
    result = publish(capsys, show)
    assert result.code == 0, result.err
    assert json.loads(result.out)["uploaded"] == []
    assert [(r.method, r.path) for r in counting_proxy.requests] == [("GET", f"/{bucket}/show/.podpub/manifest.json")]

    add(capsys, show, FIXTURES / "opus.opus", date="2026-02-01T00:00:00Z")  # no chapters: one new file
    counting_proxy.reset()
    result = publish(capsys, show)
    assert result.code == 0, result.err
    new_media = [k for k in json.loads(result.out)["uploaded"] if k.startswith("media/")]
    assert len(new_media) == 1 and new_media[0].endswith(".opus")
    assert [k for k in put_requests(counting_proxy) if not is_site_key(k.removeprefix("show/"))] == sorted(
        [f"show/{new_media[0]}", "show/feed.xml", "show/.podpub/manifest.json", "show/.podpub/manifests/00000002.json"]
    )
    assert counting_proxy.count("DELETE") == 0


def test_racing_publishers_on_one_bucket(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show_a = make_show(tmp_path / "a", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    add(capsys, show_a, FIXTURES / "cbr.mp3")
    assert publish(capsys, show_a).code == 0
    show_b = tmp_path / "b"
    shutil.copytree(show_a, show_b)
    guid_a = add(capsys, show_a, FIXTURES / "vorbis.ogg")
    guid_b = add(capsys, show_b, FIXTURES / "opus.opus")

    ws_a, ws_b = open_show(show_a), open_show(show_b)
    target_a = open_target(ws_a.show.publish.target, show_a, ws_a.show.publish, TargetOptions())
    target_b = open_target(ws_b.show.publish.target, show_b, ws_b.show.publish, TargetOptions())
    plans = [publish_plan(ws, build(ws), t) for ws, t in ((ws_a, target_a), (ws_b, target_b))]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(plan: sync.Plan, target: object) -> None:
        barrier.wait()
        try:
            sync.execute(plan, target)  # type: ignore[arg-type]
        except ConflictError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p, t)) for p, t in zip(plans, (target_a, target_b), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(errors) == 1 and "got there first" in str(errors[0])
    _, _, feed = anonymous_request(f"{seaweedfs.endpoint_url}/{bucket}/show/feed.xml")
    winner, loser = (guid_a, show_b) if guid_a.encode() in feed else (guid_b, show_a)
    assert winner.encode() in feed
    # the loser re-runs: the winner's episode is not silently dropped
    result = publish(capsys, loser)
    assert result.code == 1 and "no file for" in result.err and winner in result.err
    # after bringing the winner's files over, a re-run publishes both
    winner_show = show_a if loser == show_b else show_b
    for folder in ("episodes", "media"):
        for path in (winner_show / folder).iterdir():
            if not (loser / folder / path.name).exists():
                shutil.copy2(path, loser / folder / path.name)
    assert publish(capsys, loser).code == 0
    _, _, feed = anonymous_request(f"{seaweedfs.endpoint_url}/{bucket}/show/feed.xml")
    assert guid_a.encode() in feed and guid_b.encode() in feed


def test_server_stopped_mid_multipart_keeps_the_old_feed_and_a_rerun_finishes(
    own_server: SeaweedFS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = own_server.make_bucket("podpub-faults", public_read=True)
    with CountingProxy(own_server.endpoint_url, timeout=10) as proxy:
        show = make_show(
            tmp_path / "show", own_server.endpoint_url, bucket, endpoint_url=proxy.url,
            multipart_threshold_mib=5, multipart_chunk_mib=5,
        )  # fmt: skip
        add(capsys, show, FIXTURES / "cbr.mp3")
        assert publish(capsys, show).code == 0
        feed_before = anonymous_request(f"{own_server.endpoint_url}/{bucket}/show/feed.xml")[2]
        add(capsys, show, big_mp3(tmp_path / "big.mp3", 12), date="2026-03-01T00:00:00Z")

        stopped = threading.Event()

        def stop_on_second_part(record: object) -> None:
            if not stopped.is_set() and "partNumber=2" in getattr(record, "query", ""):
                stopped.set()
                proxy.block()
                own_server.stop()

        proxy.on_request = stop_on_second_part
        result = publish(capsys, show)
        proxy.on_request = None
        assert stopped.is_set()
        assert result.code == 1
        errors = [line for line in result.err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "previous feed is still live" in errors[0], result.err
        assert "Traceback" not in result.err

        own_server.restart()
        proxy.unblock()
        assert anonymous_request(f"{own_server.endpoint_url}/{bucket}/show/feed.xml")[2] == feed_before
        proxy.reset()
        result = publish(capsys, show)
        assert result.code == 0, result.err
        uploaded = [k for k in json.loads(result.out)["uploaded"] if not is_site_key(k)]
        assert len(uploaded) == 2 and uploaded[-1] == "feed.xml" and uploaded[0].startswith("media/big")
        assert own_server.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
        _, _, feed = anonymous_request(f"{own_server.endpoint_url}/{bucket}/show/feed.xml")
        assert b"media/big" in feed


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        (lambda env, server: env.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret"), "rejected the credentials"),
        (
            lambda env, server: (env.delenv("AWS_ACCESS_KEY_ID"), env.delenv("AWS_SECRET_ACCESS_KEY")),
            "no S3 credentials",
        ),
    ],
)
def test_credential_errors_are_one_line(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, setup: object, needle: str,
) -> None:  # fmt: skip
    show = make_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    add(capsys, show, FIXTURES / "cbr.mp3")
    setup(monkeypatch, seaweedfs)  # type: ignore[operator]
    result = run_podpub(capsys, "-C", str(show), "publish")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], result.err
    assert "Traceback" not in result.err


def test_missing_bucket_and_unreachable_endpoint(
    seaweedfs: SeaweedFS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = make_show(
        tmp_path / "show", seaweedfs.endpoint_url, "no-such-bucket-here", endpoint_url=seaweedfs.endpoint_url
    )
    add(capsys, show, FIXTURES / "cbr.mp3")
    result = run_podpub(capsys, "-C", str(show), "publish")
    assert result.code == 1 and "bucket 'no-such-bucket-here' does not exist" in result.err
    from tests.s3server import free_ports

    (port,) = free_ports(1)
    result = run_podpub(capsys, "-C", str(show), "publish", "--endpoint-url", f"http://127.0.0.1:{port}")
    assert result.code == 1 and "cannot connect to" in result.err
    assert len([line for line in result.err.splitlines() if line.startswith("error:")]) == 1


def test_doctor_passes_and_names_the_failing_check_when_public_read_is_off(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = make_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    result = run_podpub(capsys, "-C", str(show), "doctor", "--json")
    assert result.code == 0, result.out + result.err
    checks = {c["name"]: c["status"] for c in json.loads(result.out)["checks"]}
    assert checks["credentials"] == checks["bucket"] == checks["write and read"] == "ok"
    assert checks["conditional writes"] == "ok" and checks["public read"] == "ok" and checks["content type"] == "ok"
    assert checks["delete"] == "ok"
    assert seaweedfs.client().list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0  # probes removed

    private = seaweedfs.make_bucket(bucket + "-private", public_read=False)
    show2 = make_show(tmp_path / "show2", seaweedfs.endpoint_url, private, endpoint_url=seaweedfs.endpoint_url)
    result = run_podpub(capsys, "-C", str(show2), "doctor", "--json")
    assert result.code == 1
    failing = [c for c in json.loads(result.out)["checks"] if c["status"] == "fail"]
    assert [c["name"] for c in failing] == ["public read"]
    assert "refused (403)" in failing[0]["detail"] and failing[0]["fix"]


def test_verify_repairs_what_changed_behind_podpubs_back_and_prune_spares_foreign_files(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = make_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    add(capsys, show, FIXTURES / "cbr.mp3")
    gone_guid = add(capsys, show, FIXTURES / "vorbis.ogg")
    assert publish(capsys, show).code == 0
    client = seaweedfs.client()
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="show/media/")["Contents"]}
    mp3 = next(k for k in keys if k.endswith(".mp3"))
    client.delete_object(Bucket=bucket, Key=mp3)  # someone deletes a published file
    client.put_object(Bucket=bucket, Key="show/media/foreign.mp3", Body=b"not podpub's")  # and adds another

    # without --verify the manifest is trusted (one GET); with it, the missing file is put back
    assert json.loads(publish(capsys, show).out)["uploaded"] == []
    result = publish(capsys, show, "--verify")
    assert result.code == 0, result.err
    assert json.loads(result.out)["uploaded"] == [mp3.removeprefix("show/")]
    assert client.head_object(Bucket=bucket, Key=mp3)["ContentLength"] == (FIXTURES / "cbr.mp3").stat().st_size

    # an episode leaves the feed; --prune deletes its audio after the new feed is live, and nothing else
    episode = next(p for p in (show / "episodes").iterdir() if gone_guid in p.read_text())
    episode.write_text(episode.read_text().replace('type = "full"\n', 'type = "full"\ndraft = true\n', 1))
    result = publish(capsys, show, "--prune")
    assert result.code == 0, result.err
    deleted = sorted(k for k in json.loads(result.out)["deleted"] if not is_site_key(k))  # audio and chapters
    assert len(deleted) == 2 and deleted[0].endswith(".chapters.json") and deleted[1].endswith(".ogg")
    remaining = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix="show/media/")["Contents"]}
    assert remaining == {mp3, "show/media/foreign.mp3"}
    _, _, feed = anonymous_request(f"{seaweedfs.endpoint_url}/{bucket}/show/feed.xml")
    assert gone_guid.encode() not in feed


def test_ctrl_c_during_a_multipart_upload_aborts_it_and_keeps_the_old_feed(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    with CountingProxy(seaweedfs.endpoint_url, timeout=30) as proxy:
        show = make_show(
            tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=proxy.url,
            multipart_threshold_mib=5, multipart_chunk_mib=5,
        )  # fmt: skip
        add(capsys, show, FIXTURES / "cbr.mp3")
        assert publish(capsys, show).code == 0
        feed_before = anonymous_request(f"{seaweedfs.endpoint_url}/{bucket}/show/feed.xml")[2]
        add(capsys, show, big_mp3(tmp_path / "big.mp3", 12), date="2026-03-01T00:00:00Z")
        in_part = threading.Event()

        def slow_parts(record: object) -> None:
            if "partNumber=" in getattr(record, "query", ""):
                in_part.set()
                time.sleep(1.5)  # keep the upload in flight while the producer presses Ctrl-C

        proxy.on_request = slow_parts
        proc = subprocess.Popen(
            [sys.executable, "-m", "podpub", "-C", str(show), "publish"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not in_part.wait(timeout=0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"publish never reached a multipart part: {proc.communicate()[1]}")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        proxy.on_request = None
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert anonymous_request(f"{seaweedfs.endpoint_url}/{bucket}/show/feed.xml")[2] == feed_before
    assert seaweedfs.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
