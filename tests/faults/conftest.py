"""Fault-injection fixtures: a published show behind a FaultProxy, and the checks every fault test makes.

Each fault test publishes a show once (the feed listeners have), adds an episode, injects one fault
while publishing it, then checks what issue 10 promises:

- podpub exits non-zero with exactly one `error:` line and no traceback;
- the previously published feed is still what an anonymous GET returns, and every enclosure it lists
  is fetchable, complete, and has the bytes its content-addressed name says;
- no temp file is left in the show folder;
- a re-run (fault gone) finishes, uploads only what is missing, and leaves no multipart upload.

The S3 server, buckets and the AWS environment come from tests/conftest.py and tests/s3/conftest.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from podpub.fsutil import TEMP_SUFFIX
from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES, s3_show
from tests.faultproxy import FaultProxy
from tests.s3.conftest import aws_env  # noqa: F401 - autouse: the test server's credentials, nothing else
from tests.s3server import LOOPBACK, SeaweedFS, anonymous_request

_HASHED_NAME = re.compile(r"-([0-9a-f]{12})\.[a-z0-9]+$")
_TEMP = re.compile(rf"^\..+\.(?:[a-z0-9_]{{8}}\{TEMP_SUFFIX}|\d+\.link)$")


def error_lines(result: Result) -> list[str]:
    return [line for line in result.err.splitlines() if line.startswith("error:")]


def assert_one_clear_error(result: Result, *needles: str) -> str:
    """Non-zero exit, exactly one `error:` line naming each needle, nothing else but warnings."""
    assert result.code != 0, (result.out, result.err)
    assert "Traceback" not in result.err, result.err
    errors = error_lines(result)
    assert len(errors) == 1, result.err
    others = [line for line in result.err.splitlines() if line.strip() and not line.startswith(("error:", "warning:"))]
    assert others == [], result.err
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def temp_files(root: Path) -> list[Path]:
    """podpub's temp files (see podpub.fsutil) anywhere under root: a half-written file left behind."""
    return [p for p in root.rglob("*") if p.is_file() and _TEMP.match(p.name)]


@dataclass
class Published:
    """A show published once to `bucket` through `proxy`; the feed listeners had before the fault."""

    show: Path
    bucket: str
    server: SeaweedFS
    proxy: FaultProxy
    capsys: pytest.CaptureFixture[str]
    prefix: str = "show"
    feed_before: bytes = b""
    guids: list[str] = field(default_factory=list)

    # -- podpub -----------------------------------------------------------------------------------------
    def run(self, *args: str) -> Result:
        return run_podpub(self.capsys, "-C", str(self.show), *args)

    def add(self, audio: Path, date: str = "2026-02-01T00:00:00Z") -> str:
        result = self.run("add", "--json", "--date", date, str(audio))
        assert result.code == 0, result.err
        guid = json.loads(result.out)[0]["guid"]
        self.guids.append(guid)
        return guid

    def publish(self, *args: str) -> Result:
        return self.run("publish", "--json", *args)

    def uploaded(self, result: Result) -> list[str]:
        assert result.code == 0, result.err
        return list(json.loads(result.out)["uploaded"])

    # -- what listeners and the store see ---------------------------------------------------------------
    def url(self, key: str) -> str:
        return self.server.public_url(self.bucket, f"{self.prefix}/{key}")

    def live_feed(self) -> bytes:
        status, _, body = anonymous_request(self.url("feed.xml"))
        assert status == 200, status
        return body

    def fetch(self, url: str) -> tuple[int, bytes]:
        """An anonymous GET of a URL from the feed, sent to the server wherever it listens now (a
        restarted server may have had to take new ports)."""
        path = urlsplit(url).path
        status, _, body = anonymous_request(f"http://{LOOPBACK}:{self.server.ports['s3.port']}{path}")
        return status, body

    def assert_feed_servable(self, feed: bytes | None = None) -> list[str]:
        """Every enclosure of the live feed is fetchable, complete and has the bytes its name's hash says.
        Returns the feed's GUIDs."""
        root = etree.fromstring(feed if feed is not None else self.live_feed())
        guids = []
        for item in root.iter("item"):
            guids.append(item.findtext("guid"))
            enclosure = item.find("enclosure")
            status, body = self.fetch(enclosure.get("url"))
            assert status == 200, (enclosure.get("url"), status)
            assert len(body) == int(enclosure.get("length"))
            named = _HASHED_NAME.search(urlsplit(enclosure.get("url")).path)
            assert named and hashlib.sha256(body).hexdigest().startswith(named.group(1)), enclosure.get("url")
        return guids

    def multipart_uploads(self) -> list[dict[str, object]]:
        return list(self.server.client().list_multipart_uploads(Bucket=self.bucket).get("Uploads", []))

    def keys(self, under: str = "") -> set[str]:
        listed = self.server.client().list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/{under}")
        return {item["Key"].removeprefix(f"{self.prefix}/") for item in listed.get("Contents", [])}

    def writes(self) -> list[str]:
        """Keys written through the proxy since its last reset (PUT or multipart POST), without the prefix."""
        found = []
        for record in self.proxy.requests:
            if record.method in ("PUT", "POST") and record.status is not None and record.status < 300:
                key = record.path.split("/", 2)[2].removeprefix(f"{self.prefix}/")
                if key not in found:
                    found.append(key)
        return found

    def assert_no_leftovers(self) -> None:
        assert temp_files(self.show) == []
        assert self.multipart_uploads() == []


