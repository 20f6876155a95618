"""A workspace of shows on a local target: inheritance, selection, isolation, moves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import podcastparser
import pytest
from lxml import etree

from tests.cli_helpers import Result, run_podpub
from tests.conftest import FIXTURES, snapshot
from tests.rich_show import make_artwork

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
BASE = "https://cdn.example.org"


def podpub(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Result:
    return run_podpub(capsys, "-C", str(root), *args)


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Two shows, one overriding the network's language, each with one episode."""
    root = tmp_path / "réseau"
    created = run_podpub(
        capsys, "-C", str(tmp_path), "new-workspace", "réseau", "--title", "Nos podcasts", "--base-url",
        BASE + "/{slug}/", "--target", str(tmp_path / "www") + "/{slug}", "--author", "Association Élan",
        "--email", "radio@example.org", "--language", "fr", "--category", "Education",
    )  # fmt: skip
    assert created.code == 0, created.err
    art = make_artwork(tmp_path / "cover.jpg")
    for slug, title, extra in (
        ("les-ecoles", "Les écoles d'à côté", ["--image", str(art)]),
        ("cafe", "Café des parents", ["--language", "en"]),
    ):
        result = podpub(capsys, root, "new-show", slug, "--title", title, *extra)
        assert result.code == 0, result.err
        added = podpub(capsys, root, "-C", slug, "add", "--date", "2026-01-05T08:00:00Z", str(FIXTURES / "cbr.mp3"))
        assert added.code == 0, added.err
    return root


