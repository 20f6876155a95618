"""The site: every file published under `base_url` — the feed and the files it links.

Media and artwork keys carry a hash of their content (`media/les-ecoles-3f2a9c1d0b4e.mp3`). A key
therefore never changes meaning: replacing an episode's audio gives a new URL (apps and CDNs never
serve a stale or half-replaced file at an old one, and Apple's player does not loop on changed
byte ranges) while the episode's GUID stays the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import datetime
from pathlib import Path

from podpub import canonical
from podpub.canonical import file_stamp
from podpub.episodes.cache import MediaCache
from podpub.episodes.files import save_episode_cache
from podpub.episodes.model import Episode, Status
from podpub.episodes.remote import remote_media
from podpub.feeds.extras import SiteFiles, episode_item
from podpub.feeds.paging import feed_documents
from podpub.feeds.render import FeedEpisode, render_feed, with_stylesheets
from podpub.fsutil import atomic_write_bytes, atomic_write_text
from podpub.mediatypes import content_type_for
from podpub.podcasts.model import Show
from podpub.slugs import slugify
from podpub.storage.base import Upload
from podpub.website.render import episode_page_urls, render_website


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
        result.append(canonical.replaced(episode, media=facts.info, sha256=facts.sha256))
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
    """Decide every published file and render the feed documents into `staging/` (`feed.xml`, and
    with `max_items` or `complete_feed` the archive pages and the complete feed: `paging`).

    Only published episodes are included: a draft's or a scheduled episode's audio is not put
    online before its date. When nothing the build reads has changed since the last one (its
    fingerprint, see `build_fingerprint`), the staged site is reused as it is.
    """
    base = base_url or show.publish.base_url
    published = [e for e in episodes if e.status(now) is Status.PUBLISHED]
    live = with_media(published, cache)
    fingerprint, episode_digests = build_fingerprint(show, published, live, base_url, cache)
    reused = reuse_build(staging, fingerprint, live)
    if reused is not None:
        cache.save()
        save_episode_cache(show)
        return reused
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
    if show.site.enabled:  # each item's <link> is its episode page
        urls = episode_page_urls(feed_show, items)
        items = [replace(item, link=urls.get(item.episode.guid)) for item in items]
    for item in items:  # one digest per item, shared by the website's page records and the feed's item cache
        canonical.remember(item, item_digest(item, episode_digests[item.episode.guid]))
    if show.site.enabled:  # the website: pages beside the feed, and the feed styled for browsers
        website = render_website(files, feed_show, items, image_url=image_url, feed_key=feed_key)
        stylesheets, page_keys = website.stylesheets, website.pages
    width, height, image_type = files.images.get(image_url or "", (0, 0, None))
    for document in feed_documents(feed_show, items, feed_key=feed_key):
        xml = render_feed(
            feed_show, document.items, image_url=image_url, image_size=(width, height) if width else None,
            image_type=image_type, paging=document.paging,
        )  # fmt: skip
        xml = with_stylesheets(xml, stylesheets)
        path = staging / document.key
        if not path.is_file() or path.stat().st_size != len(xml) or path.read_bytes() != xml:
            atomic_write_bytes(path, xml)  # unchanged archive pages are not rewritten (nor fsynced)
        files.files[document.key] = Upload(
            key=document.key,
            source=path,
            size=len(xml),
            sha256=hashlib.sha256(xml).hexdigest(),
            content_type=content_type_for(document.key),
            cache_control=f"public, max-age={show.publish.feed_max_age}",
        )
        if document.key != feed_key:  # archive pages and the complete feed: stable keys, published with the feed
            page_keys |= {document.key}
    cache.save()
    site = Site(
        files=sorted(files.files.values(), key=lambda u: u.key),
        feed_key=feed_key,
        feed_url=base + feed_key,
        episodes=live,
        warnings=files.warnings,
        page_keys=page_keys,
    )
    once = set(files.once)
    record_build(staging, fingerprint, site, [w for w in site.warnings if w not in once])
    save_episode_cache(show)
    return site


BUILD_RECORD = "build.json"
#: in build.json, for a file of the show itself (not staged): checked through the fingerprint
COVERED = "fingerprint"


_ITEM_FIELDS = tuple(f.name for f in dataclass_fields(FeedEpisode) if f.name != "episode")


def item_digest(item: FeedEpisode, episode_digest: str) -> str:
    """A digest of a feed item from its episode's (see `build_fingerprint`) and its own other fields:
    what the item cache and the website's page records key on, without encoding the episode again."""
    return canonical.digest(episode_digest, [getattr(item, name) for name in _ITEM_FIELDS])


