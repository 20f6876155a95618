"""Time bounds of the fetches other people's servers control: a feed that trickles in a byte at a time
(each byte before the socket timeout) must not hold an import or a validation forever."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from podpub.importer import fetch
from tests.cli_helpers import run_podpub


@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that announces a 1 MB feed and sends it one byte every 50 ms (about 14 hours in all)."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            body = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * (1 << 20)
            for byte in body[: 1 << 20]:
                if stop.is_set():
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def test_import_gives_up_on_a_feed_that_trickles_in(
    trickle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "FETCH_DEADLINE", 1.0)  # 300 s in use; the rule is the same
    started = time.monotonic()
    result = run_podpub(capsys, "import", trickle, str(tmp_path / "show"))
    assert time.monotonic() - started < 10
    assert result.code == 1 and "still arriving after 1 s" in result.err, result.err
    assert not (tmp_path / "show" / "podcast.toml").exists()


def test_validate_gives_up_on_a_feed_that_trickles_in(trickle: str, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    result = run_podpub(capsys, "validate", trickle, "--timeout", "0.5")
    assert time.monotonic() - started < 10
    assert result.code == 2 and result.err.count("\n") == 1, result.err
