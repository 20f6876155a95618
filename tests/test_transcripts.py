"""Transcripts: format recognition (content first, extension second), syntax errors, SRT to WebVTT.

Error tests check the one line a producer sees: `file:LINE: what is wrong; what to do`.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from podpub.episodes.transcripts import (
    SUPPORTED_FORMATS,
    Transcript,
    _srt_cues,
    _vtt_cues,
    read_transcript,
    srt_to_vtt,
)
from podpub.errors import InputError

TRANSCRIPTS = Path(__file__).parent / "fixtures" / "transcripts"


def error_of(path: Path) -> str:
    """read_transcript's message for `path`, checked to be one line naming the file."""
    with pytest.raises(InputError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert message.startswith(path.name)
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message and "Error(" not in message
    return message


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def copy_as(tmp_path: Path, fixture: str, name: str) -> Path:
    path = tmp_path / name
    shutil.copyfile(TRANSCRIPTS / fixture, path)
    return path


# ---- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "mime", "timed"),
    [
        ("good.vtt", "vtt", "text/vtt", True),
        ("good.srt", "srt", "application/x-subrip", True),
        ("good.json", "json", "application/json", True),
        ("good.html", "html", "text/html", False),
        ("good.txt", "txt", "text/plain", False),  # holds a "-->" in prose: still plain text
    ],
)
def test_good_files(name: str, fmt: str, mime: str, timed: bool) -> None:
    path = TRANSCRIPTS / name
    assert read_transcript(path) == Transcript(path=path, format=fmt, mime_type=mime, timed=timed)


@pytest.mark.parametrize(
    ("fixture", "as_name", "fmt"),
    [
        ("good.vtt", "transcript.txt", "vtt"),
        ("good.srt", "transcript.vtt", "srt"),  # SRT content in a .vtt file is SRT, not a VTT without header
        ("good.json", "transcript.txt", "json"),
        ("good.html", "transcript.txt", "html"),
        ("good.srt", "transcript", "srt"),
    ],
)
def test_content_decides_before_extension(tmp_path: Path, fixture: str, as_name: str, fmt: str) -> None:
    assert read_transcript(copy_as(tmp_path, fixture, as_name)).format == fmt


def test_extension_decides_plain_text(tmp_path: Path) -> None:
    assert read_transcript(write(tmp_path, "t.html", "Bonjour, sans balises.\n")).format == "html"
    assert read_transcript(write(tmp_path, "t.md", "Bonjour.\n")).format == "txt"


def test_text_opening_with_a_bracket_is_plain_text(tmp_path: Path) -> None:
    assert read_transcript(write(tmp_path, "t.txt", "[Musique]\nAna : Bonjour.\n")).format == "txt"
    assert "must be an object" in error_of(write(tmp_path, "t2.txt", '[{"startTime": 0}]'))


def test_srt_content_in_a_json_file_is_srt(tmp_path: Path) -> None:
    assert read_transcript(copy_as(tmp_path, "good.srt", "t.json")).format == "srt"


def test_vtt_details_that_are_valid(tmp_path: Path) -> None:
    text = (
        "\ufeffWEBVTT - Épisode 1\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "NOTE\nplusieurs\nlignes\n\n"
        "intro\n00:00.000 --> 00:01.000\n\n"  # no hours, empty payload
        "00:00.500 --> 00:00.700 position:10%\r\nchevauchement\r\n\r\n"  # overlap is allowed; CRLF
        "01:00:00.000 --> 01:00:00.000\nzero length\n"
    )
    path = tmp_path / "t.vtt"
    path.write_bytes(text.encode())
    assert read_transcript(path).format == "vtt"


# ---- broken files -----------------------------------------------------------------------------


def test_broken_vtt_timestamp() -> None:
    message = error_of(TRANSCRIPTS / "broken_timestamp.vtt")
    assert message.startswith("broken_timestamp.vtt:6: bad cue timestamp '00:00:02,500'")
    assert "write it as HH:MM:SS.mmm" in message and "dot, not a comma" in message


def test_vtt_without_header() -> None:
    message = error_of(TRANSCRIPTS / "no_header.vtt")
    assert message == "no_header.vtt:1: no WEBVTT header; make the first line of the file read WEBVTT"


