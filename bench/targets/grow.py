"""Target 8: add one episode to a 10,000-episode show and publish it, to a local folder target.

Setup (not timed): a 10,000-episode show (showgen), published once to a folder. Then, each step
timed as the producer runs it (the CLI in a child process):
  add       `podpub add new.mp3` (a 30 min MP3 with tags and cover, no Xing header: probe walks its frames);
  publish   `podpub publish --to FOLDER`;
  upload    the new audio's own transfer to that target: a copy of the same file into the target folder,
            fsynced (what the folder target does per file); the target allows this on top of 3 s.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter

from showgen import cover_jpeg, make_show, mp3_body, write_tagged_mp3

from targets.common import Context, Row, run_child, secs, timed


def copy_fsync(source: os.PathLike[str], dest: os.PathLike[str]) -> None:
    with open(source, "rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, 1024 * 1024)
        out.flush()
        os.fsync(out.fileno())


def target_8(ctx: Context) -> Row:
    n = ctx.sizes.add_show
    root, target = ctx.work / "show-grow", ctx.work / "grow-target"
    seconds, _ = timed(lambda: make_show(root, n, xing=True))
    ctx.log(f"8: made a {n}-episode show in {secs(seconds)}")
    podpub = [sys.executable, "-m", "podpub", "-q", "-C", str(root)]
    first = run_child([*podpub, "publish", "--to", str(target)])
    feed = target / "feed.xml"
    items_before = feed.read_bytes().count(b"<item>")
    ctx.log(f"8: first publish of {n} episodes to a folder {secs(first.seconds)} (setup, not compared)")

    new = ctx.dir("grow-incoming") / "new-episode.mp3"
    write_tagged_mp3(new, mp3_body(ctx.sizes.add_seconds, xing=False), n, cover_jpeg())
    upload, _ = timed(lambda: copy_fsync(new, target / "upload-probe.mp3"))
    (target / "upload-probe.mp3").unlink()

    add = run_child([*ctx.podpub_cmd("target8-add"), "-q", "-C", str(root), "add", str(new)])
    publish = run_child(
        [*ctx.podpub_cmd("target8-publish"), "-q", "-C", str(root), "publish", "--to", str(target), "--json"]
    )
    written = json.loads(publish.stdout)
    kinds = Counter(key.split("/", 1)[0] for key in written["uploaded"])
    ctx.log(
        f"8: the publish wrote {len(written['uploaded'])} file(s) to the target ({dict(kinds)}), "
        f"{written['skipped']} unchanged, in {secs(float(written['seconds']))} of sync.execute"
    )
    ctx.print_child_profiles()
    items_after = feed.read_bytes().count(b"<item>")
    if items_after != items_before + 1:
        raise RuntimeError(f"the feed has {items_after} items after the publish, {items_before} before")
    if ctx.profile:
        ctx.note("8: with --profile the add and publish times are inflated by cProfile")
    total = add.seconds + publish.seconds
    allowed = 3.0 + upload
    ctx.log(
        f"8: add {secs(add.seconds)}, publish {secs(publish.seconds)}, the new audio's own upload "
        f"{secs(upload)} ({new.stat().st_size / 1e6:.0f} MB copied + fsync)"
    )
    return Row(
        "8",
        f"add one episode to a {n:,}-episode show and publish it (folder target)",
        podpub=f"{secs(total)} (add {secs(add.seconds)} + publish {secs(publish.seconds)})",
        baseline=f"upload of the new audio {secs(upload)}",
        ratio=f"{secs(total - upload)} over the upload",
        target="≤ 3 s + the upload",
        met=total <= allowed,
    )


TARGETS = [("8", "add one episode to a 10,000-episode show and publish it", target_8)]
