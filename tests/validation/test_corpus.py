"""One broken feed per offline rule, each made from podpub's own clean feed by one edit: exactly that rule fires.

The online rules have their own corpus against a misbehaving local server (test_online.py); together the two
cover every rule of the catalogue (checked by `test_every_rule_has_a_broken_feed`).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from PIL import Image

from podpub.validation.rules import RULES
from tests.validation.conftest import BASE, FEED_URL, NS, BuiltExample, Feed, check_bytes, ids, parse_feed

ART = "artwork/test-cover"


def _image(size: tuple[int, int], mode: str = "RGB", fmt: str = "JPEG", noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, random.Random(5).randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new(mode, size, {"RGB": (200, 60, 40), "CMYK": (0, 60, 80, 0), "RGBA": (200, 60, 40, 128)}[mode])
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def _artwork(extension: str, data: bytes) -> tuple[Callable[[Feed], None], dict[str, bytes]]:
    def edit(feed: Feed) -> None:
        feed.one(feed.channel, "itunes:image").set("href", f"{BASE}{ART}{extension}")

    return edit, {f"{ART}{extension}": data}


def _set(path: str, attribute: str | None, value: str, index: int | None = None) -> Callable[[Feed], None]:
    """Set the text (attribute None) or an attribute of the first `path` under the channel or an item."""

    def edit(feed: Feed) -> None:
        parent = feed.channel if index is None else feed.item(index)
        element = feed.one(parent, path)
        if attribute is None:
            element.text = value
        else:
            element.set(attribute, value)

    return edit


def _remove(path: str, index: int | None = None) -> Callable[[Feed], None]:
    def edit(feed: Feed) -> None:
        feed.remove(feed.channel if index is None else feed.item(index), path)

    return edit


class ByteEdit:
    """An edit of the feed's bytes (for what a tree cannot express: declarations, prefixes, bad XML)."""

    def __init__(self, function: Callable[[bytes], bytes]) -> None:
        self.function = function

    def __call__(self, data: bytes) -> bytes:
        return self.function(data)


def _replace(old: bytes, new: bytes) -> ByteEdit:
    def edit(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new)

    return ByteEdit(edit)


def _enclosure(index: int = 1, **attrs: str) -> Callable[[Feed], None]:
    def edit(feed: Feed) -> None:
        enclosure = feed.one(feed.item(index), "enclosure")
        for key, value in attrs.items():
            if value is None:
                del enclosure.attrib[key]
            else:
                enclosure.set(key, value)

    return edit


def _jardin(name: str) -> str:
    return f"{BASE}media/{name}"


def _serial(feed: Feed) -> None:
    """A serial show whose second episode lost its number (the trailer needs none)."""
    feed.one(feed.channel, "itunes:type").text = "serial"
    feed.remove(feed.item(1), "itunes:episode")


def _multiple_enclosures(feed: Feed) -> None:
    item = feed.item(1)
    feed.add(item, "enclosure", url=_jardin("other.mp3"), length="118501", type="audio/mpeg")


def _duplicate_guid(feed: Feed) -> None:
    feed.one(feed.item(1), "guid").text = feed.one(feed.item(0), "guid").text


def _duplicate_enclosure(feed: Feed) -> None:
    feed.one(feed.item(1), "enclosure").set("url", feed.one(feed.item(0), "enclosure").get("url") or "")


def _future(feed: Feed) -> None:
    feed.one(feed.item(1), "pubDate").text = format_datetime(datetime(2100, 1, 1, tzinfo=UTC), usegmt=True)


def _no_items(feed: Feed) -> None:
    for item in feed.items():
        feed.channel.remove(item)


def _image_in_text(feed: Feed) -> None:
    image = feed.one(feed.channel, "itunes:image")
    image.text = image.attrib.pop("href")


def _obsolete(feed: Feed) -> None:
    feed.one(feed.channel, "itunes:category").set("text", "Games & Hobbies")
    for sub in feed.one(feed.channel, "itunes:category").findall(f"{{{NS['itunes']}}}category"):
        sub.getparent().remove(sub)


def _only_deprecated(feed: Feed) -> None:
    feed.add(feed.channel, "itunes:summary", "Le podcast du quartier.")


def _block_no(feed: Feed) -> None:
    feed.add(feed.channel, "itunes:block", "no")


def _duplicate_medium(feed: Feed) -> None:
    feed.add(feed.channel, "podcast:medium", "podcast")


def _psc_order(feed: Feed) -> None:
    chapters = feed.one(feed.item(0), "psc:chapters")
    chapters[0].set("start", "00:00:09.000")


