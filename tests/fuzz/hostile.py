"""Hostile text and the checks every output of podpub must pass, shared by the fuzz suite.

The checks are written independently of podpub's own helpers (`podpub.feeds.text`): a test that
compared podpub's output with podpub's own cleaning function would prove nothing.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
from hypothesis import strategies as st
from lxml import etree

#: Counts of hostile inputs each test tried, summed at the end of the run (SECURITY.md's table).
TRIED: Counter[str] = Counter()

# XML 1.0's Char production, written out again: everything outside it must be gone from every output,
# and so must DEL and the C1 controls XML discourages (clients read them as Windows-1252: U+0086 is "†").
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

#: Pieces real attackers and real tags use; hypothesis glues them to random Unicode.
SNIPPETS = (
    "<script>alert(1)</script>", "</title><script>alert(2)</script>", "]]>", "<![CDATA[x]]>", "&amp;", "&lt;b&gt;",
    "&#0;", "&#x1b;", "&nbsp;", "&bogus;", "\u202e", "\u200f", "\u061c", "שלום עולם", "مرحبا", "e\u0301", "\u00e9",
    "😀", "👩\u200d👩\u200d👧", "🇫🇷", "\x00", "\x1b", "\x08", "\x0b", "\x0c", "\x7f", "\x85", "\ufffe", "\uffff",
    "\u2028", "\u2029", "\ufeff", "\t", "\r\n", '"', "'", "\\", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "<svg onload=alert(1)>", "{{ 7*7 }}", "{% raw %}", "%s%n", "\U0010fffd", "Z\u0351\u0368",
    "<a href='javascript:alert(3)'>x</a>", "<!-- -->", "<?xml-stylesheet href='x'?>", "\u00a0:\u202f;",
)  # fmt: skip

_piece = st.one_of(st.sampled_from(SNIPPETS), st.text(min_size=1, max_size=8))


@st.composite
def hostile_text(draw: st.DrawFn, max_pieces: int = 6) -> str:
    """A short string mixing attack snippets, any Unicode (controls included) and NFC or NFD forms."""
    text = "".join(draw(st.lists(_piece, min_size=1, max_size=max_pieces)))
    form = draw(st.sampled_from(("as-is", "NFC", "NFD")))
    return text if form == "as-is" else unicodedata.normalize(form, text)


#: Letters, marks, digits, symbols and spaces of any script, plus XML-illegal controls: text that
#: Markdown leaves as it is, so it must reach the notes' HTML unchanged (minus the controls).
plain_notes = st.text(
    alphabet=st.one_of(
        st.characters(categories=("L", "M", "N", "So", "Zs"), exclude_characters="\u1680"),
        st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x1f\ufffe\uffff \n"),
    ),
    min_size=1,
    max_size=60,
)


def toml_string(value: str) -> str:
    """A TOML basic string for any text: quotes, backslashes and control characters escaped."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def squeeze(text: str) -> str:
    """Whitespace runs as one space, ends stripped: how apps show one-line values."""
    return " ".join(text.split())


def meant(text: str) -> str:
    """What a one-line value must read as in any output: the text without XML-illegal characters."""
    return squeeze(XML_ILLEGAL.sub("", text))


# --- XML ----------------------------------------------------------------------------------------


