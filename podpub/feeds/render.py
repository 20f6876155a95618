"""Render a show and its published episodes to RSS 2.0 bytes that Apple, Spotify and the apps accept.

feedgen builds the document; `podpub.feeds.extension` fills its gaps (true/false explicit, artwork
checks, categories, `podcast:guid`/`locked`, CDATA, dates); this module turns the rest of the podcast
namespace and Podlove Simple Chapters into `Tag`s the extension appends. Rendering is a pure function of its inputs:
no clock is read (the channel dates are the newest episode's), entries are sorted with full tie-breaks
and namespaces are declared in a fixed order, so the same show gives byte-identical feeds and an
unchanged feed is never re-uploaded or re-fetched for nothing.
"""

from __future__ import annotations

import base64
import html
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from podpub import __version__, canonical
from podpub.episodes.model import Episode
from podpub.feeds.extension import (
    ATOM_NS,
    CONTENT_NS,
    EXTENSION_NAME,
    ITUNES_NS,
    PODCAST_NS,
    PSC_NS,
    PodpubEntryExtension,
    PodpubExtension,
    Tag,
    check_image_url,
    rfc2822,
    tag,
    true_false,
)
from podpub.feeds.notes import current_cache, render_notes, summary_html
from podpub.feeds.text import clean_line, clean_text, truncate_utf8
from podpub.namespace import License, Location, Person, RemoteItem, SocialInteract, Soundbite, UpdateFrequency
from podpub.podcasts.model import Show

#: Apple's (and PSP-1's) limit on `<description>`, in UTF-8 bytes.
DESCRIPTION_LIMIT = 4000

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def with_stylesheets(xml: bytes, stylesheets: Sequence[tuple[str, str]]) -> bytes:
    """The feed with `<?xml-stylesheet?>` instructions right after its XML declaration, so a browser
    shows people a page (the XSL first; CSS where XSLT is gone) while apps read the RSS unchanged.

    `stylesheets` are (type, href) pairs; hrefs are relative to the feed, which keeps them same-origin
    as browsers require for XSLT.
    """
    if not stylesheets:
        return xml
    if not xml.startswith(XML_DECLARATION):
        raise ValueError("the feed must start with podpub's XML declaration")
    instructions = "".join(
        f'<?xml-stylesheet type="{html.escape(kind)}" href="{html.escape(href)}"?>\n' for kind, href in stylesheets
    )
    return XML_DECLARATION + instructions.encode("utf-8") + xml[len(XML_DECLARATION) :]

#: `podcast:chapters` type the namespace prefers (apps match on it to pick the JSON chapters parser).
JSON_CHAPTERS_TYPE = "application/json+chapters"
#: The Podlove Simple Chapters version we write; podcastparser warns on anything but 1.1/1.2.
PSC_VERSION = "1.2"


@dataclass(frozen=True)
class FeedChapter:
    """One chapter for the inline Podlove Simple Chapters list (`psc:chapter`)."""

    start: float  # seconds
    title: str
    href: str | None = None  # absolute URL
    image: str | None = None  # absolute URL


@dataclass(frozen=True)
class FeedTranscript:
    """A published transcript file (`podcast:transcript`)."""

    url: str
    type: str  # text/vtt, application/x-subrip, application/json, text/html, text/plain
    language: str | None = None
    captions: bool = False  # rel="captions": the file has timecodes


@dataclass(frozen=True)
class FeedAlternate:
    """A published alternate encoding (`podcast:alternateEnclosure` with `podcast:source` and integrity)."""

    url: str
    type: str
    length: int
    sha256: str  # hex; rendered as an SRI "sha256-<base64>" podcast:integrity
    bitrate: int | None = None  # bits per second
    codecs: str | None = None  # RFC 6381, e.g. "opus", "mp4a.40.2"
    title: str | None = None
    default: bool = False


@dataclass(frozen=True)
class FeedEpisode:
    """An episode ready for the feed: the caller has decided it is published and where its files live."""

    episode: Episode  # episode.media (MediaInfo) is set; episode.status(now) already PUBLISHED
    enclosure_url: str  # absolute URL
    image_url: str | None = None  # absolute URL of the episode artwork, if any
    link: str | None = None  # episode web page, if any
    image_size: tuple[int, int] | None = None  # width, height of the episode artwork (podcast:image)
    image_type: str | None = None  # its MIME type
    chapters_url: str | None = None  # the published JSON chapters file (podcast:chapters)
    chapters: tuple[FeedChapter, ...] = ()  # the same chapters, inline as psc:chapters
    transcripts: tuple[FeedTranscript, ...] = ()
    alternates: tuple[FeedAlternate, ...] = ()


