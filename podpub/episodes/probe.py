"""Read what podpub needs from an episode's media file: duration, type, tags, cover and chapters.

mutagen does the parsing (headers and tags only, about a millisecond a file), but three of its
answers cannot go into a feed as they are, so this module corrects them:

* Durations. mutagen guesses the length of an MP3 without a Xing/Info/VBRI header from the first
  frame's bitrate, and believes a Xing header even when most of the file is missing. Those MP3s are
  measured by walking their frames (`mp3frames`), and every format gets a cheap truncation check.
* Types. The enclosure type comes from podpub's own table (`podpub.mediatypes`), never from
  mutagen's `mime` list (`audio/mp3`, `audio/vorbis`, `audio/mp4` for video are all wrong for feeds).
* Failures. Every problem becomes one `MediaError` line that names the file and says what to do;
  no mutagen or OS exception escapes. Messages name the file by its name alone, because the CLI
  already says which show and folder it is working on; "file not found" shows the path as given,
  because there the place looked in is the useful part.

Tag text is returned as the file holds it, markup and control characters included: escaping and
removing XML-illegal characters is the feed writer's job, and the raw text is what a producer wants
to see in `podpub inspect`. Two changes only: NUL characters are dropped (ID3v2.4 uses NUL to
separate values, which mutagen splits on, and anywhere else a NUL is a C string terminator that
leaked, never text), and several values of one field are joined with "; ". Values are stripped of
surrounding whitespace, and an empty value is None.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import shlex
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3, BitrateMode, HeaderNotFoundError
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from podpub.episodes import mp3frames
from podpub.episodes.mediainfo import Chapter, MediaInfo
from podpub.errors import MediaError
from podpub.mediatypes import content_type_for

__all__ = ["probe", "probe_with_sha256", "read_cover"]

SUPPORTED_HINT = "give an MP3, M4A, Ogg, Opus or FLAC file"

# mutagen class name -> what podpub calls it in messages. Anything else mutagen recognises is refused.
_SUPPORTED = {
    "MP3": "MP3",
    "MP4": "MP4",
    "OggVorbis": "Ogg Vorbis",
    "OggOpus": "Opus",
    "FLAC": "FLAC",
    "WAVE": "WAV",
    "AIFF": "AIFF",
}
_MP4_SUFFIXES = {".m4a", ".m4b", ".mp4", ".m4v", ".mov", ".3gp"}
# Below these a spoken-word episode sounds broken on a phone speaker; Opus and Vorbis are fine lower.
_LOW_BITRATE = {"MP3": 32_000, "MP4": 20_000}
_ID3_ITUNES_COMMENTS = ("itunnorm", "itunsmpb", "itunpgap", "itunes_cddb")
#: files up to this size are read once into memory, hashed, and parsed from there
WHOLE_READ_LIMIT = 4 << 20


# ---- entry points -----------------------------------------------------------------------------


def probe(path: Path) -> MediaInfo:
    """Everything podpub reads from an episode's media file.

    Raises `MediaError` (one line, naming the file, saying what to do) for anything that cannot be
    an episode: missing, empty, not audio, truncated, corrupt or an unsupported format.
    """
    return _probe(Path(path), want_hash=False)[0]


def probe_with_sha256(path: Path) -> tuple[MediaInfo, str]:
    """`probe()` plus the file's sha256, reading the file through one open handle.

    The media cache needs both for every new or changed file; opening the file once (instead of
    once per check, then again to hash it) is most of what keeps a first scan close to mutagen's
    own cost. A file of at most `WHOLE_READ_LIMIT` bytes is read in one call, hashed, and parsed
    from memory: mutagen's dozens of small seeks and reads then cost no system calls.
    """
    info, digest = _probe(Path(path), want_hash=True)
    assert digest is not None
    return info, digest


def _probe(path: Path, *, want_hash: bool) -> tuple[MediaInfo, str | None]:
    size = _check_file(path)
    fh: BinaryIO = _open(path)
    with fh:
        digest = None
        if want_hash and size <= WHOLE_READ_LIMIT:
            try:
                data = fh.read()
            except OSError as e:
                raise MediaError(f"{path.name}: cannot read the file ({e.strerror or e}); check the disk") from e
            digest = hashlib.sha256(data).hexdigest()
            fh = io.BytesIO(data)
        f, video = _load(path, size, fh)
        try:
            info = _describe(path, size, f, video, fh)
            if want_hash and digest is None:
                fh.seek(0)
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as e:  # the file vanished or the disk failed between the checks and the reads
            raise MediaError(f"{path.name}: cannot read the file ({e.strerror or e}); check the disk") from e
    return info, digest


def _open(path: Path) -> BinaryIO:
    name = path.name or str(path)
    try:
        return path.open("rb")
    except PermissionError:
        raise MediaError(f"{name}: permission denied; make the file readable (chmod a+r)") from None
    except OSError as e:
        raise MediaError(f"{name}: cannot read the file ({e.strerror or e}); check the disk") from None


def _describe(path: Path, size: int, f: Any, video: bool, fh: BinaryIO) -> MediaInfo:
    """The MediaInfo of a file mutagen has loaded, after podpub's own duration and sanity checks."""
    kind = type(f).__name__
    name = path.name
    warnings: list[str] = []

    if kind == "MP3":
        duration, bitrate = _mp3_duration(path, size, f, warnings, fh)
    else:
        duration = float(f.info.length or 0.0)
        bitrate = int(getattr(f.info, "bitrate", 0) or 0)
        if kind == "FLAC":
            duration = _flac_check(path, size, f, duration)
        elif kind in ("OggVorbis", "OggOpus"):
            _ogg_check(path, size, duration, warnings)
        elif kind in ("WAVE", "AIFF"):
            _pcm_check(path, size, f, duration, bitrate)
    if not duration > 0:
        raise MediaError(f"{name}: contains no audio (duration 0 s); export the episode again")

    extension = _canonical_extension(path, kind, video)
    mime = content_type_for(extension)
    sample_rate = 48_000 if kind == "OggOpus" else int(getattr(f.info, "sample_rate", 0) or 0)
    tags = _read_tags(f)
    chapters = _read_chapters(f, warnings)
    cover = _cover_of(f)
    suitable = kind not in ("WAVE", "AIFF")

    if not suitable:
        label = _SUPPORTED[kind]
        warnings.append(f"{label} is not suitable for podcast apps; encode to MP3 or M4A")
    elif kind in ("OggVorbis", "OggOpus", "FLAC"):
        warnings.append(
            f"Apple Podcasts accepts only MP3, M4A and MP4, not {_SUPPORTED[kind]}; "
            "publish an MP3 or M4A for Apple listeners"
        )
    low = _LOW_BITRATE.get(kind)
    if low and 0 < bitrate < low:
        warnings.append(
            f"very low bitrate ({bitrate // 1000} kbit/s): it will sound poor; encode speech at 48 kbit/s or more"
        )
    if content_type_for(path.name) != mime:
        warnings.append(
            f"the extension {path.suffix or '(none)'} does not match the content "
            f"({_SUPPORTED[kind]}{' video' if video else ''}); rename the file to {path.stem}{extension} "
            f"so that servers send {mime}"
        )

    return MediaInfo(
        format=kind,
        mime_type=mime,
        extension=extension,
        size=size,
        duration=duration,
        exact_duration=True,
        is_video=video,
        bitrate=bitrate,
        sample_rate=sample_rate,
        channels=int(getattr(f.info, "channels", 0) or 0),
        title=tags.get("title"),
        artist=tags.get("artist"),
        album=tags.get("album"),
        date=tags.get("date"),
        comment=tags.get("comment"),
        chapters=chapters,
        has_cover=cover is not None,
        cover_mime=cover[1] if cover else None,
        suitable=suitable,
        warnings=tuple(warnings),
    )


