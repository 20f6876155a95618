"""`podpub config`: every setting of a show, its value and where it comes from.

With inheritance a value can come from three places — the show's `podcast.toml`, the workspace's
`podpub.toml` or podpub's default — and a producer debugging "why does this show publish there?"
needs to see which, with the line to edit.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from podpub.network.inherit import MERGED_TABLES, value_sources
from podpub.network.workspace import WORKSPACE_CONFIG, find_network, load_show_in
from podpub.podcasts import config as show_config
from podpub.podcasts.model import PublishSettings, SiteSettings
from podpub.tomlfiles import key_line, parse_toml

# Defaults of the top-level keys that have one (the others are required or optional without default).
_TOP_DEFAULTS: dict[str, object] = {
    "description": "", "explicit": False, "type": "episodic", "locked": True, "medium": "podcast",
    "block": False, "complete": False,
}  # fmt: skip
_TABLE_KEYS = {"owner": ("name", "email"), "publish": show_config.PUBLISH_KEYS, "site": show_config.SITE_KEYS}
_TABLE_DEFAULTS = {"publish": PublishSettings(base_url=""), "site": SiteSettings()}


def _default(table: str | None, key: str) -> object:
    if table is None:
        return _TOP_DEFAULTS.get(key)
    model = _TABLE_DEFAULTS.get(table)
    if model is None or key not in {f.name for f in fields(model)}:
        return None
    value = getattr(model, key)
    return None if value in ((), "") else value


def effective_settings(directory: Path) -> list[dict[str, Any]]:
    """One row per known key: key, value, source ("show", "workspace", "default") and the file:line."""
    show = load_show_in(directory)  # every value checked first: this lists a valid configuration
    network = find_network(show.root)
    show_label = show_config.CONFIG_NAME
    defaults: dict[str, Any] = {}
    workspace_text = ""
    if network is not None and show.slug is not None:
        defaults = network.defaults.expanded(show.slug)
        workspace_text = network.defaults.text
        show_label = network.label(show.slug)
    text = show_config.read_config_text(show.root, show_label)
    data = parse_toml(text, show_label)
    sources = value_sources(data, defaults)
    rows: list[dict[str, Any]] = []
    keys: list[tuple[str | None, str]] = [
        (None, key) for key in sorted(show_config.TOP_KEYS - MERGED_TABLES)
    ] + [(table, key) for table in ("owner", "publish", "site") for key in sorted(_TABLE_KEYS[table])]
    for table, key in keys:
        path = f"{table}.{key}" if table else key
        source = sources.get(path)
        if source is not None:
            origin = data if source == "show" else defaults
            value = origin[table][key] if table else origin[key]
            file_text, label = (text, show_label) if source == "show" else (workspace_text, WORKSPACE_CONFIG)
            line = key_line(file_text, key, table)
            rows.append({"key": path, "value": value, "source": source, "where": f"{label}:{line}" if line else label})
            continue
        value = _default(table, key)
        if value is not None:
            rows.append({"key": path, "value": value, "source": "default", "where": ""})
    return rows
