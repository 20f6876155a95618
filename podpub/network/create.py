"""`podpub new-workspace` and `podpub new-show`: a network folder and its shows, checked before they exist.

A new show's `podcast.toml` holds only what is the show's own (title, description, artwork, its
podcast:guid) and lists the inherited values as comments: copying them in would let the shows
drift apart again, which is what a workspace is for.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import tomlkit

from podpub.errors import ConfigError, InputError
from podpub.fsutil import atomic_copy, atomic_write_text
from podpub.network.workspace import WORKSPACE_CONFIG, Network, find_workspace_root
from podpub.podcasts import config as show_config
from podpub.podcasts.artwork import check_artwork
from podpub.podcasts.categories import parse_category
from podpub.podcasts.model import Show
from podpub.podcasts.setup import GITIGNORE

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise InputError(
            f"show slug {slug!r}: use lowercase letters, digits and hyphens (it becomes the show's folder and "
            "its place in URLs), e.g. la-voix-du-quartier"
        )


def _categories(texts: tuple[str, ...]) -> list[str]:
    result = []
    for text in texts:
        try:
            result.append(str(parse_category(text, "--category")))
        except ConfigError as exc:
            raise InputError(str(exc)) from None
    return result


def _checked(option: str, value: str | None, check: Any) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if problem := check(value):
        raise InputError(f"{option} {value!r}: {problem}")
    return value


def create_workspace(
    root: Path,
    *,
    title: str,
    description: str = "",
    base_url: str | None = None,
    target: str | None = None,
    author: str | None = None,
    email: str | None = None,
    language: str | None = None,
    categories: tuple[str, ...] = (),
) -> Path:
    """Write `root/podpub.toml`: the network and the defaults its shows inherit."""
    root = root.resolve()
    if (root / WORKSPACE_CONFIG).exists():
        raise InputError(f"{root / WORKSPACE_CONFIG}: a workspace already exists here; edit it")
    enclosing = find_workspace_root(root.parent) if root.parent != root else None
    if enclosing is not None:
        raise InputError(f"{root} is inside the workspace {enclosing}; workspaces do not nest")
    for option, template in (("--base-url", base_url), ("--target", target)):
        if template is not None and "{slug}" not in template:
            raise InputError(
                f"{option} {template!r}: must contain {{slug}} so each show gets its own place, "
                "e.g. https://cdn.example.org/{slug}/ or s3://bucket/{slug}"
            )
    if base_url is not None:
        _checked("--base-url", base_url.replace("{slug}", "show"), show_config.check_url)
    language = _checked("--language", language, show_config.check_language)
    email = _checked("--email", email, show_config.check_email)
    network_base = base_url.split("{slug}", 1)[0] if base_url else None

    doc = tomlkit.document()
    doc.add(tomlkit.comment("The workspace: every folder below with a podcast.toml is a show of this network."))
    doc.add(tomlkit.comment("Values outside [network] are defaults every show inherits and may override;"))
    doc.add(tomlkit.comment("{slug} becomes the show's folder name; `podpub config` shows where each value"))
    doc.add(tomlkit.comment("comes from."))
    if author:
        doc.add("author", author.strip())
    if language:
        doc.add("language", language)
    if categories:
        doc.add("categories", _categories(categories))
    doc.add("explicit", False)
    network = tomlkit.table()
    network.add("title", title.strip())
    network.add("description", description.strip())
    if network_base:
        network.add("base_url", _note(network_base, "podcasts.opml, index.html and publisher.xml are served here"))
    network.add(
        "guid",
        _note(
            show_config.podcast_guid(network_base + "publisher.xml") if network_base else str(uuid.uuid4()),
            "podcast:guid of the network's publisher feed; never change it",
        ),
    )
    network.add("podroll", _note(True, "each show lists its sister shows (podcast:podroll)"))
    doc.add(tomlkit.nl())
    doc.add("network", network)
    if author or email:
        owner = tomlkit.table()
        if author:
            owner.add("name", author.strip())
        if email:
            owner.add("email", email)
        doc.add("owner", owner)
    publish = tomlkit.table()
    if base_url:
        publish.add("base_url", _note(base_url.strip(), "each show's feed is <base_url>feed.xml"))
    if target:
        publish.add("target", target.strip())
    doc.add("publish", publish)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / WORKSPACE_CONFIG, tomlkit.dumps(doc))
    return root / WORKSPACE_CONFIG


def _note(value: object, comment: str) -> Any:
    item = tomlkit.item(value)
    item.comment(comment)
    return item


def create_show_in(
    network: Network,
    slug: str,
    *,
    title: str,
    description: str = "",
    image: Path | None = None,
    language: str | None = None,
    categories: tuple[str, ...] = (),
    author: str | None = None,
    email: str | None = None,
    base_url: str | None = None,
    target: str | None = None,
    show_type: str = "episodic",
) -> Show:
    """Create `<workspace>/<slug>/` with a podcast.toml over the network defaults; all or nothing."""
    check_slug(slug)
    final = network.root / slug
    if final.exists():
        raise InputError(f"{final}: already exists; choose another slug")
    if slug in network.show_dirs:
        raise InputError(f"a show {slug!r} already exists at {network.show_dirs[slug]}")
    defaults = network.defaults.expanded(slug)
    inherited_publish = defaults.get("publish", {}) if isinstance(defaults.get("publish"), dict) else {}
    effective_base = base_url or inherited_publish.get("base_url")
    if not isinstance(effective_base, str) or not effective_base:
        raise InputError(f"{WORKSPACE_CONFIG} has no [publish] base_url template; pass --base-url or add one")

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"The show {slug!r}. Values not set here come from ../{WORKSPACE_CONFIG}:"))
    for line in _inherited_summary(defaults):
        doc.add(tomlkit.comment("  " + line))
    doc.add(tomlkit.comment("Set a key here to override it for this show only; `podpub config` shows the result."))
    doc.add("title", title.strip())
    doc.add("description", description.strip())
    doc.add("type", show_type)
    for key, value in (
        ("language", _checked("--language", language, show_config.check_language)),
        ("author", author.strip() if author else None),
    ):
        if value:
            doc.add(key, value)
    if categories:
        doc.add("categories", _categories(categories))
    image_name = None
    if image is not None:
        art = check_artwork(image, f"--image {image}")
        image_name = "artwork" + art.extension
        doc.add("image", image_name)
    doc.add(tomlkit.nl())
    doc.add(tomlkit.comment("podcast:guid, derived once from the first feed URL: never change it, not even"))
    doc.add(tomlkit.comment("when the show moves."))
    doc.add("guid", show_config.podcast_guid(show_config.normalise_base_url(effective_base) + "feed.xml"))
    if email:
        owner = tomlkit.table()
        owner.add("email", _checked("--email", email, show_config.check_email) or "")
        doc.add("owner", owner)
    if base_url or target:
        publish = tomlkit.table()
        if base_url:
            publish.add("base_url", _checked("--base-url", base_url, show_config.check_url) or "")
        if target:
            publish.add("target", target.strip())
        doc.add("publish", publish)

    # Built in a hidden sibling folder and renamed into place once it loads: never half a show.
    staging = Path(tempfile.mkdtemp(prefix=f".new-{slug}-", dir=network.root))
    try:
        for folder in ("episodes", "media"):
            (staging / folder).mkdir()
        atomic_write_text(staging / ".gitignore", GITIGNORE)
        if image is not None and image_name:
            atomic_copy(image, staging / image_name)
        atomic_write_text(staging / show_config.CONFIG_NAME, tomlkit.dumps(doc))
        try:
            show_config.load_show(
                staging,
                inherit=lambda data: network.defaults.merge(data, slug),
                where=f"{slug}/{show_config.CONFIG_NAME}",
                slug=slug,
            )
        except ConfigError as exc:
            raise InputError(
                f"cannot create {slug!r}: {exc.message}; pass the matching option (e.g. --language, --category, "
                f"--email) or set the value once for every show in {WORKSPACE_CONFIG}"
            ) from None
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    network.show_dirs[slug] = final
    network.show_dirs = dict(sorted(network.show_dirs.items()))
    return network.load_linked(slug)


def _inherited_summary(defaults: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in defaults.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                if not isinstance(item, (dict, list)) or (isinstance(item, list) and len(item) <= 3):
                    lines.append(f"{key}.{sub} = {tomlkit.item(item).as_string()}")
        elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
            lines.append(f"{key} = {tomlkit.item(value).as_string()}")
    return lines
