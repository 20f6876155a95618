"""Content types by file extension, the one table every part of podpub uses.

The enclosure `type` in the feed, the Content-Type a storage target stores and the one the preview
server sends must agree, or Apple and Spotify reject episodes; so they all come from here and never
from a library's guess (mutagen says `audio/mp3`, S3 defaults to `binary/octet-stream`).
"""

from __future__ import annotations

from pathlib import PurePath

CONTENT_TYPES: dict[str, str] = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".m4b": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".aif": "audio/aiff",
    ".aiff": "audio/aiff",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".xml": "application/xml; charset=utf-8",  # not rss+xml: browsers would not apply the XSL
    ".xsl": "text/xsl; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",  # a network's list of feeds (podpub.network.files)
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".pdf": "application/pdf",
}

DEFAULT_CONTENT_TYPE = "application/octet-stream"
#: JSON chapters are published as `<name>.chapters.json` and served with the namespace's own type
CHAPTERS_SUFFIX = ".chapters.json"
CHAPTERS_TYPE = "application/json+chapters"


def content_type_for(name: str | PurePath) -> str:
    """The Content-Type to serve a file under, decided by its extension alone.

    Accepts a file name, a path or a bare extension (".mp3"), which PurePath sees as a dot-file
    with no suffix.
    """
    text = str(name).lower()
    if text.endswith(CHAPTERS_SUFFIX):
        return CHAPTERS_TYPE
    dot = text.rfind(".")
    if dot < 0 or "/" in text[dot:]:
        return DEFAULT_CONTENT_TYPE
    return CONTENT_TYPES.get(text[dot:], DEFAULT_CONTENT_TYPE)
