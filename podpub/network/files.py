"""The network's own published files, served under `[network] base_url` beside the shows' folders.

- `podcasts.opml`: every public show's feed as OPML 2.0, the file podcast apps import to subscribe to
  a whole list at once (and what directories and aggregators read a network from);
- `publisher.xml` (when `[network] guid` is set): the Podcast Index *publisher feed*, an item-less RSS
  feed with `podcast:medium` publisher and one `podcast:remoteItem` per public show. Each show's
  `podcast:publisher` points at it, and apps trust the link only when both sides name each other;
- `index.html`: the network's page, built from the show website's templates and stylesheet, with each
  public show's artwork, description, latest episode, site, subscribe buttons and feed address;
- the page's assets under content-addressed keys: square thumbnails of each show's artwork and of the
  network's (`artwork/<slug>-<hash>.jpg`) and the website's CSS and script (`site/…-<hash>.css`).

A show with `block = true` is kept out of all of them, as it is out of its sisters' podroll. Every
file is a pure function of the shows and `podpub.toml` (no clock is read, lists are sorted with full
tie-breaks, thumbnails carry no metadata), so publishing an unchanged network writes nothing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree

from podpub import __version__
from podpub.episodes.model import Episode
from podpub.errors import ConfigError, InputError
from podpub.feeds.extension import ATOM_NS, PODCAST_NS
from podpub.feeds.extras import SiteFiles
from podpub.feeds.notes import absolute_url
from podpub.feeds.render import XML_DECLARATION, remote_item_tag
from podpub.feeds.text import clean_line, clean_text, truncate_utf8
from podpub.fsutil import atomic_write_bytes
from podpub.mediatypes import content_type_for
from podpub.namespace import RemoteItem
from podpub.network.workspace import WORKSPACE_CONFIG, Network
from podpub.podcasts.artwork import square_thumbnail
from podpub.podcasts.model import PublishSettings, Show
from podpub.slugs import slugify
from podpub.storage.base import Upload
from podpub.website import strings
from podpub.website.colors import DARK, LIGHT, Palette, check_palette, palette_for, parse_color
from podpub.website.render import Button, environment, static_bytes, subscribe_buttons

OPML_KEY = "podcasts.opml"
PUBLISHER_KEY = "publisher.xml"
PAGE_KEY = "index.html"
#: the side of the square thumbnails, shown at half that on the page (sharp on high-density screens)
THUMBNAIL_SIZE = 400
#: what the OPML's <docs> points at (OPML 2.0 asks for the spec's URL)
OPML_DOCS = "http://opml.org/spec2.opml"
#: how much of a show's description its card on the page shows, in UTF-8 bytes
CARD_DESCRIPTION_BYTES = 400


@dataclass(frozen=True)
class NetworkEntry:
    """One show of the network as its files list it: the loaded show and the facts of its feed."""

    show: Show
    episode_count: int = 0  # episodes in the show's feed (published ones)
    latest_title: str | None = None  # the newest of them
    latest_date: datetime | None = None


def entry_for(show: Show, episodes: Sequence[Episode]) -> NetworkEntry:
    """A show's entry from the episodes in its feed (`Site.episodes` after a build): how many, and the
    newest by date (the guid breaks a tie, so the choice never depends on file order)."""
    if not episodes:
        return NetworkEntry(show)
    newest = max(episodes, key=lambda e: (e.date, e.guid))
    return NetworkEntry(show, len(episodes), newest.title, newest.date)


@dataclass
class NetworkSite:
    """The network's files, shaped like `podpub.feeds.site.Site` for the sync step.

    Upload order keeps every link whole: the content-addressed thumbnails and assets first (cached
    forever), then `pages` (the OPML and the publisher feed, short cache), then `feed_key`, the page,
    which links all of them and so is written last.
    """

    base_url: str
    files: list[Upload]  # every file, sorted by key
    feed_key: str  # the file written last: index.html
    pages: frozenset[str]  # stable keys published with the short cache after the others
    warnings: list[str] = field(default_factory=list)

    @property
    def page_keys(self) -> frozenset[str]:
        """`Site.page_keys` under its name there, for code shared with a show's publish."""
        return self.pages

    @property
    def feed(self) -> Upload:
        return next(f for f in self.files if f.key == self.feed_key)

    @property
    def page_url(self) -> str:
        return self.base_url + PAGE_KEY

    @property
    def opml_url(self) -> str:
        return self.base_url + OPML_KEY

    @property
    def publisher_url(self) -> str | None:
        """The publisher feed's URL, when the network has one (a `guid`)."""
        return self.base_url + PUBLISHER_KEY if any(f.key == PUBLISHER_KEY for f in self.files) else None