def feed(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def test_shows_inherit_network_defaults_and_override_them(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = podpub(capsys, workspace, "publish", "--all", "--json")
    assert result.code == 0, result.err
    rows = {row["show"]: row for row in json.loads(result.out)["shows"]}
    assert rows["les-ecoles"]["status"] == rows["cafe"]["status"] == "published"
    ecoles, cafe = feed(tmp_path / "www/les-ecoles/feed.xml"), feed(tmp_path / "www/cafe/feed.xml")
    assert ecoles.findtext("channel/language") == "fr" and cafe.findtext("channel/language") == "en"
    for channel in (ecoles.find("channel"), cafe.find("channel")):
        assert channel.findtext(f"{ITUNES}owner/{ITUNES}email") == "radio@example.org"
        assert channel.findtext(f"{ITUNES}author") == "Association Élan"
    parsed = podcastparser.parse(f"{BASE}/cafe/feed.xml", io.BytesIO((tmp_path / "www/cafe/feed.xml").read_bytes()))
    assert parsed["title"] == "Café des parents" and len(parsed["episodes"]) == 1
    # sister shows and the network
    podroll = ecoles.find(f"channel/{PODCAST}podroll")
    assert [i.get("feedUrl") for i in podroll] == [f"{BASE}/cafe/feed.xml"]
    publisher = ecoles.find(f"channel/{PODCAST}publisher/{PODCAST}remoteItem")
    assert publisher.get("medium") == "publisher" and publisher.get("feedUrl") == f"{BASE}/publisher.xml"


def test_config_names_where_each_value_comes_from(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = podpub(capsys, workspace, "-C", "cafe", "config", "--json")
    assert result.code == 0, result.err
    rows = {row["key"]: row for row in json.loads(result.out)}
    assert rows["language"] == {"key": "language", "value": "en", "source": "show", "where": "cafe/podcast.toml:14"}
    assert rows["author"]["source"] == "workspace" and rows["author"]["where"].startswith("podpub.toml:")
    assert rows["publish.target"]["value"].endswith("/www/cafe") and rows["publish.target"]["source"] == "workspace"
    assert rows["publish.jobs"] == {"key": "publish.jobs", "value": 4, "source": "default", "where": ""}
    text = podpub(capsys, workspace, "-C", "cafe", "config")
    assert "workspace (podpub.toml:" in text.out and "show (cafe/podcast.toml:" in text.out


def test_a_bad_inherited_value_is_reported_in_podpub_toml(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace / "podpub.toml"
    config.write_text(config.read_text().replace('language = "fr"', 'language = "français"'), encoding="utf-8")
    lines = config.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith("language"))
    result = podpub(capsys, workspace, "-C", "les-ecoles", "build")
    assert result.code == 2
    assert result.err.strip() == (
        f"error: podpub.toml:{line}: language must be an ISO 639 code such as fr, en or en-us, got 'français'"
    )
    # the show that overrides the language is not affected
    assert podpub(capsys, workspace, "-C", "cafe", "build").code == 0


def test_an_unknown_placeholder_names_its_line(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace / "podpub.toml"
    config.write_text(config.read_text().replace("{slug}/\"", "{show}/\""), encoding="utf-8")
    result = podpub(capsys, workspace, "list", "--all")
    assert result.code == 2
    assert "podpub.toml:" in result.err and "uses {show}" in result.err and "{slug}" in result.err


def test_commands_work_from_anywhere_inside(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace / "cafe" / "episodes")
    listed = run_podpub(capsys, "list", "--json")
    assert listed.code == 0 and [row["title"] for row in listed.out and json.loads(listed.out)] == ["cbr"]
    every = run_podpub(capsys, "list", "--all", "--json")
    assert sorted(row["show"] for row in json.loads(every.out)) == ["cafe", "les-ecoles"]
    monkeypatch.chdir(workspace)
    at_root = run_podpub(capsys, "build")
    assert at_root.code == 2 and "is the workspace 'Nos podcasts' (shows: cafe, les-ecoles)" in at_root.err
    unknown = run_podpub(capsys, "-C", "cafee", "list")
    assert unknown.code == 2 and "did you mean 'cafe'?" in unknown.err
    outside = run_podpub(capsys, "-C", str(workspace.parent), "publish", "--all")
    assert outside.code == 2 and "inside a workspace" in outside.err


def test_new_show_is_prefilled_and_all_or_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (workspace / "les-ecoles" / "podcast.toml").read_text()
    assert 'title = "Les écoles d\'à côté"' in text
    assert '#   language = "fr"' in text and "#   publish.base_url = \"https://cdn.example.org/les-ecoles/\"" in text
    assert "\nlanguage =" not in text  # inherited, not copied: the shows cannot drift apart
    before = snapshot(workspace)
    bad = podpub(capsys, workspace, "new-show", "Mauvais Nom", "--title", "x")
    assert bad.code == 2 and "lowercase letters, digits and hyphens" in bad.err
    missing = podpub(capsys, workspace, "new-show", "encore", "--title", "Encore", "--language", "xx-")
    assert missing.code == 2 and "--language" in missing.err
    taken = podpub(capsys, workspace, "new-show", "cafe", "--title", "Encore")
    assert taken.code == 2 and "already exists" in taken.err
    assert snapshot(workspace) == before  # nothing half-created


def test_one_broken_show_fails_alone(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = workspace / "cafe" / "episodes" / "cassé.md"
    broken.write_text('+++\ntitle = "Cassé"\ndate = "hier"\naudio = "media/absent.mp3"\n+++\n', encoding="utf-8")
    result = podpub(capsys, workspace, "publish", "--all", "--json")
    assert result.code == 1
    rows = {row["show"]: row for row in json.loads(result.out)["shows"]}
    assert rows["les-ecoles"]["status"] == "published" and rows["cafe"]["status"] == "failed"
    assert (tmp_path / "www/les-ecoles/feed.xml").is_file() and not (tmp_path / "www/cafe").exists()
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: cafe: ") and "cassé.md" in errors[0]
    assert "Traceback" not in result.err
    # the network's files list only the live feed
    opml = etree.fromstring((tmp_path / "www/podcasts.opml").read_bytes())
    assert [o.get("xmlUrl") for o in opml.iter("outline")] == [f"{BASE}/les-ecoles/feed.xml"]


def test_two_shows_on_one_target_are_refused(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = podpub(capsys, workspace, "publish", "--all", "--to", str(tmp_path / "same"))
    assert result.code == 2 and "must contain {slug}" in result.err
    config = workspace / "cafe" / "podcast.toml"
    config.write_text(config.read_text() + f'\n[publish]\ntarget = "{tmp_path}/www/les-ecoles"\n', encoding="utf-8")
    shared = podpub(capsys, workspace, "publish", "--all")
    assert shared.code == 1 and not (tmp_path / "www/les-ecoles").exists()
    assert shared.err.count("give each show its own target") == 2


def test_second_publish_all_writes_nothing(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert podpub(capsys, workspace, "publish", "--all").code == 0
    before = snapshot(tmp_path / "www")
    again = podpub(capsys, workspace, "publish", "--all", "--json")
    assert again.code == 0
    assert {row["status"] for row in json.loads(again.out)["shows"]} == {"up to date"}
    assert all(row["written"] == 0 for row in json.loads(again.out)["shows"])
    assert snapshot(tmp_path / "www") == before


def test_build_and_validate_all(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = podpub(capsys, workspace, "build", "--all")
    assert built.code == 0, built.err
    assert (workspace / "cafe/public/feed.xml").is_file() and (workspace / "public/podcasts.opml").is_file()
    checked = podpub(capsys, workspace, "validate", "--show", "cafe", "--format", "json")
    assert checked.code == 0, checked.err
    assert list(json.loads(checked.out)["shows"]) == ["cafe"]


def test_move_keeps_guid_and_points_the_old_feed_at_the_new(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert podpub(capsys, workspace, "publish", "--all").code == 0
    old_feed = tmp_path / "www/cafe/feed.xml"
    guid = feed(old_feed).findtext(f"channel/{PODCAST}guid")
    moved = podpub(
        capsys, workspace, "-C", "cafe", "move", "--base-url", "https://new.example.net/parents/",
        "--to", str(tmp_path / "new-www"),
    )  # fmt: skip
    assert moved.code == 0, moved.err
    assert "301" in moved.out and "podcast:guid " + guid in moved.out
    new = feed(tmp_path / "new-www/feed.xml")
    assert new.findtext(f"channel/{PODCAST}guid") == guid
    assert new.find(f"channel/{ITUNES}new-feed-url") is None
    old = podcastparser.parse("https://cdn.example.org/cafe/feed.xml", io.BytesIO(old_feed.read_bytes()))
    assert old["new_url"] == "https://new.example.net/parents/feed.xml"
    assert old["episodes"][0]["enclosures"][0]["url"].startswith("https://new.example.net/parents/media/")
    config = (workspace / "cafe/podcast.toml").read_text()
    assert "[[publish.moved_from]]" in config and 'base_url = "https://cdn.example.org/cafe/"' in config
    # a new episode reaches both feeds: listeners of the old URL are not stranded
    added = podpub(capsys, workspace, "-C", "cafe", "add", "--title", "Deux", str(FIXTURES / "cbr.mp3"))
    assert added.code == 0, added.err
    assert podpub(capsys, workspace, "publish", "--all").code == 0
    titles = {e["title"] for e in podcastparser.parse("x", io.BytesIO(old_feed.read_bytes()))["episodes"]}
    assert "Deux" in titles
    assert feed(tmp_path / "new-www/feed.xml").findtext(f"channel/{PODCAST}guid") == guid
