"""Render a show and its published episodes to RSS 2.0 bytes that Apple, Spotify and the apps accept.

feedgen builds the document; `podpub.feeds.extension` fills its gaps (true/false explicit, artwork
checks, categories, `podcast:guid`/`locked`, CDATA, dates). Rendering is a pure function of its inputs:
no clock is read (the channel dates are the newest episode's), entries are sorted with full tie-breaks
and namespaces are declared in a fixed order, so the same show gives byte-identical feeds and an
unchanged feed is never re-uploaded or re-fetched for nothing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from feedgen.feed import FeedGenerator

from podpub import __version__
from podpub.episodes.model import Episode
from podpub.feeds.extension import (
    EXTENSION_NAME,
    PodpubEntryExtension,
    PodpubExtension,
    check_image_url,
)
from podpub.feeds.notes import render_notes, summary_html
from podpub.feeds.text import clean_line, clean_text, truncate_utf8
from podpub.podcasts.model import Show

#: Apple's (and PSP-1's) limit on `<description>`, in UTF-8 bytes.
DESCRIPTION_LIMIT = 4000

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


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


def render_feed(show: Show, items: Sequence[FeedEpisode], *, image_url: str | None) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration. Raises ValueError for an episode without
    media information or an artwork URL Apple would ignore (not ending in .jpg, .jpeg or .png)."""
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
    fg.link(href=clean_text(show.publish.feed_url), rel="self", type="application/rss+xml")
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

    for item in order_items(show, items):
        _add_item(fg, show, item)

    body: bytes = fg.rss_str(pretty=True, xml_declaration=False, encoding="UTF-8")
    return XML_DECLARATION + body


def _add_item(fg: FeedGenerator, show: Show, item: FeedEpisode) -> None:
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
    if math.isfinite(media.duration) and media.duration >= 0:
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
