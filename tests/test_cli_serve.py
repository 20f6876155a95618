"""`podpub serve`: a real preview server a podcast app could subscribe to."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import podcastparser
import pytest

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES


def test_serve_builds_for_its_own_address_and_answers_ranges(
    show_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_podpub(capsys, "-C", str(show_dir), "add", str(FIXTURES / "chapters.mp3")).code == 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "podpub", "-C", str(show_dir), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"subscribe to (http://127\.0\.0\.1:\d+/)feed\.xml", line)
        assert match, line + proc.stderr.read() if proc.poll() is not None else line
        base = match.group(1)
        with urllib.request.urlopen(base + "feed.xml", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
            feed = podcastparser.parse(base + "feed.xml", response)
        (episode,) = feed["episodes"]
        url = episode["enclosures"][0]["url"]
        assert url.startswith(base + "media/")
        request = urllib.request.Request(url, headers={"Range": "bytes=0-1"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 206
            assert response.headers["Content-Type"] == "audio/mpeg"
            assert response.headers["Content-Range"] == f"bytes 0-1/{(FIXTURES / 'chapters.mp3').stat().st_size}"
            assert response.read() == (FIXTURES / "chapters.mp3").read_bytes()[:2]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # the preview did not touch the real build or the published base_url
    assert not (show_dir / "public").exists()