def duration_seconds(seconds: float) -> int:
    """Whole seconds, rounded half up: Apple recommends an integer `itunes:duration`, and the W3C
    validator rejects fractions. Decimal avoids float surprises such as `round(2.5) == 2`."""
    return int(Decimal(repr(seconds)).to_integral_value(rounding=ROUND_HALF_UP))


def order_items(show: Show, items: Sequence[FeedEpisode]) -> list[FeedEpisode]:
    """Feed order: episodic shows newest first (ties by guid), serial shows in listening order.

    Serial order is season, episode number, date, guid; a missing season or number sorts as 0, so a
    show trailer (no season, no number) comes first and a season trailer opens its season.
    """
    if show.type == "serial":
        return sorted(
            items,
            key=lambda i: (i.episode.season or 0, i.episode.number or 0, i.episode.date, i.episode.guid),
        )
    by_guid = sorted(items, key=lambda i: i.episode.guid)
    return sorted(by_guid, key=lambda i: i.episode.date, reverse=True)  # stable: guid order on ties


@dataclass(frozen=True)
class FeedPaging:
    """Where one document of a paged feed sits (RFC 5005): its own URL and the other documents'.

    The subscription feed (`feed.xml`) links its newest archive page as `prev-archive`; an archive
    page (`fh:archive`) links the subscription feed as `current` and its older and newer pages;
    a complete feed (`fh:complete`) holds every episode and links nothing.
    """

    self_url: str
    current: str | None = None  # archive pages: the subscription feed
    prev_archive: str | None = None  # the next older archive page
    next_archive: str | None = None  # the next newer archive page
    marker: str | None = None  # "archive" (fh:archive) or "complete" (fh:complete)

    def links(self) -> list[tuple[str, str]]:
        pairs = (("current", self.current), ("prev-archive", self.prev_archive), ("next-archive", self.next_archive))
        return [(rel, clean_text(href)) for rel, href in pairs if href]


def render_feed(
    show: Show,
    items: Sequence[FeedEpisode],
    *,
    image_url: str | None,
    image_size: tuple[int, int] | None = None,
    image_type: str | None = None,
    paging: FeedPaging | None = None,
) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration. Raises ValueError for an episode without
    media information or an artwork URL Apple would ignore (not ending in .jpg, .jpeg or .png).

    With `paging`, the document is one page of a paged feed: its own rel=self URL, RFC 5005 links
    and marker (see `FeedPaging`); `items` are that page's episodes."""
    fg, ordered = feed_channel(
        show, items, image_url=image_url, image_size=image_size, image_type=image_type, paging=paging
    )
    # The channel alone, then each item's XML (from the render cache when its inputs are unchanged)
    # spliced in before </channel>: the same bytes feedgen writes for the whole document.
    body: bytes = fg.rss_str(pretty=True, xml_declaration=False, encoding="UTF-8")
    end = body.rindex(CHANNEL_END)
    items_xml = ItemWriter(show).render(ordered)
    return b"".join((XML_DECLARATION, body[:end], *items_xml, body[end:]))


