"""The shortcuts that keep a first scan close to mutagen's own cost must not change what is read.

`probe._known_class` skips `mutagen.File`'s format guessing when the head is unambiguous, and
`probe_with_sha256` parses a small file from the one read that hashes it; both must give exactly
what the long way gives, on every fixture, good or bad.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import mutagen
import pytest

from podpub.episodes import probe as probe_module
from podpub.episodes.probe import probe, probe_with_sha256
from podpub.errors import MediaError

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
GOOD = sorted(name for name in EXPECTED if not name.startswith("_"))
NOT_AUDIO = (".json", ".md", ".sh", ".txt")
ALL_AUDIO = sorted(p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix not in NOT_AUDIO)


def _heads(path: Path) -> tuple[bytes, bytes]:
    with path.open("rb") as fh:
        head = fh.read(64)
        return head, probe_module._after_id3(fh, head)


@pytest.mark.parametrize("name", GOOD)
def test_the_class_chosen_from_the_head_is_the_one_mutagen_file_picks(name: str) -> None:
    path = FIXTURES / name
    chosen = probe_module._known_class(*_heads(path))
    guessed = mutagen.File(path)
    assert chosen is None or chosen is type(guessed), (chosen, type(guessed))


def test_common_formats_take_the_direct_path() -> None:
    """The shortcut is really used for what producers publish (else the scan pays the guessing)."""
    for name in ("cbr.mp3", "vbr_noxing.mp3", "chapters.mp3", "chapters.m4a", "flac.flac", "vorbis.ogg", "opus.opus"):
        assert probe_module._known_class(*_heads(FIXTURES / name)) is not None, name


@pytest.mark.parametrize("name", ALL_AUDIO)
def test_in_memory_parse_gives_what_the_file_parse_gives(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """probe_with_sha256 reads small files whole; forcing the streaming path must change nothing."""
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)

    def outcome() -> object:
        try:
            info, digest = probe_with_sha256(path)
        except MediaError as e:
            return ("error", str(e))
        return (info, digest)

    whole = outcome()
    monkeypatch.setattr(probe_module, "WHOLE_READ_LIMIT", 0)
    streamed = outcome()
    assert whole == streamed
    if isinstance(whole, tuple) and whole[0] != "error":
        info, digest = whole
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
        assert info == probe(path)