def title_order(title: str) -> str:
    """A sort key that reads titles as a French or English reader does: accents and case do not count
    (`Ça zèbre` among the C, `Émission` among the E), without depending on the machine's locale."""
    decomposed = unicodedata.normalize("NFKD", clean_line(title))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def public_entries(entries: Sequence[NetworkEntry]) -> list[NetworkEntry]:
    """The shows the network lists: not blocked, in title order (slug, then feed URL, break ties)."""
    kept = [entry for entry in entries if not entry.show.block]
    return sorted(
        kept, key=lambda e: (title_order(e.show.title), e.show.title, e.show.slug or "", e.show.publish.feed_url)
    )


def show_site_url(show: Show) -> str | None:
    """Where the network links a show: its podpub website when enabled, else its own `link`."""
    if show.site.enabled:
        return show.publish.base_url + ("" if show.site.clean_urls else PAGE_KEY)
    return absolute_url(show.link, None) if show.link else None


def render_network_files(network: Network, entries: Sequence[NetworkEntry], staging: Path) -> NetworkSite:
    """Render the network's files into `staging` (each rewritten only when its bytes change) and list them.

    `entries` are the network's shows, blocked ones included (they are left out here). Raises
    ConfigError when the network has no `base_url` to publish its files under.
    """
    settings = network.settings
    if not settings.base_url:
        raise ConfigError(
            f"{WORKSPACE_CONFIG}: [network] has no base_url (and [publish] base_url is not a "
            '".../{slug}/" template to derive it from); add base_url = "https://.../" under [network] '
            "to publish podcasts.opml, publisher.xml and index.html"
        )
    builder = _Builder(network, settings.base_url, public_entries(entries), staging)
    return builder.render()


