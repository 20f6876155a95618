"""Records into show files: `podcast.toml` from the channel, front matter and notes from each item.

Everything written here must load with podpub's strict readers, so each value is checked the way
they check it and left out (with a note) when it would not pass: an invalid language, an unknown
category, an http person picture. Identity is never invented when the feed has one: GUIDs, dates
and the show's `podcast:guid` are kept exactly.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import tomlkit

from podpub.errors import ConfigError
from podpub.importer.records import FeedRecord, ItemRecord, PersonRecord
from podpub.importer.values import one_line
from podpub.namespace_fields import LIMIT
from podpub.podcasts.categories import parse_category
from podpub.podcasts.config import (
    MEDIUMS,
    check_email,
    check_language,
    check_url,
    podcast_guid,
    render_new_config,
)
from podpub.podcasts.model import Category
from podpub.slugs import slugify

PLACEHOLDER_EMAIL = "owner@example.invalid"
FALLBACK_CATEGORY = "Society & Culture"
#: Apple's categories renamed or merged in 2019, as old feeds still write them.
OLD_CATEGORIES = {
    "games & hobbies": "Leisure",
    "games & hobbies > video games": "Leisure > Video Games",
    "games & hobbies > hobbies": "Leisure > Hobbies",
    "games & hobbies > automotive": "Leisure > Automotive",
    "games & hobbies > aviation": "Leisure > Aviation",
    "games & hobbies > other games": "Leisure > Games",
    "science & medicine": "Science",
    "science & medicine > medicine": "Health & Fitness > Medicine",
    "science & medicine > natural sciences": "Science > Natural Sciences",
    "science & medicine > social sciences": "Science > Social Sciences",
    "society & culture > history": "History",
    "government & organizations": "Government",
    "health": "Health & Fitness",
    "health > fitness & nutrition": "Health & Fitness > Nutrition",
    "health > alternative health": "Health & Fitness > Alternative Health",
    "health > self-help": "Education > Self-Improvement",
    "health > sexuality": "Health & Fitness > Sexuality",
    "technology > tech news": "News > Tech News",
    "technology > podcasting": "Technology",
    "technology > gadgets": "Technology",
    "technology > software how-to": "Technology",
    "business > business news": "News > Business News",
    "business > management & marketing": "Business > Management",
    "business > shopping": "Business",
    "business > careers": "Business > Careers",
    "arts > literature": "Arts > Books",
    "arts > food": "Arts > Food",
    "education > educational technology": "Education",
    "education > higher education": "Education",
    "education > k-12": "Education",
    "education > language courses": "Education > Language Learning",
    "education > training": "Education > How To",
    "news & politics": "News",
    "religion & spirituality > other": "Religion & Spirituality",
    "sports & recreation": "Sports",
    "sports & recreation > amateur": "Sports",
    "sports & recreation > college & high school": "Sports",
    "sports & recreation > outdoor": "Sports > Wilderness",
    "sports & recreation > professional": "Sports",
    "tv & film": "TV & Film",
    "music": "Music",
}


@dataclass
class ShowConfig:
    text: str
    guid: str
    notes: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # keys the producer must set before publishing


def categories(texts: list[str], notes: list[str]) -> list[Category]:
    result: list[Category] = []
    for text in texts:
        candidates = [text, OLD_CATEGORIES.get(text.casefold().replace("&amp;", "&"), "")]
        if ">" in text:
            candidates.append(text.split(">", 1)[0])
        for candidate in (c for c in candidates if c.strip()):
            try:
                category = parse_category(candidate, "feed")
            except ConfigError:
                continue
            if candidate != text:
                notes.append(f"category {text!r} is not one of Apple's; imported as {str(category)!r}")
            if category not in result:
                result.append(category)
            break
        else:
            notes.append(f"category {text!r} is not one of Apple's; left out")
    return result


def language(value: str | None, notes: list[str]) -> str | None:
    text = one_line(value).replace("_", "-")
    if not text:
        return None
    primary, _, rest = text.partition("-")
    normal = primary.lower() + ("-" + rest if rest else "")
    if check_language(normal) is None:
        return normal
    notes.append(f"language {value!r} is not an ISO 639 code")
    return None


def person_entries(persons: list[PersonRecord], notes: list[str], where: str) -> list[dict[str, str]]:
    """Persons as podpub's [[persons]] tables: https links only, names within the namespace's limit."""
    result = []
    for person in persons:
        entry: dict[str, str] = {"name": person.name[:LIMIT]}
        if person.role:
            entry["role"] = person.role
        if person.group:
            entry["group"] = person.group
        for key in ("img", "href"):
            url = getattr(person, key)
            if url and url.startswith("https://"):
                entry[key] = url
            elif url:
                prefix = f"{where}: " if where else ""
                notes.append(f"{prefix}person {person.name!r} {key} {url!r} is not https; left out")
        if entry not in result:
            result.append(entry)
    return result


def show_guid(feed: FeedRecord, feed_url: str | None, fallback_url: str, notes: list[str]) -> str:
    """The feed's podcast:guid when it is a UUID; else the one the Podcast Index derived from its URL."""
    if feed.podcast_guid:
        try:
            return str(uuid.UUID(feed.podcast_guid))
        except ValueError:
            notes.append(f"podcast:guid {feed.podcast_guid!r} is not a UUID")
    url = feed.self_url or feed_url
    if url:
        return podcast_guid(url)
    notes.append(
        "the feed has no podcast:guid and no address of its own; podcast:guid was derived from the new feed URL"
    )
    return podcast_guid(fallback_url)


