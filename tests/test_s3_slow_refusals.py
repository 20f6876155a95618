"""The retry rule behind the cluster outage test, checked in isolation against a stub S3 endpoint.

A store that cannot write (SeaweedFS with a volume server down) takes its time before answering 500;
botocore would ask it 4 times. podpub does not retry a server error that was slow to come, and keeps
botocore's retries for quick server errors and for throttling (503 SlowDown), whose whole point is
to be retried after a backoff.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from podpub.errors import OperationError
from podpub.storage import s3errors
from podpub.storage.s3 import S3Settings, S3Target
from tests.s3server import LOOPBACK, PROXY_ENV_VARS

SLOW = 0.3  # seconds the stub waits before a "slow" answer; the rule's threshold is lowered below it


class StubStore:
    """An HTTP endpoint answering every request with one S3 error, after `delay` seconds."""

    def __init__(self) -> None:
        self.status = 500
        self.code = "InternalError"
        self.delay = 0.0
        self.requests: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answers botocore's Expect: 100-continue at once, as S3 does

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append(self.command)
                threading.Event().wait(stub.delay)
                body = f"<Error><Code>{stub.code}</Code><Message>stub</Message></Error>".encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_PUT = do_HEAD = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StubStore]:
    for name in ("AWS_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name in PROXY_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "stub-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stub-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setattr(s3errors, "SLOW_SERVER_ERROR_SECONDS", SLOW / 2)
    # botocore's backoff between attempts is random (up to seconds): skip the sleeps, count the attempts.
    import botocore.endpoint

    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=lambda seconds: None))
    store = StubStore()
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize(
    ("status", "code", "delay", "attempts"),
    [
        (500, "InternalError", SLOW, 1),  # slow refusal: the store's own verdict, asked once
        (500, "InternalError", 0.0, 4),  # a quick blip: botocore's 4 attempts
        (503, "SlowDown", SLOW, 4),  # throttling is retried with backoff, however slow
    ],
)
def test_a_slow_server_error_is_not_retried_and_says_the_store_refused_the_write(
    stub: StubStore, status: int, code: str, delay: float, attempts: int
) -> None:
    stub.status, stub.code, stub.delay = status, code, delay
    target = S3Target(S3Settings(bucket="podcast", prefix="show", endpoint_url=stub.url))
    try:
        with pytest.raises(OperationError) as raised:
            target.put_bytes("feed.xml", b"<rss/>", "application/xml", "public, max-age=300")
    finally:
        target.close()
    assert stub.requests == ["PUT"] * attempts
    message = str(raised.value)
    assert "s3://podcast/show/feed.xml" in message
    if code == "SlowDown":  # throttling is named as such (s3errors.THROTTLING), not as a node that is down
        assert f"the store kept throttling requests ({status} {code} while trying to write" in message
        return
    assert f"the store refused writes (server error {status} {code} while trying to write" in message
    assert "try again once it is back" in message


def test_a_slow_server_error_on_a_read_is_not_retried_either(stub: StubStore) -> None:
    stub.delay = SLOW
    target = S3Target(S3Settings(bucket="podcast", endpoint_url=stub.url))
    try:
        with pytest.raises(OperationError, match="server error 500 InternalError while trying to read"):
            target.get_bytes(".podpub/manifest.json")
    finally:
        target.close()
    assert stub.requests == ["GET"]


def test_after_a_slow_refusal_no_further_write_is_sent_but_reads_and_aborts_are(stub: StubStore) -> None:
    """The publish fails at the first refusal; writes queued behind it must not each wait for their own."""
    from botocore.exceptions import ClientError

    stub.delay = SLOW
    target = S3Target(S3Settings(bucket="podcast", prefix="show", endpoint_url=stub.url))
    try:
        with pytest.raises(OperationError, match="the store refused writes"):
            target.put_bytes("media/a.mp3", b"a", "audio/mpeg", "public")
        stub.delay = 0.0
        for key in ("media/b.mp3", "feed.xml"):
            with pytest.raises(OperationError) as raised:
                target.put_bytes(key, b"b", "audio/mpeg", "public")
            expected = f"refused writes (server error 500 InternalError while trying to write s3://podcast/show/{key})"
            assert expected in str(raised.value)
        assert stub.requests == ["PUT"]  # neither later write reached the store
        with pytest.raises(OperationError, match="while trying to read"):
            target.get_bytes(".podpub/manifest.json")  # reads are still sent (the stub answers 500)
        with pytest.raises(ClientError):  # and so is the abort of a multipart upload (clean-up)
            target.client.abort_multipart_upload(Bucket="podcast", Key="show/media/c.mp3", UploadId="u")
    finally:
        target.close()
    assert stub.requests[0] == "PUT" and "GET" in stub.requests and "DELETE" in stub.requests
