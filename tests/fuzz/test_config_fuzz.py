"""`podcast.toml` and episode front matter, mutated the way hand edits and merges break them: values of the
wrong type or absurd size, renamed and duplicated keys, stray tables, cut lines, random characters and
bytes. Every build either succeeds or stops with one `podcast.toml:LINE:` / `episodes/…md:LINE:` line
(a `PodpubError`, exit 2), never a traceback, and the line it names exists in the file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES
from tests.fuzz.conftest import FUZZ
from tests.fuzz.hostile import SNIPPETS, TRIED, hostile_text, strict_xml, toml_string
from tests.rich_show import make_artwork

BASE_URL = "https://cdn.example.org/show/"

CONFIG = f"""title = "La Voix du Quartier"
description = "Le podcast de l'association."
language = "fr"
author = "Association du Quartier"
link = "https://quartier.example.org/"
copyright = "2026 Association du Quartier"
image = "artwork.jpg"
categories = ["Society & Culture > Documentary", "Kids & Family"]
explicit = false
type = "episodic"
locked = true
guid = "efc4d307-bb09-5dc9-a091-8905646a4e79"
medium = "podcast"
license = "CC-BY-4.0"

[owner]
name = "Association du Quartier"
email = "podcast@quartier.example.org"

[publish]
base_url = "{BASE_URL}"
feed_max_age = 300
jobs = 4

[[persons]]
name = "Ana Author"
role = "host"
href = "https://example.org/ana"

[[funding]]
url = "https://example.org/support"
label = "Support the show"

[[txt]]
purpose = "applepodcastsverify"
text = "0123456789abcdef"

[location]
name = "Paris"
geo = "geo:48.8566,2.3522"
country = "FR"

[[social]]
protocol = "activitypub"
uri = "https://mastodon.example.org/@show/1"
priority = 1

[update_frequency]
label = "Monthly"
rrule = "FREQ=MONTHLY"
dtstart = 2026-01-01T00:00:00Z

[season_names]
1 = "The beginnings"

[site]
enabled = true
clean_urls = false
accent_color = "#a4301f"

[[site.links]]
label = "Mastodon"
url = "https://mastodon.example.org/@quartier"
"""

EPISODE = """+++
guid = "7d2b9a41-1c55-4f0e-8a36-5e4b7c9d0f21"
title = "Le jardin de l'école"
date = 2026-01-05T09:30:00+02:00
audio = "media/episode.mp3"
season = 1
number = 1
type = "full"
explicit = false
draft = false
chapters = "chapters/episode.json"
episode_display = "Épisode 1"
license = "CC-BY-4.0"
block = false

[[transcripts]]
file = "transcripts/episode.vtt"
language = "fr"

[[alternates]]
file = "media/episode.opus"
title = "Opus"

[[persons]]
name = "Gaston Guest"
role = "guest"

[[soundbites]]
start = 1.5
duration = 2
title = "The best moment"

[location]
name = "École Jean-Jaurès"
+++

