"""Fixtures for `podpub import` tests: a local HTTP server and feeds that look like real hosts' exports.

Feed templates in `feeds/` use placeholders the fixture fills in:
- `{{FILE:/path=SOURCE}}` serves SOURCE at /path and becomes its URL. SOURCE is a file of
  tests/fixtures (`cbr.mp3`, `transcripts/good.vtt`), or `@cover` / `@art` (1400 px square JPEG
  artwork), `@small` (a 600 px thumbnail Apple refuses) or `@chapters` (feeds/files/chapters.json);
- `{{MOVED:/path=SOURCE}}` is a URL that answers 302 to where SOURCE is served (like Anchor's play URLs);
- `{{URL:/path}}` is the URL of /path; `{{SIZE:SOURCE}}` its size in bytes; `{{PORT}}` the server's port.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import FIXTURES
from tests.importer.server import FeedServer, Route

FEEDS = Path(__file__).parent / "feeds"
TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".ogg": "audio/ogg", ".jpg": "image/jpeg",
         ".vtt": "text/vtt", ".srt": "application/x-subrip", ".json": "application/json"}  # fmt: skip


def _jpeg(size: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


SPECIAL: dict[str, Callable[[], bytes]] = {
    "@cover": lambda: _jpeg(1400, (200, 40, 40)),
    "@art": lambda: _jpeg(1400, (40, 40, 200)),
    "@small": lambda: _jpeg(600, (40, 200, 40)),
    "@chapters": lambda: (FEEDS / "files" / "chapters.json").read_bytes(),
}


def source_bytes(source: str) -> bytes:
    return SPECIAL[source]() if source in SPECIAL else (FIXTURES / source).read_bytes()


def content_type(path: str) -> str:
    return TYPES.get(Path(path.split("?", 1)[0]).suffix.lower(), "application/octet-stream")


class HostFeeds:
    """Serves feed templates and what they link on one FeedServer."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server

    def serve_file(self, path: str, source: str, **route: object) -> str:
        body = source_bytes(source)
        return self.server.add(path.split("?", 1)[0], Route(body, content_type(path), **route)) + (
            "?" + path.split("?", 1)[1] if "?" in path else ""
        )

    def render(self, template: str) -> str:
        def file(match: re.Match[str]) -> str:
            path, source = match.group(1).rsplit("=", 1)
            return self.serve_file(path, source)

        def moved(match: re.Match[str]) -> str:
            path, source = match.group(1).rsplit("=", 1)
            target = self.serve_file("/moved" + path, source)
            self.server.add(path, Route(status=302, location=target))
            return self.server.url(path)

        text = re.sub(r"\{\{FILE:([^}]+)\}\}", file, template)
        text = re.sub(r"\{\{MOVED:([^}]+)\}\}", moved, text)
        text = re.sub(r"\{\{URL:([^}]+)\}\}", lambda m: self.server.url(m.group(1)), text)
        text = re.sub(r"\{\{SIZE:([^}]+)\}\}", lambda m: str(len(source_bytes(m.group(1)))), text)
        return text.replace("{{PORT}}", str(self.server.port))

    def serve_feed(self, name: str, path: str | None = None, **route: object) -> str:
        """Serve feeds/NAME.xml (rendered) at /NAME/feed.xml (or `path`); returns its URL."""
        text = self.render((FEEDS / f"{name}.xml").read_text(encoding="utf-8"))
        where = path or f"/{name}/feed.xml"
        encoding = route.pop("encoding", "utf-8")
        return self.server.add(
            where,
            Route(text.encode(str(encoding)), "application/rss+xml; charset=utf-8", **route),  # type: ignore[arg-type]
        )

    def serve_bytes(self, path: str, data: bytes, content: str = "application/rss+xml", **route: object) -> str:
        return self.server.add(path, Route(data, content, **route))  # type: ignore[arg-type]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def hosts(feed_server: FeedServer) -> HostFeeds:
    return HostFeeds(feed_server)


HOST_FEEDS = ("anchor", "libsyn", "buzzsprout", "podbean", "wordpress")
