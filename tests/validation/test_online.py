"""`--online` against a local server that misbehaves on purpose, one behaviour per online rule.

The server serves the example show's build folder under /show/ correctly (HEAD, 206 ranges, podpub's
Content-Types, CORS); under /b/<behaviour>/ it serves the same files badly. Each test points one link of the
example feed at a bad path and expects exactly that rule (plus `url.https`: the server is plain http).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from podpub.errors import InputError
from podpub.mediatypes import content_type_for
from podpub.podcasts.config import podcast_guid
from podpub.validation import validate
from podpub.validation.fetch import Response
from podpub.validation.model import Link
from podpub.validation.online import check_link
from tests.validation.conftest import BASE, BuiltExample, Feed, ids, parse_feed

TIMEOUT = 3.0  # the slow path waits far longer; good answers come in milliseconds, even on a busy machine


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        behaviour = "good"
        if path.startswith("/b/"):
            _, _, behaviour, rest = path.split("/", 3)
            path = "/" + rest
        data, kind = self.server.lookup(path)
        redirects = {
            "moved": path,
            "loop": "/b/loop2" + path,
            "loop2": "/b/loop" + path,
            "toftp": "ftp://127.0.0.1/file.mp3",
        }
        if behaviour == "slow":
            self.server.release.wait(10)
        if behaviour in redirects:
            self.send_response(302 if behaviour != "moved" else 301)
            self.send_header("Location", redirects[behaviour])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if behaviour == "html":
            data, kind = b"<!DOCTYPE html><html><body><p>Log in</p></body></html>", "text/html"
        if data is None or behaviour == "missing":
            self.send_error(404)
            return
        if behaviour == "nohead" and not body:
            self.send_error(405)
            return
        if behaviour == "badtype":
            kind = "application/octet-stream"
        if behaviour == "texttype":
            kind = "text/plain"
        ranged = self.headers.get("Range") == "bytes=0-1" and behaviour != "range200"
        self.send_response(206 if ranged else 200)
        self.send_header("Content-Type", kind)
        if behaviour != "nocors":
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Accept-Ranges", "bytes")
        if ranged:
            self.send_header("Content-Range", f"bytes 0-1/{len(data)}")
            data = data[:2]
        if behaviour == "truncated":
            self.send_header("Content-Length", str(len(data) * 2))
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)
        if behaviour == "truncated":
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, public: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.public = public
        self.files: dict[str, tuple[bytes, str]] = {}  # path -> (body, Content-Type), besides /show/
        self.release = threading.Event()

    def lookup(self, path: str) -> tuple[bytes | None, str]:
        if path in self.files:
            return self.files[path]
        file = self.public / path.removeprefix("/show/")
        if path.startswith("/show/") and file.is_file():
            return file.read_bytes(), content_type_for(file.name)
        return None, ""

    def add_feed(self, name: str, data: bytes) -> str:
        self.files["/feeds/" + name] = (data, "application/rss+xml; charset=utf-8")
        return "feeds/" + name


@dataclass
class Site:
    server: _Server
    root: str  # http://127.0.0.1:PORT/

    @property
    def base(self) -> str:
        return self.root + "show/"

    def feed(self, example: BuiltExample, feed_url: str) -> Feed:
        """The example feed moved to this server, with its self link and podcast:guid for `feed_url`."""
        feed = parse_feed(example.feed.replace(BASE.encode(), self.base.encode()))
        feed.one(feed.channel, "atom:link").set("href", feed_url)
        feed.one(feed.channel, "podcast:guid").text = podcast_guid(feed_url)
        return feed


@pytest.fixture(scope="module")
def site(example: BuiltExample) -> Iterator[Site]:
    server = _Server(example.public)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(server, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def _bad(site: Site, behaviour: str, url: str) -> str:
    return url.replace(site.root, f"{site.root}b/{behaviour}/", 1)


def _enclosure(behaviour: str) -> Callable[[Feed, Site], None]:
    def edit(feed: Feed, site: Site) -> None:
        enclosure = feed.one(feed.item(1), "enclosure")
        enclosure.set("url", _bad(site, behaviour, enclosure.get("url") or ""))

    return edit


def _transcript(behaviour: str) -> Callable[[Feed, Site], None]:
    def edit(feed: Feed, site: Site) -> None:
        transcript = feed.one(feed.item(0), "podcast:transcript")
        transcript.set("url", _bad(site, behaviour, transcript.get("url") or ""))

    return edit


def _wrong_length(feed: Feed, site: Site) -> None:
    enclosure = feed.one(feed.item(1), "enclosure")
    enclosure.set("length", str(int(enclosure.get("length") or 0) + 1000))


def _run(example: BuiltExample, site: Site, tmp_path: Path, edit: Callable[[Feed, Site], None] | None = None):
    feed = site.feed(example, site.root + "feeds/feed.xml")  # a feed file, checked as if it lived there
    if edit:
        edit(feed, site)
    path = tmp_path / "feed.xml"
    path.write_bytes(feed.bytes())
    return validate(str(path), directory=tmp_path, online=True, timeout=TIMEOUT, jobs=4)


# rule id -> how to make it fire (a feed edit, or a test of its own below)
ONLINE_CASES: dict[str, Callable[[Feed, Site], None] | None] = {
    "online.unreachable": _enclosure("missing"),
    "online.timeout": _enclosure("slow"),
    "online.head": _enclosure("nohead"),
    "online.range": _enclosure("range200"),
    "online.content-type": _enclosure("badtype"),
    "online.content-length": _wrong_length,
    "online.redirect": _enclosure("moved"),
    "online.redirect-loop": _enclosure("loop"),
    "online.scheme": _enclosure("toftp"),
    "online.cors": _transcript("nocors"),
    "online.https-downgrade": None,  # needs https: test_https_to_http_redirect_is_a_downgrade
    "feed.content-type": None,  # a fetched feed: test_feed_served_with_a_wrong_type
    "feed.redirect": None,  # test_redirected_feed_is_checked_at_its_final_url
}


def test_podpubs_feed_on_a_good_server_only_lacks_https(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    report = _run(example, site, tmp_path)
    assert ids(report.findings) == {"url.https"}, [f.message for f in report.findings]


@pytest.mark.parametrize("rule_id", sorted(rule for rule, edit in ONLINE_CASES.items() if edit is not None))
def test_each_misbehaviour_fires_exactly_its_rule(
    example: BuiltExample, site: Site, tmp_path: Path, rule_id: str
) -> None:
    report = _run(example, site, tmp_path, ONLINE_CASES[rule_id])
    assert ids(report.findings) == {"url.https", rule_id}, [f"{f.rule.id}: {f.message}" for f in report.findings]
    [found] = [f for f in report.findings if f.rule.id == rule_id]
    assert found.url and found.url.startswith(site.root)
    assert found.episode is not None


def test_range_finding_says_what_the_server_did(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    report = _run(example, site, tmp_path, _enclosure("range200"))
    [found] = [f for f in report.findings if f.rule.id == "online.range"]
    assert "200" in found.message and "Range: bytes=0-1" in found.message
    assert found.episode is not None and found.episode.title == "Le jardin de l'école"


def test_artwork_is_downloaded_and_checked(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    from tests.validation.test_corpus import _image

    site.server.files["/extra/small.jpg"] = (_image((600, 600)), "image/jpeg")
    report = _run(
        example, site, tmp_path,
        lambda feed, s: feed.one(feed.channel, "itunes:image").set("href", s.root + "extra/small.jpg"),
    )  # fmt: skip
    assert ids(report.findings) == {"url.https", "apple.image.size"}
    [found] = [f for f in report.findings if f.rule.id == "apple.image.size"]
    assert "600x600" in found.message


def test_https_to_http_redirect_is_a_downgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    headers = Message()
    headers["Content-Type"] = "audio/mpeg"
    headers["Content-Range"] = "bytes 0-1/1000"
    headers["Content-Length"] = "1000"

    final = "http://cdn.example.org/a.mp3"

    def fake(url: str, method: str = "GET", **kwargs: object) -> Response:
        status = 206 if method == "GET" else 200
        return Response(final, status, headers, redirects=[(301, final)], downgraded=final)

    monkeypatch.setattr("podpub.validation.online.request", fake)
    findings = check_link(Link("https://cdn.example.org/a.mp3", "enclosure", "audio/mpeg", 1000), timeout=1)
    assert ids(findings) == {"online.redirect", "online.https-downgrade"}


def _served_feed(example: BuiltExample, site: Site, name: str, self_url: str) -> None:
    site.server.add_feed(name, site.feed(example, self_url).bytes())


def test_a_fetched_feed_passes_with_its_own_url(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    url = site.root + "feeds/good.xml"
    _served_feed(example, site, "good.xml", url)
    report = validate(url, directory=tmp_path, timeout=TIMEOUT)
    assert ids(report.findings) == {"url.https"}
    assert report.feed_url == url and report.episodes == 3


def test_a_fetched_feed_whose_self_link_is_elsewhere(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    url = site.root + "feeds/copied.xml"
    _served_feed(example, site, "copied.xml", site.root + "feeds/original.xml")
    report = validate(url, directory=tmp_path, timeout=TIMEOUT)
    assert {"atom.self.mismatch", "podcastindex.guid.mismatch"} <= ids(report.findings)


def test_feed_served_with_a_wrong_type(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    url = site.root + "b/texttype/feeds/plain.xml"
    _served_feed(example, site, "plain.xml", url)
    report = validate(url, directory=tmp_path, timeout=TIMEOUT)
    assert ids(report.findings) == {"url.https", "feed.content-type"}
    assert "text/plain" in report.findings[0].message or "text/plain" in report.findings[1].message


def test_redirected_feed_is_checked_at_its_final_url(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    final = site.root + "feeds/final.xml"
    _served_feed(example, site, "final.xml", final)
    old = site.root + "b/moved/feeds/final.xml"
    report = validate(old, directory=tmp_path, timeout=TIMEOUT)
    assert ids(report.findings) == {"url.https", "feed.redirect"}
    assert report.feed_url == old


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [("html", "HTML page"), ("truncated", "incomplete"), ("loop", "redirect loop"), ("missing", "HTTP 404"),
     ("toftp", "only follows http")],
)  # fmt: skip
def test_a_feed_url_that_gives_no_feed_cannot_be_validated(
    example: BuiltExample, site: Site, tmp_path: Path, behaviour: str, message: str
) -> None:
    _served_feed(example, site, "any.xml", site.root + "feeds/any.xml")
    with pytest.raises(InputError, match=message):
        validate(f"{site.root}b/{behaviour}/feeds/any.xml", directory=tmp_path, timeout=TIMEOUT)


def test_a_slow_feed_url_gives_up_after_the_timeout(example: BuiltExample, site: Site, tmp_path: Path) -> None:
    _served_feed(example, site, "any.xml", site.root + "feeds/any.xml")
    with pytest.raises(InputError, match="no answer in time"):
        validate(site.root + "b/slow/feeds/any.xml", directory=tmp_path, timeout=0.2)


def test_only_http_urls_are_fetched(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only http"):
        validate("file:///etc/passwd", directory=tmp_path)
    with pytest.raises(InputError, match="only http"):
        validate("ftp://example.org/feed.xml", directory=tmp_path)


def test_cli_online_on_a_show_served_by_the_server(
    example: BuiltExample, site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The show folder, built for this server's address: every link answers as apps need. What is left is that
    the server is not https, and that the show's podcast:guid belongs to its real URL (it must not change)."""
    import json

    from tests.cli_helpers import run_podpub
    from tests.validation.conftest import copy_example

    show = copy_example(tmp_path / "show")
    config = show / "podcast.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(BASE, site.base), encoding="utf-8")
    result = run_podpub(capsys, "-C", str(show), "validate", "--online", "--format", "json", "--timeout", "5")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    assert report["online"] is True
    assert {f["rule"] for f in report["findings"]} == {"url.https", "podcastindex.guid.mismatch"}
