"""Audio left on another host (`audio_url` in an episode file): the media facts the feed needs.

An imported show can move its feed before its media (`podpub import --keep-remote-media`): such an
episode has no file to probe, so its enclosure length, type and duration are the ones the episode
file states, and the site links the URL as it is. The publisher never uploads it and, since prune only
deletes keys podpub's manifest lists, never deletes it either.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from podpub.episodes.mediainfo import MediaInfo
from podpub.episodes.model import Episode


def remote_media(episode: Episode) -> MediaInfo:
    """The MediaInfo of an `audio_url` episode, from its front matter (nothing is downloaded)."""
    remote = episode.remote
    assert remote is not None
    return MediaInfo(
        format="remote",
        mime_type=remote.type,
        extension=PurePosixPath(urlsplit(remote.url).path).suffix.lower(),
        size=remote.length,
        duration=remote.duration,
        exact_duration=False,
        is_video=remote.type.startswith("video/"),
    )
