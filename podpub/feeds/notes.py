"""Show notes: Markdown → HTML for `content:encoded`, and a short, safe HTML summary for `<description>`.

Why two outputs: `content:encoded` carries the full notes (any HTML a reader can show), while Apple and
PSP-1 cap `<description>` at 4000 *bytes* and allow only `<p> <ol> <ul> <li> <a> <b> <i> <strong> <em>`
there. Both must be safe: HTML in the notes (producers paste it, imported shows are full of it) goes
through nh3, a maintained allow-list sanitizer, so only formatting tags survive and nothing can run
script; links and images are made absolute (apps have no base URL; relative links break, W3C flags
`ContainsRelRef`), and only `http`, `https` and `mailto` links survive (no `javascript:`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from podpub import canonical
from podpub.feeds.text import clean_text
from podpub.fsutil import atomic_write_text

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

#: Tags Apple (`p ol ul li a`) and PSP-1 (`b i strong em`) allow in `<description>`, plus `br`.
SUMMARY_TAGS = frozenset({"p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"})

ELLIPSIS = "…"

# Cutting after one of these keeps whole paragraphs / list items: the preferred place to cut.
_BLOCK_ENDS = frozenset({"p", "li", "ul", "ol"})
# Inline tags inside which a new <p> must not be opened.
_INLINE = frozenset({"a", "b", "i", "strong", "em"})
# Block elements that are not allowed but carry a paragraph of text: turned into <p>.
_AS_PARAGRAPH = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "caption", "figcaption"})
# Block containers that are unwrapped; a newline after them keeps their text from gluing to the next.
_BLOCK_CONTAINERS = frozenset(
    {
        "div", "blockquote", "section", "article", "header", "footer", "aside", "nav", "main", "table",
        "thead", "tbody", "tfoot", "tr", "td", "th", "dl", "figure", "details", "summary", "address",
        "center", "body", "html",
    }
)  # fmt: skip
# Elements whose content is not text a reader should see.
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "head", "title", "iframe", "object", "embed", "noscript", "svg",
        "math", "video", "audio", "canvas", "img", "hr", "input", "select", "textarea", "button",
    }
)  # fmt: skip

# ASCII whitespace only: a no-break space (French « », ` :`) must neither be squeezed nor cut at.
_TOKENS = re.compile(r"[ \t\n\r\f]+|[^ \t\n\r\f]+")
_SPACES = re.compile(r"[ \t\n\r\f]+")


def absolute_url(url: str, base_url: str | None) -> str | None:
    """Return `url` made absolute against `base_url`, or None if its scheme is not safe to publish.

    Only `http`, `https` and `mailto` are kept: anything else (`javascript:`, `data:`, `file:`) is an
    attack or cannot work in a podcast app. A relative URL with no base cannot be resolved, so it is
    dropped as well.
    """
    url = url.strip()
    if not url:
        return None
    joined = urljoin(base_url, url) if base_url else url
    try:
        parts = urlsplit(joined)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return None
    if scheme != "mailto" and not parts.netloc:
        return None
    return joined


def _rewrite_urls(base_url: str | None) -> Callable[[StateCore], None]:
    """A markdown-it core rule that absolutizes link/image URLs and defuses unsafe ones.

    Done on tokens rather than on the rendered HTML so the full notes keep markdown-it's exact output.
    A link with an unsafe target is rendered as its text only; an unsafe image as its alt text.
    """

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            for token in block.children or ():
                _rewrite_token(token, base_url)

    return rule


def _rewrite_token(token: Token, base_url: str | None) -> None:
    if token.type == "link_open":
        url = absolute_url(str(token.attrGet("href") or ""), base_url)
        if url is None:
            token.hidden = True  # renderToken() prints nothing for hidden tokens
            token.meta["podpub_dropped"] = True
        else:
            token.attrSet("href", url)
    elif token.type == "image":
        url = absolute_url(str(token.attrGet("src") or ""), base_url)
        if url is None:
            token.type = "text"
            token.tag = ""
            token.attrs = {}
            token.children = None
            token.nesting = 0
        else:
            token.attrSet("src", url)


def _hide_orphan_closers(state: StateCore) -> None:
    """Hide the `link_close` that matches every hidden `link_open`, so no stray `</a>` is printed."""
    for block in state.tokens:
        open_links: list[bool] = []
        for token in block.children or ():
            if token.type == "link_open":
                open_links.append(bool(token.meta.get("podpub_dropped")))
            elif token.type == "link_close" and open_links and open_links.pop():
                token.hidden = True


@functools.lru_cache(maxsize=8)
def _markdown(base_url: str | None) -> MarkdownIt:
    """CommonMark with raw HTML passed on to the sanitizer; linkify only when its dependency is installed."""
    if importlib.util.find_spec("linkify_it") is not None:
        md = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("linkify")
    else:
        md = MarkdownIt("commonmark", {"html": True})
    md.core.ruler.push("podpub_urls", _rewrite_urls(base_url))
    md.core.ruler.push("podpub_link_close", _hide_orphan_closers)
    return md


class NotesCache:
    """Rendered notes (and whole feed items, see `render.ItemWriter`) kept between builds, keyed by a
    hash of their input.

    Markdown rendering and sanitizing is most of the cost of rendering a feed (and the website renders
    the same notes again): with this cache an unchanged episode costs a dictionary lookup. Only the
    entries used by the last build are saved, so the file never grows past the show's size; a file
    written by another podpub (`canonical.code_version`) is not used at all.
    """

    VERSION = 1

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._old: dict[str, str] = {}
        self._used: dict[str, str] = {}
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
                if (
                    isinstance(data, dict)
                    and data.get("version") == self.VERSION
                    and data.get("code") == canonical.code_version()  # another podpub renders differently
                ):
                    self._old = {str(k): str(v) for k, v in data.get("entries", {}).items()}

    def get(self, kind: str, *parts: str, compute: Callable[[], str]) -> str:
        if self.path is None:  # no cache in use (outside a build): nothing is kept in memory
            return compute()
        key = self._key(kind, parts)
        if key in self._used:
            return self._used[key]
        value = self._old[key] if key in self._old else compute()
        self._used[key] = value
        return value

    def lookup(self, kind: str, *parts: str) -> str | None:
        """The kept value `get` would return, without computing one: None when there is none."""
        if self.path is None:
            return None
        key = self._key(kind, parts)
        value = self._used.get(key)
        if value is None and key in self._old:
            value = self._used[key] = self._old[key]
        return value

    def store(self, kind: str, *parts: str, value: str) -> None:
        """Keep `value` as what `get(kind, *parts)` returns from now on."""
        if self.path is not None:
            self._used[self._key(kind, parts)] = value

    def keep(self, kind: str, *parts: str) -> None:
        """Keep the entry `get(kind, *parts)` would use, without using it: a feed item taken whole from
        the cache still keeps its rendered notes, which a later change of the show (that rewrites every
        item) or a web page needs again."""
        if self.path is None:
            return
        key = self._key(kind, parts)
        if key not in self._used and key in self._old:
            self._used[key] = self._old[key]

    @staticmethod
    def _key(kind: str, parts: tuple[str, ...]) -> str:
        return hashlib.sha256("\0".join((kind, *parts)).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def save(self) -> None:
        if self.path is None or self._used == self._old:
            return
        entries = dict(sorted(self._used.items()))
        payload = {"version": self.VERSION, "code": canonical.code_version(), "entries": entries}
        atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


_cache = NotesCache(None)


def current_cache() -> NotesCache:
    """The render cache of the build in progress (one that keeps nothing outside `cached`)."""
    return _cache


@contextlib.contextmanager
def cached(path: Path) -> Iterator[NotesCache]:
    """Use (and then save) the notes cache at `path` for the renders inside the block."""
    global _cache
    previous, _cache = _cache, NotesCache(path)
    try:
        yield _cache
        _cache.save()
    finally:
        _cache = previous


def render_notes(markdown: str, base_url: str | None = None) -> str:
    """Render Markdown show notes to sanitized HTML (cached: see NotesCache)."""
    return _cache.get("notes", base_url or "", markdown, compute=lambda: _render_notes(markdown, base_url))


def _render_notes(markdown: str, base_url: str | None = None) -> str:
    """Render Markdown show notes to HTML for `content:encoded`.

    `base_url` resolves relative links and images (podpub passes the show's public `base_url`, where
    the published files live). Raw HTML in the notes is shown as text, never executed.
    """
    text = clean_text(markdown)
    if not text:
        return ""
    rendered = _markdown(base_url).render(text)
    return nh3.clean(
        rendered,
        tags=NOTES_TAGS,
        attributes=NOTES_ATTRIBUTES,
        attribute_filter=_url_filter(base_url),
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
    ).strip()


#: What full show notes may contain: formatting, lists, links, images, code; never script or style.
NOTES_TAGS = {
    "p", "br", "a", "ul", "ol", "li", "b", "i", "strong", "em", "u", "s", "del", "sub", "sup", "code", "pre",
    "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "figure", "figcaption",
}  # fmt: skip
NOTES_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}}


def _url_filter(base_url: str | None) -> Callable[[str, str, str], str | None]:
    """nh3 attribute filter: links and images in pasted HTML are made absolute like Markdown ones."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            return absolute_url(value, base_url)
        return value

    return keep


