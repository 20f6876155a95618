"""Reading a feed safely: sniff what the bytes are, then stream-parse them with lxml.

Hostile input is the normal case for a validator that checks anyone's feed, so:

- entity expansion and external entities are off (`resolve_entities=False`, `load_dtd=False`,
  `no_network=True`); a DOCTYPE or `<!ENTITY>` declaration is found by reading the prolog and reported
  as a rule (`xml.doctype`, `xml.entities`), never expanded (billion laughs, XXE);
- `huge_tree=False` keeps libxml2's limits on depth and text size;
- the document is parsed with `iterparse` and every `<item>` is checked and freed as soon as it ends, so a
  feed of any size is checked within a small memory bound;
- an empty file, an HTML page, JSON, a binary file or a document cut off before its end is refused with a
  one-line message (`InputError`, exit 2): there is no feed to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from podpub.errors import InputError
from podpub.validation.model import clip

#: how much of the start of the file is read to sniff it (the DOCTYPE's internal subset lives there)
PROLOG_BYTES = 1 << 20

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xfe\xff", "utf-16"),
    (b"\xff\xfe", "utf-16"),
)
_MAGIC = (
    (b"ID3", "an MP3 file"),
    (b"\xff\xfb", "an MP3 file"),
    (b"\xff\xf3", "an MP3 file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
    (b"RIFF", "a RIFF (WAV/WebP) file"),
)
_DECLARATION = re.compile(rb"^<\?xml\s[^>]*\?>")
_ENCODING = re.compile(rb"""^<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_HTML = re.compile(rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html\b|html\b)", re.IGNORECASE | re.DOTALL)
_ELEMENT_START = re.compile(rb"<[^!?]")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s>]+)\s+(SYSTEM|PUBLIC)?")
_ROOT_END = re.compile(rb"</\s*(?:[\w.-]+:)?rss\s*>")


@dataclass
class Prolog:
    """What the start of the file says before any element."""

    size: int
    declaration: bool
    encoding: str | None  # declared or from the byte-order mark, as written
    encoding_problem: str | None  # why it is not UTF-8, when it is not
    doctype: bool = False
    entities: list[str] = field(default_factory=list)  # declared entity names (% for parameter entities)
    external_entities: int = 0


def sniff(path: Path, label: str) -> Prolog:
    """Read the start of `path` and say what it is; InputError when it is not an XML document."""
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(PROLOG_BYTES)
    except OSError as exc:
        raise InputError(f"{label}: cannot read it ({exc.strerror or exc})") from None
    if not head.strip():
        raise InputError(f"{label}: is empty; expected an RSS feed")
    bom_encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if bom_encoding in ("utf-16", "utf-32"):
        text = head.decode(bom_encoding, errors="replace").encode("utf-8")
    else:
        text = head[3:] if bom_encoding == "utf-8" else head
        if b"\x00" in text[:4096]:
            kind = next((name for magic, name in _MAGIC if text.startswith(magic)), "binary data")
            raise InputError(f"{label}: is {kind}, not an RSS feed")
        for magic, name in _MAGIC:
            if text.startswith(magic):
                raise InputError(f"{label}: is {name}, not an RSS feed")
    stripped = text.lstrip()
    if stripped[:1] in (b"{", b"["):
        raise InputError(f"{label}: is JSON, not an RSS feed")
    if not stripped.startswith(b"<"):
        start = clip(stripped[:40].decode("utf-8", errors="replace"), 40)
        raise InputError(f"{label}: is not XML (it starts with {start!r}); expected an RSS feed")
    if _HTML.match(stripped):
        raise InputError(
            f"{label}: is an HTML page, not a feed (a website, a login or an error page?); give the feed's own URL"
        )
    declared = _ENCODING.match(text)
    encoding = declared.group(1).decode("ascii", errors="replace") if declared else None
    problem = None
    if bom_encoding in ("utf-16", "utf-32"):
        encoding = bom_encoding.upper()
        problem = f"it is {encoding} (byte-order mark)"
    elif encoding is not None and encoding.strip().lower() not in ("utf-8", "utf8"):
        problem = f'it declares encoding="{clip(encoding, 40)}"'
    prolog = Prolog(size=size, declaration=bool(_DECLARATION.match(text)), encoding=encoding, encoding_problem=problem)
    root = _ELEMENT_START.search(text)
    doctype = text.find(b"<!DOCTYPE")
    if doctype >= 0 and (root is None or doctype < root.start()):
        prolog.doctype = True
        for match in _ENTITY.finditer(text, doctype):
            name = match.group(2).decode("utf-8", errors="replace")
            prolog.entities.append(("%" if match.group(1) else "") + clip(name, 40))
            if match.group(3):
                prolog.external_entities += 1
    return prolog