def read_cover(path: Path) -> tuple[bytes, str] | None:
    """The embedded cover image (front cover preferred) and its MIME type, or None.

    The MIME type comes from the image's own magic bytes when they are recognisable, because tag
    writers put `jpg`, `image/jpg` or nothing in the declared type.
    """
    path = Path(path)
    size = _check_file(path)
    f, _video = _load(path, size)
    return _cover_of(f)


# ---- opening and recognising the file ---------------------------------------------------------


def _check_file(path: Path) -> int:
    """The file's size, after turning every way of not being a readable file into a MediaError."""
    name = path.name or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaError(f"{path}: file not found; check the file name and folder") from None
    except PermissionError:
        raise MediaError(f"{name}: permission denied; make the file and its folder readable") from None
    except OSError as e:
        raise MediaError(f"{name}: cannot read the file ({e.strerror or e}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(f"{name}: is a folder, not a file; give the path of the audio file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(f"{name}: not a regular file; give the path of an audio file")
    if st.st_size == 0:
        raise MediaError(f"{name}: empty file (0 bytes); export the episode again")
    return st.st_size


def _load(path: Path, size: int, fh: BinaryIO | None = None) -> tuple[Any, bool]:
    """The mutagen object for a supported file and whether it is an MP4 with a video track.

    The file is sniffed before mutagen sees it: mutagen only says "can't sync to MPEG frame" or
    returns None for a JPEG, a web page or a Word file named `.mp3`, and naming what the file
    really is tells the producer what went wrong.
    """
    name = path.name
    if fh is None:
        with _open(path) as own:
            return _load(path, size, own)
    try:
        fh.seek(0)
        head = fh.read(64)
        audio_head = _after_id3(fh, head)
        fh.seek(0)
    except OSError as e:
        raise MediaError(f"{name}: cannot read the file ({e.strerror or e}); check the disk") from None

    if _is_adts(audio_head):
        raise _adts_error(path)
    what = _sniff_non_audio(head)
    if what:
        raise MediaError(f"{name}: not an audio file (looks like {what}); {SUPPORTED_HINT}")

    video = False
    if head[4:8] == b"ftyp" or (path.suffix.lower() in _MP4_SUFFIXES and head[4:8] in _MP4_TOP):
        video = _mp4_layout(path, size)

    try:
        kind_class = _known_class(head, audio_head)
        f = kind_class(fh) if kind_class is not None else mutagen.File(fh)
    except HeaderNotFoundError:
        raise MediaError(
            f"{name}: not a valid MP3 (no MPEG audio frames found); export the episode again as MP3"
        ) from None
    except Exception as e:  # mutagen raises MutagenError, but also struct/Index/ValueErrors on bad data
        raise MediaError(
            f"{name}: corrupt or unreadable {_label_for_suffix(path)} file ({_one_line(e)}); export the episode again"
        ) from e
    if f is None:
        raise MediaError(f"{name}: not an audio file (unrecognised data); {SUPPORTED_HINT}")
    kind = type(f).__name__
    if kind == "AAC":
        raise _adts_error(path)
    if kind not in _SUPPORTED:
        raise MediaError(
            f"{name}: {kind} files are not supported; encode to MP3 or M4A "
            f"(e.g. ffmpeg -i {shlex.quote(name)} -b:a 96k {shlex.quote(path.stem + '.mp3')})"
        )
    if f.info is None:
        raise MediaError(f"{name}: no audio stream found; export the episode again")
    return f, video


def _known_class(head: bytes, audio_head: bytes) -> type[mutagen.FileType] | None:
    """The mutagen class for a file whose first bytes leave no doubt about its format, else None.

    `mutagen.File` opens every candidate format class and scores the file against each one before
    loading it with the winner; for an MP3 that guessing is about a quarter of mutagen's whole cost.
    podpub has already read the head, so when it says MPEG audio (after any ID3 tag), an MP4 `ftyp`,
    `fLaC` or an Ogg Vorbis/Opus first page, the class that `mutagen.File` would pick is called
    directly. Anything less clear still goes through `mutagen.File`, so no file is read differently.
    """
    if len(audio_head) >= 4 and audio_head[0] == 0xFF and audio_head[1] & 0xE0 == 0xE0 and audio_head[1] & 0x06:
        return MP3  # an MPEG frame sync with a layer (ADTS, layer 00, was refused before)
    if head[4:8] == b"ftyp":
        return MP4
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS" and head[26:27] == b"\x01":  # a first page holding one segment: the codec header
        if head[28:36] == b"OpusHead":
            return OggOpus
        if head[28:35] == b"\x01vorbis":
            return OggVorbis
    return None


def _after_id3(fh: BinaryIO, head: bytes) -> bytes:
    """The first bytes after an ID3v2 tag (or `head` itself), to see what the tag is wrapped around."""
    if head[:3] != b"ID3" or len(head) < 10:
        return head
    tag_size = _syncsafe(head[6:10]) + 10 + (10 if head[5] & 0x10 else 0)
    fh.seek(tag_size)
    return fh.read(16)


def _syncsafe(data: bytes) -> int:
    return (data[0] & 0x7F) << 21 | (data[1] & 0x7F) << 14 | (data[2] & 0x7F) << 7 | (data[3] & 0x7F)


def _is_adts(data: bytes) -> bool:
    """True for an ADTS (raw AAC) frame header: 12-bit sync, then layer bits 00.

    An MP3 frame has the same 11 sync bits but a non-zero layer, so the two never collide.
    """
    return len(data) >= 7 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0


def _adts_error(path: Path) -> MediaError:
    src, dst = shlex.quote(path.name), shlex.quote(path.stem + ".m4a")
    return MediaError(f"{path.name}: raw AAC (ADTS) is not supported; wrap it in M4A: ffmpeg -i {src} -c copy {dst}")


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old office document"),
    (b"{\\rtf", "an RTF document"),
)


