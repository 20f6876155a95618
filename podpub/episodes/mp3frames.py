"""Exact MP3 durations by walking the MPEG audio frames, and the Xing/Info/VBRI header.

An MP3 without a Xing/Info/VBRI header says nothing about its length: mutagen, tinytag and ffprobe
all guess it from the bitrate of the first frames, and a VBR file that opens on silence comes out
nearly twice its real length. Every frame header carries its own size and sample count, so walking
the headers (never decoding) gives the exact duration in a few milliseconds per minute of audio.

The same walk settles whether a file with a Xing header was cut short: the header states how many
frames and bytes the encoder wrote, and mutagen believes it even when most of the file is gone.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Bitrates in kbit/s by (MPEG-1 or not, layer) and the 4-bit index; 0 (free format) and 15 are invalid.
_BITRATES: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
}
# Sample rates by the 2-bit version id (0 = MPEG-2.5, 2 = MPEG-2, 3 = MPEG-1; 1 is reserved).
_SAMPLE_RATES: dict[int, tuple[int, int, int]] = {
    0: (11025, 12000, 8000),
    2: (22050, 24000, 16000),
    3: (44100, 48000, 32000),
}

# Bits of header bytes 1-2 that must not change from one frame to the next inside one stream:
# sync, version, layer and sample rate. Bitrate, padding and the private bit may.
_STREAM_MASK = 0xFE0C
# How many frames in a row, each starting exactly where the previous one ends, make a stream: a
# lone 0xFFE? pair is common in ID3v1/APE tails, cover art and junk; three chained headers are not.
_CHAIN = 3
# What may follow the last frame of a stream: ID3v1, APEv2, an appended ID3v2 tag, Lyrics3.
_TAG_STARTS = (b"TAG", b"APE", b"ID3", b"LYR")


def _build_tables() -> tuple[list[int], list[int], list[int]]:
    """Frame length (without padding), samples per frame and sample rate for header bytes 1-2.

    Indexing flat lists by the 16-bit value of header bytes 1-2 keeps the per-frame work of the
    walk to a handful of list lookups, which is what makes a one-hour file take milliseconds.
    """
    lengths = [0] * 65536
    samples = [0] * 65536
    rates = [0] * 65536
    for key in range(65536):
        b1, b2 = key >> 8, key & 0xFF
        if b1 & 0xE0 != 0xE0:
            continue
        version = (b1 >> 3) & 3
        layer = 4 - ((b1 >> 1) & 3)
        if version == 1 or layer == 4:
            continue
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
        if rate_index == 3:
            continue
        kbps = _BITRATES[(version == 3, layer)][bitrate_index]
        if kbps == 0:
            continue
        rate = _SAMPLE_RATES[version][rate_index]
        bps = kbps * 1000
        if layer == 1:
            spf, slot = 384, 4
            length = (12 * bps // rate) * slot
        else:
            spf = 576 if (layer == 3 and version != 3) else 1152
            slot = 1
            length = spf // 8 * bps // rate
        pad = slot if (b2 >> 1) & 1 else 0
        lengths[key] = length + pad
        samples[key] = spf
        rates[key] = rate
    return lengths, samples, rates


_LENGTHS, _SAMPLES, _RATES = _build_tables()


@dataclass(frozen=True)
class FrameScan:
    """The result of walking the frames of an MP3 from a start offset to the end of the file."""

    frames: int  # frames counted (each fully present and part of a chain of valid headers)
    seconds: float  # sum of samples/sample rate over the counted frames
    sample_rate: int  # of the first counted frame (0 when none)
    first_offset: int  # where the first counted frame starts (-1 when none)
    end_offset: int  # where the last counted frame ends
    audio_bytes: int  # bytes inside counted frames
    min_bitrate: int  # bit/s; equal to max_bitrate for a CBR stream
    max_bitrate: int

    @property
    def variable_bitrate(self) -> bool:
        return self.min_bitrate != self.max_bitrate


@dataclass(frozen=True)
class VbrHeader:
    """The Xing/Info (LAME) or VBRI (Fraunhofer) header in the first frame of an MP3."""

    kind: str  # "Xing", "Info" or "VBRI"
    frames: int | None  # audio frames the encoder wrote, not counting the header frame
    bytes: int | None  # bytes of the MPEG stream, header frame included
    header_frame_length: int  # length of the frame that carries the header


def _header_key(data: bytes | mmap.mmap, pos: int) -> int:
    return (data[pos + 1] << 8) | data[pos + 2]


def _chained(data: bytes | mmap.mmap, pos: int, size: int, want: int) -> bool:
    """True when `want` valid, same-stream frame headers follow each other from `pos`.

    Running into the exact end of the data after at least one frame also counts: a stream of
    one or two frames at the very end is still a stream.
    """
    ref = _header_key(data, pos) & _STREAM_MASK
    for _ in range(want):
        if pos == size:
            return True
        if pos + 4 > size or data[pos] != 0xFF:
            return False
        key = _header_key(data, pos)
        length = _LENGTHS[key]
        if not length or key & _STREAM_MASK != ref or pos + length > size:
            return False
        pos += length
    return True


def scan_frames(path: Path, start: int = 0) -> FrameScan:
    """Walk MPEG audio frames of `path` from byte `start` (the first frame, after any ID3v2 tag).

    Frames are counted only while each header is valid, belongs to the same stream as the one
    before (version, layer, sample rate) and the frame fits in the file. When the chain breaks
    (junk, an ID3v1 or APE tag, a damaged region) the walk searches for the next 0xFF byte and
    resumes only where `_CHAIN` headers follow each other, so tag tails never count as audio and a
    damaged middle does not end the count. A frame cut off by the end of the file is not counted.
    """
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        if size <= start + 4:
            return FrameScan(0, 0.0, 0, -1, start, 0, 0, 0)
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _walk(data, start, size)


def _walk(data: mmap.mmap, start: int, size: int) -> FrameScan:
    lengths, samples_of, rates = _LENGTHS, _SAMPLES, _RATES
    pos = start
    frames = 0
    seconds = 0.0
    audio_bytes = 0
    first = -1
    end = start
    sample_rate = 0
    bitrate_indexes: set[int] = set()
    limit = size - 4
    while pos <= limit:
        # Not synced: find the next candidate header that starts a chain.
        if data[pos] != 0xFF or not _chained(data, pos, size, _CHAIN):
            pos = data.find(b"\xff", pos + 1)
            if pos < 0:
                break
            continue
        key = _header_key(data, pos)
        ref = key & _STREAM_MASK
        spf, rate = samples_of[key], rates[key]
        run_start = pos
        run = 0
        length = lengths[key]
        # Synced: the hot loop. The frame at `pos` counts once the next valid header of the same
        # stream is seen, so each step reads three bytes and a few table entries.
        while pos + length <= size:
            nxt = pos + length
            if nxt <= limit and data[nxt] == 0xFF:
                following_key = (data[nxt + 1] << 8) | data[nxt + 2]
                following = lengths[following_key]
                if following and following_key & _STREAM_MASK == ref:
                    bitrate_indexes.add(key & 0xF0)
                    run += 1
                    pos, key, length = nxt, following_key, following
                    continue
            # The chain ends after this frame. It is audio only if the file or a tag starts right
            # after it: a valid-looking header followed by garbage is junk that happened to sync.
            if nxt == size or data[nxt : nxt + 3] in _TAG_STARTS:
                bitrate_indexes.add(key & 0xF0)
                run += 1
                pos = nxt
            break
        # `pos` is now the end of the last counted frame (the start of any uncounted one).
        if run:
            if first < 0:
                first, sample_rate = run_start, rate
            frames += run
            seconds += run * spf / rate
            audio_bytes += pos - run_start
            end = pos
        else:  # cannot happen after a successful _chained(); never loop on the same byte
            pos = data.find(b"\xff", pos + 1)
            if pos < 0:
                break
    if not frames:
        return FrameScan(0, 0.0, 0, -1, start, 0, 0, 0)
    bitrates = _bitrates_of(data, first, bitrate_indexes)
    return FrameScan(frames, seconds, sample_rate, first, end, audio_bytes, min(bitrates), max(bitrates))


def _bitrates_of(data: mmap.mmap, first: int, indexes: set[int]) -> list[int]:
    """Bit rates in bit/s for the bitrate indexes seen, using the first frame's version and layer."""
    b1 = data[first + 1]
    mpeg1 = (b1 >> 3) & 3 == 3
    layer = 4 - ((b1 >> 1) & 3)
    table = _BITRATES[(mpeg1, layer)]
    return [table[i >> 4] * 1000 for i in indexes] or [0]


