"""Two podpub processes in one show folder: the second waits (bounded) or stops with a clear message.

A real publish is held mid-way by the proxy (its first S3 request waits for the test), so the first
process provably holds the show's lock while the second one starts.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from podpub.showlock import LOCK_NAME, show_lock
from tests.cli_helpers import Result
from tests.conftest import FIXTURES
from tests.faultproxy import FaultProxy
from tests.faults import proc
from tests.faults.conftest import PublishedFactory, assert_one_clear_error
from tests.network.test_workspace import workspace  # noqa: F401 - fixture: two shows in a workspace
from tests.s3server import SeaweedFS


def hold_first_request(proxy: FaultProxy) -> tuple[threading.Event, threading.Event]:
    reached, release = threading.Event(), threading.Event()

    def hook(record: object) -> None:
        if not reached.is_set():
            reached.set()
            release.wait(60)

    proxy.on_request = hook
    return reached, release


def test_a_second_podpub_waits_for_the_first_or_says_who_holds_the_show(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path
) -> None:
    state = published(seaweedfs, fault_proxy, bucket)
    state.add(FIXTURES / "vorbis.ogg")
    reached, release = hold_first_request(fault_proxy)
    first = proc.spawn("-C", str(state.show), "publish")
    waiting_log = tmp_path / "second.err"
    second = None
    try:
        proc.wait_until(reached.is_set, first, what="the publish reaching the store")  # it holds the lock now

        refused = proc.run("-C", str(state.show), "add", str(FIXTURES / "opus.opus"), env={"PODPUB_LOCK_WAIT": "0"})
        assert refused.returncode == 1
        line = assert_one_clear_error(
            Result(refused.returncode, refused.stdout, refused.stderr),
            f"another podpub (pid {first.pid}, `publish`) is working in this show", f"kill {first.pid}",
        )  # fmt: skip
        assert str(state.show) in line
        assert len(list((state.show / "episodes").iterdir())) == 2  # the refused add wrote nothing

        with open(waiting_log, "w") as log:
            second = proc.spawn(
                "-C", str(state.show), "add", "--json", "--date", "2026-03-01T00:00:00Z", str(FIXTURES / "opus.opus"),
                env={"PODPUB_LOCK_WAIT": "60"}, stderr=log,
            )  # fmt: skip
        proc.wait_until(lambda: "waiting up to 60 s" in waiting_log.read_text(), second, what="the second add waiting")
        assert second.poll() is None
        release.set()
        _, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        added, _ = second.communicate(timeout=60)
        assert second.returncode == 0, waiting_log.read_text()
    finally:
        release.set()
        fault_proxy.on_request = None
        proc.kill_and_reap(first)
        if second is not None:
            proc.kill_and_reap(second)
    assert f"another podpub (pid {first.pid}, `publish`)" in waiting_log.read_text()
    assert len(json.loads(added)) == 1 and len(list((state.show / "episodes").iterdir())) == 3
    assert not (state.show / LOCK_NAME).exists()
    assert set(state.assert_feed_servable()) == set(state.guids)  # the first publish finished normally


@pytest.mark.parametrize("command", ["build", "publish", "add"])
def test_every_writing_command_takes_the_lock(show_dir: Path, tmp_path: Path, command: str) -> None:
    """Held by this process (as another podpub would), the lock stops build, publish and add at once."""
    args = {"build": ["build"], "publish": ["publish", "--to", str(tmp_path / "www")],
            "add": ["add", str(FIXTURES / "cbr.mp3")]}[command]  # fmt: skip
    with show_lock(show_dir, "serve"):
        result = proc.run("-C", str(show_dir), *args, env={"PODPUB_LOCK_WAIT": "0"})
        assert result.returncode == 1, result.stderr
        assert "`serve`) is working in this show" in result.stderr
    assert not (tmp_path / "www").exists() and not (show_dir / "public").exists()
    assert proc.run("-C", str(show_dir), *args).returncode == 0
    assert not (show_dir / LOCK_NAME).exists()


def test_import_into_a_new_folder_takes_the_lock_and_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    target = tmp_path / "new-show"
    result = proc.run("import", str(tmp_path / "no-such-feed.xml"), str(target))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert not target.exists()  # the folder (and .podpub/) the lock created were taken back


def test_a_workspace_run_takes_every_selected_show_s_lock(workspace: Path) -> None:  # noqa: F811
    """`--all` locks each show it touches (and the workspace's own files); other shows stay free."""
    with show_lock(workspace / "cafe", "add"):
        every = proc.run("-C", str(workspace), "build", "--all", env={"PODPUB_LOCK_WAIT": "0"})
        assert every.returncode == 1
        assert f"{workspace / 'cafe'}: another podpub (pid {os.getpid()}, `add`)" in every.stderr
        assert not (workspace / "les-ecoles" / "public").exists()  # nothing built while a show was busy
        one = proc.run("-C", str(workspace), "build", "--show", "les-ecoles", env={"PODPUB_LOCK_WAIT": "0"})
        assert one.returncode == 0, one.stderr
    assert proc.run("-C", str(workspace), "build", "--all").returncode == 0
    assert list(workspace.rglob("lock")) == []
