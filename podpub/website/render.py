"""Render the show's website into the site being assembled, beside the feed.

Pages live at stable, readable keys (`index.html`, `episodes/<slug>/index.html`, `archive/…`,
`sitemap.xml`) with the feed's short `Cache-Control`, so a new episode shows up as fast as in the
feed; the CSS, the script, the thumbnails and the feed's XSL stylesheet are content-addressed
(`site/style-<hash>.css`) and cached forever like the media.

Links between pages are relative and name the file (`episodes/le-jardin/index.html`), so the site
works on every target podpub publishes to, S3 buckets without an index document included, and from
the build folder; `[site] clean_urls = true` links folders instead, for hosts that serve their
`index.html`. Absolute URLs (canonical, Open Graph, the sitemap, the feed's item `<link>`) use
`base_url`.

Everything a producer, a guest or an audio tag wrote reaches the HTML through Jinja2's autoescaping,
except the show notes, which are podpub's sanitized Markdown rendering (`render_notes`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.resources
import io
import json
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import jinja2
from lxml import etree
from PIL import Image, ImageOps

from podpub import canonical
from podpub.episodes.probe import read_cover
from podpub.feeds.extras import IMMUTABLE_CACHE_CONTROL, SiteFiles
from podpub.feeds.notes import absolute_url, render_notes
from podpub.feeds.render import FeedEpisode, order_items, seconds_text
from podpub.feeds.text import clean_line, clean_text, truncate_utf8
from podpub.fsutil import atomic_write_bytes
from podpub.mediatypes import content_type_for
from podpub.podcasts.model import Show, SiteSettings
from podpub.slugs import slugify
from podpub.storage.base import Upload
from podpub.website import strings
from podpub.website.colors import DARK, LIGHT, palette_for
from podpub.website.transcript import DisplayTranscript, load

#: episodes on the home page; the rest are on the archive pages
INDEX_LIMIT = 20
#: episodes per archive page
ARCHIVE_PAGE = 100
#: bytes of transcript text inlined on an episode page; past it the page links the full file
TRANSCRIPT_BUDGET = 50_000
#: the longest side of the artwork shown on the pages (displayed at half that, for sharp screens)
THUMBNAIL_SIZE = 400
SITEMAP_KEY = "sitemap.xml"
DESCRIPTION_CHARS = 200

FORMAT_NAMES = {"audio/mpeg": "MP3", "audio/x-m4a": "M4A", "video/mp4": "MP4", "audio/ogg": "Ogg",
                "audio/flac": "FLAC", "video/x-m4v": "M4V", "video/quicktime": "MOV"}  # fmt: skip


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("podpub.website", "templates"),
        autoescape=True,  # every template: HTML, XML and XSL escape the same five characters
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["seconds"] = seconds_text  # 4.5, 12, 62.25: the #t= of media fragments
    return env


@functools.cache
def static_bytes(name: str) -> bytes:
    return (importlib.resources.files("podpub.website") / "static" / name).read_bytes()


@dataclass(frozen=True)
class Chapter:
    start: float
    clock: str
    title: str
    href: str | None


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    href: str | None


@dataclass(frozen=True)
class Download:
    label: str
    url: str
    detail: str


@dataclass
class EpisodeView:
    item: FeedEpisode
    guid: str
    key: str
    url: str
    title: str
    date: datetime
    date_text: str
    duration: float
    duration_text: str
    duration_iso: str
    audio_url: str
    audio_type: str
    is_video: bool
    label: str | None  # "Saison 1 · Épisode 1", the display text, "Bande-annonce"
    explicit: bool
    notes_html: str
    summary: str
    image: str | None = None  # thumbnail URL (absolute)
    share_image: str | None = None  # full artwork URL for Open Graph
    chapters: list[Chapter] = field(default_factory=list)
    transcript: DisplayTranscript | None = None
    transcript_cut: bool = False
    transcript_url: str | None = None
    downloads: list[Download] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    previous: EpisodeView | None = None
    next: EpisodeView | None = None


@dataclass(frozen=True)
class Button:
    name: str
    href: str


@dataclass(frozen=True)
class WebsiteResult:
    """What the feed needs from the site: each episode's page and the stylesheets to attach."""

    page_urls: dict[str, str]  # guid -> absolute URL of the episode page
    stylesheets: tuple[tuple[str, str], ...]  # (type, href relative to the feed)
    keys: tuple[str, ...]  # every key the website added
    pages: frozenset[str]  # the stable keys (pages, sitemap), which are published with the feed


