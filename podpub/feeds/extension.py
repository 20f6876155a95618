"""A feedgen extension for what feedgen 1.0.0 lacks or gets wrong (feed-rules.md §6.3).

- `itunes:explicit` must be `true`/`false` (Apple, PSP-1, W3C `InvalidTrueFalse`); feedgen's
  `itunes_explicit()` only accepts `yes`/`no`/`clean`, so it is never called and this extension writes
  the tag for the channel and each item.
- `itunes:image` is written here for the channel and the items: feedgen silently drops a channel image
  whose URL does not end in `.jpg`/`.png`, and rejects `.jpeg` for items. We raise instead.
- `itunes:category` is written here: feedgen looks categories up with an XPath built from the name,
  which breaks on a quote, and validates nothing.
- `podcast:guid` and `podcast:locked` do not exist in feedgen, nor does the rest of the podcast namespace or
  Podlove Simple Chapters: `podpub.feeds.render` turns the model into `Tag`s (already cleaned, attribute
  values already `str`) and the extensions only append them, so the tag logic stays testable in one place.
- `itunes:block`/`itunes:complete`/`itunes:new-feed-url` are written here too: feedgen writes `yes`, and
  Apple only honours `Yes`.
- Item `<description>` and `content:encoded` are written as CDATA (Apple asks for it); feedgen only
  CDATA-wraps one of them and escapes the description.
- `lastBuildDate`/`pubDate`: feedgen defaults `lastBuildDate` to now(); we set both to a given date or
  remove them, so identical inputs give identical bytes.

Register it under the name `podpub` (the name `podcast` is taken by feedgen's own iTunes extension):
``fg.register_extension(EXTENSION_NAME, PodpubExtension, PodpubEntryExtension, atom=False)``.
Only a *feed* extension's `extend_ns` reaches the root `nsmap`, so `PodpubExtension.extend_ns` declares
every prefix the items use too (`psc` only when an item has inline chapters: see `PodpubExtension.uses_psc`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem
from lxml import etree

EXTENSION_NAME = "podpub"

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
#: Podlove Simple Chapters. No trailing slash: `.../simple-chapters/` is another namespace to strict readers.
PSC_NS = "http://podlove.org/simple-chapters"
#: RFC 5005 Feed Paging and Archiving (`fh:archive`, `fh:complete`)
FH_NS = "http://purl.org/syndication/history/1.0"

#: Conventional prefixes; AntennaPod only recognizes `itunes` and (for the official URI) `podcast`.
NAMESPACES: dict[str, str] = {
    "itunes": ITUNES_NS,
    "podcast": PODCAST_NS,
    "atom": ATOM_NS,
    "content": CONTENT_NS,
}

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class Tag:
    """One element (with its children) for an extension to append, built by the renderer.

    A plain value rather than an lxml element so the renderer can build the whole list before feedgen
    creates the document, and so attribute order (a tuple, in the order given) is part of the value:
    the same inputs give the same bytes.
    """

    name: str  # Clark notation, "{namespace-uri}local-name"
    attrs: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    children: tuple[Tag, ...] = ()

    def write(self, parent: etree._Element) -> etree._Element:
        """Append this element (and its children) to `parent`; returns the new element."""
        element = xml_elem(self.name, parent, attrib=dict(self.attrs))
        if self.text is not None:
            element.text = self.text
        for child in self.children:
            child.write(element)
        return element


def tag(element: str, text: str | None = None, /, children: Iterable[Tag] = (), **attrs: str | None) -> Tag:
    """Build a `Tag`, leaving out attributes whose value is None (the namespace's optional attributes
    are absent rather than empty). Values must already be `str`: lxml refuses ints, and the caller decides
    how a number is spelled. `element` and `text` are positional-only so that `name=` and `text=` stay
    free for attributes (`podcast:season name=`)."""
    for key, value in attrs.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"attribute {key!r} must be str, not {type(value).__name__}")
    kept = tuple((key, value) for key, value in attrs.items() if value is not None)
    return Tag(name=element, attrs=kept, text=text, children=tuple(children))


def check_image_url(url: str) -> str:
    """Return `url` if Apple will take it as artwork, else raise ValueError.

    Apple requires an absolute URL whose file name ends in the image type; a query string (`?v=2`)
    hides the extension, so the whole URL must end with it. Version artwork by file name instead.
    """
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError(f"artwork URL must be absolute http(s): {url!r}")
    if not url.lower().endswith(IMAGE_EXTENSIONS):
        raise ValueError(f"artwork URL must end in .jpg, .jpeg or .png (Apple ignores others): {url!r}")
    return url


def true_false(value: bool) -> str:
    """Apple's and PSP-1's spelling of a boolean `itunes:explicit`."""
    return "true" if value else "false"


def cdata(html: str) -> etree.CDATA:
    """Wrap HTML in CDATA; a literal `]]>` (which would end the section) becomes `]]&gt;`.

    The replacement is safe because the CDATA content is HTML, where `&gt;` means `>` both in text
    and in attribute values.
    """
    return etree.CDATA(html.replace("]]>", "]]&gt;"))


def rfc2822(value: datetime) -> str:
    """RFC 2822 date in GMT, as in Apple's example (`Wed, 15 Jun 2019 19:00:00 GMT`).

    Unlike feedgen's `formatRFC2822` this neither depends on nor switches the process locale.
    """
    if value.tzinfo is None:
        raise ValueError("feed dates must be timezone-aware")
    return format_datetime(value.astimezone(UTC), usegmt=True)


class PodpubExtension(BaseExtension):
    """Channel-level tags feedgen cannot write correctly (see the module docstring)."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.image_url: str | None = None
        self.categories: list[tuple[str, str | None]] = []
        self.podcast_guid: str | None = None
        self.locked: bool | None = None
        self.locked_owner: str | None = None
        self.date: datetime | None = None
        self.tags: list[Tag] = []  # appended after podcast:locked, in order
        self.uses_psc = False  # some item carries psc:chapters
        self.history_links: list[tuple[str, str]] = []  # RFC 5005 (rel, href), after the rel=self atom:link
        self.history_marker: str | None = None  # "archive" or "complete": fh:archive / fh:complete

    def set_image(self, url: str) -> None:
        """Channel `itunes:image`; raises ValueError for a URL Apple would ignore."""
        self.image_url = check_image_url(url)

    def set_categories(self, categories: Iterable[tuple[str, str | None]]) -> None:
        """`(name, subcategory)` pairs in the show's order (Apple only reads the first)."""
        self.categories = list(categories)

    def set_locked(self, locked: bool, owner: str | None = None) -> None:
        """`podcast:locked` yes/no; `owner` is the email other hosts ask to confirm a move."""
        self.locked = locked
        self.locked_owner = owner or None

    def set_date(self, date: datetime | None) -> None:
        """`lastBuildDate` and `pubDate`; None removes both (a feed with no episodes)."""
        if date is not None:
            rfc2822(date)  # fail early on a naive datetime
        self.date = date

    def extend_ns(self) -> dict[str, str]:
        """The document's prefixes, in a fixed order. `psc` is declared only when used, so a feed without
        inline chapters keeps exactly the four namespaces Apple and PSP-1 expect (and its bytes)."""
        namespaces = dict(NAMESPACES)
        if self.uses_psc:
            namespaces["psc"] = PSC_NS
        if self.history_marker:
            namespaces["fh"] = FH_NS
        return namespaces

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = rss_feed[0]
        self._write_dates(channel)
        if self.image_url:
            xml_elem(f"{{{ITUNES_NS}}}image", channel, href=self.image_url)
        for name, subs in _group_categories(self.categories):
            category = xml_elem(f"{{{ITUNES_NS}}}category", channel, attrib={"text": name})
            for sub in subs:
                xml_elem(f"{{{ITUNES_NS}}}category", category, attrib={"text": sub})
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = true_false(self.explicit)
        if self.podcast_guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.podcast_guid
        if self.locked is not None:
            attrs = {"owner": self.locked_owner} if self.locked_owner else {}
            xml_elem(f"{{{PODCAST_NS}}}locked", channel, **attrs).text = "yes" if self.locked else "no"
        for extra in self.tags:
            extra.write(channel)
        self._write_history(channel)
        return rss_feed

    def _write_history(self, channel: etree._Element) -> None:
        """RFC 5005 paging: `atom:link`s to the other documents right after this one's rel=self link
        (feedgen writes it), and the `fh:archive` or `fh:complete` marker."""
        anchor = next((e for e in channel.iterchildren(f"{{{ATOM_NS}}}link") if e.get("rel") == "self"), None)
        for rel, href in self.history_links:
            link = etree.Element(f"{{{ATOM_NS}}}link", attrib={"rel": rel, "href": href, "type": "application/rss+xml"})
            _insert_after(channel, anchor, link)
            anchor = link
        if self.history_marker:
            xml_elem(f"{{{FH_NS}}}{self.history_marker}", channel)

    def _write_dates(self, channel: etree._Element) -> None:
        """Replace feedgen's now()-based `lastBuildDate` by our date, or drop it; add `pubDate`."""
        anchor = channel.find("lastBuildDate")
        for old in channel.findall("lastBuildDate") + channel.findall("pubDate"):
            if old is not anchor:
                channel.remove(old)
        if self.date is None:
            if anchor is not None:
                channel.remove(anchor)
            return
        text = rfc2822(self.date)
        if anchor is None:
            anchor = xml_elem("lastBuildDate", channel)
        anchor.text = text
        pub_date = etree.Element("pubDate")
        pub_date.text = text
        anchor.addnext(pub_date)