def _sniff_non_audio(head: bytes) -> str | None:
    """Name the kind of a file that is certainly not audio, from its first bytes; else None."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "an AVI video"
    text = _as_text(head)
    if text is None:
        return None
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "a web page (HTML), perhaps a failed download"
    if lowered.startswith("<?xml"):
        return "an XML file"
    return "text"


def _as_text(head: bytes) -> str | None:
    """The bytes as text when they are printable UTF-8 (a multi-byte character may be cut at the end)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3 or e.reason != "unexpected end of data":
            return None
        text = head[: e.start].decode("utf-8")
    if not text.strip():
        return None
    return text if all(c.isprintable() or c in "\t\r\n\f" for c in text) else None


def _label_for_suffix(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return suffix.upper() if suffix else "media"


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _canonical_extension(path: Path, kind: str, video: bool) -> str:
    """The extension the file should be published under; the MIME type follows from it."""
    if kind == "MP4":
        if video:
            return ".mp4"
        return ".m4b" if path.suffix.lower() == ".m4b" else ".m4a"
    return {
        "MP3": ".mp3",
        "OggVorbis": ".ogg",
        "OggOpus": ".opus",
        "FLAC": ".flac",
        "WAVE": ".wav",
        "AIFF": ".aiff",
    }[kind]


# ---- MP3 --------------------------------------------------------------------------------------


def _mp3_duration(path: Path, size: int, f: Any, warnings: list[str], fh: BinaryIO) -> tuple[float, int]:
    """Exact duration and average bitrate of an MP3, with truncation and stale-header checks.

    Without a Xing/Info/VBRI header mutagen (like every tool that does not decode) multiplies the
    file size by the first frame's bitrate, so the frames are walked instead. With a header,
    mutagen's length is exact (frame count minus the LAME encoder delay and padding) as long as the
    file still holds what the header describes: its byte count is compared with the file size, and
    only when they disagree by more than 10% are the frames walked to find out which is right.
    A header-less CBR file gets no warning: every player's size/bitrate estimate is right for it;
    a header-less VBR file does, because players show a wrong length and seek to wrong places.
    """
    info = f.info
    name = path.name
    if info.bitrate_mode == BitrateMode.UNKNOWN:
        scan = mp3frames.scan_frames(path, info.frame_offset)
        if not scan.frames:
            raise MediaError(f"{name}: no complete MPEG audio frames; export the episode again as MP3")
        if scan.variable_bitrate and abs(info.length - scan.seconds) > 1.0:
            warnings.append(
                f"VBR MP3 without a Xing header: some players will show {_clock(info.length)} "
                f"instead of {_clock(scan.seconds)} and seek badly; re-encode with LAME, which writes one"
            )
        return scan.seconds, round(scan.audio_bytes * 8 / scan.seconds) if scan.seconds else 0

    duration = float(info.length)
    bitrate = int(info.bitrate or 0)
    header = mp3frames.read_vbr_header(fh, info.frame_offset)
    if header is None or not header.frames:
        return duration, bitrate
    available = size - info.frame_offset - _tail_tag_size(fh, size)
    expected = header.bytes
    if expected is None or expected * 0.9 <= available <= expected * 1.1 + 4096:
        return duration, bitrate

    # The sizes disagree: count what is really there.
    scan = mp3frames.scan_frames(path, info.frame_offset + header.header_frame_length)
    if scan.frames < header.frames * 0.9:
        raise MediaError(
            f"{name}: truncated MP3 (its header says {_clock(duration)} but the file holds only "
            f"{_clock(scan.seconds)} of audio); export or download the episode again"
        )
    if scan.frames > header.frames * 1.1:
        warnings.append(
            f"the MP3's Xing header is stale (it says {_clock(duration)}, the file holds "
            f"{_clock(scan.seconds)}); players will show the wrong length, re-encode the file"
        )
        return scan.seconds, round(scan.audio_bytes * 8 / scan.seconds)
    return duration, bitrate


def _tail_tag_size(fh: BinaryIO, size: int) -> int:
    """Bytes of ID3v1 and APEv2 tags at the end of an MP3, which are not audio."""
    fh.seek(max(0, size - 160))
    tail = fh.read(160)
    total = 0
    if tail[-128:-125] == b"TAG":
        total += 128
    footer = tail[len(tail) - total - 32 : len(tail) - total]
    if footer[:8] == b"APETAGEX":
        total += int.from_bytes(footer[12:16], "little") + (32 if footer[23] & 0x80 else 0)
    return min(total, size)


def _clock(seconds: float) -> str:
    """`1:02:03` or `4:05`, the way a producer reads a length."""
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


# ---- MP4 --------------------------------------------------------------------------------------

_MP4_TOP = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"uuid", b"meta", b"moof"}


