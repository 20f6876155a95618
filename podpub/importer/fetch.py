"""HTTP(S) for `podpub import`: redirects followed with a limit, bodies size-capped, gzip decoded.

Only `http` and `https` are ever fetched (a redirect to `file:` or `ftp:` is refused), every read is
capped (a feed or a gzip bomb cannot fill the memory, an enclosure cannot fill the disk), redirect
loops are detected, and a proxy from the environment is never used, so nothing is sent anywhere but
to the host the feed names. Built on `http.client` so each of these rules is visible here.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from podpub import __version__, netguard
from podpub.errors import InputError, OperationError
from podpub.inputfiles import open_regular

USER_AGENT = f"podpub/{__version__} (podcast import)"
MAX_FEED_BYTES = 64 << 20  # the biggest real feeds (10,000+ items with full notes) are ~30 MB
MAX_SMALL_BYTES = 20 << 20  # artwork, transcripts, chapters
MAX_REDIRECTS = 5
TIMEOUT = 30.0  # seconds without a byte before a connection is given up
#: Seconds a feed or a small file may take in all: a server that sends a byte just before each TIMEOUT
#: would otherwise hold an import (and a CI job) for days. Media downloads resume instead.
FETCH_DEADLINE = 300.0
REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 1 << 16


class FetchError(OperationError):
    """A download that failed: refused, lost, too big or not what was announced. Exit code 1."""


def check_http_url(url: str, label: str) -> str:
    """`url` when it is an absolute http(s) URL, else an InputError naming `label`."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{label}: {url!r} is not an http:// or https:// URL; podpub downloads only over HTTP(S)")
    return url.strip()


def _request_target(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path?query) with spaces and non-ASCII characters percent-encoded, as real
    feeds write them but HTTP cannot send them."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return parts.scheme.lower(), host, parts.port, path + (f"?{query}" if query else "")


@dataclass
class Response:
    """An open HTTP response after redirects; read it with `iter_body` or `read_capped`."""

    url: str  # the final URL
    status: int
    reason: str
    headers: http.client.HTTPMessage
    raw: http.client.HTTPResponse
    conn: http.client.HTTPConnection
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) in order

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.strip() if value else None

    @property
    def length(self) -> int | None:
        """Content-Length, or None when absent, invalid or meaningless (compressed bodies)."""
        value = self.header("Content-Length")
        if value is None or not value.isdigit():
            return None
        return int(value)

    @property
    def permanent_redirect(self) -> str | None:
        """The last URL a 301/308 pointed to, when the chain had one: the source has moved."""
        moved = [url for status, url in self.redirects if status in (301, 308)]
        return moved[-1] if moved else None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()
        with contextlib.suppress(Exception):
            self.conn.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_url(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    label: str | None = None,
) -> Response:
    """Send one request, following up to `max_redirects` redirects over http(s) only.

    Raises FetchError for connection failures, redirect loops and too many redirects; any final
    status (200, 206, 404 ...) is returned for the caller to judge.
    """
    label = label or url
    current = check_http_url(url, label)
    seen = {current}
    chain: list[tuple[int, str]] = []
    for _ in range(max_redirects + 1):
        scheme, host, port, target = _request_target(current)
        conn: http.client.HTTPConnection
        if scheme == "https":  # netguard's connections: private addresses refused when asked (each hop)
            conn = netguard.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = netguard.HTTPConnection(host, port, timeout=timeout)
        sent = {"User-Agent": USER_AGENT, "Accept": "*/*", **(headers or {})}
        try:
            conn.request(method, target, headers=sent)
            raw = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise FetchError(f"{label}: cannot fetch {current} ({describe_error(exc)})") from None
        if raw.status in REDIRECTS:
            location = raw.getheader("Location")
            with contextlib.suppress(Exception):
                raw.read1(_CHUNK)
            conn.close()
            if not location:
                raise FetchError(f"{label}: {current} answered {raw.status} without a Location to go to")
            following = urljoin(current, location.strip())
            scheme_ok = urlsplit(following).scheme.lower() in ("http", "https")
            if not scheme_ok:
                raise FetchError(f"{label}: {current} redirects to {following!r}; podpub follows only http(s)")
            if following in seen:
                hops = " -> ".join([url, *(u for _, u in chain), following])
                raise FetchError(f"{label}: redirect loop ({hops}); fix the redirect on the server")
            seen.add(following)
            chain.append((raw.status, following))
            current = following
            if raw.status == 303:
                method = "GET"
            continue
        return Response(current, raw.status, raw.reason, raw.headers, raw, conn, chain)
    raise FetchError(f"{label}: more than {max_redirects} redirects from {url}; fix the redirect on the server")


