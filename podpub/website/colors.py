"""Colours of the show's website, and the WCAG 2 contrast check that keeps them readable.

The producer may set `accent_color`, `background_color` and `text_color` in `[site]`; podpub refuses
a combination that would fail WCAG AA for normal text (4.5:1), because the accent is the colour of
links and of the subscribe buttons' background, and the text colour is everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: WCAG 2.x level AA for normal-size text
AA_RATIO = 4.5

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    muted: str  # dates, durations, roles: still AA against the background
    accent: str  # links; the background of buttons, whose text is `background`
    surface: str  # cards and the highlighted transcript cue
    highlight: str  # the current cue and chapter


#: podpub's own colours; every pair used for text passes AA (checked by the tests)
LIGHT = Palette("#ffffff", "#1f2328", "#57606a", "#a4301f", "#f6f4f1", "#fff1c2")
DARK = Palette("#16181d", "#e8e6e3", "#a8b0ba", "#ff9f8c", "#22252c", "#4a3f12")


def parse_color(value: str) -> str | None:
    """`#rgb` or `#rrggbb` as lower-case `#rrggbb`; None when it is neither."""
    value = value.strip()
    if not _HEX.match(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG relative luminance of a `#rrggbb` colour."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def mix(first: str, second: str, weight: float) -> str:
    """`weight` of `first` and the rest of `second`, channel by channel (sRGB)."""
    channels = []
    for i in (1, 3, 5):
        a, b = int(first[i : i + 2], 16), int(second[i : i + 2], 16)
        channels.append(round(a * weight + b * (1 - weight)))
    return "#" + "".join(f"{c:02x}" for c in channels)


def check_palette(text: str | None, background: str | None, accent: str | None) -> tuple[str, str] | None:
    """None when the producer's colours (None: podpub's) are readable, else (key, what to fix)."""
    if text is None and background is None and accent is None:
        return None
    bg = background or LIGHT.background
    pairs = (
        ("text_color" if text else "background_color", "text_color", text or LIGHT.text),
        ("accent_color" if accent else "background_color", "accent_color", accent or LIGHT.accent),
    )
    for key, name, color in pairs:
        ratio = contrast(color, bg)
        if ratio < AA_RATIO:
            return key, (
                f"gives {name} {color} a contrast of {ratio:.1f}:1 against background_color {bg}; "
                f"WCAG AA needs {AA_RATIO}:1, choose a {'darker' if luminance(bg) > 0.18 else 'lighter'} "
                f"{name.removesuffix('_color')} colour or another background"
            )
    return None


def palette_for(text: str | None, background: str | None, accent: str | None) -> Palette | None:
    """The producer's palette (missing colours from podpub's light one), or None for podpub's own."""
    if text is None and background is None and accent is None:
        return None
    bg = background or LIGHT.background
    fg = text or LIGHT.text
    muted = mix(fg, bg, 0.75)
    if contrast(muted, bg) < AA_RATIO:
        muted = fg
    accent = accent or LIGHT.accent

    def readable(under: str) -> bool:
        return all(contrast(color, under) >= AA_RATIO for color in (fg, muted, accent))

    surface = mix(fg, bg, 0.06)
    if not readable(surface):
        surface = bg
    highlight = mix("#ffd54a", bg, 0.35 if luminance(bg) > 0.18 else 0.25)
    if not readable(highlight):
        highlight = surface  # the current cue still has its border
    return Palette(bg, fg, muted, accent, surface, highlight)