def _atoms(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, start, payload start, end) of each atom in [start, end); `end` may lie past `end`."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        header = fh.read(16)
        if len(header) < 8:
            return
        length = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        payload = pos + 8
        if length == 1:
            if len(header) < 16:
                return
            length = int.from_bytes(header[8:16], "big")
            payload = pos + 16
        elif length == 0:
            length = end - pos
        if length < payload - pos:
            raise ValueError(f"bad size of atom at byte {pos}")
        yield kind, pos, payload, pos + length
        pos += length


def _mp4_layout(path: Path, size: int) -> bool:
    """Check an MP4's top-level atoms and say whether it has a video track.

    mutagen reads only `moov`, so an MP4 whose `mdat` was cut short (an interrupted upload or
    copy) loads fine and reports its full length; comparing each top-level atom's declared end
    with the file size catches that with a handful of seeks. A file whose `moov` sits at the end
    and was cut off has none at all, which mutagen reports as "not a MP4 file".
    A video track is a `trak` whose `mdia/hdlr` handler type is `vide`: mutagen reads only the
    sound track and would let a video go out as audio.
    """
    name = path.name
    found: dict[bytes, tuple[int, int]] = {}
    overrun: tuple[bytes, int, int] | None = None
    try:
        with path.open("rb") as fh:
            for kind, start, payload, end in _atoms(fh, 0, size):
                if not all(32 <= c < 127 for c in kind):
                    break  # trailing junk after the last atom: not podpub's business
                found.setdefault(kind, (payload, end))
                if end > size:
                    overrun = (kind, end - start, size - start)
                    break
            if b"moov" not in found:
                raise MediaError(f"{name}: truncated or corrupt MP4 (no 'moov' atom); re-export the file")
            if overrun:
                kind, declared, present = overrun
                raise MediaError(
                    f"{name}: truncated MP4 (only {present * 100 // declared}% of the "
                    f"'{kind.decode('ascii')}' atom is in the file); export or download it again"
                )
            return _mp4_has_video(fh, *found[b"moov"])
    except (OSError, ValueError) as e:
        raise MediaError(f"{name}: corrupt MP4 ({_one_line(e)}); re-export the file") from e


