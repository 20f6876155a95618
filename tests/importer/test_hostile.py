"""Hostile and broken sources: each one ends in a clear error or a safe result, never a file out of place."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from podpub.episodes.files import load_episodes
from podpub.errors import InputError, OperationError
from podpub.importer.run import ImportOptions, import_feed
from podpub.importer.state import PARTIAL_DIR
from podpub.podcasts.config import load_show
from tests.conftest import FIXTURES
from tests.importer.conftest import HostFeeds
from tests.importer.server import FeedServer, Route
from tests.importer.test_hosts import episode_front, run_import

CBR = (FIXTURES / "cbr.mp3").read_bytes()


def rss(items: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Hostile</title><language>en</language><itunes:category text="Technology"/>
<itunes:owner><itunes:email>owner@example.org</itunes:email></itunes:owner>{extra}
{items}</channel></rss>""".encode()


def item(guid: str, url: str, title: str = "An episode", length: int | None = len(CBR), extra: str = "") -> str:
    size = f' length="{length}"' if length is not None else ""
    return (
        f"<item><title>{title}</title><guid>{guid}</guid><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>"
        f'<enclosure url="{url}"{size} type="audio/mpeg"/>{extra}</item>'
    )


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_path_traversal_in_names_stays_inside_the_show(hosts: HostFeeds, tmp_path: Path) -> None:
    server = hosts.server
    evil = [
        "/evil/..%2F..%2F..%2F..%2Fetc%2Fpasswd.mp3",
        "/evil/%2e%2e/%2e%2e/escape.mp3",
        "/evil/C:%5CWindows%5Csystem32%5Cx.mp3",
    ]
    for path in evil:
        server.add(path, Route(CBR, "audio/mpeg"))
    transcript = hosts.serve_file("/evil/..%2F..%2Ftranscript.vtt", "transcripts/good.vtt")
    items = [
        item(f"../../guid-{n}", server.url(path), title=f"../../../../tmp/evil-{n} \u202e\u0000")
        for n, path in enumerate(evil)
    ]
    items.append(
        item(
            "/etc/passwd",
            server.url(evil[0]),
            title="..",
            extra=f'<podcast:transcript url="{transcript}" '
            'type="text/vtt" xmlns:podcast="https://podcastindex.org/namespace/1.0"/>',
        )
    )
    url = hosts.serve_bytes("/evil/feed.xml", rss("".join(items)))
    root = tmp_path / "nest" / "show"
    report = run_import(url, root)
    assert report.ok, report.failed
    assert files_under(tmp_path) == {"nest/show/" + f for f in files_under(root)}  # nothing outside the show
    for name in files_under(root):
        assert name.isascii() and ".." not in name and "\\" not in name and ":" not in name, name
    episodes = episode_front(root)
    assert set(episodes) == {"../../guid-0", "../../guid-1", "../../guid-2", "/etc/passwd"}  # GUIDs kept as-is
    assert len(load_episodes(load_show(root))) == 4


def test_ten_thousand_items(hosts: HostFeeds, tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Episode {n}</title><guid>big-{n}</guid>"
        f"<pubDate>{_date(n)}</pubDate><itunes:duration>{n % 3600 + 60}</itunes:duration>"
        f'<enclosure url="https://media.example/ep{n}.mp3" length="{1000 + n}" type="audio/mpeg"/></item>'
        for n in range(10_000)
    )
    url = hosts.serve_bytes("/big/feed.xml", rss(items), gzip=True)
    root = tmp_path / "show"
    report = import_feed(url, root, ImportOptions(download_media=False))
    assert report.ok and len(report.added) == 10_000 and report.item_count == 10_000
    assert len(list((root / "episodes").glob("*.md"))) == 10_000
    again = import_feed(url, root, ImportOptions(download_media=False))
    assert again.added == [] and again.already == 10_000