def feed_channel(
    show: Show,
    items: Sequence[FeedEpisode],
    *,
    image_url: str | None,
    image_size: tuple[int, int] | None = None,
    image_type: str | None = None,
    paging: FeedPaging | None = None,
) -> tuple[FeedGenerator, list[FeedEpisode]]:
    """feedgen's generator with the channel set up (no items yet) and the items in feed order."""
    for item in items:
        if item.episode.media is None:
            raise ValueError(f"episode {item.episode.guid!r} has no media information")

    fg = FeedGenerator()
    fg.load_extension("podcast")  # feedgen's itunes:* (its itunes_explicit() is never called)
    fg.register_extension(EXTENSION_NAME, PodpubExtension, PodpubEntryExtension, atom=False)
    ext: PodpubExtension = getattr(fg, EXTENSION_NAME)

    title = clean_line(show.title)
    site = clean_text(show.link or show.publish.base_url)
    fg.title(title)
    # feedgen writes the first rel=self as atom:link and the LAST link as <link>: self first.
    self_url = paging.self_url if paging else show.publish.feed_url
    fg.link(href=clean_text(self_url), rel="self", type="application/rss+xml")
    fg.link(href=site, rel="alternate")
    fg.description(truncate_utf8(clean_text(show.description) or title, DESCRIPTION_LIMIT))
    fg.language(clean_text(show.language))
    if show.copyright and clean_line(show.copyright):
        fg.copyright(clean_line(show.copyright))
    fg.generator(f"podpub {__version__}")

    author = clean_line(show.author)
    if author:
        fg.podcast.itunes_author(author)
    owner_name, owner_email = clean_line(show.owner_name), clean_line(show.owner_email)
    if owner_name and owner_email:
        fg.podcast.itunes_owner(name=owner_name, email=owner_email)
    fg.podcast.itunes_type(show.type)
    if image_url:
        url = check_image_url(clean_text(image_url))
        ext.set_image(url)
        fg.image(url=url, title=title, link=site)
    ext.set_categories(
        (clean_line(c.name), clean_line(c.subcategory) if c.subcategory else None) for c in show.categories
    )
    ext.explicit = show.explicit
    ext.podcast_guid = clean_text(show.guid) or None
    ext.set_locked(show.locked, owner_email)
    ext.set_date(max((i.episode.date for i in items), default=None))
    ordered = order_items(show, items)
    ext.tags = channel_tags(show, ordered)
    if image_url:
        ext.tags.insert(1, image_tag(image_url, image_size, image_type))
    ext.uses_psc = any(item.chapters for item in items)
    if paging is not None:
        ext.history_links = paging.links()
        ext.history_marker = paging.marker
    return fg, ordered


#: where the items go: feedgen writes them last in the channel
CHANNEL_END = b"  </channel>\n</rss>"
#: every prefix an item may use, declared on the wrapper an item is serialized in (as on the feed's root)
_ITEM_NAMESPACES = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "content": CONTENT_NS, "psc": PSC_NS}


class ItemWriter:
    """Each `<item>` of a feed as bytes, exactly as feedgen writes it inside the whole document.

    An item's XML depends only on the item, the show and podpub's code, so it is kept in the render
    cache (`notes.cached`, beside the rendered notes) under a digest of those three: a build where a
    few of 10,000 episodes changed serializes a few items and joins the rest. An item is written
    by feedgen and podpub's extension as before, inside an `rss/channel` with the feed's namespace
    prefixes, with lxml's pretty printing, and cut out of it, so the spliced document is
    byte-identical to one feedgen writes whole.
    """

    def __init__(self, show: Show) -> None:
        self.show = show
        self.show_digest = canonical.digest(canonical.code_version(), show)
        self.fg = FeedGenerator()
        self.fg.load_extension("podcast")
        self.fg.register_extension(EXTENSION_NAME, PodpubExtension, PodpubEntryExtension, atom=False)

    def render(self, ordered: Sequence[FeedEpisode]) -> list[bytes]:
        cache = current_cache()
        base = self.show.publish.base_url
        keys = [canonical.digest_of(item) for item in ordered]
        texts = [cache.lookup("item", self.show_digest, key) for key in keys]
        missing = [index for index, text in enumerate(texts) if text is None]
        for index, item in enumerate(ordered):
            if texts[index] is not None:  # its notes outlive a warm build: see NotesCache.keep
                cache.keep("notes", base, item.episode.notes)
        for index, text in zip(missing, self._write([ordered[i] for i in missing]), strict=True):
            cache.store("item", self.show_digest, keys[index], value=text)
            texts[index] = text
        return [text.encode("utf-8") for text in texts if text is not None]

    def _write(self, items: Sequence[FeedEpisode]) -> list[str]:
        """The items' XML, serialized together (one lxml call) and cut apart at comments between them
        whose text no item can contain (a random token)."""
        if not items:
            return []
        wrapper = etree.Element("rss", nsmap=_ITEM_NAMESPACES)
        channel = etree.SubElement(wrapper, "channel")
        marker = f"podpub-item-{uuid.uuid4().hex}"
        for number, item in enumerate(items):
            fe = _add_item(self.fg, self.show, item)
            self.fg.remove_entry(fe)
            if number:
                channel.append(etree.Comment(marker))
            channel.append(fe.rss_entry())
        text: str = etree.tostring(wrapper, pretty_print=True, encoding="unicode")
        start = text.index("<channel>\n") + len("<channel>\n")
        parts = text[start : text.rindex(CHANNEL_END.decode("ascii"))].split(f"    <!--{marker}-->\n")
        if len(parts) != len(items):
            raise RuntimeError("podpub could not split the serialized feed items")  # a bug, not bad input
        return parts


