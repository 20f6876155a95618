"""The show as podpub holds it after reading `podcast.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from podpub.namespace import Funding, License, Location, Person, RemoteItem, SocialInteract, Txt, UpdateFrequency


@dataclass(frozen=True)
class Category:
    """An Apple Podcasts category, with an optional subcategory."""

    name: str
    subcategory: str | None = None

    def __str__(self) -> str:
        return f"{self.name} > {self.subcategory}" if self.subcategory else self.name


@dataclass(frozen=True)
class MovedFrom:
    """A place the show was published before `podpub move` (`[[publish.moved_from]]`).

    Its feed keeps being refreshed with `itunes:new-feed-url`, so subscribers there follow the move.
    """

    base_url: str  # ends with "/"
    target: str

    @property
    def feed_url(self) -> str:
        return self.base_url + "feed.xml"

    def shares_storage_with(self, target: str | None) -> bool:
        """True when the show moved domain only: one stored feed then serves both addresses."""
        return self.target.rstrip("/") == (target or "").rstrip("/")


@dataclass(frozen=True)
class PublishSettings:
    """Where listeners fetch the files (`base_url`) and where podpub puts them (`target`)."""

    base_url: str  # always ends with "/"
    target: str | None = None  # a folder path, a file:// URL or s3://bucket/prefix
    feed_name: str = "feed.xml"
    feed_max_age: int = 300  # seconds apps and CDNs may cache the feed
    # S3 settings; None means "boto3's default" (environment, profile)
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: str = "path"
    acl: str | None = None
    jobs: int = 4
    multipart_threshold_mib: int = 32
    multipart_chunk_mib: int = 16
    moved_from: tuple[MovedFrom, ...] = ()

    @property
    def feed_url(self) -> str:
        return self.base_url + self.feed_name


@dataclass(frozen=True)
class SiteLink:
    """A link the show's website shows on every page (`[[site.links]]`)."""

    label: str
    url: str


@dataclass(frozen=True)
class SiteSettings:
    """The `[site]` table: the static website published beside the feed (see `podpub.website`)."""

    enabled: bool = True
    title: str | None = None  # default: the show's title
    clean_urls: bool = False  # link `episodes/<slug>/` instead of `episodes/<slug>/index.html`
    # directory pages for the subscribe buttons; None: a deep link with the feed URL (or no button)
    apple_podcasts: str | None = None
    spotify: str | None = None
    pocket_casts: str | None = None
    overcast: str | None = None
    antennapod: str | None = None
    # "#rrggbb"; None: podpub's palette (with a dark variant)
    accent_color: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    links: tuple[SiteLink, ...] = ()


@dataclass(frozen=True)
class Show:
    """A podcast: every channel-level fact the feed needs, already validated."""

    root: Path  # the show folder (where podcast.toml lives)
    title: str
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    categories: tuple[Category, ...]
    explicit: bool
    type: str  # "episodic" | "serial"
    guid: str  # podcast:guid, written once at init and never recomputed
    locked: bool
    publish: PublishSettings
    image: Path | None = None  # absolute path of the show artwork
    link: str | None = None  # the show's website; defaults to base_url in the feed
    copyright: str | None = None
    # Podcasting 2.0 and the rarer Apple tags
    medium: str = "podcast"
    license: License | None = None
    persons: tuple[Person, ...] = ()
    funding: tuple[Funding, ...] = ()
    txts: tuple[Txt, ...] = ()
    location: Location | None = None
    social: tuple[SocialInteract, ...] = ()
    update_frequency: UpdateFrequency | None = None
    season_names: dict[int, str] = field(default_factory=dict)
    new_feed_url: str | None = None  # itunes:new-feed-url, when the feed moves
    block: bool = False  # itunes:block yes (and podcast:block yes): hide from directories
    complete: bool = False  # itunes:complete yes: no more episodes will come
    max_items: int | None = None  # feed.xml keeps the newest N; older episodes go to RFC 5005 archive pages
    complete_feed: str | None = None  # file name of one feed with every episode (fh:complete), beside feed.xml
    site: SiteSettings = field(default_factory=SiteSettings)
    # in a workspace (see podpub.network): the show's folder name, its sister shows and the network
    slug: str | None = None
    podroll: tuple[RemoteItem, ...] = ()
    publisher: RemoteItem | None = None

    @property
    def config_path(self) -> Path:
        return self.root / "podcast.toml"

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def media_dir(self) -> Path:
        return self.root / "media"
