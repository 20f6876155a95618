"""Checks on show and episode artwork before it is published.

Apple rejects art whose bytes do not match its extension and wants square JPEG or PNG of 1400 to
3000 px; the format must come from the file's bytes, since the published name gets the real
extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from podpub.errors import InputError

_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


@dataclass(frozen=True)
class Artwork:
    path: Path
    extension: str  # ".jpg" or ".png", from the bytes
    width: int
    height: int
    warnings: tuple[str, ...]


def check_artwork(path: Path, label: str) -> Artwork:
    try:
        with Image.open(path) as image:
            fmt, (width, height), mode = image.format, image.size, image.mode
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except (UnidentifiedImageError, OSError):
        raise InputError(f"{label}: not an image; use a square JPEG or PNG, 1400 to 3000 px") from None
    if fmt not in _EXTENSIONS:
        raise InputError(f"{label}: {fmt} image; Apple accepts only JPEG or PNG, convert it")
    warnings = []
    if width != height:
        warnings.append(f"{label}: {width}x{height} px is not square; Apple requires square artwork")
    if not min(width, height) >= 1400 or max(width, height) > 3000:
        warnings.append(f"{label}: {width}x{height} px; Apple wants 1400 to 3000 px")
    if mode not in ("RGB", "L", "P"):
        warnings.append(f"{label}: colour mode {mode}; Apple wants RGB without transparency")
    return Artwork(path, _EXTENSIONS[fmt], width, height, tuple(warnings))
