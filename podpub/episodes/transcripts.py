"""Transcript files: recognise the format, check the syntax apps choke on, and make WebVTT from SRT.

`podcast:transcript` needs the file's MIME type and, for timed formats, `rel="captions"`; both
follow from the format, which is recognised by the content first and the extension second, because
a `.txt` holding WebVTT is WebVTT to every app that downloads it.

The syntax checks cover what makes players drop a transcript silently: a missing `WEBVTT` header,
a malformed cue timestamp, a cue that ends before it starts, cues out of time order, a file that is
not UTF-8, JSON without `version`/`segments`. Each becomes one `InputError` line,
`file:LINE: what is wrong; what to do`, so the producer can open the file at the right place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podpub.episodes.chapters import (
    _is_number,
    _json_with_lines,
    _line_of,
    _lines,
    _parses_as_json,
    _read_text,
    format_npt,
)
from podpub.errors import InputError
from podpub.inputfiles import open_regular

__all__ = ["SUPPORTED_FORMATS", "Transcript", "read_transcript", "srt_to_vtt"]

#: Format -> MIME type for `podcast:transcript type=`, as the Podcast Index namespace lists them.
MIME_TYPES = {
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "json": "application/json",
    "html": "text/html",
    "txt": "text/plain",
}
_TIMED = {"vtt", "srt", "json"}
SUPPORTED_FORMATS = "WebVTT (.vtt), SRT (.srt), Podcast Index JSON (.json), HTML (.html) or plain text (.txt)"
_UTF8_FIX = "save the transcript as UTF-8"


@dataclass(frozen=True)
class Transcript:
    """A transcript file that passed the checks, with what the feed says about it.

    `timed` is True for formats with timecodes (WebVTT, SRT, JSON): the feed marks those
    `rel="captions"`, which is what lets apps show them in sync with the audio.
    """

    path: Path
    format: str  # "vtt" | "srt" | "json" | "html" | "txt"
    mime_type: str
    timed: bool


@dataclass(frozen=True)
class _Cue:
    start: float
    end: float
    identifier: str | None
    text: tuple[str, ...]
    line: int  # of the timing line


def read_transcript(path: Path) -> Transcript:
    """The transcript's format after a syntax check; raises `InputError` (`file:LINE: problem; fix`)."""
    path = Path(path)
    name = path.name or str(path)
    _refuse_binary(path, name)
    text = _read_text(path, _UTF8_FIX)
    if not text.strip():
        raise InputError(f"{name}: empty file; export the transcript again")
    fmt = _detect(text, path.suffix.lower())
    if fmt == "vtt":
        _vtt_cues(text, name)
    elif fmt == "srt":
        _srt_cues(text, name)
    elif fmt == "json":
        _check_json(text, name)
    elif fmt == "novtt":
        raise InputError(f"{name}:1: no WEBVTT header; make the first line of the file read WEBVTT")
    return Transcript(path=path, format=fmt, mime_type=MIME_TYPES[fmt], timed=fmt in _TIMED)


def srt_to_vtt(text: str, *, source: str = "SRT") -> str:
    """A WebVTT copy of an SRT transcript, for apps (Apple's ingest among them) that read only WebVTT.

    Cue numbers stay as cue identifiers and cue text is kept as it is, except that a `-->` inside
    text is written `--&gt;` (WebVTT would read it as a timing line). Timestamps are rewritten in
    WebVTT's form (`00:01:02.500`) and SRT's `X1:` position hints are dropped: WebVTT has no such
    settings. Raises `InputError` naming `source` when the SRT is malformed.
    """
    out = ["WEBVTT", ""]
    for cue in _srt_cues(text, source):
        if cue.identifier:
            out.append(cue.identifier)
        out.append(f"{format_npt(cue.start)} --> {format_npt(cue.end)}")
        out.extend(line.replace("-->", "--&gt;") for line in cue.text)
        out.append("")
    return "\n".join(out)


# ---- recognising the format -------------------------------------------------------------------

