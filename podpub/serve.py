"""A static file server for previewing a built podcast site on the LAN.

`podpub serve` exists so a producer can subscribe to the built feed from a real podcast app before
publishing. Podcast apps are stricter HTTP clients than browsers, so this server implements exactly
the parts of HTTP they depend on and nothing else:

* Byte ranges (RFC 9110 §14). Apple Podcasts opens every enclosure with `Range: bytes=0-1` and refuses
  episodes whose server answers with 200 instead of 206; players seek with open-ended ranges.
* Validators (`ETag`, `Last-Modified`) with `Cache-Control: no-cache`, so apps re-check the feed on every
  refresh (the producer is rebuilding it) but can still get a cheap 304.
* The one Content-Type table in `podpub.mediatypes`, so the preview serves the same types the real
  host will and the preview does not hide a type mismatch.
* `Access-Control-Allow-Origin: *`, so browser-based players and validators can fetch the feed.

It is built on `http.server` (standard library only) but deliberately not on
`SimpleHTTPRequestHandler`: that class lists directories, guesses types from the `mimetypes` registry of
the host OS and ignores Range headers.
"""

from __future__ import annotations

import contextlib
import email.utils
import os
import re
import socket
import socketserver
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from podpub.errors import InputError, OperationError
from podpub.mediatypes import content_type_for

__all__ = [
    "CHUNK_SIZE",
    "ByteRange",
    "PreviewHandler",
    "PreviewServer",
    "RangeNotSatisfiable",
    "base_url_for",
    "lan_ip",
    "make_server",
    "parse_range",
    "resolve_request_path",
    "serve_until_interrupted",
]

CHUNK_SIZE = 64 * 1024
"""Bytes read from disk and written to the socket at a time: media files can be gigabytes (video
episodes), so they are streamed rather than read into memory."""

ALLOWED_METHODS = ("GET", "HEAD")

INDEX_FILE = "index.html"

LogFunc = Callable[[str], None]

_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})

# Any number this long is larger than any file; capping it avoids Python's limit on converting very long
# digit strings to int (a ValueError that a hostile Range header could otherwise trigger).
_MAX_DIGITS = 18
_HUGE = 10**_MAX_DIGITS

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
_ENTITY_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


def _no_log(line: str) -> None:
    """The default logger: the preview server is quiet unless the CLI asks for request lines."""


# --------------------------------------------------------------------------------------------------------
# Range parsing (RFC 9110 §14.1)


@dataclass(frozen=True)
class ByteRange:
    """A satisfiable byte range of a representation; `end` is inclusive, as in `Content-Range`."""

    start: int
    end: int

    @property
    def length(self) -> int:
        """The number of bytes in the range, the 206 response's Content-Length."""
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        """The `Content-Range` value for this range of a representation of `size` bytes."""
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(Exception):
    """A valid single range that lies entirely outside the file: the answer is 416, not 200."""


def _to_int(digits: str) -> int:
    """Convert a digit string, saturating huge values instead of failing on Python's digit limit."""
    digits = digits.lstrip("0") or "0"
    return _HUGE if len(digits) > _MAX_DIGITS else int(digits)


