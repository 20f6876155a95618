"""Media downloads that resume, verify their size and never pass a partial file off as complete.

Each enclosure is written to `<key><ext>.part` in the import's own folder (`.podpub/import/partial/`,
on the show's file system), beside a small JSON note of the URL and the validators the server gave
(ETag, Last-Modified). An interrupted download resumes with `Range` + `If-Range`, so a file changed
on the server restarts from zero instead of being glued onto old bytes. A download is complete only
when the bytes received match what HTTP announced (Content-Length or Content-Range); only then does
the caller probe it and move it, by rename, into `media/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podpub.fsutil import is_disk_full
from podpub.importer.fetch import FetchError, Response, describe_error, iter_body, open_url

MAX_MEDIA_BYTES = 4 << 30  # 4 GiB: a long video episode; anything bigger is not an episode
_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$", re.I)
_UNSATISFIED_RANGE = re.compile(r"^bytes\s+\*/(\d+)$", re.I)

Callback = Callable[[str, int], None]


@dataclass(frozen=True)
class DownloadJob:
    key: str  # stable name of the partial file (a hash of the GUID and URL)
    url: str
    label: str  # how messages name the episode
    suffix: str  # the extension the URL suggests (.mp3), so the partial file is probed as what it is


@dataclass(frozen=True)
class Downloaded:
    path: Path  # the complete file, still in the partial folder
    size: int
    http_length: int | None  # what the server announced for the whole file (None: it did not say)
    resumed_from: int  # bytes already there from an earlier run


def _socket_of(response: Response) -> socket.socket | None:
    """The socket a response reads from. http.client hands it from the connection to the response when
    the server closes after the body (Connection: close), so look in both places."""
    sock = getattr(response.conn, "sock", None)
    if sock is None:
        reader = getattr(getattr(response.raw, "fp", None), "raw", None)  # BufferedReader -> SocketIO
        sock = getattr(reader, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class Downloader:
    """Downloads into `folder`; `on_bytes(key, n)` reports progress from the worker threads."""

    def __init__(self, folder: Path, *, max_bytes: int = MAX_MEDIA_BYTES, on_bytes: Callback | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.on_bytes = on_bytes or (lambda key, count: None)
        self.cancelled = threading.Event()  # set on Ctrl-C: downloads in flight stop at their next chunk
        self._open: dict[int, Response] = {}  # by id(): a Response (a dataclass) is not hashable
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Stop every download now (Ctrl-C, SIGTERM): set the flag the chunk loop checks, and shut the
        sockets of downloads waiting for bytes, so a stalled server cannot hold podpub for the whole
        read timeout. Their partial files stay, to be resumed."""
        self.cancelled.set()
        with self._lock:
            responses = list(self._open.values())
        for response in responses:
            sock = _socket_of(response)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def part_path(self, job: DownloadJob) -> Path:
        return self.folder / f"{job.key}{job.suffix}.part"

    def _meta_path(self, job: DownloadJob) -> Path:
        return self.folder / f"{job.key}.json"

    def discard(self, job: DownloadJob) -> None:
        """Remove the partial file and its note (a complete file that turned out unusable)."""
        for path in (self.part_path(job), self._meta_path(job)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def download(self, job: DownloadJob) -> Downloaded:
        """The complete file for `job`, resuming what an earlier run left; FetchError on failure."""
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.part_path(job)
        meta = self._read_meta(job)
        have = part.stat().st_size if part.is_file() and meta.get("url") == job.url else 0
        if have == 0:
            self.discard(job)
        headers = {"Accept-Encoding": "identity"}
        validator = meta.get("etag") if not str(meta.get("etag", "")).startswith("W/") else None
        validator = validator or meta.get("last_modified")
        if have and validator:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = str(validator)
        elif have:
            have = 0  # nothing to prove the server's file is the one we have half of: start again
        with open_url(job.url, headers=headers, label=job.label) as response:
            with self._lock:
                self._open[id(response)] = response
            try:
                if self.cancelled.is_set():
                    raise FetchError(f"{job.label}: interrupted")
                return self._receive(job, response, have)
            finally:
                with self._lock:
                    self._open.pop(id(response), None)

    def _receive(self, job: DownloadJob, response: Response, have: int) -> Downloaded:
        part = self.part_path(job)
        status = response.status
        if status == 416 and have:
            match = _UNSATISFIED_RANGE.match(response.header("Content-Range") or "")
            if match and int(match.group(1)) == have:  # an earlier run got every byte
                return Downloaded(part, have, have, have)
            self.discard(job)
            raise FetchError(f"{job.label}: the server's file changed since the last run; run import again")
        if status not in (200, 206):
            if status in (404, 410):
                self.discard(job)
            raise FetchError(f"{job.label}: {response.url} answered HTTP {status} {response.reason}".rstrip())
        start = 0
        total = response.length
        if status == 206:
            match = _CONTENT_RANGE.match(response.header("Content-Range") or "")
            if not match or int(match.group(1)) != have:
                self.discard(job)
                raise FetchError(f"{job.label}: the server resumed at the wrong place; run import again")
            start = have
            total = None if match.group(3) == "*" else int(match.group(3))
        encoding = (response.header("Content-Encoding") or "identity").lower()
        compressed = encoding not in ("identity", "none", "")
        if compressed:
            if encoding not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"{job.label}: the server sent the file {encoding}-encoded; podpub cannot read it")
            total = None  # Content-Length counts compressed bytes
        if total is not None and total > self.max_bytes:
            raise FetchError(
                f"{job.label}: {response.url} is {total} bytes, over the {self.max_bytes >> 20} MiB limit; refused"
            )
        self._write_meta(job, response)
        received = self._stream(job, response, part, start, compressed)
        if total is not None and received != total:
            raise FetchError(
                f"{job.label}: the connection closed after {received} of {total} bytes; "
                "run import again to resume the download"
            )
        return Downloaded(part, received, total, start)

    def _stream(self, job: DownloadJob, response: Response, part: Path, start: int, compressed: bool) -> int:
        """Append the body to `part` from `start`; the file's size after it."""
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32) if compressed else None
        size = start
        with part.open("r+b" if start else "wb") as handle:
            handle.seek(start)
            handle.truncate()
            try:
                for chunk in iter_body(response, label=job.label):
                    if self.cancelled.is_set():
                        raise FetchError(f"{job.label}: interrupted")
                    self.on_bytes(job.key, len(chunk))
                    data = decoder.decompress(chunk) if decoder else chunk
                    size += len(data)
                    if size > self.max_bytes:
                        handle.close()
                        self.discard(job)
                        raise FetchError(f"{job.label}: more than {self.max_bytes >> 20} MiB; refused")
                    handle.write(data)
                if decoder:
                    tail = decoder.flush()
                    size += len(tail)
                    handle.write(tail)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before it can be renamed into media/
            except zlib.error as exc:
                handle.close()
                self.discard(job)
                raise FetchError(f"{job.label}: the compressed download is corrupt ({exc})") from None
            except FetchError as exc:
                if decoder:  # a compressed stream cannot be resumed where it stopped
                    handle.close()
                    self.discard(job)
                raise FetchError(f"{exc.message}; run import again to resume") from None
            except OSError as exc:
                advice = "; free some space and run import again to resume" if is_disk_full(exc) else ""
                raise FetchError(f"{job.label}: cannot write {part.name} ({describe_error(exc)}){advice}") from None
        return size

    def _read_meta(self, job: DownloadJob) -> dict[str, object]:
        try:
            data = json.loads(self._meta_path(job).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_meta(self, job: DownloadJob, response: Response) -> None:
        meta = {"url": job.url, "etag": response.header("ETag"), "last_modified": response.header("Last-Modified")}
        self._meta_path(job).write_text(json.dumps(meta), encoding="utf-8")
