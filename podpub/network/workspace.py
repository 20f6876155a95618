"""A workspace: a folder with `podpub.toml` at its root and one show folder per podcast below it.

Found like git finds `.git`: from any folder inside it. `podpub.toml` holds the `[network]` table
(the network's own files: OPML, index page, publisher feed) and defaults every show inherits.
"""

from __future__ import annotations

import difflib
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from podpub.errors import ConfigError, InputError, PodpubError
from podpub.fsutil import is_within
from podpub.namespace import RemoteItem
from podpub.network.inherit import INHERITABLE, ShowDefaults
from podpub.podcasts import config as show_config
from podpub.podcasts.model import PublishSettings, Show
from podpub.tomlfiles import Fields, parse_toml

WORKSPACE_CONFIG = "podpub.toml"
# Folders that never hold a show: podpub's own output and caches, a show's parts, tool folders.
_SKIPPED = {"public", "media", "episodes", "transcripts", "chapters", "node_modules", "__pycache__", "venv"}
_MAX_DEPTH = 3
_NETWORK_KEYS = {"title", "description", "base_url", "target", "guid", "image", "link", "podroll", "language"}


@dataclass(frozen=True)
class NetworkSettings:
    """The `[network]` table: the network itself, as the OPML, the index page and the publisher feed show it."""

    title: str
    description: str = ""
    language: str | None = None
    base_url: str | None = None  # where the network's files are served; None: no network files
    target: str | None = None  # where they are published
    guid: str | None = None  # the publisher feed's podcast:guid; each show's podcast:publisher points at it
    image: Path | None = None
    link: str | None = None
    podroll: bool = True  # each show lists its sister shows in podcast:podroll

    @property
    def publisher_feed_url(self) -> str | None:
        return self.base_url + "publisher.xml" if self.base_url and self.guid else None


