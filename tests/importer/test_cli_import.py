"""`podpub import` on the command line: the summary, the cut-over steps, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run_podpub
from tests.importer.conftest import HostFeeds
from tests.importer.test_hostile import item, rss


def test_import_prints_a_summary_and_the_cut_over_steps(
    hosts: HostFeeds, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = hosts.serve_feed("libsyn")
    show = tmp_path / "garden"
    result = run_podpub(capsys, "import", url, str(show), "--base-url", "https://cdn.example.org/garden/")
    assert result.code == 0, result.err
    out = result.out
    assert f"Created {show} from the RSS feed 'The Garden Hour' (2 items)" in out
    assert "added" in out and "episodes/0002-tomatoes-in-january.md" in out
    assert "the feed says 99999 bytes, the file has 40541" in out
    assert "https://gardenhour.libsyn.com/rss to https://cdn.example.org/garden/feed.xml" in out
    assert "301" in out and "itunes:new-feed-url" in out and "podcast:guid" in out
    assert (show / "podcast.toml").is_file()

    again = run_podpub(capsys, "-C", str(show), "import", url)  # DIR defaults to the show around -C
    assert again.code == 0, again.err
    assert "Updated" in again.out
    assert [line.split() for line in again.out.splitlines() if line.startswith(("added", "already"))] == [
        ["added", "0"],
        ["already", "in", "the", "show", "2"],
    ]
    listed = run_podpub(capsys, "-C", str(show), "list", "--json")
    assert listed.code == 0 and '"Tomatoes in January?"' in listed.out


def test_a_locked_feed_exits_2_naming_the_owner(hosts: HostFeeds, tmp_path: Path, capsys) -> None:
    locked = '<podcast:locked xmlns:podcast="https://podcastindex.org/namespace/1.0">yes</podcast:locked>'
    url = hosts.serve_bytes("/locked.xml", rss(item("a", "https://x.example/a.mp3"), extra=locked))
    result = run_podpub(capsys, "import", url, str(tmp_path / "show"))
    assert result.code == 2
    assert result.err.startswith("error: ") and "owner@example.org" in result.err and "--force-locked" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_failed_items_exit_1_and_are_listed(hosts: HostFeeds, tmp_path: Path, capsys) -> None:
    good = hosts.serve_file("/good.mp3", "cbr.mp3")
    url = hosts.serve_bytes("/feed.xml", rss(item("gone", hosts.server.url("/gone.mp3")) + item("good", good)))
    result = run_podpub(capsys, "import", url, str(tmp_path / "show"), "--jobs", "2")
    assert result.code == 1
    assert "Failed:" in result.out and "HTTP 404" in result.out
    assert "Run the same `podpub import` again" in result.out
    quiet = run_podpub(capsys, "-q", "import", url, str(tmp_path / "show"))
    assert quiet.code == 1 and quiet.out == "" and "HTTP 404" in quiet.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "--since 'last tuesday': not an ISO 8601 date"),
        (["--base-url", "cdn.example.org"], "--base-url 'cdn.example.org': must be an http"),
        (["--jobs", "0"], "Invalid value for '--jobs'"),
    ],
)
def test_bad_options_exit_2(hosts: HostFeeds, tmp_path: Path, capsys, args: list[str], message: str) -> None:
    result = run_podpub(capsys, "import", hosts.serve_feed("anchor"), str(tmp_path / "show"), *args)
    assert result.code == 2 and message in result.err
    assert not (tmp_path / "show").exists()


def test_keep_remote_media_on_the_command_line(hosts: HostFeeds, tmp_path: Path, capsys) -> None:
    result = run_podpub(capsys, "import", hosts.serve_feed("anchor"), str(tmp_path / "show"), "--keep-remote-media")
    assert result.code == 0, result.err
    assert "keep that media online" in result.out
    assert not list((tmp_path / "show" / "media").iterdir())