Les élèves ont planté un **potager** & des fraises.
"""

# TOML values of every type and edge: what a wrong edit puts where a value was.
_values = st.one_of(
    hostile_text().map(toml_string),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.sampled_from([
        "true", "false", "nan", "-inf", "1e400", "0.0", "-0", "[]", "{}", '[1, "a"]', "[[1], [2]]", '{ a = 1 }',
        "1979-05-27", "07:32:00", "1979-05-27T07:32:00", "2026-13-45T99:00:00Z", '""', "''", '"""a\nb"""',
        "'''x'''", "0x1F", "0o777", "1_000", '"https://"', '"javascript:alert(1)"', '"file:///etc/passwd"',
        '"../../etc/passwd"', '"/etc/passwd"', '"media/../../x.mp3"', '"#zzz"', '"geo:999,999"', '"a" "b"',
    ]),
)
_lines = st.one_of(
    st.sampled_from([
        "[owner]", "[[persons]]", "[publish]", "[site]", "[[site.links]]", "[a.b.c]", "[[]]", "x = 1", "title = 'x'",
        'guid = "x"', "+++", "++", '"""', "[", "= 1", "a.b = 2", "persons = 3", "site = []", "1 = 2",
    ]),
    st.sampled_from(SNIPPETS),
    st.text(max_size=20),
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` after 1-4 edits of a kind hand edits make; sometimes with bytes that are not UTF-8."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["value", "key", "insert", "delete", "duplicate", "chars", "truncate"]))
        i = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
        line = lines[i] if lines else ""
        if op == "value" and "=" in line:
            lines[i] = line.split("=", 1)[0] + "= " + draw(_values)
        elif op == "key" and "=" in line:
            key = draw(st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True),
                                 hostile_text().map(toml_string)))  # fmt: skip
            lines[i] = key + " =" + line.split("=", 1)[1]
        elif op == "insert":
            lines.insert(i, draw(_lines))
        elif op == "delete" and lines:
            del lines[i]
        elif op == "duplicate" and lines:
            lines.insert(i, line)
        elif op == "chars":
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[i] = line[:at] + draw(st.text(min_size=1, max_size=4)) + line[at:]
        elif op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(min_value=0, max_value=len(joined)))].split("\n")
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        at = draw(st.integers(min_value=0, max_value=len(data)))
        stray = draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80", b"\xef\xbb\xbf"]))
        data = data[:at] + stray + data[at:]
    return data


@pytest.fixture(scope="module")
def base_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid show using most keys, with every file its episode names; each example works on a copy."""
    root = tmp_path_factory.mktemp("config-fuzz") / "show"
    for folder in ("episodes", "media", "chapters", "transcripts"):
        (root / folder).mkdir(parents=True)
    make_artwork(root / "artwork.jpg")
    (root / "podcast.toml").write_text(CONFIG, encoding="utf-8")
    (root / "episodes" / "0001-episode.md").write_text(EPISODE, encoding="utf-8")
    shutil.copy(FIXTURES / "chapters.mp3", root / "media" / "episode.mp3")
    shutil.copy(FIXTURES / "alternate.opus", root / "media" / "episode.opus")
    (root / "chapters" / "episode.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}, {"startTime": 4, "title": "Jardin"}]}'
    )
    shutil.copy(FIXTURES / "transcripts" / "good.vtt", root / "transcripts" / "episode.vtt")
    return root


_ERROR = re.compile(r"^error: (podcast\.toml|episodes/0001-episode\.md):(\d+): \S")


def check_build(root: Path, capsys: pytest.CaptureFixture[str], edited: str, data: bytes) -> None:
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    if result.code == 0:
        strict_xml((root / "public" / "feed.xml").read_bytes())
        return
    TRIED[f"  of which refused with {edited}:LINE"] += 1
    lines = [line for line in result.err.splitlines() if line.strip() and not line.startswith("warning:")]
    assert result.code == 2 and len(lines) == 1, (result.code, result.err)
    match = _ERROR.match(lines[0])
    assert match and match.group(1) == edited, lines[0]
    assert 1 <= int(match.group(2)) <= data.count(b"\n") + 1, lines[0]


def fresh_copy(base: Path, scratch) -> Path:
    root = scratch() / "show"
    shutil.copytree(base, root)
    return root


def test_the_base_show_builds(base_show: Path, scratch, capsys: pytest.CaptureFixture[str]) -> None:
    root = fresh_copy(base_show, scratch)
    result = run_podpub(capsys, "-q", "-C", str(root), "build")
    assert result.code == 0, result.err


@FUZZ
@given(data=mutated(CONFIG))
def test_a_damaged_podcast_toml_is_one_line_naming_the_line(
    base_show: Path, scratch, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    TRIED["damaged podcast.toml (build)"] += 1
    root = fresh_copy(base_show, scratch)
    (root / "podcast.toml").write_bytes(data)
    check_build(root, capsys, "podcast.toml", data)


@FUZZ
@given(data=mutated(EPISODE))
def test_damaged_front_matter_is_one_line_naming_the_line(
    base_show: Path, scratch, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    TRIED["damaged episode front matter (build)"] += 1
    root = fresh_copy(base_show, scratch)
    (root / "episodes" / "0001-episode.md").write_bytes(data)
    check_build(root, capsys, "episodes/0001-episode.md", data)
