"""A clean feed from podpub itself (the example show, built once per session) and a helper that validates an
edited copy of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from podpub import pipeline
from podpub.validation import check_feed_file
from podpub.validation.model import Finding
from podpub.validation.offline import LocalFiles

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "la-voix-du-quartier"
BASE = "https://podcast.example.org/la-voix-du-quartier/"
FEED_URL = BASE + "feed.xml"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}


@dataclass(frozen=True)
class BuiltExample:
    root: Path  # the show folder (a copy)
    public: Path  # its build folder
    feed: bytes  # public/feed.xml


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("public", ".podpub", "demo-site"))
    return dest


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> BuiltExample:
    root = copy_example(tmp_path_factory.mktemp("example") / "show")
    result = pipeline.build(pipeline.open_show(root))
    return BuiltExample(root, result.out, (result.out / result.site.feed_key).read_bytes())


def q(name: str) -> str:
    """`itunes:image` -> Clark notation."""
    prefix, _, local = name.rpartition(":")
    return f"{{{NS[prefix]}}}{local}" if prefix else local


@dataclass
class Feed:
    """The example feed as an lxml tree, with short-cuts for the edits the corpus makes."""

    tree: etree._ElementTree

    @property
    def channel(self) -> etree._Element:
        return self.tree.getroot()[0]

    def items(self) -> list[etree._Element]:
        return self.channel.findall("item")

    def item(self, index: int) -> etree._Element:
        return self.items()[index]

    def one(self, parent: etree._Element, name: str) -> etree._Element:
        found = parent.find(q(name))
        assert found is not None, name
        return found

    def remove(self, parent: etree._Element, name: str) -> None:
        for element in parent.findall(q(name)):
            parent.remove(element)

    def add(self, parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, q(name), attrs)
        element.text = text
        return element

    def bytes(self) -> bytes:
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8")


def parse_feed(data: bytes) -> Feed:
    return Feed(etree.ElementTree(etree.fromstring(data)))


def check_bytes(
    data: bytes,
    folder: Path,
    *,
    files: dict[str, bytes] | None = None,
    expected_url: str | None = FEED_URL,
    local: LocalFiles | None = None,
) -> list[Finding]:
    """Every offline finding (all profiles) for `data` saved as `folder/feed.xml`, with `files` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    feed = folder / "feed.xml"
    feed.write_bytes(data)
    return check_feed_file(feed, expected_url=expected_url, local=local, local_root=folder).findings


def ids(findings: list[Finding]) -> set[str]:
    return {f.rule.id for f in findings}


Edit = Callable[[Feed], None]