def _mp4_has_video(fh: BinaryIO, start: int, end: int) -> bool:
    for kind, _s, payload, trak_end in _atoms(fh, start, end):
        if kind != b"trak":
            continue
        for kind2, _s2, payload2, mdia_end in _atoms(fh, payload, trak_end):
            if kind2 != b"mdia":
                continue
            for kind3, _s3, payload3, _e3 in _atoms(fh, payload2, mdia_end):
                if kind3 == b"hdlr":
                    fh.seek(payload3 + 8)  # version+flags, pre_defined, then the handler type
                    if fh.read(4) == b"vide":
                        return True
    return False


# ---- Ogg, FLAC, WAV/AIFF sanity checks --------------------------------------------------------


def _ogg_check(path: Path, size: int, duration: float, warnings: list[str]) -> None:
    """Refuse an Ogg file cut inside a page; warn when it lacks its end-of-stream mark.

    Ogg durations come from the last complete page's granule position, so a cut file reports the
    length it really holds and mutagen never notices. A last page that runs past the end of the
    file is proof of a cut, and an episode that stops mid-sentence must not be published. A
    complete last page without the end-of-stream flag is only suspicious (a file cut exactly at a
    page boundary, or a sloppy muxer), hence a warning. Only the last 64 KiB are read.
    """
    name = path.name
    window = min(size, 65536)
    with path.open("rb") as fh:
        fh.seek(size - window)
        tail = fh.read()
    at = tail.rfind(b"OggS")
    cut = at < 0 or len(tail) - at < 27
    if not cut:
        segments = tail[at + 26]
        lacing = tail[at + 27 : at + 27 + segments]
        cut = len(lacing) < segments or at + 27 + segments + sum(lacing) > len(tail)
    if cut:
        raise MediaError(
            f"{name}: truncated Ogg file (it stops inside a page, after {_clock(duration)} of audio); "
            "export or download the episode again"
        )
    if not tail[at + 5] & 0x04:
        warnings.append("the Ogg stream has no end-of-stream mark; the file may be truncated")


