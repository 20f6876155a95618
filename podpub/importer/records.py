"""A feed as neutral records: what `parse` reads from RSS or Atom and `convert` writes as show files.

Values are already cleaned (absolute http(s) URLs, aware datetimes, numbers or None); what could not
be read is None and has a note in `FeedRecord.notes` or `ItemRecord.notes` saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PersonRecord:
    name: str
    role: str | None = None
    group: str | None = None
    img: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class LinkRecord:
    """A transcript or chapters file the feed links."""

    url: str
    type: str | None = None
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class InlineChapter:
    """A Podlove Simple Chapters mark (`psc:chapter`)."""

    start: float
    title: str
    href: str | None = None


@dataclass(frozen=True)
class EnclosureRecord:
    url: str
    length: int | None  # bytes; None when the feed gives none (or 0, or garbage)
    type: str | None


@dataclass
class ItemRecord:
    index: int  # position in the feed, from 1
    guid: str | None
    title: str
    date: datetime | None
    notes: str  # HTML or text, as the feed had it
    enclosure: EnclosureRecord | None
    duration: float | None = None  # seconds, from itunes:duration
    duration_text: str | None = None  # as written, for reports
    season: int | None = None
    number: int | None = None
    episode_type: str | None = None  # full, trailer, bonus
    explicit: bool | None = None
    block: bool = False
    image: str | None = None
    transcripts: list[LinkRecord] = field(default_factory=list)
    chapters: LinkRecord | None = None
    inline_chapters: list[InlineChapter] = field(default_factory=list)
    persons: list[PersonRecord] = field(default_factory=list)
    episode_display: str | None = None
    notes_html: bool = False
    notes_list: list[str] = field(default_factory=list)  # what was odd about this item
    date_guessed: bool = False  # the feed had no usable date; `date` was chosen to keep the item's place

    @property
    def label(self) -> str:
        return f"item {self.index} {self.title!r}"


@dataclass
class FeedRecord:
    kind: str  # "RSS" or "Atom"
    title: str
    description: str
    link: str | None
    language: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    categories: list[str]  # "Category" or "Category > Subcategory", as written
    explicit: bool | None
    show_type: str | None  # episodic, serial
    image: str | None
    copyright: str | None
    podcast_guid: str | None
    locked: bool | None
    locked_owner: str | None
    new_feed_url: str | None
    self_url: str | None
    block: bool = False
    complete: bool = False
    medium: str | None = None
    persons: list[PersonRecord] = field(default_factory=list)
    funding: list[tuple[str, str]] = field(default_factory=list)  # (url, label)
    items: list[ItemRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # feed-level oddities and repairs
