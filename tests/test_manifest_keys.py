"""The manifest's key check (one regular expression, for speed) refuses exactly what the rule says."""

from __future__ import annotations

import itertools

from podpub.storage.manifest import UnsafeKey, _check_key


def unsafe_by_the_rule(key: str) -> bool:
    """The rule as written: empty, absolute, a backslash, an empty/`.`/`..` part, or a control character."""
    return (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(part in ("", ".", "..") for part in key.split("/"))
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in key)
    )


PIECES = ["", "a", ".", "..", "...", ".a", "a.", "media", "x.mp3", "\\", "\t", "\x7f", "é", " "]
KEYS = sorted({"/".join(parts) for n in range(1, 4) for parts in itertools.product(PIECES, repeat=n)})


def refused(key: str) -> bool:
    try:
        _check_key(key)
    except UnsafeKey:
        return True
    return False


def test_the_check_refuses_exactly_what_the_rule_refuses() -> None:
    """Every key built from the pieces, in one test: the keys where the two disagree are listed."""
    assert len(KEYS) > 2500
    disagreements = [key for key in KEYS if refused(key) != unsafe_by_the_rule(key)]
    assert disagreements == []
    assert any(refused(key) for key in KEYS) and not all(refused(key) for key in KEYS)


def test_ordinary_keys_pass() -> None:
    for key in ("feed.xml", "media/le-jardin-3f2a9c1d0b4e.mp3", "episodes/x/index.html", ".podpub/manifest.json"):
        _check_key(key)