def read_vbr_header(source: Path | BinaryIO, frame_offset: int) -> VbrHeader | None:
    """The Xing/Info or VBRI header in the frame at `frame_offset`, or None when there is none.

    Read here rather than through mutagen because mutagen keeps only the length it derives from the
    header, and the frame and byte counts are what reveal a truncated file.
    """
    if isinstance(source, Path):
        with source.open("rb") as fh:
            return read_vbr_header(fh, frame_offset)
    source.seek(frame_offset)
    head = source.read(200)
    if len(head) < 4 or head[0] != 0xFF:
        return None
    key = (head[1] << 8) | head[2]
    frame_length = _LENGTHS[key]
    if not frame_length:
        return None
    mpeg1 = (head[1] >> 3) & 3 == 3
    mono = head[3] >> 6 == 3
    side_info = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    xing_at = 4 + side_info
    tag = head[xing_at : xing_at + 4]
    if tag in (b"Xing", b"Info") and len(head) >= xing_at + 8:
        flags = int.from_bytes(head[xing_at + 4 : xing_at + 8], "big")
        at = xing_at + 8
        frames = count = None
        if flags & 1 and len(head) >= at + 4:
            frames = int.from_bytes(head[at : at + 4], "big")
            at += 4
        if flags & 2 and len(head) >= at + 4:
            count = int.from_bytes(head[at : at + 4], "big")
        return VbrHeader(tag.decode("ascii"), frames, count, frame_length)
    if head[36:40] == b"VBRI" and len(head) >= 54:
        count = int.from_bytes(head[46:50], "big")
        frames = int.from_bytes(head[50:54], "big")
        return VbrHeader("VBRI", frames, count, frame_length)
    return None
