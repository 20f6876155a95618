"""Fixed values the rules compare against: namespaces, media types, categories, languages, dates.

Sources are in `shared/docs/feed-rules.md` (section named on each table).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from podpub.podcasts.categories import APPLE_CATEGORIES

# --- namespaces (§0) ----------------------------------------------------------------------------------

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PODCAST_LEGACY = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PSC = "http://podlove.org/simple-chapters"
MEDIA = "http://search.yahoo.com/mrss/"
SPOTIFY = "http://www.spotify.com/ns/rss"
FH = "http://purl.org/syndication/history/1.0"

#: conventional prefix -> the URIs accepted for it, the first being the one to write
NAMESPACES: dict[str, tuple[str, ...]] = {
    "itunes": (ITUNES,),
    "podcast": (PODCAST, PODCAST_LEGACY),
    "atom": (ATOM,),
    "content": (CONTENT,),
    "psc": (PSC,),
    "media": (MEDIA,),
    "spotify": (SPOTIFY, "https://www.spotify.com/ns/rss"),  # http vs https is unsettled (§0 [?])
    "fh": (FH,),
}


def _fold(uri: str) -> str:
    """A URI folded so that near-misses (case, scheme, `www.`, a trailing slash) compare equal."""
    folded = re.sub(r"^[a-z][a-z0-9+.-]*://", "", uri.strip().lower()).rstrip("/")
    return folded.removeprefix("www.")


_FOLDED = {_fold(uri): name for name, uris in NAMESPACES.items() for uri in uris}


def namespace_name(uri: str) -> str | None:
    """The conventional prefix of a known namespace, also for a misspelled URI; None for others."""
    return _FOLDED.get(_fold(uri))


# --- enclosure media types (§1.4, §7) -----------------------------------------------------------------

#: Apple's list (and the PSP-1 spellings) by extension
APPLE_TYPES: dict[str, frozenset[str]] = {
    ".m4a": frozenset({"audio/x-m4a", "audio/mp4", "audio/m4a"}),
    ".mp3": frozenset({"audio/mpeg"}),
    ".mov": frozenset({"video/quicktime"}),
    ".mp4": frozenset({"video/mp4", "audio/mp4"}),
    ".m4v": frozenset({"video/x-m4v", "video/m4v", "video/mp4"}),
    ".pdf": frozenset({"application/pdf"}),
}
#: every extension whose type podpub can check, first type the one to write
EXTENSION_TYPES: dict[str, tuple[str, ...]] = {
    ".mp3": ("audio/mpeg",),
    ".m4a": ("audio/x-m4a", "audio/mp4", "audio/m4a", "audio/aac"),
    ".m4b": ("audio/x-m4a", "audio/mp4", "audio/m4b", "audio/x-m4b"),
    ".mp4": ("video/mp4", "audio/mp4"),
    ".m4v": ("video/x-m4v", "video/mp4", "video/m4v"),
    ".mov": ("video/quicktime",),
    ".ogg": ("audio/ogg", "application/ogg", "audio/vorbis", "video/ogg"),
    ".oga": ("audio/ogg", "application/ogg"),
    ".opus": ("audio/ogg", "audio/opus"),
    ".flac": ("audio/flac", "audio/x-flac"),
    ".wav": ("audio/wav", "audio/x-wav", "audio/wave"),
    ".aac": ("audio/aac", "audio/aacp", "audio/x-aac"),
    ".webm": ("audio/webm", "video/webm"),
    ".pdf": ("application/pdf",),
    ".epub": ("application/epub+zip",),
}
#: spellings apps get wrong (iOS treats audio/mp3 as a document: §5.6)
WRONG_SPELLINGS: dict[str, str] = {
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/mpg": "audio/mpeg",
}
#: types the server may send for the same file without an app noticing
EQUIVALENT_TYPES: tuple[frozenset[str], ...] = (frozenset({"audio/x-m4a", "audio/mp4", "audio/m4a"}),)
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def is_mime_type(value: str) -> bool:
    return bool(_MIME.match(value.lower()))


def media_type(header: str | None) -> str:
    """The type of a Content-Type header or `type` attribute, lower-case, without parameters."""
    return (header or "").split(";", 1)[0].strip().lower()


def same_type(a: str, b: str) -> bool:
    a, b = media_type(a), media_type(b)
    return a == b or any(a in group and b in group for group in EQUIVALENT_TYPES)


IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
TRANSCRIPT_TYPES = frozenset({"text/plain", "text/html", "text/vtt", "application/json", "application/x-subrip"})
CHAPTERS_TYPES = frozenset({"application/json+chapters", "application/json"})

# --- categories (§1.6) --------------------------------------------------------------------------------

CATEGORIES = APPLE_CATEGORIES
#: the pre-2019 list (feedgen still ships it): top-level names that no longer exist
OBSOLETE_CATEGORIES = frozenset(
    {"Games & Hobbies", "Government & Organizations", "Health", "News & Politics", "Science & Medicine",
     "Sports & Recreation"}
)  # fmt: skip
#: and subcategories that left a category that still exists
OBSOLETE_SUBCATEGORIES: dict[str, frozenset[str]] = {
    "Arts": frozenset({"Literature"}),
    "Business": frozenset({"Business News", "Management & Marketing", "Shopping"}),
    "Education": frozenset(
        {"Education", "Education Technology", "Higher Education", "K-12", "Language Courses", "Training"}
    ),
    "Religion & Spirituality": frozenset({"Other"}),
    "Society & Culture": frozenset({"History"}),
    "Technology": frozenset({"Gadgets", "Tech News", "Podcasting", "Software How-To"}),
}

# --- languages (§1.2: ISO 639) ------------------------------------------------------------------------

_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el
en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu
ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na
nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so
sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:-[A-Za-z0-9]{1,8})*$")


def language_problem(value: str) -> bool:
    """True when `value` is not an ISO 639 code with optional subtags (`fr`, `en-us`, `pt-BR`)."""
    match = _LANGUAGE.match(value)
    if not match:
        return True
    primary = match.group(1).lower()
    return len(primary) == 2 and primary not in ISO_639_1


# --- RFC 2822 dates (§1.1) ----------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
          "PST": -8, "PDT": -7}  # fmt: skip
_RFC2822 = re.compile(
    r"^(?:(?P<dow>[A-Za-z]{3}),\s*)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3})\s+(?P<year>\d{4})\s+"
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s+(?P<zone>[+-]\d{4}|[A-Za-z]{1,3})$"
)


class DateProblem(ValueError):
    pass


def parse_rfc2822(text: str) -> tuple[datetime, str | None]:
    """The date of an RFC 2822 string and, when its day of the week is wrong, the right one.

    Raises DateProblem when it is not RFC 2822 (ISO 8601, a missing zone, a month in French).
    """
    match = _RFC2822.match(text.strip())
    if not match:
        raise DateProblem(text)
    parts = match.groupdict()
    month = parts["month"].title()
    zone = parts["zone"].upper()
    if month not in _MONTHS or (parts["dow"] and parts["dow"].title() not in _DAYS):
        raise DateProblem(text)
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if minutes > 59:
            raise DateProblem(text)
        offset = timedelta(hours=hours, minutes=minutes) * (1 if zone[0] == "+" else -1)
    elif zone in _ZONES:
        offset = timedelta(hours=_ZONES[zone])
    else:
        raise DateProblem(text)
    try:
        value = datetime(
            int(parts["year"]), _MONTHS.index(month) + 1, int(parts["day"]), int(parts["hour"]),
            int(parts["minute"]), min(int(parts["second"] or 0), 59), tzinfo=timezone(offset),
        )  # fmt: skip
    except ValueError:
        raise DateProblem(text) from None
    weekday = None
    if parts["dow"] and parts["dow"].title() != _DAYS[value.weekday()]:
        weekday = _DAYS[value.weekday()]
    return value.astimezone(UTC), weekday


# --- durations (§1.3, B1, B3, B4) ---------------------------------------------------------------------

_DURATION = re.compile(r"^\d+(?::[0-5]\d(?::[0-5]\d)?)?$")
_DURATION_FRACTION = re.compile(r"^\d+(?::[0-5]\d(?::[0-5]\d)?)?\.\d+$")


def duration_problem(value: str) -> str | None:
    """None for a duration every app reads (`1801`, `30:01`, `1:00:01`); "fraction" for one with a fraction
    of a second; "invalid" otherwise."""
    if _DURATION.match(value):
        return None
    if _DURATION_FRACTION.match(value):
        return "fraction"
    return "invalid"


def partytime_reading(value: str) -> str:
    """What podcast-partytime makes of an unreadable duration: `parseInt`, or 1800 s when that is NaN (B3)."""
    digits = re.match(r"^\s*[+-]?\d+", value)
    return f"{int(digits.group())} s" if digits else "1800 s"
