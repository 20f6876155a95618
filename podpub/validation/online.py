"""`--online`: fetch what the feed links the way apps do, and compare with what the feed says.

For each enclosure (and alternate enclosure): `HEAD`, then `GET` with `Range: bytes=0-1` (Apple's player
starts with exactly that and needs `206` with `Content-Range`), the served Content-Type against the
enclosure `type`, the size against `length`. For artwork: the same requests, then the picture itself
(unless podpub already read the local file) through the apple.image.* rules. For transcripts and chapters:
reachable, with the declared type, and CORS for web players. Redirects are followed and reported, only
http(s) is fetched, every request has a timeout, and the links are checked in parallel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from podpub.validation import vocabulary as vocab
from podpub.validation.fetch import FetchError, Response, request
from podpub.validation.model import Finding, Link, finding
from podpub.validation.offline import image_problems

ARTWORK_LIMIT = 16 * 1024 * 1024
ORIGIN = "https://validator.podpub.invalid"
_CONTENT_RANGE = re.compile(r"^bytes\s+0-1/(\d+|\*)$", re.IGNORECASE)
_KIND_ORDER = ("enclosure", "artwork", "alternate", "transcript", "chapters")


def unique_links(links: Sequence[Link]) -> list[Link]:
    """One link per URL: the first, preferring an enclosure (the strictest checks) over other uses."""
    chosen: dict[str, Link] = {}
    for link in links:
        current = chosen.get(link.url)
        if current is None or _KIND_ORDER.index(link.kind) < _KIND_ORDER.index(current.kind):
            chosen[link.url] = link
    return list(chosen.values())


def check_links(
    links: Sequence[Link],
    *,
    timeout: float,
    jobs: int,
    local_urls: set[str] | frozenset[str] = frozenset(),
    console: Console | None = None,
) -> list[Finding]:
    """Fetch every distinct linked URL; findings in the order of the links."""
    todo = unique_links(links)
    results: dict[int, list[Finding]] = {}
    progress = Progress(
        TextColumn("checking links"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None,
    )
    with progress, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        task = progress.add_task("links", total=len(todo))
        futures = {
            pool.submit(check_link, link, timeout=timeout, read_artwork=link.url not in local_urls): index
            for index, link in enumerate(todo)
        }
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress.advance(task)
    return [f for index in sorted(results) for f in results[index]]


def check_link(link: Link, *, timeout: float, read_artwork: bool = True) -> list[Finding]:
    findings: list[Finding] = []

    def add(rule_id: str, **params: object) -> None:
        findings.append(finding(rule_id, line=link.line, episode=link.episode, url=link.url, what=link.what, **params))

    fetch = _Fetcher(link, timeout, add)
    if link.kind in ("transcript", "chapters"):
        _check_extra(link, fetch, add)
    else:
        _check_media(link, fetch, add, read_artwork=read_artwork)
    return findings


class _Fetcher:
    """Requests for one link; reports redirects once and turns FetchError into a finding."""

    def __init__(self, link: Link, timeout: float, add: Callable[..., None]) -> None:
        self.link = link
        self.timeout = timeout
        self.add = add
        self.redirects_reported = False

    def __call__(self, method: str, **kwargs: object) -> Response | None:
        try:
            response = request(self.link.url, method, timeout=self.timeout, **kwargs)  # type: ignore[arg-type]
        except FetchError as exc:
            if exc.kind == "timeout":
                self.add("online.timeout", timeout=f"{self.timeout:g}")
            elif exc.kind == "redirect-loop":
                self.add("online.redirect-loop", detail=exc.detail)
            elif exc.kind == "scheme":
                self.add("online.scheme", target=exc.target or "")
            elif exc.kind == "too-large":
                self.add("apple.image.bytes", size=f"over {ARTWORK_LIMIT // (1024 * 1024)} MB")
            else:
                self.add("online.unreachable", detail=exc.detail)
            return None
        if response.redirects and not self.redirects_reported:
            self.redirects_reported = True
            chain = " -> ".join(f"{status} {location}" for status, location in response.redirects)
            self.add("online.redirect", chain=chain)
            if response.downgraded:
                self.add("online.https-downgrade", target=response.downgraded)
        return response


def _check_media(link: Link, fetch: _Fetcher, add: Callable[..., None], *, read_artwork: bool) -> None:
    head = fetch("HEAD")
    if head is None:
        return
    head_failed = head.status if head.status >= 400 else None
    if head_failed:
        head = None
    ranged = fetch("GET", headers={"Range": "bytes=0-1"}, limit=2)
    if ranged is None:
        return
    if ranged.status >= 400 and ranged.status != 416:
        add("online.unreachable", detail=f"HTTP {ranged.status}")
        return
    if head_failed:
        add("online.head", detail=f"{head_failed}, but GET works")
    total: int | None = None
    if ranged.status == 206:
        content_range = (ranged.header("Content-Range") or "").strip()
        match = _CONTENT_RANGE.match(content_range)
        if not match:
            shown = repr(content_range) if content_range else "none"
            add("online.range", detail=f"206 Partial Content with Content-Range {shown}, expected bytes 0-1/SIZE")
        elif match.group(1) != "*":
            total = int(match.group(1))
    elif ranged.status == 200:
        add("online.range", detail="answered 200 to Range: bytes=0-1 (the whole file, not 206 Partial Content)")
    elif ranged.status == 416:
        add("online.range", detail="answered 416 to Range: bytes=0-1 (Apple's player loops on it)")
    served_from = head or ranged
    served = served_from.header("Content-Type")
    expected = link.type
    if link.kind == "artwork":
        expected = vocab.IMAGE_TYPES.get(_extension(link.url))
    if expected and not vocab.same_type(served or "", expected):
        add("online.content-type", served=served or "(none)", expected=expected)
    if total is None:
        length_source = head if head is not None else (ranged if ranged.status == 200 else None)
        declared = ((length_source.header("Content-Length") if length_source else None) or "").strip()
        total = int(declared) if declared.isdigit() else None
    if link.length is not None and total is not None and total != link.length:
        add("online.content-length", served=total, expected=link.length)
    if link.kind == "artwork" and read_artwork:
        picture = fetch("GET", limit=ARTWORK_LIMIT, limit_is_error=True)
        if picture is not None and picture.status < 400:
            for rule_id, params in image_problems(picture.body, link.url):
                add(rule_id, **params)


def _check_extra(link: Link, fetch: _Fetcher, add: Callable[..., None]) -> None:
    headers = {"Origin": ORIGIN}
    response = fetch("HEAD", headers=headers)
    if response is None:
        return
    if response.status >= 400:
        head_failed = response.status
        response = fetch("GET", headers=headers, limit=1)
        if response is None:
            return
        if response.status < 400:
            add("online.head", detail=f"{head_failed}, but GET works")
    if response.status >= 400:
        add("online.unreachable", detail=f"HTTP {response.status}")
        return
    served = response.header("Content-Type") or ""
    declared = link.type or ""
    if link.kind == "chapters":
        ok = vocab.media_type(served) in vocab.CHAPTERS_TYPES
    else:
        ok = not declared or vocab.same_type(served, declared)
    if not ok:
        add("online.content-type", served=served or "(none)", expected=declared)
    if not response.header("Access-Control-Allow-Origin"):
        add("online.cors")


def _extension(url: str) -> str:
    from pathlib import PurePosixPath
    from urllib.parse import urlsplit

    return PurePosixPath(urlsplit(url).path).suffix.lower()
