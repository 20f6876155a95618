"""Chapters with everything a JSON chapters file can carry: titles, links, images, hidden marks.

`probe()` reads chapter titles and links only, which is enough for `podpub inspect` and the inline
`psc:chapters` list. Publishing a Podcasting 2.0 chapters file (`podcast:chapters`) needs more: the
per-chapter images in ID3 `APIC` sub-frames, end times, and chapters a producer writes by hand in a
chapters file. This module reads those, checks them against the audio, and writes the JSON file.

A chapters file is either Podcast Index JSON (version 1.x) or plain text, one chapter a line:

    # comments and blank lines are skipped
    00:00:00 Intro
    00:02:48.500 - Interview <https://example.org/guest>
    1:02:03 | Outro

The format is chosen by the content, not the extension, because producers rename files freely and
a `.txt` that holds JSON (or the reverse) is still meant as what it holds.

Every problem is one `InputError` line: `file:LINE: what is wrong; what to do`. Marks read from a
file keep their line number (`ChapterMark.line`) so that `validate()`, which runs later once the
audio's duration is known, can still point at the line to fix.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mutagen.id3 import ID3, CTOCFlags

from podpub.episodes.probe import _check_file, _clean, _image_mime, _load, _read_chapters
from podpub.errors import InputError
from podpub.feeds.text import clean_line
from podpub.inputfiles import read_regular
from podpub.tomlfiles import MAX_TEXT_CHARS

__all__ = [
    "JSON_CHAPTERS_VERSION",
    "ChapterMark",
    "embedded_chapters",
    "format_npt",
    "parse_timestamp",
    "read_chapter_file",
    "to_json",
    "validate",
]

#: The JSON chapters version podpub writes (Podcast Index `jsonChapters.md`).
JSON_CHAPTERS_VERSION = "1.2.0"

#: How far an end time may overshoot the audio before it is a mistake rather than encoder rounding.
END_TOLERANCE = 1.0

_TEXT_HINT = "write one chapter per line as 'HH:MM:SS Title', e.g. '00:12:30 Interview'"


@dataclass(frozen=True)
class ChapterMark:
    """One chapter with everything podpub can publish about it.

    `image` holds the bytes of an embedded picture and `image_type` their MIME type, sniffed from
    the bytes because tag writers put `jpg` or nothing in the declared type. `image_url` is an image
    that already lives on the web (a JSON file's `img`, an ID3 `APIC` link). `toc=False` is a hidden
    chapter: apps change the image or link there but do not list it.

    `line` is where the mark was written in a chapters file (1-based; None for embedded chapters).
    It is not part of the value (equality ignores it); it only lets later checks name the line.
    """

    start: float
    title: str
    url: str | None = None
    image: bytes | None = field(default=None, repr=False)
    image_type: str | None = None
    image_url: str | None = None
    end: float | None = None
    toc: bool = True
    line: int | None = field(default=None, compare=False, repr=False)


# ---- timestamps -------------------------------------------------------------------------------

_TIMESTAMP = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d+))?$")


def parse_timestamp(text: str) -> float:
    """Seconds from `SS[.fff]`, `MM:SS[.fff]` or `H:MM:SS[.fff]` (any number of hour digits).

    These are the Normal Play Time forms `psc:chapter` uses and the way people write times in show
    notes. Minutes may exceed 59 only when they lead (`90:00` is an hour and a half), because in
    `1:75:00` a 75 is a typo. Raises `ValueError` with a message fit to follow "bad time ...: ".
    """
    value = text.strip()
    if "," in value and "." not in value:
        raise ValueError(f"{text.strip()!r} uses a comma; write fractions of a second with a dot, e.g. 00:01:02.500")
    m = _TIMESTAMP.match(value)
    if not m:
        raise ValueError(f"{text.strip()!r} is not a time; write HH:MM:SS or MM:SS, e.g. 01:02:03 or 12:30")
    hours, minutes, seconds, fraction = m.groups()
    if minutes is not None and int(seconds) > 59:
        raise ValueError(f"{value!r} has {seconds} seconds; seconds run from 00 to 59")
    if hours is not None and int(minutes) > 59:
        raise ValueError(f"{value!r} has {minutes} minutes; minutes run from 00 to 59 after the hours")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    return total + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def format_npt(seconds: float) -> str:
    """`HH:MM:SS.mmm`, the Normal Play Time form every `psc:chapter` reader understands.

    Rounded to the millisecond, which is finer than any player seeks.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot write {seconds!r} seconds as a time")
    millis = round(seconds * 1000)
    whole, ms = divmod(millis, 1000)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _show(seconds: float) -> str:
    """A time the way a producer reads it in a message: `2:48`, `1:02:03.5`."""
    millis = round(seconds * 1000)
    sign = "-" if millis < 0 else ""
    whole, ms = divmod(abs(millis), 1000)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    if ms:
        text += f".{ms:03d}".rstrip("0")
    return sign + text


# ---- reading files (shared with transcripts) --------------------------------------------------


def _read_text(path: Path, fix_encoding: str) -> str:
    """The file as text, with every way of not being readable UTF-8 text turned into an InputError.

    A UTF-8 byte-order mark is dropped (Windows editors add one); line endings are left alone.
    """
    name = path.name or str(path)
    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; check the file name and folder") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file; give the path of the file inside it") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; make the file readable (chmod a+r)") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read the file ({e.strerror or e}); check the path") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}:1: UTF-16 text; {fix_encoding}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(f"{name}:{line}: not UTF-8 text (byte 0x{data[e.start]:02X}); {fix_encoding}") from None