class _Builder:
    def __init__(self, network: Network, base_url: str, entries: list[NetworkEntry], staging: Path) -> None:
        self.network = network
        self.settings = network.settings
        self.base = base_url
        self.entries = entries
        self.staging = staging
        self.files = SiteFiles(base_url, generated=staging, derived=staging / ".derived")
        self.pages: set[str] = set()
        self.language = self.settings.language or "en"
        self.title = clean_line(self.settings.title) or clean_line(network.root.name)
        self.max_age = _max_age(network)

    # --- helpers ---------------------------------------------------------------------------------------

    def stage(self, key: str, data: bytes) -> None:
        """A file at a stable key, with the feed's short cache; left untouched when its bytes are the same."""
        path = self.staging / key
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        self.pages.add(key)
        self.files.files[key] = Upload(
            key,
            path,
            len(data),
            hashlib.sha256(data).hexdigest(),
            content_type_for(key),
            f"public, max-age={self.max_age}",
        )

    def thumbnail(self, stem: str, image: Path, label: str) -> str | None:
        """The content-addressed thumbnail URL of `image`; None (and a warning) when it cannot be read."""
        try:
            data = image.read_bytes()
        except OSError as exc:
            self.files.warnings.append(f"{label}: cannot read it ({exc.strerror or exc}); shown without artwork")
            return None
        try:
            small = square_thumbnail(data, THUMBNAIL_SIZE, label)
        except InputError as exc:
            self.files.warnings.append(f"{exc.message}; shown without artwork on the network page")
            return None
        return self.files.add_bytes(stem, small, ".jpg")

    def show_thumbnail(self, show: Show) -> str | None:
        if show.image is None:
            return None
        slug = show.slug or slugify(show.title, "show")
        return self.thumbnail(f"artwork/{slug}", show.image, f"{slug}: image {show.image.name}")

    # --- the files ---------------------------------------------------------------------------------------

    def render(self) -> NetworkSite:
        network_thumb = None
        if self.settings.image is not None:
            network_thumb = self.thumbnail(
                f"artwork/{slugify(self.title, 'network')}", self.settings.image, f"{WORKSPACE_CONFIG}: [network] image"
            )
        thumbs = {id(entry): self.show_thumbnail(entry.show) for entry in self.entries}
        if not self.entries:
            self.files.warnings.append(
                f"{WORKSPACE_CONFIG}: the network has no public show; its OPML, publisher feed and page list none"
            )
        self.stage(OPML_KEY, self.opml())
        if self.settings.guid:
            self.stage(PUBLISHER_KEY, self.publisher_feed(network_thumb))
        self.stage(PAGE_KEY, self.page(network_thumb, thumbs))
        return NetworkSite(
            base_url=self.base,
            files=sorted(self.files.files.values(), key=lambda u: u.key),
            feed_key=PAGE_KEY,
            pages=frozenset(self.pages - {PAGE_KEY}),
            warnings=self.files.warnings,
        )

    def opml(self) -> bytes:
        """OPML 2.0: `<head>` with the network's title, owner and the spec's URL; one `type="rss"` outline
        per public show. No dates: they would change the file on every new episode of any show."""
        root = etree.Element("opml", version="2.0")
        head = etree.SubElement(root, "head")
        etree.SubElement(head, "title").text = self.title
        owner_name, owner_email = _owner(self.network)
        if owner_name:
            etree.SubElement(head, "ownerName").text = owner_name
        if owner_email:
            etree.SubElement(head, "ownerEmail").text = owner_email
        etree.SubElement(head, "docs").text = OPML_DOCS
        body = etree.SubElement(root, "body")
        for entry in self.entries:
            show = entry.show
            title = clean_line(show.title)
            attributes = {"type": "rss", "text": title, "title": title, "xmlUrl": clean_text(show.publish.feed_url)}
            site = show_site_url(show)
            if site:
                attributes["htmlUrl"] = clean_text(site)
            description = clean_line(show.description)
            if description:
                attributes["description"] = description
            attributes["language"] = clean_line(show.language)
            etree.SubElement(body, "outline", attributes)
        return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)

    def publisher_feed(self, image_url: str | None) -> bytes:
        """The publisher feed: RSS 2.0 with `podcast:guid`, `podcast:medium` publisher and a remoteItem
        (medium, guid, URL, title) per public show, and no items (the namespace's publisher medium)."""
        assert self.settings.guid is not None
        rss = etree.Element("rss", nsmap={"podcast": PODCAST_NS, "atom": ATOM_NS}, version="2.0")
        channel = etree.SubElement(rss, "channel")
        link = clean_text(self.settings.link or "") or self.base + PAGE_KEY
        etree.SubElement(channel, "title").text = self.title
        etree.SubElement(channel, "link").text = link
        etree.SubElement(channel, "description").text = clean_text(self.settings.description) or self.title
        etree.SubElement(
            channel,
            f"{{{ATOM_NS}}}link",
            href=self.base + PUBLISHER_KEY,
            rel="self",
            type="application/rss+xml",
        )
        if self.settings.language:
            etree.SubElement(channel, "language").text = clean_line(self.settings.language)
        etree.SubElement(channel, "generator").text = f"podpub {__version__}"
        if image_url:
            image = etree.SubElement(channel, "image")
            etree.SubElement(image, "url").text = image_url
            etree.SubElement(image, "title").text = self.title
            etree.SubElement(image, "link").text = link
        etree.SubElement(channel, f"{{{PODCAST_NS}}}guid").text = clean_line(self.settings.guid)
        etree.SubElement(channel, f"{{{PODCAST_NS}}}medium").text = "publisher"
        if image_url:
            size = str(THUMBNAIL_SIZE)
            etree.SubElement(
                channel,
                f"{{{PODCAST_NS}}}image",
                href=image_url,
                width=size,
                height=size,
                type="image/jpeg",
                purpose="artwork",
            )
        for entry in self.entries:
            show = entry.show
            item = RemoteItem(show.guid, show.publish.feed_url, show.title, clean_line(show.medium) or "podcast")
            remote_item_tag(item).write(channel)
        return XML_DECLARATION + etree.tostring(rss, encoding="UTF-8", pretty_print=True)

    def page(self, network_thumb: str | None, thumbs: dict[int, str | None]) -> bytes:
        """`index.html` from `network.html`, which extends the show website's `base.html`."""
        t = strings.strings_for(self.language)
        palette = self.palette()
        css = self.files.add_bytes("site/style", static_bytes("site.css"), ".css")
        js = self.files.add_bytes("site/site", static_bytes("site.js"), ".js")
        description = clean_text(self.settings.description)
        cards = [self.card(entry, thumbs[id(entry)]) for entry in self.entries]
        website = absolute_url(self.settings.link, None) if self.settings.link else None

        def href(target: str) -> str:
            """Keys and URLs under the network's base_url, relative to the page (which sits at its root)."""
            return target[len(self.base) :] if target.startswith(self.base) else target

        values: dict[str, Any] = {
            "t": SimpleNamespace(**t),  # t.copy is a string, not dict.copy
            "lang": self.language,
            "site_title": self.title,
            "page_title": self.title,
            "page_description": truncate_utf8(clean_line(description), CARD_DESCRIPTION_BYTES) or self.title,
            "canonical": self.base + PAGE_KEY,
            "css": css,
            "js": js,
            "show_thumb": network_thumb,
            "og_type": "website",
            "og_title": self.title,
            "page_image": network_thumb,
            "palette": palette,
            "light": LIGHT,
            "dark": DARK,
            "site_links": [],
            "website": website,
            "funding": [],
            "copyright": _copyright(self.network),
            "description": description,
            "opml_key": OPML_KEY,
            "opml_url": self.base + OPML_KEY,
            "cards": cards,
            "href": href,
            "page_key": PAGE_KEY,
        }
        return environment().get_template("network.html").render(**values).encode("utf-8")

    def card(self, entry: NetworkEntry, thumb: str | None) -> ShowCard:
        show = entry.show
        slug = show.slug or slugify(show.title, "show")
        title = clean_line(show.title) or slug
        latest = clean_line(entry.latest_title or "") or None
        date = entry.latest_date
        return ShowCard(
            slug=slug,
            title=title,
            author=clean_line(show.author),
            description=truncate_utf8(clean_line(show.description), CARD_DESCRIPTION_BYTES),
            site_url=show_site_url(show),
            feed_url=clean_text(show.publish.feed_url),
            buttons=subscribe_buttons(show.site, show.publish.feed_url, title),
            thumb=thumb,
            count_text=strings.episode_count(entry.episode_count, self.language),
            latest_title=latest,
            latest_date=date.isoformat() if latest and date else None,
            latest_date_text=strings.long_date(date, self.language) if latest and date else None,
        )

    def palette(self) -> Palette | None:
        """The `[site]` colours of `podpub.toml` (the shows' defaults), checked like a show's."""
        site = self.network.defaults.data.get("site")
        site = site if isinstance(site, dict) else {}
        colours: dict[str, str | None] = {}
        for key in ("text_color", "background_color", "accent_color"):
            value = site.get(key)
            colours[key] = parse_color(value) if isinstance(value, str) else None
            if isinstance(value, str) and colours[key] is None:
                self.files.warnings.append(
                    f"{WORKSPACE_CONFIG}: [site] {key} {value!r} is not a #rrggbb colour; the network page uses "
                    "podpub's colours"
                )
                return None
        problem = check_palette(colours["text_color"], colours["background_color"], colours["accent_color"])
        if problem is not None:
            key, detail = problem
            self.files.warnings.append(f"{WORKSPACE_CONFIG}: [site] {key} {detail}; the network page uses podpub's")
            return None
        return palette_for(colours["text_color"], colours["background_color"], colours["accent_color"])


