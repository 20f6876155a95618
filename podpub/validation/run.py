"""From a SOURCE (a show folder, a feed file or an http(s) URL) to a `Report`, and the check `publish` runs."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from rich.console import Console

from podpub.errors import InputError, OperationError
from podpub.validation import vocabulary as vocab
from podpub.validation.fetch import FetchError, request
from podpub.validation.model import Finding, Link, Report, finding, sort_key
from podpub.validation.offline import Context, FeedChecker, LocalFiles
from podpub.validation.online import check_links
from podpub.validation.parse import parse, sniff
from podpub.validation.rules import Severity

#: the most a fetched feed may weigh (the download goes to a temporary file; parsing streams it)
MAX_FEED_BYTES = 64 * 1024 * 1024
#: errors named in publish's one-line refusal
PUBLISH_NAMED = 3


@dataclass
class Checked:
    findings: list[Finding]
    links: list[Link]
    local_urls: set[str]
    episodes: int
    size: int
    self_url: str | None = None


def check_feed_file(
    path: Path,
    *,
    label: str | None = None,
    expected_url: str | None = None,
    final_url: str | None = None,
    local: LocalFiles | None = None,
    local_root: Path | None = None,
    now: datetime | None = None,
) -> Checked:
    """Every offline rule on the feed at `path` (all profiles; filter the findings afterwards).

    `expected_url` is where the feed lives (its self link must say so); linked files are looked up on disk
    through `local` (or, for a feed file, next to it under its own URL's folder: `local_root`).
    Raises InputError when the file is not a feed at all.
    """
    label = label or str(path)
    prolog = sniff(path, label)
    ctx = Context(
        label=label,
        prolog=prolog,
        now=now or datetime.now(UTC),
        expected_url=expected_url,
        final_url=final_url,
        local=local,
        local_root=local_root,
    )
    checker = FeedChecker(ctx)
    checker.start()
    parse(path, label, prolog, checker)
    checker.finish()
    return Checked(checker.findings, checker.links, checker.local_urls(), checker.items, prolog.size, checker.self_url)


def validate(
    source: str | None,
    *,
    directory: Path,
    profile: str = "all",
    online: bool = False,
    timeout: float = 10.0,
    jobs: int = 8,
    console: Console | None = None,
    max_feed_bytes: int = MAX_FEED_BYTES,
) -> Report:
    """Validate SOURCE: None or a folder is a show (built first, like `podpub build`), a path is a feed file,
    an http(s) URL is fetched. InputError (exit 2) when there is no feed to check."""
    started = time.monotonic()
    notes: list[str] = []
    extra: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="podpub-validate-") as scratch:
        if source is not None and "://" in source:
            scheme = source.split("://", 1)[0].lower()
            if scheme not in ("http", "https"):
                raise InputError(f"{source}: only http(s) URLs, feed files and show folders can be validated")
            path = Path(scratch) / "feed.xml"
            final_url = _download(source, path, timeout=timeout, limit=max_feed_bytes, extra=extra, notes=notes)
            label, feed_url = source, source
            checked = check_feed_file(path, label=source, expected_url=source, final_url=final_url)
        else:
            target = directory / source if source else directory
            if source is None or target.is_dir():
                label, feed_url, checked = _check_show(target, notes)
            elif target.is_file():
                label = str(source)
                checked = check_feed_file(target, label=label, local_root=target.parent)
                feed_url = checked.self_url
            else:
                raise InputError(f"{source}: no such file or folder (give a show folder, a feed file or an https URL)")
        findings = checked.findings + extra
        if online:
            findings += check_links(checked.links, timeout=timeout, jobs=jobs, local_urls=checked.local_urls,
                                    console=console)  # fmt: skip
    kept = sorted((f for f in findings if f.rule.in_profile(profile)), key=sort_key)
    return Report(
        source=label,
        feed_url=feed_url,
        profile=profile,
        online=online,
        findings=kept,
        episodes=checked.episodes,
        feed_bytes=checked.size,
        seconds=time.monotonic() - started,
        notes=notes,
    )


def _check_show(folder: Path, notes: list[str]) -> tuple[str, str, Checked]:
    from podpub import pipeline

    ws = pipeline.open_show(folder)
    result = pipeline.build(ws)
    feed = result.out / result.site.feed_key
    notes.append(f"built {len(result.site.episodes)} episode(s) into {result.out}")
    notes.extend(result.site.warnings)
    local = LocalFiles(ws.show.publish.base_url, result.out)
    checked = check_feed_file(feed, label=str(feed), expected_url=result.site.feed_url, local=local)
    return str(feed), result.site.feed_url, checked


def _download(url: str, path: Path, *, timeout: float, limit: int, extra: list[Finding], notes: list[str]) -> str:
    """Fetch the feed into `path`; the final URL. Everything that leaves no feed to check is an InputError."""
    try:
        response = request(url, "GET", timeout=timeout, limit=limit, limit_is_error=True,
                           headers={"Accept": "application/rss+xml, application/xml;q=0.9, */*;q=0.1"})  # fmt: skip
    except FetchError as exc:
        raise InputError(f"{url}: {_fetch_problem(exc)}") from None
    if response.status >= 400:
        raise InputError(f"{url}: HTTP {response.status}; check the URL (and that the feed is public)")
    if response.status != 200:
        raise InputError(f"{url}: HTTP {response.status}, expected 200 with the feed")
    path.write_bytes(response.body)
    if response.redirects:
        chain = " -> ".join(f"{status} {location}" for status, location in response.redirects)
        extra.append(finding("feed.redirect", chain=chain))
        notes.append(f"fetched {response.url}")
    served = response.header("Content-Type") or ""
    kind = vocab.media_type(served)
    charset = "charset=" in served.lower()
    if kind not in ("application/rss+xml", "application/xml", "text/xml", "application/atom+xml") or (
        kind == "text/xml" and not charset
    ):
        extra.append(finding("feed.content-type", content_type=served or "(none)"))
    return response.url


def _fetch_problem(exc: FetchError) -> str:
    return {
        "timeout": "no answer in time (raise --timeout if the server is slow)",
        "too-large": f"the feed is {exc.detail}; podpub stops there",
        "truncated": f"the download is incomplete: {exc.detail}; fetch it again",
        "scheme": f"{exc.detail}; podpub only follows http(s)",
    }.get(exc.kind, exc.detail)


def gate_publish(feed: Path, feed_url: str, *, force: bool) -> str | None:
    """The offline rules on a feed podpub just built, before it is published.

    A paged feed (`max_items`) is checked with its archive pages, found by following its RFC 5005
    `prev-archive` links among the built files: an archived episode is published as surely as a new
    one. Raises OperationError naming the first errors unless `force`; with `force`, returns the same
    summary for a warning. None when the feed has no error."""
    base = feed_url.rsplit("/", 1)[0] + "/"
    local = LocalFiles(base, feed.parent)
    checked = check_feed_file(feed, expected_url=feed_url, local=local)
    errors = sorted((f for f in checked.findings if f.rule.severity is Severity.ERROR), key=sort_key)
    named_errors = [f.one_line() for f in errors]
    for page, page_url in archive_pages(feed, local):
        found = check_feed_file(page, expected_url=page_url, local=local).findings
        page_errors = sorted((f for f in found if f.rule.severity is Severity.ERROR), key=sort_key)
        errors += page_errors
        named_errors += [f"{page.name}: {f.one_line()}" for f in page_errors]
    if not errors:
        return None
    named = "; ".join(named_errors[:PUBLISH_NAMED])
    more = f" … and {len(errors) - PUBLISH_NAMED} more" if len(errors) > PUBLISH_NAMED else ""
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    if force:
        return f"publishing a feed with {count} (--force): {named}{more}; run podpub validate for the full report"
    raise OperationError(
        f"the feed has {count}: {named}{more}; run podpub validate for the full report; --force publishes anyway"
    )


_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


def archive_pages(feed: Path, local: LocalFiles) -> list[tuple[Path, str]]:
    """The archive pages a feed leads to through `prev-archive` links (RFC 5005), newest first, as
    (built file, URL); only files under the build folder, each once (a loop of links ends the walk)."""
    pages: list[tuple[Path, str]] = []
    seen = {feed.resolve()}
    current = feed
    while (url := _prev_archive(current)) is not None:
        path = local.path_for(url)
        if path is None or path.resolve() in seen:
            break
        seen.add(path.resolve())
        pages.append((path, url))
        current = path
    return pages


def _prev_archive(document: Path) -> str | None:
    """The channel's `atom:link rel="prev-archive"`, read from the document's head only (the links come
    before the first item), with the same safe parser settings as the checks."""
    try:
        with document.open("rb") as file:
            events = etree.iterparse(
                file, events=("start",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
            )
            for _event, element in events:
                if element.tag == "item":
                    return None
                if element.tag == _ATOM_LINK and element.get("rel") == "prev-archive":
                    return element.get("href")
    except (OSError, etree.XMLSyntaxError):
        return None
    return None
