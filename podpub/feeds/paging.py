"""Large catalogues: `feed.xml` with the newest episodes, RFC 5005 archive pages with the rest.

With `max_items = N` in podcast.toml, `feed.xml` (the subscription document every app reads) holds
the newest N episodes and links, as `prev-archive`, the newest archive page. The older episodes fill
archive pages of N episodes each (`feed-archive-1.xml`, `feed-archive-2.xml`, ...), each marked
`fh:archive`, linking `current` (feed.xml), `prev-archive` (older) and `next-archive` (newer).
Apps that page (RFC 5005 §4) can walk back to the first episode; apps that do not still see the
newest N, which is what a long feed's size would otherwise cost every app on every refresh.

Pages are anchored on the oldest episode: page 1 holds the N oldest, page 2 the next N, and the
newest page what is left. So a new episode changes `feed.xml` and the newest archive page only (the
episode that leaves feed.xml joins it); when that page is full a new one starts, and the page before
it gains its `next-archive` link. Every other page keeps its bytes, so publishing a new episode to a
show with 10,000 does not re-upload a hundred archive pages (or make CDNs and apps fetch them).

`complete_feed = "feed-complete.xml"` adds one more document beside them with every episode and
`fh:complete` (RFC 5005 §2): for the apps and directories that want the whole catalogue in one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podpub.feeds.render import FeedEpisode, FeedPaging
from podpub.podcasts.model import Show


def archive_key(number: int) -> str:
    """The key of archive page `number` (1 is the oldest); `podcasts.config` refuses it as `complete_feed`."""
    return f"feed-archive-{number}.xml"


@dataclass(frozen=True)
class FeedDocument:
    """One feed document to publish: its key, its episodes and its place among the others."""

    key: str
    items: Sequence[FeedEpisode]
    paging: FeedPaging | None  # None: a feed on its own, as without max_items


def feed_documents(show: Show, items: Sequence[FeedEpisode], *, feed_key: str) -> list[FeedDocument]:
    """The subscription feed first, then the archive pages from the oldest, then the complete feed.

    `show.publish.base_url` is where the documents are published (the preview server's URL in
    `podpub serve`). Without `max_items`, or with no more episodes than it, feed.xml is the only
    document (plus the complete feed if asked for) and is written exactly as without paging.
    """
    base = show.publish.base_url
    feed_url = base + feed_key
    documents: list[FeedDocument] = []
    limit = show.max_items
    if limit is None or len(items) <= limit:
        documents.append(FeedDocument(feed_key, items, None))
    else:
        by_age = sorted(items, key=lambda i: (i.episode.date, i.episode.guid))  # oldest first, ties by guid
        archived, newest = by_age[:-limit], by_age[-limit:]
        pages = [archived[start : start + limit] for start in range(0, len(archived), limit)]
        urls = [base + archive_key(number) for number in range(1, len(pages) + 1)]
        documents.append(FeedDocument(feed_key, newest, FeedPaging(self_url=feed_url, prev_archive=urls[-1])))
        for index, page in enumerate(pages):
            paging = FeedPaging(
                self_url=urls[index],
                current=feed_url,
                prev_archive=urls[index - 1] if index > 0 else None,
                next_archive=urls[index + 1] if index + 1 < len(urls) else None,
                marker="archive",
            )
            documents.append(FeedDocument(archive_key(index + 1), page, paging))
    if show.complete_feed:
        paging = FeedPaging(self_url=base + show.complete_feed, marker="complete")
        documents.append(FeedDocument(show.complete_feed, items, paging))
    return documents