def _add_item(fg: FeedGenerator, show: Show, item: FeedEpisode) -> FeedEntry:
    episode, media = item.episode, item.episode.media
    assert media is not None  # checked by render_feed
    fe = fg.add_entry(order="append")
    ext: PodpubEntryExtension = getattr(fe, EXTENSION_NAME)

    title = clean_line(episode.title)
    fe.title(title)
    fe.guid(clean_text(episode.guid), permalink=False)
    fe.enclosure(clean_text(item.enclosure_url), str(media.size), clean_text(media.mime_type))
    if item.link and clean_text(item.link):
        fe.link(href=clean_text(item.link), rel="alternate")
    ext.set_date(episode.date)

    fe.podcast.itunes_title(title)
    if math.isfinite(media.duration) and media.duration > 0:  # 0: unknown (remote audio without a duration)
        fe.podcast.itunes_duration(duration_seconds(media.duration))
    fe.podcast.itunes_episode_type(episode.type)
    if episode.season is not None:
        fe.podcast.itunes_season(episode.season)
    if episode.number is not None:
        fe.podcast.itunes_episode(episode.number)
    if item.image_url:
        ext.set_image(clean_text(item.image_url))
    ext.explicit = show.explicit if episode.explicit is None else episode.explicit

    notes_html = render_notes(episode.notes, show.publish.base_url)
    description = summary_html(notes_html, DESCRIPTION_LIMIT) if notes_html else ""
    if not description:  # no notes (or nothing Apple allows in them): the title stands in
        description = summary_html(html.escape(title, quote=False), DESCRIPTION_LIMIT)
    fe.description(description)  # replaced by the CDATA version; keeps feedgen's checks happy
    ext.description_html = description
    ext.content_html = notes_html or None
    ext.tags = item_tags(show, item)
    return fe


# --- podcast namespace and Podlove Simple Chapters -----------------------------------------------------


def _pc(local: str) -> str:
    return f"{{{PODCAST_NS}}}{local}"


def _it(local: str) -> str:
    return f"{{{ITUNES_NS}}}{local}"


def _psc(local: str) -> str:
    return f"{{{PSC_NS}}}{local}"


def _opt_text(value: str | None) -> str | None:
    """`clean_text` for an optional attribute: None (left out) when unset or blank, never `""`, which
    readers would take as a value."""
    cleaned = clean_text(value) if value is not None else ""
    return cleaned or None


def _opt_line(value: str | None) -> str | None:
    """`clean_line` for an optional one-line value; None when unset or blank."""
    cleaned = clean_line(value) if value is not None else ""
    return cleaned or None