def episode_page_keys(items: Sequence[FeedEpisode]) -> dict[str, str]:
    """guid -> page key; slugs shared by several episode files fall back to the file's own stem.

    `items` in feed order (`order_items`), which decides who keeps a shared slug's stem."""
    slugs: dict[str, list[FeedEpisode]] = {}
    for item in items:
        slugs.setdefault(slugify(item.episode.slug), []).append(item)
    keys = {}
    taken = {slug for slug, group in slugs.items() if len(group) == 1}
    for slug, group in slugs.items():
        for item in group:
            name = slug
            if len(group) > 1:
                name = slugify(item.episode.source.stem)
                if name in taken:
                    name = f"{name}-{item.episode.guid[:8]}"
                taken.add(name)
            keys[item.episode.guid] = f"episodes/{name}/index.html"
    return keys


def episode_page_urls(show: Show, items: Sequence[FeedEpisode]) -> dict[str, str]:
    """guid -> absolute URL of each episode's page, known before any page is rendered (the feed's
    item `<link>`s, set before the site is rendered so both share one digest per item)."""
    base, keys = show.publish.base_url, episode_page_keys(order_items(show, items))
    return {guid: base + _clean_key(show.site, key) for guid, key in keys.items()}


def _clean_key(settings: SiteSettings, key: str) -> str:
    """The page key as linked: `episodes/x/` instead of `episodes/x/index.html` with clean_urls."""
    if settings.clean_urls and (key == "index.html" or key.endswith("/index.html")):
        return key[: -len("index.html")]
    return key


def render_website(
    files: SiteFiles, show: Show, items: Sequence[FeedEpisode], *, image_url: str | None, feed_key: str
) -> WebsiteResult:
    """Render every page into `files` (staged under its `generated` folder) and say what the feed links."""
    site = Website(files, show, items, image_url, feed_key)
    return site.render()


