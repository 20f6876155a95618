"""The files an episode links besides its audio: artwork, chapters, transcripts, alternate encodings.

Each becomes a content-addressed object (`chapters/<slug>-<hash>.chapters.json`,
`transcripts/<slug>-<hash>.vtt`, ...) so it can be cached forever and never changes under a URL,
and each is checked here, where the site is assembled, so a broken chapter list or transcript stops
the build with a one-line error instead of reaching listeners.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from podpub.episodes import frontmatter
from podpub.episodes.cache import MediaCache, MediaFacts
from podpub.episodes.chapters import embedded_chapters, read_chapter_file, to_json, validate
from podpub.episodes.model import Episode
from podpub.episodes.probe import read_cover
from podpub.episodes.transcripts import read_transcript, srt_to_vtt
from podpub.errors import InputError
from podpub.feeds.render import FeedAlternate, FeedChapter, FeedEpisode, FeedTranscript
from podpub.fsutil import atomic_write_bytes, sha256_file
from podpub.mediatypes import CHAPTERS_SUFFIX, content_type_for
from podpub.podcasts.artwork import PreparedArtwork, prepare_artwork
from podpub.podcasts.model import Show
from podpub.slugs import slugify
from podpub.storage.base import Upload
from podpub.tomlfiles import key_line

HASH_LENGTH = 12
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass
class SiteFiles:
    """The files of a site being assembled, and where generated ones are staged."""

    base_url: str
    generated: Path  # staging folder for files podpub makes (chapters JSON, fixed artwork, VTT copies)
    derived: Path  # cache of expensive conversions, keyed by the source's hash
    files: dict[str, Upload] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    images: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # artwork URL -> width, height, type
    once: list[str] = field(default_factory=list)  # warnings said only when a fix is made (not by rebuilds)

    def add_file(
        self, stem: str, source: Path, extension: str, sha256: str | None = None, size: int | None = None
    ) -> str:
        """Publish an existing file under `<stem>-<hash><extension>`; returns its public URL.

        `sha256` and `size` come from the media cache for audio (known facts of the same file state),
        saving a read or a stat per episode."""
        digest = sha256 or sha256_file(source)
        key = f"{stem}-{digest[:HASH_LENGTH]}{extension}"
        length = size if size is not None and sha256 else source.stat().st_size
        self.files[key] = Upload(key, source, length, digest, content_type_for(key), IMMUTABLE_CACHE_CONTROL)
        return self.base_url + key

    def add_bytes(self, stem: str, data: bytes, extension: str) -> str:
        """Publish bytes podpub generated; staged once per content, so rebuilds rewrite nothing."""
        digest = hashlib.sha256(data).hexdigest()
        key = f"{stem}-{digest[:HASH_LENGTH]}{extension}"
        path = self.generated / key
        if not path.is_file() or path.stat().st_size != len(data):
            atomic_write_bytes(path, data)
        self.files[key] = Upload(key, path, len(data), digest, content_type_for(key), IMMUTABLE_CACHE_CONTROL)
        return self.base_url + key

    def artwork(self, stem: str, label: str, *, path: Path | None = None, data: bytes | None = None) -> str:
        """Publish artwork as Apple wants it: the original when compliant, else podpub's fixed copy."""
        source = data if data is not None else _read(path, label)
        prepared = self._prepared(source, label)
        self.warnings.extend(prepared.warnings)
        if prepared.changed:  # later builds take the fixed copy from the derived cache, silently
            self.once.extend(prepared.warnings)
        if not prepared.changed and path is not None:
            url = self.add_file(stem, path, prepared.extension)
        else:
            url = self.add_bytes(stem, prepared.data, prepared.extension)
        self.images[url] = (prepared.width, prepared.height, prepared.mime_type)
        return url

    def artwork_loose(self, data: bytes, label: str) -> tuple[bytes, str]:
        """A chapter image: any size or shape goes (apps show them small), but JPEG or PNG only."""
        with contextlib.suppress(Exception), Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                return data, ".jpg"
            if image.format == "PNG":
                return data, ".png"
            image.load()
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue(), ".jpg"
        raise InputError(f"{label}: not a readable image; replace it with a JPEG or PNG")

    def _prepared(self, source: bytes, label: str) -> PreparedArtwork:
        """prepare_artwork, cached on disk by the source's hash: re-encoding 3000 px art costs time.

        What was fixed is said once, when the fix is made, not on every build.
        """
        digest = hashlib.sha256(source).hexdigest()
        cached = self.derived / f"artwork-{digest}.jpg"
        if cached.is_file():
            data = cached.read_bytes()
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
            return PreparedArtwork(data, ".jpg", "image/jpeg", width, height, changed=True)
        prepared = prepare_artwork(source, label)
        if prepared.changed:
            atomic_write_bytes(cached.with_suffix(prepared.extension), prepared.data)
            notes = [f"{label}: {note}" for note in prepared.notes]
            self.warnings.extend(notes)
            self.once.extend(notes)
        return prepared


