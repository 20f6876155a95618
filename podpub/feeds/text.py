"""Make arbitrary strings safe to put in an XML feed.

Titles and names often come from audio tags or hand-edited files and may carry characters XML 1.0 forbids
(C0 controls such as ESC, U+FFFE/U+FFFF, lone surrogates from `surrogateescape` decoding). lxml refuses
them outright, and a feed containing them would be rejected by every strict parser, so every string that
goes into the feed passes through `clean_text` (multi-line text) or `clean_line` (one-line fields).
Markup characters (`&`, `<`, `]]>`) are *not* touched here: escaping is the serializer's job.
"""

from __future__ import annotations

import re

# XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; plus
# DEL and the C1 controls, which XML allows but discourages: no text means them (they are mojibake from
# a Windows-1252 tag read as Latin-1), and clients show them as Windows-1252 (feedparser turns U+0086
# into "†"). NEL (U+0085) is a line break, so it becomes one.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# Line breaks, tabs and spaces; not U+00A0/U+202F, which French titles use on purpose.
_WHITESPACE_RUN = re.compile("[ \t\n\r\x85\u2028\u2029]+")


def clean_text(s: str) -> str:
    """Remove XML-illegal characters and strip surrounding whitespace.

    Apple and PSP-1 forbid leading/trailing spaces in values, hence the strip; inner whitespace and
    newlines are kept because descriptions may be multi-line.
    """
    return _XML_ILLEGAL.sub("", s).replace("\x85", "\n").strip()


def clean_line(s: str) -> str:
    """`clean_text` for one-line fields (titles, names): whitespace runs become a single space.

    A title read from a tag can contain a newline or a tab; apps show titles on one line, and the
    W3C validator and Apple expect single-line values.
    """
    return _WHITESPACE_RUN.sub(" ", clean_text(s))


def truncate_utf8(s: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten plain text to at most `limit` UTF-8 bytes, at a word boundary when there is one.

    Apple counts its 4000 limit in bytes, so accented or emoji text must be measured encoded. The
    result never splits a multibyte character; an ellipsis marks a cut.
    """
    if len(s.encode("utf-8")) <= limit:
        return s
    budget = limit - len(ellipsis.encode("utf-8"))
    if budget <= 0:
        return ""
    cut = s.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    head, sep, _ = cut.rpartition(" ")
    if sep and head.strip():
        cut = head
    return cut.rstrip() + ellipsis