def _flac_check(path: Path, size: int, f: Any, duration: float) -> float:
    """Refuse a FLAC whose frames stop well before STREAMINFO's sample count; return the duration.

    mutagen takes the length from STREAMINFO, which the encoder writes first, so a cut file
    reports its full length. Each FLAC frame header carries its frame or sample number, so the
    last header in the final 256 KiB says how far the audio really goes. Headers are accepted only
    with a matching CRC-8 and fields consistent with STREAMINFO, and the largest position seen is
    used, so a stray sync pattern inside audio data can never make a complete file look cut.
    When STREAMINFO does not state the sample count (streamed encodes), that position is the length.
    """
    info = f.info
    rate = int(info.sample_rate or 0)
    total = int(getattr(info, "total_samples", 0) or 0)
    if not rate:
        return duration
    window = min(size, 262_144)
    with path.open("rb") as fh:
        fh.seek(size - window)
        tail = fh.read()
    reached = _flac_last_sample(tail, info)
    if reached is None:
        return duration
    if not total:
        return reached / rate
    missing = total - reached
    if missing > rate and missing > total * 0.02:
        raise MediaError(
            f"{path.name}: truncated FLAC (its header says {_clock(total / rate)} but the audio stops "
            f"at {_clock(reached / rate)}); export or download the episode again"
        )
    return duration


_FLAC_BLOCK = {1: 192, 2: 576, 3: 1152, 4: 2304, 5: 4608}
_FLAC_RATES = {1: 88200, 2: 176400, 3: 192000, 4: 8000, 5: 16000, 6: 22050, 7: 24000, 8: 32000,
               9: 44100, 10: 48000, 11: 96000}  # fmt: skip
_FLAC_BITS = {1: 8, 2: 12, 4: 16, 5: 20, 6: 24, 7: 32}


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _flac_last_sample(tail: bytes, info: Any) -> int | None:
    """The sample position just after the last frame whose header appears in `tail`, or None."""
    best: int | None = None
    fixed_block = info.max_blocksize if info.min_blocksize == info.max_blocksize else 0
    for sync in (b"\xff\xf8", b"\xff\xf9"):  # fixed and variable block size streams
        pos = tail.find(sync)
        while pos >= 0:
            end = _flac_frame_end(tail, pos, info, fixed_block)
            if end is not None and (best is None or end > best):
                best = end
            pos = tail.find(sync, pos + 1)
    return best


def _flac_frame_end(data: bytes, pos: int, info: Any, fixed_block: int) -> int | None:
    """Parse the FLAC frame header at `pos`; the sample position where that frame ends, or None."""
    if pos + 6 > len(data):
        return None
    variable = data[pos + 1] & 1
    block_code, rate_code = data[pos + 2] >> 4, data[pos + 2] & 0x0F
    channel_code, bits_code = data[pos + 3] >> 4, (data[pos + 3] >> 1) & 7
    if block_code == 0 or rate_code == 15 or channel_code > 10 or bits_code == 3 or data[pos + 3] & 1:
        return None
    channels = channel_code + 1 if channel_code < 8 else 2
    if channels != info.channels:
        return None
    if bits_code and _FLAC_BITS.get(bits_code) != info.bits_per_sample:
        return None
    if rate_code in _FLAC_RATES and _FLAC_RATES[rate_code] != info.sample_rate:
        return None
    # The frame or sample number, in UTF-8-like coding of up to 7 bytes.
    at = pos + 4
    first = data[at]
    if first < 0x80:
        extra, number = 0, first
    elif first >= 0xC0 and first != 0xFF:
        extra = 1
        while first & (0x40 >> extra) and extra < 6:
            extra += 1
        number = first & (0x3F >> extra)
    else:
        return None
    if at + 1 + extra > len(data):
        return None
    for b in data[at + 1 : at + 1 + extra]:
        if b & 0xC0 != 0x80:
            return None
        number = (number << 6) | (b & 0x3F)
    at += 1 + extra
    if block_code == 6:
        block, at = data[at] + 1 if at < len(data) else 0, at + 1
    elif block_code == 7:
        block, at = int.from_bytes(data[at : at + 2], "big") + 1, at + 2
    elif block_code in _FLAC_BLOCK:
        block = _FLAC_BLOCK[block_code]
    else:
        block = 256 << (block_code - 8)
    at += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if at >= len(data) or _crc8(data[pos:at]) != data[at]:
        return None
    if variable:
        start = number
    elif fixed_block:
        start = number * fixed_block
    else:
        return None
    total = int(getattr(info, "total_samples", 0) or 0)
    end = start + block
    if total and end > total + block:
        return None
    return end