def strict_xml(data: bytes) -> etree._Element:
    """Parse with lxml's strict parser (no recovery, no entities, no network); raises on any flaw."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)
    return etree.fromstring(data, parser)


def assert_no_illegal_characters(data: bytes, where: str) -> None:
    text = data.decode("utf-8")
    found = XML_ILLEGAL.search(text) or re.search("\x85", text)
    assert found is None, f"{where}: XML-illegal character {found.group()!r} at {found.start()}"
    assert not re.search(r"&#(0*[0-8]|x0*[0-8bBcC]|0*1[1-2]|0*1[4-9]|0*2[0-9]|0*3[01]);", text), where


def client_parses(data: bytes, url: str) -> tuple[dict, feedparser.FeedParserDict]:
    """The feed as podcastparser (gPodder) and feedparser read it; both must read it without complaint."""
    parsed = podcastparser.parse(url, io.BytesIO(data))
    fp = feedparser.parse(data)
    assert not fp.bozo, f"feedparser: {fp.get('bozo_exception')!r}"
    return parsed, fp


# --- HTML a browser could run -------------------------------------------------------------------

_EXECUTABLE_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "form", "svg", "math"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "srcset"}
_SAFE_SCHEMES = {"http", "https", "mailto", "podcast", "pktc", "overcast"}


class _Tags(HTMLParser):
    """The start tags and attributes of a document as the HTML tokenizer (browsers' rules) sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str | None:
    # Browsers drop ASCII whitespace and controls inside a URL's scheme: "java\tscript:" runs.
    compact = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", compact)
    return match.group(1) if match else None


def assert_inert_html(markup: str, where: str, *, own_scripts: frozenset[str] = frozenset()) -> None:
    """No script element (except podpub's own, by src), no on* handler, no javascript:/data: URL, no
    meta refresh: checked with two tokenizers, since a browser is only as safe as the worst one."""
    seen: list[tuple[str, list[tuple[str, str | None]]]] = []
    tokenizer = _Tags()
    tokenizer.feed(markup)
    tokenizer.close()
    seen.extend(tokenizer.tags)
    if markup.strip():
        document = lxml.html.document_fromstring(markup)
        seen.extend((el.tag, list(el.attrib.items())) for el in document.iter() if isinstance(el.tag, str))
    for tag, attrs in seen:
        tag = tag.lower()
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            assert names.get("src") in own_scripts and len(names) <= 3, f"{where}: a <script> survived: {attrs}"
        else:
            assert tag not in _EXECUTABLE_TAGS, f"{where}: <{tag}> survived: {attrs}"
        for name, value in names.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}={value!r}> survived"
            url_meta = tag == "meta" and re.search(r"(url|image|audio|video|player)$", names.get("property", ""))
            if name in _URL_ATTRIBUTES or (url_meta and name == "content"):
                scheme = _scheme(value)
                assert scheme in (None, *_SAFE_SCHEMES), f"{where}: <{tag} {name}={value!r}> survived"
            if name == "style":
                assert "expression" not in value.lower() and "url(" not in value.lower(), f"{where}: style {value!r}"
        if tag == "meta":
            assert names.get("http-equiv", "").lower() != "refresh", f"{where}: meta refresh"


def own_script_sources(root: Path) -> frozenset[str]:
    """Every relative path by which a page may load podpub's own script."""
    scripts = [p.relative_to(root).as_posix() for p in (root / "site").glob("site-*.js")]
    return frozenset("../" * depth + s for s in scripts for depth in range(6))


def assert_site_inert(root: Path) -> int:
    """Every page and the sitemap under `root`; returns how many pages were checked."""
    own = own_script_sources(root)
    pages = sorted(root.rglob("*.html"))
    for page in pages:
        assert_inert_html(page.read_text(encoding="utf-8"), str(page.relative_to(root)), own_scripts=own)
    sitemap = root / "sitemap.xml"
    if sitemap.exists():
        strict_xml(sitemap.read_bytes())
    return len(pages)


# --- the CLI in a child process, for inputs that could hang or fill the memory ---------------------

_PODPUB = "import sys; from podpub.cli import main; main(sys.argv[1:])"


def run_bounded(*args: str, cwd: Path, timeout: float = 60, memory_mib: int = 2048) -> tuple[int, str, str]:
    """Run `podpub ARGS` in a child with a wall-clock timeout and an address-space limit, so a hang or a
    read of /dev/zero fails this test instead of stalling or swapping the machine."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib << 20, memory_mib << 20))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    env.pop("PODPUB_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", _PODPUB, *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, preexec_fn=limit, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def assert_one_line_error(code: int, err: str, *needles: str) -> str:
    """A refusal as podpub promises it: exit 1 or 2, exactly one `error:` line (warnings aside), no traceback."""
    errors = [line for line in err.splitlines() if not line.startswith("warning:") and line.strip()]
    assert code in (1, 2), (code, err)
    assert len(errors) == 1 and errors[0].startswith("error: "), err
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


_SITE_KEY = re.compile(r"^(\.podpub/)?[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


def assert_site_keys(public: Path) -> None:
    """Every file of a built site has a key that cannot leave the prefix: lower-case ASCII parts, none of
    them empty, `.` or `..`, whatever titles and file names the show holds."""
    for path in public.rglob("*"):
        if path.is_file():
            key = path.relative_to(public).as_posix()
            assert _SITE_KEY.match(key) and ".." not in key.split("/"), key
            assert path.resolve().is_relative_to(public.resolve()), key
