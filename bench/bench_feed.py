"""Feed rendering: podpub's render_feed against raw feedgen on the same 10,000 episodes.

Raw feedgen is the floor podpub builds on (same library, minimal calls, no Markdown, no checks);
the ratio says what podpub's correctness work costs. Run: python bench/bench_feed.py [N]
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedgen.feed import FeedGenerator

from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.model import Episode
from podpub.feeds.render import FeedEpisode, render_feed
from podpub.podcasts.model import Category, PublishSettings, Show

NOTES = (
    "Dans cet épisode, les voisins racontent la **fête de la rue** : la brocante, le concert & le repas.\n\n"
    "- Le jardin de l'école\n- Le compost du quartier\n- [Le site](https://quartier.example.org/)\n"
)


def make(n: int) -> tuple[Show, list[FeedEpisode]]:
    base = "https://cdn.example.org/show/"
    show = Show(
        root=Path("/tmp"),
        title="Bench",
        description="Bench show",
        language="fr",
        author="A",
        owner_name="A",
        owner_email="a@example.org",
        categories=(Category("News", "Daily News"),),
        explicit=False,
        type="episodic",
        guid="00000000-0000-5000-8000-000000000000",
        locked=True,
        publish=PublishSettings(base_url=base),
    )
    start = datetime(2000, 1, 1, tzinfo=UTC)
    items = []
    for i in range(n):
        media = MediaInfo(
            format="MP3",
            mime_type="audio/mpeg",
            extension=".mp3",
            size=30_000_000 + i,
            duration=1800.5 + i,
            exact_duration=True,
        )
        episode = Episode(
            source=Path(f"/tmp/{i:05d}-ep.md"),
            guid=f"guid-{i}",
            title=f"Épisode {i} & co",
            date=start + timedelta(days=i),
            audio=Path("/tmp/a.mp3"),
            notes=f"## Épisode {i}\n\n{NOTES}",  # distinct notes: no render is shared
            media=media,
        )
        items.append(FeedEpisode(episode, enclosure_url=f"{base}media/ep-{i}.mp3"))
    return show, items


def rendered_notes(show: Show, items: list[FeedEpisode]) -> tuple[dict[str, str], dict[str, str]]:
    """Each episode's notes as HTML (`content:encoded`) and as the short summary (`description`), by Markdown."""
    from podpub.feeds.notes import render_notes, summary_html

    html = {i.episode.notes: render_notes(i.episode.notes, show.publish.base_url) for i in items}
    return html, {k: summary_html(v) for k, v in html.items()}


def raw_feedgen(
    show: Show, items: list[FeedEpisode], rendered: tuple[dict[str, str], dict[str, str]] | None = None
) -> bytes:
    """The same items with feedgen alone: no cleaning, no sanitizing, no checks, HTML given.

    It emits what podpub's items carry (title, itunes:title, guid, pubDate, enclosure, duration,
    episodeType, explicit, description and content:encoded as CDATA), so the ratio measures podpub's
    own work, not a difference in output. `rendered` (from rendered_notes) skips the Markdown step:
    the floor for a render whose notes are already cached.
    """
    html, summaries = rendered or rendered_notes(show, items)
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(show.title)
    fg.link(href=show.publish.base_url)
    fg.description(show.description)
    for item in items:
        e = item.episode
        fe = fg.add_entry(order="append")
        fe.guid(e.guid, permalink=False)
        fe.title(e.title)
        fe.description(summaries[e.notes])
        fe.content(html[e.notes], type="CDATA")
        fe.pubDate(e.date)
        fe.enclosure(item.enclosure_url, str(e.media.size), e.media.mime_type)
        fe.podcast.itunes_duration(int(e.media.duration))
        fe.podcast.itunes_title(e.title)
        fe.podcast.itunes_episode_type("full")
        fe.podcast.itunes_explicit("no")
    return fg.rss_str(pretty=True)


def measure(label: str, fn, *args) -> tuple[float, int, int]:
    tracemalloc.start()
    started = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<14} {seconds:7.3f} s  {len(out) / 1e6:6.1f} MB of XML  peak {peak / 1e6:6.1f} MB (tracemalloc)")
    return seconds, len(out), peak


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    show, items = make(n)
    print(f"{n} episodes with Markdown notes")
    best_raw = min(measure("raw feedgen", raw_feedgen, show, items)[0] for _ in range(3))
    best_pod = min(measure("podpub", lambda s, i: render_feed(s, i, image_url=None), show, items)[0] for _ in range(3))
    print(f"best of 3: raw feedgen {best_raw:.3f} s, podpub {best_pod:.3f} s, ratio {best_pod / best_raw:.2f}x")


if __name__ == "__main__":
    main()
