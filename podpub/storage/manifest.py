"""The manifest: what a target holds that podpub put there, and which episodes are live.

Comparing it with the site to publish tells which files changed without reading the target file
by file; it is the record of what podpub owns, so `--prune` never deletes a file someone else put
there; and its episode list lets podpub refuse to drop an episode that another copy of the show
published. It holds no timestamps: publishing an unchanged show writes nothing.

Concurrent publishers are told apart by numbered generations: each publish creates
`.podpub/manifests/<N+1>.json` with a create-only write (S3 `If-None-Match: *`), which exactly one
writer can win, before it touches the feed. `.podpub/manifest.json` is a copy of the newest
generation, so that an unchanged publish costs one GET.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from podpub import __version__
from podpub.errors import OperationError
from podpub.storage.base import Target

MANIFEST_KEY = ".podpub/manifest.json"
GENERATIONS_PREFIX = ".podpub/manifests/"
MANIFEST_VERSION = 1
MANIFEST_TYPE = "application/json"
MANIFEST_CACHE_CONTROL = "no-cache"


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class Manifest:
    files: dict[str, Entry] = field(default_factory=dict)
    episodes: dict[str, str] = field(default_factory=dict)  # guid -> title, those in the live feed
    feed: str = "feed.xml"
    generation: int = 0

    def content_equals(self, other: Manifest | None) -> bool:
        """Same files and episodes, whatever the generation number."""
        return other is not None and replace(other, generation=self.generation) == self

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "generator": "podpub",
            "generation": self.generation,
            "feed": self.feed,
            "episodes": dict(sorted(self.episodes.items())),
            "files": {
                key: {"sha256": e.sha256, "size": e.size, "content_type": e.content_type}
                for key, e in sorted(self.files.items())
            },
        }
        # Compact: json's C encoder only runs without `indent`, and a 10,000-episode show's manifest
        # (20,000 files) is written twice per publish.
        return (json.dumps(data, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes, where: str) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("version") != MANIFEST_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            files = {
                str(key): Entry(str(v["sha256"]), int(v["size"]), str(v["content_type"]))
                for key, v in data["files"].items()
            }
            episodes = {str(k): str(v) for k, v in data.get("episodes", {}).items()}
            feed = str(data.get("feed", "feed.xml"))
            for key in (feed, *files):
                _check_key(key)
            return cls(files, episodes, feed, int(data.get("generation", 0)))
        except UnsafeKey as exc:
            raise OperationError(
                f"{where}: the manifest lists {exc.key!r}, a key outside the site's folder; podpub never writes "
                "such a key, so the manifest was edited or damaged: restore it, or delete it to republish everything"
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OperationError(
                f"{where}: unreadable podpub manifest ({exc}); written by a newer podpub "
                f"than {__version__}? Upgrade podpub, or delete it to republish everything"
            ) from None


class UnsafeKey(ValueError):
    """A manifest key that could name a file outside the target's folder or prefix."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _check_key(key: str) -> None:
    """Refuse a key podpub could not have written: absolute, with `.`/`..`/empty parts, a backslash or
    a control character. Prune deletes and verify re-uploads what the manifest lists, and a store that
    normalises paths (or a folder target) would take `media/../../x` outside the prefix."""
    if _UNSAFE_KEY.search(key):
        raise UnsafeKey(key)


# An empty, `.` or `..` part (a leading, trailing or doubled `/` included, and the empty key), a backslash
# or a control character. One regular expression: the manifest of a 10,000-episode show lists 20,000
# keys, read on every build and publish, and a loop over each key's characters was a tenth of a rebuild.
_UNSAFE_KEY = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|[\x00-\x1f\x7f\\]")


def generation_key(generation: int) -> str:
    return f"{GENERATIONS_PREFIX}{generation:08d}.json"


def _read(target: Target, key: str) -> Manifest | None:
    raw = target.get_bytes(key)
    return None if raw is None else Manifest.from_bytes(raw, f"{target.description}/{key}")


def read_current(target: Target) -> Manifest | None:
    """What the target says is live (one GET), or None for a target podpub never published to."""
    return _read(target, MANIFEST_KEY)


def read_newest(target: Target, current: Manifest | None) -> Manifest | None:
    """Follow generations newer than `current`: another publisher, or a run of ours that stopped
    between claiming its generation and updating the copy. Usually one GET that finds nothing."""
    newest = current
    generation = current.generation if current else 0
    while (found := _read(target, generation_key(generation + 1))) is not None:
        newest, generation = found, found.generation
    return newest


def claim(target: Target, manifest: Manifest) -> bool:
    """Create this manifest's generation; False when another publisher created it first.

    A refusal is checked against what is there: when a connection drops after the store created
    the object, the SDK retries the create-only write, and the store refuses it because of our own
    first attempt. Identical bytes mean the generation is ours (or another copy's with exactly the
    same content, which publishes the same feed).
    """
    key = generation_key(manifest.generation)
    data = manifest.to_bytes()
    if target.put_bytes(key, data, MANIFEST_TYPE, MANIFEST_CACHE_CONTROL, create_only=True):
        return True
    return target.get_bytes(key) == data


def write_current(target: Target, manifest: Manifest) -> None:
    target.put_bytes(MANIFEST_KEY, manifest.to_bytes(), MANIFEST_TYPE, MANIFEST_CACHE_CONTROL)