class Handler:
    """What the parser calls; `podpub.validation.offline.FeedChecker` implements it."""

    def namespace(self, prefix: str | None, uri: str) -> None: ...

    def root_start(self, root: etree._Element) -> bool:
        """Return False to stop parsing (not an RSS document)."""
        return True

    def item(self, item: etree._Element, index: int) -> None: ...

    def channel(self, channel: etree._Element) -> None: ...

    def root_end(self, root: etree._Element, channels: int) -> None: ...

    def syntax_error(self, rule_id: str | None, line: int | None, detail: str) -> None:
        """Parsing stopped: report `rule_id` (None: nothing more to report)."""


def parse(path: Path, label: str, prolog: Prolog, handler: Handler) -> None:
    """Stream-parse `path`, calling `handler` for namespaces, each item (then freeing it), the channel
    and the root. A syntax error becomes one `handler.syntax_error` call (parsing stops there); a document
    cut off before its end raises InputError."""
    depth = 0
    channel: etree._Element | None = None
    channels = 0
    index = 0
    is_rss = False
    etree.clear_error_log()
    with path.open("rb") as file:
        events = etree.iterparse(
            file,
            events=("start-ns", "start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, data in events:
                if event == "start-ns":
                    prefix, uri = data
                    handler.namespace(prefix or None, uri)
                    continue
                element: etree._Element = data
                if event == "start":
                    depth += 1
                    if depth == 1:
                        if not handler.root_start(element):
                            return
                        is_rss = True
                    elif depth == 2 and is_rss and element.tag == "channel":
                        channels += 1
                        if channel is None:
                            channel = element
                    continue
                if depth == 3 and channel is not None and element.tag == "item" and element.getparent() is channel:
                    index += 1
                    handler.item(element, index)
                    element.clear(keep_tail=True)
                    previous = element.getprevious()
                    if previous is not None and previous.tag == "item":
                        channel.remove(previous)
                elif depth == 2 and element is channel:
                    handler.channel(element)
                elif depth == 1:
                    handler.root_end(element, channels)
                depth -= 1
        except etree.XMLSyntaxError as exc:
            _syntax_error(exc, path, label, prolog, handler)


_ENCODING_ERRORS = ("invalid bytes in character encoding", "input is not proper utf-8", "unsupported encoding",
                    "document labelled", "encoding error")  # fmt: skip
_NAMESPACE_ERROR = re.compile(r"Namespace prefix (\S+) (?:on|for) (\S+) (?:is not defined|on \S+ is not defined)")


def _syntax_error(exc: etree.XMLSyntaxError, path: Path, label: str, prolog: Prolog, handler: Handler) -> None:
    message, line, column = _first_error(exc)
    lowered = message.lower()
    if prolog.entities:
        handler.syntax_error(None, line, message)  # the declarations are the problem; `xml.entities` says so
        return
    if any(text in lowered for text in _ENCODING_ERRORS):
        handler.syntax_error("xml.encoding", line, f"{message} (line {line})")
        return
    match = _NAMESPACE_ERROR.search(message)
    if match:
        handler.syntax_error("namespace.undeclared", line, f"<{match.group(1)}:{match.group(2)}> (line {line})")
        return
    if "extra content" not in lowered and _truncated(path, line):
        raise InputError(
            f"{label}: ends early at line {line} ({message}); the file or the download is incomplete, fetch it again"
        )
    handler.syntax_error("xml.wellformed", line, f"{message} (line {line}, column {column})")


def _first_error(exc: etree.XMLSyntaxError) -> tuple[str, int, int]:
    """The first real error libxml2 logged: iterparse's own message is sometimes a later consequence
    ("no element found")."""
    for level in (etree.ErrorLevels.FATAL, etree.ErrorLevels.ERROR):
        for entry in exc.error_log:
            if entry.level == level:
                return clip(entry.message.strip(), 200), entry.line, entry.column
    line, column = exc.position if exc.position else (0, 0)
    return clip(str(exc.msg), 200), line, column


def _truncated(path: Path, line: int) -> bool:
    """A parse error on the last line of a document that does not end with `</rss>`: cut off."""
    with path.open("rb") as file:
        size = file.seek(0, 2)
        file.seek(max(0, size - 512))
        tail = file.read()
        if _ROOT_END.search(tail):
            return False
        file.seek(0)
        lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    return line >= lines - (1 if tail.endswith(b"\n") else 0)

