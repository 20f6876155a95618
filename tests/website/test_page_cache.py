"""The website renders only the pages whose inputs changed, and the result is what a build from nothing gives.

Each test changes one input after a first build (an episode, the show, podpub's code, a staged page),
then compares every page with a fresh build of a copy of the show, and checks which pages were
actually rendered again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podpub import canonical, pipeline
from podpub.website import render
from tests.test_build_caches import NOW, bump_mtime, episode_text, make_show

SHOW_TITLE = 'title = "Test & Show"'


def pages(root: Path) -> dict[str, bytes]:
    public = root / "public"
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in sorted(public.rglob("*.html"))}


def build(root: Path) -> pipeline.BuildResult:
    return pipeline.build(pipeline.open_show(root), now=NOW)


def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key of every page actually rendered (not reused) from now on."""
    keys: list[str] = []
    real = render.Website._page

    def spy(self: render.Website, key: str, data: bytes, inputs: str) -> None:
        if key.endswith(".html"):  # the sitemap is checked by comparing with a fresh build
            keys.append(key)
        real(self, key, data, inputs)

    monkeypatch.setattr(render.Website, "_page", spy)
    return keys


def fresh_pages(root: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".podpub", "public"))
    build(copy)
    return pages(copy)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A home page of 2 episodes and archive pages of 2, so 7 episodes exercise every kind of page."""
    monkeypatch.setattr(render, "INDEX_LIMIT", 2)
    monkeypatch.setattr(render, "ARCHIVE_PAGE", 2)


def retitle(root: Path, number: int, title: str) -> None:
    path = next((root / "episodes").glob(f"{number:04d}-*.md"))
    path.write_text(episode_text(number, title=title), encoding="utf-8")
    bump_mtime(path)


@pytest.mark.usefixtures("small_pages")
def test_an_unchanged_site_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show", 7)
    build(root)
    (root / ".podpub" / "staging" / "site" / "build.json").unlink()  # no whole-build shortcut: pages decide
    keys = rendered(monkeypatch)
    build(root)
    assert keys == []
    assert pages(root) == fresh_pages(root, tmp_path)


@pytest.mark.usefixtures("small_pages")
def test_a_retitled_episode_renders_its_page_its_neighbours_and_the_lists_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_show(tmp_path / "show", 7)  # feed order 7..1; archive [1, 2], [3, 4], [5, 6], newest [7]
    build(root)
    before = pages(root)
    keys = rendered(monkeypatch)
    retitle(root, 4, "Renamed four")
    build(root)
    keys = list(keys)  # the fresh build below renders everything again
    assert sorted(keys) == [
        "archive/2/index.html",  # lists episode 4
        "episodes/ep3/index.html", "episodes/ep4/index.html", "episodes/ep5/index.html",  # it and its neighbours
    ]  # fmt: skip
    after = pages(root)
    assert after == fresh_pages(root, tmp_path)
    assert {k for k in after if after[k] != before[k]} == set(keys)
    assert "Renamed four" in after["episodes/ep5/index.html"].decode()  # "previous episode: Renamed four"


@pytest.mark.usefixtures("small_pages")
def test_a_new_episode_renders_the_home_page_the_newest_archive_page_and_its_neighbour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_show(tmp_path / "show", 6)  # archive [1, 2], [3, 4], newest [5, 6]
    build(root)
    keys = rendered(monkeypatch)
    shutil.copyfile(root / "media" / "ep1.mp3", root / "media" / "ep7.mp3")
    (root / "episodes" / "0007-ep7.md").write_text(episode_text(7), encoding="utf-8")
    build(root)
    assert sorted(keys) == [
        "archive/2/index.html",  # its "newer" link now points at archive/3/
        "archive/3/index.html",  # [5, 6] is full: it moves to its numbered key
        "archive/index.html",  # the new newest page: [7]
        "episodes/ep6/index.html", "episodes/ep7/index.html",
        "index.html",
    ]  # fmt: skip
    assert "archive/1/index.html" not in keys
    assert pages(root) == fresh_pages(root, tmp_path)


@pytest.mark.usefixtures("small_pages")
def test_a_show_change_renders_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show", 5)
    build(root)
    keys = rendered(monkeypatch)
    config = root / "podcast.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(SHOW_TITLE, 'title = "Renamed show"'), "utf-8")
    build(root)
    assert set(keys) == set(pages(root))
    assert pages(root) == fresh_pages(root, tmp_path)


@pytest.mark.usefixtures("small_pages")
def test_new_podpub_code_renders_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show", 5)
    build(root)
    keys = rendered(monkeypatch)
    monkeypatch.setattr(canonical, "code_version", lambda: "a later podpub")
    build(root)
    assert set(keys) == set(pages(root))


@pytest.mark.usefixtures("small_pages")
def test_a_staged_page_changed_behind_podpub_is_rendered_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_show(tmp_path / "show", 5)
    build(root)
    staged = root / ".podpub" / "staging" / "site" / "generated" / "episodes" / "ep2" / "index.html"
    staged.write_text("tampered", encoding="utf-8")
    (root / ".podpub" / "staging" / "site" / "build.json").unlink()
    keys = rendered(monkeypatch)
    build(root)
    assert keys == ["episodes/ep2/index.html"]
    assert pages(root) == fresh_pages(root, tmp_path)


def test_reused_episode_pages_still_publish_their_thumbnails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.rich_show import build_rich_show, make_artwork

    rich = build_rich_show(tmp_path / "rich", "https://cdn.example.org/rich/", capsys)
    episode = next(p for p in (rich.root / "episodes").glob("*.md") if "[[alternates]]" in p.read_text("utf-8"))
    make_artwork(rich.root / "episode-art.jpg")
    text = episode.read_text(encoding="utf-8").replace("+++\n", '+++\nimage = "episode-art.jpg"\n', 1)
    episode.write_text(text, encoding="utf-8")
    first = {u.key for u in pipeline.build(pipeline.open_show(rich.root), now=NOW).site.files}
    thumbnails = {k for k in first if k.startswith("site/") and k.endswith(".jpg")}
    assert len(thumbnails) == 2  # the show's and the episode's
    other = next(p for p in (rich.root / "episodes").glob("*.md") if p != episode)
    other.write_text(other.read_text(encoding="utf-8").replace("+++\n\n", "+++\n\nMore notes.\n", 1), "utf-8")
    bump_mtime(other)
    again = {u.key for u in pipeline.build(pipeline.open_show(rich.root), now=NOW).site.files}
    assert thumbnails <= again