class Website:
    def __init__(
        self, files: SiteFiles, show: Show, items: Sequence[FeedEpisode], image_url: str | None, feed_key: str
    ) -> None:
        self.files = files
        self.show = show
        self.settings = show.site
        self.base = show.publish.base_url
        self.feed_url = self.base + feed_key
        self.feed_key = feed_key
        self.items = order_items(show, items)
        self.image_url = image_url
        self.language = show.language
        self.t = SimpleNamespace(**strings.strings_for(show.language))  # t.copy is a string, not dict.copy
        self.title = clean_line(self.settings.title or show.title) or clean_line(show.title)
        self.pages: set[str] = set()
        self.before = set(files.files)
        self.record = PageRecord(files.generated.parent / PAGE_RECORD)
        self.keys: dict[str, str] = {}  # guid -> page key
        self.position = {item.episode.guid: index for index, item in enumerate(self.items)}
        self._views: dict[str, EpisodeView] = {}
        self._show_thumb: str | None = None

    # --- URLs ----------------------------------------------------------------------------------------

    def page_url(self, key: str) -> str:
        """The absolute URL of a page key, folder-style with clean_urls."""
        return self.base + self._clean(key)

    def _clean(self, key: str) -> str:
        return _clean_key(self.settings, key)

    def relative(self, page_key: str, target: str) -> str:
        """`target` (a key or an absolute URL under base_url) as seen from the page `page_key`."""
        if "://" in target or target.startswith(("mailto:", "#")):
            if not target.startswith(self.base):
                return target
            target = target[len(self.base) :]
        fragment = ""
        if "#" in target:
            target, fragment = target.split("#", 1)
            fragment = "#" + fragment
        cleaned = self._clean(target)
        start = posixpath.dirname(page_key)
        if cleaned == "" or cleaned.endswith("/"):
            path = _relpath(cleaned, start)
            path = "./" if path == "." else path + "/"
        else:
            path = _relpath(cleaned, start)
        return path + fragment

    # --- assets --------------------------------------------------------------------------------------

    def _thumbnail(self, stem: str, data: bytes) -> str | None:
        digest = hashlib.sha256(data).hexdigest()
        cached = self.files.derived / f"thumbnail-{THUMBNAIL_SIZE}-{digest}.jpg"
        if cached.is_file():
            small = cached.read_bytes()
        else:
            try:
                with Image.open(io.BytesIO(data)) as image:
                    image = ImageOps.exif_transpose(image)
                    if image.mode in ("RGBA", "LA", "P"):
                        image = image.convert("RGBA")
                        flat = Image.new("RGB", image.size, (255, 255, 255))
                        flat.paste(image, mask=image.getchannel("A"))
                        image = flat
                    image = image.convert("RGB")
                    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
                    out = io.BytesIO()
                    image.save(out, "JPEG", quality=80, optimize=True, progressive=True)
            except (OSError, ValueError):
                return None  # the feed's checks already warned about unreadable artwork
            small = out.getvalue()
            atomic_write_bytes(cached, small)
        return self.files.add_bytes(stem, small, ".jpg")

    def _page(self, key: str, data: bytes, inputs: str) -> None:
        """A page at a stable key: staged under `generated/`, rewritten only when its bytes change;
        recorded with the digest of its `inputs` so that the next build can skip rendering it."""
        path = self.files.generated / key
        if not path.is_file() or path.stat().st_size != len(data) or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        sha256 = hashlib.sha256(data).hexdigest()
        self._add_page(key, path, len(data), sha256)
        self.record.keep(key, inputs, path, len(data), sha256)

    def _add_page(self, key: str, path: Path, size: int, sha256: str) -> None:
        cache_control = f"public, max-age={self.show.publish.feed_max_age}"
        self.pages.add(key)
        self.files.files[key] = Upload(key, path, size, sha256, content_type_for(key), cache_control)

    def _reuse_page(self, key: str, inputs: str) -> bool:
        """Publish the page staged by an earlier build from the same inputs, if it is still there intact."""
        path = self.files.generated / key
        found = self.record.reuse(key, inputs, path)
        if found is None:
            return False
        self._add_page(key, path, *found)
        return True

    # --- the episodes --------------------------------------------------------------------------------

    def _keys(self) -> dict[str, str]:
        return episode_page_keys(self.items)

    def _view(self, item: FeedEpisode, key: str, show_thumb: str | None) -> EpisodeView:
        episode, media = item.episode, item.episode.media
        assert media is not None
        t = self.t
        title = clean_line(episode.title) or "—"
        notes_html = render_notes(episode.notes, self.base)
        summary = _summary(notes_html) or title
        label_parts = []
        if episode.type == "trailer":
            label_parts.append(t.trailer)
        elif episode.type == "bonus":
            label_parts.append(t.bonus)
        if episode.season is not None:
            name = clean_line(self.show.season_names.get(episode.season, ""))
            label_parts.append(f"{t.season} {episode.season}" + (f" ({name})" if name else ""))
        if episode.episode_display and clean_line(episode.episode_display):
            label_parts.append(clean_line(episode.episode_display))
        elif episode.number is not None:
            label_parts.append(f"{t.episode} {episode.number}")
        view = EpisodeView(
            item=item,
            guid=episode.guid,
            key=key,
            url=self.page_url(key),
            title=title,
            date=episode.date,
            date_text=strings.long_date(episode.date, self.language),
            duration=media.duration,
            duration_text=strings.duration_text(media.duration),
            duration_iso=strings.iso_duration(media.duration),
            audio_url=item.enclosure_url,
            audio_type=media.mime_type,
            is_video=media.is_video,
            label=" · ".join(label_parts) or None,
            explicit=self.show.explicit if episode.explicit is None else episode.explicit,
            notes_html=notes_html,
            summary=summary,
            image=show_thumb,
            share_image=item.image_url or self.image_url,
        )
        if item.image_url:
            view.image = self._episode_thumbnail(item) or show_thumb
        view.chapters = [
            Chapter(c.start, strings.clock(c.start), clean_line(c.title), _safe(c.href)) for c in item.chapters
        ]
        self._transcript(view)
        format_name = FORMAT_NAMES.get(media.mime_type, media.extension.lstrip(".").upper())
        view.downloads.append(Download(f"{t.download} ({format_name})", item.enclosure_url, _size(media.size)))
        for alternate in item.alternates:
            if alternate.default:
                continue
            name = clean_line(alternate.title or "") or FORMAT_NAMES.get(alternate.type, alternate.type)
            view.downloads.append(Download(f"{t.download} ({name})", alternate.url, _size(alternate.length)))
        view.persons = _persons((*self.show.persons, *episode.persons), self.language)
        view.links = [(c.title, c.href) for c in view.chapters if c.href]
        return view

    def _episode_thumbnail(self, item: FeedEpisode) -> str | None:
        """The episode artwork's thumbnail, registered for publishing; None when unreadable.

        Remembered by the artwork's URL (content-addressed, so new artwork is a new URL): a build
        where the episode's page is reused must still publish its thumbnail, without reading the
        artwork (or the audio, for an embedded cover) again.
        """
        episode = item.episode
        stem = f"site/{slugify(episode.slug)}"
        assert item.image_url is not None
        known = self.record.thumbnail(stem, item.image_url, self.files.generated)
        if known is not None:
            key, size, sha256 = known
            if key is None:
                return None
            self.files.files[key] = Upload(
                key, self.files.generated / key, size, sha256, content_type_for(key), IMMUTABLE_CACHE_CONTROL
            )
            return self.base + key
        data = None
        if episode.image is not None:
            data = episode.image.read_bytes()
        elif episode.image_embedded and episode.audio is not None:
            cover = read_cover(episode.audio)
            data = cover[0] if cover else None
        url = self._thumbnail(stem, data) if data is not None else None
        upload = self.files.files.get(url[len(self.base) :]) if url else None
        self.record.keep_thumbnail(stem, item.image_url, upload)
        return url

    def view(self, guid: str) -> EpisodeView:
        """The episode's view, made when a page that shows it is rendered, with its neighbours linked."""
        view = self._views.get(guid)
        if view is None:
            item = self.items[self.position[guid]]
            view = self._views[guid] = self._view(item, self.keys[guid], self._show_thumb)
        return view

    def linked_view(self, guid: str) -> EpisodeView:
        """`view(guid)` with `previous` and `next` set (feed order: newest first, or listening order)."""
        view = self.view(guid)
        index = self.position[guid]
        before = self.view(self.items[index - 1].episode.guid) if index > 0 else None
        after = self.view(self.items[index + 1].episode.guid) if index + 1 < len(self.items) else None
        if self.show.type == "serial":
            view.previous, view.next = before, after
        else:
            view.previous, view.next = after, before
        return view

    def _transcript(self, view: EpisodeView) -> None:
        episode = view.item.episode
        display = load(episode.transcripts, self.language) if episode.transcripts else None
        if display is None:
            return
        for transcript in view.item.transcripts:
            if transcript.url.rsplit(".", 1)[-1] == display.format:
                view.transcript_url = transcript.url
                break
        used = 0
        kept = []
        for cue in display.cues:
            used += len(cue.text.encode("utf-8")) + len((cue.speaker or "").encode("utf-8")) + 90
            if used > TRANSCRIPT_BUDGET:
                view.transcript_cut = True
                break
            kept.append(cue)
        view.transcript = DisplayTranscript(display.ref, display.format, tuple(kept))

    # --- the whole site ------------------------------------------------------------------------------

    def render(self) -> WebsiteResult:
        """Render the pages whose inputs changed since the last build; reuse the others as staged.

        Each page is recorded with a digest of everything it shows: podpub's code, the show, the
        shared assets, and the digest of each episode it lists or links (an episode page: the
        episode and its two neighbours). Rendering 10,000 episode pages is most of a large show's
        build; with the record, a new episode renders its own page, its neighbour's, the home page
        and the newest archive page.
        """
        show = self.show
        t = self.t
        css = self.files.add_bytes("site/style", static_bytes("site.css"), ".css")
        js = self.files.add_bytes("site/site", static_bytes("site.js"), ".js")
        feed_css = self.files.add_bytes("site/feed", static_bytes("feed.css"), ".css")
        show_thumb = self._thumbnail(f"site/{slugify(show.title, 'cover')}", show.image.read_bytes()) if (
            show.image and self.image_url
        ) else None  # fmt: skip
        self._show_thumb = show_thumb
        self.keys = keys = self._keys()
        buttons = self._buttons()
        palette = palette_for(self.settings.text_color, self.settings.background_color, self.settings.accent_color)
        funding = [(clean_line(f.label), f.url) for f in show.funding if _safe(f.url)]
        site_links = [(clean_line(link.label), link.url) for link in self.settings.links if _safe(link.url)]
        website = _safe(show.link) if show.link and show.link.rstrip("/") != self.base.rstrip("/") else None
        common: dict[str, Any] = {
            "t": t,
            "lang": self.language,
            "site_title": self.title,
            "show": show,
            "author": clean_line(show.author),
            "description": clean_text(show.description),
            "feed_url": self.feed_url,
            "css": css,
            "js": js,
            "show_thumb": show_thumb,
            "share_image": self.image_url,
            "buttons": buttons,
            "funding": funding,
            "site_links": site_links,
            "website": website,
            "palette": palette,
            "light": LIGHT,
            "dark": DARK,
            "hosts": _persons(show.persons, self.language),
            "copyright": clean_line(show.copyright or ""),
            "clock": strings.clock,
            "og_type": "website",
            "og_title": self.title,
            "page_image": self.image_url,
            "page_description": _short(clean_line(show.description)) or self.title,
        }
        shared = canonical.digest(
            canonical.code_version(), show, self.image_url, self.feed_key, css, js, feed_css, show_thumb
        )
        digests = {item.episode.guid: canonical.digest_of(item) for item in self.items}
        env = environment()

        def render_page(template: str, key: str, inputs: list[Any], values: Callable[[], dict[str, Any]]) -> None:
            digest = canonical.plain_digest(shared, template, key, inputs)
            if self._reuse_page(key, digest):
                return

            def href(target: str) -> str:
                return self.relative(key, target)

            html = env.get_template(template).render(**{**common, **values()}, page_key=key, href=href)
            self._page(key, html.encode("utf-8"), digest)

        def listed(guids: Sequence[str]) -> list[Any]:
            return [[guid, keys[guid], digests[guid]] for guid in guids]

        archive = self._archive_pages()
        newest_archive = archive[-1][0] if archive else None
        for number, (key, guids) in enumerate(archive, start=1):
            newer = archive[number][0] if number < len(archive) else None
            older = archive[number - 2][0] if number > 1 else None
            paged = len(archive) > 1
            render_page(
                "archive.html", key, [listed(guids), number, paged, newer, older],
                lambda guids=guids, key=key, number=number, newer=newer, older=older, paged=paged: {
                    "episodes": [self.view(guid) for guid in guids], "number": number, "paged": paged,
                    "newer": newer, "older": older, "canonical": self.page_url(key),
                    "page_title": f"{t.episodes} · {self.title}" + (f" · {t.page} {number}" if paged else ""),
                },
            )  # fmt: skip
        first = [item.episode.guid for item in self.items[:INDEX_LIMIT]]
        render_page(
            "index.html", "index.html", [listed(first), newest_archive],
            lambda: {
                "episodes": [self.view(guid) for guid in first], "more": newest_archive,
                "canonical": self.page_url("index.html"), "page_title": self.title,
            },
        )  # fmt: skip
        for index, item in enumerate(self.items):
            guid = item.episode.guid
            around = [self.items[i].episode.guid for i in (index - 1, index + 1) if 0 <= i < len(self.items)]
            inputs = [listed([guid]), listed(around)]
            render_page("episode.html", keys[guid], inputs, lambda guid=guid: self._episode_values(guid))
        newest = max((item.episode.date for item in self.items), default=None)
        entries = [(self.page_url("index.html"), newest)]
        entries += [(self.page_url(key), newest) for key, _ in archive]
        entries += [(self.page_url(keys[item.episode.guid]), item.episode.date) for item in self.items]
        dated = [[url, date.isoformat() if date else None] for url, date in entries]
        sitemap_inputs = canonical.plain_digest(shared, SITEMAP_KEY, dated)
        if not self._reuse_page(SITEMAP_KEY, sitemap_inputs):
            sitemap = env.get_template("sitemap.xml").render(entries=entries)
            self._page(SITEMAP_KEY, sitemap.encode("utf-8"), sitemap_inputs)
        xsl = env.get_template("feed.xsl").render(
            t=t, lang=self.language, css=self.relative(self.feed_key, css),
            home=self.relative(self.feed_key, "index.html"), palette=palette, light=LIGHT, dark=DARK,
        )  # fmt: skip
        xsl_url = self.files.add_bytes("site/feed", xsl.encode("utf-8"), ".xsl")
        self.record.save()
        return WebsiteResult(
            page_urls={guid: self.page_url(key) for guid, key in keys.items()},
            stylesheets=(
                ("text/xsl", self.relative(self.feed_key, xsl_url)),
                ("text/css", self.relative(self.feed_key, feed_css)),
            ),
            keys=tuple(sorted(set(self.files.files) - self.before)),
            pages=frozenset(self.pages),
        )

    def _episode_values(self, guid: str) -> dict[str, Any]:
        view = self.linked_view(guid)
        return {
            "episode": view, "canonical": view.url, "page_title": f"{view.title} · {self.title}",
            "og_type": "article", "og_title": view.title, "page_image": view.share_image,
            "page_description": view.summary,
        }  # fmt: skip

    def _archive_pages(self) -> list[tuple[str, list[str]]]:
        """Archive pages from the oldest: (key, guids in feed order), `archive/index.html` the newest.

        Every episode is on an archive page once the show has more than the home page holds. Pages
        are cut from the oldest episode (by date) up, `ARCHIVE_PAGE` each, and keep their key
        (`archive/1/index.html` holds the oldest), so a new episode changes the newest page only;
        when it is full, the next episode starts a new newest page, the full one moves to its
        numbered key and the page before it links it as newer. Within a page, episodes are in
        feed order.
        """
        if len(self.items) <= INDEX_LIMIT:
            return []
        by_age = sorted(self.items, key=lambda item: (item.episode.date, item.episode.guid))
        chunks = [by_age[start : start + ARCHIVE_PAGE] for start in range(0, len(by_age), ARCHIVE_PAGE)]
        pages = []
        for number, chunk in enumerate(chunks, start=1):
            key = "archive/index.html" if number == len(chunks) else f"archive/{number}/index.html"
            guids = sorted((item.episode.guid for item in chunk), key=self.position.__getitem__)
            pages.append((key, guids))
        return pages

    def _buttons(self) -> list[Button]:
        return subscribe_buttons(self.settings, self.feed_url, self.title)


