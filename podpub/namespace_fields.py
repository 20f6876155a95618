"""Reading Podcasting 2.0 values from `podcast.toml` and episode front matter.

The same shapes ([[persons]], [location], [[social]], license) are allowed at show and episode
level, so they are read here once, with the same checks and the same one-line errors.
"""

from __future__ import annotations

import re

from podpub.namespace import License, Location, Person, SocialInteract, Soundbite
from podpub.tomlfiles import Fields

PERSON_KEYS = {"name", "role", "group", "img", "href"}
LOCATION_KEYS = {"name", "geo", "osm", "country", "rel"}
SOCIAL_KEYS = {"protocol", "uri", "account_id", "account_url", "priority"}
SOUNDBITE_KEYS = {"start", "duration", "title"}

# Slugs of well-known licenses (the namespace's list plus the Creative Commons family); any other
# license is custom and needs its URL.
KNOWN_LICENSES = {
    slug.lower(): slug
    for slug in (
        "ARR", "POD-V4V-1.0", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0", "CC-BY-NC-ND-4.0", "CC-BY-3.0", "CC-BY-SA-3.0", "CC-BY-NC-3.0", "CC-BY-NC-SA-3.0",
        "CC-BY-ND-3.0", "CC-BY-NC-ND-3.0", "CC-PDDC", "PDDL-1.0", "ODbL-1.0", "MIT", "Apache-2.0",
        "GPL-3.0-only", "GPL-3.0-or-later",
    )
}  # fmt: skip

_GEO = re.compile(r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?$")
_OSM = re.compile(r"^[NWR]\d+(#\d+)?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
LIMIT = 128  # the namespace asks for at most 128 characters in most values


def _short(fields: Fields, key: str, value: str | None, limit: int = LIMIT) -> str | None:
    if value is not None and len(value) > limit:
        raise fields.fail(key, f"is {len(value)} characters; keep it under {limit} (apps truncate it)")
    return value


def read_persons(fields: Fields, key: str = "persons") -> tuple[Person, ...]:
    persons = []
    for entry in fields.table_list(key):
        entry.check_known(PERSON_KEYS)
        name = entry.text_value("name", required=True)
        persons.append(
            Person(
                name=_short(entry, "name", name) or "",
                role=(entry.text_value("role") or "host").lower(),
                group=(entry.text_value("group") or "cast").lower(),
                img=entry.url_value("img", https=True),
                href=entry.url_value("href", https=True),
            )
        )
    return tuple(persons)


def read_location(fields: Fields, key: str = "location") -> Location | None:
    table = fields.sub(key)
    if table is None:
        return None
    table.check_known(LOCATION_KEYS)
    geo, osm, country = table.text_value("geo"), table.text_value("osm"), table.text_value("country")
    if geo and not _GEO.match(geo):
        raise table.fail("geo", f'must be a geo URI such as "geo:48.8566,2.3522", got {geo!r}')
    if osm and not _OSM.match(osm):
        raise table.fail("osm", f'must be an OpenStreetMap type letter and id such as "R7444", got {osm!r}')
    if country and not _COUNTRY.match(country):
        raise table.fail("country", f'must be a two-letter ISO 3166-1 code such as "FR", got {country!r}')
    rel = table.choice("rel", ("subject", "creator"), "") or None
    name = _short(table, "name", table.text_value("name", required=True))
    return Location(name or "", geo, osm, country, rel)


def read_social(fields: Fields, key: str = "social") -> tuple[SocialInteract, ...]:
    result = []
    for entry in fields.table_list(key):
        entry.check_known(SOCIAL_KEYS)
        result.append(
            SocialInteract(
                protocol=(entry.text_value("protocol", required=True) or "").lower(),
                uri=entry.text_value("uri", required=True) or "",
                account_id=entry.text_value("account_id"),
                account_url=entry.url_value("account_url", https=True),
                priority=entry.int_value("priority", minimum=1),
            )
        )
    return tuple(result)


def read_license(fields: Fields, key: str = "license", url_key: str = "license_url") -> License | None:
    slug = fields.text_value(key)
    url = fields.url_value(url_key)
    if slug is None:
        if url is not None:
            raise fields.fail(url_key, f"needs {key} (the license's short name) too")
        return None
    known = KNOWN_LICENSES.get(slug.lower())
    if known is None and url is None:
        raise fields.fail(
            key, f"{slug!r} is not a well-known license slug (e.g. CC-BY-4.0, ARR); add {url_key} for a custom license"
        )
    return License(known or _short(fields, key, slug) or slug, url)


def read_soundbites(fields: Fields, key: str = "soundbites") -> tuple[Soundbite, ...]:
    result = []
    for entry in fields.table_list(key):
        entry.check_known(SOUNDBITE_KEYS)
        start = entry.number_value("start", minimum=0, required=True)
        duration = entry.number_value("duration", minimum=0.001, required=True)
        assert start is not None and duration is not None
        result.append(Soundbite(start, duration, _short(entry, "title", entry.text_value("title"))))
    return tuple(result)