def _read(path: Path | None, label: str) -> bytes:
    assert path is not None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None


def episode_item(files: SiteFiles, show: Show, episode: Episode, cache: MediaCache) -> FeedEpisode:
    """Publish the episode's audio and every file it links, and describe them for the feed."""
    media = episode.media
    assert media is not None
    # The file's name for messages; only episodes with artwork or alternates need it (10,000 Path
    # computations per build otherwise).
    label = _where(show, episode) if episode.image or episode.image_embedded or episode.alternates else ""
    slug = slugify(episode.slug)
    if not media.suitable:
        raise InputError(
            f"{_where(show, episode, 'audio')} audio {episode.audio.name} is {media.format}, which podcast apps "
            "cannot play; encode it to MP3 or M4A and point `audio` at the new file"
        )
    if episode.remote is not None:  # audio_url: linked where it is, never uploaded (so never pruned)
        enclosure = episode.remote.url
    else:
        assert episode.audio is not None
        enclosure = files.add_file(f"media/{slug}", episode.audio, media.extension, episode.sha256, media.size)
    image_url = None
    if episode.image is not None:
        image_url = files.artwork(f"artwork/{slug}", f"{label}: image {episode.image.name}", path=episode.image)
    elif episode.image_embedded:
        cover = read_cover(episode.audio)
        if cover is None:
            raise InputError(
                f'{_where(show, episode, "image")} image = "embedded" but {episode.audio.name} has no cover art; '
                "set image to a file"
            )
        image_url = files.artwork(f"artwork/{slug}", f"{label}: cover of {episode.audio.name}", data=cover[0])
    chapters_url, inline = _chapters(files, show, episode, slug)
    width, height, image_type = files.images.get(image_url or "", (0, 0, None))
    return FeedEpisode(
        episode=episode,
        enclosure_url=enclosure,
        image_url=image_url,
        image_size=(width, height) if width else None,
        image_type=image_type,
        chapters_url=chapters_url,
        chapters=inline,
        transcripts=_transcripts(files, episode, slug),
        alternates=_alternates(files, episode, cache, slug, enclosure, label),
    )


def _where(show: Show, episode: Episode, key: str | None = None) -> str:
    """`episodes/0003-x.md` (and `:LINE:` of `key`), as front-matter errors name files everywhere."""
    relative = (
        episode.source.relative_to(show.root).as_posix()
        if episode.source.is_relative_to(show.root)
        else str(episode.source)
    )
    if key is None:
        return relative
    try:
        line = key_line(
            frontmatter.split(episode.source.read_text(encoding="utf-8"), relative).front_matter, key, None, 1
        )
    except (OSError, InputError):
        line = None
    return f"{relative}:{line}:" if line else f"{relative}:"


