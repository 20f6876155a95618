"""An episode's transcript as the website shows it: cues with times and speakers, as plain text.

The files were checked when the site was assembled (`read_transcript`); here they are read again
for display. Every piece of text comes out as a plain string (tags of WebVTT and HTML removed,
entities decoded) for the templates to escape: nothing from a transcript file is ever markup on
the page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import lxml.html

from podpub.episodes.model import TranscriptRef
from podpub.episodes.transcripts import _srt_cues, _vtt_cues, read_transcript
from podpub.feeds.text import clean_line

#: which file to show when an episode has several: timed ones first, WebVTT (speakers) best
FORMAT_PREFERENCE = ("vtt", "json", "srt", "html", "txt")

_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")


@dataclass(frozen=True)
class Cue:
    start: float | None  # None for an untimed transcript (plain text, HTML)
    end: float | None
    speaker: str | None
    text: str


@dataclass(frozen=True)
class DisplayTranscript:
    ref: TranscriptRef
    format: str
    cues: tuple[Cue, ...]

    @property
    def timed(self) -> bool:
        return any(cue.start is not None for cue in self.cues)


def pick(refs: Sequence[TranscriptRef], language: str) -> tuple[TranscriptRef, str] | None:
    """The transcript to show: the best format, in the show's language when there is a choice."""
    candidates = []
    for index, ref in enumerate(refs):
        fmt = read_transcript(ref.file).format
        same_language = (ref.language or language).lower() == language.lower()
        candidates.append((FORMAT_PREFERENCE.index(fmt), not same_language, index, ref, fmt))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[:3])
    return best[3], best[4]


def load(refs: Sequence[TranscriptRef], language: str) -> DisplayTranscript | None:
    chosen = pick(refs, language)
    if chosen is None:
        return None
    ref, fmt = chosen
    text = ref.file.read_text(encoding="utf-8-sig")
    name = ref.file.name
    if fmt == "vtt":
        cues = [_vtt_cue(c.start, c.end, c.text) for c in _vtt_cues(text, name)]
    elif fmt == "srt":
        cues = [Cue(c.start, c.end, None, _plain(" ".join(c.text))) for c in _srt_cues(text, name)]
    elif fmt == "json":
        cues = _json_cues(text)
    elif fmt == "html":
        cues = _paragraphs(_html_text(text))
    else:
        cues = _paragraphs(text)
    return DisplayTranscript(ref, fmt, tuple(cue for cue in cues if cue.text))


def _plain(text: str) -> str:
    return clean_line(html.unescape(_TAG.sub("", text)))


def _vtt_cue(start: float, end: float, lines: Sequence[str]) -> Cue:
    joined = " ".join(lines)
    voice = _VOICE.search(joined)
    speaker = _plain(voice.group(1)) if voice else None
    return Cue(start, end, speaker or None, _plain(joined))


def _json_cues(text: str) -> list[Cue]:
    data = json.loads(text)
    cues = []
    for segment in data.get("segments", []):
        speaker = segment.get("speaker")
        cues.append(
            Cue(
                float(segment["startTime"]),
                float(segment["endTime"]),
                clean_line(speaker) if isinstance(speaker, str) and speaker.strip() else None,
                clean_line(str(segment.get("body", ""))),
            )
        )
    return cues


def _html_text(text: str) -> str:
    document = lxml.html.document_fromstring(text)
    for bad in document.xpath("//script|//style|//template|//head"):
        bad.drop_tree()
    blocks = document.xpath("//p|//li|//h1|//h2|//h3|//h4|//blockquote|//pre")
    if blocks:
        return "\n\n".join(block.text_content() for block in blocks)
    return document.text_content()


def _paragraphs(text: str) -> list[Cue]:
    return [Cue(None, None, None, clean_line(part)) for part in re.split(r"\n\s*\n", text) if part.strip()]
