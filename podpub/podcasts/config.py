"""Reading and creating `podcast.toml`, the show's one configuration file.

Reading is strict (unknown keys, wrong types and invalid values are errors with the line) so that a
typo never silently changes a feed; writing goes through tomlkit so the producer's comments and
layout survive every edit podpub makes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomlkit

from podpub.errors import ConfigError, InputError
from podpub.fsutil import atomic_write_text, is_within
from podpub.inputfiles import read_regular_text, utf8_error_line
from podpub.namespace import Funding, Txt, UpdateFrequency
from podpub.namespace_fields import LIMIT, read_license, read_location, read_persons, read_social
from podpub.podcasts.categories import parse_category
from podpub.podcasts.model import Category, MovedFrom, PublishSettings, Show, SiteLink, SiteSettings
from podpub.tomlfiles import Fields, Inherited, parse_toml
from podpub.website.colors import check_palette, parse_color

CONFIG_NAME = "podcast.toml"
SHOW_TYPES = ("episodic", "serial")
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

TOP_KEYS = {
    "title", "description", "language", "author", "link", "copyright", "image", "categories",
    "explicit", "type", "guid", "locked", "owner", "publish",
    "medium", "license", "license_url", "persons", "funding", "txt", "location", "social", "update_frequency",
    "season_names", "new_feed_url", "block", "complete", "site", "max_items", "complete_feed",
}  # fmt: skip
MEDIUMS = (
    "podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course",
    "podcastL", "musicL", "videoL", "filmL", "audiobookL", "newsletterL", "blogL", "publisherL", "courseL", "mixed",
)  # fmt: skip
_OWNER_KEYS = {"name", "email"}
PUBLISH_KEYS = {
    "base_url",
    "target",
    "feed_max_age",
    "endpoint_url",
    "region",
    "profile",
    "addressing_style",
    "acl",
    "jobs",
    "multipart_threshold_mib",
    "multipart_chunk_mib",
    "moved_from",
}

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def podcast_guid(feed_url: str) -> str:
    """The Podcast Index `podcast:guid`: UUIDv5 of the feed URL without scheme and trailing slashes.

    Computed once, at `init`, and stored; a later change of URL must not change it.
    """
    seed = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def check_language(value: str) -> str | None:
    """None when valid, else what is wrong: directories reject feeds with invalid codes."""
    return None if _LANGUAGE.match(value) else "must be an ISO 639 code such as fr, en or en-us"


def check_email(value: str) -> str | None:
    return None if _EMAIL.match(value) else "must be an e-mail address"


def check_url(value: str) -> str | None:
    return None if _URL.match(value) else "must be an http:// or https:// URL"


_FEED_FILE = re.compile(r"^[a-z0-9][a-z0-9._-]*\.xml$")
# feed.xml, the sitemap, and the archive pages' names (podpub.feeds.paging.archive_key)
_TAKEN_FEED_FILE = re.compile(r"^(feed|sitemap|feed-archive-\d+)\.xml$")


def check_feed_file(value: str) -> str | None:
    """`complete_feed`: a file beside feed.xml, under a name podpub does not already publish."""
    if not _FEED_FILE.match(value):
        return "must be a file name (lower case, no folder) ending in .xml, e.g. feed-complete.xml"
    if _TAKEN_FEED_FILE.match(value):
        return "is a name podpub already publishes; pick another, e.g. feed-complete.xml"
    return None


def find_show_root(start: Path) -> Path:
    """The folder holding `podcast.toml`: `start` or one of its parents, like git finds `.git`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise InputError(f"no {CONFIG_NAME} in {start} or its parents; run `podpub init` or pass -C SHOW_DIR")


# Merges network defaults into a show's TOML data (see podpub.network.inherit.ShowDefaults.merge).
Inheritance = Callable[[Mapping[str, Any]], tuple[dict[str, Any], Inherited]]


