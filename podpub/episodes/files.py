"""Reading the show's episode files (`episodes/NNNN-slug.md`) into Episode objects."""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podpub import canonical
from podpub.canonical import file_stamp
from podpub.episodes import frontmatter
from podpub.episodes.model import AlternateRef, Episode, RemoteAudio, TranscriptRef
from podpub.errors import ConfigError
from podpub.fsutil import atomic_write_text
from podpub.inputfiles import read_regular_text, utf8_error_line
from podpub.mediatypes import DEFAULT_CONTENT_TYPE, content_type_for
from podpub.namespace_fields import read_license, read_location, read_persons, read_social, read_soundbites
from podpub.podcasts.config import check_language
from podpub.podcasts.model import Show
from podpub.tomlfiles import Fields, parse_toml

EPISODE_TYPES = ("full", "trailer", "bonus")
EPISODE_KEYS = {
    "guid", "title", "date", "audio", "season", "number", "type", "explicit", "draft", "image",
    "chapters", "transcripts", "alternates", "persons", "location", "soundbites", "social", "episode_display",
    "license", "license_url", "block", "audio_url", "audio_length", "audio_type", "audio_duration",
}  # fmt: skip
REMOTE_KEYS = ("audio_url", "audio_length", "audio_type", "audio_duration")
EMBEDDED = "embedded"  # image = "embedded": the cover art inside the audio file
#: The most show notes podpub publishes. Escaped into the feed they must stay well under the 10 MB that
#: libxml2-based readers (and podpub's own validator) accept for one text node, or no app reads the feed.
MAX_NOTES_BYTES = 1 << 20
_FILE_NAME = re.compile(r"^(\d+)-[A-Za-z0-9][A-Za-z0-9-]*\.md$")


def episode_files(show: Show) -> list[Path]:
    """Every `*.md` in `episodes/`, in name order (the numbering is the producer's order).

    Sorted by name rather than as paths (the same order in one folder): comparing 10,000 Path
    objects cost more than listing the folder."""
    folder = show.episodes_dir
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.name.endswith(".md") and not e.name.startswith("."))
    return [folder / name for name in names]


def show_relative(show: Show, path: Path) -> str:
    try:
        return path.relative_to(show.root).as_posix()
    except ValueError:
        return str(path)


def resolve_in_show(show: Show, value: str, fields: Fields, key: str, deps: list[Any] | None = None) -> Path:
    """A path from an episode file, refused when it leaves the show folder.

    The build publishes whatever these paths name, so a path through `..` or a link to elsewhere
    could publish a private file. `deps` collects the path as written (joined to the show folder)
    with its `file_stamp`, taken before the check, which the parsed-episode cache compares before
    trusting a cached episode.
    """
    path = Path(value)
    if path.is_absolute():
        raise fields.fail(key, f"{value!r} must be relative to the show folder, e.g. media/episode.mp3")
    if "\0" in value:  # no file name holds one, and the OS calls refuse it with a ValueError
        raise fields.fail(key, f"{value!r} has a NUL character; write the file's path")
    if deps is not None:
        written = str(show.root / path)
        deps.append([written, file_stamp(written)])
    resolved = Path(os.path.realpath(show.root / path))  # show.root is already resolved
    if not resolved.is_relative_to(show.root):
        raise fields.fail(key, f"{value!r} is outside the show folder; move the file into the show's media/")
    if not resolved.is_file():
        raise fields.fail(key, f"file {value!r} not found; fix the path or restore the file")
    return resolved