# --- summary_html --------------------------------------------------------------------------------------

# An event of the sanitized stream: (kind, tag, html) with kind in start / end / text / void.
_Event = tuple[str, str, str]


def _start(tag: str, href: str | None = None) -> _Event:
    attrs = f' href="{html.escape(href, quote=True)}"' if href else ""
    return ("start", tag, f"<{tag}{attrs}>")


def _end(tag: str) -> _Event:
    return ("end", tag, f"</{tag}>")


def _squeeze(match: re.Match[str]) -> str:
    return "\n" if "\n" in match.group() else " "


def _text_event(text: str) -> _Event:
    """One escaped text event; whitespace runs (which HTML collapses anyway) are squeezed to save bytes."""
    return ("text", "", html.escape(_SPACES.sub(_squeeze, text), quote=False))


def _split_words(events: list[_Event]) -> list[_Event]:
    """Split text events into word and whitespace events: the possible cut points. Done only when a
    cut is needed, since most notes fit. Escaped text has no whitespace inside entities."""
    out: list[_Event] = []
    for event in events:
        if event[0] == "text":
            out.extend(("text", "", token) for token in _TOKENS.findall(event[2]))
        else:
            out.append(event)
    return out


def _walk(el: etree._Element, stack: list[str], out: list[_Event]) -> None:
    """Append the events of `el` (without its tail) to `out`, keeping only allowed tags and attributes.

    Appends rather than yields: this runs for every element of every episode's notes when a feed is
    first rendered, and nested generators cost a third of it."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag or tag in _DROP_WITH_CONTENT:
        return  # comments, processing instructions, scripts, images…
    if tag == "br":
        out.append(("void", "br", "<br />"))
        return
    keep: str | None = None
    href: str | None = None
    if tag == "a":
        href = absolute_url(el.get("href") or "", None)
        keep = "a" if href and "a" not in stack else None
    elif tag in SUMMARY_TAGS:
        keep = tag
    elif tag in _AS_PARAGRAPH and "p" not in stack and not _INLINE.intersection(stack):
        keep = "p"
    if keep:
        out.append(_start(keep, href))
        stack.append(keep)
    if el.text:
        out.append(_text_event(el.text))
    for child in el:
        _walk(child, stack, out)
        if child.tail:
            out.append(_text_event(child.tail))
    if keep:
        stack.pop()
        out.append(_end(keep))
    elif tag in _BLOCK_CONTAINERS or tag in _AS_PARAGRAPH:
        out.append(("text", "", "\n"))


def _tidy(events: list[_Event]) -> list[_Event]:
    """Drop elements left empty by the sanitizing (e.g. a link that only wrapped an image) and squeeze
    whitespace runs to one space or newline: every byte saved is room for notes under the limit."""
    out: list[_Event] = []
    for event in events:
        kind, tag, markup = event
        if kind == "end" and out and out[-1][0] == "start" and out[-1][1] == tag:
            out.pop()
        elif kind == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", "", _SPACES.sub(_squeeze, out[-1][2] + markup))
        else:
            out.append(event)
    return out


def _sanitized_events(fragment: str) -> list[_Event]:
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    events: list[_Event] = [_text_event(root.text)] if root.text else []
    for child in root:
        _walk(child, [], events)
        if child.tail:
            events.append(_text_event(child.tail))
    return _tidy(events)


def _size(s: str) -> int:
    return len(s.encode("utf-8"))


def _close(stack: list[str]) -> str:
    return "".join(f"</{tag}>" for tag in reversed(stack))


def _cut(events: list[_Event], limit: int) -> str:
    """Cut the event stream so the HTML (closing tags and ellipsis included) fits in `limit` bytes.

    Prefers the last whole paragraph or list item that fits, unless that would throw away more than
    half the budget; then cuts after the last whole word and adds an ellipsis. A single word longer
    than the budget is cut between characters as a last resort.
    """
    events = _split_words(events)
    ellipsis_size = _size(ELLIPSIS)
    stack: list[str] = []
    used = 0  # bytes of events[:i + 1]
    closing = 0  # bytes of the closing tags of `stack`
    block: tuple[int, list[str], int] | None = None  # (end index, open tags, size)
    word: tuple[int, list[str]] | None = None
    crossing = len(events)  # index of the first event that no longer fits
    for i, (kind, tag, markup) in enumerate(events):
        used += _size(markup)
        if kind == "start":
            stack.append(tag)
            closing += _size(f"</{tag}>")
        elif kind == "end":
            stack.pop()
            closing -= _size(f"</{tag}>")
        if used + closing > limit:  # monotonic: an end tag adds what it removes from `closing`
            crossing = i
            break
        if kind == "end" and tag in _BLOCK_ENDS:
            block = (i + 1, list(stack), used + closing)
        if kind == "text" and markup.strip() and used + closing + ellipsis_size <= limit:
            word = (i + 1, list(stack))

    if block and (block[2] >= limit // 2 or word is None or word[0] <= block[0]):
        end, open_tags, _ = block
        return ("".join(m for _, _, m in events[:end]) + _close(open_tags)).strip()
    if word:
        end, open_tags = word
        head = "".join(m for _, _, m in events[:end])
        return (head + ELLIPSIS + _close(open_tags)).strip()
    return _cut_chars(events, crossing, limit)


def _cut_chars(events: list[_Event], crossing: int, limit: int) -> str:
    """Last resort: keep whole characters of the word that crosses the limit (never half an entity)."""
    stack: list[str] = []
    head: list[str] = []
    for kind, tag, markup in events[:crossing]:
        head.append(markup)
        if kind == "start":
            stack.append(tag)
        elif kind == "end":
            stack.pop()
    if crossing >= len(events) or events[crossing][0] != "text":
        return ""
    budget = limit - _size("".join(head)) - _size(_close(stack)) - _size(ELLIPSIS)
    kept = ""
    for char in html.unescape(events[crossing][2]):
        piece = html.escape(char, quote=False)
        if _size(piece) > budget:
            break
        kept += piece
        budget -= _size(piece)
    if not kept:
        return ""
    return ("".join(head) + kept + ELLIPSIS + _close(stack)).strip()


def summary_html(fragment: str, limit: int = 4000) -> str:
    """The `<description>` form of HTML notes.

    Not cached on its own: only a feed item uses it, and the whole item is cached (`render.ItemWriter`)."""
    return _summary_html(fragment, limit)


def _summary_html(fragment: str, limit: int = 4000) -> str:
    """An Apple/PSP-safe `<description>` from HTML notes: allowed tags only, at most `limit` UTF-8 bytes.

    Disallowed tags are unwrapped to their text (headings become paragraphs; scripts and images go),
    only `href` is kept on links, and the result is always well-formed: the cut happens between whole
    tags, entities and characters, and every open tag is closed. Returns "" for empty notes.
    """
    text = clean_text(fragment)
    if not text:
        return ""
    events = _sanitized_events(text)
    full = "".join(m for _, _, m in events).strip()
    if _size(full) <= limit:
        return full
    return _cut(events, limit)