def _pcm_check(path: Path, size: int, f: Any, duration: float, bitrate: int) -> None:
    """Refuse a WAV/AIFF whose data chunk claims much more audio than the file holds.

    PCM has a fixed bitrate, so the header's length implies a size; a copy or download that
    stopped early leaves the header promising audio that is not there.
    """
    if bitrate <= 0 or duration <= 0:
        return
    expected = duration * bitrate / 8
    if size < expected * 0.9:
        held = size * 8 / bitrate
        raise MediaError(
            f"{path.name}: truncated {_SUPPORTED[type(f).__name__]} (its header says "
            f"{_clock(duration)} but the file holds about {_clock(held)}); export the episode again"
        )


# ---- tags -------------------------------------------------------------------------------------


def _clean(values: Iterable[Any]) -> str | None:
    """Join a field's values as one string; see the module docstring for what is changed."""
    parts = [str(v).replace("\x00", "").strip() for v in values]
    return "; ".join(p for p in parts if p) or None


def _read_tags(f: Any) -> dict[str, str | None]:
    tags = f.tags
    if not tags:
        return {}
    if isinstance(tags, ID3):
        return _id3_tags(tags)
    kind = type(f).__name__
    if kind == "MP4":
        return {
            "title": _mp4_text(tags, "©nam"),
            "artist": _mp4_text(tags, "©ART") or _mp4_text(tags, "aART"),
            "album": _mp4_text(tags, "©alb"),
            "date": _mp4_text(tags, "©day"),
            "comment": _mp4_text(tags, "©cmt") or _mp4_text(tags, "desc") or _mp4_text(tags, "ldes"),
        }
    # Vorbis comments (Ogg Vorbis, Opus, FLAC): keys are case-insensitive lists of strings.
    return {
        "title": _clean(tags.get("title", ())),
        "artist": _clean(tags.get("artist", ())),
        "album": _clean(tags.get("album", ())),
        "date": _clean(tags.get("date", ())),
        "comment": _clean(tags.get("comment", ())) or _clean(tags.get("description", ())),
    }


def _mp4_text(tags: Any, key: str) -> str | None:
    values = tags.get(key)
    if not values:
        return None
    return _clean(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values)


def _id3_tags(tags: ID3) -> dict[str, str | None]:
    def text(key: str) -> str | None:
        frame = tags.get(key)
        return _clean(frame.text) if frame is not None and hasattr(frame, "text") else None

    return {
        "title": text("TIT2"),
        "artist": text("TPE1") or text("TPE2"),
        "album": text("TALB"),
        "date": text("TDRC") or text("TYER"),
        "comment": _id3_comment(tags) or text("TDES") or text("TXXX:comment") or text("TXXX:description"),
    }


def _id3_comment(tags: ID3) -> str | None:
    """The COMM frame a person wrote: the one without a description first, never iTunes' own.

    iTunes stores loudness and gapless data in COMM frames (`iTunNORM`, `iTunSMPB`) that must not
    end up in a feed as the episode's comment.
    """
    frames = [c for c in tags.getall("COMM") if not c.desc.lower().startswith(_ID3_ITUNES_COMMENTS)]
    frames.sort(key=lambda c: c.desc != "")
    for frame in frames:
        value = _clean(frame.text)
        if value:
            return value
    return None


# ---- chapters ---------------------------------------------------------------------------------


def _read_chapters(f: Any, warnings: list[str]) -> tuple[Chapter, ...]:
    tags = f.tags
    if isinstance(tags, ID3):
        return _id3_chapters(tags)
    if type(f).__name__ == "MP4":
        return tuple(
            Chapter(start=float(c.start), title=_clean([c.title]) or f"Chapter {i}")
            for i, c in enumerate(getattr(f, "chapters", None) or (), start=1)
        )
    if tags:
        return _vorbis_chapters(tags, warnings)
    return ()