def read_config_text(root: Path, where: str = CONFIG_NAME) -> str:
    """The text of `root/podcast.toml`, or a one-line error naming it."""
    try:
        return read_regular_text(root / CONFIG_NAME)
    except FileNotFoundError:
        raise InputError(f"{where}: not found; run `podpub init` first") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}:{utf8_error_line(exc)}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read ({exc.strerror})") from None


def load_show(
    root: Path, *, inherit: Inheritance | None = None, where: str = CONFIG_NAME, slug: str | None = None
) -> Show:
    """Read and validate `root/podcast.toml`, over the network's defaults when in a workspace.

    `where` names the file in errors: relative to the show folder on its own (like episode files),
    relative to the workspace in a network, where several shows each have a `podcast.toml`.
    """
    text = read_config_text(root, where)
    data = parse_toml(text, where)
    inherited = None
    if inherit is not None:
        data, inherited = inherit(data)
    top = Fields(data, where, text, inherited=inherited)
    top.check_known(TOP_KEYS)
    owner = Fields(top.table_value("owner"), where, text, table="owner", inherited=inherited)
    owner.check_known(_OWNER_KEYS)
    publish = Fields(top.table_value("publish"), where, text, table="publish", inherited=inherited)
    publish.check_known(PUBLISH_KEYS)

    def checked(fields: Fields, key: str, check: Any, required: bool = True) -> str | None:
        value = fields.text_value(key, required=required)
        if value is not None and (problem := check(value)):
            raise fields.fail(key, f"{problem}, got {value!r}")
        return value

    title = top.text_value("title", required=True)
    language = checked(top, "language", check_language)
    owner_email = checked(owner, "email", check_email)
    base_url = checked(publish, "base_url", check_url)
    link = checked(top, "link", check_url, required=False)
    assert title and language and owner_email and base_url

    category_texts = top.string_list("categories")
    if not category_texts:
        raise top.fail("categories", 'is missing or empty: it is required; add e.g. categories = ["Society & Culture"]')
    categories: list[Category] = []
    for text_value in category_texts:
        try:
            categories.append(parse_category(text_value, where))
        except ConfigError as exc:
            raise top.fail("categories", "has an " + str(exc).split(": ", 1)[1]) from None

    guid = top.text_value("guid", required=True)
    assert guid
    try:
        uuid.UUID(guid)
    except ValueError:
        raise top.fail("guid", f"must be a UUID (podcast:guid), got {guid!r}; never change it once published") from None

    image: Path | None = None
    image_text = top.text_value("image")
    if image_text:
        image = (root / image_text).resolve()
        if not is_within(image, root):
            raise top.fail("image", f"{image_text!r} is outside the show folder; move the file into it")
        if not image.is_file():
            raise top.fail("image", f"file {image_text!r} not found")

    return Show(
        root=root.resolve(),
        title=title,
        description=top.text_value("description", allow_empty=True) or "",
        language=language,
        author=top.text_value("author", required=True) or "",
        owner_name=owner.text_value("name", required=True) or "",
        owner_email=owner_email,
        categories=tuple(categories),
        explicit=bool(top.bool_value("explicit", default=False)),
        type=top.choice("type", SHOW_TYPES, "episodic"),
        guid=guid,
        locked=bool(top.bool_value("locked", default=True)),
        publish=publish_settings(publish, normalise_base_url(base_url)),
        image=image,
        link=link,
        copyright=top.text_value("copyright"),
        medium=top.choice("medium", MEDIUMS, "podcast"),
        license=read_license(top),
        persons=read_persons(top),
        funding=_funding(top),
        txts=_txts(top),
        location=read_location(top),
        social=read_social(top),
        update_frequency=_update_frequency(top),
        season_names=_season_names(top),
        new_feed_url=top.url_value("new_feed_url"),
        block=bool(top.bool_value("block", default=False)),
        complete=bool(top.bool_value("complete", default=False)),
        max_items=top.int_value("max_items", minimum=1),
        complete_feed=checked(top, "complete_feed", check_feed_file, required=False),
        site=_site_settings(top),
        slug=slug,
    )