def _date(n: int) -> str:
    day, hour = divmod(n, 24)
    return (
        f"{day % 28 + 1:02d} {['Jan', 'Feb', 'Mar', 'Apr'][day // 28 % 4]} {2000 + day // 112} {hour:02d}:00:00 +0000"
    )


def test_broken_xml_is_a_clear_error_and_writes_nothing(hosts: HostFeeds, tmp_path: Path) -> None:
    url = hosts.serve_bytes("/broken.xml", rss(item("a", "https://x.example/a.mp3"))[:-40])
    with pytest.raises(InputError, match=r"not well-formed XML \(line \d+"):
        run_import(url, tmp_path / "show")
    assert not (tmp_path / "show").exists()


def test_a_redirect_loop_on_the_feed(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.add("/a", Route(status=302, location="/b"))
    feed_server.add("/b", Route(status=301, location="/a"))
    with pytest.raises(OperationError, match="redirect loop"):
        run_import(feed_server.url("/a"), tmp_path / "show")
    assert not (tmp_path / "show").exists()


def test_too_many_redirects_and_redirects_away_from_http(feed_server: FeedServer, tmp_path: Path) -> None:
    for n in range(8):
        feed_server.add(f"/r{n}", Route(status=307, location=f"/r{n + 1}"))
    with pytest.raises(OperationError, match="more than 5 redirects"):
        run_import(feed_server.url("/r0"), tmp_path / "show")
    feed_server.add("/to-file", Route(status=302, location="file:///etc/passwd"))
    with pytest.raises(OperationError, match="follows only http"):
        run_import(feed_server.url("/to-file"), tmp_path / "show")


def test_only_http_sources_and_files(tmp_path: Path) -> None:
    for source in ("ftp://example.org/feed.xml", "gopher://example.org/1"):
        with pytest.raises(InputError, match="only http"):
            run_import(source, tmp_path / "show")
    with pytest.raises(InputError, match="no such file"):
        run_import(str(tmp_path / "missing.xml"), tmp_path / "show")


def test_a_gzip_bomb_feed_is_refused(hosts: HostFeeds, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (70 << 20), compresslevel=9)
    url = hosts.serve_bytes("/bomb.xml", bomb, extra_headers={"Content-Encoding": "gzip"})
    with pytest.raises(OperationError, match="MiB once decompressed"):
        run_import(url, tmp_path / "show")


def test_a_404_and_a_redirect_loop_enclosure_fail_alone(hosts: HostFeeds, tmp_path: Path) -> None:
    server = hosts.server
    server.add("/loop1.mp3", Route(status=302, location="/loop2.mp3"))
    server.add("/loop2.mp3", Route(status=302, location="/loop1.mp3"))
    good = hosts.serve_file("/good.mp3", "cbr.mp3")
    items = item("gone", server.url("/gone.mp3")) + item("loop", server.url("/loop1.mp3")) + item("good", good)
    url = hosts.serve_bytes("/feed.xml", rss(items))
    root = tmp_path / "show"
    report = run_import(url, root)
    failed = dict(report.failed)
    assert "HTTP 404" in failed["item 1 'An episode'"] and "redirect loop" in failed["item 2 'An episode'"]
    assert len(report.added) == 1
    assert set(episode_front(root)) == {"good"}
    assert not list((root / PARTIAL_DIR).glob("*.part"))
    assert any("again" in step for step in report.cutover_steps())


def test_a_dropped_download_resumes_where_it_stopped(hosts: HostFeeds, tmp_path: Path) -> None:
    server = hosts.server
    url = hosts.serve_file("/slow.mp3", "vbr_xing.mp3", drop_after=30_000, drop_times=1, etag='"v1"')
    feed = hosts.serve_bytes("/feed.xml", rss(item("ep", url, length=len((FIXTURES / "vbr_xing.mp3").read_bytes()))))
    root = tmp_path / "show"
    first = run_import(feed, root)
    ((_, error),) = first.failed
    assert "closed after 30000 of 71155 bytes" in error and "resume" in error
    assert not list((root / "episodes").glob("*.md"))  # no episode without its complete audio
    (part,) = (root / PARTIAL_DIR).glob("*.part")
    assert part.stat().st_size == 30_000
    assert not list((root / "media").iterdir())  # a partial file is never in media/

    second = run_import(feed, root)
    assert second.ok and len(second.added) == 1
    gets = server.requests_for("/slow.mp3", "GET")
    assert gets[-1].headers.get("Range") == "bytes=30000-" and gets[-1].headers.get("If-Range") == '"v1"'
    (media,) = (root / "media").iterdir()
    assert media.read_bytes() == (FIXTURES / "vbr_xing.mp3").read_bytes()
    assert not list((root / PARTIAL_DIR).glob("*"))


def test_a_file_changed_on_the_server_restarts_instead_of_splicing(hosts: HostFeeds, tmp_path: Path) -> None:
    server = hosts.server
    url = hosts.serve_file("/changing.mp3", "cbr.mp3", drop_after=10_000, drop_times=1, etag='"old"')
    feed = hosts.serve_bytes("/feed.xml", rss(item("ep", url)))
    root = tmp_path / "show"
    assert not run_import(feed, root).ok
    server.routes["/changing.mp3"] = Route((FIXTURES / "notags.mp3").read_bytes(), "audio/mpeg", etag='"new"')
    report = run_import(feed, root)
    assert report.ok
    (media,) = (root / "media").iterdir()
    assert media.read_bytes() == (FIXTURES / "notags.mp3").read_bytes()


def test_downloads_are_size_capped(hosts: HostFeeds, tmp_path: Path) -> None:
    announced = hosts.serve_file("/big.mp3", "vbr_xing.mp3")
    unannounced = hosts.serve_file("/chunked.mp3", "chapters.mp3", chunked_length=False)
    feed = hosts.serve_bytes("/feed.xml", rss(item("a", announced) + item("b", unannounced)))
    root = tmp_path / "show"
    report = import_feed(feed, root, ImportOptions(max_media_bytes=50_000))
    errors = [error for _, error in report.failed]
    assert len(errors) == 2 and all("limit" in e or "MiB" in e for e in errors)
    assert not list((root / "media").iterdir()) and not list((root / PARTIAL_DIR).glob("*.part"))


def test_an_html_page_instead_of_audio_is_refused(hosts: HostFeeds, tmp_path: Path) -> None:
    page = hosts.serve_bytes("/login.mp3", b"<html><body>Please log in</body></html>", "text/html")
    report = run_import(hosts.serve_bytes("/feed.xml", rss(item("a", page))), tmp_path / "show")
    ((_, error),) = report.failed
    assert "not audio podpub can read" in error
    assert not list((tmp_path / "show" / "media").iterdir())


def test_media_served_gzip_encoded_anyway_is_decoded(hosts: HostFeeds, tmp_path: Path) -> None:
    url = hosts.serve_file("/zipped.mp3", "cbr.mp3", gzip_always=True)
    report = run_import(hosts.serve_bytes("/feed.xml", rss(item("a", url))), tmp_path / "show")
    assert report.ok
    (media,) = (tmp_path / "show" / "media").iterdir()
    assert media.read_bytes() == CBR


def test_a_locked_feed_is_refused_with_the_owner(hosts: HostFeeds, tmp_path: Path) -> None:
    namespace = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
    locked = f'<podcast:locked owner="boss@example.org" {namespace}>yes</podcast:locked>'
    url = hosts.serve_bytes("/locked.xml", rss(item("a", hosts.serve_file("/a.mp3", "cbr.mp3")), extra=locked))
    with pytest.raises(InputError, match=r"boss@example\.org.*--force-locked"):
        run_import(url, tmp_path / "show")
    assert not (tmp_path / "show").exists()
    report = run_import(url, tmp_path / "show", force_locked=True)
    assert report.ok and load_show(tmp_path / "show").locked is True
    assert any("--force-locked" in n for n in report.notes)
