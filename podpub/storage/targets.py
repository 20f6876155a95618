"""Choosing a target from `--to` or `[publish] target`."""

from __future__ import annotations

import re
from pathlib import Path

from podpub.errors import InputError
from podpub.storage.base import Target
from podpub.storage.local import local_target_from

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_target(spec: str | None, show_root: Path) -> Target:
    if not spec:
        raise InputError(
            "no publish target; pass --to DIR (or file:///path) or set target in [publish] of podcast.toml"
        )
    match = _SCHEME.match(spec)
    scheme = match.group(1).lower() if match else "file"
    if scheme == "file":
        return local_target_from(spec, show_root)
    raise InputError(f"target {spec!r}: unsupported scheme {scheme!r}; use a folder path or a file:// URL")
