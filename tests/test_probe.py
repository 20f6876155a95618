"""probe() against real media files: durations, types, tags, chapters, covers and every failure.

The expected values in `fixtures/expected.json` were measured by ffprobe, not by mutagen, so these
tests would catch podpub repeating one of mutagen's wrong answers (see `fixtures/make_fixtures.sh`).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from mutagen.oggvorbis import OggVorbis

from podpub.episodes import mp3frames
from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.probe import probe, read_cover
from podpub.errors import MediaError

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
GOOD = sorted(name for name in EXPECTED if not name.startswith("_"))
TOLERANCE = 0.1  # seconds: mutagen removes the LAME encoder delay and MP4 priming, ffprobe may not


def copy_fixture(name: str, tmp_path: Path, as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copyfile(FIXTURES / name, target)
    return target


def cut(name: str, tmp_path: Path, fraction: float) -> Path:
    """A copy of a fixture holding only its first `fraction` of bytes, like an interrupted copy."""
    data = (FIXTURES / name).read_bytes()
    target = tmp_path / name
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def media_error(path: Path) -> str:
    """The message probe() raises for `path`, checked to be one line naming the file."""
    with pytest.raises(MediaError) as caught:
        probe(path)
    message = str(caught.value)
    assert path.name in message
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message and "Error(" not in message
    return message


# ---- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_matches_independent_measurement(name: str) -> None:
    expected = EXPECTED[name]
    info = probe(FIXTURES / name)

    assert info.duration == pytest.approx(expected["duration"], abs=TOLERANCE)
    assert info.exact_duration is True
    assert info.size == os.path.getsize(FIXTURES / name)
    assert info.mime_type == expected["mime_type"]
    assert info.extension == expected["extension"]
    assert info.is_video is expected["is_video"]
    assert info.suitable is expected["suitable"]
    for key in ("title", "artist", "album", "date", "comment"):
        assert getattr(info, key) == expected[key], key
    assert info.has_cover is expected["has_cover"]
    assert (info.cover_mime == "image/jpeg") is expected["has_cover"]

    assert len(info.chapters) == expected["chapter_count"]
    for chapter, want in zip(info.chapters, expected["chapters"], strict=True):
        assert chapter.title == want["title"]
        assert chapter.start == pytest.approx(want["start"], abs=0.01)
        assert chapter.url == want.get("url")


def test_mp3_without_xing_is_walked_because_mutagen_guesses_wrong() -> None:
    path = FIXTURES / "vbr_noxing.mp3"
    truth = EXPECTED["vbr_noxing.mp3"]["duration"]

    guessed = mutagen.File(path).info.length  # first (silent) frame's bitrate x file size
    info = probe(path)

    assert abs(guessed - truth) > 1.0
    assert info.duration == pytest.approx(truth, abs=TOLERANCE)
    assert any("Xing" in w for w in info.warnings)


def test_mpeg2_mp3_without_header_counts_576_samples_per_frame() -> None:
    info = probe(FIXTURES / "cbr_noxing.mp3")
    assert info.sample_rate == 22050
    assert info.duration == pytest.approx(EXPECTED["cbr_noxing.mp3"]["duration"], abs=0.001)
    assert not info.warnings  # CBR: players' estimates are right, nothing to warn about


def test_mp3_longer_than_an_hour_is_exact(tmp_path: Path) -> None:
    source = FIXTURES / "vbr_noxing.mp3"
    offset = mutagen.File(source).info.frame_offset
    frames = source.read_bytes()[offset:]
    one = EXPECTED["vbr_noxing.mp3"]["duration"]
    repeats = int(3700 / one) + 1
    long_mp3 = tmp_path / "long.mp3"
    long_mp3.write_bytes(frames * repeats)

    info = probe(long_mp3)  # speed is measured in bench/bench_probe.py, not asserted here

    assert info.duration > 3600
    assert info.duration == pytest.approx(repeats * one, abs=TOLERANCE)
    assert abs(mutagen.File(long_mp3).info.length - info.duration) > 60


def test_long_opus_is_read_from_its_last_page() -> None:
    info = probe(FIXTURES / "long.opus")
    assert info.duration > 3600
    assert info.format == "OggOpus"
    assert info.sample_rate == 48000


def test_mp3_tails_and_junk_do_not_count_as_audio(tmp_path: Path) -> None:
    data = (FIXTURES / "vbr_noxing.mp3").read_bytes()
    junk = b"\xff\xfb\x90\x00 not a frame " * 20
    ape = b"APETAGEX" + (2000).to_bytes(4, "little") + (32).to_bytes(4, "little") + bytes(4) + bytes(12)
    id3v1 = b"TAG" + b"\xff" * 125
    path = tmp_path / "tails.mp3"
    path.write_bytes(data + junk + ape + id3v1)

    assert probe(path).duration == pytest.approx(EXPECTED["vbr_noxing.mp3"]["duration"], abs=0.001)


def test_stale_xing_header_is_corrected_by_walking(tmp_path: Path) -> None:
    xing = (FIXTURES / "vbr_xing.mp3").read_bytes()
    more = (FIXTURES / "vbr_noxing.mp3").read_bytes()
    path = tmp_path / "stale.mp3"
    path.write_bytes(xing + more)  # e.g. two recordings glued together without rewriting the header

    info = probe(path)

    assert info.duration == pytest.approx(2 * EXPECTED["vbr_xing.mp3"]["duration"], abs=0.2)
    assert any("stale" in w for w in info.warnings)


def test_hostile_tags_come_back_raw_except_nul() -> None:
    """Markup and control characters are kept: the feed layer escapes and cleans, probe reports.

    NULs are dropped: in ID3v2.4 they separate values (joined here with "; "), elsewhere they
    are never text.
    """
    mp3 = probe(FIXTURES / "hostile.mp3")
    ogg = probe(FIXTURES / "hostile.ogg")

    for info in (mp3, ogg):
        assert isinstance(info.title, str)
        assert '<b>&amp; "x" </b>' in info.title
        assert "]]>" in info.title
        assert "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x1b" in info.title
        assert "🎙️" in info.title
        assert "\x00" not in info.title
    assert mp3.artist == "Alice & Bob <script>; \x1bÉve"
    assert ogg.title is not None and ogg.title.endswith("🎙️nul")  # the NUL before "nul" is gone
    json.dumps(mp3.to_json())  # still serialisable for `podpub inspect --json`


def test_wav_is_read_but_marked_unsuitable() -> None:
    info = probe(FIXTURES / "wave.wav")
    assert info.suitable is False
    assert "WAV is not suitable for podcast apps; encode to MP3 or M4A" in info.warnings


def test_m4a_named_mp4_is_audio_and_warned(tmp_path: Path) -> None:
    info = probe(copy_fixture("notags.m4a", tmp_path, "episode.mp4"))
    assert info.mime_type == "audio/x-m4a"
    assert info.extension == ".m4a"
    assert info.is_video is False
    assert any("episode.m4a" in w for w in info.warnings)


def test_video_track_is_detected_whatever_the_name(tmp_path: Path) -> None:
    info = probe(copy_fixture("video.mp4", tmp_path, "clip.m4a"))
    assert info.is_video is True
    assert info.mime_type == "video/mp4"
    assert info.extension == ".mp4"


def test_id3_chapters_follow_the_table_of_contents(tmp_path: Path) -> None:
    path = copy_fixture("notags.mp3", tmp_path)
    tags = ID3()
    tags.add(CHAP(element_id="a", start_time=0, end_time=2000, sub_frames=[TIT2(encoding=3, text="Un")]))
    tags.add(CHAP(element_id="b", start_time=2000, end_time=4000, sub_frames=[TIT2(encoding=3, text="Deux")]))
    tags.add(CHAP(element_id="c", start_time=4000, end_time=5000))
    tags.save(path)
    assert [c.title for c in probe(path).chapters] == ["Un", "Deux", "Chapter 3"]  # no CTOC: by start

    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["b", "a"]))
    tags.save(path)
    assert [(c.start, c.title) for c in probe(path).chapters] == [(2.0, "Deux"), (0.0, "Un")]


def test_vorbis_chapter_with_bad_time_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = copy_fixture("vorbis.ogg", tmp_path)
    ogg = OggVorbis(path)
    ogg["CHAPTER003"] = "bientôt"
    ogg["CHAPTER003NAME"] = "Cassé"
    ogg.save()

    info = probe(path)

    assert [c.title for c in info.chapters] == ["Début", "Suite"]
    assert any("chapter 3" in w for w in info.warnings)


def test_to_json_has_the_public_keys_and_round_trips() -> None:
    info = probe(FIXTURES / "chapters.mp3")
    data = info.to_json()

    for key in ("duration", "size", "mime_type", "title", "artist", "album", "date", "chapters",
                "has_cover", "exact_duration"):  # fmt: skip
        assert key in data
    assert isinstance(data["duration"], float)
    assert data["chapters"][0] == {"start": 0.0, "title": "Présentation"}
    assert data["chapters"][1]["url"] == "https://example.org/jardin"
    assert MediaInfo.from_json(json.loads(json.dumps(data))) == info


# ---- covers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["chapters.mp3", "chapters.m4a", "vorbis.ogg", "flac.flac"])
def test_read_cover_returns_the_embedded_jpeg(name: str) -> None:
    cover = read_cover(FIXTURES / name)
    assert cover is not None
    data, mime = cover
    assert mime == "image/jpeg"
    assert data.startswith(b"\xff\xd8\xff") and len(data) > 500


@pytest.mark.parametrize("name", ["notags.mp3", "notags.m4a", "opus.opus"])
def test_read_cover_is_none_without_a_picture(name: str) -> None:
    assert read_cover(FIXTURES / name) is None


def test_read_cover_refuses_bad_files_like_probe() -> None:
    with pytest.raises(MediaError, match=r"image\.mp3"):
        read_cover(FIXTURES / "image.mp3")


# ---- bad inputs -------------------------------------------------------------------------------

BAD = {
    "empty.mp3": "empty file (0 bytes)",
    "text.mp3": "not an audio file (looks like text)",
    "image.mp3": "not an audio file (looks like a JPEG image)",
    "truncated.m4a": "no 'moov' atom",
    "truncated.mp3": "truncated MP3",
    "random.m4a": "not an audio file",
    "adts.aac": "raw AAC (ADTS) is not supported; wrap it in M4A: ffmpeg -i adts.aac -c copy adts.m4a",
    "notes.txt": "not an audio file (looks like text)",
}


def test_every_bad_fixture_is_listed() -> None:
    assert sorted(EXPECTED["_bad"]) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_fixture_raises_one_actionable_line(name: str) -> None:
    message = media_error(FIXTURES / name)
    assert BAD[name] in message
    assert "; " in message  # what is wrong; what to do


def test_truncated_mp3_is_caught_although_mutagen_trusts_its_header() -> None:
    path = FIXTURES / "truncated.mp3"
    assert mutagen.File(path).info.length == pytest.approx(EXPECTED["vbr_xing.mp3"]["duration"], abs=0.1)
    media_error(path)


@pytest.mark.parametrize(
    ("name", "fraction", "expected"),
    [
        ("cbr.mp3", 0.5, "truncated MP3"),
        ("chapters.m4a", 0.6, "truncated MP4 (only"),
        ("video.mp4", 0.5, "no 'moov' atom"),
        ("flac.flac", 0.5, "truncated FLAC"),
        ("wave.wav", 0.5, "truncated WAV"),
        ("aiff.aiff", 0.5, "truncated AIFF"),
        ("vorbis.ogg", 0.7, "truncated Ogg"),
        ("opus.opus", 0.9, "truncated Ogg"),
    ],
)
def test_cut_files_are_refused(tmp_path: Path, name: str, fraction: float, expected: str) -> None:
    assert expected in media_error(cut(name, tmp_path, fraction))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG image"),
        (b"%PDF-1.7\n" + bytes(100), "a PDF document"),
        (b"PK\x03\x04" + bytes(100), "a ZIP archive"),
        (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "a web page"),
    ],
)
def test_non_audio_is_named(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "episode 1.mp3"
    path.write_bytes(content)
    assert f"looks like {expected}" in media_error(path)


def test_adts_behind_an_id3_tag_is_still_named(tmp_path: Path) -> None:
    path = copy_fixture("adts.aac", tmp_path, "tagged.aac")
    tags = ID3()
    tags.add(TIT2(encoding=3, text="AAC"))
    tags.save(path)
    assert "raw AAC (ADTS)" in media_error(path)


def test_missing_file(tmp_path: Path) -> None:
    message = media_error(tmp_path / "missing.mp3")
    assert "file not found" in message


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    assert "is a folder" in media_error(folder)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_fixture("cbr.mp3", tmp_path)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # root reads anything: make open() fail as it would for a user
            real_open = Path.open

            def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
                if self == path:
                    raise PermissionError(13, "Permission denied", str(self))
                return real_open(self, *args, **kwargs)

            monkeypatch.setattr(Path, "open", denied)
        assert "permission denied" in media_error(path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_a_format_mutagen_knows_but_podpub_refuses(tmp_path: Path) -> None:
    path = tmp_path / "episode.wma"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "wmav2", str(path)], check=True)
    message = media_error(path)
    assert "not supported" in message and "MP3" in message


def test_no_exception_but_media_error_escapes_on_damaged_files(tmp_path: Path) -> None:
    """Random damage must end in MediaInfo or MediaError, never in a mutagen or struct traceback."""
    rng = random.Random(1234)
    for name in ("chapters.mp3", "chapters.m4a", "vorbis.ogg", "flac.flac", "wave.wav", "video.mp4"):
        original = (FIXTURES / name).read_bytes()
        for _ in range(40):
            data = bytearray(original)
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(min(len(data), 6000))] = rng.randrange(256)
            else:
                data = data[: rng.randrange(1, len(data))]
            path = tmp_path / name
            path.write_bytes(bytes(data))
            try:
                probe(path).to_json()
                read_cover(path)
            except MediaError as e:
                assert "\n" not in str(e)


# ---- the frame walker on its own --------------------------------------------------------------


def test_frame_walker_counts_what_ffprobe_counts() -> None:
    scan = mp3frames.scan_frames(FIXTURES / "vbr_noxing.mp3")
    assert scan.seconds == pytest.approx(EXPECTED["vbr_noxing.mp3"]["duration"], abs=1e-6)
    assert scan.variable_bitrate
    assert scan.first_offset == 0 and scan.end_offset == os.path.getsize(FIXTURES / "vbr_noxing.mp3")


def test_frame_walker_finds_nothing_in_junk(tmp_path: Path) -> None:
    path = tmp_path / "junk.mp3"
    path.write_bytes(random.Random(5).randbytes(50_000))
    assert mp3frames.scan_frames(path).frames == 0


def test_vbr_header_reader() -> None:
    info = mutagen.File(FIXTURES / "chapters.mp3").info
    header = mp3frames.read_vbr_header(FIXTURES / "chapters.mp3", info.frame_offset)
    assert header is not None and header.kind == "Info" and header.frames and header.bytes
    assert mp3frames.read_vbr_header(FIXTURES / "vbr_noxing.mp3", 0) is None