def parse_range(header: str, size: int) -> ByteRange | None:
    """Interpret a `Range` header for a file of `size` bytes.

    Returns the range to serve with 206, or None when the header must be ignored and the whole file served
    with 200; raises `RangeNotSatisfiable` when the answer must be 416.

    The header is ignored (RFC 9110 §14.2 allows a server to ignore Range at any time) when it is
    malformed, uses a unit other than `bytes`, has a `last < first` range, or asks for several ranges.
    Several ranges would need a `multipart/byteranges` body; podcast apps and browsers' media elements
    never ask for one, it is easy to get subtly wrong, and overlapping multi-range requests are a known
    amplification trick, so a complete 200 response (which every client must accept) is the safer
    answer. An empty file can only be served whole: `Content-Range` cannot describe a range of it.
    """
    unit, sep, range_set = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    # `1#range-spec`: list syntax, whose recipients must tolerate empty elements and optional whitespace.
    specs = [spec.strip(" \t") for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if len(specs) != 1:
        return None
    match = _RANGE_SPEC.fullmatch(specs[0])
    if match is None:
        return None
    first, last = match.groups()
    if first:
        start = _to_int(first)
        end = _to_int(last) if last else None
        if end is not None and end < start:
            return None  # an invalid range-spec, not an unsatisfiable one
        if start >= size:
            raise RangeNotSatisfiable(header)
        return ByteRange(start, size - 1 if end is None else min(end, size - 1))
    if not last:
        return None  # a lone "-"
    suffix = _to_int(last)
    if suffix == 0:
        raise RangeNotSatisfiable(header)
    if size == 0:
        return None
    return ByteRange(max(0, size - suffix), size - 1)


# --------------------------------------------------------------------------------------------------------
# Request paths


def _contained(path: Path, root: Path) -> Path | None:
    """The real path of an existing `path` if it lies inside `root` (already resolved), else None.

    Resolving follows symlinks, so a link inside the site that points outside it is refused too: the
    preview is reachable from the whole LAN and must only ever expose the built site.
    """
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, unreadable, or a symlink loop
        return None
    return real if real.is_relative_to(root) else None


def _path_part(target: str) -> str:
    """The still-encoded path of a request target, without query or fragment.

    Origin-form targets (`/feed.xml?x`) are split by hand: `urlsplit("//host/x")` would take `host` for a
    network location and silently serve `/x`. Absolute-form targets (`http://host/x`, which HTTP/1.1
    servers must accept) go through `urlsplit`.
    """
    if target.lower().startswith(("http://", "https://")):
        return urlsplit(target).path or "/"
    return target.split("#", 1)[0].split("?", 1)[0]


def resolve_request_path(root: Path, target: str) -> Path | None:
    """Map a request target to an existing file or folder inside `root` (already resolved), or None.

    Percent-decoding happens before the checks, so `%2e%2e` and `..%2f` are caught like a literal `..`.
    Any `..` segment is refused outright rather than normalised away: no legitimate link in a built site
    contains one, and a client that sends one is probing.
    """
    path = _path_part(target)
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    segments: list[str] = []
    for segment in decoded.split("/"):
        if segment in ("", "."):
            continue
        if segment == ".." or "\x00" in segment or "\\" in segment:
            return None
        segments.append(segment)
    return _contained(root.joinpath(*segments), root)


# --------------------------------------------------------------------------------------------------------
# Validators


def make_etag(size: int, mtime_ns: int) -> str:
    """A strong ETag from size and modification time.

    Hashing would read every media file on every request; size plus nanosecond mtime changes whenever the
    build rewrites a file, which is what matters for a preview (the same choice nginx and Apache make).
    """
    return f'"{size:x}-{mtime_ns:x}"'


def _entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """Parse an entity-tag list into (weak, opaque-tag) pairs; None if it is malformed."""
    tags: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(header):
        match = _ENTITY_TAG.match(header, pos)
        if match is None:
            return None
        tags.append((match.group(1) is not None, match.group(2)))
        pos = match.end()
    return tags


def _parse_http_date(value: str) -> int | None:
    """An HTTP-date as a POSIX timestamp, or None if it does not parse (and must then be ignored)."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


# --------------------------------------------------------------------------------------------------------
# Server and handler


class PreviewServer(ThreadingHTTPServer):
    """A `ThreadingHTTPServer` bound to one site folder, reachable over IPv4 or IPv6.

    Threads, because podcast apps open several connections at once (feed, artwork and a ranged media
    download) and a slow client must not stall the others; daemon threads (the `ThreadingHTTPServer`
    default) so an idle keep-alive connection never blocks shutdown.
    """

    def __init__(self, root: Path, host: str, port: int, log: LogFunc = _no_log) -> None:
        self.root = root
        self.log = log
        self.host = host
        self.address_family = _address_family(host, port)
        super().__init__((host, port), PreviewHandler)

    def server_bind(self) -> None:
        """Bind without `HTTPServer`'s reverse DNS lookup (`getfqdn`), which can stall startup for
        seconds on a LAN without working reverse DNS; on `::` also accept IPv4 clients (dual stack)."""
        if self.address_family == socket.AF_INET6 and self.host == "::":
            with contextlib.suppress(AttributeError, OSError):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    @property
    def port(self) -> int:
        """The port actually bound (useful after asking for port 0)."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a podcast app; see `base_url_for`."""
        return base_url_for(self.host, self.port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent about clients that hang up (apps abort downloads constantly when seeking);
        anything else is a bug in this module, so keep the standard traceback for it."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def _address_family(host: str, port: int) -> socket.AddressFamily:
    """IPv6 for IPv6 literals and names that only resolve to IPv6; IPv4 otherwise.

    `ThreadingHTTPServer` is IPv4-only unless told otherwise, so `--host ::` would fail without this.
    """
    if ":" in host:
        return socket.AF_INET6
    if host in _WILDCARD_HOSTS:
        return socket.AF_INET
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    families = {info[0] for info in infos}
    return socket.AF_INET if socket.AF_INET in families or not families else socket.AF_INET6


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files under `server.root` for GET and HEAD; see the module docstring for why each header."""

    server: PreviewServer
    # HTTP/1.1 so apps can reuse a connection for their burst of range requests; every response below
    # therefore carries an exact Content-Length (or none only when it has no body by definition).
    protocol_version = "HTTP/1.1"
    server_version = "podpub-preview"
    # Idle keep-alive connections are dropped after this many seconds so they do not pile up threads.
    timeout = 60

    _must_close = False

    # -- dispatch ---------------------------------------------------------------------------------------

    def handle(self) -> None:
        """Treat a client hanging up mid-request or mid-response as the end of the connection, silently."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        """Serve a file, a byte range of it, or a 304."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        """Same headers as GET without a body; validators (Cast Feed Validator, Podbase) send HEAD."""
        self._serve(send_body=False)

    def __getattr__(self, name: str) -> Any:
        """Answer every other method, known or not, with 405 and `Allow`.

        `BaseHTTPRequestHandler` dispatches on `do_<METHOD>` and answers 501 when it is missing; a preview
        of static files allows GET and HEAD only, so any other method gets a 405 that says so.
        """
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        # The request body (if any) was not read, so the connection cannot carry another request.
        self._must_close = True
        self._send_status(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": ", ".join(ALLOWED_METHODS)})

    # -- serving ----------------------------------------------------------------------------------------

    def _serve(self, send_body: bool) -> None:
        self._must_close = self._has_request_body()
        found = resolve_request_path(self.server.root, self.path)
        if found is not None and found.is_dir():
            found = self._directory_index(found)
            if found is None:
                return
        if found is None:
            self._send_status(HTTPStatus.NOT_FOUND)
            return
        try:
            fd = os.open(found, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            self._send_status(HTTPStatus.NOT_FOUND)
            return
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):  # a FIFO or device must never be read from
                self._send_status(HTTPStatus.NOT_FOUND)
                return
            self._serve_file(file, found, info, send_body)

    def _directory_index(self, folder: Path) -> Path | None:
        """The folder's index.html, after redirecting `/dir` to `/dir/`; None once a response was sent.

        Without the redirect, relative links in `dir/index.html` would resolve against the parent folder.
        There is deliberately no directory listing: the preview is visible to the whole LAN.
        """
        index = _contained(folder / INDEX_FILE, self.server.root)
        if index is None or not index.is_file():
            self._send_status(HTTPStatus.NOT_FOUND)
            return None
        path = _path_part(self.path)
        if not path.endswith("/"):
            query = urlsplit(self.path).query
            location = path + "/" + (f"?{query}" if query else "")
            self._send_status(HTTPStatus.MOVED_PERMANENTLY, {"Location": location})
            return None
        return index

    def _serve_file(self, file: Any, path: Path, info: os.stat_result, send_body: bool) -> None:
        size = info.st_size
        etag = make_etag(size, info.st_mtime_ns)
        mtime = int(info.st_mtime)
        headers = {
            "Content-Type": content_type_for(path.name),
            "Accept-Ranges": "bytes",
            "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
            "ETag": etag,
            "Cache-Control": "no-cache",
        }
        if self._not_modified(etag, mtime):
            self._send_status(HTTPStatus.NOT_MODIFIED, headers)
            return

        byte_range: ByteRange | None = None
        range_header = self.headers.get_all("Range") or []
        # Range is defined for GET only (RFC 9110 §14.2), so HEAD describes the full representation.
        if self.command == "GET" and len(range_header) == 1 and self._if_range_matches(etag, mtime):
            try:
                byte_range = parse_range(range_header[0], size)
            except RangeNotSatisfiable:
                self._send_status(
                    HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    {"Content-Range": f"bytes */{size}", **headers},
                )
                return

        if byte_range is None:
            status, start, length = HTTPStatus.OK, 0, size
        else:
            status, start, length = HTTPStatus.PARTIAL_CONTENT, byte_range.start, byte_range.length
            headers["Content-Range"] = byte_range.content_range(size)
        headers["Content-Length"] = str(length)
        self._start_response(status, headers)
        if send_body:
            self._copy(file, start, length)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """Evaluate If-None-Match, else If-Modified-Since, as RFC 9110 §13.2.2 orders them."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            if if_none_match.strip() == "*":
                return True
            tags = _entity_tags(if_none_match) or []
            return any(tag == etag for _weak, tag in tags)  # weak comparison: W/ prefix ignored
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is not None:
            since = _parse_http_date(if_modified_since)
            return since is not None and mtime <= since
        return False

    def _if_range_matches(self, etag: str, mtime: int) -> bool:
        """True if the Range header may be honoured under If-Range (RFC 9110 §13.1.5).

        If-Range lets a client resume a download only if the file is unchanged; when it changed the
        client must get the whole new file (200), never a range of it spliced onto the old bytes. That is
        why the comparison is strong: a weak tag never matches, and a date matches only if it is exactly
        the Last-Modified time and that time is at least a second old (a file modified within the current
        second could change again without its Last-Modified changing).
        """
        if_range = self.headers.get("If-Range")
        if if_range is None:
            return True
        if_range = if_range.strip()
        if if_range.startswith(('"', "W/")):
            return if_range == etag
        since = _parse_http_date(if_range)
        return since is not None and since == mtime and mtime < int(time.time())

    def _copy(self, file: Any, start: int, length: int) -> None:
        """Stream `length` bytes from `start` in CHUNK_SIZE pieces."""
        file.seek(start)
        remaining = length
        try:
            while remaining > 0:
                chunk = file.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            self.log_message('"%s" client disconnected', self.requestline)
            return
        if remaining:
            # The file shrank while being sent (the site is being rebuilt): the promised Content-Length
            # cannot be met, so closing the connection is the only way to tell the client.
            self.close_connection = True

    # -- responses --------------------------------------------------------------------------------------

    def _has_request_body(self) -> bool:
        """Whether the request carries a body this handler will not read (so keep-alive is unsafe)."""
        length = self.headers.get("Content-Length", "0").strip()
        return self.headers.get("Transfer-Encoding") is not None or length not in ("", "0")

    def _start_response(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        """Send the status line and headers common to every response, then `headers`."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Access-Control-Allow-Origin", "*")
        # Web players need to read these on cross-origin responses to drive range requests.
        self.send_header("Access-Control-Expose-Headers", "Accept-Ranges, Content-Length, Content-Range, ETag")
        if self._must_close:
            self.send_header("Connection", "close")  # also sets self.close_connection
        self.end_headers()

    def _send_status(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        """A response whose body is only a one-line reason (nothing for HEAD, 304 and 1xx/204)."""
        extra = dict(headers or {})
        no_body = status == HTTPStatus.NOT_MODIFIED or status < 200 or status == HTTPStatus.NO_CONTENT
        body = b"" if no_body else f"{status.value} {status.phrase}\n".encode()
        if not no_body:
            extra["Content-Type"] = content_type_for("status.txt")
            extra["Content-Length"] = str(len(body))
        else:
            extra.pop("Content-Length", None)
        self._start_response(status, extra)
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Replace `http.server`'s HTML error page, used for malformed requests (400, 414, 431, 505).

        After a malformed request the stream can no longer be trusted, so the connection is closed; the
        body is plain text with a Content-Type from the shared table like every other response.
        """
        self._must_close = True
        if self.request_version == "HTTP/0.9" and len(self.requestline.split()) != 2:
            # `http.server` leaves the version at 0.9 when it cannot parse it, and would then send the
            # body without a status line; only a genuine two-word 0.9 request deserves that.
            self.request_version = "HTTP/1.0"
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        self.log_error("code %d, message %s", code, message or status.phrase)
        self._send_status(status)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per response: client, request line and status (the size is in the headers)."""
        self.log_message('"%s" %s', self.requestline, str(int(code)) if isinstance(code, int) else code)

    def log_message(self, format: str, *args: Any) -> None:
        """Route request and error lines to the server's `log` callable instead of stderr."""
        self.server.log(f"{self.client_address[0]} {format % args}")


# --------------------------------------------------------------------------------------------------------
# Public entry points


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, log: LogFunc = _no_log) -> PreviewServer:
    """Bind a preview server for the built site in `root`; call `serve_forever()` (or
    `serve_until_interrupted`) to run it.

    Port 0 asks the OS for a free port; read it back from `server.port` or `server.server_address`.
    `log` receives one line per request and per error; the default discards them so the CLI stays quiet
    unless it is verbose.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder; build the site first, then serve the folder with feed.xml")
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return PreviewServer(root.resolve(), host, port, log)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OperationError(
            f"cannot listen on {host or '*'} port {port}: {reason}; choose another --port or --host"
        ) from exc


def serve_until_interrupted(server: PreviewServer) -> None:
    """Serve until Ctrl-C, then release the port; the interrupt is the normal way to stop a preview."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def lan_ip() -> str | None:
    """This machine's IPv4 address on the LAN, or None if it has no route off the host.

    Connecting a UDP socket sends no packet; it only makes the OS choose the outgoing interface, whose
    address is the one other devices can reach. 10.255.255.255 is merely a routable-looking target.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    if address.startswith(("0.", "127.")):
        return None
    return address


def base_url_for(host: str, port: int) -> str:
    """The base URL a podcast app should use to reach a server bound to `host` and `port`.

    A wildcard bind (`0.0.0.0`, `::`) is not an address a phone can connect to, so the LAN address is
    shown instead (127.0.0.1 if there is none). IPv6 literals are bracketed, with a zone id's `%` encoded
    as `%25` (RFC 6874).
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host in _WILDCARD_HOSTS:
        host = lan_ip() or "127.0.0.1"
    if ":" in host:
        host = "[" + host.replace("%", "%25") + "]"
    return f"http://{host}:{port}/"
