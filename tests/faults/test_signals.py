"""Ctrl-C, SIGTERM and kill -9 while podpub publishes or adds an episode.

SIGINT and SIGTERM run podpub's clean-ups (multipart uploads aborted, temp files removed, the show's
lock released) and exit 130 / 143 with one line. kill -9 runs nothing: the next podpub must clean up
after it (the orphan multipart upload aborted, the temp file in media/ removed) and finish the job.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import pytest

from podpub.showlock import LOCK_NAME
from tests.cli_helpers import Result
from tests.conftest import big_mp3
from tests.faultproxy import FaultProxy, upload_part
from tests.faults import proc
from tests.faults.conftest import PublishedFactory, assert_one_clear_error, temp_files
from tests.faults.test_store import MULTIPART
from tests.s3server import SeaweedFS


def hold_upload_part(proxy: FaultProxy, number: int) -> tuple[threading.Event, threading.Event]:
    """Hold part `number` of the first multipart upload in the proxy until `release` is set; `reached`
    is set when it arrives, so the test knows podpub is mid-upload."""
    reached, release = threading.Event(), threading.Event()

    def hook(record: object) -> None:
        if upload_part(number)(record) and not reached.is_set():  # type: ignore[arg-type]
            reached.set()
            release.wait(60)

    proxy.on_request = hook
    return reached, release


@pytest.mark.parametrize(
    ("sig", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")]
)
def test_sigint_and_sigterm_during_a_multipart_upload(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path,
    sig: int, code: int, word: str,
) -> None:  # fmt: skip
    state = published(seaweedfs, fault_proxy, bucket, **MULTIPART)
    state.add(big_mp3(tmp_path / "big.mp3", 12))
    reached, release = hold_upload_part(fault_proxy, 2)
    child = proc.spawn("-C", str(state.show), "publish")
    try:
        proc.wait_until(reached.is_set, child, what="publish reaching part 2")
        child.send_signal(sig)
        release.set()
        out, err = child.communicate(timeout=60)
    finally:
        release.set()
        fault_proxy.on_request = None
        proc.kill_and_reap(child)
    assert child.returncode == code, err
    assert_one_clear_error(Result(child.returncode, out, err), word, "previous feed is still live")
    assert state.live_feed() == state.feed_before
    state.assert_feed_servable()
    assert state.multipart_uploads() == []  # aborted on the way out
    assert temp_files(state.show) == []
    assert not (state.show / LOCK_NAME).exists()  # released

    fault_proxy.reset()
    uploaded = state.uploaded(state.publish())
    assert [k for k in uploaded if k.startswith("media/")] == [next(iter(state.keys("media/big")))]
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()


def test_kill_9_during_a_multipart_upload(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path
) -> None:
    state = published(seaweedfs, fault_proxy, bucket, **MULTIPART)
    state.add(big_mp3(tmp_path / "big.mp3", 12))
    reached, release = hold_upload_part(fault_proxy, 2)
    child = proc.spawn("-C", str(state.show), "publish")
    try:
        proc.wait_until(reached.is_set, child, what="publish reaching part 2")
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        release.set()
        fault_proxy.on_request = None
        proc.kill_and_reap(child)
    assert child.returncode == -signal.SIGKILL
    assert state.live_feed() == state.feed_before
    state.assert_feed_servable()
    assert len(state.multipart_uploads()) == 1  # nothing could abort it
    held = json.loads((state.show / LOCK_NAME).read_text())
    assert held == {"pid": child.pid, "command": "publish"}  # the dead holder's record; the flock died with it

    fault_proxy.reset()
    result = state.publish()
    uploaded = state.uploaded(result)
    assert [k for k in uploaded if k.startswith("media/")] == [next(iter(state.keys("media/big")))]
    assert set(state.assert_feed_servable()) == set(state.guids)
    state.assert_no_leftovers()  # the orphan multipart upload was aborted before the file was sent again
    assert not (state.show / LOCK_NAME).exists()


def test_kill_9_during_add_leaves_no_half_copied_audio(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path
) -> None:
    state = published(seaweedfs, fault_proxy, bucket)
    (tmp_path / "incoming").mkdir()
    audio = big_mp3(tmp_path / "incoming" / "long-interview.mp3", 3)
    media_before = sorted(p.name for p in (state.show / "media").iterdir())
    episodes_before = sorted(p.name for p in (state.show / "episodes").iterdir())
    child, pipe = proc.spawn_paused_before_media_rename("-C", str(state.show), "add", str(audio))
    try:
        assert proc.wait_for_line(pipe, child) == "paused"
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        proc.kill_and_reap(child)
    left = temp_files(state.show)
    assert [p.parent.name for p in left] == ["media"]  # the complete copy, never renamed into place
    assert sorted(p.name for p in (state.show / "media").iterdir() if p not in left) == media_before
    assert sorted(p.name for p in (state.show / "episodes").iterdir()) == episodes_before

    result = state.run("add", "--json", "--date", "2026-02-01T00:00:00Z", str(audio))
    assert result.code == 0, result.err
    assert "removed 1 temporary file(s)" in result.err and f"pid {child.pid}" in result.err
    assert temp_files(state.show) == []
    assert sorted(p.name for p in (state.show / "media").iterdir()) == sorted([*media_before, "long-interview.mp3"])
    assert (state.show / "media" / "long-interview.mp3").read_bytes() == audio.read_bytes()
    state.guids.append(json.loads(result.out)[0]["guid"])
    assert state.publish().code == 0
    assert set(state.assert_feed_servable()) == set(state.guids)


def test_sigterm_runs_the_same_clean_up_as_ctrl_c_for_add(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path
) -> None:
    """SIGTERM while `add` is about to put the copied audio in place: the temp copy is removed, no episode
    file is written, and the show is as before (no clean-up left for the next run)."""
    state = published(seaweedfs, fault_proxy, bucket)
    (tmp_path / "incoming").mkdir()
    audio = big_mp3(tmp_path / "incoming" / "second.mp3", 2)
    before = sorted(str(p.relative_to(state.show)) for p in state.show.rglob("*") if p.is_file())
    child, pipe = proc.spawn_paused_before_media_rename("-C", str(state.show), "add", str(audio))
    try:
        assert proc.wait_for_line(pipe, child) == "paused"
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        proc.kill_and_reap(child)
    assert child.returncode == 143, err
    assert_one_clear_error(Result(child.returncode, out, err), "stopped by SIGTERM")
    after = sorted(str(p.relative_to(state.show)) for p in state.show.rglob("*") if p.is_file())
    assert after == before, (set(after) ^ set(before), err)