def test_vtt_cues_without_header_in_a_txt_file(tmp_path: Path) -> None:
    path = copy_as(tmp_path, "no_header.vtt", "t.txt")
    assert "no WEBVTT header" in error_of(path)


def test_srt_end_before_start() -> None:
    message = error_of(TRANSCRIPTS / "end_before_start.srt")
    assert message == (
        "end_before_start.srt:6: cue ends at 00:00:02,500, before it starts at 00:00:06,000; fix the end time"
    )


def test_srt_out_of_order() -> None:
    message = error_of(TRANSCRIPTS / "out_of_order.srt")
    assert message.startswith("out_of_order.srt:10: cue starts at 00:00:08.000, before the cue above it")
    assert "(line 6, 00:01:02.500)" in message and "time order" in message


def test_json_segment_without_end() -> None:
    message = error_of(TRANSCRIPTS / "bad.json")
    assert message == 'bad.json:5: segment 2 has no "endTime"; give it in seconds, e.g. "endTime": 12.5'


def test_pdf_is_refused_naming_the_formats() -> None:
    message = error_of(TRANSCRIPTS / "binary.pdf")
    assert "looks like a PDF document" in message and SUPPORTED_FORMATS in message


def test_latin1_is_refused_with_the_line() -> None:
    message = error_of(TRANSCRIPTS / "latin1.txt")
    assert message == "latin1.txt:2: not UTF-8 text (byte 0xE9); save the transcript as UTF-8"


def test_other_binary_inputs(tmp_path: Path) -> None:
    docx = tmp_path / "t.docx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert "Word" in error_of(docx) and "WebVTT (.vtt)" in error_of(docx)
    blob = tmp_path / "t.vtt"
    blob.write_bytes(b"\x00\x01\x02garbage\x00")
    assert "binary data" in error_of(blob)
    rtf = write(tmp_path, "t.rtf", "{\\rtf1\\ansi Bonjour}")
    assert "RTF" in error_of(rtf)
    utf16 = tmp_path / "t16.txt"
    utf16.write_bytes("Bonjour\n".encode("utf-16"))
    assert error_of(utf16) == "t16.txt:1: UTF-16 text; save the transcript as UTF-8"


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found; check the file name and folder"):
        read_transcript(tmp_path / "nope.vtt")
    assert error_of(write(tmp_path, "e.vtt", "")) == "e.vtt: empty file; export the transcript again"
    assert "empty file" in error_of(write(tmp_path, "w.txt", " \n\n"))


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("\nWEBVTT\n\n00:00.000 --> 00:01.000\nA\n", ":1:", "blank line before the WEBVTT header"),
        ("WEBVTT-ish\n\n00:00.000 --> 00:01.000\nA\n", ":1:", "first line must be WEBVTT"),
        ("WEBVTT\n00:00.000 --> 00:01.000\nA\n", ":2:", "put a blank line between them"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nA\n00:01.000 --> 00:02.000\nB\n", ":5:", "put a blank line before it"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nA\n\nB sans horaire\n", ":6:", "text without a cue timing line"),
        ("WEBVTT\n\n0:00:00.000 --> 0:00:01.000\nA\n", ":3:", "bad cue timestamp '0:00:00.000'"),
        ("WEBVTT\n\n00:00:00.000 --> 00:00:61.000\nA\n", ":3:", "'00:00:61.000'"),
        ("WEBVTT\n\n00:00:00.000 -->\nA\n", ":3:", "bad cue timestamp (nothing)"),
        ("WEBVTT\n\n00:00:00.00 --> 00:00:01.000\nA\n", ":3:", "HH:MM:SS.mmm"),
        ("WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nA\n", ":3:", "before it starts"),
        ("WEBVTT\n\n00:00:03.000 --> 00:00:04.000\nA\n\n00:00:01.000 --> 00:00:02.000\nB\n", ":6:", "time order"),
    ],
)
def test_vtt_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    message = error_of(write(tmp_path, "t.vtt", text))
    assert message.startswith(f"t.vtt{where}")
    assert words in message


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("00:00:00,000 --> 00:00:01,000\nA\n", ":1:", "add the cue number on the line above it"),
        ("1\n00:00:00,000 --> 00:00:01,000\nA\n\nB\n", ":5:", "remove the blank line above it"),
        ("1\nA\n", ":2:", "cue 1 has no timing line"),
        ("1\n", ":2:", "cue 1 has no timing line"),
        ("1\n00:00:00.00 --> 00:00:01,000\nA\n", ":2:", "HH:MM:SS,mmm"),
        ("1\n00:00:00,000 --> 00:60:01,000\nA\n", ":2:", "'00:60:01,000'"),
        ("Bonjour\n", ":1:", "SRT cues start with a number line"),
    ],
)
def test_srt_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    message = error_of(write(tmp_path, "t.srt", text))
    assert message.startswith(f"t.srt{where}")
    assert words in message


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"segments": []}', ":1:", 'add "version": "1.0.0"'),
        ('{"version": "1.0.0"}', ":1:", 'no "segments" list'),
        ('["a"]', ":1:", "must be an object"),
        ('{"version": "1.0.0", "segments": [\n"a"]}', ":1:", "segment 1 is not an object"),
        ('{"version": "1.0.0", "segments": [\n{"startTime": 0, "endTime": 1}]}', ":2:", 'no "body"'),
        ('{"version": "1.0.0", "segments": [\n{"endTime": 1, "body": ""}]}', ":2:", 'no "startTime"'),
        ('{"version": "1.0.0", "segments": [\n{"startTime": "0:01", "endTime": 1, "body": ""}]}', ":2:", "non-number"),
        ('{"version": "1.0.0", "segments": [\n{"startTime": 2, "endTime": 1, "body": ""}]}', ":2:", "before it starts"),
        (
            '{"version": "1.0.0", "segments": [\n{"startTime": 5, "endTime": 6, "body": "a"},\n'
            '{"startTime": 1, "endTime": 2, "body": "b"}]}',
            ":3:",
            "before segment 1 (line 2, 5 s); put the segments in time order",
        ),
        (
            '{"version": "1.0.0", "segments": [\n{"startTime": 0, "endTime": 1, "body": "", "speaker": 3}]}',
            ":2:",
            "speaker",
        ),
        ('{"version": "1.0.0",\n\n "segments": [,]}', ":3:", "not valid JSON"),
    ],
)
def test_json_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    message = error_of(write(tmp_path, "t.json", text))
    assert message.startswith(f"t.json{where}")
    assert words in message