def _psc_multiple(feed: Feed) -> None:
    chapters = feed.one(feed.item(0), "psc:chapters")
    chapters.addnext(deepcopy(chapters))


def _psc_no_title(feed: Feed) -> None:
    del feed.one(feed.item(0), "psc:chapters")[1].attrib["title"]


def _description(html: str, name: str = "description") -> Callable[[Feed], None]:
    def edit(feed: Feed) -> None:
        feed.one(feed.item(1), name).text = html

    return edit


def _rename_podcast_prefix(data: bytes) -> bytes:
    return data.replace(b"xmlns:podcast=", b"xmlns:pi=").replace(b"<podcast:", b"<pi:").replace(b"</podcast:", b"</pi:")


def _billion_laughs(data: bytes) -> bytes:
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
    )
    head = f"<!DOCTYPE rss [{entities}]>\n".encode()
    data = data.replace(b"<rss ", head + b"<rss ", 1)
    return data.replace(b"<copyright>2026 Association du Quartier</copyright>", b"<copyright>&lol9;</copyright>")


# rule id -> (edit of the tree or of the bytes, files written beside the feed)
CASES: dict[str, tuple[Callable[[Feed], None] | ByteEdit, dict[str, bytes]]] = {
    "xml.wellformed": (_replace(b"<title>La Voix du Quartier</title>", b"<title>La Voix & du Quartier</title>"), {}),
    "xml.encoding": (_replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'), {}),
    "xml.declaration": (_replace(b'<?xml version="1.0" encoding="UTF-8"?>', b""), {}),
    "xml.doctype": (_replace(b"<rss ", b"<!DOCTYPE rss>\n<rss "), {}),
    "xml.entities": (ByteEdit(_billion_laughs), {}),
    "namespace.undeclared": (_replace(b' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"', b""), {}),
    "namespace.uri": (_replace(b'"http://podlove.org/simple-chapters"', b'"http://podlove.org/simple-chapters/"'), {}),
    "namespace.prefix": (ByteEdit(_rename_podcast_prefix), {}),
    "namespace.podcast-legacy": (
        _replace(b'"https://podcastindex.org/namespace/1.0"',
                 b'"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"'),
        {},
    ),
    "rss.root": (_replace(b'version="2.0"', b'version="0.91"'), {}),
    "feed.size": (_replace(b"</rss>", b"</rss>\n<!--" + b"x" * (4 * 1024 * 1024) + b"-->"), {}),
    "feed.empty": (_no_items, {}),
    "channel.title.missing": (_remove("title"), {}),
    "channel.link.missing": (_remove("link"), {}),
    "channel.link.feed": (_set("link", None, FEED_URL), {}),
    "channel.description.missing": (_remove("description"), {}),
    "channel.description.length": (_set("description", None, "é" * 2001), {}),
    "channel.language.missing": (_remove("language"), {}),
    "channel.language.invalid": (_set("language", None, "french"), {}),
    "spotify.author.missing": (_remove("itunes:author"), {}),
    "spotify.owner.email": (lambda feed: feed.remove(feed.one(feed.channel, "itunes:owner"), "itunes:email"), {}),
    "apple.category.missing": (_remove("itunes:category"), {}),
    "apple.category.invalid": (_set("itunes:category", "text", "Society & culture"), {}),
    "apple.category.obsolete": (_obsolete, {}),
    "apple.explicit.missing": (_remove("itunes:explicit"), {}),
    "apple.explicit.value": (_set("itunes:explicit", None, "maybe"), {}),
    "apple.explicit.legacy": (_set("itunes:explicit", None, "yes"), {}),
    "apple.image.missing": (_remove("itunes:image"), {}),
    "apple.image.href": (_image_in_text, {}),
    "apple.image.extension": (_set("itunes:image", "href", f"{BASE}artwork/cover.webp"), {}),
    "apple.image.size": _artwork(".jpg", _image((1000, 1000))),
    "apple.image.square": _artwork(".jpg", _image((1400, 1500))),
    "apple.image.format": _artwork(".png", _image((1400, 1400), fmt="WEBP")),
    "apple.image.colorspace": _artwork(".jpg", _image((1400, 1400), mode="CMYK")),
    "apple.image.alpha": _artwork(".png", _image((1400, 1400), mode="RGBA", fmt="PNG")),
    "apple.image.bytes": _artwork(".jpg", _image((1400, 1400), noise=True)),
    "apple.type.value": (_set("itunes:type", None, "weekly"), {}),
    "apple.serial.episode": (_serial, {}),
    "apple.episode.value": (_set("itunes:episode", None, "0", index=1), {}),
    "apple.episodetype.value": (_set("itunes:episodeType", None, "teaser", index=1), {}),
    "apple.yes-only": (_block_no, {}),
    "apple.deprecated": (_only_deprecated, {}),
    "apple.title.numbers": (_set("title", None, "Épisode 1 : le jardin de l'école", index=1), {}),
    "apple.enclosure.format": (_enclosure(url=_jardin("le-jardin.ogg"), type="audio/ogg"), {}),
    "atom.self.missing": (_remove("atom:link"), {}),
    "atom.self.mismatch": (_set("atom:link", "href", "https://elsewhere.example.org/feed.xml"), {}),
    "atom.self.type": (_set("atom:link", "type", "text/xml"), {}),
    "item.title.missing": (_remove("title", index=1), {}),
    "item.enclosure.missing": (_remove("enclosure", index=1), {}),
    "item.enclosure.multiple": (_multiple_enclosures, {}),
    "item.enclosure.url": (_enclosure(url=None), {}),
    "item.enclosure.length": (_enclosure(length="0"), {}),
    "item.enclosure.length-small": (_enclosure(length="1000"), {}),
    "item.enclosure.type": (_enclosure(type="audio/mp3"), {}),
    "item.enclosure.type-mismatch": (_enclosure(type="audio/x-m4a"), {}),
    "item.enclosure.duplicate": (_duplicate_enclosure, {}),
    "item.enclosure.size-mismatch": (
        _enclosure(url=_jardin("jardin.mp3")), {"media/jardin.mp3": b"\xff\xfb" + bytes(20000)}
    ),
    "item.guid.missing": (_remove("guid", index=1), {}),
    "item.guid.duplicate": (_duplicate_guid, {}),
    "item.guid.permalink": (lambda feed: feed.one(feed.item(1), "guid").attrib.pop("isPermaLink"), {}),
    "item.pubdate.missing": (_remove("pubDate", index=1), {}),
    "item.pubdate.future": (_future, {}),
    "item.duration.missing": (_remove("itunes:duration", index=1), {}),
    "item.duration.invalid": (_set("itunes:duration", None, "1h 2m", index=1), {}),
    "item.duration.fraction": (_set("itunes:duration", None, "17.5", index=1), {}),
    "item.description.missing": (_remove("description", index=1), {}),
    "item.description.length": (_description("<p>" + "x" * 4000 + "</p>"), {}),
    "date.rfc2822": (_set("pubDate", None, "2026-10-05T07:30:00Z", index=1), {}),
    "date.weekday": (_set("pubDate", None, "Tue, 05 Oct 2026 07:30:00 GMT", index=1), {}),
    "notes.html.tags": (_description("<h2>Le jardin</h2><p>Les élèves ont planté un potager.</p>"), {}),
    "notes.html.unsafe": (_description('<p onclick="steal()">Le jardin</p>', "content:encoded"), {}),
    "notes.html.relative-link": (_description('<p><a href="/jardin">Le jardin</a></p>', "content:encoded"), {}),
    "text.length": (_set("title", None, ("Le jardin, " * 30).strip(), index=1), {}),
    "text.whitespace": (_set("itunes:title", None, " Le jardin de l'école ", index=1), {}),
    "url.invalid": (_enclosure(url=_jardin("le jardin.mp3")), {}),
    "url.non-ascii": (_enclosure(url=_jardin("le-jardin-de-l-école.mp3")), {}),
    "url.double-encoded": (_enclosure(url=_jardin("le%2520jardin.mp3")), {}),
    "url.https": (_enclosure(url=_jardin("le-jardin.mp3").replace("https:", "http:")), {}),
    "podcastindex.guid.missing": (_remove("podcast:guid"), {}),
    "podcastindex.guid.invalid": (_set("podcast:guid", None, "quartier-2026"), {}),
    "podcastindex.guid.mismatch": (_set("podcast:guid", None, "9b024349-ccf0-5f69-a609-6b82873eab3c"), {}),
    "podcastindex.locked.missing": (_remove("podcast:locked"), {}),
    "podcastindex.locked.value": (_set("podcast:locked", None, "true"), {}),
    "podcastindex.medium.value": (_set("podcast:medium", None, "radio"), {}),
    "podcastindex.attribute.missing": (lambda feed: feed.one(feed.channel, "podcast:funding").attrib.pop("url"), {}),
    "podcastindex.value.invalid": (_set("podcast:season", None, "one", index=1), {}),
    "podcastindex.count": (_duplicate_medium, {}),
    "podcastindex.transcript.type": (_set("podcast:transcript", "type", "text/srt", index=0), {}),
    "podcastindex.chapters.type": (_set("podcast:chapters", "type", "application/json", index=0), {}),
    "podcastindex.text.length": (_set("podcast:funding", None, "Adhérer " * 20), {}),
    "podcastindex.location.format": (_set("podcast:location", "country", "France"), {}),
    "psc.chapter.invalid": (_psc_no_title, {}),
    "psc.chapters.order": (_psc_order, {}),
    "psc.chapters.multiple": (_psc_multiple, {}),
}


def broken(example: BuiltExample, rule_id: str) -> tuple[bytes, dict[str, bytes]]:
    edit, files = CASES[rule_id]
    if isinstance(edit, ByteEdit):
        return edit(example.feed), files
    feed = parse_feed(example.feed)
    edit(feed)
    return feed.bytes(), files


def test_the_clean_feed_has_no_finding(example: BuiltExample, tmp_path: Path) -> None:
    assert check_bytes(example.feed, tmp_path / "feed") == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_broken_feed_fires_exactly_its_rule(example: BuiltExample, tmp_path: Path, rule_id: str) -> None:
    data, files = broken(example, rule_id)
    findings = check_bytes(data, tmp_path / "feed", files=files)
    assert ids(findings) == {rule_id}, [f"{f.rule.id}: {f.message}" for f in findings]
    for found in findings:
        assert found.message and found.fix and "{" not in found.message and "{" not in found.fix
        assert found.line is None or found.line >= 1


def test_item_findings_name_the_episode_and_line(example: BuiltExample, tmp_path: Path) -> None:
    data, files = broken(example, "item.enclosure.length")
    [found] = check_bytes(data, tmp_path / "feed", files=files)
    assert found.episode is not None
    assert found.episode.index == 2
    assert found.episode.title == "Le jardin de l'école"
    assert found.episode.guid == "7d2b9a41-1c55-4f0e-8a36-5e4b7c9d0f21"
    line = data.decode().splitlines()[found.line - 1]
    assert "<enclosure" in line and 'length="0"' in line


def test_every_rule_has_a_broken_feed() -> None:
    from tests.validation.test_online import ONLINE_CASES

    covered = set(CASES) | set(ONLINE_CASES)
    assert sorted(set(RULES) - covered) == []
    assert sorted(covered - set(RULES)) == []


def test_invalid_utf8_bytes_are_an_encoding_error(example: BuiltExample, tmp_path: Path) -> None:
    data = example.feed.replace("Le jardin de l'école".encode(), "Le jardin de l'\xe9cole".encode("latin-1"), 1)
    findings = check_bytes(data, tmp_path / "feed")
    assert ids(findings) == {"xml.encoding"}
    assert "line" in findings[0].message


def test_a_misspelled_itunes_namespace_is_reported_once_and_its_tags_still_checked(
    example: BuiltExample, tmp_path: Path
) -> None:
    data = example.feed.replace(b'"http://www.itunes.com/dtds/podcast-1.0.dtd"',
                                b'"https://www.itunes.com/DTDs/Podcast-1.0.dtd"')  # fmt: skip
    findings = check_bytes(data, tmp_path / "feed")
    assert ids(findings) == {"namespace.uri"}
    assert "itunes" in findings[0].message


def test_an_atom_feed_is_not_rss(tmp_path: Path) -> None:
    atom = b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
    findings = check_bytes(atom, tmp_path / "feed")
    assert ids(findings) == {"rss.root"}
    assert "Atom" in findings[0].message


def test_big_feeds_are_checked_item_by_item(example: BuiltExample, tmp_path: Path) -> None:
    """A feed of 3,000 items (several MB) is streamed; each duplicate guid is named with its episode."""
    feed = parse_feed(example.feed)
    template = feed.item(1)
    feed.remove(template, "content:encoded")
    for number in range(3000):
        item = deepcopy(template)
        feed.one(item, "guid").text = f"guid-{number % 2000}"
        feed.one(item, "enclosure").set("url", _jardin(f"episode-{number}.mp3"))
        feed.channel.append(item)
    findings = check_bytes(feed.bytes(), tmp_path / "feed")
    assert ids(findings) == {"item.guid.duplicate"}
    assert len(findings) == 1000
    assert findings[0].episode is not None and findings[0].episode.index == 2004

