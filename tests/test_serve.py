"""Tests for the preview server: what podcast apps on the LAN will actually see over HTTP.

The server runs for real on 127.0.0.1 (port 0) in a thread, and the tests talk to it with `http.client`
or a raw socket, because the behaviour that matters (status codes, exact bytes, headers, no body on HEAD,
keep-alive framing) only shows on the wire.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from podpub.errors import InputError, OperationError
from podpub.serve import (
    ByteRange,
    PreviewServer,
    RangeNotSatisfiable,
    base_url_for,
    make_server,
    parse_range,
)

MEDIA_SIZE = 200_000
POLL = 0.02  # serve_forever's shutdown poll interval; the 0.5 s default makes every teardown slow


@dataclass
class Site:
    root: Path
    media: bytes
    feed: bytes
    index: bytes


@dataclass
class Running:
    server: PreviewServer
    site: Site
    log: list[str] = field(default_factory=list)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        conn = self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    root = tmp_path / "public"
    (root / "media").mkdir(parents=True)
    (root / "artwork").mkdir()
    media = os.urandom(MEDIA_SIZE)
    feed = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel/></rss>\n'
    index = b"<!doctype html><title>Show</title>\n"
    (root / "media" / "a.mp3").write_bytes(media)
    (root / "feed.xml").write_bytes(feed)
    (root / "index.html").write_bytes(index)
    (root / "artwork" / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0jpeg")
    (tmp_path / "secret.txt").write_text("outside the site\n")
    return Site(root, media, feed, index)


@pytest.fixture
def running(site: Site) -> Iterator[Running]:
    log: list[str] = []
    server = make_server(site.root, "127.0.0.1", 0, log=log.append)
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        yield Running(server, site, log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert not thread.is_alive()


def raw_exchange(running: Running, request: bytes) -> bytes:
    """Send raw bytes and read until the server closes: shows exactly what is on the wire."""
    with socket.create_connection(("127.0.0.1", running.server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# -- full responses ------------------------------------------------------------------------------------------


def test_full_get_returns_identical_bytes_and_preview_headers(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3")

    assert response.status == 200
    assert body == running.site.media
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Content-Length") == str(MEDIA_SIZE)
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Cache-Control") == "no-cache"
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert response.getheader("Content-Range") is None
    etag = response.getheader("ETag")
    assert etag is not None and etag.startswith('"') and etag.endswith('"')
    last_modified = response.getheader("Last-Modified")
    assert last_modified is not None
    stamp = email.utils.parsedate_to_datetime(last_modified).timestamp()
    assert int(stamp) == int((running.site.root / "media" / "a.mp3").stat().st_mtime)


def test_feed_is_served_as_rss_with_charset(running: Running) -> None:
    response, body = running.request("GET", "/feed.xml")
    assert response.status == 200
    assert body == running.site.feed
    assert response.getheader("Content-Type") == "application/xml; charset=utf-8"


def test_content_types_come_from_the_shared_table(running: Running) -> None:
    response, _ = running.request("GET", "/artwork/cover.jpg")
    assert response.getheader("Content-Type") == "image/jpeg"


def test_unknown_extension_is_octet_stream(running: Running) -> None:
    (running.site.root / "notes.weird").write_bytes(b"x")
    response, _ = running.request("GET", "/notes.weird")
    assert response.getheader("Content-Type") == "application/octet-stream"


def test_root_serves_index_html(running: Running) -> None:
    response, body = running.request("GET", "/")
    assert response.status == 200
    assert body == running.site.index
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"


def test_query_string_is_ignored_for_file_lookup(running: Running) -> None:
    response, body = running.request("GET", "/feed.xml?refresh=1")
    assert response.status == 200
    assert body == running.site.feed


def test_percent_encoded_file_names_are_decoded(running: Running) -> None:
    (running.site.root / "media" / "ep 1 é.mp3").write_bytes(b"abc")
    response, body = running.request("GET", "/media/ep%201%20%C3%A9.mp3")
    assert response.status == 200
    assert body == b"abc"


def test_head_sends_headers_but_no_body(running: Running) -> None:
    wire = raw_exchange(running, b"HEAD /media/a.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = wire.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert f"Content-Length: {MEDIA_SIZE}".encode() in head
    assert b"Content-Type: audio/mpeg" in head
    assert b"Accept-Ranges: bytes" in head
    assert rest == b""


def test_head_of_missing_file_has_no_body_either(running: Running) -> None:
    wire = raw_exchange(running, b"HEAD /nope.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = wire.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ")
    assert rest == b""


def test_head_ignores_range_as_rfc_9110_requires(running: Running) -> None:
    response, body = running.request("HEAD", "/media/a.mp3", {"Range": "bytes=0-1"})
    assert response.status == 200
    assert response.getheader("Content-Length") == str(MEDIA_SIZE)
    assert body == b""


# -- ranges --------------------------------------------------------------------------------------------------


def test_apple_probe_range_0_1_returns_exactly_two_bytes(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1"})
    assert response.status == 206
    assert body == running.site.media[:2]
    assert response.getheader("Content-Length") == "2"
    assert response.getheader("Content-Range") == f"bytes 0-1/{MEDIA_SIZE}"
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag") is not None


def test_closed_range_in_the_middle(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=1000-70999"})
    assert response.status == 206
    assert body == running.site.media[1000:71000]
    assert response.getheader("Content-Range") == f"bytes 1000-70999/{MEDIA_SIZE}"


def test_open_ended_range(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=150000-"})
    assert response.status == 206
    assert body == running.site.media[150000:]
    assert response.getheader("Content-Length") == str(MEDIA_SIZE - 150000)
    assert response.getheader("Content-Range") == f"bytes 150000-{MEDIA_SIZE - 1}/{MEDIA_SIZE}"


def test_suffix_range(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=-500"})
    assert response.status == 206
    assert body == running.site.media[-500:]
    assert response.getheader("Content-Range") == f"bytes {MEDIA_SIZE - 500}-{MEDIA_SIZE - 1}/{MEDIA_SIZE}"


def test_last_byte(running: Running) -> None:
    last = MEDIA_SIZE - 1
    response, body = running.request("GET", "/media/a.mp3", {"Range": f"bytes={last}-{last}"})
    assert response.status == 206
    assert body == running.site.media[-1:]
    assert response.getheader("Content-Range") == f"bytes {last}-{last}/{MEDIA_SIZE}"


def test_range_end_past_the_file_is_clamped(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=199990-999999999"})
    assert response.status == 206
    assert body == running.site.media[199990:]
    assert response.getheader("Content-Range") == f"bytes 199990-{MEDIA_SIZE - 1}/{MEDIA_SIZE}"


def test_suffix_longer_than_file_returns_whole_file_as_206(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=-999999"})
    assert response.status == 206
    assert body == running.site.media
    assert response.getheader("Content-Range") == f"bytes 0-{MEDIA_SIZE - 1}/{MEDIA_SIZE}"


@pytest.mark.parametrize("spec", [f"bytes={MEDIA_SIZE}-", f"bytes={MEDIA_SIZE + 5}-{MEDIA_SIZE + 9}", "bytes=-0"])
def test_unsatisfiable_range_is_416_with_size(running: Running, spec: str) -> None:
    response, _ = running.request("GET", "/media/a.mp3", {"Range": spec})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{MEDIA_SIZE}"


@pytest.mark.parametrize(
    "spec", ["bytes=abc", "items=0-1", "bytes=5-2", "bytes=-", "bytes 0-1", "bytes=0-1-2", "bytes=+1-2"]
)
def test_malformed_range_is_ignored(running: Running, spec: str) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": spec})
    assert response.status == 200
    assert body == running.site.media
    assert response.getheader("Content-Range") is None


def test_multiple_ranges_get_the_full_body(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1, 10-20"})
    assert response.status == 200
    assert body == running.site.media
    assert response.getheader("Content-Type") == "audio/mpeg"


def test_range_unit_is_case_insensitive_and_empty_list_elements_are_ignored(running: Running) -> None:
    response, body = running.request("GET", "/media/a.mp3", {"Range": "Bytes=0-1,"})
    assert response.status == 206
    assert body == running.site.media[:2]


def test_if_range_with_current_etag_honours_range(running: Running) -> None:
    head, _ = running.request("HEAD", "/media/a.mp3")
    etag = head.getheader("ETag")
    assert etag is not None
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1", "If-Range": etag})
    assert response.status == 206
    assert body == running.site.media[:2]


@pytest.mark.parametrize("validator", ['"stale-etag"', "W/PLACEHOLDER"])
def test_if_range_mismatch_or_weak_etag_sends_full_file(running: Running, validator: str) -> None:
    head, _ = running.request("HEAD", "/media/a.mp3")
    etag = head.getheader("ETag")
    assert etag is not None
    validator = validator.replace("PLACEHOLDER", etag)  # a weak tag never matches, even the same tag
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1", "If-Range": validator})
    assert response.status == 200
    assert body == running.site.media


def test_if_range_with_last_modified_date(running: Running) -> None:
    path = running.site.root / "media" / "a.mp3"
    old = time.time() - 3600
    os.utime(path, (old, old))
    date = email.utils.formatdate(int(old), usegmt=True)
    older = email.utils.formatdate(int(old) - 60, usegmt=True)

    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1", "If-Range": date})
    assert response.status == 206
    assert body == running.site.media[:2]
    response, body = running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1", "If-Range": older})
    assert response.status == 200
    assert body == running.site.media


def test_etag_changes_when_the_file_is_rebuilt(running: Running) -> None:
    first, _ = running.request("HEAD", "/feed.xml")
    path = running.site.root / "feed.xml"
    path.write_bytes(running.site.feed + b"<!-- rebuilt -->\n")
    second, _ = running.request("HEAD", "/feed.xml")
    assert first.getheader("ETag") != second.getheader("ETag")


# -- conditional requests ------------------------------------------------------------------------------------


def test_if_none_match_with_current_etag_is_304_without_body(running: Running) -> None:
    first, _ = running.request("GET", "/feed.xml")
    etag = first.getheader("ETag")
    assert etag is not None
    response, body = running.request("GET", "/feed.xml", {"If-None-Match": f'"other", W/{etag}'})
    assert response.status == 304
    assert body == b""
    assert response.getheader("ETag") == etag
    response, body = running.request("GET", "/feed.xml", {"If-None-Match": '"other"'})
    assert response.status == 200
    assert body == running.site.feed


def test_if_modified_since(running: Running) -> None:
    first, _ = running.request("GET", "/feed.xml")
    last_modified = first.getheader("Last-Modified")
    assert last_modified is not None
    response, body = running.request("GET", "/feed.xml", {"If-Modified-Since": last_modified})
    assert response.status == 304
    assert body == b""
    response, _ = running.request("GET", "/feed.xml", {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert response.status == 200


# -- paths ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/media/..%2f..%2fsecret.txt",
        "/media/%2e%2e/%2e%2e/secret.txt",
        "/media/../feed.xml",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/%00feed.xml",
        "/%ff.mp3",
    ],
)
def test_traversal_and_odd_paths_are_404(running: Running, target: str) -> None:
    response, body = running.request("GET", target)
    assert response.status == 404
    assert b"outside the site" not in body


def test_absolute_form_target_is_contained_too(running: Running) -> None:
    wire = raw_exchange(running, b"GET http://x/../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert wire.startswith(b"HTTP/1.1 404 ")
    assert b"outside the site" not in wire


def test_symlink_leaving_the_site_is_404(running: Running) -> None:
    link = running.site.root / "leak.txt"
    try:
        link.symlink_to(running.site.root.parent / "secret.txt")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    response, body = running.request("GET", "/leak.txt")
    assert response.status == 404
    assert b"outside the site" not in body


def test_symlink_inside_the_site_is_served(running: Running) -> None:
    link = running.site.root / "latest.mp3"
    try:
        link.symlink_to(running.site.root / "media" / "a.mp3")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    response, body = running.request("GET", "/latest.mp3")
    assert response.status == 200
    assert body == running.site.media


def test_directory_without_index_is_404_and_never_listed(running: Running) -> None:
    for target in ("/media/", "/media"):
        response, body = running.request("GET", target)
        assert response.status == 404
        assert b"a.mp3" not in body


def test_directory_with_index_redirects_to_slash_then_serves_index(running: Running) -> None:
    (running.site.root / "episodes").mkdir()
    (running.site.root / "episodes" / "index.html").write_bytes(b"episodes page")
    response, _ = running.request("GET", "/episodes?x=1")
    assert response.status == 301
    assert response.getheader("Location") == "/episodes/?x=1"
    response, body = running.request("GET", "/episodes/")
    assert response.status == 200
    assert body == b"episodes page"


def test_fifo_is_not_read(running: Running) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(running.site.root / "pipe.mp3")
    response, _ = running.request("GET", "/pipe.mp3")
    assert response.status == 404


# -- methods, framing, logging -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "BREW"])
def test_other_methods_are_405_with_allow(running: Running, method: str) -> None:
    response, _ = running.request(method, "/feed.xml", body=b"payload")
    assert response.status == 405
    allowed = {m.strip() for m in (response.getheader("Allow") or "").split(",")}
    assert allowed == {"GET", "HEAD"}


def test_keep_alive_connection_serves_several_requests(running: Running) -> None:
    """Exact Content-Length on every response (206, 404, 304, HEAD) keeps one connection usable."""
    conn = running.connect()
    try:
        conn.request("GET", "/media/a.mp3", headers={"Range": "bytes=0-1"})
        first = conn.getresponse()
        assert (first.status, first.read()) == (206, running.site.media[:2])
        conn.request("GET", "/missing")
        second = conn.getresponse()
        assert second.status == 404
        second.read()
        conn.request("HEAD", "/media/a.mp3")
        third = conn.getresponse()
        assert third.status == 200
        third.read()
        conn.request("GET", "/feed.xml")
        fourth = conn.getresponse()
        assert (fourth.status, fourth.read()) == (200, running.site.feed)
    finally:
        conn.close()


def test_requests_are_logged_through_the_log_callable(running: Running) -> None:
    running.request("GET", "/media/a.mp3", {"Range": "bytes=0-1"})
    assert any('"GET /media/a.mp3 HTTP/1.1" 206' in line for line in running.log)


def test_quiet_by_default(site: Site, capfd: pytest.CaptureFixture[str]) -> None:
    server = make_server(site.root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/nope")
        assert conn.getresponse().status == 404
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_client_disconnect_mid_download_is_silent(running: Running, capfd: pytest.CaptureFixture[str]) -> None:
    big = running.site.root / "media" / "big.mp3"
    big.write_bytes(b"\0" * (32 * 1024 * 1024))
    sock = socket.create_connection(("127.0.0.1", running.server.port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(b"GET /media/big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(1024).startswith(b"HTTP/1.1 200 ")
    # Abort with RST, as an app that skips ahead does.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()

    deadline = time.monotonic() + 10
    while not any("client disconnected" in line for line in running.log):
        assert time.monotonic() < deadline, running.log
        time.sleep(0.05)
    response, body = running.request("GET", "/feed.xml")
    assert (response.status, body) == (200, running.site.feed)
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(("version", "status"), [(b"HTTP/9.9.9", b"400"), (b"HTTP/2.0", b"505")])
def test_malformed_request_line_gets_a_plain_text_error(running: Running, version: bytes, status: bytes) -> None:
    wire = raw_exchange(running, b"GET /feed.xml " + version + b"\r\n\r\n")
    head, _, _ = wire.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 " + status + b" ")
    assert b"Content-Type: text/plain; charset=utf-8" in head
    assert b"Connection: close" in head


# -- construction and URLs -----------------------------------------------------------------------------------


def test_make_server_rejects_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        make_server(tmp_path / "missing", "127.0.0.1", 0)


def test_make_server_reports_a_busy_port(site: Site) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(OperationError, match=f"port {port}"):
            make_server(site.root, "127.0.0.1", port)


def test_port_zero_picks_a_free_port(site: Site) -> None:
    server = make_server(site.root, "127.0.0.1", 0)
    try:
        assert server.server_address[1] == server.port != 0
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.server_close()


def test_base_url_for_plain_and_ipv6_hosts() -> None:
    assert base_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert base_url_for("localhost", 80) == "http://localhost:80/"
    assert base_url_for("::1", 8000) == "http://[::1]:8000/"
    assert base_url_for("[::1]", 8000) == "http://[::1]:8000/"
    assert base_url_for("fe80::1%eth0", 8000) == "http://[fe80::1%25eth0]:8000/"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""])
def test_base_url_for_wildcard_uses_lan_ip_or_loopback(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setattr("podpub.serve.lan_ip", lambda: "192.168.1.20")
    assert base_url_for(host, 8000) == "http://192.168.1.20:8000/"
    monkeypatch.setattr("podpub.serve.lan_ip", lambda: None)
    assert base_url_for(host, 8000) == "http://127.0.0.1:8000/"


def test_base_url_for_wildcard_real_lookup_is_an_ipv4_url() -> None:
    url = base_url_for("0.0.0.0", 8000)
    host = url.removeprefix("http://").removesuffix(":8000/")
    socket.inet_aton(host)  # raises if not a dotted IPv4 address
    assert host != "0.0.0.0"


def test_ipv6_loopback_server_if_available(site: Site) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = make_server(site.root, "::1", 0)
    except OperationError:
        pytest.skip("IPv6 loopback not configured")
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("::1", server.port, timeout=10)
        conn.request("GET", "/feed.xml")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, site.feed)
        conn.close()
        assert server.url == f"http://[::1]:{server.port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- parse_range unit cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-1", 10, ByteRange(0, 1)),
        ("bytes=0-", 10, ByteRange(0, 9)),
        ("bytes=-3", 10, ByteRange(7, 9)),
        ("bytes=-30", 10, ByteRange(0, 9)),
        ("bytes=9-9", 10, ByteRange(9, 9)),
        ("bytes=5-500", 10, ByteRange(5, 9)),
        ("bytes= 2-3 ", 10, ByteRange(2, 3)),
        ("bytes=0002-0003", 10, ByteRange(2, 3)),
        ("bytes=0-" + "9" * 5000, 10, ByteRange(0, 9)),
        ("bytes=0-1,2-3", 10, None),
        ("bytes=3-2", 10, None),
        ("bytes=", 10, None),
        ("bytes=-", 10, None),
        ("bytes=1", 10, None),
        ("pages=0-1", 10, None),
        ("bytes=-5", 0, None),
        ("bytes=١-٢", 10, None),  # non-ASCII digits are not DIGIT
    ],
)
def test_parse_range(header: str, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=10-", 10),
        ("bytes=10-20", 10),
        ("bytes=-0", 10),
        ("bytes=0-1", 0),
        ("bytes=" + "9" * 5000 + "-", 10),
    ],
)
def test_parse_range_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)
