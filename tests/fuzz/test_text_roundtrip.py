"""Any Unicode a producer, a guest's tags or a pasted text can hold gives a well-formed feed whose text
reads back as meant, in lxml and in real clients, and pages that a browser cannot make run anything.

Everything goes through the CLI (`podpub build`, `podpub add`, `podpub init`) on a real show folder,
with real audio whose tags mutagen rewrites for each example.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TIT2, TPE1, CTOCFlags

from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES
from tests.fuzz.conftest import FUZZ
from tests.fuzz.hostile import (
    TRIED,
    XML_ILLEGAL,
    assert_inert_html,
    assert_no_illegal_characters,
    assert_site_inert,
    assert_site_keys,
    client_parses,
    hostile_text,
    meant,
    plain_notes,
    squeeze,
    strict_xml,
    toml_string,
)

BASE_URL = "https://cdn.example.org/show/"
FEED_URL = BASE_URL + "feed.xml"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}
_ERROR_LINE = re.compile(r"^error: [^:\n]+:\d+: .+$")


def write_config(root: Path, *, title: str, author: str, description: str, owner: str, copyright: str,
                 person: str, funding: str) -> None:  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    (root / "episodes").mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    (root / "podcast.toml").write_text(
        f"""title = {toml_string(title)}
description = {toml_string(description)}
language = "fr"
author = {toml_string(author)}
copyright = {toml_string(copyright)}
categories = ["Society & Culture > Documentary"]
explicit = false
guid = "{uuid.uuid5(uuid.NAMESPACE_URL, FEED_URL)}"

[owner]
name = {toml_string(owner)}
email = "owner@example.org"

[publish]
base_url = "{BASE_URL}"

[[persons]]
name = {toml_string(person)}
role = "host"

[[funding]]
url = "https://example.org/support"
label = {toml_string(funding)}
""",
        encoding="utf-8",
    )


def write_episode(root: Path, *, title: str, notes: str, guest: str, chapters: list[str]) -> None:
    shutil.copy(FIXTURES / "cbr.mp3", root / "media" / "episode.mp3")
    (root / "chapters").mkdir(exist_ok=True)
    marks = [{"startTime": float(i), "title": t} for i, t in enumerate(chapters)]
    (root / "chapters" / "episode.json").write_text(
        json.dumps({"version": "1.2.0", "chapters": marks}, ensure_ascii=False), encoding="utf-8"
    )
    (root / "episodes" / "0001-episode.md").write_text(
        f"""+++
guid = "{uuid.uuid4()}"
title = {toml_string(title)}
date = 2024-05-01T08:00:00Z
audio = "media/episode.mp3"
chapters = "chapters/episode.json"

[[persons]]
name = {toml_string(guest)}
role = "guest"
+++

{notes}
""",
        encoding="utf-8",
    )


def assert_clean_failure(result: Result) -> None:
    """A refused input: exit 2 and one line naming the file and the line, never an internal error."""
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and _ERROR_LINE.match(lines[0]), (result.code, result.err)


def built_feed(root: Path) -> tuple[bytes, etree._Element]:
    data = (root / "public" / "feed.xml").read_bytes()
    assert_no_illegal_characters(data, "feed.xml")
    return data, strict_xml(data)


def check_xsl_view(public: Path) -> None:
    """The feed as a browser with XSLT shows it (`<?xml-stylesheet?>`): the transformed page is inert."""
    xsl = next((public / "site").glob("feed-*.xsl"))
    transform = etree.XSLT(etree.parse(str(xsl)), access_control=etree.XSLTAccessControl.DENY_ALL)
    page = transform(etree.parse(str(public / "feed.xml")))
    assert_inert_html(str(page), "feed.xml through feed.xsl")


def feedparser_reads_as_html(text: str) -> bool:
    """feedparser treats a title with a tag or an entity reference (`&amp;`, `&#38;`) as HTML and
    unescapes or strips it, as its own `_looks_like_html` decides: podpub's bytes are right either way."""
    return "<" in text or re.search(r"&#?[A-Za-z0-9]+;", text) is not None


