"""HTTP the way podcast apps do it, with every limit explicit: urllib, redirects followed by hand (so each
hop is seen, loops are caught and only http(s) is ever requested), a timeout on every socket operation
plus a deadline for the whole exchange, and a cap on the bytes read."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from email.message import Message
from typing import IO
from urllib.parse import urljoin, urlsplit

from podpub import __version__, netguard

MAX_REDIRECTS = 5
USER_AGENT = f"podpub/{__version__} (feed validator)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that got no usable answer. `kind`: timeout, unreachable, redirect-loop, scheme, too-large,
    truncated."""

    def __init__(self, kind: str, detail: str, *, target: str | None = None, chain: list[str] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.target = target
        self.chain = chain or []


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: Message
    body: bytes = b""
    complete: bool = True  # False when the body was cut at `limit`
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) per hop
    downgraded: str | None = None  # the first http:// URL an https:// URL redirected to

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class _GuardedHTTP(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(netguard.HTTPConnection, req)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(netguard.HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


# Connections go through netguard, which refuses private addresses under --no-private-addresses; then no
# proxy from the environment is used either, since the address a proxy reaches cannot be checked here.
_OPENER = urllib.request.build_opener(_NoRedirect, _GuardedHTTP, _GuardedHTTPS)
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect, _GuardedHTTP, _GuardedHTTPS)


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError("scheme", f"not an http(s) URL: {url}", target=url)


def request(
    url: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    limit: int = 0,
    limit_is_error: bool = False,
) -> Response:
    """One request, following up to MAX_REDIRECTS redirects.

    Reads at most `limit` bytes of the body (0: none); beyond it the body is cut (`complete=False`) or,
    with `limit_is_error`, FetchError("too-large"). Any HTTP status is a Response; no answer is a FetchError.
    """
    _check_scheme(url)
    deadline = time.monotonic() + timeout * 3
    seen = [url]
    redirects: list[tuple[int, str]] = []
    downgraded = None
    current = url
    while True:
        sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
        req = urllib.request.Request(current, method=method, headers=sent)
        try:
            raw = (_DIRECT if netguard.refusing() else _OPENER).open(req, timeout=timeout)
        except urllib.error.HTTPError as exc:
            raw = exc
        except TimeoutError:
            raise FetchError("timeout", "no answer in time", chain=seen) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise FetchError("timeout", "no answer in time", chain=seen) from None
            raise FetchError("unreachable", _reason(reason), chain=seen) from None
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise FetchError("unreachable", _reason(exc), chain=seen) from None
        with raw:
            status = raw.status if raw.status is not None else raw.code
            if status in (301, 302, 303, 307, 308) and raw.headers.get("Location"):
                location = urljoin(current, raw.headers["Location"].strip())
                redirects.append((status, location))
                if urlsplit(location).scheme.lower() not in ("http", "https"):
                    raise FetchError("scheme", f"redirects to {location}", target=location, chain=seen)
                if location in seen or len(redirects) > MAX_REDIRECTS:
                    loop = "a redirect loop" if location in seen else f"more than {MAX_REDIRECTS} redirects"
                    raise FetchError("redirect-loop", f"{loop} ({' -> '.join([*seen, location])})", chain=seen)
                if downgraded is None and current.lower().startswith("https:") and location.lower().startswith("http:"):
                    downgraded = location
                seen.append(location)
                current = location
                if status == 303:
                    method = "GET" if method != "HEAD" else "HEAD"
                if time.monotonic() > deadline:
                    raise FetchError("timeout", "no answer in time", chain=seen)
                continue
            body, complete = b"", True
            if method != "HEAD" and limit:
                body, complete = _read(raw, raw.headers, limit, deadline, limit_is_error)
            return Response(current, status, raw.headers, body, complete, redirects, downgraded)


def _read(raw: IO[bytes], headers: Message, limit: int, deadline: float, limit_is_error: bool) -> tuple[bytes, bool]:
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS) if encoding in (
        "gzip", "deflate") else None  # fmt: skip
    declared = (headers.get("Content-Length") or "").strip()
    expected = int(declared) if declared.isdigit() else None
    parts: list[bytes] = []
    size = received = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError("timeout", "the body did not arrive in time")
            # read1: what has arrived (up to CHUNK), so the deadline is checked while a server trickles;
            # read(CHUNK) waits for all 64 KiB, a byte at a time, each within the socket timeout
            chunk = raw.read1(CHUNK) if hasattr(raw, "read1") else raw.read(CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if inflate is not None:
                chunk = inflate.decompress(chunk, limit + 1 - size)
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                if limit_is_error:
                    raise FetchError("too-large", f"larger than {limit // (1024 * 1024)} MB")
                return b"".join(parts)[:limit], False
    except http.client.IncompleteRead:
        raise FetchError("truncated", f"the connection closed after {received} bytes, before the end") from None
    except TimeoutError:
        raise FetchError("timeout", "the body did not arrive in time") from None
    except zlib.error:
        raise FetchError("unreachable", f"the {encoding} body is corrupt") from None
    except (http.client.HTTPException, OSError) as exc:
        raise FetchError("unreachable", _reason(exc)) from None
    if expected is not None and received < expected:
        raise FetchError("truncated", f"the connection closed after {received} of {expected} bytes")
    return b"".join(parts), True


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    text = getattr(reason, "strerror", None) or str(reason)
    return text or type(reason).__name__
