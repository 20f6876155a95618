"""The messy values real feeds write: durations, flags, dates, numbers, URLs, escaped notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from podpub.importer.values import (
    absolute,
    looks_like_html,
    parse_count,
    parse_date,
    parse_duration,
    parse_flag,
    parse_length,
    unescape_twice_escaped,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3723", 3723),
        ("01:02:03", 3723),
        ("1:02:03", 3723),
        ("62:03", 3723),  # MM:SS with minutes past 59
        ("02:03", 123),
        ("0:05", 5),
        ("00:00:05", 5),
        ("1:02:03.5", 3723.5),
        ("90.25", 90.25),
        (" 45 ", 45),
    ],
)
def test_durations_in_every_form_feeds_use(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", None, "about five minutes", "1h02m", "12:75", "1:60:00", "0", "00:00:00", "-5", "99999999", "1:2:3:4"]
)
def test_duration_garbage_is_none(text: str | None) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("Yes", True), ("true", True), ("explicit", True), ("no", False), ("No", False),
     ("false", False), ("clean", False), ("CLEAN", False), ("maybe", None), ("", None), (None, None)],
)  # fmt: skip
def test_explicit_flags(text: str | None, value: bool | None) -> None:
    assert parse_flag(text) is value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 10 Jan 2024 22:00:00 GMT", datetime(2024, 1, 10, 22, tzinfo=UTC)),
        ("Fri, 05 Jan 2024 07:00:00 -0500", datetime(2024, 1, 5, 7, tzinfo=timezone(timedelta(hours=-5)))),
        ("Fri, 5 Jan 2024 10:00 +0100", datetime(2024, 1, 5, 9, tzinfo=UTC)),  # no seconds
        ("5 Jan 2024 10:00:00 +0000", datetime(2024, 1, 5, 10, tzinfo=UTC)),  # no weekday
        ("Thu, 04 Jan 2024 10:00:00 EST", datetime(2024, 1, 4, 15, tzinfo=UTC)),  # zone name
        ("Lun, 08 Jan 2024 10:00:00 +0000", datetime(2024, 1, 8, 10, tzinfo=UTC)),  # localized weekday
        ("2024-01-08T10:00:00+01:00", datetime(2024, 1, 8, 9, tzinfo=UTC)),  # ISO 8601 (Atom)
        ("2023-12-31T10:00:00Z", datetime(2023, 12, 31, 10, tzinfo=UTC)),
        ("2024-01-08 10:00:00", datetime(2024, 1, 8, 10, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed == expected


@pytest.mark.parametrize("text", ["sometime last week", "", "32 Jan 2024", "Mon, 99 Foo 2024 10:00:00 +0000"])
def test_date_garbage_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_counts_and_lengths() -> None:
    assert parse_count("12") == 12 and parse_count("3.0") == 3
    assert parse_count("0") is None and parse_count("two") is None and parse_count("1.5") is None
    assert parse_length("40541") == 40541 and parse_length("1,234") == 1234
    assert parse_length("") is None and parse_length("0") is None and parse_length("abc") is None


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("media/one.mp3", "https://old.example/show/feed.xml", "https://old.example/show/media/one.mp3"),
        ("/one.mp3", "https://old.example/show/feed.xml", "https://old.example/one.mp3"),
        ("//cdn.example/one.mp3", "http://old.example/feed", "http://cdn.example/one.mp3"),
        ("//cdn.example/one.mp3", None, "https://cdn.example/one.mp3"),
        ("https://cdn.example/a.mp3", None, "https://cdn.example/a.mp3"),
        ("media/one.mp3", None, None),  # relative without a base: unusable
        ("javascript:alert(1)", "https://old.example/", None),
        ("file:///etc/passwd", "https://old.example/", None),
        ("ftp://old.example/a.mp3", None, None),
        ("", "https://old.example/", None),
    ],
)
def test_absolute_urls(url: str, base: str | None, expected: str | None) -> None:
    assert absolute(url, base) == expected


def test_notes_escaped_twice_are_unescaped_once_and_html_is_left_alone() -> None:
    assert unescape_twice_escaped("&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;") == ("<p>Hi &amp; bye</p>", True)
    assert unescape_twice_escaped("<p>a &lt;b&gt; is shown</p>") == ("<p>a &lt;b&gt; is shown</p>", False)
    assert unescape_twice_escaped("1 &lt; 2") == ("1 &lt; 2", False)
    assert looks_like_html("<p>x</p>") and not looks_like_html("a < b and c > d")