def seconds_text(seconds: float) -> str:
    """A time in seconds as the namespace's attributes want it (`podcast:soundbite`): a plain decimal,
    rounded half up to milliseconds, without trailing zeros (`73`, `1.5`, `12.346`), so the text does
    not depend on float `repr` noise such as `0.30000000000000004`."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a time in seconds: {seconds!r}")
    value = Decimal(repr(seconds)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def npt(seconds: float) -> str:
    """Normal Play Time `HH:MM:SS.mmm` for `psc:chapter start`: the full form is the one every reader
    takes (feedparser's pattern needs two-digit fields; podcastparser and the Podlove spec take it too)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a chapter start in seconds: {seconds!r}")
    millis = int((Decimal(repr(seconds)) * 1000).to_integral_value(rounding=ROUND_HALF_UP))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def sri_sha256(hex_digest: str) -> str:
    """A hex SHA-256 as an SRI string (`sha256-<base64 of the 32 raw bytes>`), the `podcast:integrity`
    form the namespace prefers. SRI encodes the digest bytes, not the hex text: a common mistake."""
    try:
        digest = bytes.fromhex(hex_digest.strip())
    except ValueError as exc:
        raise ValueError(f"not a hex SHA-256: {hex_digest!r}") from exc
    if len(digest) != 32:
        raise ValueError(f"not a hex SHA-256 (need 64 hex digits): {hex_digest!r}")
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def iso8601(value: datetime) -> str:
    """`podcast:updateFrequency dtstart`: the namespace links JavaScript's `toISOString`, so an aware
    time is written in UTC as `2025-01-01T00:00:00.000Z`; a naive one (a floating local time, which
    RFC 5545 allows) is written as given, without an offset rather than with an invented one."""
    if value.tzinfo is None:
        return value.isoformat(timespec="milliseconds")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def person_tags(persons: Iterable[Person]) -> list[Tag]:
    """`podcast:person` for each person, first occurrence of a (name, role) pair only.

    Role and group are lower-cased: the taxonomy is case-insensitive, but some apps compare strings.
    Blank names are skipped (the namespace requires a name).
    """
    seen: set[tuple[str, str]] = set()
    out: list[Tag] = []
    for person in persons:
        name = clean_line(person.name)
        role = clean_line(person.role).lower() or "host"
        group = clean_line(person.group).lower() or "cast"
        if not name or (name, role) in seen:
            continue
        seen.add((name, role))
        out.append(
            tag(_pc("person"), name, role=role, group=group, img=_opt_text(person.img), href=_opt_text(person.href))
        )
    return out


def license_tag(value: License) -> Tag:
    """`podcast:license`: the slug as text, `url` only when given (required for custom licenses)."""
    return tag(_pc("license"), clean_line(value.slug), url=_opt_text(value.url))


def location_tag(value: Location) -> Tag:
    """`podcast:location`: display name as text, the recommended attributes only when set."""
    return tag(
        _pc("location"),
        clean_line(value.name),
        rel=_opt_line(value.rel),
        geo=_opt_text(value.geo),
        osm=_opt_text(value.osm),
        country=_opt_line(value.country),
    )


def social_tag(value: SocialInteract) -> Tag:
    """`podcast:socialInteract` (an empty element: everything is in attributes)."""
    return tag(
        _pc("socialInteract"),
        protocol=clean_line(value.protocol),
        uri=clean_text(value.uri),
        accountId=_opt_line(value.account_id),
        accountUrl=_opt_text(value.account_url),
        priority=str(value.priority) if value.priority is not None else None,
    )


def update_frequency_tag(value: UpdateFrequency) -> Tag:
    """`podcast:updateFrequency`: the label as text; rule, start and completeness when set."""
    return tag(
        _pc("updateFrequency"),
        clean_line(value.label),
        rrule=_opt_text(value.rrule),
        dtstart=iso8601(value.dtstart) if value.dtstart is not None else None,
        complete=true_false(value.complete) if value.complete is not None else None,
    )


def soundbite_tag(value: Soundbite) -> Tag:
    """`podcast:soundbite`; raises ValueError for a negative start or a duration that is not positive."""
    if not (math.isfinite(value.duration) and value.duration > 0):
        raise ValueError(f"soundbite duration must be positive: {value.duration!r}")
    return tag(
        _pc("soundbite"),
        _opt_line(value.title),
        startTime=seconds_text(value.start),
        duration=seconds_text(value.duration),
    )


def trailer_tag(item: FeedEpisode) -> Tag:
    """`podcast:trailer` for a trailer episode: its enclosure with the same date text as its pubDate."""
    episode, media = item.episode, item.episode.media
    assert media is not None  # checked by render_feed
    return tag(
        _pc("trailer"),
        clean_line(episode.title),
        url=clean_text(item.enclosure_url),
        pubdate=rfc2822(episode.date),
        length=str(media.size),
        type=clean_text(media.mime_type),
        season=str(episode.season) if episode.season is not None else None,
    )


def channel_tags(show: Show, items: Sequence[FeedEpisode]) -> list[Tag]:
    """Channel tags after `podcast:locked`, in a fixed order; `items` in feed order (for trailers).

    Apple honours `itunes:block`/`itunes:complete` only when the value is `Yes`, so they are written
    only when true (feedgen would write `no`, which is noise). In a network (`podpub.network`),
    `podcast:podroll` recommends the sister shows and `podcast:publisher` points at the network's
    publisher feed; its one remoteItem always says `medium="publisher"`, which the namespace requires
    there and podcast-partytime checks before reading it.
    """
    out = [tag(_pc("medium"), clean_line(show.medium) or "podcast")]
    if show.license is not None:
        out.append(license_tag(show.license))
    out += person_tags(show.persons)
    out += [tag(_pc("funding"), clean_line(f.label), url=clean_text(f.url)) for f in show.funding]
    out += [tag(_pc("txt"), clean_text(t.text), purpose=_opt_line(t.purpose)) for t in show.txts]
    if show.location is not None:
        out.append(location_tag(show.location))
    out += [social_tag(s) for s in show.social]
    if show.update_frequency is not None:
        out.append(update_frequency_tag(show.update_frequency))
    out += [trailer_tag(i) for i in items if i.episode.type == "trailer"]
    if show.podroll:
        out.append(tag(_pc("podroll"), children=[remote_item_tag(item) for item in show.podroll]))
    if show.publisher is not None:
        out.append(tag(_pc("publisher"), children=[remote_item_tag(replace(show.publisher, medium="publisher"))]))
    new_feed_url = _opt_text(show.new_feed_url)
    if new_feed_url:
        out.append(tag(_it("new-feed-url"), new_feed_url))
    if show.block:
        out += [tag(_it("block"), "Yes"), tag(_pc("block"), "yes")]
    if show.complete:
        out.append(tag(_it("complete"), "Yes"))
    return out


def remote_item_tag(item: RemoteItem) -> Tag:
    """`podcast:remoteItem`: another feed by its `podcast:guid` (which apps resolve first), with its URL
    for apps without the index and its title so they can show it without fetching the feed.

    `medium` is written only when set: the namespace reads a missing one as `podcast`.
    """
    return tag(
        _pc("remoteItem"),
        feedGuid=clean_line(item.feed_guid),
        feedUrl=_opt_text(item.feed_url),
        title=_opt_line(item.title),
        medium=_opt_line(item.medium),
    )


def image_tag(url: str, size: tuple[int, int] | None, mime_type: str | None) -> Tag:
    """`podcast:image` (phase 8), beside `itunes:image`: the same artwork with its size and type, so
    apps can pick a rendition without downloading it first."""
    width, height = size if size else (None, None)
    return tag(
        _pc("image"),
        href=clean_text(url),
        width=str(width) if width else None,
        height=str(height) if height else None,
        type=mime_type,
        purpose="artwork",
    )


def psc_chapters_tag(chapters: Iterable[FeedChapter]) -> Tag:
    """`psc:chapters` sorted by start (the spec asks for it; clients do not sort). Stable, so chapters
    sharing a start keep the caller's order."""
    children = [
        tag(
            _psc("chapter"),
            start=npt(c.start),
            title=clean_line(c.title),
            href=_opt_text(c.href),
            image=_opt_text(c.image),
        )
        for c in sorted(chapters, key=lambda c: c.start)
    ]
    return tag(_psc("chapters"), children=children, version=PSC_VERSION)


def transcript_tag(value: FeedTranscript) -> Tag:
    """`podcast:transcript`; no `language` when unset (readers default it to the channel's)."""
    return tag(
        _pc("transcript"),
        url=clean_text(value.url),
        type=clean_text(value.type),
        language=_opt_line(value.language),
        rel="captions" if value.captions else None,
    )


def alternate_tag(value: FeedAlternate) -> Tag:
    """`podcast:alternateEnclosure` with one `podcast:source` and an SRI `podcast:integrity`."""
    return tag(
        _pc("alternateEnclosure"),
        children=(
            tag(_pc("source"), uri=clean_text(value.url)),
            tag(_pc("integrity"), type="sri", value=sri_sha256(value.sha256)),
        ),
        type=clean_text(value.type),
        length=str(value.length),
        bitrate=str(value.bitrate) if value.bitrate is not None else None,
        codecs=_opt_text(value.codecs),
        title=_opt_line(value.title),
        default="true" if value.default else None,
    )


def item_tags(show: Show, item: FeedEpisode) -> list[Tag]:
    """Item tags after `itunes:explicit`, in a fixed order.

    Item-level `podcast:person` replaces ALL channel persons, so an episode with guests repeats the
    show's persons first (hosts would otherwise vanish from that episode); an episode without its own
    persons writes none and inherits the channel's.
    """
    episode = item.episode
    out: list[Tag] = []
    if item.image_url:
        out.append(image_tag(item.image_url, item.image_size, item.image_type))
    if episode.season is not None:
        name = _opt_line(show.season_names.get(episode.season))
        out.append(tag(_pc("season"), str(episode.season), name=name))
    if episode.number is not None:
        out.append(tag(_pc("episode"), str(episode.number), display=_opt_line(episode.episode_display)))
    if episode.persons:
        out += person_tags((*show.persons, *episode.persons))
    if episode.location is not None:
        out.append(location_tag(episode.location))
    out += [soundbite_tag(s) for s in episode.soundbites]
    out += [social_tag(s) for s in episode.social]
    if episode.license is not None:
        out.append(license_tag(episode.license))
    if episode.block:
        out.append(tag(_it("block"), "Yes"))
    chapters_url = _opt_text(item.chapters_url)
    if chapters_url:
        out.append(tag(_pc("chapters"), url=chapters_url, type=JSON_CHAPTERS_TYPE))
    out += [transcript_tag(t) for t in item.transcripts]
    if item.chapters:
        out.append(psc_chapters_tag(item.chapters))
    out += [alternate_tag(a) for a in item.alternates]
    return out
