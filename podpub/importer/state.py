"""What a show already holds, for an import that must only add: episode GUIDs and earlier imports.

Episode files are read leniently here (only their front matter's TOML), so one episode the producer
is halfway through editing does not stop an import; the build checks them strictly anyway.

`.podpub/import/items.json` records, per GUID, what the feed said when the item was imported. A
later import compares the feed with it to report what changed upstream; the episode files are
never rewritten from it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from podpub.episodes import frontmatter
from podpub.errors import InputError
from podpub.fsutil import atomic_write_text
from podpub.importer.records import ItemRecord

STATE_PATH = Path(".podpub") / "import" / "items.json"
PARTIAL_DIR = Path(".podpub") / "import" / "partial"


@dataclass(frozen=True)
class ExistingEpisode:
    path: Path
    guid: str
    title: str
    date: datetime | None
    audio_url: str | None  # set when the episode's audio is still on the old host


def existing_episodes(root: Path) -> dict[str, ExistingEpisode]:
    """Episode files by GUID (files whose front matter does not parse are skipped)."""
    folder = root / "episodes"
    found: dict[str, ExistingEpisode] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        try:
            parts = frontmatter.split(path.read_text(encoding="utf-8"), path.name)
            data = tomllib.loads(parts.front_matter)
        except (OSError, UnicodeDecodeError, InputError, tomllib.TOMLDecodeError):
            continue
        guid = data.get("guid")
        if isinstance(guid, str) and guid.strip():
            date = data.get("date")
            url = data.get("audio_url")
            found.setdefault(
                guid.strip(),
                ExistingEpisode(
                    path,
                    guid.strip(),
                    str(data.get("title", "")),
                    date if isinstance(date, datetime) else None,
                    url if isinstance(url, str) and "audio" not in data else None,
                ),
            )
    return found


def fingerprint(item: ItemRecord) -> dict[str, Any]:
    """What an item said, for "changed upstream" reports."""
    enclosure = item.enclosure
    return {
        "title": item.title,
        "date": item.date.isoformat() if item.date and not item.date_guessed else None,
        "enclosure": enclosure.url if enclosure else None,
        "length": enclosure.length if enclosure else None,
        "notes": hashlib.sha256(item.notes.encode("utf-8")).hexdigest()[:16],
    }


_FIELD_NAMES = {"title": "title", "date": "date", "enclosure": "audio URL", "length": "audio length", "notes": "notes"}


def changes(before: dict[str, Any], item: ItemRecord) -> list[str]:
    """What differs between an earlier import's fingerprint and the item now, in words."""
    now = fingerprint(item)
    result = []
    for key, name in _FIELD_NAMES.items():
        if key in before and before[key] != now[key]:
            if key in ("title", "date"):
                result.append(f"{name} {before[key]!r} -> {now[key]!r}")
            else:
                result.append(name)
    return result


class ImportState:
    """The fingerprints of imported items, saved only when something was added."""

    def __init__(self, root: Path) -> None:
        self.path = root / STATE_PATH
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        items = data.get("items") if isinstance(data, dict) else None
        self.items: dict[str, dict[str, Any]] = items if isinstance(items, dict) else {}
        self._dirty = False

    def record(self, guid: str, item: ItemRecord) -> None:
        self.items[guid] = fingerprint(item)
        self._dirty = True

    def save(self) -> None:
        if self._dirty:
            payload = {"version": 1, "items": dict(sorted(self.items.items()))}
            atomic_write_text(self.path, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
            self._dirty = False
