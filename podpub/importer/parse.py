"""RSS 2.0 (and 0.9x/1.0) or Atom, with the iTunes, Podcasting 2.0, Google Play, Podlove and Media RSS
extensions, read into neutral records.

Namespaces are matched loosely (feeds write `DTDs/Podcast-1.0.dtd`, the old GitHub URI of the
podcast namespace, trailing slashes); URLs are made absolute against the feed's address; every value
that could not be read is left out with a note saying what the feed had.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from copy import deepcopy

import lxml.html
from lxml import etree

from podpub.episodes.chapters import parse_timestamp
from podpub.errors import InputError
from podpub.importer.records import (
    EnclosureRecord,
    FeedRecord,
    InlineChapter,
    ItemRecord,
    LinkRecord,
    PersonRecord,
)
from podpub.importer.values import (
    absolute,
    looks_like_html,
    one_line,
    parse_count,
    parse_date,
    parse_duration,
    parse_flag,
    parse_length,
    unescape_twice_escaped,
)

_NO_NS = ""
_Index = dict[tuple[str, str], list[etree._Element]]


@functools.lru_cache(maxsize=64)
def _family(namespace: str) -> str:
    """A short name for a namespace URI, tolerant of the variants feeds use."""
    ns = namespace.lower().rstrip("/")
    if not ns:
        return _NO_NS
    if "itunes.com/dtds/podcast" in ns:
        return "itunes"
    if "podcastindex.org/namespace" in ns or "podcast-namespace" in ns:
        return "podcast"
    if ns.startswith(("http://purl.org/rss/1.0/modules/content", "https://purl.org/rss/1.0/modules/content")):
        return "content"
    if ns in ("http://www.w3.org/2005/atom", "http://purl.org/atom/ns#"):
        return "atom"
    if "google.com/schemas/play-podcasts" in ns:
        return "googleplay"
    if "podlove.org/simple-chapters" in ns:
        return "psc"
    if ns.startswith("http://purl.org/dc/elements"):
        return "dc"
    if "search.yahoo.com/mrss" in ns:
        return "media"
    if ns == "http://www.w3.org/1999/02/22-rdf-syntax-ns#" or ns.startswith("http://purl.org/rss/1.0"):
        return _NO_NS  # RSS 1.0 elements read like RSS 2.0 ones
    return "other:" + ns


def _name(element: etree._Element) -> tuple[str, str] | None:
    if not isinstance(element.tag, str):
        return None  # comments, entities
    qname = etree.QName(element)
    return _family(qname.namespace or ""), qname.localname


def _index(element: etree._Element) -> _Index:
    index: _Index = {}
    for child in element:
        key = _name(child)
        if key is not None:
            index.setdefault((key[0], key[1].lower()), []).append(child)
    return index


def _all(index: _Index, family: str, local: str) -> list[etree._Element]:
    return index.get((family, local.lower()), [])


def _first(index: _Index, *keys: tuple[str, str]) -> etree._Element | None:
    for family, local in keys:
        found = _all(index, family, local)
        if found:
            return found[0]
    return None


def _text(element: etree._Element | None) -> str:
    """All the text inside an element (entity references left unexpanded are dropped)."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")  # an entity reference's own text ("&lol;") is left out
    return "".join(parts)


def _line(index: _Index, *keys: tuple[str, str]) -> str:
    """The first non-empty one-line text among `keys`."""
    for family, local in keys:
        for element in _all(index, family, local):
            value = one_line(_text(element))
            if value:
                return value
    return ""


