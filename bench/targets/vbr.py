"""Target 3: the exact duration of a 1 h VBR MP3 without Xing header, podpub's probe against ffprobe.

The file is the frames of the committed 10 s VBR fixture repeated (bench_probe.make_long_vbr), so only a
walk over every frame gives its real length: mutagen's estimate is 6525 s for 3701 s of audio. The
baseline counts every packet (`ffprobe -count_packets`), the way a producer gets the exact figure
today. Both best of 3, page cache warm. Skipped (with a note) when ffprobe is not installed.
"""

from __future__ import annotations

import shutil

import mutagen
from bench_probe import make_long_vbr

from podpub.episodes.probe import probe
from targets.common import Context, Row, run_child, secs, timed, times

FFPROBE = ["-v", "error", "-count_packets", "-select_streams", "a:0"]
FFPROBE += ["-show_entries", "stream=nb_read_packets,sample_rate", "-of", "csv=p=0"]
SAMPLES_PER_FRAME = 1152  # MPEG-1 Layer III


def target_3(ctx: Context) -> Row:
    path = make_long_vbr(ctx.dir("vbr") / "long_vbr_noxing.mp3", ctx.sizes.vbr_copies)
    path.read_bytes()  # page cache warm for both
    best, info = float("inf"), None
    for _ in range(max(3, ctx.sizes.repeats)):
        seconds, info = timed(lambda: probe(path))
        best = min(best, seconds)
    assert info is not None
    if ctx.profile:
        ctx.profiled("target3-probe", lambda: probe(path))
    hours = info.duration / 3600
    per_hour = best / hours
    estimate = mutagen.File(path).info.length
    ctx.log(
        f"3: {path.stat().st_size / 1e6:.0f} MB, podpub {secs(best)} for {info.duration:.2f} s of audio "
        f"(exact: {info.exact_duration}; mutagen estimates {estimate:.2f} s)"
    )
    what = f"exact duration, VBR MP3 without Xing, {info.duration / 60:.0f} min"
    row = Row("3", what, podpub=f"{secs(best)} ({per_hour:.3f} s/h)", target="≤ 0.2 s/h, faster than ffprobe")
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        row.note = "ffprobe not installed: baseline skipped"
        row.baseline = "skipped (no ffprobe)"
        return row
    runs = [run_child([ffprobe, *FFPROBE, str(path)], timeout=120) for _ in range(max(3, ctx.sizes.repeats))]
    theirs = min(r.seconds for r in runs)
    rate, packets = (int(x) for x in runs[0].stdout.strip().split(",")[:2])  # ffprobe's order: sample_rate first
    theirs_duration = packets * SAMPLES_PER_FRAME / rate
    ctx.log(f"3: ffprobe -count_packets {secs(theirs)}: {packets} packets = {theirs_duration:.2f} s")
    if abs(theirs_duration - info.duration) > 0.1:
        ctx.note(f"3: durations differ: podpub {info.duration:.3f} s, ffprobe's packets {theirs_duration:.3f} s")
    row.baseline = f"{secs(theirs)} (ffprobe -count_packets)"
    row.ratio = times(best / theirs)
    row.met = per_hour <= 0.2 and best < theirs
    return row


TARGETS = [("3", "exact duration of a 1 h VBR MP3 without Xing", target_3)]