def subscribe_buttons(settings: SiteSettings, feed_url: str, title: str) -> list[Button]:
    """The directory buttons of a show: its page in each directory when `[site]` names one, else the
    app's deep link with the feed URL (Spotify has none, so it needs its page). Shared by the show's
    site and the network's page (`podpub.network.files`), so both offer the same ways to subscribe."""
    s = settings
    bare = feed_url.split("://", 1)[1]
    encoded = quote(feed_url, safe="")
    return [
        Button("Apple Podcasts", s.apple_podcasts or f"podcast://{bare}"),
        *([Button("Spotify", s.spotify)] if s.spotify else []),
        Button("Pocket Casts", s.pocket_casts or f"pktc://subscribe/{bare}"),
        Button("Overcast", s.overcast or f"overcast://x-callback-url/add?url={encoded}"),
        Button(
            "AntennaPod",
            s.antennapod or f"https://antennapod.org/deeplink/subscribe?url={encoded}&title={quote(title, safe='')}",
        ),
    ]


def _relpath(path: str, start: str) -> str:
    """`posixpath.relpath` for two keys under the site's root (no `..`, no leading `/`), without the
    `abspath` and `getcwd` calls that made it a tenth of rendering every page."""
    target = [part for part in path.split("/") if part and part != "."]
    origin = [part for part in start.split("/") if part and part != "."]
    common = 0
    while common < len(target) and common < len(origin) and target[common] == origin[common]:
        common += 1
    parts = [".."] * (len(origin) - common) + target[common:]
    return "/".join(parts) or "."