def _markup(element: etree._Element) -> str:
    """An element's content as markup: its text, or serialized child elements when a feed put raw
    XHTML in a description instead of escaping it."""
    if len(element) == 0 or all(not isinstance(c.tag, str) for c in element):
        return _text(element)
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            # a copy, not a re-parse of tostring(): an entity left unexpanded (&name; from the feed's DTD)
            # would be "not defined" to a parser without that DTD
            copy = deepcopy(child)
            for node in copy.iter():
                if isinstance(node.tag, str):
                    node.tag = etree.QName(node).localname
            etree.cleanup_namespaces(copy)
            parts.append(etree.tostring(copy, encoding="unicode", method="html", with_tail=False))
        parts.append(child.tail or "")
    return "".join(parts)


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment, paragraphs kept as blank lines (for podcast.toml)."""
    if not looks_like_html(value):
        return value.strip()
    marked = re.sub(r"(?i)<br\s*/?>", "\n", value)
    marked = re.sub(r"(?i)</(p|div|li|h[1-6])>", "\n\n", marked)
    try:
        text = lxml.html.fragment_fromstring(marked, create_parent="div").text_content()
    except (etree.ParserError, ValueError):
        return value.strip()
    lines = [one_line(line) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_feed(root: etree._Element, *, base_url: str | None, label: str) -> FeedRecord:
    """The feed at `root` (an `rss`, RDF or Atom `feed` element) as records."""
    name = _name(root)
    if name == ("atom", "feed"):
        return _atom_feed(root, base_url)
    if name is not None and name[1].lower() in ("rss", "rdf"):
        channel = _first(_index(root), (_NO_NS, "channel"))
        if channel is None:
            raise InputError(f"{label}: an RSS document without <channel>; this is not a podcast feed")
        items = _all(_index(channel), _NO_NS, "item") or _all(_index(root), _NO_NS, "item")
        return _rss_feed(channel, items, base_url)
    shown = etree.QName(root).localname if isinstance(root.tag, str) else "?"
    raise InputError(f"{label}: <{shown}> is neither RSS nor Atom; give the podcast's RSS feed")


# --- RSS ---------------------------------------------------------------------------------------


def _rss_feed(channel: etree._Element, items: list[etree._Element], base_url: str | None) -> FeedRecord:
    c = _index(channel)
    notes: list[str] = []
    self_url = None
    for link in _all(c, "atom", "link"):
        if (link.get("rel") or "").lower() == "self":
            self_url = absolute(link.get("href"), base_url)
    base = base_url or self_url or absolute(_line(c, (_NO_NS, "link")), None)
    owner = _first(c, ("itunes", "owner"))
    owner_index = _index(owner) if owner is not None else {}
    managing = _line(c, (_NO_NS, "managingEditor"), (_NO_NS, "webMaster"))
    managing_email, managing_name = _email_and_name(managing)
    locked_el = _first(c, ("podcast", "locked"))
    explicit_text = _line(c, ("itunes", "explicit"), ("googleplay", "explicit"))
    explicit = parse_flag(explicit_text)
    if explicit_text and explicit is None:
        notes.append(f"channel itunes:explicit {explicit_text!r} means nothing; the show is marked clean")
    record = FeedRecord(
        kind="RSS",
        title=_line(c, (_NO_NS, "title"), ("itunes", "title")),
        description=html_to_text(
            _notes(c, (_NO_NS, "description"), ("itunes", "summary"), ("googleplay", "description"))[0]
        ),
        link=absolute(_line(c, (_NO_NS, "link")), base),
        language=_line(c, (_NO_NS, "language"), ("dc", "language")) or None,
        author=_line(c, ("itunes", "author"), ("googleplay", "author"), ("dc", "creator")) or managing_name,
        owner_name=_line(owner_index, ("itunes", "name")) or None,
        owner_email=_line(owner_index, ("itunes", "email")) or _line(c, ("googleplay", "owner")) or managing_email,
        categories=_itunes_categories(c),
        explicit=explicit,
        show_type=_line(c, ("itunes", "type")).lower() or None,
        image=_image(c, base),
        copyright=_line(c, (_NO_NS, "copyright"), ("dc", "rights")) or None,
        podcast_guid=_line(c, ("podcast", "guid")) or None,
        locked=parse_flag(_text(locked_el)) if locked_el is not None else None,
        locked_owner=_owner_attribute(locked_el),
        new_feed_url=absolute(_line(c, ("itunes", "new-feed-url")), base),
        self_url=self_url,
        block=parse_flag(_line(c, ("itunes", "block"))) is True
        or any(parse_flag(_text(b)) is True and not b.get("id") for b in _all(c, "podcast", "block")),
        complete=parse_flag(_line(c, ("itunes", "complete"))) is True,
        medium=_line(c, ("podcast", "medium")) or None,
        persons=_persons(c),
        funding=[
            (url, one_line(_text(f)) or "Support the show")
            for f in _all(c, "podcast", "funding")
            if (url := absolute(f.get("url"), base))
        ],
        notes=notes,
    )
    record.items = [_rss_item(item, number, base) for number, item in enumerate(items, start=1)]
    return record


def _owner_attribute(locked: etree._Element | None) -> str | None:
    return None if locked is None else (locked.get("owner") or "").strip() or None


def _email_and_name(text: str) -> tuple[str | None, str | None]:
    """`owner@example.org (Ana)` or `Ana <owner@example.org>` into (email, name)."""
    match = re.search(r"[^\s<>()\"']+@[^\s<>()\"']+\.[A-Za-z]{2,}", text)
    if not match:
        return None, None
    rest = one_line((text[: match.start()] + text[match.end() :]).strip(" <>()\"'"))
    return match.group(0), rest.strip("()<> ") or None


def _itunes_categories(c: _Index) -> list[str]:
    result = []
    for category in _all(c, "itunes", "category"):
        name = one_line(category.get("text"))
        if not name:
            continue
        subs = [one_line(s.get("text")) for s in _all(_index(category), "itunes", "category") if s.get("text")]
        result.extend([f"{name} > {sub}" for sub in subs] or [name])
    return result


def _image(index: _Index, base: str | None) -> str | None:
    for element in _all(index, "itunes", "image") + _all(index, "googleplay", "image"):
        url = absolute(element.get("href") or element.get("url") or _text(element), base)
        if url:
            return url
    picture = _first(index, (_NO_NS, "image"))
    if picture is not None:
        url = absolute(_line(_index(picture), (_NO_NS, "url")), base)
        if url:
            return url
    for element in _all(index, "media", "thumbnail"):
        if url := absolute(element.get("url"), base):
            return url
    return None


def _persons(index: _Index) -> list[PersonRecord]:
    result = []
    for element in _all(index, "podcast", "person"):
        name = one_line(_text(element))
        if name:
            result.append(
                PersonRecord(
                    name=name,
                    role=one_line(element.get("role")).lower() or None,
                    group=one_line(element.get("group")).lower() or None,
                    img=absolute(element.get("img"), None),
                    href=absolute(element.get("href"), None),
                )
            )
    return result


def _notes(index: _Index, *keys: tuple[str, str]) -> tuple[str, list[str]]:
    """The richest notes: content:encoded, else description, else a summary; HTML kept as written."""
    for family, local in keys:
        for element in _all(index, family, local):
            value = _markup(element).strip()
            if value:
                value, twice = unescape_twice_escaped(value)
                return value, ["its notes were HTML-escaped twice; unescaped once"] if twice else []
    return "", []


def _rss_item(item: etree._Element, number: int, base: str | None) -> ItemRecord:
    i = _index(item)
    notes_list: list[str] = []
    guid = one_line(_text(_first(i, (_NO_NS, "guid")))) or None
    title = _line(i, (_NO_NS, "title"), ("itunes", "title"))
    date_text = _line(i, (_NO_NS, "pubDate"), ("dc", "date"), ("atom", "published"), ("atom", "updated"))
    date = parse_date(date_text)
    if date_text and date is None:
        notes_list.append(f"its date {date_text!r} is not a date")
    notes, odd = _notes(i, ("content", "encoded"), (_NO_NS, "description"), ("itunes", "summary"),
                        ("googleplay", "description"))  # fmt: skip
    notes_list.extend(odd)
    record = ItemRecord(
        index=number, guid=guid, title=title, date=date, notes=notes, enclosure=_enclosure(i, base, notes_list),
        notes_html=looks_like_html(notes), notes_list=notes_list,
    )  # fmt: skip
    _itunes_item(record, i, base)
    return record


def _enclosure(i: _Index, base: str | None, notes_list: list[str]) -> EnclosureRecord | None:
    candidates = [(e.get("url"), e.get("length"), e.get("type")) for e in _all(i, _NO_NS, "enclosure")]
    candidates += [
        (e.get("href"), e.get("length"), e.get("type"))
        for e in _all(i, "atom", "link")
        if (e.get("rel") or "").lower() == "enclosure"
    ]
    candidates += [(e.get("url"), e.get("fileSize"), e.get("type")) for e in _all(i, "media", "content")]
    usable = [c for c in candidates if (c[0] or "").strip()]
    if not usable:
        return None
    raw_url, length_text, mime = usable[0]
    if len([c for c in candidates if c[0]]) > 1 and len(_all(i, _NO_NS, "enclosure")) > 1:
        notes_list.append(f"it has {len(_all(i, _NO_NS, 'enclosure'))} enclosures; the first is kept")
    url = absolute(raw_url, base)
    if url is None:
        notes_list.append(f"its enclosure URL {raw_url!r} is not an http(s) URL")
        return None
    if raw_url and raw_url.strip() != url:
        kind = "protocol-relative" if raw_url.strip().startswith("//") else "relative"
        notes_list.append(f"its {kind} enclosure URL {raw_url.strip()!r} was read as {url}")
    length = parse_length(length_text)
    if length is None:
        notes_list.append(f"its enclosure has no usable length ({length_text!r})" if length_text else
                          "its enclosure has no length")  # fmt: skip
    return EnclosureRecord(url, length, one_line(mime).lower() or None)


def _itunes_item(record: ItemRecord, i: _Index, base: str | None) -> None:
    """The iTunes and Podcasting 2.0 values of an item (RSS or Atom)."""
    notes = record.notes_list
    duration_text = _line(i, ("itunes", "duration"))
    record.duration_text = duration_text or None
    record.duration = parse_duration(duration_text)
    if duration_text and record.duration is None:
        notes.append(f"its itunes:duration {duration_text!r} is not a duration")
    for key, attribute in (("season", "season"), ("episode", "number")):
        text = _line(i, ("itunes", key), ("podcast", key))
        value = parse_count(text)
        if text and value is None:
            podcast_el = _first(i, ("podcast", key))
            if not (key == "episode" and podcast_el is not None and _decimal(_text(podcast_el))):
                notes.append(f"its {key} {text!r} is not a number of 1 or more")
        setattr(record, attribute, value)
    display = _first(i, ("podcast", "episode"))
    if display is not None and display.get("display"):
        record.episode_display = one_line(display.get("display"))[:32]
    kind = _line(i, ("itunes", "episodeType")).lower()
    if kind and kind not in ("full", "trailer", "bonus"):
        notes.append(f"its itunes:episodeType {kind!r} is not full, trailer or bonus; imported as full")
        kind = ""
    record.episode_type = kind or None
    explicit_text = _line(i, ("itunes", "explicit"), ("googleplay", "explicit"))
    record.explicit = parse_flag(explicit_text)
    if explicit_text and record.explicit is None:
        notes.append(f"its itunes:explicit {explicit_text!r} means nothing; the show's setting applies")
    record.block = parse_flag(_line(i, ("itunes", "block"), ("googleplay", "block"))) is True
    record.image = _image({k: v for k, v in i.items() if k[0] in ("itunes", "googleplay")}, base)
    for element in _all(i, "podcast", "transcript"):
        url = absolute(element.get("url"), base)
        if url:
            record.transcripts.append(
                LinkRecord(url, one_line(element.get("type")).lower() or None,
                           one_line(element.get("language")) or None, one_line(element.get("rel")) or None)
            )  # fmt: skip
    chapters = _first(i, ("podcast", "chapters"))
    if chapters is not None and (url := absolute(chapters.get("url"), base)):
        record.chapters = LinkRecord(url, one_line(chapters.get("type")).lower() or None)
    record.inline_chapters = list(_psc_chapters(i, base))
    record.persons = _persons(i)


def _decimal(text: str) -> bool:
    return bool(re.match(r"^\d+(\.\d+)?$", one_line(text)))


def _psc_chapters(i: _Index, base: str | None) -> Iterable[InlineChapter]:
    container = _first(i, ("psc", "chapters"))
    if container is None:
        return
    for element in _all(_index(container), "psc", "chapter"):
        start = _npt(element.get("start"))
        title = one_line(element.get("title"))
        if start is not None and title:
            yield InlineChapter(start, title, absolute(element.get("href"), base))


def _npt(text: str | None) -> float | None:
    try:
        return parse_timestamp(one_line(text))
    except ValueError:
        return None


# --- Atom --------------------------------------------------------------------------------------


def _atom_text(element: etree._Element | None) -> str:
    """An Atom text construct: xhtml serialized, html as written, text as text."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").lower()
    if kind == "xhtml":
        divs = [c for c in element if isinstance(c.tag, str)]
        holder = divs[0] if len(divs) == 1 else element
        return _markup(holder).strip()
    return _text(element).strip()