def _id3_chapters(tags: ID3) -> tuple[Chapter, ...]:
    """CHAP frames in the order of the top-level CTOC (nested tables flattened), else by start time.

    A writer that forgets the top-level flag still means its one root table, so a CTOC that is
    no other table's child stands in for it.
    """
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    if not chaps:
        return ()
    tocs = {t.element_id: t for t in tags.getall("CTOC")}
    children = {c for t in tocs.values() for c in t.child_element_ids}
    top = next((t for t in tocs.values() if t.flags & CTOCFlags.TOP_LEVEL), None) or next(
        (t for t in tocs.values() if t.element_id not in children), None
    )
    order: list[str] = []
    if top is not None:
        seen: set[str] = set()

        def walk(toc: Any) -> None:
            for child in toc.child_element_ids:
                if child in seen:
                    continue  # a CTOC that lists itself or a parent
                seen.add(child)
                if child in chaps:
                    order.append(child)
                elif child in tocs:
                    walk(tocs[child])

        walk(top)
    if not order:
        order = sorted(chaps, key=lambda k: chaps[k].start_time)
    result = []
    for i, cid in enumerate(order, start=1):
        chap = chaps[cid]
        subs = chap.sub_frames
        title = _clean(subs["TIT2"].text) if "TIT2" in subs else None
        url = next((w.url for w in subs.getall("WXXX") if w.url), None)
        result.append(Chapter(start=chap.start_time / 1000, title=title or f"Chapter {i}", url=url))
    return tuple(result)


_VORBIS_CHAPTER = re.compile(r"^chapter(\d+)(name|url)?$", re.IGNORECASE)
_VORBIS_TIME = re.compile(r"^(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$")


def _vorbis_chapters(tags: Any, warnings: list[str]) -> tuple[Chapter, ...]:
    """The `CHAPTER001=00:01:02.345` / `CHAPTER001NAME=` / `CHAPTER001URL=` convention, by number."""
    starts: dict[int, str] = {}
    names: dict[int, str] = {}
    urls: dict[int, str] = {}
    for key, value in tags:
        m = _VORBIS_CHAPTER.match(key)
        if not m:
            continue
        number = int(m.group(1))
        target = {None: starts, "name": names, "url": urls}[m.group(2) and m.group(2).lower()]
        target.setdefault(number, value)
    result = []
    for number in sorted(starts):
        m = _VORBIS_TIME.match(starts[number].strip())
        if not m:
            warnings.append(f"chapter {number} ignored: bad start time {starts[number].strip()!r}")
            continue
        start = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        title = _clean([names.get(number, "")]) or f"Chapter {len(result) + 1}"
        result.append(Chapter(start=start, title=title, url=_clean([urls.get(number, "")])))
    return tuple(result)


# ---- cover ------------------------------------------------------------------------------------


def _cover_of(f: Any) -> tuple[bytes, str] | None:
    """The front cover (else the first picture) as bytes and a MIME type."""
    tags = f.tags
    pictures: list[tuple[int, str, bytes]] = []  # (picture type, declared mime, data)
    if isinstance(tags, ID3):
        pictures = [(a.type, a.mime, a.data) for a in tags.getall("APIC") if a.mime != "-->"]
    elif type(f).__name__ == "MP4":
        for c in (tags or {}).get("covr", ()):
            mime = {13: "image/jpeg", 14: "image/png"}.get(int(c.imageformat), "")
            pictures.append((3, mime, bytes(c)))
    else:
        pictures = [(p.type, p.mime, p.data) for p in getattr(f, "pictures", ())]
        for value in tags.get("metadata_block_picture", ()) if tags else ():
            try:
                p = Picture(base64.b64decode(value))
            except (binascii.Error, ValueError, mutagen.MutagenError):
                continue
            pictures.append((p.type, p.mime, p.data))
    pictures = [p for p in pictures if p[2]]
    if not pictures:
        return None
    _type, declared, data = next((p for p in pictures if p[0] == 3), pictures[0])
    return data, _image_mime(data, declared)


def _image_mime(data: bytes, declared: str) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    declared = declared.strip().lower()
    if declared in ("jpg", "jpeg", "image/jpg"):
        return "image/jpeg"
    if declared == "png":
        return "image/png"
    return declared if declared.startswith("image/") else "application/octet-stream"
