"""Feed items are written once and spliced: the result must be what feedgen writes for the whole document,
and a cached item must be replaced whenever anything it was written from changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podpub import canonical
from podpub.feeds import notes
from podpub.feeds import render as render_module
from podpub.feeds.render import XML_DECLARATION, FeedEpisode, _add_item, feed_channel, render_feed
from podpub.namespace import Person
from podpub.podcasts.model import Show
from tests import test_feed_namespace as rich
from tests import test_feed_render as plain

COVER = plain.COVER
HOSTILE_NOTES = "# Ça ]]> & <script>x</script>\n\n[bad](javascript:alert(1)) ![pic](pic.png)\n\n```\n]]> code\n```\n"


def whole_document(show: Show, items: list[FeedEpisode]) -> bytes:
    """The reference: every item added to feedgen and the document serialized in one piece."""
    fg, ordered = feed_channel(show, items, image_url=COVER)
    for item in ordered:
        _add_item(fg, show, item)
    return XML_DECLARATION + fg.rss_str(pretty=True, xml_declaration=False, encoding="UTF-8")


def every_kind_of_item(root: Path) -> tuple[Show, list[FeedEpisode]]:
    show = rich.full_show(root)
    items = [*plain.three_items(root), rich.rich_item(root)]
    items.append(plain.make_item(root, 9, datetime(2024, 5, 1, tzinfo=UTC), notes=HOSTILE_NOTES, title="A ]]> b"))
    items.append(plain.make_item(root, 10, datetime(2024, 5, 2, tzinfo=UTC), notes=""))
    return show, items


def test_spliced_items_are_byte_identical_to_feedgens_whole_document(tmp_path: Path) -> None:
    show, items = every_kind_of_item(tmp_path)
    expected = whole_document(show, items)
    assert render_feed(show, items, image_url=COVER) == expected
    cache = tmp_path / "render-cache.json"
    with notes.cached(cache):
        assert render_feed(show, items, image_url=COVER) == expected  # cold: items written and kept
    with notes.cached(cache):
        assert render_feed(show, items, image_url=COVER) == expected  # warm: items from the cache
    assert b"psc:chapters" in expected and b"podcast:alternateEnclosure" in expected


def test_an_empty_feed_is_unchanged(tmp_path: Path) -> None:
    show = plain.make_show(tmp_path)
    assert render_feed(show, [], image_url=COVER) == whole_document(show, [])


def writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The guid of every item actually written (a cache miss)."""
    written: list[str] = []
    real = render_module.ItemWriter._write

    def spy(self: render_module.ItemWriter, items: list[FeedEpisode]) -> list[str]:
        written.extend(item.episode.guid for item in items)
        return real(self, items)

    monkeypatch.setattr(render_module.ItemWriter, "_write", spy)
    return written


def test_warm_render_writes_no_item_and_a_changed_episode_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = plain.make_show(tmp_path)
    items = plain.three_items(tmp_path)
    cache = tmp_path / "render-cache.json"
    with notes.cached(cache):
        render_feed(show, items, image_url=COVER)
    written = writes(monkeypatch)
    with notes.cached(cache):
        render_feed(show, items, image_url=COVER)
    assert written == []

    changed = [*items[:2], replace(items[2], episode=replace(items[2].episode, title="Retitled"))]
    with notes.cached(cache):
        feed = render_feed(show, changed, image_url=COVER)
    assert written == [items[2].episode.guid]
    assert b"<title>Retitled</title>" in feed
    assert feed == whole_document(show, changed)


CHANGES = {
    "notes": lambda show, item: (show, replace(item, episode=replace(item.episode, notes="Other notes."))),
    "media size": lambda show, item: (
        show,
        replace(item, episode=replace(item.episode, media=replace(item.episode.media, size=42))),
    ),
    "enclosure URL": lambda show, item: (show, replace(item, enclosure_url=plain.BASE_URL + "media/new.mp3")),
    "page link": lambda show, item: (show, replace(item, link="https://example.org/new-page")),
    "show explicit": lambda show, item: (replace(show, explicit=True), item),
    "show persons": lambda show, item: (replace(show, persons=(Person("New Host"),)), item),
    "base URL (notes links)": lambda show, item: (
        replace(show, publish=replace(show.publish, base_url="https://elsewhere.example.org/")),
        item,
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_input_of_an_item_invalidates_it(tmp_path: Path, name: str) -> None:
    show = plain.make_show(tmp_path)
    item = plain.make_item(
        tmp_path, 1, datetime(2024, 1, 1, tzinfo=UTC), notes="[link](page.html)", persons=(Person("Guest", "guest"),)
    )
    cache = tmp_path / "render-cache.json"
    with notes.cached(cache):
        before = render_feed(show, [item], image_url=COVER)
    new_show, new_item = CHANGES[name](show, item)
    with notes.cached(cache):
        after = render_feed(new_show, [new_item], image_url=COVER)
    assert after != before
    assert after == whole_document(new_show, [new_item])


def test_another_podpub_does_not_use_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    show = plain.make_show(tmp_path)
    items = plain.three_items(tmp_path)
    cache = tmp_path / "render-cache.json"
    with notes.cached(cache):
        render_feed(show, items, image_url=COVER)
    monkeypatch.setattr(canonical, "code_version", lambda: "a later podpub")
    written = writes(monkeypatch)
    with notes.cached(cache):
        render_feed(show, items, image_url=COVER)
    assert sorted(written) == sorted(i.episode.guid for i in items)


def test_notes_stay_cached_through_warm_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Items taken whole from the cache keep their notes in it: a later change of the show rewrites
    every item without rendering any Markdown again."""
    show = plain.make_show(tmp_path)
    items = plain.three_items(tmp_path)
    cache = tmp_path / "render-cache.json"
    for _ in range(2):  # cold, then warm
        with notes.cached(cache):
            render_feed(show, items, image_url=COVER)
    rendered: list[str] = []
    real = notes._render_notes
    monkeypatch.setattr(notes, "_render_notes", lambda md, base=None: rendered.append(md) or real(md, base))
    written = writes(monkeypatch)
    with notes.cached(cache):
        render_feed(replace(show, explicit=True), items, image_url=COVER)
    assert len(written) == 3 and rendered == []
