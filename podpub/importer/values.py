"""Reading the values real feeds write, however they write them.

Each reader returns the value podpub needs, or None with nothing guessed when the text means
nothing (the caller reports it). Accepted: RFC 2822 dates with or without weekday, seconds or zone
name, ISO 8601 dates; durations as seconds, `MM:SS` or `HH:MM:SS` (fractions allowed); `yes`,
`true`, `explicit` / `no`, `false`, `clean` flags.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

_CLOCK = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?(?:[.,](\d+))?$")
_SECONDS = re.compile(r"^\d+(?:[.,]\d+)?$")
_WEEKDAY = re.compile(r"^[^\d,]*,\s*")
_TAG = re.compile(
    r"</?(?:p|br|a|b|i|u|s|em|strong|ul|ol|li|div|span|h[1-6]|blockquote|img|hr|table|tr|td|pre|code|figure)\b[^>]*>",
    re.I,
)
_ESCAPED_TAG = re.compile(
    r"&lt;/?(?:p|br|a|b|i|em|strong|ul|ol|li|div|span|h[1-6])\b.*?&gt;",
    re.I | re.S,
)
_SPACE = re.compile(r"\s+")
MAX_DURATION = 7 * 24 * 3600  # a week: longer is a typo (milliseconds) or garbage

TRUE_WORDS = frozenset({"yes", "true", "explicit", "1", "y"})
FALSE_WORDS = frozenset({"no", "false", "clean", "0", "n", "not explicit"})


def one_line(text: str | None) -> str:
    """Whitespace runs (newlines included) squeezed to one space, ends stripped."""
    return _SPACE.sub(" ", text or "").strip()


def parse_date(text: str | None) -> datetime | None:
    """A timezone-aware datetime from an RSS or Atom date, None when it is not one.

    A date without a zone is taken as UTC (RFC 2822's `-0000`, ISO dates without an offset).
    """
    value = one_line(text)
    if not value:
        return None
    candidates = [value, _WEEKDAY.sub("", value)]
    for candidate in candidates:
        try:
            parsed = parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError):
            continue
        if parsed is not None:
            return _aware(parsed)
    iso = value.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", value) else value
    try:
        return _aware(datetime.fromisoformat(iso.replace("z", "Z")))
    except ValueError:
        return None


def _aware(value: datetime) -> datetime:
    value = value.replace(microsecond=0)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_duration(text: str | None) -> float | None:
    """Seconds from `3723`, `62:03`, `1:02:03` or `1:02:03.5`; None for anything else."""
    value = one_line(text)
    if not value:
        return None
    if _SECONDS.match(value):
        seconds = float(value.replace(",", "."))
    else:
        match = _CLOCK.match(value)
        if not match:
            return None
        first, second, third, fraction = match.groups()
        if third is None:  # MM:SS (minutes may pass 59)
            if int(second) > 59:
                return None
            seconds = int(first) * 60 + int(second)
        else:
            if int(second) > 59 or int(third) > 59:
                return None
            seconds = int(first) * 3600 + int(second) * 60 + int(third)
        if fraction:
            seconds += float("0." + fraction)
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_DURATION:
        return None
    return seconds


def parse_flag(text: str | None) -> bool | None:
    """True for yes/true/explicit, False for no/false/clean, None when absent or meaningless."""
    value = one_line(text).lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def parse_count(text: str | None) -> int | None:
    """A whole number ≥ 1 (season, episode number); `12.0` is 12, anything else None."""
    value = one_line(text)
    match = re.match(r"^(\d+)(?:\.0+)?$", value)
    if not match:
        return None
    number = int(match.group(1))
    return number if number >= 1 else None


def parse_length(text: str | None) -> int | None:
    """An enclosure length in bytes, None when missing, zero or not a number."""
    value = one_line(text).replace(",", "")
    if not value.isdigit():
        return None
    number = int(value)
    return number if number > 0 else None


def absolute(url: str | None, base: str | None) -> str | None:
    """`url` made absolute: relative to `base`, protocol-relative (`//cdn...`) given `base`'s scheme (https
    without one). None unless the result is an http(s) URL with a host."""
    value = (url or "").strip()
    if not value:
        return None
    if value.startswith("//"):
        scheme = urlsplit(base).scheme if base else ""
        value = (scheme if scheme in ("http", "https") else "https") + ":" + value
    elif base and not urlsplit(value).scheme:
        value = urljoin(base, value)
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def unescape_twice_escaped(text: str) -> tuple[str, bool]:
    """Notes escaped twice (`&lt;p&gt;` visible as text) back to HTML; (text, whether it was)."""
    if not looks_like_html(text) and _ESCAPED_TAG.search(text):
        return html.unescape(text), True
    return text, False


def step_back(date: datetime, seconds: int = 1) -> datetime:
    return date - timedelta(seconds=seconds)
