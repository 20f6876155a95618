"""Two copies of a show publishing to one target: no lost episode, a clear conflict, a re-run merges."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from podpub.errors import ConflictError
from podpub.fsutil import create_exclusive
from podpub.pipeline import build, open_show, publish_plan
from podpub.storage import sync
from podpub.storage.local import LocalTarget
from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES


def add(capsys: pytest.CaptureFixture[str], show: Path, fixture: str) -> str:
    result = run_podpub(
        capsys, "-C", str(show), "add", "--json", "--date", "2026-01-01T00:00:00Z", str(FIXTURES / fixture)
    )
    assert result.code == 0, result.err
    return json.loads(result.out)[0]["guid"]


def feed_guids(target: Path) -> set[str]:
    manifest = json.loads((target / ".podpub" / "manifest.json").read_text())
    return set(manifest["episodes"])


def test_create_exclusive_has_exactly_one_winner(tmp_path: Path) -> None:
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def race(i: int) -> None:
        barrier.wait()
        wins.append(create_exclusive(tmp_path / "gen.json", f"writer {i}".encode()))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 1
    assert (tmp_path / "gen.json").read_bytes().startswith(b"writer ")
    assert [p.name for p in tmp_path.iterdir()] == ["gen.json"]  # no temp files left


def test_racing_publishers_one_wins_the_other_stops_and_a_rerun_merges(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target_dir = tmp_path / "www"
    add(capsys, show_dir, "cbr.mp3")
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target_dir)).code == 0
    copy_b = tmp_path / "copy-b"
    shutil.copytree(show_dir, copy_b)
    guid_a = add(capsys, show_dir, "vorbis.ogg")
    guid_b = add(capsys, copy_b, "opus.opus")

    # both plan against the same live generation, A finishes first
    target = LocalTarget(target_dir)
    ws_a, ws_b = open_show(show_dir), open_show(copy_b)
    plan_a = publish_plan(ws_a, build(ws_a), target)
    plan_b = publish_plan(ws_b, build(ws_b), target)
    assert plan_a.manifest.generation == plan_b.manifest.generation == 2
    sync.execute(plan_a, target)
    feed_after_a = (target_dir / "feed.xml").read_bytes()
    with pytest.raises(ConflictError, match="another publish of this show got there first"):
        sync.execute(plan_b, target)
    assert (target_dir / "feed.xml").read_bytes() == feed_after_a  # B did not overwrite A's feed
    assert guid_a in feed_after_a.decode()

    # B re-runs: A's episode is live but B has no file for it -> a clear conflict, nothing written
    result = run_podpub(capsys, "-C", str(copy_b), "publish", "--to", str(target_dir))
    assert result.code == 1
    assert "has 1 episode(s) this copy of the show has no file for" in result.err and guid_a in result.err
    assert (target_dir / "feed.xml").read_bytes() == feed_after_a

    # B brings A's episode in (as a git pull would) and publishes: both episodes are live
    for folder in ("episodes", "media"):
        for path in (show_dir / folder).iterdir():
            if not (copy_b / folder / path.name).exists():
                shutil.copy2(path, copy_b / folder / path.name)
    result = run_podpub(capsys, "-C", str(copy_b), "publish", "--to", str(target_dir), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["uploaded"][-1] == "feed.xml"
    assert {guid_a, guid_b} <= feed_guids(target_dir)
    assert guid_a in (target_dir / "feed.xml").read_text() and guid_b in (target_dir / "feed.xml").read_text()


def test_deleted_episode_file_needs_remove_missing(
    show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "www"
    add(capsys, show_dir, "cbr.mp3")
    gone = add(capsys, show_dir, "vorbis.ogg")
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target)).code == 0
    next(p for p in (show_dir / "episodes").iterdir() if gone in p.read_text()).unlink()
    result = run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target))
    assert result.code == 1 and "--remove-missing" in result.err
    assert gone in (target / "feed.xml").read_text()
    # `build` mirrors this copy and needs no flag; publishing with the flag takes it out
    assert run_podpub(capsys, "-C", str(show_dir), "build").code == 0
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target), "--remove-missing").code == 0
    assert gone not in (target / "feed.xml").read_text()
    assert gone not in feed_guids(target)


def test_draft_is_an_intended_removal(show_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "www"
    guid = add(capsys, show_dir, "cbr.mp3")
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target)).code == 0
    episode = next((show_dir / "episodes").iterdir())
    episode.write_text(episode.read_text().replace('type = "full"', 'type = "full"\ndraft = true'))
    assert run_podpub(capsys, "-C", str(show_dir), "publish", "--to", str(target)).code == 0
    assert guid not in (target / "feed.xml").read_text()
