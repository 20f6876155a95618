"""The caches that make an unchanged rebuild cheap must never serve something stale.

Parsed episode files (`.podpub/episode-cache.json`) and whole builds (`staging/.../build.json`) are
reused only while every input is unchanged: each test changes one input (an episode file, the audio,
artwork, a chapters or transcript file, podcast.toml, podpub's code, the clock, a staged file) and
checks that the result is what a build from nothing gives. Speed is measured in bench/, not here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podpub import canonical, pipeline
from podpub.episodes import files as episode_files_module
from podpub.episodes.files import EPISODE_CACHE, episode_files, load_episode, load_episodes, save_episode_cache
from podpub.episodes.model import Episode
from podpub.errors import ConfigError
from podpub.feeds import site as site_module
from podpub.network.workspace import load_show_in
from podpub.podcasts.model import Show
from tests.conftest import FIXTURES, write_show
from tests.rich_show import build_rich_show, make_artwork

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def episode_text(
    number: int, *, title: str | None = None, date: str = "2026-01-0{n}T09:00:00Z", extra: str = ""
) -> str:
    return (
        f'+++\nguid = "guid-{number}"\ntitle = "{title or f"Episode {number}"}"\n'
        f"date = {date.format(n=number)}\naudio = \"media/ep{number}.mp3\"\n{extra}+++\n\nNotes of episode {number}.\n"
    )


def make_show(root: Path, count: int = 3) -> Path:
    write_show(root)
    for number in range(1, count + 1):
        shutil.copyfile(FIXTURES / "cbr.mp3", root / "media" / f"ep{number}.mp3")
        (root / "episodes" / f"{number:04d}-ep{number}.md").write_text(episode_text(number), encoding="utf-8")
    return root


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every episode file actually read and checked (a cache miss)."""
    parsed: list[Path] = []
    real = episode_files_module.load_episode

    def spy(show, path, deps=None):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(show, path, deps)

    monkeypatch.setattr(episode_files_module, "load_episode", spy)
    return parsed


def load(show: Show) -> list[Episode]:
    """Load the episodes as a build does, then keep the cache as a successful build does."""
    episodes = load_episodes(show)
    save_episode_cache(show)
    return episodes