@dataclass
class Network:
    """A loaded workspace: its settings, the defaults shows inherit, and where each show lives."""

    root: Path
    settings: NetworkSettings
    defaults: ShowDefaults
    show_dirs: dict[str, Path] = field(default_factory=dict)  # slug -> folder, sorted by slug

    @property
    def config_path(self) -> Path:
        return self.root / WORKSPACE_CONFIG

    def publish_settings(self) -> PublishSettings:
        """The S3 settings of the network's own files: the workspace's [publish] values, templates aside."""
        table = self.defaults.data.get("publish")
        fields = Fields(table if isinstance(table, dict) else {}, self.defaults.where, self.defaults.text, "publish")
        return show_config.publish_settings(fields, self.settings.base_url or "")

    def label(self, slug: str) -> str:
        """The show's podcast.toml as errors name it: relative to the workspace."""
        return (self.show_dirs[slug] / show_config.CONFIG_NAME).relative_to(self.root).as_posix()

    def slug_for(self, folder: Path) -> str | None:
        """The show whose folder is `folder` or holds it."""
        folder = folder.resolve()
        for slug, root in self.show_dirs.items():
            if folder == root or root in folder.parents:
                return slug
        return None

    def select(self, names: Iterable[str]) -> list[str]:
        """Slugs by name, in the order given; an unknown name is an error with the closest slug."""
        chosen = []
        for name in names:
            if name not in self.show_dirs:
                close = difflib.get_close_matches(name, list(self.show_dirs), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"shows: {', '.join(self.show_dirs) or 'none yet'}"
                raise InputError(f"no show {name!r} in the workspace {self.root}; {hint}")
            if name not in chosen:
                chosen.append(name)
        return chosen

    def load_show(self, slug: str) -> Show:
        """One show with the network's defaults, without links to its sister shows."""
        return show_config.load_show(
            self.show_dirs[slug],
            inherit=lambda data: self.defaults.merge(data, slug),
            where=self.label(slug),
            slug=slug,
        )

    def load_linked(self, slug: str) -> Show:
        """One show with its podroll and publisher; a sister whose podcast.toml is broken is left out."""
        sisters: dict[str, Show] = {}
        for other in self.show_dirs:
            try:
                sisters[other] = self.load_show(other)
            except PodpubError:
                if other == slug:
                    raise
        return self.linked(sisters[slug], sisters.values())

    def linked(self, show: Show, shows: Iterable[Show]) -> Show:
        """The show with `podcast:podroll` (its public sister shows) and `podcast:publisher` (the network)."""
        podroll = ()
        if self.settings.podroll:
            podroll = tuple(
                RemoteItem(other.guid, other.publish.feed_url, other.title)
                for other in sorted(shows, key=lambda s: s.slug or "")
                if other.slug != show.slug and not other.block
            )
        publisher = None
        network = self.settings
        if network.guid and network.publisher_feed_url:
            publisher = RemoteItem(network.guid, network.publisher_feed_url, network.title, "publisher")
        return replace(show, podroll=podroll, publisher=publisher)


def find_workspace_root(start: Path) -> Path | None:
    """The folder holding `podpub.toml`: `start` or one of its parents; None outside a workspace."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / WORKSPACE_CONFIG).is_file():
            return folder
    return None


def find_network(start: Path) -> Network | None:
    root = find_workspace_root(start)
    return load_network(root) if root is not None else None


def load_network(root: Path) -> Network:
    """Read `podpub.toml` strictly and find the shows below it."""
    root = root.resolve()
    where = WORKSPACE_CONFIG
    try:
        text = (root / WORKSPACE_CONFIG).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{root / where}: cannot read ({exc.strerror})") from None
    data = parse_toml(text, where)
    top = Fields(data, where, text)
    top.check_known(INHERITABLE | {"network"})
    for table, known in (
        ("owner", {"name", "email"}),
        ("publish", show_config.PUBLISH_KEYS),
        ("site", show_config.SITE_KEYS),
    ):
        sub = top.sub(table)
        if sub is not None:
            sub.check_known(set(known))
    defaults = ShowDefaults({k: v for k, v in data.items() if k != "network"}, where, text)
    defaults.check_templates()
    settings = _network_settings(top, root, defaults)
    network = Network(root, settings, defaults)
    network.show_dirs = discover_shows(root)
    return network


def _network_settings(top: Fields, root: Path, defaults: ShowDefaults) -> NetworkSettings:
    table = top.sub("network")
    if table is None:
        raise ConfigError(f'{top.where}: missing the [network] table; add [network] with title = "..."')
    table.check_known(_NETWORK_KEYS)
    guid = table.text_value("guid")
    if guid is not None:
        try:
            uuid.UUID(guid)
        except ValueError:
            raise table.fail("guid", f"must be a UUID (the publisher feed's podcast:guid), got {guid!r}") from None
    image = None
    if image_text := table.text_value("image"):
        image = (root / image_text).resolve()
        if not is_within(image, root) or not image.is_file():
            raise table.fail("image", f"file {image_text!r} not found in the workspace folder")
    language = table.text_value("language")
    if language is not None and (problem := show_config.check_language(language)):
        raise table.fail("language", f"{problem}, got {language!r}")
    default_language = defaults.data.get("language")
    base_url = table.url_value("base_url")
    publish = defaults.data.get("publish") if isinstance(defaults.data.get("publish"), dict) else {}
    if base_url is None:
        base_url = parent_of_template(publish.get("base_url"))
    return NetworkSettings(
        title=table.text_value("title", required=True) or "",
        description=table.text_value("description", allow_empty=True) or "",
        language=language or (default_language if isinstance(default_language, str) else None),
        base_url=show_config.normalise_base_url(base_url) if base_url else None,
        target=table.text_value("target") or parent_of_template(publish.get("target")),
        guid=guid,
        image=image,
        link=table.url_value("link"),
        podroll=bool(table.bool_value("podroll", default=True)),
    )


def parent_of_template(template: object) -> str | None:
    """`s3://bucket/{slug}` → `s3://bucket/`: where the network's own files go when not set."""
    if not isinstance(template, str):
        return None
    stripped = template.rstrip("/")
    if not stripped.endswith("/{slug}") or "{slug}" in stripped[: -len("/{slug}")]:
        return None
    return stripped[: -len("{slug}")]


def discover_shows(root: Path) -> dict[str, Path]:
    """Every folder below `root` with a podcast.toml, by folder name; shows do not nest."""
    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        depth = len(here.relative_to(root).parts)
        if show_config.CONFIG_NAME in files and here != root:
            slug = here.name
            if slug in found:
                raise ConfigError(
                    f"two shows are named {slug!r}: {found[slug].relative_to(root)} and {here.relative_to(root)}; "
                    "rename one folder (the folder name is the show's slug)"
                )
            found[slug] = here.resolve()
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED and depth < _MAX_DEPTH)
    return dict(sorted(found.items()))


def load_show_in(directory: Path) -> Show:
    """The show `directory` is in, with the network's defaults and links when inside a workspace."""
    network = find_network(directory)
    try:
        root = show_config.find_show_root(directory)
    except InputError:
        if network is None:
            raise
        names = ", ".join(network.show_dirs) or "none yet: podpub new-show SLUG --title ..."
        raise InputError(
            f"{directory.resolve()} is the workspace {network.settings.title!r} (shows: {names}); "
            "pick one with -C SLUG, or pass --all"
        ) from None
    slug = network.slug_for(root) if network is not None else None
    if network is None or slug is None:
        return show_config.load_show(root)
    return network.load_linked(slug)


def resolve_directory(value: Path, cwd: Path) -> Path:
    """`-C VALUE`: a folder, or in a workspace the slug of one of its shows."""
    candidate = cwd / value
    if candidate.is_dir():
        return candidate.resolve()
    network = find_network(cwd)
    if network is not None and str(value) in network.show_dirs:
        return network.show_dirs[str(value)]
    if network is not None:
        network.select([str(value)])  # raises with the closest slug
    raise InputError(f"-C {value}: no such folder")
