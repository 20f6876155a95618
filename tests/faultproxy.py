"""A fault-injecting S3 proxy: the failures real stores and networks produce, at the exact request a test names.

`FaultProxy` is the `CountingProxy` of tests/s3server.py (byte-exact forwarding, every request recorded)
plus rules. Each rule matches requests by a predicate and fires on the first N of them (or all):

- `respond(503, "SlowDown")`: answer with an S3 XML error instead of forwarding (throttling, a 500);
- `reset_connection()`: close the connection with a TCP RST before forwarding anything;
- `stall()`: accept the request and never answer (the client's read timeout fires);
- `cut_request(n)`: forward nothing, take n bytes of the request body, then RST (a link lost mid-upload);
- `cut_response(n)`: forward the request (the store acts on it), then RST after n bytes of its answer
  (the store did the work, the client never learnt it: it retries);

Faulted requests are recorded with the status the client saw (None for a cut) and listed in
`injected`, so a test can assert how many faults fired and how many retries followed.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import escape

from tests.s3server import CountingProxy, ProxyRecord, _Cut, _parse_head

Match = Callable[[ProxyRecord], bool]


def anything(record: ProxyRecord) -> bool:
    return True


def key_endswith(suffix: str, method: str | None = None) -> Match:
    """Requests for an object whose key ends with `suffix` (e.g. "feed.xml"), optionally one method only."""
    return lambda r: r.path.endswith(suffix) and (method is None or r.method == method)


def key_contains(part: str, method: str | None = None) -> Match:
    return lambda r: part in r.path and (method is None or r.method == method)


def upload_part(number: int | None = None) -> Match:
    """UploadPart requests (all, or the part with this number)."""

    def match(record: ProxyRecord) -> bool:
        params = dict(p.partition("=")[::2] for p in record.query.split("&") if p)
        wanted = number is None or params.get("partNumber") == str(number)
        return record.method == "PUT" and "uploadId" in params and "partNumber" in params and wanted

    return match


def writes(record: ProxyRecord) -> bool:
    return record.method in ("PUT", "POST")


@dataclass
class Rule:
    action: str
    match: Match
    times: int | None  # None: every matching request
    status: int = 503
    code: str = "SlowDown"
    message: str = "Please reduce your request rate."
    nbytes: int = 0
    fired: int = 0

    def take(self, record: ProxyRecord) -> bool:
        """True (and counted) when this rule fires for `record`."""
        if (self.times is not None and self.fired >= self.times) or not self.match(record):
            return False
        self.fired += 1
        return True


@dataclass
class Injection:
    action: str
    record: ProxyRecord


@dataclass
class _Held:
    release: threading.Event = field(default_factory=threading.Event)


class FaultProxy(CountingProxy):
    """A CountingProxy with fault rules; see the module docstring."""

    def __init__(self, upstream_url: str, *, timeout: float = 60.0, expect_wait: float = 1.0) -> None:
        super().__init__(upstream_url, timeout=timeout, expect_wait=expect_wait)
        self._rules: list[Rule] = []
        self._rules_lock = threading.Lock()
        self.injected: list[Injection] = []
        self._stall = _Held()

    # -- rules ----------------------------------------------------------------------------------------
    def _add(self, rule: Rule) -> Rule:
        with self._rules_lock:
            self._rules.append(rule)
        return rule

    def respond(
        self, status: int = 503, code: str = "SlowDown", *, match: Match = anything, times: int | None = 1,
        message: str = "Please reduce your request rate.",
    ) -> Rule:  # fmt: skip
        """Answer matching requests with an S3 error (503 SlowDown, 500 InternalError ...) instead of forwarding."""
        return self._add(Rule("respond", match, times, status=status, code=code, message=message))

    def reset_connection(self, *, match: Match = anything, times: int | None = 1) -> Rule:
        """Close matching requests' connections with a TCP RST before forwarding them. (Not `reset`:
        CountingProxy.reset forgets the recorded requests.)"""
        return self._add(Rule("reset", match, times))

    def stall(self, *, match: Match = anything, times: int | None = 1) -> Rule:
        return self._add(Rule("stall", match, times))

    def cut_request(self, nbytes: int, *, match: Match = anything, times: int | None = 1) -> Rule:
        return self._add(Rule("cut_request", match, times, nbytes=nbytes))

    def cut_response(self, nbytes: int = 0, *, match: Match = anything, times: int | None = 1) -> Rule:
        return self._add(Rule("cut_response", match, times, nbytes=nbytes))

    def clear(self) -> None:
        """Drop every rule and let stalled requests go (their connections close)."""
        with self._rules_lock:
            self._rules.clear()
        self._stall.release.set()
        self._stall = _Held()

    def count_injected(self, action: str | None = None) -> int:
        return sum(1 for i in self.injected if action is None or i.action == action)

    def _pick(self, record: ProxyRecord) -> Rule | None:
        with self._rules_lock:
            for rule in self._rules:
                if rule.take(record):
                    self.injected.append(Injection(rule.action, record))
                    return rule
        return None

    # -- forwarding -----------------------------------------------------------------------------------
    def _exchange(
        self,
        client: socket.socket,
        client_in: IO[bytes],
        upstream: socket.socket,
        upstream_in: IO[bytes],
        head: bytes,
        headers: dict[str, str],
        method: str,
        note: Callable[[int | None], None],
    ) -> bool:
        start_line, _ = _parse_head(head)
        target = start_line.split(" ")[1] if " " in start_line else "/"
        path, _, query = target.partition("?")
        rule = self._pick(ProxyRecord(method.upper(), path, query, None))
        if rule is None:
            return super()._exchange(client, client_in, upstream, upstream_in, head, headers, method, note)
        if rule.action == "respond":
            self._drain_body(client, client_in, headers)
            note(rule.status)
            self._send_error(client, method, path, rule)
            return False
        if rule.action == "reset":
            _reset(client)
            raise _Cut("fault: reset")
        if rule.action == "stall":
            held = self._stall
            while not held.release.is_set():
                readable, _, _ = select.select([client], [], [], 0.05)
                if readable and not client.recv(65536, socket.MSG_PEEK):
                    break  # the client gave up (its read timeout) and closed
                if readable:
                    client.recv(65536)  # a body sent after the 100-continue wait: read and ignore it
            raise _Cut("fault: stalled")
        if rule.action == "cut_request":
            if headers.get("expect", "").lower() == "100-continue":
                client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            remaining = rule.nbytes
            while remaining > 0:
                data = client_in.read1(min(remaining, 65536))
                if not data:
                    break
                remaining -= len(data)
            _reset(client)
            raise _Cut("fault: request cut")
        if rule.action == "cut_response":
            # Forward the request completely so the store acts on it, then lose its answer.
            capture = _Capture(client)
            with contextlib.suppress(_Cut):
                super()._exchange(capture, client_in, upstream, upstream_in, head, headers, method, note)  # type: ignore[arg-type]
            body_start = capture.data.find(b"\r\n\r\n") + 4 if b"\r\n\r\n" in capture.data else len(capture.data)
            interim = capture.data[: body_start + rule.nbytes] if rule.nbytes else b""
            with contextlib.suppress(OSError):
                client.sendall(interim)
            _reset(client)
            raise _Cut("fault: response cut")
        raise AssertionError(f"unknown fault action {rule.action}")

    def _drain_body(self, client: socket.socket, client_in: IO[bytes], headers: dict[str, str]) -> None:
        """Read (and drop) a request body, so the error answer is read by a client that is not blocked
        sending. A client waiting for 100-continue sends no body: it gets the final answer at once."""
        if headers.get("expect", "").lower() == "100-continue":
            return
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._copy_chunked(client_in, _Sink(), count=False)  # type: ignore[arg-type]
            return
        remaining = int(headers.get("content-length", "0") or 0)
        while remaining > 0:
            data = client_in.read1(min(remaining, 65536))
            if not data:
                raise _Cut("client closed inside a body")
            remaining -= len(data)

    def _send_error(self, client: socket.socket, method: str, path: str, rule: Rule) -> None:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(rule.code)}</Code><Message>{escape(rule.message)}</Message>"
            f"<Resource>{escape(path)}</Resource><RequestId>podpub-fault-{rule.fired}</RequestId></Error>"
        ).encode()
        reason = {500: "Internal Server Error", 503: "Slow Down"}.get(rule.status, "Error")
        head = (
            f"HTTP/1.1 {rule.status} {reason}\r\nContent-Type: application/xml\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        client.sendall(head if method.upper() == "HEAD" else head + body)


class _Capture:
    """Stands in for the client socket while the final response is captured instead of relayed; an
    interim `100 Continue` still reaches the client, which waits for it before sending the body."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.data = b""

    def sendall(self, data: bytes) -> None:
        if not self.data and data.startswith(b"HTTP/1.1 100"):
            self.client.sendall(data)
        else:
            self.data += data


class _Sink:
    def sendall(self, data: bytes) -> None:
        pass


def _reset(sock: socket.socket) -> None:
    """Make the coming close send a TCP RST (what a crashed peer or a middlebox dropping state does)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