def bump_mtime(path: Path) -> None:
    """Make an edit visible even on file systems with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


# --- parsed episodes --------------------------------------------------------------------------------


def test_cached_episodes_equal_a_fresh_parse_for_every_feature(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rich = build_rich_show(tmp_path / "rich", "https://cdn.example.org/rich/", capsys)
    show = load_show_in(rich.root)
    first = load(show)
    assert (rich.root / EPISODE_CACHE).is_file()
    parsed = count_parses(monkeypatch)
    again = load(show)
    assert parsed == []  # every episode came from the cache
    fresh = [load_episode(show, path) for path in episode_files(show)]
    assert again == fresh == first
    assert any(e.transcripts and e.alternates and e.persons and e.soundbites for e in again)


def test_an_edited_episode_file_is_read_again_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    load(show)
    edited = root / "episodes" / "0002-ep2.md"
    edited.write_text(episode_text(2, title="A new title"), encoding="utf-8")
    bump_mtime(edited)
    parsed = count_parses(monkeypatch)
    episodes = load(show)
    assert parsed == [edited]
    assert [e.title for e in episodes] == ["Episode 1", "A new title", "Episode 3"]


def test_a_named_file_turned_into_a_link_out_of_the_show_is_refused(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    load(show)
    secret = tmp_path / "secret.mp3"
    shutil.copyfile(FIXTURES / "cbr.mp3", secret)
    audio = root / "media" / "ep1.mp3"
    audio.unlink()
    audio.symlink_to(secret)
    with pytest.raises(ConfigError, match="outside the show folder"):
        load(show)


def test_a_link_pointed_at_another_file_gives_that_file(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    shutil.copyfile(FIXTURES / "cbr.mp3", root / "media" / "other.mp3")
    link = root / "media" / "current.mp3"
    link.symlink_to("ep1.mp3")
    episode = root / "episodes" / "0001-ep1.md"
    episode.write_text(episode_text(1).replace("media/ep1.mp3", "media/current.mp3"), encoding="utf-8")
    show = load_show_in(root)
    assert load(show)[0].audio == root / "media" / "ep1.mp3"
    link.unlink()
    link.symlink_to("other.mp3")
    assert load(show)[0].audio == root / "media" / "other.mp3"


def test_a_named_file_removed_is_reported_as_without_a_cache(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    load(show)
    (root / "media" / "ep3.mp3").unlink()
    with pytest.raises(ConfigError, match=r"0003-ep3\.md:.*not found"):
        load(show)


def test_new_podpub_code_reads_every_file_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    load(show)
    monkeypatch.setattr(canonical, "code_version", lambda: "another podpub")
    parsed = count_parses(monkeypatch)
    load(show)
    assert len(parsed) == 3


def test_the_cache_is_kept_only_by_a_build_that_goes_through(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show", 2)
    load_episodes(load_show_in(root))  # e.g. a build that then stops on bad artwork
    assert not (root / EPISODE_CACHE).exists()
    build(root)
    assert (root / EPISODE_CACHE).is_file()


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    expected = load(show)
    cache = root / EPISODE_CACHE
    cache.write_text("{not json", encoding="utf-8")
    assert load(show) == expected
    cache.write_text('{"header": 1, "files": []}', encoding="utf-8")
    assert load(show) == expected


def test_removed_episode_files_leave_the_cache(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    show = load_show_in(root)
    load(show)
    (root / "episodes" / "0003-ep3.md").unlink()
    assert [e.guid for e in load(show)] == ["guid-1", "guid-2"]
    assert "0003-ep3.md" not in (root / EPISODE_CACHE).read_text(encoding="utf-8")


def test_package_version_follows_every_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "templates").mkdir(parents=True)
    template = package / "templates" / "page.html"
    template.write_text("<p>{{ x }}</p>", encoding="utf-8")
    (package / "module.py").write_text("X = 1\n", encoding="utf-8")
    before = canonical.package_version(package, "1.0")
    assert canonical.package_version(package, "1.0") == before
    assert canonical.package_version(package, "1.1") != before
    template.write_text("<p>{{ y }}</p>", encoding="utf-8")
    bump_mtime(template)
    assert canonical.package_version(package, "1.0") != before


# --- whole builds -----------------------------------------------------------------------------------


def build(root: Path, now: datetime = NOW) -> pipeline.BuildResult:
    return pipeline.build(pipeline.open_show(root), now=now)


def feed(root: Path) -> str:
    return (root / "public" / "feed.xml").read_text(encoding="utf-8")


def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count full assemblies (feed renders) of the site."""
    calls: list[int] = []
    real = site_module.render_feed

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(site_module, "render_feed", spy)
    return calls


def test_an_unchanged_rebuild_reuses_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show")
    first = build(root)
    calls = renders(monkeypatch)
    again = build(root)
    assert calls == []
    assert again.report.uploaded == []
    assert [(u.key, u.sha256) for u in again.site.files] == [(u.key, u.sha256) for u in first.site.files]
    assert [e.guid for e in again.site.episodes] == [e.guid for e in first.site.episodes]
    assert all(e.media is not None for e in again.site.episodes)


def edit_notes(root: Path) -> None:
    path = root / "episodes" / "0001-ep1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Notes of episode 1.", "Brand new notes."), "utf-8")
    bump_mtime(path)


def edit_config(root: Path) -> None:
    path = root / "podcast.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title = "Test & Show"', 'title = "Renamed"'), "utf-8")
    bump_mtime(path)


def replace_audio(root: Path) -> None:
    shutil.copyfile(FIXTURES / "vbr_xing.mp3", root / "media" / "ep2.mp3")
    bump_mtime(root / "media" / "ep2.mp3")