def describe_error(exc: BaseException) -> str:
    """A short reason for a network error, without a traceback's noise."""
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed early"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__ if not str(exc) else str(exc)


def iter_body(response: Response, *, label: str) -> Iterator[bytes]:
    """The raw body in chunks; a dropped connection raises FetchError."""
    while True:
        try:
            chunk = response.raw.read1(_CHUNK)  # what has arrived: read() would wait for 64 KiB, however slow
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"{label}: the download stopped ({describe_error(exc)})") from None
        if not chunk:
            return
        yield chunk


def gunzip_capped(data: bytes, cap: int, label: str) -> bytes:
    """Decompress gzip or zlib data, refusing output over `cap` bytes (a gzip bomb stops there)."""
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    try:
        out = decoder.decompress(data, cap + 1)
    except zlib.error as exc:
        raise FetchError(f"{label}: the compressed data is corrupt ({exc})") from None
    if len(out) > cap or decoder.unconsumed_tail:
        raise FetchError(f"{label}: more than {cap >> 20} MiB once decompressed; refusing it")
    return out


def read_capped(response: Response, cap: int, label: str, deadline: float | None = None) -> bytes:
    """The whole body, decoded from gzip/deflate when the server compressed it, at most `cap` bytes,
    by `deadline` (a `time.monotonic()` value) when one is given."""
    if response.length is not None and response.length > cap and not response.header("Content-Encoding"):
        raise FetchError(f"{label}: {response.length} bytes, over the {cap >> 20} MiB limit; refusing it")
    parts: list[bytes] = []
    size = 0
    for chunk in iter_body(response, label=label):
        size += len(chunk)
        if size > cap:
            raise FetchError(f"{label}: more than {cap >> 20} MiB; refusing it")
        if deadline is not None and time.monotonic() > deadline:
            raise FetchError(f"{label}: still arriving after {FETCH_DEADLINE:g} s ({size} bytes); try again later")
        parts.append(chunk)
    body = b"".join(parts)
    if response.length is not None and size < response.length:
        raise FetchError(f"{label}: the connection closed after {size} of {response.length} bytes; try again")
    encoding = (response.header("Content-Encoding") or "").lower()
    if encoding in ("gzip", "x-gzip", "deflate") or body[:2] == b"\x1f\x8b":
        body = gunzip_capped(body, cap, label)
    return body


@dataclass(frozen=True)
class Fetched:
    """A document read from a URL or a file."""

    data: bytes
    url: str | None  # the final URL (after redirects); None for a local file
    charset: str | None = None  # from the Content-Type header
    moved_to: str | None = None  # where a permanent redirect pointed
    redirects: tuple[tuple[int, str], ...] = ()


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def fetch(url: str, *, cap: int, label: str, accept: str = "*/*") -> Fetched:
    """GET `url` whole (gzip accepted): for the feed and the small files episodes link."""
    headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
    deadline = time.monotonic() + FETCH_DEADLINE
    with open_url(url, headers=headers, label=label) as response:
        if response.status != 200:
            raise FetchError(f"{label}: {response.url} answered HTTP {response.status} {response.reason}".rstrip())
        data = read_capped(response, cap, label, deadline)
        return Fetched(
            data, response.url, _charset(response.header("Content-Type")), response.permanent_redirect,
            tuple(response.redirects),
        )  # fmt: skip


def read_source(source: str, *, cap: int = MAX_FEED_BYTES) -> Fetched:
    """The feed named by SOURCE: an http(s) URL, a `file://` URL or a path (gzip files too)."""
    parts = urlsplit(source)
    if parts.scheme.lower() in ("http", "https"):
        return fetch(source, cap=cap, label=source, accept="application/rss+xml, application/atom+xml, */*")
    if parts.scheme.lower() == "file":
        path = Path(parts.path)
    elif parts.scheme and len(parts.scheme) > 1:
        raise InputError(f"{source}: only http(s) URLs and files can be imported")
    else:
        path = Path(source)
    try:
        with open_regular(path) as handle:  # not a pipe or a device: those would block or never end
            data = handle.read(cap + 1)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file; give a feed URL (https://...) or the path of a saved feed") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a folder; give the feed file inside it") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read it ({exc.strerror})") from None
    if len(data) > cap:
        raise InputError(f"{source}: more than {cap >> 20} MiB; that is not a podcast feed")
    if data[:2] == b"\x1f\x8b":
        data = gunzip_capped(data, cap, source)
    return Fetched(data, None)