def _group_categories(
    categories: Iterable[tuple[str, str | None]],
) -> list[tuple[str, list[str]]]:
    """Nest subcategories under one element per category, first-seen order, duplicates dropped."""
    grouped: dict[str, list[str]] = {}
    for name, sub in categories:
        subs = grouped.setdefault(name, [])
        if sub and sub not in subs:
            subs.append(sub)
    return list(grouped.items())


class PodpubEntryExtension(BaseEntryExtension):
    """Item-level tags: `pubDate`, `itunes:explicit`, `itunes:image`, CDATA `description` and
    `content:encoded`, then the renderer's `tags` (podcast namespace, `psc:chapters`)."""

    def __init__(self) -> None:
        self.date: datetime | None = None
        self.explicit: bool | None = None
        self.image_url: str | None = None
        self.description_html: str | None = None
        self.content_html: str | None = None
        self.tags: list[Tag] = []  # appended after itunes:explicit, in order

    def set_image(self, url: str) -> None:
        """Item `itunes:image`; raises ValueError for a URL Apple would ignore."""
        self.image_url = check_image_url(url)

    def set_date(self, date: datetime) -> None:
        """Item `pubDate` (GMT); written here so channel and items share one date format."""
        rfc2822(date)  # fail early on a naive datetime
        self.date = date

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        if self.date is not None:
            for old in entry.findall("pubDate"):
                entry.remove(old)
            pub_date = etree.Element("pubDate")
            pub_date.text = rfc2822(self.date)
            _insert_after(entry, _last_of(entry, ("guid", "enclosure")), pub_date)
        anchor = entry.find("link")
        if anchor is None:
            anchor = entry.find("title")
        for old in entry.findall("description") + entry.findall(f"{{{CONTENT_NS}}}encoded"):
            entry.remove(old)
        if self.content_html:
            content = etree.Element(f"{{{CONTENT_NS}}}encoded")
            content.text = cdata(self.content_html)
            _insert_after(entry, anchor, content)
        if self.description_html:
            description = etree.Element("description")
            description.text = cdata(self.description_html)
            _insert_after(entry, anchor, description)
        if self.image_url:
            xml_elem(f"{{{ITUNES_NS}}}image", entry, href=self.image_url)
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", entry).text = true_false(self.explicit)
        for extra in self.tags:
            extra.write(entry)
        return entry


def _last_of(parent: etree._Element, tags: tuple[str, ...]) -> etree._Element | None:
    """The last direct child whose tag is one of `tags` (an insertion point that keeps RSS order)."""
    found = None
    for child in parent:
        if child.tag in tags:
            found = child
    return found


def _insert_after(parent: etree._Element, anchor: etree._Element | None, new: etree._Element) -> None:
    """Insert `new` right after `anchor`, or at the end when there is no anchor."""
    if anchor is None:
        parent.append(new)
    else:
        anchor.addnext(new)