def _funding(top: Fields) -> tuple[Funding, ...]:
    result = []
    for entry in top.table_list("funding"):
        entry.check_known({"url", "label"})
        url = entry.url_value("url", required=True, https=True)
        label = entry.text_value("label", required=True) or ""
        if len(label) > LIMIT:
            raise entry.fail("label", f"is {len(label)} characters; keep it under {LIMIT}")
        result.append(Funding(url or "", label))
    return tuple(result)


def _txts(top: Fields) -> tuple[Txt, ...]:
    result = []
    for entry in top.table_list("txt"):
        entry.check_known({"text", "purpose"})
        text = entry.text_value("text", required=True) or ""
        if len(text) > 4000:
            raise entry.fail("text", f"is {len(text)} characters; podcast:txt allows 4000")
        result.append(Txt(text, entry.text_value("purpose")))
    return tuple(result)


def _update_frequency(top: Fields) -> UpdateFrequency | None:
    table = top.sub("update_frequency")
    if table is None:
        return None
    table.check_known({"label", "rrule", "dtstart", "complete"})
    rrule = table.text_value("rrule")
    if rrule and not re.match(r"^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[^;]+)*$", rrule):
        raise table.fail("rrule", f'must be an RFC 5545 rule such as "FREQ=WEEKLY;INTERVAL=2", got {rrule!r}')
    dtstart = table.datetime_value("dtstart")
    if rrule and "COUNT=" in rrule and dtstart is None:
        raise table.fail("dtstart", "is required when rrule has COUNT")
    return UpdateFrequency(
        label=table.text_value("label", required=True) or "",
        rrule=rrule,
        dtstart=dtstart,
        complete=table.bool_value("complete"),
    )


def _season_names(top: Fields) -> dict[int, str]:
    table = top.sub("season_names")
    if table is None:
        return {}
    names = {}
    for key in table.data:
        if not key.isdigit() or int(key) < 1:
            raise table.fail(key, 'must be a season number (1, 2 ...), e.g. [season_names] 1 = "Les débuts"')
        names[int(key)] = table.text_value(key, required=True) or ""
    return names


SITE_KEYS = {
    "enabled", "title", "clean_urls", "apple_podcasts", "spotify", "pocket_casts", "overcast", "antennapod",
    "accent_color", "background_color", "text_color", "links",
}  # fmt: skip
_SITE_DIRECTORIES = ("apple_podcasts", "spotify", "pocket_casts", "overcast", "antennapod")
_SITE_COLORS = ("accent_color", "background_color", "text_color")


def _site_settings(top: Fields) -> SiteSettings:
    """The `[site]` table; colours must keep text readable (WCAG AA, 4.5:1) against the background."""
    table = top.sub("site")
    if table is None:
        return SiteSettings()
    table.check_known(SITE_KEYS)
    colors: dict[str, str | None] = {}
    for key in _SITE_COLORS:
        value = table.text_value(key)
        colors[key] = parse_color(value) if value is not None else None
        if value is not None and colors[key] is None:
            raise table.fail(key, f'must be a colour written "#rrggbb" (or "#rgb"), got {value!r}')
    problem = check_palette(colors["text_color"], colors["background_color"], colors["accent_color"])
    if problem:
        key, message = problem
        raise table.fail(key, message)
    links = []
    for entry in table.table_list("links"):
        entry.table = "site.links"
        entry.check_known({"label", "url"})
        label = entry.text_value("label", required=True) or ""
        links.append(SiteLink(label, entry.url_value("url", required=True) or ""))
    return SiteSettings(
        enabled=bool(table.bool_value("enabled", default=True)),
        title=table.text_value("title"),
        clean_urls=bool(table.bool_value("clean_urls", default=False)),
        **{key: table.url_value(key) for key in _SITE_DIRECTORIES},
        **colors,
        links=tuple(links),
    )


