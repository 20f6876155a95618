"""Network defaults: the part of `podpub.toml` every show inherits and may override.

The merge happens on the TOML data, before the show's strict reading, so an inherited value is
checked exactly like one written in `podcast.toml` — and an error about it names `podpub.toml` and
its line (`Inherited`), where the producer must fix it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podpub.errors import ConfigError
from podpub.tomlfiles import Inherited, key_line

# Keys a show inherits: who makes it and where it goes, never what identifies it (title, guid).
INHERITABLE = frozenset(
    {
        "author", "copyright", "language", "categories", "explicit", "locked", "medium", "license", "license_url",
        "funding", "owner", "publish", "site",
    }
)  # fmt: skip
# Tables merged key by key (a show overrides `publish.target` and keeps the network's endpoint);
# every other value, arrays of tables included, is replaced whole.
MERGED_TABLES = frozenset({"owner", "publish", "site"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("slug",)


@dataclass(frozen=True)
class ShowDefaults:
    """The inheritable values of `podpub.toml`, with templates such as `s3://bucket/{slug}`."""

    data: Mapping[str, Any]
    where: str  # the file named in errors, e.g. "podpub.toml"
    text: str

    def check_templates(self) -> None:
        """Fail at load time on a placeholder podpub does not know, naming its line."""
        for path, value in _strings(self.data):
            for name in _PLACEHOLDER.findall(value):
                if name not in PLACEHOLDERS:
                    *table, key = path.split(".")
                    line = key_line(self.text, key, table[0] if table else None)
                    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    raise ConfigError(
                        f"{self.where}:{line}: {path} uses {{{name}}}, which podpub does not know; "
                        f"the placeholders are {known}"
                    )

    def expanded(self, slug: str) -> dict[str, Any]:
        """The defaults as one show sees them: every `{slug}` replaced by its folder name."""
        return _expand(copy.deepcopy(dict(self.data)), slug)

    def merge(self, show_data: Mapping[str, Any], slug: str) -> tuple[dict[str, Any], Inherited]:
        """The show's data over the network's; `Inherited` lists the values that came from the network."""
        merged = self.expanded(slug)
        inherited = {key for key in merged if key not in MERGED_TABLES}
        for table in MERGED_TABLES & merged.keys():
            if isinstance(merged[table], dict):
                inherited |= {f"{table}.{key}" for key in merged[table]}
        for key, value in show_data.items():
            if key in MERGED_TABLES and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
                inherited -= {f"{key}.{sub}" for sub in value}
            else:
                merged[key] = value
                inherited.discard(key)
        return merged, Inherited(self.where, self.text, frozenset(inherited))


def _strings(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, str):
            found.append((path, value))
        elif isinstance(value, dict):
            found.extend(_strings(value, path + "."))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    found.append((path, item))
                elif isinstance(item, dict):
                    found.extend(_strings(item, path + "."))
    return found


def _expand(value: Any, slug: str) -> Any:
    if isinstance(value, str):
        return value.replace("{slug}", slug)
    if isinstance(value, dict):
        return {key: _expand(item, slug) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, slug) for item in value]
    return value


def value_sources(show_data: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, str]:
    """Where each set key came from: "show" (podcast.toml) or "workspace" (podpub.toml)."""
    sources: dict[str, str] = {}
    for origin, data in (("workspace", defaults), ("show", show_data)):
        for key, value in data.items():
            if key in MERGED_TABLES and isinstance(value, dict):
                for sub in value:
                    sources[f"{key}.{sub}"] = origin
            else:
                sources[key] = origin
    return sources
