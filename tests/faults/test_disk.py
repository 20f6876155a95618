"""The local disk fills up while podpub copies audio in, builds the site or downloads an import.

The show lives on a 1 MiB tmpfs when this machine lets the test mount one (root on Linux); elsewhere
podpub runs with RLIMIT_FSIZE, so any write past 1 MiB fails with EFBIG (SIGXFSZ ignored, as a shell
would for a job it limits). Either way podpub must report one line, leave no temp file, and leave every
file it had completed as it was.
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_helpers import Result
from tests.conftest import FIXTURES, big_mp3, write_show
from tests.faults import proc
from tests.faults.conftest import assert_one_clear_error, temp_files
from tests.importer.server import FeedServer, Route
from tests.importer.test_hostile import item, rss

LIMIT = 1024 * 1024
FULL = ("no space left on device", "file too large")  # tmpfs full (ENOSPC), or past RLIMIT_FSIZE (EFBIG)


@dataclass
class SmallDisk:
    root: Path
    kind: str  # "tmpfs" or "rlimit"
    limit: int | None = LIMIT

    def preexec(self) -> Callable[[], None] | None:
        """For the child podpub: the write limit (rlimit mode), nothing on a real small disk."""
        if self.kind != "rlimit" or self.limit is None:
            return None
        limit = self.limit

        def apply() -> None:  # pragma: no cover - runs in the child between fork and exec
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return apply

    def fill(self, leave: int) -> None:
        """Take all but `leave` bytes of the tmpfs (rlimit mode: every write over the limit fails already)."""
        if self.kind != "tmpfs":
            return
        free = shutil.disk_usage(self.root).free
        with open(self.root / "filler", "wb") as handle:
            handle.write(b"\0" * max(0, free - leave))

    def grow(self) -> None:
        """Free space again: a bigger tmpfs, or no limit."""
        if self.kind == "tmpfs":
            with contextlib.suppress(FileNotFoundError):
                (self.root / "filler").unlink()
            subprocess.run(["mount", "-o", "remount,size=16m", str(self.root)], check=True, capture_output=True)
        self.limit = None

    def run(self, *args: str) -> Result:
        done = proc.run(*args, preexec=self.preexec())
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(params=["tmpfs", "rlimit"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SmallDisk]:
    """Both kinds where the machine allows a mount; the write limit alone elsewhere."""
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    if request.param == "rlimit":
        yield SmallDisk(mount_point, "rlimit")
        return
    mount = ["mount", "-t", "tmpfs", "-o", f"size={LIMIT},mode=0755", "tmpfs", str(mount_point)]
    if not shutil.which("mount") or subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?); the rlimit variant covers a full disk")
    try:
        yield SmallDisk(mount_point, "tmpfs")
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_disk_full_while_add_copies_the_audio(small_disk: SmallDisk, tmp_path: Path) -> None:
    show = write_show(small_disk.root / "show")
    audio = big_mp3(tmp_path / "interview.mp3", 3)  # bigger than the disk, or than the write limit
    before = files(show)
    result = small_disk.run("-C", str(show), "add", str(audio))
    assert result.code == 1, result.err
    assert_one_clear_error(result, "cannot copy interview.mp3 into the show", "free some space")
    assert any(reason in result.err.lower() for reason in FULL), result.err
    assert files(show) == before  # no episode file, no partial audio, no temp file
    small_disk.grow()
    assert small_disk.run("-C", str(show), "add", str(audio)).code == 0
    assert (show / "media" / "interview.mp3").read_bytes() == audio.read_bytes()


def test_disk_full_while_building_keeps_the_previous_build(small_disk: SmallDisk) -> None:
    show = write_show(small_disk.root / "show")
    for name, date in (("cbr.mp3", "2026-01-01T00:00:00Z"), ("vorbis.ogg", "2026-02-01T00:00:00Z")):
        if name == "vorbis.ogg":
            first = proc.run("-C", str(show), "build")  # a build of the first episode, with room to spare
            assert first.returncode == 0, first.stderr
        assert proc.run("-C", str(show), "add", "--date", date, str(FIXTURES / name)).returncode == 0
    built = files(show / "public")
    small_disk.fill(leave=8 * 1024)  # tmpfs: 8 KiB left
    small_disk.limit = 1024  # rlimit: no file may grow past 1 KiB (the new feed is bigger)
    result = small_disk.run("-C", str(show), "build")
    assert_one_clear_error(result, "free some space")
    assert any(reason in result.err.lower() for reason in FULL), result.err
    assert temp_files(show) == []
    assert files(show / "public")["feed.xml"] == built["feed.xml"]  # the previous feed, whole
    small_disk.grow()
    again = small_disk.run("-C", str(show), "build")
    assert again.code == 0, again.err
    assert (show / "public" / "feed.xml").read_bytes().count(b"<item>") == 2


def test_disk_full_while_importing_a_download(small_disk: SmallDisk) -> None:
    audio = (FIXTURES / "cbr_noxing.mp3").read_bytes() * 80  # ~3 MiB
    show = small_disk.root / "show"
    with FeedServer() as server:
        server.add("/ep.mp3", Route(audio, "audio/mpeg", etag='"v1"'))
        feed = server.add("/feed.xml", Route(rss(item("ep-1", server.url("/ep.mp3"), length=len(audio))),
                                             "application/rss+xml"))  # fmt: skip
        result = small_disk.run("-q", "import", feed, str(show), "--base-url", "https://cdn.example.org/show/")
        assert result.code == 1, result.err
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in result.err, result.err
        assert "cannot write" in lines[0] and "free some space" in lines[0], lines[0]
        assert any(reason in lines[0].lower() for reason in FULL), lines[0]
        assert list((show / "media").iterdir()) == [] and list((show / "episodes").iterdir()) == []
        assert temp_files(show) == []
        small_disk.grow()
        again = small_disk.run("import", feed, str(show))
        assert again.code == 0, again.err
    [media] = (show / "media").iterdir()
    assert media.read_bytes() == audio