def _atom_feed(root: etree._Element, base_url: str | None) -> FeedRecord:
    f = _index(root)
    self_url = None
    link = None
    for element in _all(f, "atom", "link"):
        rel = (element.get("rel") or "alternate").lower()
        if rel == "self":
            self_url = absolute(element.get("href"), base_url)
        elif rel == "alternate" and link is None:
            link = element.get("href")
    base = base_url or self_url
    author = _first(f, ("atom", "author"))
    author_index = _index(author) if author is not None else {}
    owner = _first(f, ("itunes", "owner"))
    owner_index = _index(owner) if owner is not None else {}
    logo = _line(f, ("atom", "logo"), ("atom", "icon"))
    locked_el = _first(f, ("podcast", "locked"))
    record = FeedRecord(
        kind="Atom",
        title=one_line(html_to_text(_atom_text(_first(f, ("atom", "title"))))),
        description=html_to_text(_atom_text(_first(f, ("atom", "subtitle"), ("itunes", "summary")))),
        link=absolute(link, base),
        language=(root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip() or None,
        author=_line(f, ("itunes", "author")) or _line(author_index, ("atom", "name")) or None,
        owner_name=_line(owner_index, ("itunes", "name")) or _line(author_index, ("atom", "name")) or None,
        owner_email=_line(owner_index, ("itunes", "email")) or _line(author_index, ("atom", "email")) or None,
        categories=_itunes_categories(f),
        explicit=parse_flag(_line(f, ("itunes", "explicit"))),
        show_type=_line(f, ("itunes", "type")).lower() or None,
        image=_image(f, base) or absolute(logo, base),
        copyright=one_line(_atom_text(_first(f, ("atom", "rights")))) or None,
        podcast_guid=_line(f, ("podcast", "guid")) or None,
        locked=parse_flag(_text(locked_el)) if locked_el is not None else None,
        locked_owner=_owner_attribute(locked_el),
        new_feed_url=absolute(_line(f, ("itunes", "new-feed-url")), base),
        self_url=self_url,
        persons=_persons(f),
    )
    entries = _all(f, "atom", "entry")
    record.items = [_atom_entry(entry, number, base) for number, entry in enumerate(entries, start=1)]
    return record


def _atom_entry(entry: etree._Element, number: int, base: str | None) -> ItemRecord:
    e = _index(entry)
    notes_list: list[str] = []
    date_text = _line(e, ("atom", "published"), ("atom", "updated"), ("atom", "issued"), ("atom", "modified"))
    date = parse_date(date_text)
    if date_text and date is None:
        notes_list.append(f"its date {date_text!r} is not a date")
    notes = _atom_text(_first(e, ("atom", "content"))) or _atom_text(_first(e, ("atom", "summary")))
    notes, twice = unescape_twice_escaped(notes)
    if twice:
        notes_list.append("its notes were HTML-escaped twice; unescaped once")
    record = ItemRecord(
        index=number,
        guid=_line(e, ("atom", "id")) or None,
        title=one_line(html_to_text(_atom_text(_first(e, ("atom", "title"))))),
        date=date,
        notes=notes,
        enclosure=_enclosure(e, base, notes_list),
        notes_html=looks_like_html(notes),
        notes_list=notes_list,
    )
    _itunes_item(record, e, base)
    return record
