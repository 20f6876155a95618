"""Billion laughs, XXE (file:// and http://), external DTDs and parameter entities, fed to every place podpub
parses XML or HTML from someone else: `import` (a file and a URL), `validate` (a file and a URL), and the
HTML transcripts `add` and `build` read. None may expand an entity, read a local file, fetch a URL, run out
of time or memory, or end in a traceback.

Each run is a child process with a memory limit and a timeout (`run_bounded`): an expansion would fail
the test by hitting them instead of swapping the machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, write_show
from tests.fuzz.hostile import TRIED, assert_one_line_error, run_bounded
from tests.importer.server import FeedServer, Route

SECRET = "TOP-SECRET-7f3a9c"
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)  # &lol9; is 10^9 "lol"s: 3 GB


def feed(doctype: str, *, title: str, notes: str, enclosure: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:xi="http://www.w3.org/2001/XInclude">
<channel>
<title>{title}</title>
<link>https://example.org/</link>
<description>{notes}</description>
<language>fr</language>
<itunes:author>Eve</itunes:author>
<itunes:category text="Arts"/>
<item>
<title>{title}</title>
<guid isPermaLink="false">item-1</guid>
<pubDate>Mon, 06 May 2024 08:00:00 +0000</pubDate>
<description>{notes}</description>
<enclosure url="{enclosure}" length="40541" type="audio/mpeg"/>
</item>
</channel>
</rss>
""".encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.add("/audio.mp3", Route((FIXTURES / "cbr.mp3").read_bytes(), "audio/mpeg"))
        for path in ("/xxe", "/evil.dtd", "/param.dtd", "/xinclude"):
            running.add(path, Route(f'<!ENTITY leak "{SECRET}">{SECRET}'.encode(), "application/xml-dtd"))
        yield running


def payloads(server: FeedServer, secret_file: Path) -> dict[str, bytes]:
    audio = server.url("/audio.mp3")
    return {
        "billion-laughs": feed(f"<!DOCTYPE rss [{LAUGHS}]>", title="Show &lol9;", notes="&lol9;", enclosure=audio),
        "xxe": feed(
            f'<!DOCTYPE rss [<!ENTITY file SYSTEM "file://{secret_file}"><!ENTITY web SYSTEM "{server.url("/xxe")}">'
            f'<!ENTITY % param SYSTEM "{server.url("/param.dtd")}"> %param;]>',
            title="Show &file;&web;&leak;", notes="&file;&web;", enclosure=audio,
        ),
        "external-dtd": feed(f'<!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}">', title="Show &leak;",
                             notes="x", enclosure=audio),
        "internal-entity-in-markup": feed(  # the notes' XHTML is copied, never re-parsed without its DTD
            f'<!DOCTYPE rss [<!ENTITY word "lollollol"><!ENTITY file SYSTEM "file://{secret_file}">]>',
            title="Show", notes='<p xmlns="http://www.w3.org/1999/xhtml">a &word; and &file;</p>', enclosure=audio,
        ),
        "entity-in-markup": feed(
            f'<!DOCTYPE rss [{LAUGHS}<!ENTITY file SYSTEM "file://{secret_file}">]>', title="Show",
            notes=f'<p xmlns="http://www.w3.org/1999/xhtml">&lol9; &file;</p><xi:include href="file://{secret_file}" '
            f'parse="text"/><xi:include href="{server.url("/xinclude")}" parse="text"/>',
            enclosure=audio,
        ),
    }


def assert_nothing_leaked(server: FeedServer, *texts: str, folder: Path | None = None) -> None:
    for path in ("/xxe", "/evil.dtd", "/param.dtd", "/xinclude"):
        assert server.requests_for(path) == [], f"podpub fetched {path}"
    for text in texts:
        assert SECRET not in text and "lollollol" not in text
    if folder is not None and folder.exists():
        for file in folder.rglob("*"):
            if file.is_file():
                data = file.read_bytes()
                assert SECRET.encode() not in data and b"lollollol" not in data, file


@pytest.mark.parametrize(
    "payload", ["billion-laughs", "xxe", "external-dtd", "internal-entity-in-markup", "entity-in-markup"]
)
@pytest.mark.parametrize("entry", ["import-file", "import-url", "validate-file", "validate-url"])
def test_entities_are_never_expanded_or_fetched(server: FeedServer, tmp_path: Path, entry: str, payload: str) -> None:
    TRIED["XML bombs and XXE at import/validate (file and URL)"] += 1
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    data = payloads(server, secret_file)[payload]
    source = tmp_path / "feed.xml"
    source.write_bytes(data)
    if entry.endswith("url"):
        server.add("/feed.xml", Route(data, "application/rss+xml"))
    where = server.url("/feed.xml") if entry.endswith("url") else str(source)
    show = tmp_path / "imported"
    args = ("import", where, str(show)) if entry.startswith("import") else ("validate", "--format", "json", where)
    code, out, err = run_bounded(*args, cwd=tmp_path, timeout=60, memory_mib=1024)
    assert "Traceback" not in err and "internal error" not in err, err
    if entry.startswith("import"):
        if code != 0:
            assert_one_line_error(code, err)
        else:
            assert (show / "podcast.toml").is_file()
    else:
        assert code in (0, 1), err  # a report: the DOCTYPE and entities are findings, never expanded
        assert '"xml.doctype"' in out or '"xml.entities"' in out or '"xml.wellformed"' in out, out
    assert_nothing_leaked(server, out, err, folder=show)


def test_an_html_transcript_with_entities_is_published_inert(server: FeedServer, tmp_path: Path) -> None:
    TRIED["XML bombs and XXE in an HTML transcript (add + build)"] += 1
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    transcript = tmp_path / "transcript.html"
    transcript.write_text(
        f'<!DOCTYPE html [{LAUGHS}<!ENTITY file SYSTEM "file://{secret_file}">'
        f'<!ENTITY web SYSTEM "{server.url("/xxe")}">]>\n<html><body><p>Hello &lol9; &file; &web;</p>'
        "<cite>Ana:</cite><p>World</p></body></html>",
        encoding="utf-8",
    )
    root = write_show(tmp_path / "show")
    audio = tmp_path / "a.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", audio)
    code, _, err = run_bounded("-C", str(root), "add", str(audio), "--transcript", str(transcript),
                               "--date", "2024-05-01T08:00Z", cwd=tmp_path, memory_mib=1024)  # fmt: skip
    assert code == 0, err
    code, _, err = run_bounded("-C", str(root), "build", cwd=tmp_path, memory_mib=1024)
    assert code == 0, err
    assert_nothing_leaked(server, err, folder=root / "public")
