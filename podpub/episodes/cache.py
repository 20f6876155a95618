"""The media facts podpub records per audio file, so a rebuild does not re-read unchanged audio.

Stored in `.podpub/media-cache.json` inside the show, keyed by the audio path. An entry is trusted
while the file's size and modification time are unchanged; anything else (replaced audio, a
re-encode, a fresh git checkout) makes podpub probe and hash the file again. The cache is derived
data: deleting it only costs time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podpub import canonical
from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.probe import probe_with_sha256
from podpub.fsutil import atomic_write_text, sha256_file

CACHE_VERSION = 1
CACHE_PATH = Path(".podpub") / "media-cache.json"


@dataclass(frozen=True)
class MediaFacts:
    info: MediaInfo
    sha256: str


class MediaCache:
    """Probe results and hashes by file, refreshed when a file's size or mtime changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root_prefix = os.path.realpath(root) + os.sep
        self.path = root / CACHE_PATH
        self._entries: dict[str, dict[str, Any]] = self._read()
        self._dirty = False
        self.probed: list[Path] = []  # files read this run, for --verbose and the tests

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        entries = data.get("files")
        return entries if isinstance(entries, dict) else {}

    def _key(self, path: Path) -> str:
        """The file's path relative to the show (paths from episode files are already resolved)."""
        text = str(path) if path.is_absolute() else os.path.realpath(path)
        if text.startswith(self._root_prefix):
            return text[len(self._root_prefix) :]
        real = os.path.realpath(text)
        return real[len(self._root_prefix) :] if real.startswith(self._root_prefix) else real

    def _cached(self, path: Path, stat: os.stat_result) -> MediaFacts | None:
        """The recorded facts of `path` if its size and mtime are still the recorded ones."""
        entry = self._entries.get(self._key(path))
        if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
            try:
                info = MediaInfo.from_json(entry["info"])
                facts = MediaFacts(info, entry["sha256"])
            except (KeyError, TypeError, ValueError):
                return None  # an entry from another version: probe again
            known = entry.get("digest")
            if isinstance(known, str):
                canonical.remember(info, known)  # build fingerprints need not encode the facts again
            return facts
        return None

    def digest(self, path: Path, info: MediaInfo) -> str:
        """`canonical.digest(info)` for the facts of `path`, kept in its entry once computed.

        A first scan does not compute it (it is not part of probing); the first build does, for its
        fingerprint, and the cache then keeps it, so later builds never encode the facts again.
        """
        known = canonical.digest_of(info)
        entry = self._entries.get(self._key(path))
        if entry is not None and entry.get("digest") != known and MediaInfo.from_json(entry["info"]) == info:
            entry["digest"] = known
            self._dirty = True
        return known

    def facts(self, path: Path) -> MediaFacts:
        """The facts of `path`, from the cache when the file is unchanged, else probed now."""
        stat = path.stat()
        cached = self._cached(path, stat)
        if cached is not None:
            return cached
        self.probed.append(path)
        info, digest = probe_with_sha256(path)
        return self._store(path, stat, info, digest)

    def record(self, path: Path, info: MediaInfo) -> MediaFacts:
        """Store facts already probed (by `add`, which reads each file before copying it in)."""
        return self._store(path, path.stat(), info, sha256_file(path))

    def _store(self, path: Path, stat: os.stat_result, info: MediaInfo, digest: str) -> MediaFacts:
        self._entries[self._key(path)] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": digest,
            "info": info.to_json(),
        }  # "digest" (of the facts) is added when a later run first needs it: a first scan does not
        self._dirty = True
        return MediaFacts(info, digest)

    def save(self) -> None:
        if not self._dirty:
            return
        payload = {"version": CACHE_VERSION, "files": dict(sorted(self._entries.items()))}
        # Compact on purpose: json's C encoder is only used without `indent`, and on a 10,000-episode
        # show the pretty-printed form cost more than the probing of one new file.
        atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._dirty = False
