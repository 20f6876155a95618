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

import functools
import hashlib
import importlib.resources
import io
import itertools
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import jinja2
from lxml import etree
from PIL import Image, ImageOps

from podpub.episodes.probe import read_cover
from podpub.feeds.extras import SiteFiles
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

    # --- URLs ----------------------------------------------------------------------------------------

    def page_url(self, key: str) -> str:
        """The absolute URL of a page key, folder-style with clean_urls."""
        return self.base + self._clean(key)

    def _clean(self, key: str) -> str:
        if self.settings.clean_urls and (key == "index.html" or key.endswith("/index.html")):
            return key[: -len("index.html")]
        return key

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
        start = posixpath.dirname(page_key) or "."
        if cleaned == "" or cleaned.endswith("/"):
            path = posixpath.relpath(cleaned or ".", start)
            path = "./" if path == "." else path + "/"
        else:
            path = posixpath.relpath(cleaned, start)
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

    def _page(self, key: str, data: bytes) -> None:
        """A page at a stable key: staged under `generated/`, rewritten only when its bytes change."""
        path = self.files.generated / key
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        cache_control = f"public, max-age={self.show.publish.feed_max_age}"
        self.pages.add(key)
        self.files.files[key] = Upload(
            key, path, len(data), hashlib.sha256(data).hexdigest(), content_type_for(key), cache_control
        )

    # --- the episodes --------------------------------------------------------------------------------

    def _keys(self) -> dict[str, str]:
        """guid -> page key; slugs shared by several episode files fall back to the file's own stem."""
        slugs: dict[str, list[FeedEpisode]] = {}
        for item in self.items:
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
            data = None
            if episode.image is not None:
                data = episode.image.read_bytes()
            elif episode.image_embedded and episode.audio is not None:
                cover = read_cover(episode.audio)
                data = cover[0] if cover else None
            if data is not None:
                view.image = self._thumbnail(f"site/{slugify(episode.slug)}", data) or show_thumb
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
        show = self.show
        t = self.t
        css = self.files.add_bytes("site/style", static_bytes("site.css"), ".css")
        js = self.files.add_bytes("site/site", static_bytes("site.js"), ".js")
        feed_css = self.files.add_bytes("site/feed", static_bytes("feed.css"), ".css")
        show_thumb = self._thumbnail(f"site/{slugify(show.title, 'cover')}", show.image.read_bytes()) if (
            show.image and self.image_url
        ) else None  # fmt: skip
        keys = self._keys()
        views = [self._view(item, keys[item.episode.guid], show_thumb) for item in self.items]
        for first, second in itertools.pairwise(views):
            if show.type == "serial":  # listening order
                first.next, second.previous = second, first
            else:  # newest first
                first.previous, second.next = second, first
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
        env = environment()

        def render_page(template: str, key: str, **values: Any) -> None:
            def href(target: str) -> str:
                return self.relative(key, target)

            html = env.get_template(template).render(**{**common, **values}, page_key=key, href=href)
            self._page(key, html.encode("utf-8"))

        archive_keys = []
        if len(views) > INDEX_LIMIT:
            pages = [views[i : i + ARCHIVE_PAGE] for i in range(0, len(views), ARCHIVE_PAGE)]
            archive_keys = ["archive/index.html"] + [f"archive/{n}/index.html" for n in range(2, len(pages) + 1)]
            for number, (key, chunk) in enumerate(zip(archive_keys, pages, strict=True), start=1):
                render_page(
                    "archive.html", key, episodes=chunk, number=number, pages=len(pages),
                    newer=archive_keys[number - 2] if number > 1 else None,
                    older=archive_keys[number] if number < len(pages) else None,
                    canonical=self.page_url(key), page_title=f"{t.episodes} · {self.title}"
                    + (f" · {t.page} {number}" if number > 1 else ""),
                )  # fmt: skip
        render_page(
            "index.html", "index.html", episodes=views[:INDEX_LIMIT], more=archive_keys[0] if archive_keys else None,
            canonical=self.page_url("index.html"), page_title=self.title,
        )  # fmt: skip
        for view in views:
            render_page(
                "episode.html", view.key, episode=view, canonical=view.url, page_title=f"{view.title} · {self.title}",
                og_type="article", og_title=view.title, page_image=view.share_image, page_description=view.summary,
            )  # fmt: skip
        newest = max((v.date for v in views), default=None)
        entries = [(self.page_url("index.html"), newest)]
        entries += [(self.page_url(key), newest) for key in archive_keys]
        entries += [(v.url, v.date) for v in views]
        sitemap = env.get_template("sitemap.xml").render(entries=entries)
        self._page(SITEMAP_KEY, sitemap.encode("utf-8"))
        xsl = env.get_template("feed.xsl").render(
            t=t, lang=self.language, css=self.relative(self.feed_key, css),
            home=self.relative(self.feed_key, "index.html"), palette=palette, light=LIGHT, dark=DARK,
        )  # fmt: skip
        xsl_url = self.files.add_bytes("site/feed", xsl.encode("utf-8"), ".xsl")
        return WebsiteResult(
            page_urls={v.guid: v.url for v in views},
            stylesheets=(
                ("text/xsl", self.relative(self.feed_key, xsl_url)),
                ("text/css", self.relative(self.feed_key, feed_css)),
            ),
            keys=tuple(sorted(set(self.files.files) - self.before)),
            pages=frozenset(self.pages),
        )

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