_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or a Word/Pages/OpenDocument file"),
    (b"\xd0\xcf\x11\xe0", "an old Word document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_HTML_TAG = re.compile(r"<(!doctype\s+html|html|head|body|p|cite|time|div|span|br|h[1-6])\b", re.IGNORECASE)
_TIMING_LINE = re.compile(r"^\s*\d+(?::\d+)+[.,]\d+\s*-->\s*\d")


def _refuse_binary(path: Path, name: str) -> None:
    """Refuse documents and media before decoding, naming what they are rather than "not UTF-8"."""
    try:
        with open_regular(path) as fh:  # never blocks on a pipe; _read_text names what it is
            head = fh.read(4096)
    except OSError:
        return  # _read_text reports it with the right words
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text: _read_text says to save it as UTF-8
    what = next((label for magic, label in _BINARY_MAGIC if head.startswith(magic)), None)
    if what is None and b"\x00" in head:
        what = "binary data"
    if what:
        raise InputError(f"{name}: not a transcript (looks like {what}); export it as {SUPPORTED_FORMATS}")


def _detect(text: str, suffix: str) -> str:
    """The format by content first and extension second; "novtt" for a `.vtt` without its header."""
    lines = _lines(text)
    content = [line.strip() for line in lines if line.strip()]
    if content[0].startswith("WEBVTT"):
        return "vtt"  # the WebVTT check says so if the header is not on the very first line
    # "[" opens a JSON array (a wrong shape, reported as such) or text such as "[Musique] Bonjour".
    if content[0].startswith("{") or (content[0].startswith("[") and _parses_as_json(text)):
        return "json"
    if re.fullmatch(r"\d+", content[0]) and len(content) > 1 and "-->" in content[1]:
        return "srt"
    has_timing = any(_TIMING_LINE.match(line) for line in content[:50])
    if suffix == ".vtt":
        return "novtt"
    if suffix == ".srt":
        return "srt"  # the SRT check names the first line that is not SRT
    if suffix == ".json":
        return "json"  # the JSON check names the syntax error
    if has_timing:
        # Cues without a WEBVTT header or cue numbers: WebVTT-style dots say which was meant.
        timing = next(line for line in content if _TIMING_LINE.match(line))
        return "novtt" if "," not in timing.split("-->")[0] else "srt"
    if _HTML_TAG.search(text) or suffix in (".html", ".htm"):
        return "html"
    return "txt"


# ---- WebVTT -----------------------------------------------------------------------------------

_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_SRT_TIME = re.compile(r"^(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{3})$")


def _blocks(lines: list[str], start: int) -> list[list[tuple[int, str]]]:
    """Groups of (line number, line) separated by blank lines, from index `start`."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for index in range(start, len(lines)):
        line = lines[index]
        if line.strip():
            current.append((index + 1, line.rstrip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _timing(line: str, number: int, name: str, pattern: re.Pattern[str], form: str) -> tuple[float, float]:
    """Start and end of a `start --> end [settings]` line, checked."""
    left, _arrow, right = line.partition("-->")
    start_text = left.strip()
    end_text = right.strip().split()[0] if right.strip() else ""
    start = _time(start_text, number, name, pattern, form)
    end = _time(end_text, number, name, pattern, form)
    if end < start:
        raise InputError(f"{name}:{number}: cue ends at {end_text}, before it starts at {start_text}; fix the end time")
    return start, end


def _time(text: str, number: int, name: str, pattern: re.Pattern[str], form: str) -> float:
    m = pattern.match(text)
    if not m:
        hint = ""
        if pattern is _VTT_TIME and "," in text:
            hint = " (WebVTT puts a dot, not a comma, before the milliseconds)"
        shown = repr(text) if text else "(nothing)"
        raise InputError(f"{name}:{number}: bad cue timestamp {shown}; write it as {form}{hint}")
    hours, minutes, seconds, millis = m.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _vtt_cues(text: str, name: str) -> list[_Cue]:
    lines = _lines(text)
    header = lines[0]
    if not header.strip():
        raise InputError(f"{name}:1: blank line before the WEBVTT header; delete the blank lines at the top")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", header):
        raise InputError(f"{name}:1: the first line must be WEBVTT (optionally followed by a space and text); fix it")
    # The header block runs to the first blank line; cues follow.
    first_blank = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    for index in range(1, first_blank):
        if "-->" in lines[index]:
            raise InputError(f"{name}:{index + 1}: a cue right under the WEBVTT line; put a blank line between them")
    cues: list[_Cue] = []
    for block in _blocks(lines, first_blank):
        number, head = block[0]
        if re.match(r"^(NOTE|STYLE|REGION)(\s|$)", head) and "-->" not in head:
            continue
        if "-->" in head:
            identifier, timing_at = None, 0
        elif len(block) > 1 and "-->" in block[1][1]:
            identifier, timing_at = head.strip(), 1
        else:
            raise InputError(
                f"{name}:{number}: text without a cue timing line; add '00:00:00.000 --> 00:00:05.000' above it, "
                "or a blank line if it belongs to the cue above"
            )
        timing_number, timing_line = block[timing_at]
        start, end = _timing(timing_line, timing_number, name, _VTT_TIME, "HH:MM:SS.mmm (e.g. 00:01:02.500)")
        payload = block[timing_at + 1 :]
        for extra_number, extra in payload:
            if "-->" in extra:
                raise InputError(
                    f"{name}:{extra_number}: a cue timing line inside the cue above; put a blank line before it"
                )
        _check_order(cues, start, timing_number, name)
        cues.append(_Cue(start, end, identifier, tuple(line for _n, line in payload), timing_number))
    return cues


def _check_order(cues: list[_Cue], start: float, number: int, name: str) -> None:
    if cues and start < cues[-1].start:
        raise InputError(
            f"{name}:{number}: cue starts at {format_npt(start)}, before the cue above it "
            f"(line {cues[-1].line}, {format_npt(cues[-1].start)}); put the cues in time order or fix the time"
        )


# ---- SRT --------------------------------------------------------------------------------------


def _srt_cues(text: str, name: str) -> list[_Cue]:
    cues: list[_Cue] = []
    lines = _lines(text)
    for block in _blocks(lines, 0):
        number, head = block[0]
        if not re.fullmatch(r"\d+", head.strip()):
            if "-->" in head:
                fix = "add the cue number on the line above it"
            elif cues:
                fix = "remove the blank line above it if it belongs to the cue before"
            else:
                fix = "SRT cues start with a number line, then 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"
            raise InputError(f"{name}:{number}: expected a cue number, found {_short(head)}; {fix}")
        if len(block) < 2 or "-->" not in block[1][1]:
            where = block[1][0] if len(block) > 1 else number + 1
            raise InputError(
                f"{name}:{where}: cue {head.strip()} has no timing line; "
                "write 'HH:MM:SS,mmm --> HH:MM:SS,mmm' under the cue number"
            )
        timing_number, timing_line = block[1]
        start, end = _timing(timing_line, timing_number, name, _SRT_TIME, "HH:MM:SS,mmm (e.g. 00:01:02,500)")
        _check_order(cues, start, timing_number, name)
        cues.append(_Cue(start, end, head.strip(), tuple(line for _n, line in block[2:]), timing_number))
    if not cues:
        raise InputError(f"{name}: no cues found; export the transcript again")
    return cues


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# ---- Podcast Index JSON -----------------------------------------------------------------------


def _check_json(text: str, name: str) -> None:
    example = '{"version": "1.0.0", "segments": [{"startTime": 0, "endTime": 2.5, "body": "Hello"}]}'
    try:
        data = _json_with_lines(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{name}:{e.lineno}: not valid JSON ({e.msg}, column {e.colno}); fix the syntax") from None
    except ValueError as e:
        raise InputError(f"{name}: not valid JSON ({e}); write times as numbers of seconds") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: a JSON transcript must be an object like {example}")
    top = _line_of(data)
    if not isinstance(data.get("version"), str):
        raise InputError(f'{name}:{top}: no "version" text; add "version": "1.0.0"')
    segments = data.get("segments")
    if not isinstance(segments, list):
        raise InputError(f'{name}:{top}: no "segments" list; the file must look like {example}')
    previous: tuple[float, int] | None = None
    for index, segment in enumerate(segments, start=1):
        line = _line_of(segment) if isinstance(segment, dict) else top
        where = f"{name}:{line}: segment {index}"
        if not isinstance(segment, dict):
            raise InputError(f'{where} is not an object; write it as {{"startTime": 0, "endTime": 2.5, "body": "..."}}')
        values: dict[str, Any] = {}
        for key in ("startTime", "endTime"):
            value = segment.get(key)
            if not _is_number(value):
                found = "has no" if value is None else f"has a non-number {json.dumps(value, ensure_ascii=False)} as"
                raise InputError(f'{where} {found} "{key}"; give it in seconds, e.g. "{key}": 12.5')
            values[key] = float(value)
        if not isinstance(segment.get("body"), str):
            raise InputError(f'{where} has no "body" text; add "body": "what is said"')
        speaker = segment.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise InputError(f'{where}: "speaker" must be text in quotes')
        start, end = values["startTime"], values["endTime"]
        if end < start:
            raise InputError(f"{where} ends at {end:g} s, before it starts at {start:g} s; fix the endTime")
        if previous is not None and start < previous[0]:
            raise InputError(
                f"{where} starts at {start:g} s, before segment {index - 1} (line {previous[1]}, {previous[0]:g} s); "
                "put the segments in time order or fix the time"
            )
        previous = (start, line)