@FUZZ
@given(
    title=hostile_text(),
    author=hostile_text(),
    description=hostile_text(max_pieces=10),
    owner=hostile_text(),
    copyright=hostile_text(),
    person=hostile_text(),
    funding=hostile_text(),
    episode_title=hostile_text(),
    guest=hostile_text(),
    chapters=st.lists(hostile_text(), min_size=1, max_size=3),
    notes=hostile_text(max_pieces=12),
)
def test_show_and_episode_text_reads_back_as_meant(
    scratch, capsys: pytest.CaptureFixture[str], title: str, author: str, description: str, owner: str,
    copyright: str, person: str, funding: str, episode_title: str, guest: str, chapters: list[str], notes: str,
) -> None:  # fmt: skip
    TRIED["text fields in podcast.toml and front matter (build)"] += 1
    root = scratch() / "show"
    write_config(root, title=title, author=author, description=description, owner=owner, copyright=copyright,
                 person=person, funding=funding)  # fmt: skip
    write_episode(root, title=episode_title, notes=notes, guest=guest, chapters=chapters)
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    if result.code != 0:
        assert_clean_failure(result)
        TRIED["  of which refused with file:line"] += 1
        return
    data, feed = built_feed(root)
    channel = feed.find("channel")
    item = channel.find("item")

    def text(parent: etree._Element, path: str) -> str:
        return squeeze("".join(parent.find(path, NS).itertext()))

    assert text(channel, "title") == meant(title)
    assert text(channel, "itunes:author") == meant(author)
    assert text(channel, "itunes:owner/itunes:name") == meant(owner)
    if meant(copyright):
        assert text(channel, "copyright") == meant(copyright)
    assert text(channel, "podcast:person") == meant(person)
    assert text(channel, "podcast:funding") == meant(funding)
    assert text(item, "title") == meant(episode_title)
    assert text(item, "itunes:title") == meant(episode_title)
    persons = [squeeze(p.text or "") for p in item.findall("podcast:person", NS)]
    assert meant(guest) in persons
    inline = [squeeze(c.get("title")) for c in item.findall("psc:chapters/psc:chapter", NS)]
    assert inline == [meant(c) or f"Chapter {i}" for i, c in enumerate(chapters, 1)] or not inline
    assert_inert_html(item.findtext("content:encoded", "", NS), "content:encoded")
    assert_inert_html(item.findtext("description", ""), "description")

    parsed, fp = client_parses(data, FEED_URL)
    assert squeeze(parsed["title"]) == meant(title)
    assert squeeze(parsed["episodes"][0]["title"]) == meant(episode_title)
    # feedparser reads titles that look like markup as HTML (it drops `<?...?>`, for one): compare the rest.
    assert squeeze(fp.feed.title) == meant(title) or feedparser_reads_as_html(title)
    assert squeeze(fp.entries[0].title) == meant(episode_title) or feedparser_reads_as_html(episode_title)

    public = root / "public"
    assert assert_site_inert(public) >= 2
    assert_site_keys(public)
    index = squeeze(etree.tostring(etree.HTML((public / "index.html").read_bytes()), method="text", encoding="unicode"))
    assert meant(title) in index and meant(episode_title) in index
    check_xsl_view(public)


@FUZZ
@given(notes=plain_notes)
def test_plain_notes_reach_the_feed_and_the_page_unchanged(
    scratch, capsys: pytest.CaptureFixture[str], notes: str
) -> None:
    TRIED["plain-text show notes in any script (build)"] += 1
    root = scratch() / "show"
    write_config(root, title="Show", author="A", description="D", owner="O", copyright="C", person="P", funding="F")
    write_episode(root, title="Episode", notes=notes, guest="G", chapters=["Intro"])
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    assert result.code == 0, result.err
    _, feed = built_feed(root)
    item = feed.find("channel/item")
    expected = meant(notes.replace("\x00", ""))
    encoded = item.findtext("content:encoded", "", NS)
    html_text = squeeze(etree.tostring(etree.HTML(f"<div>{encoded}</div>") if encoded else etree.Element("p"),
                                       method="text", encoding="unicode"))  # fmt: skip
    assert html_text == expected
    page = next(p for p in (root / "public" / "episodes").rglob("index.html"))
    assert expected in squeeze(etree.tostring(etree.HTML(page.read_bytes()), method="text", encoding="unicode"))