def load_episode(show: Show, path: Path, deps: list[Any] | None = None) -> Episode:
    """Read and check one episode file; `deps` (if given) collects the files it names, as written."""
    where = show_relative(show, path)
    try:
        text = read_regular_text(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}:{utf8_error_line(exc)}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:  # a folder, a pipe or a device named *.md, a link loop, a huge file
        raise ConfigError(f"{where}: cannot read it ({exc.strerror or exc}); make it a text file") from None
    parts = frontmatter.split(text, where)
    if (notes_size := len(parts.body.encode("utf-8"))) > MAX_NOTES_BYTES:
        notes_line = parts.line_offset + parts.front_matter.count("\n") + 2
        raise ConfigError(
            f"{where}:{notes_line}: the show notes are {notes_size} bytes; podpub takes at most "
            f"{MAX_NOTES_BYTES >> 20} MiB (apps show a few KB): shorten them"
        )
    data = parse_toml(parts.front_matter, where, line_offset=parts.line_offset)
    fields = Fields(data, where, parts.front_matter, line_offset=parts.line_offset)
    fields.check_known(EPISODE_KEYS)
    guid = fields.text_value("guid", required=True)
    assert guid
    if len(guid) > 255 or any(ch.isspace() for ch in guid):
        raise fields.fail("guid", "must be a string without spaces, at most 255 characters")
    date = fields.datetime_value("date", required=True)
    assert date is not None
    remote = _remote_audio(fields)
    audio_text = fields.text_value("audio", required=remote is None)
    if remote is not None and audio_text:
        raise fields.fail(
            "audio_url", "is set beside audio; keep audio (a file in the show) or audio_url (audio on another host)"
        )
    image_text = fields.text_value("image")
    embedded = image_text == EMBEDDED
    if remote is not None and embedded:
        raise fields.fail("image", '= "embedded" needs the audio file in the show; with audio_url set image to a file')
    if remote is not None and "alternates" in fields.data:
        raise fields.fail("alternates", "need the audio file in the show; with audio_url leave them out")
    chapters_text = fields.text_value("chapters")
    display = fields.text_value("episode_display")
    if display and len(display) > 32:
        raise fields.fail("episode_display", f"is {len(display)} characters; podcast:episode allows 32")
    return Episode(
        source=path,
        guid=guid,
        title=fields.text_value("title", required=True) or "",
        date=date,
        audio=resolve_in_show(show, audio_text, fields, "audio", deps) if audio_text else None,
        notes=parts.body,
        season=fields.int_value("season", minimum=1),
        number=fields.int_value("number", minimum=1),
        type=fields.choice("type", EPISODE_TYPES, "full"),
        explicit=fields.bool_value("explicit"),
        draft=bool(fields.bool_value("draft", default=False)),
        image=resolve_in_show(show, image_text, fields, "image", deps) if image_text and not embedded else None,
        image_embedded=embedded,
        chapters_file=resolve_in_show(show, chapters_text, fields, "chapters", deps) if chapters_text else None,
        transcripts=_transcripts(show, fields, deps),
        alternates=_alternates(show, fields, deps),
        persons=read_persons(fields),
        location=read_location(fields),
        soundbites=read_soundbites(fields),
        social=read_social(fields),
        episode_display=display,
        license=read_license(fields),
        block=bool(fields.bool_value("block", default=False)),
        remote=remote,
    )


def _remote_audio(fields: Fields) -> RemoteAudio | None:
    """`audio_url` and its facts: audio left on another host, linked as the enclosure, never uploaded."""
    if "audio_url" not in fields.data:
        for key in REMOTE_KEYS[1:]:
            if key in fields.data:
                raise fields.fail(key, "needs audio_url (the audio's address on the other host)")
        return None
    url = fields.url_value("audio_url", required=True) or ""
    length = fields.int_value("audio_length", minimum=0)
    if length is None:
        raise fields.fail("audio_url", "needs audio_length, the file's size in bytes (0 when unknown)")
    mime = fields.text_value("audio_type") or content_type_for(urlsplit(url).path)
    if mime == DEFAULT_CONTENT_TYPE or not mime.startswith(("audio/", "video/")):
        raise fields.fail("audio_type" if "audio_type" in fields.data else "audio_url",
                          f"needs an audio or video type such as audio/mpeg, got {mime!r}")  # fmt: skip
    duration = fields.number_value("audio_duration", minimum=0) or 0.0
    return RemoteAudio(url, length, mime, duration)


def _transcripts(show: Show, fields: Fields, deps: list[Any] | None) -> tuple[TranscriptRef, ...]:
    result = []
    for entry in fields.table_list("transcripts"):
        entry.check_known({"file", "language"})
        file = resolve_in_show(show, entry.text_value("file", required=True) or "", entry, "file", deps)
        language = entry.text_value("language")
        if language and (problem := check_language(language)):
            raise entry.fail("language", f"{problem}, got {language!r}")
        result.append(TranscriptRef(file, language))
    return tuple(result)