def build_fingerprint(
    show: Show, published: Sequence[Episode], live: Sequence[Episode], base_url: str | None, cache: MediaCache
) -> tuple[str, dict[str, str]]:
    """A digest of everything a build reads: podpub's code, the show, the episodes in the feed at
    this moment with their audio facts (`live`: `published` after `with_media`; the media cache
    keeps the facts in step with the audio), the preview URL, and the stamp of every other file an
    episode or the show names (artwork, chapters, transcripts, alternates). Equal fingerprints mean
    the build would write the same site.

    Each live episode is `published` with `media` and `sha256` set, so it is entered as the digest
    of the episode as loaded (known to the parsed-episode cache), of its media facts (known to the
    media cache) and its sha256: the same information as its whole canonical form, without
    encoding thousands of episodes again on every rebuild. Returns the fingerprint and that digest
    of each live episode, by guid.
    """
    named: list[Path | None] = [show.image]
    entries = []
    for before, episode in zip(published, live, strict=True):
        named += [episode.image, episode.chapters_file]
        named += [t.file for t in episode.transcripts]
        named += [a.file for a in episode.alternates]
        if episode.media is None:
            media = None
        elif episode.audio is not None:  # kept in the media cache with the facts
            media = cache.digest(episode.audio, episode.media)
        else:  # audio_url: facts from the episode file itself
            media = canonical.digest_of(episode.media)
        entries.append([canonical.digest_of(before), media, episode.sha256])
    stamps = [file_stamp(path) if path is not None else None for path in named]
    fingerprint = canonical.digest(canonical.code_version(), base_url, show, entries, stamps)
    return fingerprint, {e.guid: canonical.plain_digest(entry) for e, entry in zip(live, entries, strict=True)}


def record_build(staging: Path, fingerprint: str, site: Site, warnings: list[str]) -> None:
    """Remember what this build made (every file with the stamp of its source) beside the staged site.

    `warnings` are those a rebuild would repeat (what podpub fixed in artwork is said once, when
    the fix is made).
    """
    # Files podpub staged are stamped; the show's own files (audio, artwork, transcripts) are already
    # covered by the fingerprint (their media facts or their stamps), so they are not stat'ed twice.
    inside = str(staging) + os.sep
    files = [
        [u.key, str(u.source), u.size, u.sha256, u.content_type, u.cache_control,
         file_stamp(u.source) if str(u.source).startswith(inside) else COVERED]
        for u in site.files
    ]  # fmt: skip
    record = {
        "files": files,
        "feed_key": site.feed_key,
        "feed_url": site.feed_url,
        "warnings": warnings,
        "pages": sorted(site.page_keys),
    }
    # The fingerprint on a line of its own, first: a build whose inputs changed reads just that line
    # (on a 10,000-episode show the record is 4 MB of JSON).
    text = fingerprint + "\n" + json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    with contextlib.suppress(OSError):  # only costs the next build its shortcut
        atomic_write_text(staging / BUILD_RECORD, text)


def reuse_build(staging: Path, fingerprint: str, live: list[Episode]) -> Site | None:
    """The last build's site when its fingerprint is `fingerprint` and every file it staged or linked
    is still exactly as it left it (same device, inode, size, mtime); else None.

    This is what makes a rebuild of an unchanged show cost a stat per file instead of a render of
    every page: on a 1,000-episode show, tens of milliseconds instead of a second.
    """
    try:
        with (staging / BUILD_RECORD).open(encoding="utf-8") as handle:
            if handle.readline().rstrip("\n") != fingerprint:
                return None
            record = json.loads(handle.read())
        files = []
        for key, source, size, sha256, content_type, cache_control, stamp in record["files"]:
            if stamp != COVERED and (stamp is None or file_stamp(source) != stamp):
                return None
            files.append(Upload(key, Path(source), size, sha256, content_type, cache_control))
        return Site(
            files=files,
            feed_key=record["feed_key"],
            feed_url=record["feed_url"],
            episodes=live,
            warnings=list(record["warnings"]),
            page_keys=frozenset(record["pages"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # no record, or not one podpub wrote
        return None