# ---- SRT to WebVTT ----------------------------------------------------------------------------


def test_srt_to_vtt_keeps_every_cue(tmp_path: Path) -> None:
    srt_text = (TRANSCRIPTS / "good.srt").read_text(encoding="utf-8")
    vtt_text = srt_to_vtt(srt_text)
    path = write(tmp_path, "good.vtt", vtt_text)
    assert read_transcript(path).format == "vtt"

    srt, vtt = _srt_cues(srt_text, "good.srt"), _vtt_cues(vtt_text, "good.vtt")
    assert [(c.start, c.end, c.identifier) for c in vtt] == [(c.start, c.end, c.identifier) for c in srt]
    assert [c.text for c in vtt] == [
        ("Ana: Bonjour et bienvenue.",),
        ("Ben: Merci, Ana. Aujourd'hui :", "le jardin de l'école."),
        ("Ana: À bientôt --&gt; la semaine prochaine !",),  # an arrow in text would start a cue
    ]
    assert vtt_text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\n")
    assert "X1:" not in vtt_text and "," not in vtt_text.split("\n")[3]
    assert vtt_text.endswith("prochaine !\n")


def test_srt_to_vtt_normalises_timestamps_and_line_endings(tmp_path: Path) -> None:
    srt_text = (
        "\ufeff1\r\n0:00:01,000 --> 0:00:02,500\r\n<i>Bonjour</i>\r\n\r\n2\r\n0:00:03,000 --> 0:00:04,000\r\n\r\n"
    )
    vtt_text = srt_to_vtt(srt_text.lstrip("\ufeff"))
    assert vtt_text == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<i>Bonjour</i>\n\n2\n00:00:03.000 --> 00:00:04.000\n"
    )
    assert read_transcript(write(tmp_path, "t.vtt", vtt_text)).format == "vtt"


def test_srt_to_vtt_refuses_broken_srt() -> None:
    with pytest.raises(InputError, match=r"^episode\.srt:2: bad cue timestamp"):
        srt_to_vtt("1\n00:00:01 --> 00:00:02\nA\n", source="episode.srt")