def publish_settings(publish: Fields, base_url: str) -> PublishSettings:
    endpoint_url = publish.text_value("endpoint_url")
    if endpoint_url and (problem := check_url(endpoint_url)):
        raise publish.fail("endpoint_url", f"{problem}, got {endpoint_url!r}")
    defaults = PublishSettings(base_url=base_url)
    return PublishSettings(
        base_url=base_url,
        target=publish.text_value("target"),
        feed_max_age=publish.int_value("feed_max_age", minimum=0) if "feed_max_age" in publish.data else 300,
        endpoint_url=endpoint_url,
        region=publish.text_value("region"),
        profile=publish.text_value("profile"),
        addressing_style=publish.choice("addressing_style", ("path", "virtual"), "path"),
        acl=publish.choice("acl", ("private", "public-read"), "") or None,
        jobs=publish.int_value("jobs", minimum=1) or defaults.jobs,
        multipart_threshold_mib=publish.int_value("multipart_threshold_mib", minimum=5)
        or defaults.multipart_threshold_mib,
        multipart_chunk_mib=publish.int_value("multipart_chunk_mib", minimum=5) or defaults.multipart_chunk_mib,
        moved_from=_moved_from(publish),
    )


def _moved_from(publish: Fields) -> tuple[MovedFrom, ...]:
    result = []
    for entry in publish.table_list("moved_from"):
        entry.table = "publish.moved_from"
        entry.check_known({"base_url", "target"})
        base_url = entry.url_value("base_url", required=True) or ""
        result.append(MovedFrom(normalise_base_url(base_url), entry.text_value("target", required=True) or ""))
    return tuple(result)


def render_new_config(
    *,
    title: str,
    author: str,
    email: str,
    language: str,
    categories: list[Category],
    base_url: str,
    description: str = "",
    image: str | None = None,
    explicit: bool = False,
    show_type: str = "episodic",
    target: str | None = None,
) -> str:
    """The text of a fresh `podcast.toml`, commented so a producer can edit it without the docs."""
    base_url = normalise_base_url(base_url)
    doc = tomlkit.document()
    doc.add(tomlkit.comment("The show. Edit freely; podpub checks every key when it builds."))
    doc.add("title", title)
    doc.add("description", description)
    doc.add("language", _noted(language, "ISO 639 code: fr, en, en-us ..."))
    doc.add("author", author)
    doc.add(
        "categories",
        _noted(
            [str(c) for c in categories],
            'Apple categories, "Category" or "Category > Subcategory"; the first counts most',
        ),
    )
    doc.add("explicit", explicit)
    doc.add("type", _noted(show_type, "episodic (newest first) or serial (in order)"))
    if image:
        doc.add("image", _noted(image, "square JPEG or PNG, 1400 to 3000 px"))
    doc.add("locked", _noted(True, "podcast:locked: other hosts must refuse to import the show"))
    doc.add(tomlkit.nl())
    doc.add(tomlkit.comment("podcast:guid, derived once from the first feed URL. Never change it, even if the"))
    doc.add(tomlkit.comment("feed moves: apps and directories use it to recognise the show."))
    doc.add("guid", podcast_guid(base_url + "feed.xml"))
    doc.add(tomlkit.nl())
    owner = tomlkit.table()
    owner.add("name", author)
    owner.add("email", email)
    doc.add("owner", owner)
    publish = tomlkit.table()
    publish.add("base_url", _noted(base_url, "where listeners fetch the files; the feed is <base_url>feed.xml"))
    if target:
        publish.add("target", target)
    else:
        publish.add(tomlkit.comment('target = "/srv/www/podcast"  # a folder or file:// URL; `publish --to` overrides'))
    doc.add("publish", publish)
    return tomlkit.dumps(doc)


def _noted(value: object, comment: str) -> Any:
    item = tomlkit.item(value)
    item.comment(comment)
    return item


def write_new_config(root: Path, text: str) -> Path:
    path = root / CONFIG_NAME
    if path.exists():
        raise InputError(f"{path}: a show already exists here; edit it, or choose another folder")
    atomic_write_text(path, text)
    return path