def _chapters(files: SiteFiles, show: Show, episode: Episode, slug: str) -> tuple[str | None, tuple[FeedChapter, ...]]:
    """JSON chapters (with their images) from the episode's chapters file, else from the audio."""
    assert episode.media is not None
    if episode.chapters_file is not None:
        marks = read_chapter_file(episode.chapters_file)
        source = episode.chapters_file.name
    elif episode.media.chapters:
        marks = embedded_chapters(episode.audio)
        source = episode.audio.name
    else:
        return None, ()
    if not marks:
        return None, ()
    marks = validate(marks, episode.media.duration, source)
    image_urls: list[str | None] = []
    for number, mark in enumerate(marks, start=1):
        if mark.image is not None:
            prepared = files.artwork_loose(mark.image, f"{source}: image of chapter {number}")
            image_urls.append(files.add_bytes(f"chapters/{slug}-{number}", prepared[0], prepared[1]))
        else:
            image_urls.append(mark.image_url)
    data = to_json(marks, image_urls, title=episode.title, podcast_name=show.title)
    url = files.add_bytes(f"chapters/{slug}", data, CHAPTERS_SUFFIX)
    inline = tuple(
        FeedChapter(mark.start, mark.title, mark.url, image)
        for mark, image in zip(marks, image_urls, strict=True)
        if mark.toc and mark.title
    )
    return url, inline


def _transcripts(files: SiteFiles, episode: Episode, slug: str) -> tuple[FeedTranscript, ...]:
    result = []
    for ref in episode.transcripts:
        transcript = read_transcript(ref.file)
        url = files.add_file(f"transcripts/{slug}", ref.file, f".{transcript.format}")
        result.append(FeedTranscript(url, transcript.mime_type, ref.language, transcript.timed))
        if transcript.format == "srt":
            # Apple ingests WebVTT, AntennaPod prefers it to SRT: publish a VTT copy beside it.
            vtt = srt_to_vtt(ref.file.read_text(encoding="utf-8-sig"), source=ref.file.name)
            vtt_url = files.add_bytes(f"transcripts/{slug}", vtt.encode("utf-8"), ".vtt")
            result.append(FeedTranscript(vtt_url, "text/vtt", ref.language, True))
    return tuple(result)


CODECS = {"MP3": "mp3", "OggOpus": "opus", "OggVorbis": "vorbis", "FLAC": "flac"}


def _alternates(
    files: SiteFiles, episode: Episode, cache: MediaCache, slug: str, enclosure_url: str, where: str
) -> tuple[FeedAlternate, ...]:
    """The other encodings, after the main one marked default (the namespace's recommendation)."""
    if not episode.alternates:
        return ()
    media = episode.media
    assert media is not None and episode.sha256 is not None
    result = [
        FeedAlternate(enclosure_url, media.mime_type, media.size, episode.sha256, media.bitrate or None,
                      _codecs(media.format, media.is_video), None, default=True)
    ]  # fmt: skip
    for ref in episode.alternates:
        facts = alternate_checks(episode, cache, ref.file, where)
        info = facts.info
        url = files.add_file(f"media/{slug}", ref.file, info.extension, facts.sha256)
        result.append(
            FeedAlternate(url, info.mime_type, info.size, facts.sha256, info.bitrate or None,
                          _codecs(info.format, info.is_video), ref.title)
        )  # fmt: skip
    return tuple(result)


def _codecs(fmt: str, is_video: bool) -> str | None:
    if fmt == "MP4":
        return "avc1.42E01E, mp4a.40.2" if is_video else "mp4a.40.2"
    return CODECS.get(fmt)


def alternate_checks(episode: Episode, cache: MediaCache, alternate: Path, where: str) -> MediaFacts:
    """An alternate encoding must be audio of the same length (within a second) as the episode."""
    facts = cache.facts(alternate)
    assert episode.media is not None
    difference = abs(facts.info.duration - episode.media.duration)
    if difference > 1.0:
        raise InputError(
            f"{where}: alternate {alternate.name} lasts {facts.info.duration:.1f} s but the episode "
            f"{episode.media.duration:.1f} s; it must be the same recording (within 1 s)"
        )
    return facts
