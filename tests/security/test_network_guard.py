"""`--no-private-addresses` / PODPUB_NO_PRIVATE_ADDRESSES=1: import and validate never connect to a private,
loopback or link-local address, whether the URL names it, a host name resolves to it, or a redirect or an
enclosure leads there. The servers here listen on loopback; to have a "public" first hop on a machine that
has only loopback, some tests declare 127.0.0.1 public (and only 127.0.0.2 private) by patching the
classifier, never the connection code, which stays the real one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from podpub import netguard
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES
from tests.importer.server import FeedServer, Route

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Show</title><link>https://example.org/</link><description>D</description>
<item><title>One</title><guid>one</guid><pubDate>Mon, 06 May 2024 08:00:00 +0000</pubDate>
<enclosure url="{enclosure}" length="40541" type="audio/mpeg"/></item></channel></rss>
"""


class Recorder:
    """An HTTP server on another loopback address that only counts the requests it gets."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def inner() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.add("/audio.mp3", Route((FIXTURES / "cbr.mp3").read_bytes(), "audio/mpeg"))
        feed = FEED.format(enclosure=running.url("/audio.mp3")).encode()
        running.add("/feed.xml", Route(feed, "application/rss+xml"))
        yield running


@pytest.fixture
def loopback_one_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 stands for a public host, 127.0.0.2 for the private one behind it."""
    real = netguard.is_public
    monkeypatch.setattr(netguard, "is_public", lambda address: address == "127.0.0.1" or real(address))


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "198.51.100.7", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12::1",
     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "ff02::1"],
)  # fmt: skip
def test_private_loopback_link_local_and_disguised_addresses_are_not_public(address: str) -> None:
    assert not netguard.is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address: str) -> None:
    assert netguard.is_public(address)  # classified only: nothing is sent to them


def test_import_refuses_a_loopback_feed_and_sends_nothing(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_podpub(capsys, "import", server.url("/feed.xml"), str(tmp_path / "show"), "--no-private-addresses")
    assert result.code == 1, result.err
    assert result.err.count("\n") == 1 and "127.0.0.1 is a private, loopback or link-local address" in result.err
    assert server.requests == []
    assert not (tmp_path / "show" / "podcast.toml").exists()
    result = run_podpub(capsys, "import", server.url("/feed.xml"), str(tmp_path / "show"))  # the flag is per run
    assert result.code == 0, result.err
    assert (tmp_path / "show" / "podcast.toml").exists()


@pytest.mark.parametrize("command", ["import", "validate"])
def test_the_environment_variable_and_names_that_resolve_inward(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:  # fmt: skip
    monkeypatch.setenv(netguard.ENV, "1")
    url = f"http://localhost:{server.port}/feed.xml"  # a name: what it resolves to is what counts
    args = (url, str(tmp_path / "show")) if command == "import" else (url,)
    result = run_podpub(capsys, command, *args)
    assert result.code in (1, 2) and "localhost (127.0.0.1" in result.err and "refused" in result.err, result.err
    assert server.requests == []


def test_dns_answers_are_checked_where_the_connection_is_made(
    server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name whose DNS answers inward (a rebinding attack's second answer, or a wildcard like nip.io):
    refused from the answer, never connected. The fake resolver only answers for these names."""
    real = socket.getaddrinfo
    answers = {"rebind.example.org": ["127.0.0.1"], "mixed.example.org": ["198.51.100.7", "127.0.0.1", "::1"]}
    lookups: list[str] = []

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, port) if ":" not in ip else (ip, port, 0, 0)) for ip in answers[host]]  # fmt: skip

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    for name in answers:
        url = f"http://{name}:{server.port}/feed.xml"
        result = run_podpub(capsys, "import", url, str(tmp_path / name), "--no-private-addresses")
        assert result.code == 1 and "refused by --no-private-addresses" in result.err, result.err
        result = run_podpub(capsys, "validate", url, "--no-private-addresses")
        assert result.code == 2 and "refused by --no-private-addresses" in result.err, result.err
    assert server.requests == [] and lookups.count("rebind.example.org") == 2


def test_a_redirect_inward_is_refused(
    server: FeedServer, inner: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    loopback_one_is_public: None,
) -> None:  # fmt: skip
    server.add("/moved.xml", Route(status=302, location=f"{inner.url}/feed.xml"))
    for command, args in (("import", (str(tmp_path / "show"),)), ("validate", ())):
        result = run_podpub(capsys, command, server.url("/moved.xml"), *args, "--no-private-addresses")
        assert result.code in (1, 2) and "127.0.0.2 is a private" in result.err, result.err
    assert len(server.requests_for("/moved.xml")) == 2 and inner.requests == []


def test_enclosures_and_links_inward_are_never_fetched(
    server: FeedServer, inner: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    loopback_one_is_public: None,
) -> None:  # fmt: skip
    server.add("/inward.xml", Route(FEED.format(enclosure=f"{inner.url}/audio.mp3").encode(), "application/rss+xml"))
    result = run_podpub(capsys, "import", server.url("/inward.xml"), str(tmp_path / "show"), "--no-private-addresses")
    assert result.code == 1 and "127.0.0.2 is a private" in result.out + result.err
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED.format(enclosure=f"{inner.url}/audio.mp3"), encoding="utf-8")
    result = run_podpub(capsys, "validate", str(feed), "--online", "--format", "json", "--no-private-addresses")
    assert "online.unreachable" in result.out and "127.0.0.2 is a private" in result.out
    assert inner.requests == []
