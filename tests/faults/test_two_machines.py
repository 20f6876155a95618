"""Two copies of one show (two machines) publishing to one bucket at the same moment.

The race is made exact: the proxy holds machine A's claim of the next manifest generation until
machine B has published completely, so B wins and A's claim arrives second. A must stop with a clear
conflict, nothing may be lost (A's audio stays on the store, B's episode stays live), no feed may ever
list an episode whose audio is missing, and A succeeds on a re-run once it has B's episode file.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from tests.cli_helpers import Result
from tests.conftest import FIXTURES
from tests.faultproxy import FaultProxy, key_contains
from tests.faults import proc
from tests.faults.conftest import Published, PublishedFactory, assert_one_clear_error
from tests.s3server import SeaweedFS


def test_the_loser_of_a_race_gets_a_clear_conflict_and_succeeds_on_rerun(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path
) -> None:
    machine_a = published(seaweedfs, fault_proxy, bucket)
    b_root = tmp_path / "machine-b"
    shutil.copytree(machine_a.show, b_root, ignore=shutil.ignore_patterns("public", ".podpub"))  # a git clone
    machine_b = Published(b_root, bucket, seaweedfs, fault_proxy, machine_a.capsys, guids=list(machine_a.guids))
    guid_a = machine_a.add(FIXTURES / "vorbis.ogg", date="2026-02-01T00:00:00Z")
    guid_b = machine_b.add(FIXTURES / "opus.opus", date="2026-02-02T00:00:00Z")

    claim = key_contains("/.podpub/manifests/00000002.json", "PUT")
    held, release = threading.Event(), threading.Event()

    def hold_first_claim(record: object) -> None:
        if claim(record) and not held.is_set():  # type: ignore[arg-type]
            held.set()
            release.wait(60)

    fault_proxy.on_request = hold_first_claim
    child_a = proc.spawn("-C", str(machine_a.show), "publish", "--json")
    try:
        proc.wait_until(held.is_set, child_a, what="machine A claiming generation 2")  # its audio is up
        won = machine_b.publish()  # B, all the way through, while A waits at its claim
        assert won.code == 0, won.err
        machine_b.assert_feed_servable()
        release.set()
        out, err = child_a.communicate(timeout=60)
    finally:
        release.set()
        fault_proxy.on_request = None
        proc.kill_and_reap(child_a)
    lost = Result(child_a.returncode, out, err)
    assert_one_clear_error(lost, "another publish of this show got there first", "nothing was lost")
    assert lost.code == 1

    live = set(machine_b.assert_feed_servable())  # B's feed, every enclosure there
    assert live == {*machine_a.guids[:1], guid_b}
    a_audio = [k for k in machine_a.keys("media/") if k.startswith("media/vorbis")]
    assert len(a_audio) == 1  # A's upload was kept on the store

    # A publishes again: the live feed has B's episode, which A has no file for. A must not drop it.
    rerun = machine_a.publish()
    assert_one_clear_error(rerun, "no file for", guid_b, "bring their episode files here")
    assert set(machine_b.assert_feed_servable()) == live

    # After a `git pull` (B's episode file and audio copied over), A's re-run publishes both.
    for folder in ("episodes", "media"):
        for path in (b_root / folder).iterdir():
            if not (machine_a.show / folder / path.name).exists():
                shutil.copy2(path, machine_a.show / folder / path.name)
    fault_proxy.reset()
    final = machine_a.publish()
    uploaded = machine_a.uploaded(final)
    assert [k for k in uploaded if k.startswith("media/")] == a_audio  # B's audio is live already: not sent again
    assert set(machine_a.assert_feed_servable()) == {*machine_a.guids[:1], guid_a, guid_b}
    machine_a.assert_no_leftovers()
