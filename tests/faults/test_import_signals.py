"""Ctrl-C and SIGTERM while `podpub import` downloads: prompt exit, nothing half-written in the show,
and the next import resumes the download where it stopped (a Range request, not the whole file again)."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from podpub.importer.run import PARTIAL_DIR
from tests.cli_helpers import Result
from tests.conftest import big_mp3
from tests.faults import proc
from tests.faults.conftest import assert_one_clear_error, temp_files
from tests.importer.server import FeedServer, Route
from tests.importer.test_hostile import item, rss

HELD_AFTER = 256 * 1024  # bytes of the audio sent before the server stops sending


class _HoldingWriter:
    """The handler's output stream: the head goes out, then HELD_AFTER bytes of the body, then nothing
    until the test releases it (or the client hangs up), like a host that stalls mid-download."""

    def __init__(self, wfile: Any, server: HoldingServer) -> None:
        self._wfile = wfile
        self._server = server
        self._head_sent = False

    def write(self, data: bytes) -> int:
        if not self._head_sent:
            self._head_sent = True
            return self._wfile.write(data)
        self._wfile.write(data[:HELD_AFTER])
        self._wfile.flush()
        self._server.held.set()
        self._server.release.wait(60)
        with contextlib.suppress(OSError):  # the client is gone, as it should be
            self._wfile.write(data[HELD_AFTER:])
        return len(data)

    def flush(self) -> None:
        with contextlib.suppress(OSError):
            self._wfile.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wfile, name)


class HoldingServer(FeedServer):
    """FeedServer whose first full GET of `held_path` stalls after HELD_AFTER bytes of the body."""

    def __init__(self, held_path: str) -> None:
        self.held_path = held_path
        self.held = threading.Event()
        self.release = threading.Event()
        super().__init__()

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] == server.held_path and not server.held.is_set():
                    self.wfile = _HoldingWriter(self.wfile, server)
                super().do_GET()

        return Handler


@pytest.mark.parametrize(
    ("sig", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")]
)
def test_signal_during_an_import_download(tmp_path: Path, sig: int, code: int, word: str) -> None:
    audio = big_mp3(tmp_path / "long.mp3", 2).read_bytes()
    show = tmp_path / "show"
    with HoldingServer("/long.mp3") as server:
        server.add("/long.mp3", Route(audio, "audio/mpeg", etag='"v1"'))
        feed = server.add("/feed.xml", Route(rss(item("ep-1", server.url("/long.mp3"), length=len(audio))),
                                             "application/rss+xml"))  # fmt: skip
        child = proc.spawn("import", feed, str(show), "--base-url", "https://cdn.example.org/show/")
        try:
            proc.wait_until(server.held.is_set, child, what="the download starting")
            partial = show / PARTIAL_DIR
            proc.wait_until(lambda: any(p.stat().st_size == HELD_AFTER for p in partial.glob("*.part")), child,
                            what="the first bytes on disk")  # fmt: skip
            child.send_signal(sig)
            # The server still holds the connection: podpub must not wait for its 30 s read timeout.
            out, err = child.communicate(timeout=15)
        finally:
            server.release.set()
            proc.kill_and_reap(child)
        assert child.returncode == code, err
        assert_one_clear_error(Result(child.returncode, out, err), word)
        assert list((show / "media").iterdir()) == []  # nothing passed off as a complete download
        assert list((show / "episodes").iterdir()) == []
        assert temp_files(show) == []
        assert [p.stat().st_size for p in partial.glob("*.part")] == [HELD_AFTER]  # kept, to be resumed

        again = proc.run("-C", str(show), "import", feed)
        assert again.returncode == 0, again.stderr
        gets = server.requests_for("/long.mp3", "GET")
        assert gets[-1].headers.get("Range") == f"bytes={HELD_AFTER}-"  # resumed, not downloaded again
    media = list((show / "media").iterdir())
    assert len(media) == 1 and media[0].read_bytes() == audio
    assert len(list((show / "episodes").iterdir())) == 1
    assert list(partial.glob("*")) == []
    assert temp_files(show) == []
