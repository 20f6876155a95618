"""Strict reading of the TOML files producers edit by hand.

Both `podcast.toml` and episode front matter are checked against a schema so that a misspelt key
(`titel`, `explict`) is an error naming the file and line instead of a silently ignored setting.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from podpub.errors import ConfigError
from podpub.feeds.text import clean_text

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
#: The longest text value podpub takes: far past any real title or name, and far below what breaks XML
#: parsers (libxml2 refuses a text node over 10 MB, so a giant tag would make the whole feed unreadable).
MAX_TEXT_CHARS = 65_536


def parse_toml(text: str, where: str, line_offset: int = 0) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into `where:LINE: ...` with the producer's line number."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_LINE.search(message)
        reason = _TOML_LINE.sub("", message).strip().rstrip(".")
        if match:
            line = int(match.group(1)) + line_offset
            raise ConfigError(f"{where}:{line}: invalid TOML: {reason}; fix the syntax on that line") from None
        last = max(1, len(text.split("\n"))) + line_offset  # "at end of document": the last line is cut short
        raise ConfigError(f"{where}:{last}: invalid TOML: {reason}; fix the syntax on that line") from None


def key_line(text: str, key: str, table: str | None = None, line_offset: int = 0, occurrence: int = 0) -> int | None:
    """The line where `key` is set (inside `[table]`, or the n-th `[[table]]`), for error messages.

    tomllib keeps no positions, so this scans the text: good enough for the flat files podpub
    reads, and it only decorates a message, never decides anything.
    """
    current: str | None = None
    seen: dict[str, int] = {}
    header_line: int | None = None
    key_re = re.compile(rf"""^\s*(?:"{re.escape(key)}"|'{re.escape(key)}'|{re.escape(key)})\s*=""")
    dotted = re.compile(rf"^\s*{re.escape(table)}\.{re.escape(key)}\s*=") if table else None
    for number, line in enumerate(text.split("\n"), start=1):  # TOML's lines, not U+2028 or U+0085
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            name = header.group(1)
            index = seen.get(name, -1) + 1
            seen[name] = index
            current = name if (name != table or index == occurrence) else f"{name}#{index}"
            if current == table:
                header_line = number
            if name == (f"{table}.{key}" if table else key):  # the key is itself a table: [[soundbites]]
                return number + line_offset
            continue
        if current == table and (key_re.match(line) or _sets_key(line, key)):
            return number + line_offset
        if dotted and current is None and dotted.match(line):
            return number + line_offset
    if header_line is not None:
        return header_line + line_offset
    if table is not None:
        return key_line(text, table, None, line_offset)
    return None


def _sets_key(line: str, key: str) -> bool:
    """Whether `line` sets `key` written quoted with escapes (`"a\\u0010b" = 1`), which the regex cannot see."""
    if "=" not in line or not key.strip("\0"):
        return False
    try:
        return key in tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return False


def _top_level_end(text: str) -> int:
    """The last line of the keys before the first `[table]`: where a missing top-level key goes."""
    lines = text.split("\n")
    first = next((n for n, line in enumerate(lines, start=1) if re.match(r"^\s*\[", line)), len(lines) + 1)
    return max(1, first - 1)


def _shown(key: str) -> str:
    """A key as a message shows it: bare when it is one, else quoted with control characters escaped."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else repr(key)


@dataclass(frozen=True)
class Inherited:
    """Which values of a merged table came from another file (a workspace's `podpub.toml`).

    Errors about those values must name that file and its line, not the show's own file.
    """

    where: str
    text: str
    paths: frozenset[str]  # dotted key paths: "language", "publish.target", "site.links"


