"""Episode files: TOML front matter between `+++` lines, then Markdown show notes.

The same convention as Hugo and Zola, so producers' editors already highlight it. Edits go through
tomlkit so a producer's comments and key order survive.
"""

from __future__ import annotations

from dataclasses import dataclass

import tomlkit

from podpub.errors import ConfigError

FENCE = "+++"


@dataclass(frozen=True)
class EpisodeText:
    """An episode file split into its parts; `line_offset` maps TOML lines to file lines."""

    front_matter: str
    body: str
    line_offset: int = 1


def split(text: str, where: str) -> EpisodeText:
    """Split an episode file, with a one-line error when the fences are missing."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [line + "\n" for line in text.split("\n")]  # TOML's line breaks only: not U+2028, U+0085 or FF
    lines[-1] = lines[-1][:-1]
    if not lines or lines[0].strip() != FENCE:
        raise ConfigError(f"{where}:1: an episode file must start with a '+++' line, then TOML, then '+++'")
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return EpisodeText(front_matter=front, body=body.strip("\n") + ("\n" if body.strip() else ""))
    raise ConfigError(f"{where}:1: the front matter opened with '+++' is never closed; add a '+++' line after it")


def join(front_matter: str, body: str) -> str:
    front = front_matter if front_matter.endswith("\n") else front_matter + "\n"
    text = f"{FENCE}\n{front}{FENCE}\n"
    if body.strip():
        text += "\n" + body.strip("\n") + "\n"
    return text


def new_front_matter(values: dict[str, object]) -> str:
    """Front matter for a new episode, keys in the order a producer reads them."""
    doc = tomlkit.document()
    for key, value in values.items():
        if value is not None:
            doc.add(key, value)
    return tomlkit.dumps(doc)
