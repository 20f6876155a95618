"""The checks on the feed document itself (and on files it links that are on this machine).

`FeedChecker` receives the parsed feed piece by piece from `podpub.validation.parse`: namespace
declarations, each `<item>` as soon as it ends (then freed), the channel, the root. Checks that need
the whole feed (duplicates, a serial show's numbering, the size of local files) run in `finish()`.
Each check cites its rule (`podpub.validation.rules`), where the section of feed-rules.md is named.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree
from PIL import Image, UnidentifiedImageError

from podpub.errors import InputError
from podpub.podcasts.config import podcast_guid
from podpub.validation import vocabulary as vocab
from podpub.validation.model import EpisodeRef, Finding, Link, clip, finding
from podpub.validation.parse import Handler, Prolog

FEED_SIZE_WARNING = 4 * 1024 * 1024
DESCRIPTION_LIMIT = 4000
TEXT_LIMIT = 255
SMALL_LENGTH = 16384
IMAGE_MIN, IMAGE_MAX = 1400, 3000
IMAGE_BUDGET = 512 * 1024
IMAGE_FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"]  # a closed list: no plugin that runs programs

#: Apple's tags (p ol ul li a), PSP-1's (b i strong em); br is a line break, no markup risk
SUMMARY_TAGS = frozenset({"p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"})
UNSAFE_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "style", "form", "input", "button", "frame", "frameset", "applet",
     "base", "link", "meta"}
)  # fmt: skip
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
DEPRECATED_ITUNES = ("summary", "subtitle", "keywords", "order", "isClosedCaptioned")
MEDIUMS = frozenset(
    {"podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course"}
)
MEDIUMS_ALL = MEDIUMS | {m + "L" for m in MEDIUMS} | {"mixed"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TITLE_NUMBER = re.compile(
    r"^\s*(?:(?:episode|ep\.?|épisode|folge|episodio)\s*#?\s*\d+|#\d+|s\d+\s*e\d+|season\s+\d+)\b", re.IGNORECASE
)
_DOUBLE_ENCODED = re.compile(r"%25[0-9A-Fa-f]{2}")
_URL_BAD = re.compile(r"[\s\x00-\x1f\x7f]")
_HTML_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
_DECIMAL = re.compile(r"^\d+(?:\.\d+)?$")
_INTEGER = re.compile(r"^\d+$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_NPT = re.compile(r"^(?:\d+(?:\.\d+)?|(?:\d+:)?\d{1,2}:\d{1,2}(?:\.\d+)?)$")
_GEO = re.compile(r"^geo:-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?(?:,-?\d+(?:\.\d+)?)?(?:;.*)?$", re.IGNORECASE)
_OSM = re.compile(r"^[NWR]\d+(?:#\d+)?$")
_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$")
_SRI_BYTES = {"sha256": 32, "sha384": 48, "sha512": 64}

#: podcast: elements and their required attributes (§3: all attributes are required unless optional)
PODCAST_REQUIRED: dict[str, tuple[str, ...]] = {
    "funding": ("url",),
    "transcript": ("url", "type"),
    "chapters": ("url", "type"),
    "soundbite": ("startTime", "duration"),
    "trailer": ("url", "pubdate"),
    "alternateEnclosure": ("type",),
    "source": ("uri",),
    "integrity": ("type", "value"),
    "socialInteract": ("protocol",),
    "remoteItem": ("feedGuid",),
    "value": ("type", "method"),
    "valueRecipient": ("type", "address", "split"),
    "valueTimeSplit": ("startTime", "duration"),
    "chat": ("server", "protocol"),
    "contentLink": ("href",),
    "image": ("href",),
    "liveItem": ("status", "start"),
}
#: what a directory needs to list a show, which a publisher feed (podcast:medium publisher, the list of a
#: network's feeds: podpub.network.files) is not: it has no items, artwork or category of its own to submit
NOT_FOR_PUBLISHER_FEEDS = frozenset(
    {"feed.empty", "apple.category.missing", "apple.explicit.missing", "apple.image.missing",
     "spotify.author.missing", "spotify.owner.email", "podcastindex.locked.missing"}
)  # fmt: skip
#: podcast: elements allowed once per parent
PODCAST_ONCE_CHANNEL = ("guid", "locked", "medium", "license", "podroll", "updateFrequency", "publisher", "chat")
PODCAST_ONCE_ITEM = ("chapters", "season", "episode", "license", "chat")
#: attributes holding http(s) URLs (the namespace requires https)
PODCAST_URLS: dict[str, tuple[str, ...]] = {
    "funding": ("url",),
    "transcript": ("url",),
    "chapters": ("url",),
    "person": ("img", "href"),
    "trailer": ("url",),
    "license": ("url",),
    "contentLink": ("href",),
    "socialInteract": ("accountUrl",),
    "image": ("href",),
    "remoteItem": ("feedUrl",),
}
#: text limits of podcast: values (§3: "128 characters" = aggregators may truncate)
PODCAST_TEXT_LIMITS: dict[str, int] = {
    "funding": 128, "person": 128, "location": 128, "soundbite": 128, "trailer": 128, "updateFrequency": 128,
    "txt": 4000,
}  # fmt: skip
PODCAST_ATTR_LIMITS: dict[tuple[str, str], int] = {
    ("season", "name"): 128,
    ("episode", "display"): 32,
    ("txt", "purpose"): 128,
    ("alternateEnclosure", "title"): 32,
    ("alternateEnclosure", "rel"): 32,
}


def _split(tag: str) -> tuple[str, str]:
    if tag[:1] == "{":
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def _text(element: etree._Element | None) -> str:
    return (element.text or "") if element is not None else ""


class LocalFiles:
    """Maps URLs under `base_url` to the files of a folder laid out as it is published (podpub's `public/`)."""

    def __init__(self, base_url: str, root: Path) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url.rsplit("/", 1)[0] + "/"
        self.root = root.resolve()
        self._paths: dict[str, Path | None] = {}  # url -> file, or None
        self._folders: dict[str, str | None] = {}  # relative folder -> its real path inside root, or None

    def path_for(self, url: str) -> Path | None:
        """The file under `root` that `url` names, links resolved; None if there is none or it leaves root.

        Remembered per URL, and each folder resolved once: a 10,000-episode feed links 10,000 files
        in one `media/` folder, and resolving every path component of each was a tenth of publishing.
        """
        if url in self._paths:
            return self._paths[url]
        found = self._find(url)
        self._paths[url] = found
        return found

    def _find(self, url: str) -> Path | None:
        if not url.startswith(self.base_url):
            return None
        relative = unquote(urlsplit(url[len(self.base_url) :]).path)
        parts = PurePosixPath(relative).parts
        if not parts or relative.startswith("/") or any(part in ("..", "") for part in parts):
            return None
        folder = "/".join(parts[:-1])
        if folder not in self._folders:
            try:
                real = os.path.realpath(self.root.joinpath(*parts[:-1]))
            except (OSError, ValueError):
                real = None
            inside = real is not None and (real == str(self.root) or real.startswith(str(self.root) + os.sep))
            self._folders[folder] = real if inside else None
        real_folder = self._folders[folder]
        if real_folder is None:
            return None
        path = os.path.join(real_folder, parts[-1])
        try:
            mode = os.lstat(path).st_mode
        except (OSError, ValueError):
            return None
        if stat.S_ISLNK(mode):  # a link: resolved all the way, like a folder
            try:
                resolved = Path(path).resolve()
            except OSError:
                return None
            return resolved if resolved.is_relative_to(self.root) and resolved.is_file() else None
        return Path(path) if stat.S_ISREG(mode) else None


@dataclass
class Context:
    """What the checks know besides the document."""

    label: str
    prolog: Prolog
    now: datetime
    expected_url: str | None = None  # the URL the feed was fetched from (or will be published at)
    final_url: str | None = None  # after redirects, when fetched
    local: LocalFiles | None = None  # where linked files are on disk (a show's public/)
    local_root: Path | None = None  # a feed file's folder: files under its self link's folder are local


class Names:
    """Namespace URIs of the document mapped to the conventional prefixes, misspellings included (they
    are reported once by `namespace.uri`; the checks then treat the tags as what they were meant to be)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str]] = {}

    def qualify(self, tag: str) -> tuple[str, str]:
        cached = self._cache.get(tag)
        if cached is None:
            uri, local = _split(tag)
            cached = (vocab.namespace_name(uri) or uri if uri else "", local)
            self._cache[tag] = cached
        return cached


class Node:
    """An element's element children indexed by (prefix, local name)."""

    __slots__ = ("by", "el")

    def __init__(self, element: etree._Element, names: Names) -> None:
        self.el = element
        self.by: dict[tuple[str, str], list[etree._Element]] = {}
        for child in element:
            if isinstance(child.tag, str):
                self.by.setdefault(names.qualify(child.tag), []).append(child)

    def all(self, prefix: str, local: str) -> list[etree._Element]:
        return self.by.get((prefix, local), [])

    def first(self, prefix: str, local: str) -> etree._Element | None:
        found = self.by.get((prefix, local))
        return found[0] if found else None


@dataclass
class _ItemFacts:
    episode: EpisodeRef
    has_number: bool


@dataclass
class FeedChecker(Handler):
    """Runs every offline rule; `findings` and `links` are the result after `finish()`."""

    ctx: Context
    findings: list[Finding] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    items: int = 0
    names: Names = field(default_factory=Names)
    self_url: str | None = None
    show_type: str | None = None
    rss: bool = False
    stopped: bool = False
    publisher_feed: bool = False  # podcast:medium publisher: a list of a publisher's feeds, not a show
    _guids: dict[str, EpisodeRef] = field(default_factory=dict)
    _enclosures: dict[str, EpisodeRef] = field(default_factory=dict)
    _item_facts: list[_ItemFacts] = field(default_factory=list)
    _deprecated: dict[str, list[object]] = field(default_factory=dict)
    _http_urls: dict[str, list[object]] = field(default_factory=dict)
    _pending_namespaces: list[tuple[str | None, str]] = field(default_factory=list)
    _prolog_findings: int = 0

    def add(self, rule_id: str, at: etree._Element | None = None, episode: EpisodeRef | None = None,
            *, url: str | None = None, line: int | None = None, **params: object) -> None:  # fmt: skip
        """Record a finding of `rule_id` at element `at` (for its line); `params` fill the message."""
        if self.publisher_feed and rule_id in NOT_FOR_PUBLISHER_FEEDS:
            return
        if line is None and at is not None:
            line = at.sourceline
        self.findings.append(finding(rule_id, line=line, episode=episode, url=url, **params))

    # --- the document ---------------------------------------------------------------------------------

    def start(self) -> None:
        prolog = self.ctx.prolog
        if prolog.encoding_problem:
            self.add("xml.encoding", line=1, detail=prolog.encoding_problem)
        if not prolog.declaration:
            self.add("xml.declaration", line=1)
        if prolog.entities:
            names = ", ".join(prolog.entities[:5]) + (", …" if len(prolog.entities) > 5 else "")
            if prolog.external_entities:
                names += f"; {prolog.external_entities} external"
            self.add("xml.entities", line=1, names=f"{len(prolog.entities)}: {names}")
        elif prolog.doctype:
            self.add("xml.doctype", line=1, detail="a DTD")
        if prolog.size > FEED_SIZE_WARNING:
            self.add("feed.size", size=f"{prolog.size / 1048576:.1f} MB")
        self._prolog_findings = len(self.findings)

    def namespace(self, prefix: str | None, uri: str) -> None:
        if not self.rss:  # declarations on the root come before it: judged once it is known to be <rss>
            self._pending_namespaces.append((prefix, uri))
            return
        known = vocab.namespace_name(uri)
        if known is not None:
            accepted = vocab.NAMESPACES[known]
            if uri not in accepted:
                self.add("namespace.uri", prefix=prefix or "", uri=uri, name=known, expected=accepted[0])
            elif prefix != known and not (prefix is None and known == "atom"):
                self.add("namespace.prefix", name=known, prefix=prefix or "(default)", uri=accepted[0])
            elif uri == vocab.PODCAST_LEGACY:
                self.add("namespace.podcast-legacy")
        elif prefix in vocab.NAMESPACES:
            self.add("namespace.uri", prefix=prefix, uri=uri, name=prefix, expected=vocab.NAMESPACES[prefix][0])

    def syntax_error(self, rule_id: str | None, line: int | None, detail: str) -> None:
        """The document is not well-formed: what was checked before may be a consequence (libxml2 goes on
        after an undeclared prefix), so only the prolog's findings and this one are kept."""
        self.stopped = True
        del self.findings[self._prolog_findings :]
        self.links.clear()
        if rule_id is not None:
            self.add(rule_id, line=line, detail=detail)

    def root_start(self, root: etree._Element) -> bool:
        uri, local = _split(root.tag) if isinstance(root.tag, str) else ("", "")
        if local.lower() == "html":
            raise InputError(f"{self.ctx.label}: is an HTML page, not a feed; give the feed's own URL")
        if uri or local != "rss":
            atom = " (an Atom feed; Apple and Spotify read RSS 2.0)" if uri == vocab.ATOM else ""
            self.add("rss.root", root, detail=f"the root element is <{clip(local, 40)}>{atom}, not <rss>")
            self.stopped = True
            return False
        self.rss = True
        for prefix, uri in self._pending_namespaces:
            self.namespace(prefix, uri)
        version = root.get("version")
        if version != "2.0":
            self.add("rss.root", root, detail=f'<rss version="{clip(version or "", 20)}">: apps expect version="2.0"')
        return True

    def root_end(self, root: etree._Element, channels: int) -> None:
        if channels == 0:
            self.add("rss.root", root, detail="<rss> has no <channel>")
        elif channels > 1:
            self.add("rss.root", root, detail=f"<rss> has {channels} <channel> elements; apps read the first")

    # --- shared value checks --------------------------------------------------------------------------

    def check_url(self, url: str, where: str, element: etree._Element | None, episode: EpisodeRef | None,
                  *, http_only: bool = True) -> bool:  # fmt: skip
        """The url.* rules; True when the URL can be fetched by an app."""
        line = element.sourceline if element is not None else None
        problem = None
        bad = _URL_BAD.search(url)
        if not url.strip():
            problem = "it is empty"
        elif bad is not None:
            problem = "it contains spaces" if bad.group().isspace() else "it contains control characters"
        if problem is None:
            try:
                parts = urlsplit(url)
                parts.port  # noqa: B018 (raises ValueError for a bad port)
            except ValueError:
                parts = None
                problem = "it cannot be parsed"
            if parts is not None:
                scheme = parts.scheme.lower()
                if not scheme:
                    problem = "it is relative; apps have no base URL to resolve it"
                elif http_only and scheme not in ("http", "https"):
                    problem = f"apps fetch http(s) only, not {clip(scheme, 20)}:"
                elif scheme in ("http", "https") and not parts.hostname:
                    problem = "it has no host"
        if problem:
            self.add("url.invalid", episode=episode, line=line, url=url, where=where, detail=problem)
            return False
        if not url.isascii():
            self.add("url.non-ascii", episode=episode, line=line, url=url, where=where)
        if _DOUBLE_ENCODED.search(url):
            self.add("url.double-encoded", episode=episode, line=line, url=url, where=where)
        if url[:7].lower() == "http://":
            host = urlsplit(url).netloc.lower()
            seen = self._http_urls.get(host)
            if seen is None:
                self._http_urls[host] = [url, where, line, episode, 0]
            else:
                seen[4] = int(seen[4]) + 1  # type: ignore[call-overload]
        return url[:8].lower() == "https://" or url[:7].lower() == "http://"

    def check_date(self, element: etree._Element, episode: EpisodeRef | None, name: str) -> datetime | None:
        value = _text(element)
        try:
            date, weekday = vocab.parse_rfc2822(value)
        except vocab.DateProblem:
            self.add("date.rfc2822", element, episode, element=name, value=value)
            return None
        if weekday:
            day = value.split(",", 1)[0].strip()
            self.add("date.weekday", element, episode, element=name, value=value, day=day, weekday=weekday)
        return date

    def check_text(self, element: etree._Element | None, name: str, episode: EpisodeRef | None) -> None:
        if element is None or element.text is None:
            return
        value = element.text
        if len(value) > TEXT_LIMIT:
            self.add("text.length", element, episode, element=name, count=len(value))
        if value != value.strip():
            self.add("text.whitespace", element, episode, element=name, value=value)

    def check_explicit(self, element: etree._Element, episode: EpisodeRef | None) -> None:
        value = _text(element).strip()
        if value.lower() in ("true", "false"):
            return
        rule = "apple.explicit.legacy" if value.lower() in ("yes", "no", "clean") else "apple.explicit.value"
        self.add(rule, element, episode, value=value)

    def check_image(self, element: etree._Element, episode: EpisodeRef | None) -> None:
        href = element.get("href")
        if href is None or not href.strip():
            detail = " (the URL is in the text; Apple reads href)" if _text(element).strip() else ""
            self.add("apple.image.href", element, episode, detail=detail)
            return
        if not self.check_url(href, "<itunes:image> href", element, episode):
            return
        if not href.lower().endswith(tuple(vocab.IMAGE_TYPES)):
            self.add("apple.image.extension", element, episode, url=href)
            return
        self.links.append(Link(href, "artwork", episode=episode, line=element.sourceline))

    def check_yes_only(self, node: Node, episode: EpisodeRef | None) -> None:
        for local in ("block", "complete"):
            for element in node.all("itunes", local):
                if _text(element).strip().lower() != "yes":
                    self.add("apple.yes-only", element, episode, element=f"itunes:{local}", value=_text(element))

    def note_deprecated(self, node: Node, episode: EpisodeRef | None) -> None:
        for local in DEPRECATED_ITUNES:
            for element in node.all("itunes", local):
                seen = self._deprecated.get(local)
                if seen is None:
                    self._deprecated[local] = [element.sourceline, episode, 1]
                else:
                    seen[2] = int(seen[2]) + 1  # type: ignore[call-overload]

    # --- items ----------------------------------------------------------------------------------------

    def item(self, item: etree._Element, index: int) -> None:
        self.items += 1
        node = Node(item, self.names)
        title_el = node.first("", "title")
        guid_el = node.first("", "guid")
        title = _text(title_el).strip() or None
        guid = _text(guid_el).strip() or None
        episode = EpisodeRef(index, clip(title) if title else None, clip(guid) if guid else None, item.sourceline)

        if title is None:
            self.add("item.title.missing", title_el if title_el is not None else item, episode)
        else:
            self.check_text(title_el, "title", episode)
            if _TITLE_NUMBER.match(title):
                self.add("apple.title.numbers", title_el, episode, value=title)
        self.check_text(node.first("itunes", "title"), "itunes:title", episode)
        self.check_text(node.first("itunes", "author"), "itunes:author", episode)

        self._item_guid(guid_el, guid, episode, item)
        self._item_enclosure(node, episode, item)

        date_el = node.first("", "pubDate")
        if date_el is None:
            self.add("item.pubdate.missing", item, episode)
        else:
            date = self.check_date(date_el, episode, "pubDate")
            if date is not None and date > self.ctx.now:
                self.add("item.pubdate.future", date_el, episode, value=_text(date_el))

        duration_el = node.first("itunes", "duration")
        if duration_el is None:
            self.add("item.duration.missing", item, episode)
        else:
            value = _text(duration_el).strip()
            problem = vocab.duration_problem(value)
            if problem == "fraction":
                self.add("item.duration.fraction", duration_el, episode, value=value)
            elif problem:
                self.add("item.duration.invalid", duration_el, episode, value=value,
                         misread=vocab.partytime_reading(value))  # fmt: skip

        description = node.first("", "description")
        if description is None:
            self.add("item.description.missing", item, episode)
        else:
            self._notes(description, "description", episode, summary=True)
        for content in node.all("content", "encoded"):
            self._notes(content, "content:encoded", episode, summary=False)

        for image in node.all("itunes", "image"):
            self.check_image(image, episode)
        for explicit in node.all("itunes", "explicit"):
            self.check_explicit(explicit, episode)
        has_number = False
        for local in ("episode", "season"):
            for element in node.all("itunes", local):
                value = _text(element).strip()
                if not _INTEGER.match(value) or int(value) == 0:
                    self.add("apple.episode.value", element, episode, element=f"itunes:{local}", value=value)
                elif local == "episode":
                    has_number = True
        for element in node.all("itunes", "episodeType"):
            kind = _text(element).strip()
            if kind not in ("full", "trailer", "bonus"):
                self.add("apple.episodetype.value", element, episode, value=_text(element))
            elif kind != "full":
                has_number = True  # a show trailer or bonus has no number, even in a serial show (§1.3)
        self.check_yes_only(node, episode)
        self.note_deprecated(node, episode)
        for link in node.all("", "link"):
            if _text(link).strip():
                self.check_url(_text(link).strip(), "<link>", link, episode)

        self._podcast(node, episode, PODCAST_ONCE_ITEM, "the episode")
        self._psc(node, episode)
        self._item_facts.append(_ItemFacts(episode, has_number))

    def _item_guid(self, guid_el: etree._Element | None, guid: str | None, episode: EpisodeRef,
                   item: etree._Element) -> None:  # fmt: skip
        if guid_el is None or guid is None:
            self.add("item.guid.missing", guid_el if guid_el is not None else item, episode)
            return
        other = self._guids.get(guid)
        if other is not None:
            self.add("item.guid.duplicate", guid_el, episode, value=guid, other=other.label())
        else:
            self._guids[guid] = episode
        permalink = (guid_el.get("isPermaLink") or "true").strip().lower()
        if permalink != "false" and not guid.lower().startswith(("http://", "https://")):
            self.add("item.guid.permalink", guid_el, episode, value=guid)

    def _item_enclosure(self, node: Node, episode: EpisodeRef, item: etree._Element) -> None:
        enclosures = node.all("", "enclosure")
        if not enclosures:
            self.add("item.enclosure.missing", item, episode)
            return
        if len(enclosures) > 1:
            self.add("item.enclosure.multiple", enclosures[1], episode, count=len(enclosures))
        enclosure = enclosures[0]
        url = enclosure.get("url")
        usable = False
        if url is None or not url.strip():
            self.add("item.enclosure.url", enclosure, episode)
        else:
            usable = self.check_url(url, "enclosure URL", enclosure, episode)
            other = self._enclosures.get(url)
            if other is not None:
                self.add("item.enclosure.duplicate", enclosure, episode, url=url, other=other.label())
            else:
                self._enclosures[url] = episode
        length_text = enclosure.get("length")
        length = None
        if length_text is None or not _INTEGER.match(length_text.strip()) or int(length_text) == 0:
            self.add("item.enclosure.length", enclosure, episode, value=length_text or "")
        else:
            length = int(length_text)
            if length < SMALL_LENGTH:
                self.add("item.enclosure.length-small", enclosure, episode, value=length)
        kind = self._enclosure_type(enclosure, episode, url or "")
        if usable and url:
            self.links.append(Link(url, "enclosure", kind, length, episode, enclosure.sourceline))

    def _enclosure_type(self, enclosure: etree._Element, episode: EpisodeRef, url: str) -> str | None:
        value = (enclosure.get("type") or "").strip()
        lowered = vocab.media_type(value)
        detail = None
        if not value:
            detail = ": missing (AntennaPod ignores the enclosure)"
        elif lowered in vocab.WRONG_SPELLINGS:
            detail = f": write {vocab.WRONG_SPELLINGS[lowered]} (iOS treats {lowered} as a document)"
        elif not vocab.is_mime_type(lowered):
            detail = ": not a media type"
        elif not (lowered.startswith(("audio/", "video/")) or lowered in ("application/pdf", "application/ogg",
                                                                          "application/epub+zip")):  # fmt: skip
            detail = ": not an audio or video type (Spotify ignores the episode)"
        if detail:
            self.add("item.enclosure.type", enclosure, episode, value=value, detail=detail)
            return None
        if not url:
            return lowered
        try:
            path = urlsplit(url).path
        except ValueError:
            return lowered
        extension = PurePosixPath(unquote(path)).suffix.lower()
        expected = vocab.EXTENSION_TYPES.get(extension)
        if expected is not None and lowered not in expected:
            self.add("item.enclosure.type-mismatch", enclosure, episode, value=value, ext=extension,
                     expected=expected[0])  # fmt: skip
            return lowered
        apple = vocab.APPLE_TYPES.get(extension)
        if apple is None or lowered not in apple:
            what = f"{extension} files ({lowered})" if extension else f"media URLs without a file extension ({lowered})"
            self.add("apple.enclosure.format", enclosure, episode, what=what)
        return lowered

    def _notes(self, element: etree._Element, name: str, episode: EpisodeRef | None, *, summary: bool) -> None:
        text = element.text or ""
        if summary and len(text.encode("utf-8")) > DESCRIPTION_LIMIT:
            self.add("item.description.length", element, episode, size=len(text.encode("utf-8")))
        if "<" not in text:
            return
        try:
            root = etree.fromstring(text, _HTML_PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            return
        if root is None:
            return
        outside: list[str] = []
        unsafe: list[str] = []
        relative: str | None = None
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            tag = node.tag.lower()
            if tag in ("html", "body") and (node is root or node.getparent() is root):
                continue  # the parser's own wrappers
            if summary and tag not in SUMMARY_TAGS and tag not in outside:
                outside.append(tag)
            if tag in UNSAFE_TAGS and f"<{tag}>" not in unsafe:
                unsafe.append(f"<{tag}>")
            for attribute, value in node.attrib.items():
                attribute = attribute.lower()
                if attribute.startswith("on") or attribute == "style":
                    if f"{attribute}=" not in unsafe:
                        unsafe.append(f"{attribute}=")
                elif attribute in ("href", "src", "action", "formaction"):
                    target = value.strip()
                    if target.lower().replace(" ", "").startswith(UNSAFE_SCHEMES):
                        if "javascript: links" not in unsafe:
                            unsafe.append("javascript: links")
                    elif relative is None and target and not target.startswith("#"):
                        try:
                            parts = urlsplit(target)
                        except ValueError:
                            continue
                        if not parts.scheme:
                            relative = target
        if outside:
            tags = ", ".join(f"<{t}>" for t in outside[:6]) + (" …" if len(outside) > 6 else "")
            self.add("notes.html.tags", element, episode, tags=tags)
        if unsafe:
            self.add("notes.html.unsafe", element, episode, element=name, what=", ".join(unsafe[:6]))
        if relative is not None:
            self.add("notes.html.relative-link", element, episode, element=name, url=relative)

    # --- podcast: and psc: ----------------------------------------------------------------------------

    def _podcast_elements(self, node: Node) -> Iterator[tuple[str, etree._Element]]:
        for (prefix, _), elements in node.by.items():
            if prefix != "podcast":
                continue
            for element in elements:
                for inner in element.iter():
                    if isinstance(inner.tag, str):
                        inner_prefix, local = self.names.qualify(inner.tag)
                        if inner_prefix == "podcast":
                            yield local, inner

    def _podcast(self, node: Node, episode: EpisodeRef | None, once: tuple[str, ...], parent: str) -> None:
        for local in once:
            found = node.all("podcast", local)
            if len(found) > 1:
                self.add("podcastindex.count", found[1], episode, element=f"podcast:{local}", count=len(found),
                         parent=parent)  # fmt: skip
        for local, element in self._podcast_elements(node):
            self._podcast_element(local, element, episode)

    def _podcast_element(self, local: str, element: etree._Element, episode: EpisodeRef | None) -> None:
        name = f"podcast:{local}"
        missing = False
        for attribute in PODCAST_REQUIRED.get(local, ()):
            if not (element.get(attribute) or "").strip():
                self.add("podcastindex.attribute.missing", element, episode, element=name, attribute=attribute)
                missing = True
        no_uri = not (element.get("uri") or "").strip()
        if local == "socialInteract" and element.get("protocol") != "disabled" and no_uri:
            self.add("podcastindex.attribute.missing", element, episode, element=name, attribute="uri")
        for attribute in PODCAST_URLS.get(local, ()):
            value = element.get(attribute)
            if value is not None and value.strip():
                self.check_url(value, f"<{name}> {attribute}", element, episode)
        if local == "source":
            uri = element.get("uri") or ""
            if uri.lower().startswith(("http://", "https://")):
                self.check_url(uri, "<podcast:source> uri", element, episode)
        limit = PODCAST_TEXT_LIMITS.get(local)
        text = element.text or ""
        if limit and len(text.strip()) > limit:
            self.add("podcastindex.text.length", element, episode, element=name, count=len(text.strip()), limit=limit)
        for (tag, attribute), limit in PODCAST_ATTR_LIMITS.items():
            value = element.get(attribute) if tag == local else None
            if value and len(value) > limit:
                self.add("podcastindex.text.length", element, episode, element=f"{name} {attribute}",
                         count=len(value), limit=limit)  # fmt: skip
        detail = self._podcast_value(local, element)
        if detail:
            self.add("podcastindex.value.invalid", element, episode, element=name, detail=detail)
        if local == "transcript" and not missing:
            kind = vocab.media_type(element.get("type"))
            if kind not in vocab.TRANSCRIPT_TYPES:
                self.add("podcastindex.transcript.type", element, episode, value=element.get("type"))
            self._link(element.get("url") or "", "transcript", element.get("type"), None, episode, element)
        elif local == "chapters" and not missing:
            if vocab.media_type(element.get("type")) != "application/json+chapters":
                self.add("podcastindex.chapters.type", element, episode, value=element.get("type"))
            self._link(element.get("url") or "", "chapters", element.get("type"), None, episode, element)
        elif local == "source":
            parent = element.getparent()
            if parent is not None:
                length = parent.get("length") or ""
                self._link(element.get("uri") or "", "alternate", element.get("contentType") or parent.get("type"),
                           int(length) if _INTEGER.match(length) else None, episode, element)  # fmt: skip
        elif local == "location":
            self._location(element, episode)
        elif local == "trailer" and element.get("pubdate"):
            try:
                vocab.parse_rfc2822(element.get("pubdate") or "")
            except vocab.DateProblem:
                self.add("date.rfc2822", element, episode, element="podcast:trailer pubdate",
                         value=element.get("pubdate"))  # fmt: skip
        elif local == "medium":
            if _text(element).strip() not in MEDIUMS_ALL:
                self.add("podcastindex.medium.value", element, episode, value=_text(element))
        elif local == "locked" and _text(element).strip().lower() not in ("yes", "no"):
            self.add("podcastindex.locked.value", element, episode, value=_text(element))

    def _link(self, url: str, kind: str, declared: str | None, length: int | None, episode: EpisodeRef | None,
              element: etree._Element) -> None:  # fmt: skip
        if url.lower().startswith(("http://", "https://")) and url == url.strip() and " " not in url:
            self.links.append(Link(url, kind, declared, length, episode, element.sourceline))

    @staticmethod
    def _podcast_value(local: str, element: etree._Element) -> str | None:
        """What is wrong with the value of a podcast: element (other than its required attributes)."""
        text = (element.text or "").strip()

        def integer(attribute: str) -> str | None:
            value = element.get(attribute)
            if value is not None and not _INTEGER.match(value.strip()):
                return f"{attribute} {clip(value)!r} is not a whole number"
            return None

        if local == "person" and not text:
            return "has no name"
        if local == "season" and not _INTEGER.match(text):
            return f"{clip(text)!r} is not a whole number"
        if local == "episode" and not _DECIMAL.match(text):
            return f"{clip(text)!r} is not a number"
        if local == "block" and text.lower() not in ("yes", "no"):
            return f"{clip(text)!r} is not yes or no"
        if local == "soundbite":
            start, duration = element.get("startTime"), element.get("duration")
            if start is not None and not _NUMBER.match(start.strip()):
                return f"startTime {clip(start)!r} is not a number of seconds"
            if duration is not None and (not _NUMBER.match(duration.strip()) or float(duration) <= 0):
                return f"duration {clip(duration)!r} is not a positive number of seconds"
        if local in ("alternateEnclosure", "trailer"):
            return integer("length") or (integer("bitrate") if local == "alternateEnclosure" else integer("season"))
        if local == "integrity":
            kind, value = element.get("type") or "", (element.get("value") or "").strip()
            if kind and kind not in ("sri", "pgp-signature"):
                return f"type {clip(kind)!r} is not sri or pgp-signature"
            if kind == "sri" and value:
                match = _SRI.match(value)
                try:
                    ok = bool(match) and len(base64.b64decode(match.group(2), validate=True)) == _SRI_BYTES[
                        match.group(1)
                    ]  # type: ignore[union-attr]
                except (binascii.Error, ValueError):
                    ok = False
                if not ok:
                    return f"value {clip(value)!r} is not an SRI hash (sha256-<base64 of the 32-byte digest>)"
        if local == "updateFrequency":
            complete = element.get("complete")
            if complete is not None and complete not in ("true", "false"):
                return f"complete {clip(complete)!r} is not true or false"
        if local == "socialInteract":
            return integer("priority")
        if local == "liveItem" and element.get("status") and element.get("status") not in ("pending", "live", "ended"):
            return f"status {clip(element.get('status') or '')!r} is not pending, live or ended"
        if local == "remoteItem":
            return FeedChecker._remote_item(element)
        if local in ("podroll", "publisher"):
            return FeedChecker._remote_list(local, element)
        return None

    @staticmethod
    def _remote_item(element: etree._Element) -> str | None:
        """A remoteItem names a feed by its podcast:guid, which apps resolve through the index: a value
        that is not a UUID can never be resolved, so the recommendation or the publisher link is lost."""
        guid = (element.get("feedGuid") or "").strip()
        if guid:
            try:
                uuid.UUID(guid)
            except ValueError:
                return f"feedGuid {clip(guid)!r} is not a UUID (the remote feed's podcast:guid)"
        medium = element.get("medium")
        if medium is not None and medium.strip() not in MEDIUMS_ALL:
            return f"medium {clip(medium)!r} is not one of the namespace's mediums"
        return None

    @staticmethod
    def _remote_list(local: str, element: etree._Element) -> str | None:
        """podroll holds one or more remoteItems; publisher exactly one, with medium="publisher"
        (podcast-partytime ignores a publisher whose remoteItem lacks it)."""
        items = []
        for child in element:
            if isinstance(child.tag, str):
                uri, name = _split(child.tag)
                if name == "remoteItem" and vocab.namespace_name(uri) == "podcast":
                    items.append(child)
        if not items:
            return "has no <podcast:remoteItem>"
        if local == "publisher":
            if len(items) > 1:
                return f"has {len(items)} <podcast:remoteItem>; the namespace allows exactly one"
            if (items[0].get("medium") or "").strip() != "publisher":
                return 'has a <podcast:remoteItem> without medium="publisher"'
        return None

    def _location(self, element: etree._Element, episode: EpisodeRef | None) -> None:
        geo, osm, country = element.get("geo"), element.get("osm"), element.get("country")
        problems = []
        if geo is not None and not _GEO.match(geo.strip()):
            problems.append(f"geo {clip(geo)!r} is not geo:latitude,longitude")
        if osm is not None and not _OSM.match(osm.strip()):
            problems.append(f"osm {clip(osm)!r} is not a type letter and an id (R7444)")
        if country is not None and not re.match(r"^[A-Za-z]{2}$", country.strip()):
            problems.append(f"country {clip(country)!r} is not an ISO 3166-1 alpha-2 code")
        if problems:
            self.add("podcastindex.location.format", element, episode, detail="; ".join(problems))

    def _psc(self, node: Node, episode: EpisodeRef) -> None:
        lists = node.all("psc", "chapters")
        if not lists:
            return
        if len(lists) > 1:
            self.add("psc.chapters.multiple", lists[1], episode, count=len(lists))
        previous: tuple[float, str] | None = None
        for chapter in lists[0]:
            if not isinstance(chapter.tag, str) or self.names.qualify(chapter.tag) != ("psc", "chapter"):
                continue
            start = (chapter.get("start") or "").strip()
            if not start:
                self.add("psc.chapter.invalid", chapter, episode, detail="has no start")
                continue
            if not _NPT.match(start):
                self.add("psc.chapter.invalid", chapter, episode, detail=f"start {start!r} is not Normal Play Time")
                continue
            if not (chapter.get("title") or "").strip():
                self.add("psc.chapter.invalid", chapter, episode, detail=f"at {start} has no title")
            seconds = _npt_seconds(start)
            if previous is not None and seconds < previous[0]:
                self.add("psc.chapters.order", chapter, episode, detail=f"{start} comes after {previous[1]}")
            previous = (seconds, start)

    # --- the channel ----------------------------------------------------------------------------------

    def channel(self, channel: etree._Element) -> None:
        node = Node(channel, self.names)
        medium = node.first("podcast", "medium")
        if medium is not None and _text(medium).strip() in ("publisher", "publisherL"):
            self.publisher_feed = True
            if not node.all("podcast", "remoteItem"):
                detail = "is publisher, but the channel lists no <podcast:remoteItem> (the publisher's feeds)"
                self.add("podcastindex.value.invalid", medium, element="podcast:medium", detail=detail)
        title = node.first("", "title")
        if not _text(title).strip():
            self.add("channel.title.missing", title if title is not None else channel)
        self.check_text(title, "title", None)
        self.check_text(node.first("itunes", "title"), "itunes:title", None)
        self._channel_self(node, channel)
        link = node.first("", "link")
        if link is None or not _text(link).strip():
            self.add("channel.link.missing", link if link is not None else channel)
        else:
            url = _text(link).strip()
            self.check_url(url, "channel <link>", link, None)
            feeds = {u.rstrip("/") for u in (self.ctx.expected_url, self.ctx.final_url, self.self_url) if u}
            if url.rstrip("/") in feeds:
                self.add("channel.link.feed", link)
        description = node.first("", "description")
        if description is None or not _text(description).strip():
            self.add("channel.description.missing", description if description is not None else channel)
        elif len(_text(description).encode("utf-8")) > DESCRIPTION_LIMIT:
            size = len(_text(description).encode("utf-8"))
            self.add("channel.description.length", description, size=size)
        language = node.first("", "language")
        if language is None or not _text(language).strip():
            self.add("channel.language.missing", language if language is not None else channel)
        elif vocab.language_problem(_text(language).strip()):
            self.add("channel.language.invalid", language, value=_text(language))
        for local in ("pubDate", "lastBuildDate"):
            for element in node.all("", local):
                self.check_date(element, None, local)
        image = node.first("", "image")
        if image is not None:
            image_url = next((c for c in image if isinstance(c.tag, str) and c.tag == "url"), None)
            if image_url is not None and _text(image_url).strip():
                self.check_url(_text(image_url).strip(), "<image><url>", image_url, None)

        author = node.first("itunes", "author")
        if author is None or not _text(author).strip():
            self.add("spotify.author.missing", author if author is not None else channel)
        self.check_text(author, "itunes:author", None)
        self._channel_owner(node, channel)
        self._channel_categories(node, channel)
        explicit = node.first("itunes", "explicit")
        if explicit is None:
            self.add("apple.explicit.missing", channel)
        else:
            self.check_explicit(explicit, None)
        images = node.all("itunes", "image")
        if not images:
            self.add("apple.image.missing", channel)
        for element in images:
            self.check_image(element, None)
        show_type = node.first("itunes", "type")
        if show_type is not None:
            self.show_type = _text(show_type).strip()
            if self.show_type not in ("episodic", "serial"):
                self.add("apple.type.value", show_type, value=_text(show_type))
        self.check_yes_only(node, None)
        self.note_deprecated(node, None)
        for element in node.all("itunes", "new-feed-url"):
            self.check_url(_text(element).strip(), "<itunes:new-feed-url>", element, None)
        self._channel_podcast(node, channel)

    def _channel_self(self, node: Node, channel: etree._Element) -> None:
        selves = [link for link in node.all("atom", "link") if (link.get("rel") or "").strip() == "self"]
        if not selves:
            self.add("atom.self.missing", channel)
            return
        link = selves[0]
        href = (link.get("href") or "").strip()
        if not self.check_url(href, 'atom:link rel="self"', link, None):
            return
        self.self_url = href
        expected = self.ctx.expected_url
        if expected and href not in (expected, self.ctx.final_url):
            self.add("atom.self.mismatch", link, value=href, expected=expected)
        kind = link.get("type")
        if kind is not None and kind.strip() != "application/rss+xml":
            self.add("atom.self.type", link, value=kind)

    def _channel_owner(self, node: Node, channel: etree._Element) -> None:
        owner = node.first("itunes", "owner")
        if owner is None:
            self.add("spotify.owner.email", channel, detail="the channel has no <itunes:owner>")
            return
        owner_node = Node(owner, self.names)
        email = owner_node.first("itunes", "email")
        if email is None or not _text(email).strip():
            self.add("spotify.owner.email", owner, detail="<itunes:owner> has no <itunes:email>")
        elif not _EMAIL.match(_text(email).strip()):
            detail = f"<itunes:email> {clip(_text(email))!r} is not an e-mail address"
            self.add("spotify.owner.email", email, detail=detail)
        self.check_text(owner_node.first("itunes", "name"), "itunes:name", None)

    def _channel_categories(self, node: Node, channel: etree._Element) -> None:
        categories = node.all("itunes", "category")
        if not categories:
            self.add("apple.category.missing", channel)
        for element in categories:
            name = element.get("text")
            if name is None:
                detail = "<itunes:category> without a text attribute"
                self.add("apple.category.invalid", element, detail=detail, hint="")
                continue
            if name in vocab.CATEGORIES:
                for sub in Node(element, self.names).all("itunes", "category"):
                    self._subcategory(name, sub)
            elif name in vocab.OBSOLETE_CATEGORIES:
                self.add("apple.category.obsolete", element, detail=f"{name!r}")
            else:
                self.add("apple.category.invalid", element, detail=f"{clip(name)!r}", hint=_category_hint(name, None))

    def _subcategory(self, name: str, element: etree._Element) -> None:
        sub = element.get("text") or ""
        if sub in vocab.CATEGORIES[name]:
            return
        if sub in vocab.OBSOLETE_SUBCATEGORIES.get(name, ()):
            self.add("apple.category.obsolete", element, detail=f"{name!r} > {sub!r}")
        else:
            hint = _category_hint(sub, name)
            self.add("apple.category.invalid", element, detail=f"{name!r} > {clip(sub)!r}", hint=hint)

    def _channel_podcast(self, node: Node, channel: etree._Element) -> None:
        guid = node.first("podcast", "guid")
        if guid is None:
            self.add("podcastindex.guid.missing", channel)
        else:
            value = _text(guid).strip()
            try:
                uuid.UUID(value)
            except ValueError:
                self.add("podcastindex.guid.invalid", guid, value=value)
            else:
                url = self._feed_url()
                if url and value.lower() != podcast_guid(url):
                    expected = podcast_guid(url)
                    self.add("podcastindex.guid.mismatch", guid, value=value, url=url, expected=expected)
        if node.first("podcast", "locked") is None:
            self.add("podcastindex.locked.missing", channel)
        self._podcast(node, None, PODCAST_ONCE_CHANNEL, "the channel")

    def _feed_url(self) -> str | None:
        """The feed's URL: where it was fetched (or will be published), or the self link when that agrees
        with the fetch after redirects, or the self link alone for a feed file."""
        if self.self_url and self.self_url == self.ctx.final_url:
            return self.self_url
        return self.ctx.expected_url or self.self_url

    # --- the whole feed -------------------------------------------------------------------------------

    def finish(self) -> None:
        if self.stopped or not self.rss:
            return
        if self.items == 0:
            self.add("feed.empty")
        if self.show_type == "serial":
            for facts in self._item_facts:
                if not facts.has_number:
                    self.add("apple.serial.episode", episode=facts.episode, line=facts.episode.line)
        for local, (line, episode, count) in self._deprecated.items():
            self.add("apple.deprecated", line=line, episode=episode,  # type: ignore[arg-type]
                     element=f"itunes:{local}" + (f" (in {count} places)" if count > 1 else ""))  # fmt: skip
        for url, where, line, episode, more in self._http_urls.values():
            suffix = f" (and {more} more http:// URL{'s' if more != 1 else ''} on this host)" if more else ""
            self.add("url.https", line=line, episode=episode, url=url, where=where, more=suffix)  # type: ignore[arg-type]
        self._local_files()

    def _local(self) -> LocalFiles | None:
        if self.ctx.local is not None:
            return self.ctx.local
        base = self.ctx.expected_url or self.self_url
        if self.ctx.local_root is not None and base:
            return LocalFiles(base, self.ctx.local_root)
        return None

    def _local_files(self) -> None:
        local = self._local()
        if local is None:
            return
        checked: set[str] = set()
        for link in self.links:
            if link.url in checked:
                continue
            path = local.path_for(link.url)
            if path is None:
                continue
            checked.add(link.url)
            if link.kind == "enclosure" and link.length is not None:
                size = path.stat().st_size
                if size != link.length:
                    self.add("item.enclosure.size-mismatch", episode=link.episode, line=link.line, url=link.url,
                             value=link.length, path=path.name, size=size)  # fmt: skip
            elif link.kind == "artwork":
                for rule_id, params in image_problems(path, link.url):
                    self.add(rule_id, episode=link.episode, line=link.line, url=link.url, **params)

    def local_urls(self) -> set[str]:
        """The linked URLs whose files were checked on disk (the online check skips their bytes)."""
        local = self._local()
        if local is None:
            return set()
        return {link.url for link in self.links if local.path_for(link.url) is not None}


def _npt_seconds(value: str) -> float:
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _category_hint(name: str, parent: str | None) -> str:
    import difflib

    choices = list(vocab.CATEGORIES[parent]) if parent else list(vocab.CATEGORIES)
    by_folded = {choice.casefold(): choice for choice in choices}
    if name.casefold() in by_folded:
        return f"; did you mean {by_folded[name.casefold()]!r}? (case matters)"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def image_problems(source: Path | bytes, url: str) -> list[tuple[str, dict[str, object]]]:
    """The apple.image.* rules for the artwork at `source` (a file or downloaded bytes) published at `url`.

    Only the header is read (no pixels are decoded), in a closed list of formats."""
    import io

    problems: list[tuple[str, dict[str, object]]] = []
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    stream = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                image = Image.open(stream, formats=IMAGE_FORMATS)
            except Image.DecompressionBombError:
                return [("apple.image.size", {"width": "over 10000", "height": "over 10000"})]
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
                return [("apple.image.format", {"detail": "cannot be read as a JPEG or PNG image"})]
        with image:
            fmt = image.format or "unknown"
            width, height = image.size
            mode = image.mode
            transparent = mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    finally:
        stream.close()
    extension = PurePosixPath(urlsplit(url).path).suffix.lower()
    if fmt not in ("JPEG", "PNG", "MPO"):
        problems.append(("apple.image.format", {"detail": f"is {fmt} data, not JPEG or PNG"}))
    elif vocab.IMAGE_TYPES.get(extension) != ("image/png" if fmt == "PNG" else "image/jpeg"):
        problems.append(("apple.image.format", {"detail": f"is {fmt} data behind a {extension} URL"}))
    if width != height:
        problems.append(("apple.image.square", {"width": width, "height": height}))
    elif not IMAGE_MIN <= width <= IMAGE_MAX:
        problems.append(("apple.image.size", {"width": width, "height": height}))
    if mode not in ("RGB", "RGBA", "RGBa", "P", "PA"):
        problems.append(("apple.image.colorspace", {"mode": mode}))
    if transparent:
        problems.append(("apple.image.alpha", {}))
    if size > IMAGE_BUDGET:
        problems.append(("apple.image.bytes", {"size": f"{size // 1024} KB"}))
    return problems
