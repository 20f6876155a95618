"""Hostile input: entities are reported not expanded, non-feeds are refused with one clear line, nothing from
the feed can reach the terminal as control characters."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from podpub.errors import InputError
from podpub.validation import check_feed_file
from podpub.validation.model import Report
from podpub.validation.report import render_text
from tests.validation.conftest import BuiltExample, check_bytes, ids, parse_feed

SECRET = "s3cr3t-marker-0f-the-host"


def _feed_file(tmp_path: Path, data: bytes, name: str = "feed.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_external_entities_are_neither_read_nor_expanded(example: BuiltExample, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>'
    data = example.feed.replace(b"<rss ", doctype.encode() + b"\n<rss ", 1)
    data = data.replace(b"<copyright>2026 Association du Quartier</copyright>", b"<copyright>&xxe;&net;</copyright>")
    findings = check_bytes(data, tmp_path / "feed")
    assert ids(findings) == {"xml.entities"}
    assert "2 external" in findings[0].message
    assert all(SECRET not in f.message for f in findings)


def test_entities_in_attributes_stop_the_parse_but_not_the_report(example: BuiltExample, tmp_path: Path) -> None:
    doctype = b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' + b"".join(
        f'<!ENTITY {chr(99 + i)} "{f"&{chr(98 + i)};" * 10}">'.encode() for i in range(8)
    ) + b"]>"  # fmt: skip
    data = example.feed.replace(b"<rss ", doctype + b"\n<rss ", 1).replace(b'version="2.0"', b'version="&j;"')
    findings = check_bytes(data, tmp_path / "feed")
    assert ids(findings) == {"xml.entities"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body></body></html>", "HTML page"),
        (b"<html><body>404 Not Found</body></html>", "HTML page"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "HTML page"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00", "an MP3 file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (bytes(range(256)) * 4, "binary data"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "JSON"),
        (b"title: my podcast\n", "not XML"),
    ],
)
def test_things_that_are_not_feeds_are_refused_with_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        check_feed_file(_feed_file(tmp_path, data))
    assert "\n" not in str(caught.value)


def test_a_truncated_feed_is_refused(example: BuiltExample, tmp_path: Path) -> None:
    cut = example.feed[: len(example.feed) * 2 // 3]
    with pytest.raises(InputError, match="ends early at line"):
        check_feed_file(_feed_file(tmp_path, cut))


def test_a_feed_missing_only_its_last_tag_is_refused_as_truncated(example: BuiltExample, tmp_path: Path) -> None:
    cut = example.feed.rstrip().removesuffix(b"</rss>")
    with pytest.raises(InputError, match="incomplete"):
        check_feed_file(_feed_file(tmp_path, cut))


def test_garbage_after_the_feed_is_not_well_formed(example: BuiltExample, tmp_path: Path) -> None:
    findings = check_bytes(example.feed + b"<rss/>", tmp_path / "feed")
    assert ids(findings) == {"xml.wellformed"}


def test_deep_nesting_is_refused_by_the_parser_limits(example: BuiltExample, tmp_path: Path) -> None:
    deep = b"<x>" * 5000 + b"</x>" * 5000
    data = example.feed.replace(b"<copyright>", b"<copyright>" + deep, 1)
    findings = check_bytes(data, tmp_path / "feed")
    assert ids(findings) == {"xml.wellformed"}
    assert "depth" in findings[0].message.lower()


def test_a_utf16_feed_is_read_and_reported(example: BuiltExample, tmp_path: Path) -> None:
    text = example.feed.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    findings = check_bytes(text.encode("utf-16"), tmp_path / "feed")
    assert ids(findings) == {"xml.encoding"}
    assert "UTF-16" in findings[0].message


def test_control_characters_and_markup_from_the_feed_never_reach_the_terminal(
    example: BuiltExample, tmp_path: Path
) -> None:
    feed = parse_feed(example.feed)
    feed.one(feed.item(1), "title").text = "[bold red]x[/] \u202eevil\u202c \u2028next"
    feed.one(feed.item(1), "guid").text = "g\u200buid"
    feed.one(feed.item(1), "itunes:duration").text = "1h [link=https://evil.example]x[/link]"
    findings = check_bytes(feed.bytes(), tmp_path / "feed")
    assert "item.duration.invalid" in ids(findings)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=200, color_system="truecolor")
    render_text(console, Report("feed.xml", None, "all", False, findings, 3, 100))
    text = buffer.getvalue()
    assert "\u202e" not in text and "\u2028" not in text and "\u200b" not in text
    assert "\\u202e" in text and "[bold red]x[/]" in text and "[link=https://evil.example]" in text
    assert "\x1b]8;" not in text  # no hyperlink escape from the feed's [link=…]


def test_huge_attribute_values_are_clipped_in_messages(example: BuiltExample, tmp_path: Path) -> None:
    feed = parse_feed(example.feed)
    feed.one(feed.item(1), "itunes:duration").text = "x" * 1_000_000
    [found] = check_bytes(feed.bytes(), tmp_path / "feed")
    assert found.rule.id == "item.duration.invalid"
    assert len(found.message) < 400


def test_a_big_feed_is_checked_in_bounded_memory(example: BuiltExample, tmp_path: Path) -> None:
    """About 40 MB of XML: a tree of it would take hundreds of MB; streamed, the check grows by a few tens."""
    import json
    import subprocess
    import sys

    from lxml import etree

    feed = parse_feed(example.feed)
    template = feed.item(1)
    feed.remove(template, "content:encoded")
    item = etree.tostring(template)
    guid = feed.one(template, "guid").text or ""
    url = feed.one(template, "enclosure").get("url") or ""
    head, tail = example.feed.split(b"<item>", 1)[0], b"</channel>\n</rss>\n"
    path = tmp_path / "big.xml"
    with path.open("wb") as out:
        out.write(head)
        for number in range(30000):
            copy = item.replace(guid.encode(), b"g%d" % number)
            out.write(copy.replace(url.encode(), url.encode() + b"?%d" % number))
        out.write(tail)
    assert path.stat().st_size > 35_000_000
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from podpub.validation import check_feed_file\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "checked = check_feed_file(Path(sys.argv[1]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "rules = sorted({f.rule.id for f in checked.findings})\n"
        "print(json.dumps([checked.episodes, rules, (after - before) // 1024]))\n"
    )
    result = subprocess.run([sys.executable, "-c", "import json\n" + script, str(path)], capture_output=True,
                            text=True, check=True)  # fmt: skip
    episodes, rules, grown_mb = json.loads(result.stdout)
    assert episodes == 30000
    assert rules == ["feed.size"]
    assert grown_mb < 100, f"memory grew by {grown_mb} MB"