@dataclass(frozen=True)
class ShowCard:
    """One show as the network page shows it (every text already cleaned; Jinja escapes it)."""

    slug: str
    title: str
    author: str
    description: str
    site_url: str | None
    feed_url: str
    buttons: list[Button]
    thumb: str | None
    count_text: str
    latest_title: str | None
    latest_date: str | None  # ISO 8601, for <time datetime>
    latest_date_text: str | None


def _owner(network: Network) -> tuple[str | None, str | None]:
    """The owner `podpub.toml` gives every show (`[owner]`, else `author`), for the OPML's head."""
    owner = network.defaults.data.get("owner")
    owner = owner if isinstance(owner, dict) else {}
    name = owner.get("name") if isinstance(owner.get("name"), str) else network.defaults.data.get("author")
    return _plain(name), _plain(owner.get("email"))


def _plain(value: object) -> str | None:
    """A default that is the same for every show: a string without a `{slug}` template."""
    if not isinstance(value, str) or "{slug}" in value:
        return None
    return clean_line(value) or None


def _copyright(network: Network) -> str:
    return _plain(network.defaults.data.get("copyright")) or ""


def _max_age(network: Network) -> int:
    """`[publish] feed_max_age` of `podpub.toml`: the network's pages change as often as the feeds."""
    publish = network.defaults.data.get("publish")
    value = publish.get("feed_max_age") if isinstance(publish, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return PublishSettings(base_url="").feed_max_age
