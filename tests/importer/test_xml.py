"""Reading feed XML: no entity expansion, no DTD or network, repairs of real-world mistakes, clear errors."""

from __future__ import annotations

import pytest

from podpub.errors import InputError
from podpub.importer.parse import parse_feed
from podpub.importer.xmlload import load_xml

RSS = """<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>{title}</title><item><title>{item}</title><guid>g1</guid>
<enclosure url="https://cdn.example/a.mp3" length="10" type="audio/mpeg"/></item></channel></rss>"""


def feed(data: bytes, charset: str | None = None):
    loaded = load_xml(data, charset=charset, label="feed")
    return loaded, parse_feed(loaded.root, base_url="https://old.example/feed.xml", label="feed")


def test_billion_laughs_is_not_expanded() -> None:
    # lol9 expands to 10^9 "lol"s
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>' + RSS.format(title="Show &lol9;", item="Item")
    try:  # libxml2 either leaves the reference unexpanded or refuses the amplification: both are safe
        _, record = feed(data.encode())
    except InputError as exc:
        assert "entity" in str(exc).lower()
    else:
        assert "lol" not in record.title and record.title.startswith("Show")


def test_external_entities_are_never_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    data = f'<?xml version="1.0"?>{doctype}' + RSS.format(title="Show &xxe;", item="&xxe;")
    _, record = feed(data.encode())
    assert "TOP-SECRET" not in record.title
    assert all("TOP-SECRET" not in item.title for item in record.items)


def test_an_external_dtd_is_not_fetched() -> None:
    doctype = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://127.0.0.1:9/rss-0.91.dtd">'
    _, record = feed(('<?xml version="1.0"?>' + doctype + RSS.format(title="Old &amp; fine", item="x")).encode())
    assert record.title == "Old & fine"


def test_broken_xml_is_a_clear_error_with_the_line() -> None:
    data = RSS.format(title="Fine", item="Broken <b>tag").encode()
    with pytest.raises(InputError) as caught:
        feed(data)
    message = str(caught.value)
    assert "not well-formed XML" in message and "line 2" in message


def test_not_a_feed_is_refused() -> None:
    with pytest.raises(InputError, match="neither RSS nor Atom"):
        feed(b"<html><body>Not found</body></html>")
    with pytest.raises(InputError, match=r"not well-formed|empty"):
        feed(b"")


def test_html_entities_and_bare_ampersands_are_repaired_but_cdata_is_untouched() -> None:
    data = RSS.format(title="Caf&eacute; &amp; Q&A&nbsp;time", item="<![CDATA[AT&T &nbsp; stays]]>").encode()
    loaded, record = feed(data)
    assert record.title == "Café & Q&A time"  # titles are one line: the no-break space is a space
    assert record.items[0].title == "AT&T &nbsp; stays"
    assert any("HTML entities" in r for r in loaded.repairs) and any("bare '&'" in r for r in loaded.repairs)


def test_iso_8859_1_declared_but_windows_1252_used() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>' + RSS.format(title="Caf\xe9 \u201cchez nous\u201d", item="x")
    _, record = feed(text.encode("cp1252"))
    assert record.title == "Café “chez nous”"


def test_true_iso_8859_1() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>' + RSS.format(title="Été à Noël", item="x")
    loaded, record = feed(text.encode("latin-1"))
    assert record.title == "Été à Noël" and not loaded.repairs


def test_undeclared_latin1_uses_the_http_charset_or_falls_back() -> None:
    data = RSS.format(title="Crème brûlée", item="x").encode("latin-1")
    _, record = feed(data, charset="iso-8859-1")
    assert record.title == "Crème brûlée"
    loaded, record = feed(data)
    assert record.title == "Crème brûlée" and loaded.repairs


def test_stray_non_utf8_bytes_in_a_utf8_feed() -> None:
    data = RSS.format(title="Ol\u00e9 ol\u00e9", item="x").encode("utf-8").replace("olé".encode(), b"ol\xe9")
    _, record = feed(data)
    assert record.title == "Olé olé"


def test_leading_whitespace_and_control_characters() -> None:
    data = ("\n\n  " + '<?xml version="1.0" encoding="UTF-8"?>' + RSS.format(title="Bell\x07 ring", item="x")).encode()
    loaded, record = feed(data)
    assert record.title == "Bell ring"
    assert any("control characters" in r for r in loaded.repairs)