def _lines(text: str) -> list[str]:
    """Lines as an editor numbers them (`str.splitlines` also splits on form feeds and U+2028)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class _Located(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the line its `{` is on."""

    line: int = 1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _json_with_lines(text: str) -> Any:
    """`json.loads`, except that every object is a `_Located` carrying its line number.

    The standard decoder keeps no positions, and a message that says "chapter 14" makes the
    producer count. The pure-Python scanner is needed to hook object parsing; it reads a 3 MB
    transcript in about 0.2 s. NaN and Infinity are refused (they are not JSON, and not times).
    Raises `json.JSONDecodeError` or `ValueError`.
    """
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    decoder = json.JSONDecoder(parse_constant=_reject_constant)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        _text, end = s_and_end
        obj, new_end = json.decoder.JSONObject(s_and_end, *args)
        located = _Located(obj)
        located.line = bisect.bisect_left(newlines, end) + 1
        return located, new_end

    decoder.parse_object = parse_object  # type: ignore[assignment]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _line_of(obj: Any) -> int:
    return obj.line if isinstance(obj, _Located) else 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---- chapters files ---------------------------------------------------------------------------


def read_chapter_file(path: Path) -> list[ChapterMark]:
    """The chapters in a JSON chapters file or a text file of `HH:MM:SS Title` lines, in file order.

    Only the file's own syntax is checked here; call `validate()` with the audio's duration for
    order, overlaps and times past the end. Raises `InputError` (`file:LINE: problem; fix`).
    """
    path = Path(path)
    name = path.name or str(path)
    text = _read_text(path, "save the chapters file as UTF-8")
    if not text.strip():
        raise InputError(f"{name}: empty file; {_TEXT_HINT}, or give a JSON chapters file")
    stripped = text.lstrip()
    if stripped.startswith("{") or (stripped.startswith("[") and _parses_as_json(text)):
        # Text chapters always start with a time, so a brace means JSON, and a syntax error in it
        # is more useful to report than "not a chapter line". A bracket may also open a mistyped
        # text line ("[00:00] Intro"), so it means JSON only when it parses (a list, refused below).
        try:
            data = _json_with_lines(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{name}:{e.lineno}: not valid JSON ({e.msg}, column {e.colno}); fix the syntax") from None
        except ValueError as e:
            raise InputError(f"{name}: not valid JSON ({e}); write times as numbers of seconds") from None
        marks = _json_chapters(data, name)
    else:
        marks = _text_chapters(text, name)
    if not marks:
        raise InputError(f"{name}: no chapters found; {_TEXT_HINT}")
    return marks


def _json_chapters(data: Any, name: str) -> list[ChapterMark]:
    example = '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}'
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: JSON chapters must be an object like {example}; wrap the list in it")
    top = _line_of(data)
    version = data.get("version")
    if version is None:
        raise InputError(f'{name}:{top}: no "version"; add "version": "{JSON_CHAPTERS_VERSION}"')
    if not isinstance(version, str) or not re.fullmatch(r"1(\.\d+){0,2}", version.strip()):
        raise InputError(
            f"{name}:{top}: chapters version {json.dumps(version, ensure_ascii=False)} is not supported; "
            f'podpub reads version 1.x, e.g. "version": "{JSON_CHAPTERS_VERSION}"'
        )
    chapters = data.get("chapters")
    if not isinstance(chapters, list):
        what = "no" if chapters is None else "a non-list"
        raise InputError(f'{name}:{top}: {what} "chapters"; add "chapters": [{{"startTime": 0, "title": "Intro"}}]')

    marks = []
    for index, item in enumerate(chapters, start=1):
        line = _line_of(item) if isinstance(item, dict) else top
        where = f"{name}:{line}: chapter {index}"
        if not isinstance(item, dict):
            raise InputError(f'{where} is not an object; write it as {{"startTime": 0, "title": "Intro"}}')
        start = _json_seconds(item, "startTime", where, required=True)
        end = _json_seconds(item, "endTime", where, required=False)
        title = item.get("title", "")
        if not isinstance(title, str):
            raise InputError(f'{where}: "title" must be text in quotes; write "title": "{title}"')
        toc = item.get("toc", True)
        if not isinstance(toc, bool):
            raise InputError(f'{where}: "toc" must be true or false (without quotes)')
        marks.append(
            ChapterMark(
                start=start,  # type: ignore[arg-type]  # required=True never gives None
                title=_clean([title]) or "",
                url=_json_url(item, "url", where),
                image_url=_json_url(item, "img", where),
                end=end,
                toc=toc,
                line=line,
            )
        )
    return marks


def _json_seconds(item: dict[str, Any], key: str, where: str, *, required: bool) -> float | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InputError(f'{where} has no "{key}"; add the start in seconds, e.g. "{key}": 90')
        return None
    if _is_number(value):
        return float(value)
    hint = ""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            hint = f" (write {_compact_number(parse_timestamp(value))})"
    shown = json.dumps(value, ensure_ascii=False)
    raise InputError(f'{where}: "{key}" must be a number of seconds, not {shown}; fix the value{hint}')


def _json_url(item: dict[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value.strip()):
        shown = json.dumps(value, ensure_ascii=False)
        raise InputError(f'{where}: "{key}" must be an absolute https:// URL, not {shown}; fix or remove it')
    return value.strip()


# A time, then (after a space, or a separator `-` `–` `—` `|` `:` and a space) the title, which may
# end in a `<URL>` as in the Podlove / mp4chaps text form.
_TEXT_LINE = re.compile(r"^(?P<time>\d+(?:[:.,]\d+)*)(?:$|\s*[-–—|:](?:\s+|$)|\s+)(?P<title>.*)$")
_BULLET = re.compile(r"^[-*•]\s+(?=\d)")  # a Markdown list copied from show notes
_TRAILING_URL = re.compile(r"^(?P<title>.*?)\s*<(?P<url>[^<>\s]+)>$")


def _text_chapters(text: str, name: str) -> list[ChapterMark]:
    marks = []
    for number, raw in enumerate(_lines(text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _TEXT_LINE.match(_BULLET.sub("", line, count=1))
        if not m or ":" not in m.group("time"):
            raise InputError(f"{name}:{number}: cannot read {_quote(line)} as a chapter; {_TEXT_HINT}")
        try:
            start = parse_timestamp(m.group("time"))
        except ValueError as e:
            raise InputError(f"{name}:{number}: bad time {e}") from None
        title = (m.group("title") or "").strip()
        url = None
        found = _TRAILING_URL.match(title)
        if found:
            title, url = found.group("title").strip(), found.group("url")
            if not re.match(r"https?://", url):
                raise InputError(f"{name}:{number}: link <{url}> is not an https:// URL; fix or remove it")
        if not title:
            raise InputError(f"{name}:{number}: chapter at {_show(start)} has no title; write the title after the time")
        marks.append(ChapterMark(start=start, title=title, url=url, line=number))
    return marks


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# ---- chapters inside the audio file -----------------------------------------------------------


def embedded_chapters(path: Path) -> list[ChapterMark]:
    """The audio file's own chapters, with images, sorted by start time.

    ID3 (MP3, and WAV/AIFF with ID3): `CHAP` frames with their `TIT2` title, `WXXX` link and `APIC`
    image (an `APIC` whose MIME type is `-->` holds a URL, kept as `image_url`). A `CHAP` that no
    table of contents lists is a hidden chapter (`toc=False`), which is what JSON chapters call it.
    MP4: the Nero `chpl` box. Ogg/Opus/FLAC: `CHAPTERxxx`, `CHAPTERxxxNAME`, `CHAPTERxxxURL`.

    Sorted by time rather than table order because that is the order listeners hear, and the order
    a JSON chapters file must have. Raises `MediaError` for a file that is not usable audio.
    """
    path = Path(path)
    f, _video = _load(path, _check_file(path))
    tags = f.tags
    if isinstance(tags, ID3):
        marks = _id3_marks(tags)
    else:
        # MP4 and Vorbis chapters carry no images: probe's reading is exactly right for them.
        marks = [ChapterMark(start=c.start, title=c.title, url=c.url) for c in _read_chapters(f, [])]
    return sorted(marks, key=lambda c: c.start)


def _id3_marks(tags: ID3) -> list[ChapterMark]:
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    listed = _toc_order(tags, chaps)
    unlisted = sorted((cid for cid in chaps if cid not in listed), key=lambda cid: chaps[cid].start_time)
    # Without any table of contents every chapter is listed; with one, the rest are hidden marks.
    hidden = set(unlisted) if listed else set()
    marks = []
    for i, cid in enumerate(list(listed) + unlisted, start=1):
        chap = chaps[cid]
        subs = chap.sub_frames
        title = _clean(subs["TIT2"].text) if "TIT2" in subs else None
        url = next((w.url.strip() for w in subs.getall("WXXX") if w.url and w.url.strip()), None)
        image = image_type = image_url = None
        for apic in subs.getall("APIC"):
            if apic.mime == "-->":
                image_url = image_url or _clean([apic.data.decode("latin-1")])
            elif apic.data and image is None:
                image, image_type = bytes(apic.data), _image_mime(apic.data, apic.mime)
        start = chap.start_time / 1000
        end = chap.end_time / 1000 if chap.end_time not in (0, 0xFFFFFFFF) and chap.end_time > chap.start_time else None
        marks.append(
            ChapterMark(
                start=start,
                title=title if title and clean_line(title) and len(title) <= MAX_TEXT_CHARS else f"Chapter {i}",
                url=url,
                image=image,
                image_type=image_type,
                image_url=None if image else image_url,
                end=end,
                toc=cid not in hidden,
            )
        )
    return marks


def _toc_order(tags: ID3, chaps: dict[str, Any]) -> dict[str, None]:
    """The CHAP ids the top-level CTOC lists, nested tables flattened, as an ordered set.

    Mirrors `probe._id3_chapters`: a writer that forgets the top-level flag still means its one
    root table, so a CTOC that is no other table's child stands in for it.
    """
    tocs = {t.element_id: t for t in tags.getall("CTOC")}
    children = {c for t in tocs.values() for c in t.child_element_ids}
    top = next((t for t in tocs.values() if t.flags & CTOCFlags.TOP_LEVEL), None) or next(
        (t for t in tocs.values() if t.element_id not in children), None
    )
    order: dict[str, None] = {}
    seen: set[str] = set()

    def walk(toc: Any) -> None:
        for child in toc.child_element_ids:
            if child in seen:
                continue  # a CTOC that lists itself or a parent
            seen.add(child)
            if child in chaps:
                order[child] = None
            elif child in tocs:
                walk(tocs[child])

    if top is not None:
        walk(top)
    return order


# ---- checks -----------------------------------------------------------------------------------


def validate(chapters: Iterable[ChapterMark], duration: float, source: str) -> list[ChapterMark]:
    """The chapters, checked against each other and the audio; raises `InputError` at the first problem.

    Refused: a start before 0 or at/after the end of the audio, a chapter before the one above it,
    two chapters at one time, an end not after its start or well past the audio, a listed chapter
    without a title. Disorder is an error, not something to sort away, because a chapter out of
    place almost always means a mistyped time, and sorting would publish the typo. An end time up to
    `END_TOLERANCE` past the audio is clipped (encoders round lengths); a `duration` of 0 or less
    means unknown and skips the checks against it. `source` names the file in messages.
    """
    marks = list(chapters)
    known = duration > 0
    result = []
    previous: ChapterMark | None = None
    for index, mark in enumerate(marks, start=1):
        where = f"{source}:{mark.line}" if mark.line is not None else source
        label = f'chapter {index} "{mark.title}"' if mark.title else f"chapter {index}"
        at = f"{label} at {_show(mark.start)}"
        if not math.isfinite(mark.start) or mark.start < 0:
            raise InputError(f"{where}: {label} starts at a negative time ({_show(mark.start)}); fix the time")
        if known and mark.start >= duration:
            raise InputError(
                f"{where}: {at} starts past the end of the audio ({_show(duration)}); "
                "fix the time or remove the chapter"
            )
        if previous is not None and mark.start < previous.start:
            raise InputError(
                f'{where}: {at} comes before "{previous.title}" at {_show(previous.start)}, the chapter above it; '
                "fix the mistyped time or put the chapters in time order"
            )
        if previous is not None and mark.start == previous.start:
            raise InputError(
                f'{where}: {label} and "{previous.title}" both start at {_show(mark.start)}; '
                "give each chapter its own start time or remove one"
            )
        if not clean_line(mark.title) and mark.toc:  # judged as the feed shows it: controls removed
            raise InputError(
                f'{where}: chapter {index} at {_show(mark.start)} has no title; add a "title", '
                'or set "toc": false to make it a hidden chapter'
            )
        if mark.end is not None:
            if mark.end <= mark.start:
                raise InputError(
                    f"{where}: {at} ends at {_show(mark.end)}, not after its start; fix the end time or remove it"
                )
            if known and mark.end > duration + END_TOLERANCE:
                raise InputError(
                    f"{where}: {at} ends at {_show(mark.end)}, past the end of the audio ({_show(duration)}); "
                    "fix the end time or remove it"
                )
            if known and mark.end > duration:
                mark = replace(mark, end=duration)
        result.append(mark)
        previous = mark
    return result


# ---- writing ----------------------------------------------------------------------------------


def _compact_number(seconds: float) -> int | float:
    """Seconds rounded to the millisecond, as an int when whole (`168`, not `168.0`)."""
    value = round(float(seconds), 3)
    return int(value) if value.is_integer() else value


def to_json(
    chapters: Sequence[ChapterMark],
    image_urls: Sequence[str | None],
    *,
    title: str | None = None,
    podcast_name: str | None = None,
) -> bytes:
    """The JSON chapters file (version 1.2.0) podpub publishes as `application/json+chapters`.

    `image_urls[i]` is where chapter i's image was published (embedded images must be uploaded
    first); None falls back to the mark's own `image_url`. The bytes depend only on the arguments
    (fixed key order, no floating-point noise, UTF-8 without escapes, final newline), so an
    unchanged episode gives an unchanged file and its content-addressed URL stays the same.
    """
    if len(image_urls) != len(chapters):
        raise ValueError(f"{len(image_urls)} image URLs for {len(chapters)} chapters")
    items = []
    for mark, published in zip(chapters, image_urls, strict=True):
        item: dict[str, Any] = {"startTime": _compact_number(mark.start)}
        if mark.title:
            item["title"] = mark.title
        img = published or mark.image_url
        if img:
            item["img"] = img
        if mark.url:
            item["url"] = mark.url
        if not mark.toc:
            item["toc"] = False
        if mark.end is not None:
            item["endTime"] = _compact_number(mark.end)
        items.append(item)
    document: dict[str, Any] = {"version": JSON_CHAPTERS_VERSION}
    if title:
        document["title"] = title
    if podcast_name:
        document["podcastName"] = podcast_name
    document["chapters"] = items
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
