"""Chapters: reading JSON and text chapter files, embedded chapters with images, checks and JSON output.

Error tests check what a producer needs from the one line podpub prints: the file, the line to
open, what is wrong and what to do.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags, PictureType
from PIL import Image

from podpub.episodes.chapters import (
    ChapterMark,
    embedded_chapters,
    format_npt,
    parse_timestamp,
    read_chapter_file,
    to_json,
    validate,
)
from podpub.errors import InputError, MediaError

FIXTURES = Path(__file__).parent / "fixtures"
CHAPTERS = FIXTURES / "chapters"
HOUR = 3600.0


def error_of(call, *args) -> str:  # type: ignore[no-untyped-def]
    """The InputError message of `call(*args)`, checked to be one line without Python noise."""
    with pytest.raises(InputError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message and "Error(" not in message
    return message


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_and_validate(path: Path, duration: float = HOUR) -> list[ChapterMark]:
    return validate(read_chapter_file(path), duration, path.name)


# ---- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("37", 37.0),
        ("7:48", 468.0),
        ("35:12.250", 2112.25),
        ("01:35:52", 5752.0),
        ("1:02:03.5", 3723.5),
        ("90:00", 5400.0),  # leading minutes may exceed 59
        (" 00:00:00.000 ", 0.0),
        ("100:00:00", 360000.0),
    ],
)
def test_parse_timestamp(text: str, seconds: float) -> None:
    assert parse_timestamp(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1:75:00", "minutes run from 00 to 59"),
        ("00:61", "seconds run from 00 to 59"),
        ("00:01,500", "dot"),
        ("abc", "HH:MM:SS"),
        ("", "HH:MM:SS"),
        ("1::00", "HH:MM:SS"),
        ("-5", "HH:MM:SS"),
    ],
)
def test_parse_timestamp_refuses(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("seconds", "npt"),
    [
        (0, "00:00:00.000"),
        (37, "00:00:37.000"),
        (168.5, "00:02:48.500"),
        (3723.25, "01:02:03.250"),
        (59.9996, "00:01:00.000"),  # rounds to the millisecond, carrying into the minutes
        (360000, "100:00:00.000"),
    ],
)
def test_format_npt(seconds: float, npt: str) -> None:
    assert format_npt(seconds) == npt
    assert parse_timestamp(npt) == pytest.approx(round(seconds, 3))


def test_format_npt_refuses_negative_and_nan() -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            format_npt(bad)


# ---- JSON chapters files ----------------------------------------------------------------------


def test_good_json() -> None:
    marks = read_and_validate(CHAPTERS / "good.json", 600)
    assert marks == [
        ChapterMark(start=0.0, title="Présentation"),
        ChapterMark(
            start=168.5,
            title="Interview",
            url="https://example.org/guest",
            image_url="https://example.org/img/interview.jpg",
        ),
        ChapterMark(start=300.0, title="", image_url="https://example.org/img/map.png", toc=False),
        ChapterMark(start=420.0, title="À bientôt", end=590.0),
    ]
    assert [m.line for m in marks] == [5, 6, 12, 13]


def test_text_in_a_json_file_is_read_as_text() -> None:
    """The content decides the format: producers rename files."""
    marks = read_chapter_file(CHAPTERS / "not_json.json")
    assert [(m.start, m.title) for m in marks] == [(0.0, "Intro"), (90.0, "Interview")]


def test_json_in_a_txt_file_is_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "chapters.txt"
    shutil.copyfile(CHAPTERS / "good.json", path)
    assert read_chapter_file(path) == read_chapter_file(CHAPTERS / "good.json")


def test_json_syntax_error_names_line_and_column() -> None:
    message = error_of(read_chapter_file, CHAPTERS / "broken.json")
    assert message.startswith("broken.json:5: not valid JSON")
    assert "column 22" in message and "fix the syntax" in message


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"chapters": []}', ":1:", 'add "version": "1.2.0"'),
        ('{"version": "2.0.0", "chapters": []}', ":1:", "podpub reads version 1.x"),
        ('{"version": 1.2, "chapters": []}', ":1:", "podpub reads version 1.x"),
        ('{"version": "1.2.0"}', ":1:", 'add "chapters": ['),
        ('{"version": "1.2.0", "chapters": {"startTime": 0}}', ":1:", '"chapters"'),
        ('[{"startTime": 0, "title": "Intro"}]', ":1:", "wrap the list"),
        ('{"version": "1.2.0",\n "chapters": [\n  {"title": "Intro"}]}', ":3:", 'no "startTime"'),
        ('{"version": "1.2.0", "chapters": [\n"Intro"]}', ":1:", "is not an object"),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": "1:30", "title": "A"}]}', ":2:", "(write 90)"),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": true, "title": "A"}]}', ":2:", "number of seconds"),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": 0, "title": 5}]}', ":2:", '"title" must be text'),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": 0, "title": "A", "toc": "no"}]}', ":2:", "true or false"),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": 0, "title": "A", "img": "a.jpg"}]}', ":2:", '"img"'),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": 0, "title": "A", "url": "www.x"}]}', ":2:", "https://"),
        ('{"version": "1.2.0", "chapters": [\n{"startTime": 0, "endTime": "x", "title": "A"}]}', ":2:", '"endTime"'),
        ('{"version": "1.2.0", "chapters": []}', "", "no chapters found"),
    ],
)
def test_json_structure_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    message = error_of(read_chapter_file, write(tmp_path, "ep.json", text))
    assert message.startswith(f"ep.json{where}")
    assert words in message


def test_json_nan_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ep.json", '{"version": "1.2.0", "chapters": [{"startTime": NaN, "title": "A"}]}')
    assert "ep.json" in error_of(read_chapter_file, path)


def test_json_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ep.json",
        '{"version": "1.1", "author": "Ana", "chapters": [{"startTime": 0, "title": "A",'
        ' "location": {"name": "Paris", "geo": "geo:48.85,2.35"}}]}',
    )
    assert read_chapter_file(path) == [ChapterMark(start=0.0, title="A")]


# ---- text chapters files ----------------------------------------------------------------------


def test_good_text() -> None:
    marks = read_and_validate(CHAPTERS / "good.txt", 2 * HOUR)
    assert marks == [
        ChapterMark(start=0.0, title="Présentation"),
        ChapterMark(start=168.5, title="Interview", url="https://example.org/guest"),
        ChapterMark(start=300.0, title="Questions"),
        ChapterMark(start=3723.25, title="À bientôt"),
    ]
    assert [m.line for m in marks] == [3, 4, 5, 6]


def test_text_tolerates_bom_crlf_and_separators(tmp_path: Path) -> None:
    path = tmp_path / "ep.txt"
    path.write_bytes("\ufeff00:00 Intro\r\n\r\n01:00 – Suite\r\n02:00: Fin <http://example.org/fin>\r\n".encode())
    marks = read_chapter_file(path)
    assert [(m.start, m.title, m.url, m.line) for m in marks] == [
        (0.0, "Intro", None, 1),
        (60.0, "Suite", None, 3),
        (120.0, "Fin", "http://example.org/fin", 4),
    ]


def test_text_tolerates_a_markdown_list(tmp_path: Path) -> None:
    marks = read_chapter_file(write(tmp_path, "ep.txt", "- 00:00 Intro\n* 01:00 Suite\n"))
    assert [(m.start, m.title) for m in marks] == [(0.0, "Intro"), (60.0, "Suite")]
    assert "cannot read '- Fin'" in error_of(read_chapter_file, write(tmp_path, "bad.txt", "00:00 A\n- Fin\n"))


def test_text_keeps_dashes_inside_titles(tmp_path: Path) -> None:
    marks = read_chapter_file(write(tmp_path, "ep.txt", "00:00 Q&A - part 1 | live\n"))
    assert marks[0].title == "Q&A - part 1 | live"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("00:00 Intro\nInterview at 12:30\n", ":2:", "'HH:MM:SS Title'"),
        ("00:00 Intro\n12 Interview\n", ":2:", "cannot read '12 Interview'"),
        ("00:00 Intro\n00:00:30Interview\n", ":2:", "cannot read"),
        ("\n\n00:00\n", ":3:", "has no title; write the title after the time"),
        ("00:00 Intro\n1:75:00 Outro\n", ":2:", "minutes run from 00 to 59"),
        ("00:00 Intro\n00:01,500 Outro\n", ":2:", "dot"),
        ("00:00 Intro <example.org>\n", ":1:", "https://"),
        ("[00:00] Intro\n", ":1:", "cannot read '[00:00] Intro' as a chapter"),
        ("# only a comment\n\n", "", "no chapters found"),
        ("   \n", "", "empty file"),
    ],
)
def test_text_errors(tmp_path: Path, text: str, where: str, words: str) -> None:
    message = error_of(read_chapter_file, write(tmp_path, "ep.txt", text))
    assert message.startswith(f"ep.txt{where}")
    assert words in message


def test_file_errors(tmp_path: Path) -> None:
    assert "file not found" in error_of(read_chapter_file, tmp_path / "missing.json")
    assert "is a folder" in error_of(read_chapter_file, tmp_path)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("00:00 Intro\n00:10 L'école\n".encode("latin-1"))
    message = error_of(read_chapter_file, latin)
    assert message.startswith("latin.txt:2: not UTF-8") and "save the chapters file as UTF-8" in message
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert error_of(read_chapter_file, empty).startswith("empty.json: empty file")


# ---- validate ---------------------------------------------------------------------------------


def test_out_of_order_is_an_error_naming_both_chapters() -> None:
    message = error_of(read_and_validate, CHAPTERS / "out_of_order.txt")
    assert message.startswith("out_of_order.txt:4: ")
    assert '"Questions" at 2:10' in message and '"Interview" at 12:30' in message
    assert "fix the mistyped time or put the chapters in time order" in message


def test_validate_does_not_sort() -> None:
    marks = [ChapterMark(10, "B"), ChapterMark(0, "A")]
    with pytest.raises(InputError):
        validate(marks, 60, "x")


def test_start_past_the_end() -> None:
    message = error_of(read_and_validate, CHAPTERS / "past_end.json", 600)
    assert message.startswith("past_end.json:6: ")
    assert '"Outro" at 1:40:00' in message and "past the end of the audio (10:00)" in message
    assert "fix the time or remove the chapter" in message
    # A chapter exactly at the end would never play either.
    assert "past the end" in error_of(validate, [ChapterMark(0, "A"), ChapterMark(60, "B")], 60, "x")


def test_negative_start(tmp_path: Path) -> None:
    path = write(tmp_path, "ep.json", '{"version": "1.2.0", "chapters": [\n{"startTime": -2, "title": "A"}]}')
    message = error_of(read_and_validate, path)
    assert message.startswith("ep.json:2: ") and "negative time" in message and "fix the time" in message


def test_duplicate_start() -> None:
    message = error_of(read_and_validate, CHAPTERS / "duplicate_start.txt")
    assert message.startswith("duplicate_start.txt:3: ")
    assert '"Questions"' in message and '"Interview"' in message and "both start at 1:30" in message
    assert "give each chapter its own start time" in message


def test_empty_title() -> None:
    message = error_of(read_and_validate, CHAPTERS / "empty_title.json")
    assert message.startswith("empty_title.json:5: chapter 2 at 1:00 has no title")
    assert 'add a "title", or set "toc": false' in message


def test_hidden_chapter_may_have_no_title() -> None:
    marks = [ChapterMark(0, "Intro"), ChapterMark(30, "", image_url="https://example.org/a.png", toc=False)]
    assert validate(marks, 60, "x") == marks


def test_end_times() -> None:
    message = error_of(validate, [ChapterMark(0, "A", end=0)], 60, "ep.json")
    assert message.startswith('ep.json: chapter 1 "A" at 0:00 ends at 0:00, not after its start')
    message = error_of(validate, [ChapterMark(0, "A", end=75)], 60, "ep.json")
    assert "past the end of the audio (1:00)" in message and "fix the end time" in message
    # Encoders round lengths: a small overshoot is clipped, not refused.
    assert validate([ChapterMark(0, "A", end=60.4)], 60, "x")[0].end == 60


def test_unknown_duration_skips_the_end_checks() -> None:
    assert validate([ChapterMark(0, "A"), ChapterMark(9999, "B")], 0, "x")[1].start == 9999


def test_validate_without_line_names_the_source_only() -> None:
    message = error_of(validate, [ChapterMark(5, "B"), ChapterMark(1, "A")], 60, "episode.mp3")
    assert message.startswith('episode.mp3: chapter 2 "A" at 0:01 comes before "B" at 0:05')


# ---- embedded chapters ------------------------------------------------------------------------


def test_embedded_id3() -> None:
    marks = embedded_chapters(FIXTURES / "chapters.mp3")
    assert [(m.start, m.title, m.url, m.end, m.toc) for m in marks] == [
        (0.0, "Présentation", None, 4.0, True),
        (4.0, "Le jardin de l'école", "https://example.org/jardin", 8.0, True),
        (8.0, "À bientôt", None, 12.0, True),
    ]
    assert all(m.image is None and m.image_url is None for m in marks)
    assert validate(marks, 12.06, "chapters.mp3") == marks


def test_embedded_mp4_chpl() -> None:
    marks = embedded_chapters(FIXTURES / "chapters.m4a")
    assert [(m.start, m.title) for m in marks] == [
        (0.0, "Présentation"),
        (4.0, "Le jardin de l'école"),
        (8.0, "À bientôt"),
    ]


def test_embedded_vorbis() -> None:
    marks = embedded_chapters(FIXTURES / "vorbis.ogg")
    assert marks == [ChapterMark(0.0, "Début"), ChapterMark(2.5, "Suite", url="https://example.org/suite")]


def test_no_embedded_chapters() -> None:
    assert embedded_chapters(FIXTURES / "cbr.mp3") == []


def test_embedded_chapters_of_a_non_audio_file() -> None:
    with pytest.raises(MediaError, match=r"^notes\.txt: not an audio file"):
        embedded_chapters(FIXTURES / "notes.txt")


def png_bytes(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def mp3_with_images(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    """An MP3 whose chapters carry images: bytes (declared as "jpg"), a link, a hidden chapter.

    The table of contents lists ch1 before ch0 on purpose: output follows the time order.
    """
    path = tmp_path / "images.mp3"
    shutil.copyfile(FIXTURES / "cbr.mp3", path)
    red, blue = png_bytes("red"), png_bytes("blue")
    tags = ID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["ch1", "ch0"]))
    tags.add(
        CHAP(
            element_id="ch0",
            start_time=0,
            end_time=2000,
            sub_frames=[
                TIT2(encoding=3, text=["Rouge"]),
                APIC(encoding=3, mime="jpg", type=PictureType.OTHER, desc="", data=red),
                WXXX(encoding=3, desc="", url="https://example.org/rouge"),
            ],
        )
    )
    tags.add(
        CHAP(
            element_id="ch1",
            start_time=2000,
            end_time=4000,
            sub_frames=[
                TIT2(encoding=3, text=["Lien"]),
                APIC(encoding=0, mime="-->", type=PictureType.OTHER, desc="", data=b"https://example.org/l.png"),
            ],
        )
    )
    tags.add(
        CHAP(
            element_id="hidden",
            start_time=3000,
            end_time=0xFFFFFFFF,
            sub_frames=[APIC(encoding=3, mime="image/png", type=PictureType.OTHER, desc="", data=blue)],
        )
    )
    tags.save(path)
    return path, red, blue


def test_embedded_images(mp3_with_images: tuple[Path, bytes, bytes]) -> None:
    path, red, blue = mp3_with_images
    marks = embedded_chapters(path)
    assert [(m.start, m.title, m.toc) for m in marks] == [
        (0.0, "Rouge", True),
        (2.0, "Lien", True),
        (3.0, "Chapter 3", False),
    ]
    first, second, hidden = marks
    assert first.image == red and first.image_type == "image/png"  # sniffed, not the declared "jpg"
    assert first.url == "https://example.org/rouge" and first.image_url is None and first.end == 2.0
    assert second.image is None and second.image_url == "https://example.org/l.png"
    assert hidden.image == blue and hidden.end is None
    assert validate(marks, 5.0, path.name) == marks

    data = json.loads(to_json(marks, ["https://cdn.example.org/r.png", None, "https://cdn.example.org/b.png"]))
    assert data["chapters"] == [
        {"startTime": 0, "title": "Rouge", "img": "https://cdn.example.org/r.png", "url": "https://example.org/rouge",
         "endTime": 2},
        {"startTime": 2, "title": "Lien", "img": "https://example.org/l.png", "endTime": 4},
        {"startTime": 3, "title": "Chapter 3", "img": "https://cdn.example.org/b.png", "toc": False},
    ]  # fmt: skip


# ---- JSON output ------------------------------------------------------------------------------


def test_to_json_structure() -> None:
    marks = read_chapter_file(CHAPTERS / "good.json")
    raw = to_json(marks, [None, None, None, "https://cdn.example.org/bye.jpg"], title="Épisode 1", podcast_name="Show")
    assert raw.endswith(b"}\n") and "Épisode".encode() in raw and b"\\u" not in raw
    data = json.loads(raw)
    assert data == {
        "version": "1.2.0",
        "title": "Épisode 1",
        "podcastName": "Show",
        "chapters": [
            {"startTime": 0, "title": "Présentation"},
            {
                "startTime": 168.5,
                "title": "Interview",
                "img": "https://example.org/img/interview.jpg",
                "url": "https://example.org/guest",
            },
            {"startTime": 300, "img": "https://example.org/img/map.png", "toc": False},
            {"startTime": 420, "title": "À bientôt", "img": "https://cdn.example.org/bye.jpg", "endTime": 590},
        ],
    }
    assert isinstance(data["chapters"][0]["startTime"], int)
    assert b'"startTime": 0,' in raw and b"0.0" not in raw


def test_to_json_is_deterministic_and_rounds_to_milliseconds() -> None:
    marks = [ChapterMark(0.1 + 0.2, "A"), ChapterMark(1 / 3, "B", end=2.0000001)]
    raw = to_json(marks, [None, None])
    assert raw == to_json(list(marks), (None, None))
    chapters = json.loads(raw)["chapters"]
    assert chapters == [{"startTime": 0.3, "title": "A"}, {"startTime": 0.333, "title": "B", "endTime": 2}]
    assert set(json.loads(to_json([], []))) == {"version", "chapters"}


def test_to_json_round_trips_through_the_reader(tmp_path: Path) -> None:
    marks = read_chapter_file(CHAPTERS / "good.json")
    path = tmp_path / "out.json"
    path.write_bytes(to_json(marks, [None] * len(marks)))
    assert read_chapter_file(path) == marks


def test_to_json_needs_one_image_url_per_chapter() -> None:
    with pytest.raises(ValueError):
        to_json([ChapterMark(0, "A")], [])
