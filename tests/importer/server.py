"""A local HTTP server for import tests: feeds and media on 127.0.0.1, with the behaviours of real hosts.

Each path is a `Route`: bytes with a type, or a redirect, plus what can go wrong (a 404, a connection
dropped mid-body, gzip, no Content-Length, no Range support). Range and If-Range are honoured like a
CDN does, and every request is recorded so tests can check what podpub asked for.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/octet-stream"
    status: int = 200
    location: str | None = None  # for redirects
    etag: str | None = None
    gzip: bool = False  # compress when the client accepts gzip
    gzip_always: bool = False  # compress even when it did not (a misconfigured server)
    drop_after: int | None = None  # send this many body bytes, then close the connection ...
    drop_times: int = 0  # ... on this many requests
    chunked_length: bool = True  # send Content-Length
    ranges: bool = True
    extra_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


class FeedServer:
    """`with FeedServer() as server: server.add("/feed.xml", Route(...)); server.url("/feed.xml")`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def requests_for(self, path: str, method: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> Any:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(Request(self.command, self.path, dict(self.headers.items())))
                    route = server.routes.get(path)
                    drop = False
                    if route is not None and route.drop_times > 0 and not head:
                        route.drop_times -= 1
                        drop = True
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.location is not None:
                    self.send_response(route.status)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return
                if route.status != 200:
                    self._send(route.status, b"error page", "text/html")
                    return
                body = route.body
                accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
                encoding = None
                if route.gzip_always or (route.gzip and accepts_gzip):
                    body = gzip.compress(body, mtime=0)
                    encoding = "gzip"
                status, start = 200, 0
                wanted = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                headers = {"Content-Type": route.content_type, **route.extra_headers}
                if route.etag:
                    headers["ETag"] = route.etag
                if route.ranges and encoding is None:
                    headers["Accept-Ranges"] = "bytes"
                    if wanted and wanted.startswith("bytes=") and (if_range is None or if_range == route.etag):
                        first, _, last = wanted[6:].partition("-")
                        start = int(first)
                        end = int(last) if last else len(body) - 1
                        if start >= len(body):
                            self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{len(body)}"})
                            return
                        status = 206
                        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                        body = body[start : end + 1]
                if encoding:
                    headers["Content-Encoding"] = encoding
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if route.chunked_length:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if head:
                    return
                if drop and route.drop_after is not None:
                    self.wfile.write(body[: route.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)
                self.close_connection = True

            def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                self.close_connection = True

        return Handler