@dataclass
class Fields:
    """Typed access to one TOML table with errors that name the file, line and key."""

    data: Mapping[str, Any]
    where: str
    text: str
    table: str | None = None
    line_offset: int = 0
    occurrence: int | None = None  # for an entry of an array of tables ([[persons]]): its index
    inherited: Inherited | None = None

    @property
    def _name(self) -> str | None:
        if self.table is None:
            return None
        return f"{self.table}[{self.occurrence + 1}]" if self.occurrence is not None else self.table

    def _source(self, key: str) -> tuple[str, str, int]:
        """The file, text and line offset a key's value was read from."""
        if self.inherited is not None:
            path = f"{self.table}.{key}" if self.table else key
            if path in self.inherited.paths or (self.table is not None and self.table in self.inherited.paths):
                return self.inherited.where, self.inherited.text, 0
        return self.where, self.text, self.line_offset

    def _loc(self, key: str) -> str:
        where, text, offset = self._source(key)
        line = key_line(text, key, self.table, offset, self.occurrence or 0)
        if line is None and self.table is None:  # a key that is not there: where it belongs
            line = _top_level_end(text) + offset
        name = f"{self._name}.{_shown(key)}" if self._name else _shown(key)
        return f"{where}:{line}: {name}" if line else f"{where}: {name}"

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self._loc(key)} {problem}")

    def check_known(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(allowed))}"
                raise self.fail(key, f"is not a known key; {hint}")

    def _get(self, key: str, kind: type | tuple[type, ...], kind_name: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                name = f"{self._name}.{key}" if self._name else key
                if self.table:  # the table's header, or the end of the file when the table is missing too
                    line = key_line(self.text, "\0", self.table, self.line_offset, self.occurrence or 0)
                    line = line or max(1, len(self.text.split("\n"))) + self.line_offset
                else:
                    line = _top_level_end(self.text) + self.line_offset
                where = f"{self.where}:{line}" if line else self.where
                raise ConfigError(f"{where}: missing required key {name!r}; add it")
            return None
        value = self.data[key]
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"must be {kind_name}, not true/false")
        if not isinstance(value, kind):
            raise self.fail(key, f"must be {kind_name}, got {type(value).__name__} {value!r}")
        return value

    def text_value(self, key: str, required: bool = False, allow_empty: bool = False) -> str | None:
        value = self._get(key, str, "a string", required)
        if value is not None:
            value = value.strip()
            if not value and not allow_empty:
                if required:
                    raise self.fail(key, "must not be empty")
                return None
            if required and not clean_text(value):  # what the feed keeps of it: nothing an app can show
                raise self.fail(key, "has only control characters; write a visible value")
            if len(value) > MAX_TEXT_CHARS:
                raise self.fail(key, f"is {len(value)} characters; podpub takes at most {MAX_TEXT_CHARS}")
        return value

    def bool_value(self, key: str, default: bool | None = None) -> bool | None:
        value = self._get(key, bool, "true or false", False)
        return default if value is None else value

    def int_value(self, key: str, minimum: int | None = None) -> int | None:
        value = self._get(key, int, "a whole number", False)
        if value is not None and minimum is not None and value < minimum:
            raise self.fail(key, f"must be {minimum} or more, got {value}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text_value(key)
        if value is None:
            return default
        if value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def string_list(self, key: str) -> list[str]:
        value = self._get(key, (list, str), "a list of strings", False)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of strings")
        return list(value)

    def datetime_value(self, key: str, required: bool = False) -> datetime | None:
        value = self._get(key, (datetime, str), "a date and time with a timezone", required)
        if isinstance(value, str):
            raise self.fail(
                key, f"must be a TOML date-time without quotes, e.g. 2026-11-30T09:00:00+01:00, got {value!r}"
            )
        if value is not None and value.tzinfo is None:
            raise self.fail(key, f"{value.isoformat()} has no timezone; add an offset such as +01:00 or Z")
        return value

    def table_value(self, key: str) -> Mapping[str, Any]:
        value = self._get(key, dict, "a table", False)
        return value if value is not None else {}

    def number_value(self, key: str, minimum: float | None = None, required: bool = False) -> float | None:
        value = self._get(key, (int, float), "a number", required)
        if value is not None and minimum is not None and value < minimum:
            raise self.fail(key, f"must be {minimum:g} or more, got {value}")
        return None if value is None else float(value)

    def url_value(self, key: str, required: bool = False, https: bool = False) -> str | None:
        """An absolute URL; `https` for the podcast namespace, which requires it for every link."""
        value = self.text_value(key, required=required)
        if value is None:
            return None
        scheme = ("https://",) if https else ("https://", "http://")
        if not value.startswith(scheme) or len(value) <= len(scheme[0]) or any(c.isspace() for c in value):
            raise self.fail(key, f"must be an {'https' if https else 'http(s)'}:// URL, got {value!r}")
        return value

    def sub(self, key: str) -> Fields | None:
        """The table at `key` (e.g. [location]) as Fields of its own, or None when absent."""
        if key not in self.data:
            return None
        self._get(key, dict, "a table", False)
        return Fields(self.data[key], self.where, self.text, key, self.line_offset, inherited=self.inherited)

    def table_list(self, key: str) -> list[Fields]:
        """The entries of an array of tables ([[persons]] ...), each as Fields that name its index."""
        value = self._get(key, list, "an array of tables ([[" + key + "]] blocks)", False)
        if value is None:
            return []
        if not all(isinstance(item, dict) for item in value):
            raise self.fail(key, f"must be an array of tables ([[{key}]] blocks with keys)")
        return [
            Fields(item, self.where, self.text, key, self.line_offset, index, self.inherited)
            for index, item in enumerate(value)
        ]
