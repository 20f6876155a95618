"""Reading a feed's XML safely, and repairing the mistakes real feeds make.

Safety: lxml never expands entities (no billion laughs), never loads a DTD and never touches the
network (no XXE); comments and processing instructions are dropped. Text nodes over 10 MB and
absurd nesting are refused (lxml's default limits, `huge_tree` off).

Repairs, only when the feed does not parse as it is, each one reported: text before the XML
declaration, a wrong or missing encoding (ISO-8859-1 read as Windows-1252, as browsers do; stray
non-UTF-8 bytes), HTML entities XML does not know (`&nbsp;`, `&eacute;`), bare `&` and control
characters. CDATA sections and comments are left alone. Anything else is a clear error with the
line and column.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from dataclasses import dataclass, field

from lxml import etree

from podpub.errors import InputError

_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION_TEXT = re.compile(r"""^\s*<\?xml[^>]*\?>""")
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "iso-8859-15", "windows-1252"}
_PROTECTED = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.S)
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_BARE_AMP = re.compile(r"&(?!#[0-9]+;|#[xX][0-9A-Fa-f]+;|[A-Za-z_][A-Za-z0-9._-]*;)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as Windows-1252 (Latin-1 where 1252 has a hole)."""
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="podpub-latin1"), error.end


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("podpub-cp1252", _cp1252_fallback)
codecs.register_error("podpub-latin1", _latin1_fallback)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


@dataclass
class LoadedXml:
    root: etree._Element
    repairs: list[str] = field(default_factory=list)  # what was fixed, one sentence each


def load_xml(data: bytes, *, charset: str | None, label: str) -> LoadedXml:
    """The parsed feed; repairs are tried only when the bytes do not parse as they are."""
    declared = _declared_encoding(data)
    mislabelled_latin1 = declared in _LATIN1 and re.search(rb"[\x80-\x9f]", data) is not None
    if not mislabelled_latin1:
        try:
            return LoadedXml(etree.fromstring(data, _parser()))
        except etree.XMLSyntaxError:
            pass
    repairs: list[str] = []
    text, leading_lines = _decode(data, declared, charset, repairs)
    text = _repair_markup(text, repairs)
    fixed = _DECLARATION_TEXT.sub('<?xml version="1.0" encoding="UTF-8"?>', text, count=1).encode("utf-8")
    try:
        root = etree.fromstring(fixed, _parser())
    except etree.XMLSyntaxError as exc:
        line = (exc.lineno or 0) + leading_lines
        message = str(exc.msg or exc).split(", line ")[0].strip()
        raise InputError(
            f"{label}: not well-formed XML (line {line}, column {exc.offset or 0}: {message}); "
            "ask the old host to fix the feed, or save a corrected copy and import the file"
        ) from None
    if root is None:
        raise InputError(f"{label}: empty document; this is not a podcast feed")
    return LoadedXml(root, repairs)


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARATION.match(data[:512])
    return match.group(1).decode("ascii").lower() if match else None


def _decode(data: bytes, declared: str | None, charset: str | None, repairs: list[str]) -> tuple[str, int]:
    """The document as text; the number of lines dropped before its first `<` (for error lines)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        encoding = declared or charset or "utf-8"
        if encoding in _LATIN1:
            text = data.decode("cp1252", errors="podpub-latin1")
            if re.search(rb"[\x80-\x9f]", data):
                repairs.append(f"the feed says {encoding} but uses Windows-1252 characters (’ “ ” …); read it as such")
        else:
            try:
                text = data.decode(encoding if _known_codec(encoding) else "utf-8")
            except UnicodeDecodeError:
                text = data.decode("utf-8", errors="podpub-cp1252")
                said = f"says {declared}" if declared else "declares no encoding"
                repairs.append(f"the feed {said} but has bytes that are not {encoding}; read them as Windows-1252")
    start = text.find("<")
    leading = text[:start] if start > 0 else ""
    if leading.strip("\ufeff \t\r\n"):
        repairs.append(f"text before the XML ({leading.strip()[:20]!r}…) was ignored")
    elif leading:
        repairs.append("blank lines before the XML declaration were ignored")
    return text[start:] if start > 0 else text, leading.count("\n")


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _repair_markup(text: str, repairs: list[str]) -> str:
    """Fix entities, bare ampersands and control characters outside CDATA sections and comments."""
    counts = {"entities": 0, "amps": 0, "controls": 0}
    names: list[str] = []

    def named(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        value = html.entities.html5.get(name + ";")
        if value is None:
            return match.group(0)
        counts["entities"] += 1
        if name not in names:
            names.append(name)
        return "".join(f"&#{ord(ch)};" for ch in value)

    def bare(match: re.Match[str]) -> str:
        counts["amps"] += 1
        return "&amp;"

    def control(match: re.Match[str]) -> str:
        counts["controls"] += 1
        return ""

    pieces = _PROTECTED.split(text)
    for index in range(0, len(pieces), 2):  # odd indices are CDATA sections and comments
        piece = _NAMED.sub(named, pieces[index])
        piece = _BARE_AMP.sub(bare, piece)
        pieces[index] = piece
    text = _CONTROL.sub(control, "".join(pieces))
    if counts["entities"]:
        shown = " ".join(f"&{n};" for n in names[:4])
        repairs.append(f"{counts['entities']} HTML entities XML does not define ({shown}) were read as characters")
    if counts["amps"]:
        repairs.append(f"{counts['amps']} bare '&' were read as '&amp;'")
    if counts["controls"]:
        repairs.append(f"{counts['controls']} control characters XML forbids were removed")
    return text
