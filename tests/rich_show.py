"""A show that uses every feature podpub publishes, for the client suite and end-to-end tests.

Built from committed fixtures with the real CLI (`init`, `add` with chapters, transcripts and an
alternate encoding) plus the Podcasting 2.0 keys of podcast.toml and front matter, so the tests
exercise exactly what a producer would write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES

SHOW_KEYS = """
medium = "podcast"
license = "CC-BY-4.0"
new_feed_url = "{base}feed.xml"

[[persons]]
name = "Ana Author"
role = "host"
href = "https://example.org/ana"
img = "https://example.org/ana.jpg"

[[funding]]
url = "https://example.org/soutenir"
label = "Soutenez l'association"

[[txt]]
purpose = "applepodcastsverify"
text = "0123456789abcdef"

[location]
name = "Paris"
geo = "geo:48.8566,2.3522"
osm = "R7444"
country = "FR"

[[social]]
protocol = "activitypub"
uri = "https://mastodon.example.org/@quartier/1"
account_id = "@quartier@mastodon.example.org"

[update_frequency]
label = "Mensuel"
rrule = "FREQ=MONTHLY"

[season_names]
1 = "Les débuts"
"""

EPISODE_KEYS = """episode_display = "Épisode un"
[[persons]]
name = "Gaston Guest"
role = "guest"

[[soundbites]]
start = 1.5
duration = 4
title = "Le meilleur moment"
"""


@dataclass
class RichShow:
    root: Path
    base_url: str
    guids: dict[str, str]  # guid -> what the episode demonstrates


def make_artwork(path: Path) -> Path:
    """A 1400x1400 RGB JPEG (Apple's minimum) without committing a binary fixture."""
    image = Image.new("RGB", (1400, 1400), (200, 60, 40))
    for x in range(0, 1400, 100):
        image.paste((240, 220, 90), (x, x, x + 100, x + 100))
    image.save(path, "JPEG", quality=80)
    return path


def build_rich_show(
    root: Path, base_url: str, capsys: pytest.CaptureFixture[str], extra_publish: dict[str, object] | None = None
) -> RichShow:
    art = make_artwork(root.parent / "cover.jpg")
    result = run_podpub(
        capsys, "init", str(root), "--title", "La Voix & les Autres", "--author", "Ana Author",
        "--email", "ana@example.org", "--language", "fr", "--category", "Society & Culture > Documentary",
        "--base-url", base_url, "--image", str(art), "--description", "Une émission riche.",
    )  # fmt: skip
    assert result.code == 0, result.err
    config = root / "podcast.toml"
    text = config.read_text(encoding="utf-8").replace("[owner]", SHOW_KEYS.format(base=base_url) + "\n[owner]", 1)
    for key, value in (extra_publish or {}).items():
        text += f"{key} = {json.dumps(value)}\n"
    config.write_text(text, encoding="utf-8")

    chapters = root.parent / "chapters.json"
    chapters.write_text(
        json.dumps({"version": "1.2.0", "chapters": [
            {"startTime": 0, "title": "Présentation"},
            {"startTime": 4.5, "title": "Le jardin", "url": "https://example.org/jardin"},
            {"startTime": 9, "title": "À bientôt"},
        ]}),
        encoding="utf-8",
    )  # fmt: skip
    guids: dict[str, str] = {}

    def add(*args: str, what: str) -> str:
        result = run_podpub(capsys, "-C", str(root), "add", "--json", *args)
        assert result.code == 0, result.err
        guid = json.loads(result.out)[0]["guid"]
        guids[guid] = what
        return guid

    full = add(
        str(FIXTURES / "chapters.mp3"), "--date", "2026-03-01T09:00:00+01:00", "--season", "1", "--number", "1",
        "--chapters", str(chapters), "--transcript", str(FIXTURES / "transcripts" / "good.vtt"),
        "--transcript", str(FIXTURES / "transcripts" / "good.srt"), "--transcript-language", "fr",
        "--alternate", str(FIXTURES / "alternate.opus"), what="everything",
    )  # fmt: skip
    add(str(FIXTURES / "chapters.m4a"), "--date", "2026-02-01T09:00:00+01:00", what="embedded chpl chapters")
    add(str(FIXTURES / "cbr.mp3"), "--date", "2026-01-01T09:00:00+01:00", "--type", "trailer", what="trailer")
    episode = next(p for p in (root / "episodes").iterdir() if full in p.read_text(encoding="utf-8"))
    text = episode.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n[[transcripts]]")
    episode.write_text(head + "\n" + EPISODE_KEYS + "\n[[transcripts]]" + rest, encoding="utf-8")
    return RichShow(root, base_url, guids)
