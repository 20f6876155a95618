"""ASCII names for files and URLs.

Apple asks for URLs made of a-z, A-Z and 0-9 and apps fail on spaces and non-ASCII in enclosure
URLs, so every name podpub publishes goes through here: accents are folded (é → e), everything
else becomes a dash.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "episode", max_length: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub("-", folded).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or fallback
