"""Importing again: only new items are added, nothing the producer edited is rewritten, changes are reported."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from podpub.episodes.files import load_episodes
from podpub.errors import InputError
from podpub.importer.run import ImportOptions, import_feed
from podpub.importer.state import STATE_PATH
from podpub.pipeline import build, open_show
from podpub.podcasts.config import load_show
from tests.conftest import snapshot
from tests.importer.conftest import FEEDS, HostFeeds
from tests.importer.server import Route
from tests.importer.test_hosts import episode_front, run_import


def test_importing_again_changes_nothing(hosts: HostFeeds, tmp_path: Path) -> None:
    url = hosts.serve_feed("buzzsprout")
    root = tmp_path / "show"
    assert run_import(url, root).ok
    build(open_show(root))  # a build in between must not matter either
    before = snapshot(root)
    again = run_import(url, root)
    assert again.ok and again.added == [] and again.already == 2 and again.changed == [] and not again.created
    assert snapshot(root) == before


def test_only_new_items_are_added_and_numbered_after_the_others(hosts: HostFeeds, tmp_path: Path) -> None:
    template = (FEEDS / "libsyn.xml").read_text(encoding="utf-8")
    first_item = template.index("<item>")
    older_only = template[:first_item] + template[template.index("</item>", first_item) + len("</item>") :]
    server = hosts.server
    server.add("/libsyn/feed.xml", Route(hosts.render(older_only).encode(), "application/rss+xml"))
    root = tmp_path / "show"
    assert [f for f, _ in run_import(server.url("/libsyn/feed.xml"), root).added] == [
        "episodes/0001-compost-honestly.md"
    ]
    server.routes["/libsyn/feed.xml"] = Route(hosts.render(template).encode(), "application/rss+xml")
    report = run_import(server.url("/libsyn/feed.xml"), root)
    assert [f for f, _ in report.added] == ["episodes/0002-tomatoes-in-january.md"] and report.already == 1


def test_a_producer_edit_is_kept_and_upstream_changes_are_reported(hosts: HostFeeds, tmp_path: Path) -> None:
    server = hosts.server
    template = (FEEDS / "podbean.xml").read_text(encoding="utf-8")
    server.add("/podbean/feed.xml", Route(hosts.render(template).encode(), "application/rss+xml"))
    url = server.url("/podbean/feed.xml")
    root = tmp_path / "show"
    assert run_import(url, root).ok
    edited = next((root / "episodes").glob("*dispossessed.md"))
    text = edited.read_text(encoding="utf-8")
    text = text.replace('title = "January: The Dispossessed"', 'title = "The Dispossessed (January)"  # mine')
    text += "\nMy own extra notes.\n"
    edited.write_text(text, encoding="utf-8")

    changed = template.replace("<title>January: The Dispossessed</title>", "<title>January: Le Guin</title>")
    changed = changed.replace("<p>Anarres and Urras.</p>", "<p>Anarres, Urras and Shevek.</p>")
    server.routes["/podbean/feed.xml"] = Route(hosts.render(changed).encode(), "application/rss+xml")
    report = run_import(url, root)
    assert report.added == [] and report.already == 2
    ((file, what),) = report.changed
    assert file == f"episodes/{edited.name}"
    assert "'January: The Dispossessed' -> 'January: Le Guin'" in what and "notes" in what
    assert edited.read_text(encoding="utf-8") == text  # never rewritten

    (root / STATE_PATH).unlink()  # without the record of the first import, the episode file is compared
    report = run_import(url, root)
    ((_, what),) = report.changed
    assert "'The Dispossessed (January)' -> 'January: Le Guin'" in what
    assert edited.read_text(encoding="utf-8") == text


def test_a_folder_holding_another_show_is_refused(hosts: HostFeeds, tmp_path: Path) -> None:
    root = tmp_path / "show"
    assert run_import(hosts.serve_feed("buzzsprout"), root).ok
    before = snapshot(root)
    with pytest.raises(InputError, match="holds another show"):
        run_import(hosts.serve_feed("wordpress"), root)
    assert snapshot(root) == before


def test_since_imports_only_recent_items(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("anchor"), tmp_path / "show", since=datetime(2024, 1, 3, tzinfo=UTC))
    assert sorted(title for _, title in report.added) == ["Ep. 2 - The night bus", "Ep. 3 - Foxes & the 3am bins"]
    assert [why for _, why in report.skipped] == ["published before --since 2024-01-03"]


def test_keep_remote_media_then_bring_it_over(hosts: HostFeeds, feed_server, tmp_path: Path) -> None:
    url = hosts.serve_feed("anchor")
    root = tmp_path / "show"
    report = run_import(url, root, download_media=False)
    assert report.ok and len(report.added) == 3
    assert not list((root / "media").iterdir())
    assert not [r for r in feed_server.requests if r.path.startswith("/moved/")]  # no audio fetched
    episodes = episode_front(root)
    foxes = episodes["6d1b8f7e-0c1f-4b7e-9b6e-3f3a1c2b4d5e"]
    assert str(foxes["audio_url"]).startswith(feed_server.url("/anchor/s/"))
    assert (foxes["audio_type"], foxes["audio_duration"]) == ("audio/mpeg", 10) and foxes["audio_length"] == 71155
    assert any("keep that media online" in step for step in report.cutover_steps())
    feed = etree.fromstring((build(open_show(root)).out / "feed.xml").read_bytes())
    enclosures = [e.get("url") for e in feed.iter("enclosure")]
    assert len(enclosures) == 3 and all(u.startswith(feed_server.url("/anchor/s/")) for u in enclosures)

    # the producer edits one episode, then the media moves
    path = root / "episodes" / foxes["_file"]
    text = path.read_text(encoding="utf-8").replace("season = 1", "season = 1  # kept")
    path.write_text(text + "\nAdded by hand.\n", encoding="utf-8")
    again = run_import(url, root)
    assert again.ok and again.added == [] and len(again.localized) == 3
    episodes = load_episodes(load_show(root))
    assert all(e.remote is None and e.audio is not None and e.audio.is_file() for e in episodes)
    text = path.read_text(encoding="utf-8")
    assert "season = 1  # kept" in text and "Added by hand." in text and "audio_url" not in text
    assert re.search(r'^audio = "media/ep-3-foxes-the-3am-bins-[0-9a-f]{8}\.mp3"$', text, re.M)
    assert run_import(url, root).localized == []


def test_keep_remote_media_reads_missing_lengths_from_the_server(hosts: HostFeeds, tmp_path: Path) -> None:
    report = run_import(hosts.serve_feed("messy"), tmp_path / "show", download_media=False)
    assert report.ok
    two = episode_front(tmp_path / "show")["messy-2"]
    assert two["audio_length"] == 71155  # from a HEAD request: the feed gave none
    assert hosts.server.requests_for("/messy/two.mp3", "HEAD")
    four = episode_front(tmp_path / "show")[hosts.server.url("/messy/four.mp3")]
    assert "audio_duration" not in four  # the feed's duration was garbage: left out, not invented
    assert any("'Four': its duration is unknown" in n for n in report.notes)


def test_a_show_folder_copied_elsewhere_still_imports_as_the_same_show(hosts: HostFeeds, tmp_path: Path) -> None:
    url = hosts.serve_feed("buzzsprout")
    assert run_import(url, tmp_path / "a").ok
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    report = import_feed(url, tmp_path / "b", ImportOptions())
    assert report.added == [] and report.already == 2


def test_items_without_any_date_are_not_reported_as_changed_later(hosts: HostFeeds, tmp_path: Path) -> None:
    items = "".join(
        f'<item><title>U{n}</title><guid>u{n}</guid><enclosure url="{hosts.serve_file(f"/u/{n}.mp3", "cbr.mp3")}" '
        'length="40541" type="audio/mpeg"/></item>'
        for n in range(2)
    )
    url = hosts.serve_bytes(
        "/u/feed.xml", f'<rss version="2.0"><channel><title>U</title>{items}</channel></rss>'.encode()
    )
    root = tmp_path / "show"
    first = import_feed(url, root, ImportOptions(), now=datetime(2024, 5, 1, tzinfo=UTC))
    assert first.ok and sum("no usable date" in n for n in first.notes) == 2
    dates = {guid: e["date"] for guid, e in episode_front(root).items()}
    assert dates["u0"] > dates["u1"]  # the feed's order (newest first) is kept
    later = import_feed(url, root, ImportOptions(), now=datetime(2024, 6, 1, tzinfo=UTC))
    assert later.changed == [] and later.added == []