def add_artwork(root: Path) -> None:
    make_artwork(root / "cover.jpg")
    path = root / "podcast.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("[owner]", 'image = "cover.jpg"\n\n[owner]'), "utf-8")


def redraw_artwork(root: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1400, 1400), (10, 120, 60)).save(root / "cover.jpg", "JPEG", quality=80)
    bump_mtime(root / "cover.jpg")


def edit_chapters(root: Path) -> None:
    path = root / "chapters.txt"
    path.write_text("00:00:00 Start\n00:00:02 Changed middle\n", encoding="utf-8")
    bump_mtime(path)


def edit_transcript(root: Path) -> None:
    path = root / "transcript.vtt"
    path.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nChanged words\n", encoding="utf-8")
    bump_mtime(path)


def new_code(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    def change(_root: Path) -> None:
        monkeypatch.setattr(canonical, "code_version", lambda: "a later podpub")

    return change


def setup_attachments(root: Path) -> None:
    (root / "chapters.txt").write_text("00:00:00 Start\n00:00:02 Middle\n", encoding="utf-8")
    (root / "transcript.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nFirst words\n", encoding="utf-8")
    extra = 'chapters = "chapters.txt"\n[[transcripts]]\nfile = "transcript.vtt"\n'
    (root / "episodes" / "0001-ep1.md").write_text(episode_text(1, extra=extra), encoding="utf-8")


CHANGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "episode notes": (edit_notes, "Brand new notes."),
    "podcast.toml": (edit_config, "<title>Renamed</title>"),
    "audio replaced": (replace_audio, 'length="{vbr}"'),
    "chapters file": (edit_chapters, "chapters/"),
    "transcript file": (edit_transcript, "transcripts/"),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_input_change_rebuilds(tmp_path: Path, name: str) -> None:
    root = make_show(tmp_path / "show")
    setup_attachments(root)
    build(root)
    before = feed(root)
    change, expected = CHANGES[name]
    change(root)
    result = build(root)
    after = feed(root)
    assert after != before
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".podpub", "public"))
    build(fresh)
    assert after == feed(fresh).replace(str(fresh), str(root))
    if expected.startswith('length="'):
        expected = expected.format(vbr=(FIXTURES / "vbr_xing.mp3").stat().st_size)
    assert expected in after
    assert result.report.uploaded  # the changed files reached public/


def test_changed_artwork_is_published_under_its_new_key(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    add_artwork(root)
    first = {u.key for u in build(root).site.files if u.key.startswith("artwork/")}
    redraw_artwork(root)
    second = {u.key for u in build(root).site.files if u.key.startswith("artwork/")}
    assert first and second and first != second
    assert all(key in feed(root) for key in second)


def test_new_podpub_code_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show")
    build(root)
    calls = renders(monkeypatch)
    new_code(monkeypatch)(root)
    build(root)
    assert calls == [1]


def test_a_scheduled_episode_enters_when_its_date_passes(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    late = root / "episodes" / "0004-ep4.md"
    shutil.copyfile(FIXTURES / "cbr.mp3", root / "media" / "ep4.mp3")
    late.write_text(episode_text(4, date="2026-07-01T09:00:00Z"), encoding="utf-8")
    build(root, NOW)
    assert "guid-4" not in feed(root)
    build(root, datetime(2026, 7, 2, tzinfo=UTC))
    assert "guid-4" in feed(root)


def test_a_staged_file_removed_behind_podpub_is_made_again(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    result = build(root)
    staged = next(u.source for u in result.site.files if u.key.endswith("index.html"))
    staged.unlink()
    build(root)
    assert staged.is_file()


def test_the_preview_build_does_not_reuse_the_published_one(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    build(root)
    preview = pipeline.build(pipeline.open_show(root), tmp_path / "preview", now=NOW, base_url="http://127.0.0.1:8000/")
    assert "http://127.0.0.1:8000/feed.xml" in (tmp_path / "preview" / "feed.xml").read_text(encoding="utf-8")
    assert preview.site.feed_url == "http://127.0.0.1:8000/feed.xml"
