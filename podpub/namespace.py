"""Podcasting 2.0 (`podcast:` namespace) values shared by the show and its episodes.

Plain, validated data: `podcasts/config.py` and `episodes/files.py` read them from TOML, the feed
renders them. Kept in one module because the same shapes appear at channel and item level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    """`podcast:person`: a host, guest or other contributor (taxonomy roles and groups)."""

    name: str
    role: str = "host"
    group: str = "cast"
    img: str | None = None  # https URL of a picture
    href: str | None = None  # https URL of a page about them


@dataclass(frozen=True)
class Funding:
    """`podcast:funding`: where listeners can support the show."""

    url: str
    label: str


@dataclass(frozen=True)
class Txt:
    """`podcast:txt`: free text for machines, e.g. an Apple verification token."""

    text: str
    purpose: str | None = None


@dataclass(frozen=True)
class Location:
    """`podcast:location`: what the show or episode is about (or where it was made)."""

    name: str
    geo: str | None = None  # "geo:48.85,2.35"
    osm: str | None = None  # "R7444"
    country: str | None = None  # ISO 3166-1 alpha-2
    rel: str | None = None  # "subject" (default) or "creator"


@dataclass(frozen=True)
class SocialInteract:
    """`podcast:socialInteract`: where the conversation about an episode happens."""

    protocol: str  # activitypub, twitter, atproto, ... or "disabled"
    uri: str
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@dataclass(frozen=True)
class UpdateFrequency:
    """`podcast:updateFrequency`: how often new episodes come (an RFC 5545 rule)."""

    label: str
    rrule: str | None = None
    dtstart: datetime | None = None
    complete: bool | None = None


@dataclass(frozen=True)
class License:
    """`podcast:license`: a slug from the namespace's list, or a custom name with its URL."""

    slug: str
    url: str | None = None


@dataclass(frozen=True)
class Soundbite:
    """`podcast:soundbite`: a shareable moment of an episode."""

    start: float
    duration: float
    title: str | None = None


@dataclass(frozen=True)
class RemoteItem:
    """`podcast:remoteItem`: another feed, by its podcast:guid (and URL, for apps without the index).

    Used for a network's sister shows (`podcast:podroll`) and for the network itself
    (`podcast:publisher`, with medium "publisher").
    """

    feed_guid: str
    feed_url: str
    title: str = ""
    medium: str | None = None
