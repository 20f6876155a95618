"""podcast.toml and episode files: strict reading with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from podpub.episodes.files import load_episodes
from podpub.errors import ConfigError, InputError
from podpub.podcasts.config import load_show, podcast_guid
from tests.conftest import FIXTURES


def test_podcast_guid_matches_the_published_examples() -> None:
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_new_config_loads_with_every_field(show_dir: Path) -> None:
    show = load_show(show_dir)
    assert show.title == "Test & Show"
    assert str(show.categories[0]) == "Society & Culture > Documentary"
    assert show.publish.feed_url == "https://cdn.example.org/show/feed.xml"
    assert show.guid == podcast_guid("https://cdn.example.org/show/feed.xml")
    assert show.locked is True and show.explicit is False and show.type == "episodic"


def _edit(show_dir: Path, old: str, new: str) -> None:
    path = show_dir / "podcast.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _line_of(show_dir: Path, needle: str) -> int:
    return next(i for i, line in enumerate((show_dir / "podcast.toml").read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("explicit =", "explict =", "explict is not a known key; did you mean 'explicit'?"),
        ('email = "', 'emial = "', "owner.emial is not a known key; did you mean 'email'?"),
        ('language = "fr"', 'language = "french"', "language must be an ISO 639 code"),
        ("Documentary", "Documentry", "did you mean 'Society & Culture > Documentary'?"),
        ('type = "episodic"', 'type = "weekly"', "type must be one of episodic, serial"),
        ("explicit = false", 'explicit = "no"', "explicit must be true or false"),
        (
            'base_url = "https://cdn.example.org/show/"',
            'base_url = "cdn.example.org"',
            "must be an http:// or https:// URL",
        ),
    ],
)
def test_bad_values_name_the_line_and_key(show_dir: Path, old: str, new: str, expected: str) -> None:
    _edit(show_dir, old, new)
    line = _line_of(show_dir, new.split(" =")[0].split('"')[0] if "=" in new else new)
    with pytest.raises(ConfigError) as info:
        load_show(show_dir)
    message = str(info.value)
    assert expected in message
    assert f"podcast.toml:{line}:" in message
    assert "\n" not in message


def test_toml_syntax_error_has_the_line(show_dir: Path) -> None:
    _edit(show_dir, 'author = "Ana Author"', "author = Ana Author")
    line = _line_of(show_dir, "author = Ana")
    with pytest.raises(ConfigError, match=rf"podcast.toml:{line}: invalid TOML"):
        load_show(show_dir)


def test_missing_required_key(show_dir: Path) -> None:
    _edit(show_dir, 'title = "Test & Show"\n', "")
    with pytest.raises(ConfigError, match="missing required key 'title'"):
        load_show(show_dir)


def test_missing_config_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found; run `podpub init` first"):
        load_show(tmp_path)


def _episode(show_dir: Path, name: str, front: str, body: str = "Notes.\n") -> Path:
    path = show_dir / "episodes" / name
    path.write_text(f"+++\n{front}+++\n\n{body}", encoding="utf-8")
    return path


def _audio(show_dir: Path, name: str = "cbr.mp3") -> str:
    (show_dir / "media" / name).write_bytes((FIXTURES / name).read_bytes())
    return f"media/{name}"


GOOD = 'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00+01:00\naudio = "{audio}"\n'


def test_episode_file_loads(show_dir: Path) -> None:
    audio = _audio(show_dir)
    _episode(show_dir, "0001-one.md", GOOD.format(audio=audio) + 'season = 2\nnumber = 5\ntype = "bonus"\n')
    (episode,) = load_episodes(load_show(show_dir))
    assert (episode.guid, episode.title, episode.season, episode.number, episode.type) == (
        "g-1",
        "One",
        2,
        5,
        "bonus",
    )
    assert episode.date.utcoffset() is not None
    assert episode.notes == "Notes.\n"
    assert episode.slug == "one"


@pytest.mark.parametrize(
    ("front", "line", "expected"),
    [
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00+01:00\naudio = "{audio}"\nseasn = 1\n',
            6,
            "seasn is not a known key; did you mean 'season'?",
        ),
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00\naudio = "{audio}"\n',
            4,
            "has no timezone",
        ),
        (
            'guid = "g-1"\ntitle = "One"\ndate = "yesterday"\naudio = "{audio}"\n',
            4,
            "must be a TOML date-time",
        ),
        ('guid = "g-1"\ntitle = "One"\ndate = 2026-13-02T10:00:00Z\naudio = "{audio}"\n', 4, "invalid TOML"),
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00Z\naudio = "../outside.mp3"\n',
            5,
            "outside the show folder",
        ),
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00Z\naudio = "media/missing.mp3"\n',
            5,
            "not found",
        ),
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00Z\naudio = "{audio}"\ntype = "teaser"\n',
            6,
            "type must be one of full, trailer, bonus",
        ),
        (
            'guid = "g-1"\ntitle = "One"\ndate = 2026-01-02T10:00:00Z\naudio = "{audio}"\nnumber = 0\n',
            6,
            "number must be 1 or more",
        ),
    ],
)
def test_bad_front_matter_names_file_and_line(show_dir: Path, front: str, line: int, expected: str) -> None:
    audio = _audio(show_dir)
    (show_dir.parent / "outside.mp3").write_bytes(b"x")
    _episode(show_dir, "0001-one.md", front.format(audio=audio))
    with pytest.raises(ConfigError) as info:
        load_episodes(load_show(show_dir))
    assert expected in str(info.value)
    assert str(info.value).startswith(f"episodes/0001-one.md:{line}:")


def test_audio_symlink_out_of_the_show_is_refused(show_dir: Path) -> None:
    secret = show_dir.parent / "secret.mp3"
    secret.write_bytes((FIXTURES / "cbr.mp3").read_bytes())
    (show_dir / "media" / "link.mp3").symlink_to(secret)
    _episode(show_dir, "0001-one.md", GOOD.format(audio="media/link.mp3"))
    with pytest.raises(ConfigError, match="outside the show folder"):
        load_episodes(load_show(show_dir))


def test_front_matter_fences_are_required(show_dir: Path) -> None:
    (show_dir / "episodes" / "0001-x.md").write_text("guid = 'x'\n")
    with pytest.raises(ConfigError, match=r"episodes/0001-x.md:1: an episode file must start with a '\+\+\+' line"):
        load_episodes(load_show(show_dir))
    (show_dir / "episodes" / "0001-x.md").write_text("+++\nguid = 'x'\n")
    with pytest.raises(ConfigError, match="never closed"):
        load_episodes(load_show(show_dir))


def test_duplicate_guids_are_refused(show_dir: Path) -> None:
    audio = _audio(show_dir)
    _episode(show_dir, "0001-one.md", GOOD.format(audio=audio))
    _episode(show_dir, "0002-two.md", GOOD.format(audio=audio).replace('"One"', '"Two"'))
    with pytest.raises(ConfigError, match=r"episodes/0002-two.md: guid 'g-1' is also used by episodes/0001-one.md"):
        load_episodes(load_show(show_dir))
