"""The manifest: what a target holds that podpub put there.

It lives beside the published files at `.podpub/manifest.json`. Comparing it with the site to
publish tells which files changed without reading the target file by file, and it is the record of
what podpub owns, so `--prune` never deletes a file someone else put there. It holds no timestamps:
publishing an unchanged show must write nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from podpub import __version__
from podpub.errors import OperationError

MANIFEST_KEY = ".podpub/manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int
    content_type: str


@dataclass
class Manifest:
    files: dict[str, Entry] = field(default_factory=dict)
    feed: str = "feed.xml"

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "generator": "podpub",
            "feed": self.feed,
            "files": {
                key: {"sha256": e.sha256, "size": e.size, "content_type": e.content_type}
                for key, e in sorted(self.files.items())
            },
        }
        return (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")

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
            return cls(files=files, feed=str(data.get("feed", "feed.xml")))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OperationError(
                f"{where}: unreadable podpub manifest ({exc}); written by a newer podpub "
                f"than {__version__}? Upgrade podpub, or delete it to republish everything"
            ) from None