def show_config(
    feed: FeedRecord, *, source_url: str | None, base_url: str | None, image: str | None, source: str
) -> ShowConfig:
    """The text of `podcast.toml` for an imported show."""
    notes: list[str] = []
    placeholders: list[str] = []
    title = feed.title or "Imported show"
    if not feed.title:
        notes.append("the feed has no title; podcast.toml says 'Imported show'")
        placeholders.append("title")
    owner_email = next((e for e in (feed.owner_email, feed.locked_owner) if e and not check_email(e)), None)
    if owner_email is None:
        notes.append(f"the feed gives no owner e-mail; podcast.toml has {PLACEHOLDER_EMAIL} in [owner]")
        placeholders.append("[owner] email")
    lang = language(feed.language, notes)
    if lang is None:
        notes.append("the feed has no valid language; podcast.toml says en")
        placeholders.append("language")
    found = categories(feed.categories, notes)
    if not found:
        found = [Category(FALLBACK_CATEGORY)]
        notes.append(f"the feed has no Apple category; podcast.toml says {FALLBACK_CATEGORY!r}")
        placeholders.append("categories")
    new_base = base_url or f"https://podcast.example.invalid/{slugify(title, 'show')}/"
    if not base_url:
        placeholders.append("[publish] base_url")
    author = feed.author or feed.owner_name or title
    text = render_new_config(
        title=title,
        author=author,
        email=owner_email or PLACEHOLDER_EMAIL,
        language=lang or "en",
        categories=found,
        base_url=new_base,
        description=feed.description,
        image=image,
        explicit=bool(feed.explicit),
        show_type=feed.show_type if feed.show_type in ("episodic", "serial") else "episodic",
    )
    if feed.show_type and feed.show_type not in ("episodic", "serial"):
        notes.append(f"itunes:type {feed.show_type!r} is neither episodic nor serial; imported as episodic")
    guid = show_guid(feed, source_url, new_base + "feed.xml", notes)
    header = f"# Imported by `podpub import` from {one_line(source)} on {datetime.now(UTC):%Y-%m-%d}.\n"
    doc = tomlkit.parse(header + text)
    doc["guid"] = guid
    doc["locked"] = feed.locked if feed.locked is not None else True
    doc["owner"]["name"] = feed.owner_name or author  # type: ignore[index]
    extras: dict[str, Any] = {}
    if feed.link and check_url(feed.link) is None:
        extras["link"] = feed.link
    if feed.copyright:
        extras["copyright"] = feed.copyright
    if feed.medium in MEDIUMS and feed.medium != "podcast":
        extras["medium"] = feed.medium
    if feed.block:
        extras["block"] = True
    if feed.complete:
        extras["complete"] = True
    for key, value in extras.items():
        doc[key] = value
    persons = person_entries(feed.persons, notes, "channel")
    if persons:
        doc["persons"] = _aot(persons)
    funding = [
        {"url": url, "label": label[:LIMIT]} for url, label in feed.funding if url.startswith("https://") and label
    ]
    if funding:
        doc["funding"] = _aot(funding)
    return ShowConfig(tomlkit.dumps(doc), guid, notes, placeholders)


def _aot(entries: list[dict[str, Any]]) -> Any:
    array = tomlkit.aot()
    for entry in entries:
        table = tomlkit.table()
        for key, value in entry.items():
            table.add(key, value)
        array.append(table)
    return array


def item_guid(item: ItemRecord) -> tuple[str | None, str | None]:
    """The GUID the episode keeps, and a note when it is not the feed's `<guid>` as written."""
    guid = item.guid
    if not guid:
        if item.enclosure is None:
            return None, None
        return item.enclosure.url, "it has no guid; its enclosure URL (what apps used) is its guid"
    if any(ch.isspace() for ch in guid) or len(guid) > 255:
        fixed = re.sub(r"\s+", "-", guid)
        if len(fixed) > 255:
            fixed = "podpub-import-" + str(uuid.uuid5(uuid.NAMESPACE_URL, guid))
        note = f"its guid {guid[:60]!r} has spaces or is too long; it became {fixed!r} (apps may download it again)"
        return fixed, note
    return guid, None


def episode_title(item: ItemRecord) -> tuple[str, str | None]:
    if item.title:
        return item.title, None
    if item.enclosure is not None:
        stem = item.enclosure.url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        name = " ".join(re.sub(r"[_\-+]|%20", " ", stem).split())
        if name:
            return name, f"it has no title; titled {name!r} after its audio file"
    return f"Episode {item.index}", f"it has no title; titled 'Episode {item.index}'"


def front_matter(values: dict[str, Any]) -> str:
    """TOML front matter with keys in the order `values` gives, None values left out, lists of tables
    (`[[transcripts]]`) last. Written directly rather than through tomlkit: an import of thousands of
    items writes thousands of files, and the values are only strings, numbers, booleans and dates."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for entry in value:
                tables.extend(["", f"[[{key}]]"])
                tables.extend(f"{k} = {_toml_value(v)}" for k, v in entry.items() if v is not None)
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, str):
        escaped = "".join(
            _ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch) for ch in value
        )
        return f'"{escaped}"'
    raise TypeError(f"cannot write {type(value).__name__} in front matter")


def episode_values(
    item: ItemRecord,
    *,
    guid: str,
    title: str,
    date: datetime,
    audio: dict[str, Any],
    image: str | None,
    chapters: str | None,
    transcripts: list[dict[str, str]],
    persons: list[dict[str, str]],
) -> dict[str, Any]:
    """The front matter of an imported episode, in the order a producer reads it."""
    return {
        "guid": guid,
        "title": title,
        "date": date,
        **audio,
        "season": item.season,
        "number": item.number,
        "type": item.episode_type or "full",
        "explicit": item.explicit,
        "block": True if item.block else None,
        "image": image,
        "episode_display": item.episode_display,
        "chapters": chapters,
        "transcripts": transcripts or None,
        "persons": persons or None,
    }
