"""The canonical form behind every cache key: exact round trips, and a digest that sees every field."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from podpub import canonical
from podpub.episodes.model import Episode
from podpub.feeds.render import FeedEpisode
from podpub.podcasts.model import Show
from tests import test_feed_namespace as rich


def test_round_trip_of_a_rich_show_and_items(tmp_path: Path) -> None:
    show = rich.full_show(tmp_path)
    item = rich.rich_item(tmp_path)
    assert canonical.decode(Show, canonical.encode(show)) == show
    assert canonical.decode(FeedEpisode, canonical.encode(item)) == item
    assert canonical.decode(Episode, canonical.encode(item.episode)) == item.episode


def test_dates_keep_their_offset() -> None:
    paris = datetime(2026, 3, 1, 9, 30, 15, 250, tzinfo=timezone(timedelta(hours=1)))
    decoded = canonical.decode(Episode, canonical.encode(_episode(date=paris)))
    assert decoded.date == paris and decoded.date.utcoffset() == timedelta(hours=1)


def _episode(**changes: object) -> Episode:
    base = Episode(
        source=Path("/show/episodes/0001-a.md"), guid="g", title="T", date=datetime(2026, 1, 1, tzinfo=UTC),
        audio=Path("/show/media/a.mp3"), notes="N",
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


OTHER_VALUES: dict[str, object] = {
    "source": Path("/show/episodes/0002-a.md"), "guid": "h", "title": "U", "date": datetime(2026, 1, 2, tzinfo=UTC),
    "audio": Path("/show/media/b.mp3"), "notes": "M", "season": 2, "number": 3, "type": "bonus", "explicit": True,
    "draft": True, "image": Path("/show/x.jpg"), "image_embedded": True, "chapters_file": Path("/show/c.json"),
    "episode_display": "Un", "block": True, "sha256": "ab" * 32,
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_the_digest_changes_with_every_field(name: str) -> None:
    assert canonical.digest(_episode()) != canonical.digest(_episode(**{name: OTHER_VALUES[name]}))


def test_equal_values_have_equal_digests_and_remembered_ones_are_used() -> None:
    first, second = _episode(), _episode()
    assert first is not second and canonical.digest(first) == canonical.digest(second)
    canonical.remember(first, "remembered")
    assert canonical.digest_of(first) == "remembered"
    assert canonical.digest_of(second) == canonical.digest(second)


def test_unsupported_types_are_refused_when_compiled() -> None:
    @dataclass(frozen=True)
    class Odd:
        a: int
        b: set[int]

    with pytest.raises(TypeError, match="no canonical form"):
        canonical.encode(Odd(1, {2}))


def test_plain_digest_matches_digest_for_json_values() -> None:
    values = ["a", 1, [True, None, 2.5, ["x"]]]
    assert canonical.plain_digest(*values) == canonical.digest(*values)


def test_file_stamp_sees_content_and_identity(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"one")
    first = canonical.file_stamp(path)
    assert first is not None and canonical.file_stamp(path) == first
    path.write_bytes(b"three")
    assert canonical.file_stamp(path) != first
    assert canonical.file_stamp(tmp_path) is None  # not a regular file
    assert canonical.file_stamp(tmp_path / "missing") is None


def test_replaced_equals_dataclasses_replace(tmp_path: Path) -> None:
    episode = rich.rich_item(tmp_path).episode
    changed = canonical.replaced(episode, title="Other", sha256="cd" * 32)
    assert changed == dataclasses.replace(episode, title="Other", sha256="cd" * 32)
    assert episode.title != "Other"  # the original is untouched
    with pytest.raises(TypeError, match="no field 'titel'"):
        canonical.replaced(episode, titel="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.title = "x"  # type: ignore[misc]
