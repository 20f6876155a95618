"""The site: every file published under `base_url` — the feed and the files it links.

Media and artwork keys carry a hash of their content (`media/les-ecoles-3f2a9c1d0b4e.mp3`). A key
therefore never changes meaning: replacing an episode's audio gives a new URL (apps and CDNs never
serve a stale or half-replaced file at an old one, and Apple's player does not loop on changed
byte ranges) while the episode's GUID stays the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from podpub.episodes.cache import MediaCache
from podpub.episodes.model import Episode, Status
from podpub.episodes.remote import remote_media
from podpub.feeds.extras import SiteFiles, episode_item
from podpub.feeds.render import render_feed, with_stylesheets
from podpub.fsutil import atomic_write_bytes
from podpub.mediatypes import content_type_for
from podpub.podcasts.model import Show
from podpub.slugs import slugify
from podpub.storage.base import Upload
from podpub.website.render import render_website


@dataclass
class Site:
    files: list[Upload]  # the feed included
    feed_key: str
    feed_url: str
    episodes: list[Episode]  # those in the feed, with media facts
    warnings: list[str] = field(default_factory=list)
    page_keys: frozenset[str] = frozenset()  # the website's pages: published after the claim, with the feed

    @property
    def feed(self) -> Upload:
        return next(f for f in self.files if f.key == self.feed_key)


def with_media(episodes: Sequence[Episode], cache: MediaCache) -> list[Episode]:
    """The episodes with their audio facts, probing only files that changed since last time."""
    result = []
    for episode in episodes:
        if episode.audio is None:  # audio_url: the facts are the episode file's, nothing to read
            result.append(replace(episode, media=remote_media(episode)))
            continue
        facts = cache.facts(episode.audio)
        result.append(replace(episode, media=facts.info, sha256=facts.sha256))
    return result


def assemble(
    show: Show,
    episodes: Sequence[Episode],
    cache: MediaCache,
    *,
    now: datetime,
    staging: Path,
    base_url: str | None = None,
) -> Site:
    """Decide every published file and render the feed into `staging/feed.xml`.

    Only published episodes are included: a draft's or a scheduled episode's audio is not put
    online before its date.
    """
    base = base_url or show.publish.base_url
    live = [e for e in episodes if e.status(now) is Status.PUBLISHED]
    live = with_media(live, cache)
    files = SiteFiles(base, generated=staging / "generated", derived=show.root / ".podpub" / "derived")
    image_url = None
    if show.image:
        label = f"{show.config_path.name}: image {show.image.name}"
        image_url = files.artwork(f"artwork/{slugify(show.title, 'cover')}", label, path=show.image)
    else:
        files.warnings.append(f"{show.config_path.name}: no show artwork; Apple and Spotify require it (image = ...)")
    items = [episode_item(files, show, episode, cache) for episode in live]

    feed_key = show.publish.feed_name
    feed_show = show
    if base_url:
        feed_show = replace(show, publish=replace(show.publish, base_url=base_url))
    stylesheets: tuple[tuple[str, str], ...] = ()
    page_keys: frozenset[str] = frozenset()
    if show.site.enabled:  # the website: pages beside the feed, and the feed styled for browsers
        website = render_website(files, feed_show, items, image_url=image_url, feed_key=feed_key)
        items = [replace(item, link=website.page_urls.get(item.episode.guid)) for item in items]
        stylesheets, page_keys = website.stylesheets, website.pages
    width, height, image_type = files.images.get(image_url or "", (0, 0, None))
    xml = render_feed(
        feed_show, items, image_url=image_url, image_size=(width, height) if width else None, image_type=image_type
    )
    xml = with_stylesheets(xml, stylesheets)
    feed_path = staging / feed_key
    atomic_write_bytes(feed_path, xml)
    files.files[feed_key] = Upload(
        key=feed_key,
        source=feed_path,
        size=len(xml),
        sha256=hashlib.sha256(xml).hexdigest(),
        content_type=content_type_for(feed_key),
        cache_control=f"public, max-age={show.publish.feed_max_age}",
    )
    cache.save()
    return Site(
        files=sorted(files.files.values(), key=lambda u: u.key),
        feed_key=feed_key,
        feed_url=base + feed_key,
        episodes=live,
        warnings=files.warnings,
        page_keys=page_keys,
    )