@pytest.fixture
def fault_proxy(seaweedfs: SeaweedFS) -> Iterator[FaultProxy]:
    with FaultProxy(seaweedfs.endpoint_url, timeout=30) as proxy:
        yield proxy


PublishedFactory = Callable[..., Published]


@pytest.fixture
def published(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> PublishedFactory:
    """`published(server, proxy, bucket, **publish_settings)`: a show with one episode already live."""

    def make(server: SeaweedFS, proxy: FaultProxy, bucket: str, **settings: object) -> Published:
        show = s3_show(tmp_path / "show", server.endpoint_url, bucket, endpoint_url=proxy.url, **settings)
        state = Published(show, bucket, server, proxy, capsys)
        state.add(FIXTURES / "cbr.mp3", date="2026-01-01T00:00:00Z")
        result = state.publish()
        assert result.code == 0, result.err
        state.feed_before = state.live_feed()
        state.assert_feed_servable(state.feed_before)
        proxy.reset()
        return state

    return make


def revive(state: Published, timeout: float = 30.0) -> None:
    """Start the killed server again on its ports, or on new ones if another process took one meanwhile
    (weed then exits at once naming the port), point the proxy at it, and wait until it serves objects:
    S3 answers signed requests a moment before the volume server is back behind it (reads give 500)."""
    server = state.server
    try:
        server.start()
    except RuntimeError:
        if "port" not in server.log_tail(10).lower():
            raise
        server.ports = {}
        server.start()
    state.proxy.upstream = (LOOPBACK, server.ports["s3.port"])
    state.proxy.unblock()
    client = server.client()
    deadline = time.monotonic() + timeout
    missing: list[str] = []
    while time.monotonic() < deadline:
        # Every object listed must be readable, signed and anonymously, metadata and bytes: right after a
        # restart SeaweedFS lists objects it still answers 404 for, and answers 500 for reads until its
        # volume server has registered again and the bucket policy is loaded.
        listed = client.list_objects_v2(Bucket=state.bucket, Prefix=f"{state.prefix}/").get("Contents", [])
        missing = [item["Key"] for item in listed if not _readable(state, client, item["Key"])]
        if listed and not missing:
            return
        time.sleep(0.1)
    raise AssertionError(f"the restarted store still cannot serve {missing[:5]}:\n{server.log_tail()}")


def _readable(state: Published, client: object, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=state.bucket, Key=key)  # type: ignore[attr-defined]
    except ClientError:
        return False
    url = state.url(key.removeprefix(f"{state.prefix}/"))
    return anonymous_request(url, headers={"Range": "bytes=0-0"})[0] in (200, 206)  # a byte from the volume
