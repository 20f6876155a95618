"""Hostile files: giant tags, thousands of chapters, link loops, files outside the show, devices and pipes,
names of only dots or of 255 bytes. Each gives a one-line error or a bounded, correct result: never a hang,
a traceback, or a file read from or written outside the show folder.

Inputs that could hang or fill the memory run the CLI in a child process with a timeout and a memory
limit (`run_bounded`), so a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
from lxml import etree
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TIT2, CTOCFlags

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, snapshot, write_show
from tests.fuzz.hostile import TRIED, assert_one_line_error, assert_site_keys, run_bounded, strict_xml

NS = {"content": "http://purl.org/rss/1.0/modules/content/", "psc": "http://podlove.org/simple-chapters"}


def episode_file(root: Path, name: str = "0001-episode.md", **keys: str) -> Path:
    values = {"guid": str(uuid.uuid4()), "title": "Episode", **keys}
    lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    lines.insert(2, "date = 2024-05-01T08:00:00Z")
    path = root / "episodes" / name
    path.write_text("+++\n" + "\n".join(lines) + "\n+++\n\nNotes.\n", encoding="utf-8")
    return path


@pytest.fixture
def show(tmp_path: Path) -> Path:
    root = write_show(tmp_path / "show")
    shutil.copy(FIXTURES / "cbr.mp3", root / "media" / "episode.mp3")
    return root


# --- giant tags -----------------------------------------------------------------------------------


def test_a_10_mb_comment_and_title_tag_give_a_feed_every_parser_reads(show: Path, tmp_path: Path) -> None:
    TRIED["giant tags (10 MB comment, 10 MB title)"] += 1
    audio = tmp_path / "guest.mp3"
    shutil.copy(FIXTURES / "notags.mp3", audio)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="T" * 10_000_000))
    tags.add(COMM(encoding=3, lang="eng", desc="", text="<b>notes</b> & more " * 500_000))
    tags.save(audio)
    started = time.monotonic()
    code, _, err = run_bounded("-C", str(show), "add", str(audio), "--date", "2024-05-01T08:00Z", cwd=tmp_path)
    assert code == 0, err
    assert "comment tag is over 1 MiB; left out of the notes" in err
    code, _, err = run_bounded("-C", str(show), "build", cwd=tmp_path)
    assert code == 0, err
    assert time.monotonic() - started < 60
    data = (show / "public" / "feed.xml").read_bytes()
    assert len(data) < 100_000
    item = strict_xml(data).find("channel/item")
    assert item.findtext("title") == "guest"  # the file name: the 10 MB title tag is no title
    code, out, err = run_bounded("-C", str(show), "validate", "--format", "json", cwd=tmp_path)
    assert json.loads(out)["counts"]["error"] == 0, out


def test_show_notes_and_values_past_the_limits_are_refused_with_the_line(show: Path) -> None:
    TRIED["giant front matter values and notes"] += 2
    path = episode_file(show, audio="media/episode.mp3")
    path.write_text(path.read_text(encoding="utf-8") + "x" * (1 << 20), encoding="utf-8")
    code, _, err = run_bounded("-C", str(show), "build", cwd=show)
    assert_one_line_error(code, err, "episodes/0001-episode.md:7: the show notes are", "at most 1 MiB")
    path.unlink()
    episode_file(show, audio="media/episode.mp3", title="y" * 70_000)
    code, _, err = run_bounded("-C", str(show), "build", cwd=show)
    assert_one_line_error(code, err, "episodes/0001-episode.md:", "title is 70000 characters")


def long_mp3(path: Path, copies: int = 20) -> Path:
    """A CBR MP3 of ~100 s: frames of a committed fixture one after the other (CBR frames concatenate)."""
    path.write_bytes((FIXTURES / "cbr_noxing.mp3").read_bytes() * copies)
    return path


def test_ten_thousand_chapters_in_the_tags(show: Path, tmp_path: Path) -> None:
    TRIED["10,000 ID3 chapters (nested CTOCs)"] += 1
    audio = long_mp3(tmp_path / "long.mp3")
    tags = ID3()
    ids = [f"c{i}" for i in range(10_000)]
    groups = [ids[i : i + 250] for i in range(0, len(ids), 250)]  # a CTOC lists at most 255 children
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=[f"g{j}" for j in range(len(groups))]))  # fmt: skip
    for j, group in enumerate(groups):
        tags.add(CTOC(element_id=f"g{j}", flags=CTOCFlags.ORDERED, child_element_ids=group))
    for i, cid in enumerate(ids):
        tags.add(CHAP(element_id=cid, start_time=i * 10, end_time=i * 10 + 10,
                      sub_frames=[TIT2(encoding=3, text=f"Chapter <{i}> & co")]))  # fmt: skip
    tags.save(audio)
    started = time.monotonic()
    code, _, err = run_bounded("-C", str(show), "add", str(audio), "--date", "2024-05-01T08:00Z", cwd=tmp_path)
    assert code == 0, err
    code, _, err = run_bounded("-C", str(show), "build", cwd=tmp_path)
    assert code == 0, err
    assert time.monotonic() - started < 60
    item = strict_xml((show / "public" / "feed.xml").read_bytes()).find("channel/item")
    inline = item.findall("psc:chapters/psc:chapter", NS)
    assert len(inline) == 10_000 and inline[9_999].get("title") == "Chapter <9999> & co"
    chapters = json.loads(next((show / "public" / "chapters").glob("*.chapters.json")).read_bytes())
    assert [c["startTime"] for c in chapters["chapters"]][:3] == [0, 0.01, 0.02]
    assert len(chapters["chapters"]) == 10_000


def test_ten_thousand_chapters_in_a_file_and_a_million_lines_refused(show: Path, tmp_path: Path) -> None:
    TRIED["10,000-chapter JSON file; 1,000,000-line chapters file"] += 2
    audio = long_mp3(tmp_path / "long.mp3")
    chapters = tmp_path / "chapters.json"
    marks = [{"startTime": i / 100, "title": f"Part {i}"} for i in range(10_000)]
    chapters.write_text(json.dumps({"version": "1.2.0", "chapters": marks}), encoding="utf-8")
    code, _, err = run_bounded("-C", str(show), "add", str(audio), "--chapters", str(chapters),
                               "--date", "2024-05-01T08:00Z", cwd=tmp_path)  # fmt: skip
    assert code == 0, err
    code, _, err = run_bounded("-C", str(show), "build", cwd=tmp_path)
    assert code == 0, err
    many = tmp_path / "many.txt"
    many.write_text("".join(f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d} Part\n" for i in range(1_000_000)))
    before = snapshot(show)
    code, _, err = run_bounded("-C", str(show), "add", str(audio), "--chapters", str(many), cwd=tmp_path)
    assert_one_line_error(code, err, "many.txt:")
    assert snapshot(show) == before


# --- links: loops and ways out of the show --------------------------------------------------------


@pytest.mark.parametrize("key", ["audio", "image", "chapters", "transcript", "alternate"])
def test_a_link_loop_is_a_clear_error(show: Path, capsys: pytest.CaptureFixture[str], key: str) -> None:
    TRIED["symlink loops (front matter paths, episode file, add, inspect)"] += 1
    loop = show / "media" / "loop.bin"
    loop.symlink_to("loop.bin")
    keys = {"audio": "media/loop.bin"} if key == "audio" else {"audio": "media/episode.mp3"}
    if key in ("image", "chapters"):
        keys[key] = "media/loop.bin"
    path = episode_file(show, **keys)
    if key in ("transcript", "alternate"):
        table = "transcripts" if key == "transcript" else "alternates"
        path.write_text(path.read_text().replace("+++\n\n", f'\n[[{table}]]\nfile = "media/loop.bin"\n+++\n\n'))
    result = run_podpub(capsys, "-C", str(show), "build")
    assert_one_line_error(result.code, result.err, "episodes/0001-episode.md:", "loop.bin")
    assert not (show / "public").exists()


def test_link_loops_given_on_the_command_line(show: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = show.parent / "loop.mp3"
    loop.symlink_to("loop.mp3")
    audio = str(show / "media" / "episode.mp3")
    for args in (("inspect", str(loop)), ("add", str(loop)), ("import", str(loop)), ("validate", str(loop)),
                 *(("add", audio, option, str(loop)) for option in
                   ("--notes", "--chapters", "--image", "--transcript", "--alternate"))):  # fmt: skip
        TRIED["symlink loops (front matter paths, episode file, add, inspect)"] += 1
        result = run_podpub(capsys, "-C", str(show), *args)
        assert_one_line_error(result.code, result.err, "loop.mp3")
    (show / "episodes" / "0001-loop.md").symlink_to("0001-loop.md")
    result = run_podpub(capsys, "-C", str(show), "build")
    assert_one_line_error(result.code, result.err, "episodes/0001-loop.md: cannot read it")


@pytest.mark.parametrize(
    ("keys", "table"),
    [
        ({"audio": "../secret.mp3"}, None),
        ({"audio": "/etc/hostname"}, None),
        ({"audio": "media/out.mp3"}, None),  # a link to a file outside
        ({"audio": "media/episode.mp3", "image": "media/out.jpg"}, None),
        ({"audio": "media/episode.mp3", "chapters": "../secret.json"}, None),
        ({"audio": "media/episode.mp3"}, "transcripts"),
        ({"audio": "media/episode.mp3"}, "alternates"),
        ({"audio": "linked/secret.mp3"}, None),  # a folder linked out of the show
        ({"audio": "media/zero.mp3"}, None),  # a link to /dev/zero
    ],
)
def test_files_outside_the_show_are_never_published(
    show: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: dict[str, str], table: str | None
) -> None:
    TRIED["paths out of the show folder (.., absolute, links, linked folders, /dev/zero)"] += 1
    secret = tmp_path / "secret.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", secret)
    (tmp_path / "secret.json").write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "x"}]}')
    (show / "media" / "out.mp3").symlink_to(secret)
    (show / "media" / "out.jpg").symlink_to(secret)
    (show / "media" / "zero.mp3").symlink_to("/dev/zero")
    (show / "linked").symlink_to(tmp_path)
    path = episode_file(show, **keys)
    if table:
        path.write_text(path.read_text().replace("+++\n\n", f'\n[[{table}]]\nfile = "media/out.mp3"\n+++\n\n'))
    target = tmp_path / "site"
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target))
    assert_one_line_error(result.code, result.err, "episodes/0001-episode.md:", "the show folder")
    assert not target.exists() and not (show / "public").exists()


def test_build_never_writes_through_a_link_out_of_public(show: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    TRIED["links planted in public/ and in a publish folder"] += 2
    episode_file(show, audio="media/episode.mp3")
    outside = tmp_path / "outside"
    outside.mkdir()
    (show / "public").mkdir()
    (show / "public" / "media").symlink_to(outside)
    result = run_podpub(capsys, "-C", str(show), "build")
    assert_one_line_error(result.code, result.err, "refusing to write 'media/")
    assert list(outside.iterdir()) == []
    target = tmp_path / "www"
    target.mkdir()
    (target / "episodes").symlink_to(outside)
    (show / "public" / "media").unlink()
    result = run_podpub(capsys, "-C", str(show), "publish", "--to", str(target))
    assert_one_line_error(result.code, result.err, "refusing to write 'episodes/")
    assert list(outside.iterdir()) == [] and not (target / "feed.xml").exists()


# --- devices and pipes ----------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
@pytest.mark.parametrize(
    "args",
    [
        ("inspect", "{dev}"),
        ("add", "{dev}"),
        ("add", "{audio}", "--notes", "{dev}"),
        ("add", "{audio}", "--chapters", "{dev}"),
        ("add", "{audio}", "--transcript", "{dev}"),
        ("add", "{audio}", "--image", "{dev}"),
        ("add", "{audio}", "--alternate", "{dev}"),
        ("import", "{dev}", "{tmp}/imported"),
        ("validate", "{dev}"),
    ],
    ids=lambda a: "-".join(a) if isinstance(a, tuple) else a,
)
def test_devices_and_pipes_are_refused_at_once(
    show: Path, tmp_path: Path, fifo: Path, device: str, args: tuple[str, ...]
) -> None:
    TRIED["/dev/zero and named pipes as audio, notes, chapters, transcripts, artwork, feeds"] += 1
    dev = str(fifo) if device == "fifo" else device
    audio = tmp_path / "a.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", audio)
    filled = [a.format(dev=dev, audio=audio, tmp=tmp_path) for a in args]
    before = snapshot(show)
    started = time.monotonic()
    code, _, err = run_bounded("-C", str(show), *filled, cwd=tmp_path, timeout=30, memory_mib=1024)
    assert time.monotonic() - started < 30
    assert_one_line_error(code, err, Path(dev).name)
    assert snapshot(show) == before
    assert not (tmp_path / "imported" / "podcast.toml").exists()


@pytest.mark.parametrize("kind", ["fifo", "folder", "device-link"])
def test_an_episode_file_that_is_not_a_file(show: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    TRIED["episode files that are pipes, folders or links to devices"] += 1
    path = show / "episodes" / "0001-odd.md"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    code, _, err = run_bounded("-C", str(show), "build", cwd=show, timeout=30, memory_mib=1024)
    assert_one_line_error(code, err, "episodes/0001-odd.md: cannot read it")


# --- names ----------------------------------------------------------------------------------------

NAMES = [
    "...", "....", "..mp3", ". .mp3", "-.mp3", "-- .mp3", "é" * 125 + "x.mp3", "a" * 251 + ".mp3",
    "🎙" * 62 + ".mp3", "\u202egnp.mp3", "CON.mp3", "a\nb.mp3", "*?[].mp3", ".hidden.mp3",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_audio_file_names_of_dots_or_255_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    TRIED["audio file names of only dots, 255 bytes, RTL, newlines, globs"] += 1
    assert len(name.encode()) <= 255
    root = write_show(tmp_path / "show")
    audio = tmp_path / "in" / name
    audio.parent.mkdir()
    shutil.copy(FIXTURES / "cbr.mp3", audio)
    result = run_podpub(capsys, "-C", str(root), "add", str(audio), "--date", "2024-05-01T08:00Z")
    assert result.code == 0, result.err
    result = run_podpub(capsys, "-C", str(root), "build")
    assert result.code == 0, result.err
    check_names_inside(root, tmp_path)


TITLES = ["...", ".", "..", "/", "../../etc/passwd", "x" * 1000, "é" * 300, "🎙" * 300, "\u202e..", "C:\\x", "%2e%2e"]


@pytest.mark.parametrize("title", TITLES, ids=range(len(TITLES)))
def test_titles_of_dots_slashes_or_1000_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   title: str) -> None:  # fmt: skip
    TRIED["titles of dots, slashes, 1000 characters"] += 1
    root = write_show(tmp_path / "show")
    audio = tmp_path / "a.mp3"
    shutil.copy(FIXTURES / "cbr.mp3", audio)
    result = run_podpub(capsys, "-C", str(root), "add", str(audio), "--title", title, "--date", "2024-05-01T08:00Z")
    assert result.code == 0, result.err
    result = run_podpub(capsys, "-C", str(root), "build")
    assert result.code == 0, result.err
    assert strict_xml((root / "public" / "feed.xml").read_bytes()).findtext("channel/item/title") == title
    check_names_inside(root, tmp_path)


def check_names_inside(root: Path, tmp_path: Path) -> None:
    """Everything podpub wrote is inside the show, with names a file system and a URL take."""
    for path in root.rglob("*"):
        assert len(path.name.encode()) <= 255
        assert path.resolve().is_relative_to(root.resolve()) or path.is_symlink()
    assert_site_keys(root / "public")
    assert sorted(p.name for p in tmp_path.iterdir()) in (["a.mp3", "show"], ["in", "show"])
    etree.fromstring((root / "public" / "sitemap.xml").read_bytes())
