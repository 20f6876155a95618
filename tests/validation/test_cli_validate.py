"""`podpub validate` and the check `podpub publish` runs first, through the real entry point."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import click
import pytest

from podpub import pipeline
from podpub.cli import cli
from podpub.validation.rules import PROFILE_CHOICES
from tests.cli_helpers import run_podpub
from tests.rich_show import build_rich_show
from tests.validation.conftest import FEED_URL, BuiltExample, copy_example, parse_feed
from tests.validation.test_corpus import broken

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "show")


def _feed(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "feed.xml"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("profile", PROFILE_CHOICES)
def test_the_example_show_validates_clean_under_every_profile(show: Path, capsys: Capsys, profile: str) -> None:
    result = run_podpub(capsys, "-C", str(show), "validate", "--profile", profile, "--strict")
    assert result.code == 0, result.out + result.err
    assert "OK 0 errors, 0 warnings, 0 info" in result.out
    assert (show / "public" / "feed.xml").is_file()  # built like `podpub build` does


def test_the_rich_show_validates_clean(tmp_path: Path, capsys: Capsys) -> None:
    rich = build_rich_show(tmp_path / "show", "https://cdn.example.org/rich/", capsys)
    result = run_podpub(capsys, "-C", str(rich.root), "validate", "--profile", "all", "--format", "json", "--strict")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    assert report["ok"] is True
    assert report["findings"] == []
    assert report["episodes"] == 3
    assert report["feed_url"] == "https://cdn.example.org/rich/feed.xml"


def test_profile_choices_match_the_catalogue() -> None:
    command = cli.commands["validate"]
    option = next(p for p in command.params if p.name == "profile")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == PROFILE_CHOICES


def test_errors_print_the_report_then_exit_1(example: BuiltExample, tmp_path: Path, capsys: Capsys) -> None:
    data, _ = broken(example, "item.enclosure.length")
    feed = _feed(tmp_path, data)
    result = run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml")
    assert result.code == 1
    assert "Errors (1)" in result.out
    assert "item.enclosure.length" in result.out
    assert 'episode 2 "Le jardin de l\'école" (guid 7d2b9a41-1c55-4f0e-8a36-5e4b7c9d0f21)' in result.out
    assert "fix: write the byte size of the file" in result.out
    assert result.err.strip() == "error: validation failed: 1 error, 0 warnings"
    assert feed.read_bytes() == data


def test_json_report_for_ci(example: BuiltExample, tmp_path: Path, capsys: Capsys) -> None:
    data, _ = broken(example, "item.guid.duplicate")
    _feed(tmp_path, data)
    result = run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["ok"] is False
    assert report["counts"] == {"error": 1, "warning": 0, "info": 0}
    [found] = report["findings"]
    assert found["rule"] == "item.guid.duplicate"
    assert found["severity"] == "error"
    assert found["episode"]["index"] == 2 and found["episode"]["guid"] == "b3e8c5d2-9f47-4a61-8c0b-1d2e3f4a5b63"
    assert isinstance(found["line"], int) and found["fix"] and found["ref"]


def test_warnings_fail_only_with_strict(example: BuiltExample, tmp_path: Path, capsys: Capsys) -> None:
    data, _ = broken(example, "item.duration.fraction")
    _feed(tmp_path, data)
    assert run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml").code == 0
    strict = run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml", "--strict")
    assert strict.code == 1
    assert "Warnings (1)" in strict.out
    assert "(--strict)" in strict.err


def test_profiles_choose_the_rules(example: BuiltExample, tmp_path: Path, capsys: Capsys) -> None:
    data, _ = broken(example, "spotify.owner.email")
    _feed(tmp_path, data)
    assert run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml", "--profile", "apple").code == 0
    assert run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml", "--profile", "spotify").code == 1
    assert run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml").code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file or folder"), (b"<html><body>Sign in</body></html>", "HTML page"), (b"", "is empty")],
)
def test_unreadable_sources_exit_2(tmp_path: Path, capsys: Capsys, content: bytes | None, message: str) -> None:
    if content is not None:
        _feed(tmp_path, content)
    result = run_podpub(capsys, "-C", str(tmp_path), "validate", "feed.xml")
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert result.out == ""


def test_a_folder_that_is_not_a_show_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    assert run_podpub(capsys, "-C", str(tmp_path), "validate").code == 2


# --- publish ------------------------------------------------------------------------------------------


def _corrupting_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the build write an invalid feed (as a renderer bug would): every itunes:explicit becomes 'fals3',
    the same size, so only the validation can notice."""
    real = pipeline.build

    def build(ws: pipeline.LoadedShow, *args: object, **kwargs: object) -> pipeline.BuildResult:
        result = real(ws, *args, **kwargs)  # type: ignore[arg-type]
        feed = result.out / result.site.feed_key
        data = feed.read_bytes().replace(b">false</itunes:explicit>", b">fals3</itunes:explicit>")
        feed.write_bytes(data)
        # A renderer bug's feed is hashed like any feed it writes (publish refuses bytes it did not hash).
        digest = hashlib.sha256(data).hexdigest()
        result.site.files = [
            dataclasses.replace(u, sha256=digest) if u.key == result.site.feed_key else u for u in result.site.files
        ]
        return result

    monkeypatch.setattr(pipeline, "build", build)


def test_publish_refuses_a_feed_with_errors(show: Path, tmp_path: Path, capsys: Capsys, monkeypatch) -> None:
    _corrupting_build(monkeypatch)
    target = tmp_path / "site"
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target))
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith("error: the feed has 4 errors: apple.explicit.value: <itunes:explicit> is 'fals3'; ")
    assert "apple.explicit.value (episode 1 'La fête de la rue' (guid b3e8c5d2-9f47-4a61-8c0b-1d2e3f4a5b63))" in line
    assert line.endswith(" … and 1 more; run podpub validate for the full report; --force publishes anyway")
    assert not (target / "feed.xml").exists()


def test_publish_force_publishes_anyway_and_says_so(show: Path, tmp_path: Path, capsys: Capsys, monkeypatch) -> None:
    _corrupting_build(monkeypatch)
    target = tmp_path / "site"
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target), "--force")
    assert result.code == 0, result.err
    assert "warning: publishing a feed with 4 errors (--force): apple.explicit.value" in result.err
    assert b"fals3" in (target / "feed.xml").read_bytes()


def test_publish_of_a_clean_show_is_not_held_up(show: Path, tmp_path: Path, capsys: Capsys) -> None:
    target = tmp_path / "site"
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target))
    assert result.code == 0, result.err
    assert "warning" not in result.err
    feed = parse_feed((target / "feed.xml").read_bytes())
    assert feed.one(feed.channel, "atom:link").get("href") == FEED_URL