def _alternates(show: Show, fields: Fields, deps: list[Any] | None) -> tuple[AlternateRef, ...]:
    result = []
    for entry in fields.table_list("alternates"):
        entry.check_known({"file", "title"})
        file = resolve_in_show(show, entry.text_value("file", required=True) or "", entry, "file", deps)
        title = entry.text_value("title")
        if title and len(title) > 32:
            raise entry.fail("title", f"is {len(title)} characters; podcast:alternateEnclosure allows 32")
        result.append(AlternateRef(file, title))
    return tuple(result)


def load_episodes(show: Show) -> list[Episode]:
    """All episodes, checked together: one GUID per episode, for the life of the show.

    Episode files unchanged since the last run come from the parsed-episode cache (see
    `EpisodeCache`): on a large show, reading and checking every file was most of the cost of
    commands that change one episode.
    """
    cache = EpisodeCache(show)
    episodes = [cache.load(path) for path in episode_files(show)]
    seen: dict[str, Path] = {}
    for episode in episodes:
        if episode.guid in seen:
            first = show_relative(show, seen[episode.guid])
            raise ConfigError(
                f"{show_relative(show, episode.source)}: guid {episode.guid!r} is also used by {first}; "
                "every episode needs its own guid (give the newer file a new one: "
                f'guid = "{uuid.uuid4()}")'
            )
        seen[episode.guid] = episode.source
    _pending[show.root] = cache
    return episodes


# The cache of the last load of each show, saved when a build of it succeeds (`save_episode_cache`): a
# command that stops on an error (a bad episode file, artwork that does not fit) leaves the show folder
# exactly as it was, caches included.
_pending: dict[Path, EpisodeCache] = {}


def save_episode_cache(show: Show) -> None:
    """Write what the last `load_episodes(show)` read, after a build that used it went through."""
    cache = _pending.pop(show.root, None)
    if cache is not None:
        cache.save()


EPISODE_CACHE = Path(".podpub") / "episode-cache.json"


class EpisodeCache:
    """Parsed episode files kept between runs in `.podpub/episode-cache.json` (derived data).

    An entry is trusted only while the episode file has the same device, inode, size and mtime,
    every file it names (audio, image, chapters, transcripts, alternates) is still the same file
    reached by the same path, podpub's code is the same (`canonical.code_version`) and the show
    folder is the same. Otherwise the file is read and checked as if there were no cache, so every
    error is reported exactly as before. Episodes are stored in `podpub.canonical`'s JSON form and
    decode to objects equal to freshly parsed ones.
    """

    def __init__(self, show: Show) -> None:
        self.show = show
        self.path = show.root / EPISODE_CACHE
        self.header = {"version": canonical.code_version(), "root": str(show.root)}
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("header") == self.header and isinstance(data.get("files"), dict):
                self._old = data["files"]

    def load(self, path: Path) -> Episode:
        """The episode in `path`: from the cache when nothing it was read from changed, else parsed now."""
        key = path.name
        stamp = file_stamp(str(path))
        entry = self._old.get(key)
        if stamp is not None and entry is not None:
            cached = self._valid(entry, stamp, path)
            if cached is not None:
                self._new[key] = entry
                return cached
        deps: list[Any] = []
        episode = load_episode(self.show, path, deps)
        if stamp is not None:
            encoded = canonical.encode(episode)
            self._new[key] = [stamp, deps, encoded, canonical.encoded_digest(encoded)]
            canonical.remember(episode, self._new[key][3])
        return episode

    @staticmethod
    def _valid(entry: Any, stamp: list[int], path: Path) -> Episode | None:
        """The cached episode if `entry` was made from this very file and the files it named, else None."""
        try:
            recorded, deps, encoded, encoded_digest = entry
            if recorded != stamp or not all(file_stamp(dep) == dep_stamp for dep, dep_stamp in deps):
                return None
            episode: Episode = canonical.decode(Episode, encoded)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):  # an entry podpub did not write
            return None
        if episode.source != path or not isinstance(encoded_digest, str):
            return None
        canonical.remember(episode, encoded_digest)  # the build's fingerprint need not encode it again
        return episode

    def save(self) -> None:
        """Write the entries of this run's files (removed files drop out), only when something changed."""
        if self._new == self._old:
            return
        payload = {"header": self.header, "files": self._new}
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def next_file_number(show: Show) -> int:
    numbers = [int(m.group(1)) for p in episode_files(show) if (m := _FILE_NAME.match(p.name))]
    return max(numbers, default=0) + 1