def retag(path: Path, *, title: str, artist: str, comment: str, chapters: list[str]) -> None:
    """ID3v2.4 tags as a guest's editor writes them; NUL separates values in ID3, so it is left out."""
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title.replace("\x00", "")))
    tags.add(TPE1(encoding=3, text=artist.replace("\x00", "")))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=comment.replace("\x00", "")))
    ids = [f"ch{i}" for i in range(len(chapters))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids))
    for i, (cid, name) in enumerate(zip(ids, chapters, strict=True)):
        sub = [TIT2(encoding=3, text=name.replace("\x00", ""))]
        tags.add(CHAP(element_id=cid, start_time=i * 1000, end_time=(i + 1) * 1000, sub_frames=sub))
    tags.save(path)


@FUZZ
@given(
    title=hostile_text(),
    artist=hostile_text(),
    comment=hostile_text(max_pieces=10),
    chapters=st.lists(hostile_text(), min_size=1, max_size=4),
)
def test_audio_tags_from_a_guest_give_a_safe_feed(
    scratch, capsys: pytest.CaptureFixture[str], title: str, artist: str, comment: str, chapters: list[str]
) -> None:
    TRIED["ID3 title, artist, comment and chapter titles (add + build)"] += 1
    folder = scratch()
    root = folder / "show"
    write_config(root, title="Show", author="A", description="D", owner="O", copyright="C", person="P", funding="F")
    audio = folder / "guest.mp3"
    shutil.copy(FIXTURES / "notags.mp3", audio)
    retag(audio, title=title, artist=artist, comment=comment, chapters=chapters)
    added = run_podpub(capsys, "-q", "-C", str(root), "add", str(audio), "--date", "2024-05-01T08:00Z")
    assert added.code == 0, added.err
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    assert result.code == 0, result.err
    data, feed = built_feed(root)
    item = feed.find("channel/item")
    expected_title = meant(title.replace("\x00", "")) or "guest"
    assert squeeze(item.findtext("title")) == expected_title
    inline = [squeeze(c.get("title")) for c in item.findall("psc:chapters/psc:chapter", NS)]
    assert inline == [meant(c.replace("\x00", "")) or f"Chapter {i}" for i, c in enumerate(chapters, 1)]
    assert_inert_html(item.findtext("content:encoded", "", NS), "content:encoded")
    parsed, fp = client_parses(data, FEED_URL)
    assert squeeze(parsed["episodes"][0]["title"]) == expected_title
    assert squeeze(fp.entries[0].title) == expected_title or feedparser_reads_as_html(expected_title)
    assert_site_inert(root / "public")
    check_xsl_view(root / "public")


@FUZZ
@given(title=hostile_text(), author=hostile_text(), episode_title=hostile_text())
def test_titles_given_on_the_command_line(
    scratch, capsys: pytest.CaptureFixture[str], title: str, author: str, episode_title: str
) -> None:
    TRIED["--title/--author on init and add (written by podpub, read back)"] += 1
    folder = scratch()
    root = folder / "show"
    created = run_podpub(
        capsys, "-q", "init", str(root), "--title", title, "--author", author, "--email", "o@example.org",
        "--language", "fr", "--category", "Society & Culture", "--base-url", BASE_URL,
    )  # fmt: skip
    if created.code != 0:
        lines = created.err.strip().splitlines()
        assert created.code == 2 and len(lines) == 1 and "internal error" not in created.err, created.err
        return
    audio = folder / "a.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", audio)
    added = run_podpub(capsys, "-q", "-C", str(root), "add", str(audio), "--title", episode_title,
                       "--date", "2024-05-01T08:00Z")  # fmt: skip
    if added.code != 0:
        lines = added.err.strip().splitlines()
        assert added.code == 2 and len(lines) == 1 and "internal error" not in added.err, added.err
        return
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    if result.code != 0:
        assert_clean_failure(result)
        return
    _, feed = built_feed(root)
    assert squeeze(feed.findtext("channel/title")) == meant(title)
    assert squeeze(feed.findtext("channel/itunes:author", namespaces=NS)) == meant(author)
    assert squeeze(feed.findtext("channel/item/title")) == meant(episode_title)
    assert not XML_ILLEGAL.search((root / "public" / "index.html").read_text(encoding="utf-8"))
    assert_site_inert(root / "public")
    assert_site_keys(root / "public")