PAGE_RECORD = "website.json"


class PageRecord:
    """What the last build staged for each page (the digest of its inputs, its size, sha256 and the
    staged file's stamp) and for each episode thumbnail, kept beside the staged site.

    A page whose inputs have the same digest, and whose staged file is still exactly the one
    recorded, is published as it is, without rendering. Only entries used by this build are saved.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old_pages: dict[str, Any] = {}
        self._old_thumbs: dict[str, Any] = {}
        self._pages: dict[str, Any] = {}
        self._thumbs: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("code") == canonical.code_version():
                self._old_pages = dict(data["pages"])
                self._old_thumbs = dict(data["thumbnails"])

    def reuse(self, key: str, inputs: str, path: Path) -> tuple[int, str] | None:
        entry = self._old_pages.get(key)
        try:
            if entry is None or entry[0] != inputs or canonical.file_stamp(path) != entry[3]:
                return None
            size, sha256 = int(entry[1]), str(entry[2])
        except (TypeError, IndexError, ValueError):
            return None
        self._pages[key] = entry
        return size, sha256

    def keep(self, key: str, inputs: str, path: Path, size: int, sha256: str) -> None:
        self._pages[key] = [inputs, size, sha256, canonical.file_stamp(path)]

    def thumbnail(self, stem: str, image_url: str, generated: Path) -> tuple[str | None, int, str] | None:
        """(key, size, sha256) of the thumbnail made for this artwork URL, if its staged file is intact;
        (None, 0, "") when the artwork could not be read then."""
        name = f"{stem}\0{image_url}"
        entry = self._old_thumbs.get(name)
        try:
            if entry is None:
                return None
            key, size, sha256, stamp = entry
            if key is not None and (stamp is None or canonical.file_stamp(generated / key) != stamp):
                return None
        except (TypeError, ValueError):
            return None
        self._thumbs[name] = entry
        return key, size, sha256

    def keep_thumbnail(self, stem: str, image_url: str, upload: Upload | None) -> None:
        name = f"{stem}\0{image_url}"
        if upload is None:
            self._thumbs[name] = [None, 0, "", None]
        else:
            self._thumbs[name] = [upload.key, upload.size, upload.sha256, canonical.file_stamp(upload.source)]

    def save(self) -> None:
        if self._pages == self._old_pages and self._thumbs == self._old_thumbs:
            return
        payload = {"code": canonical.code_version(), "pages": self._pages, "thumbnails": self._thumbs}
        with contextlib.suppress(OSError):  # a record that cannot be written only costs the next build time
            atomic_write_bytes(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def _safe(url: str | None) -> str | None:
    """http(s) and mailto links only: a `javascript:` link from a chapter file never reaches a page."""
    return absolute_url(url, None) if url else None


def _summary(notes_html: str) -> str:
    """The notes as one line of plain text for `<meta name=description>` and Open Graph."""
    if not notes_html:
        return ""
    fragment = etree.fromstring(f"<div>{notes_html}</div>", etree.HTMLParser())
    for element in fragment.iter("p", "li", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"):
        element.tail = " " + (element.tail or "")  # keep words of two blocks apart
    return _short(clean_line("".join(fragment.itertext())))


def _short(text: str) -> str:
    return text if len(text) <= DESCRIPTION_CHARS else truncate_utf8(text, DESCRIPTION_CHARS)


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def _persons(persons: Sequence[Any], language: str) -> list[Person]:
    seen = set()
    result = []
    for person in persons:
        name = clean_line(person.name)
        role = clean_line(person.role).lower() or "host"
        if not name or (name, role) in seen:
            continue
        seen.add((name, role))
        result.append(Person(name, strings.role_text(role, language), _safe(person.href)))
    return result
