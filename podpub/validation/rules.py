"""The rule catalogue of `podpub validate`: every check podpub makes, with a stable id.

Each rule names its severity, the profiles (directories and specifications) it belongs to, a message
template, a one-line fix and the section of `shared/docs/feed-rules.md` (or `audio-and-clients.md`,
"B…") it comes from. Ids never change meaning: CI scripts filter on them and the README lists them
(generated from this module by `scripts/rule_catalogue.py`).

Severities:

- **error**: an app or a directory rejects the feed or an episode, or misreads it (a wrong duration, a
  lost episode, a refused submission);
- **warning**: a requirement that only some apps or directories enforce, or a recommendation whose
  absence degrades the listing; `--strict` turns these into failures;
- **info**: worth knowing, never a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)

APPLE = "apple"
SPOTIFY = "spotify"
PSP1 = "psp1"
PODCASTINDEX = "podcastindex"
#: every profile a rule can belong to; `--profile all` runs every rule
PROFILES: tuple[str, ...] = (APPLE, SPOTIFY, PSP1, PODCASTINDEX)
PROFILE_CHOICES: tuple[str, ...] = (*PROFILES, "all")
ALL = frozenset(PROFILES)


@dataclass(frozen=True)
class Rule:
    """One check. `message` and `fix` are `str.format` templates filled by the check that fires."""

    id: str
    severity: Severity
    profiles: frozenset[str]
    message: str
    fix: str
    ref: str  # where the rule comes from: a section of shared/docs/feed-rules.md ("§1.2") or audio-and-clients ("B5")
    online: bool = False  # only checked with --online (or when the feed itself is fetched)

    def in_profile(self, profile: str) -> bool:
        return profile == "all" or profile in self.profiles


RULES: dict[str, Rule] = {}


def _rule(
    id: str,
    severity: Severity,
    profiles: frozenset[str] | set[str],
    message: str,
    fix: str,
    ref: str,
    *,
    online: bool = False,
) -> Rule:
    if id in RULES:
        raise ValueError(f"duplicate rule id {id}")
    rule = Rule(id, severity, frozenset(profiles), message, fix, ref, online)
    RULES[id] = rule
    return rule


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
A, S, P, X = APPLE, SPOTIFY, PSP1, PODCASTINDEX
AP = {A, P}
ASP = {A, S, P}

# --- the document -------------------------------------------------------------------------------------

_rule("xml.wellformed", E, ALL, "the XML is not well-formed: {detail}",
      "escape & as &amp; and < as &lt; in text (or use CDATA), close every tag; every app refuses the whole feed",
      "§5.6 (unescaped &: whole feed unreadable), B6")
_rule("xml.encoding", E, ALL, "the feed is not UTF-8: {detail}",
      'save the feed as UTF-8 and declare <?xml version="1.0" encoding="UTF-8"?>',
      "§0 (feeds must be UTF-8), §5.5 NotUTF8")
_rule("xml.declaration", W, AP, "the feed does not start with an XML declaration",
      'start the file with <?xml version="1.0" encoding="UTF-8"?>', "§0 (Apple's required start)")
_rule("xml.doctype", W, ALL, "the feed declares a DOCTYPE ({detail}); RSS 2.0 has none and parsers differ on DTDs",
      "remove the <!DOCTYPE …> declaration", "§0, §5.5")
_rule("xml.entities", E, ALL,
      "the DOCTYPE declares entities ({names}); podpub did not expand them (billion laughs, XXE)",
      "remove the DOCTYPE and its <!ENTITY> declarations; write characters as UTF-8 or &#NNN;", "§0, §5.6")
_rule("namespace.undeclared", E, ALL, "{detail}: the prefix is used without an xmlns declaration",
      'declare it on <rss>, e.g. xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"', "§0")
_rule("namespace.uri", E, ALL,
      "xmlns:{prefix}=\"{uri}\" is not the {name} namespace ({expected}); apps ignore those tags",
      'declare xmlns:{name}="{expected}" exactly (case-sensitive, no extra slash)', "§0")
_rule("namespace.prefix", W, ALL, "the {name} namespace is declared with prefix {prefix!r}; AntennaPod and "
      "podcast-partytime only recognise {name}:",
      'declare it as xmlns:{name}="{uri}"', "§0, B5 (AntennaPod matches URI and prefix), B3")
_rule("namespace.podcast-legacy", I, {X}, "the podcast namespace is declared with the legacy GitHub URI",
      'the spec names https://podcastindex.org/namespace/1.0 (apps must accept both; gPodder only knows the old one)',
      "§0, B1")
_rule("rss.root", E, ALL, "{detail}", 'publish RSS 2.0: <rss version="2.0"> with one <channel>',
      "§1.1 (RSS 2.0), §4")
_rule("feed.size", W, ALL, "the feed is {size}; apps download all of it on every refresh",
      "keep the newest episodes in the feed (page the archive), shorten per-episode HTML", "§1.1 (feed size), §5.4")
_rule("feed.empty", W, ALL, "the feed has no episodes; Spotify and Apple need at least one to list the show",
      "publish at least one episode", "§2")
_rule("feed.content-type", W, ALL, "the feed is served as {content_type!r}",
      "serve it as application/rss+xml; charset=utf-8 (or application/xml; charset=utf-8)",
      "§5.5 (UnexpectedContentType, TextXml), §7", online=True)
_rule("feed.redirect", I, ALL, "the feed URL redirects: {chain}",
      "subscribe apps to the final URL, or keep the redirect (301) for as long as apps use the old one",
      "§5.1, §7", online=True)

# --- channel ------------------------------------------------------------------------------------------

_rule("channel.title.missing", E, ALL, "the channel has no <title>", "give the show a title", "§1.2, §4")
_rule("channel.link.missing", E, ALL, "the channel has no <link> (RSS 2.0 and PSP-1 require it)",
      "add <link> with the show's website", "§1.2, §4")
_rule("channel.link.feed", W, AP, "the channel <link> is the feed URL itself",
      "point <link> at the show's website, not the feed (feedgen writes the last link it got)", "§1.2, §6.3 #5")
_rule("channel.description.missing", E, ALL, "the channel has no <description>",
      "describe the show (Apple, Spotify and PSP-1 require it)", "§1.2, §2, §4")
_rule("channel.description.length", E, AP, "the channel <description> is {size} bytes; the limit is 4000",
      "shorten the show description to 4000 bytes of UTF-8", "§1.2, §4")
_rule("channel.language.missing", E, AP, "the channel has no <language>",
      "add <language> with an ISO 639 code (fr, en-us)", "§1.2, §4")
_rule("channel.language.invalid", E, AP, "<language> {value!r} is not an ISO 639 code",
      "use a two-letter ISO 639 code with an optional region: fr, en, en-us", "§1.2")
_rule("spotify.author.missing", W, {S, P}, "the channel has no <itunes:author>",
      "add <itunes:author> (Spotify expects it; PSP-1 recommends it)", "§1.2, §2, §4")
_rule("spotify.owner.email", E, {S}, "{detail}",
      "add <itunes:owner><itunes:name>…</itunes:name><itunes:email>…</itunes:email></itunes:owner>; Spotify "
      "sends its verification mail there", "§1.2, §2")

# --- itunes: (Apple) ----------------------------------------------------------------------------------

_rule("apple.category.missing", E, AP, "the channel has no <itunes:category>",
      'add <itunes:category text="…"/> from Apple\'s list (podpub categories)', "§1.2, §1.6, §4")
_rule("apple.category.invalid", E, AP, "{detail} is not an Apple Podcasts category{hint}",
      "use Apple's exact spelling (case-sensitive; podpub categories lists them)", "§1.6")
_rule("apple.category.obsolete", E, AP, "{detail} is an obsolete Apple category (pre-2019 list)",
      "pick a current category (podpub categories lists them)", "§1.6 (ObsoleteItunesCategory)")
_rule("apple.explicit.missing", E, AP, "the channel has no <itunes:explicit>",
      "add <itunes:explicit>false</itunes:explicit> (or true)", "§1.2, §4")
_rule("apple.explicit.value", E, AP, "<itunes:explicit> is {value!r}", "write true or false",
      "§1.2, §5.5 InvalidTrueFalse")
_rule("apple.explicit.legacy", W, AP, "<itunes:explicit> is {value!r}, an old value Apple no longer documents",
      "write true or false (PSP-1 requires them; Podbase checks them)", "§1.2, §4, §8")
_rule("apple.image.missing", W, ASP,
      "the show has no <itunes:image>; Apple, Spotify and PSP-1 require artwork to list it",
      "add square JPEG or PNG artwork of 1400-3000 px (image = … in podcast.toml)", "§1.2, §1.5, §4")
_rule("apple.image.href", E, ASP, "<itunes:image> has no href attribute{detail}",
      '<itunes:image href="https://…/cover.jpg"/> (the URL goes in href, not in the text)', "§1.2")
_rule("apple.image.extension", E, ASP, "artwork URL {url!r} does not end in .jpg or .png; Apple ignores it",
      "publish the artwork under a URL ending in .jpg or .png (no query string; version it by file name)",
      "§1.2, §6.3 #7")
_rule("apple.image.size", E, ASP, "artwork {url!r} is {width}x{height} px; Apple wants 1400 to 3000 px",
      "export it at 1400x1400 to 3000x3000 px", "§1.2, §1.5")
_rule("apple.image.square", E, ASP, "artwork {url!r} is {width}x{height} px, not square",
      "crop it to a square", "§1.2, §1.5")
_rule("apple.image.format", E, ASP, "artwork {url!r} {detail}",
      "publish a JPEG as .jpg or a PNG as .png (a .png URL serving WebP fails Apple's validation)", "§1.2, §1.5")
_rule("apple.image.colorspace", E, ASP, "artwork {url!r} is in colour mode {mode}; Apple wants RGB",
      "export it as RGB (not CMYK or grayscale)", "§1.2, §1.5")
_rule("apple.image.alpha", W, ASP, "artwork {url!r} has transparency", "flatten it on a background colour",
      "§1.5")
_rule("apple.image.bytes", W, ASP, "artwork {url!r} is {size}; apps load artwork of 512 KB or less faster",
      "export it with more compression", "§1.5")
_rule("apple.type.value", E, AP, "<itunes:type> is {value!r}", "write episodic or serial",
      "§1.2, §5.5 InvalidItunesChannelType")
_rule("apple.serial.episode", E, AP, "the show is serial but this episode has no <itunes:episode>",
      "number every full episode of a serial show (show trailers and bonuses may go without)", "§1.2, §1.3, §4")
_rule("apple.episode.value", E, AP, "<{element}> is {value!r}; it must be a whole number above zero",
      "write 1, 2, 3 …", "§1.3, §4")
_rule("apple.episodetype.value", E, AP, "<itunes:episodeType> is {value!r}", "write full, trailer or bonus",
      "§1.3, §5.5 InvalidItunesEpisodeType")
_rule("apple.yes-only", I, AP, "<{element}> is {value!r}; Apple only acts on Yes", "write Yes, or leave the tag out",
      "§1.2, §1.3")
_rule("apple.deprecated", I, {A}, "<{element}> is no longer in Apple's guide", "leave it out (Apple ignores it)",
      "§1.7")
_rule("apple.title.numbers", I, AP, "the title {value!r} starts with an episode or season number",
      "put numbers in <itunes:episode>/<itunes:season>, not in the title", "§1.3")
_rule("apple.enclosure.format", W, AP, "Apple Podcasts does not list {what}",
      "publish MP3 (audio/mpeg), M4A (audio/x-m4a), MP4/M4V/MOV video or PDF for Apple; other apps still get this file",
      "§1.4, §4, §5.5 UnsupportedItunesFormat")

# --- atom:link rel="self" -----------------------------------------------------------------------------

_rule("atom.self.missing", E, {P, X}, 'the channel has no <atom:link rel="self">',
      '<atom:link href="FEED URL" rel="self" type="application/rss+xml"/>', "§4, §5.1, §5.5 MissingAtomSelfLink")
_rule("atom.self.mismatch", E, ALL, 'atom:link rel="self" is {value!r} but the feed is at {expected!r}',
      "make the self link the public feed URL, exactly", "§5.1, §5.5 SelfDoesntMatchLocation")
_rule("atom.self.type", W, {P}, 'atom:link rel="self" has type {value!r}', 'write type="application/rss+xml"',
      "§4, §5.1")

# --- items --------------------------------------------------------------------------------------------

_rule("item.title.missing", E, ALL, "the episode has no <title>", "give every episode a title", "§1.3, §4, B3")
_rule("item.enclosure.missing", E, ALL, "the episode has no <enclosure>; apps drop it or show it without audio",
      "add <enclosure url length type/>", "§1.3, §4, B3, B6")
_rule("item.enclosure.multiple", W, ALL, "the episode has {count} <enclosure> elements; apps play only one",
      "keep one enclosure (use podcast:alternateEnclosure for the others)", "§1.4, §5.5 DuplicateEnclosure, §5.6")
_rule("item.enclosure.url", E, ALL, "the <enclosure> has no url", "give the enclosure the media file's URL", "§1.3")
_rule("item.enclosure.length", E, ALL, "the <enclosure> length is {value!r}; it must be the file size in bytes",
      "write the byte size of the file (not 0, not a duration)", "§1.1, §1.3, §5.6")
_rule("item.enclosure.length-small", I, ALL,
      "the <enclosure> length is {value} bytes; AntennaPod treats under 16384 as unknown",
      "check it is the real size of the file in bytes", "B5, B6")
_rule("item.enclosure.type", E, ALL, "the <enclosure> type is {value!r}{detail}",
      "use the media type of the file: audio/mpeg for .mp3, audio/x-m4a for .m4a, video/mp4 for .mp4",
      "§1.4, §5.6 (wrong type: iOS treats it as a document, Spotify ignores it)")
_rule("item.enclosure.type-mismatch", E, ALL,
      "the <enclosure> type {value!r} does not match the file extension {ext!r}",
      "use {expected} (Apple decides by the extension)", "§1.3, §1.4")
_rule("item.enclosure.duplicate", E, ALL, "the enclosure URL is also used by {other}; Apple ignores duplicates and "
      "AntennaPod merges the episodes", "give every episode its own media URL", "§1.1, B5")
_rule("item.enclosure.size-mismatch", E, ALL, "the <enclosure> length is {value} but the file {path} is {size} bytes",
      "rebuild the feed so length is the published file's size", "§1.3, §7")
_rule("item.guid.missing", E, ALL, "the episode has no <guid>; apps fall back to the enclosure URL and re-download "
      "when it changes", 'add a <guid isPermaLink="false"> that never changes', "§1.3, §4, §5.6")
_rule("item.guid.duplicate", E, ALL, "the guid {value!r} is also used by {other}",
      "give every episode its own guid, and never change it", "§1.3, §5.6")
_rule("item.guid.permalink", W, ALL, 'the guid {value!r} is not a URL but has no isPermaLink="false"',
      'add isPermaLink="false"', "§1.3, §5.5 InvalidPermalink")
_rule("item.pubdate.missing", W, ALL, "the episode has no <pubDate>", "add an RFC 2822 <pubDate>", "§1.3, §4, B5")
_rule("item.pubdate.future", W, ALL, "<pubDate> {value!r} is in the future; AntennaPod drops the date",
      "publish episodes when their date has come", "B5")
_rule("item.duration.missing", W, AP, "the episode has no <itunes:duration>", "add the duration in whole seconds",
      "§1.3, §4")
_rule("item.duration.invalid", E, ALL,
      "<itunes:duration> {value!r} is not a duration (partytime reads it as {misread})",
      "write whole seconds (3725) or H:MM:SS", "§1.3, §5.5 InvalidDuration, B1, B3")
_rule("item.duration.fraction", W, ALL, "<itunes:duration> {value!r} has a fraction of a second",
      "write whole seconds (the W3C validator rejects fractions; gPodder truncates them)", "§1.3, B4")
_rule("item.description.missing", W, ASP, "the episode has no <description>", "add show notes (4000 bytes at most)",
      "§1.3, §2, §4")
_rule("item.description.length", E, AP, "the episode <description> is {size} bytes; the limit is 4000",
      "shorten it (keep the full notes in content:encoded)", "§1.3, §4")

# --- shared value rules -------------------------------------------------------------------------------

_rule("date.rfc2822", E, ALL, "<{element}> {value!r} is not an RFC 2822 date",
      "write e.g. Wed, 15 Jun 2019 19:00:00 GMT", "§1.1, §1.3, §5.5 InvalidRFC2822Date")
_rule("date.weekday", W, ALL, "<{element}> {value!r}: {day} is a {weekday}",
      "fix the day of the week (or leave it out)", "§1.1 (RFC 2822)")
_rule("notes.html.tags", W, AP,
      "the <description> uses {tags}; Apple and PSP-1 allow p, ol, ul, li, a, b, i, strong, em",
      "keep other HTML in content:encoded", "§1.3, §4, §5.2")
_rule("notes.html.unsafe", W, ALL, "<{element}> contains {what}", "remove scripts, frames, style and event attributes",
      "§5.2 (W3C SecurityRisk)")
_rule("notes.html.relative-link", W, ALL, "<{element}> links {url!r}, a relative URL apps cannot resolve",
      "write absolute https:// links", "§5.2, §5.5 ContainsRelRef, §5.6")
_rule("text.length", W, AP, "<{element}> is {count} characters; Apple and PSP-1 limit values to 255",
      "shorten it", "§0 (255 characters unless stated)")
_rule("text.whitespace", I, AP, "<{element}> {value!r} has leading or trailing spaces", "trim the value",
      "§0 (no leading or trailing spaces)")
_rule("url.invalid", E, ALL, "{where} {url!r} is not a usable URL: {detail}",
      "write an absolute https:// URL with no spaces", "§1.1, §5.6")
_rule("url.non-ascii", W, ALL, "{where} {url!r} has non-ASCII characters",
      "use ASCII file names and URLs (a-z, 0-9, - _ . /)", "§1.1, §5.6, §7")
_rule("url.double-encoded", W, ALL, "{where} {url!r} looks encoded twice (%25…)", "percent-encode the URL once",
      "§5.6, §7")
_rule("url.https", W, ALL, "{where} {url!r} is not https{more}", "serve everything over https (Apple requires a secure "
      "feed; the podcast namespace requires https URLs)", "§1.1, §3")

# --- podcast: (Podcast Index) -------------------------------------------------------------------------

_rule("podcastindex.guid.missing", W, {P, X}, "the channel has no <podcast:guid>",
      "add <podcast:guid> (UUIDv5 of the feed URL) and never change it", "§3.1, §4")
_rule("podcastindex.guid.invalid", E, {P, X}, "<podcast:guid> {value!r} is not a UUID",
      "use the UUIDv5 of the feed URL without scheme", "§3.1")
_rule("podcastindex.guid.mismatch", W, {X}, "<podcast:guid> {value!r} is not the UUIDv5 of {url!r} ({expected})",
      "keep it if the feed moved (the guid must not change); otherwise use {expected}", "§3.1")
_rule("podcastindex.locked.missing", I, {P, X}, "the channel has no <podcast:locked>",
      "add <podcast:locked>yes</podcast:locked> so other hosts refuse to import the show", "§3, §4")
_rule("podcastindex.locked.value", E, {P, X}, "<podcast:locked> is {value!r}", "write yes or no", "§3")
_rule("podcastindex.medium.value", E, {X}, "<podcast:medium> is {value!r}",
      "use podcast, music, video, film, audiobook, newsletter, blog, publisher, course (or the L list forms, mixed)",
      "§3")
_rule("podcastindex.attribute.missing", E, {X}, "<{element}> has no {attribute} attribute (required)",
      "add {attribute}", "§3 (all attributes are required unless optional)")
_rule("podcastindex.value.invalid", E, {X}, "<{element}> {detail}", "see the tag's page in the podcast namespace docs",
      "§3")
_rule("podcastindex.count", W, {X}, "<{element}> appears {count} times in {parent}; the namespace allows one",
      "keep one", "§3")
_rule("podcastindex.transcript.type", W, {P, X}, "<podcast:transcript> type {value!r} is not one of the namespace's",
      "use text/vtt, application/x-subrip, application/json, text/html or text/plain (AntennaPod reads JSON, VTT "
      "and SRT)", "§3, §3.3, B5")
_rule("podcastindex.chapters.type", W, {X}, "<podcast:chapters> type {value!r} is not application/json+chapters",
      'write type="application/json+chapters"', "§3, §3.2")
_rule("podcastindex.text.length", W, {X}, "<{element}> is {count} characters; aggregators may cut it at {limit}",
      "shorten it", "§3")
_rule("podcastindex.location.format", W, {X}, "<podcast:location> {detail}",
      'geo="geo:48.85,2.35" (RFC 5870), country="FR" (ISO 3166-1 alpha-2), osm="R7444"', "§3")

# --- psc: (Podlove Simple Chapters) -------------------------------------------------------------------

_rule("psc.chapter.invalid", E, ALL, "<psc:chapter> {detail}",
      'every chapter needs start (NPT: 37, 7:48, 01:35:52.250) and title', "§5.3")
_rule("psc.chapters.order", W, ALL, "<psc:chapter> starts are not in order ({detail})", "sort the chapters by start",
      "§5.3")
_rule("psc.chapters.multiple", W, ALL, "the episode has {count} <psc:chapters>; clients read one",
      "keep one psc:chapters per episode", "§5.3")

# --- --online: what apps see when they fetch the files --------------------------------------------------

_rule("online.unreachable", E, ALL, "{what} {url!r}: {detail}", "make the file public at that URL",
      "§1.1, §7", online=True)
_rule("online.timeout", E, ALL, "{what} {url!r}: no answer within {timeout} s", "check the server or CDN",
      "§5.5 (server speed)", online=True)
_rule("online.head", W, ALL, "{what} {url!r}: HEAD answered {detail}", "allow HEAD requests (Apple requires it)",
      "§1.1, §1.2", online=True)
_rule("online.range", E, ALL, "{what} {url!r}: {detail}",
      "serve byte ranges: Range: bytes=0-1 must get 206 Partial Content with Content-Range (Apple's player needs it)",
      "§1.1, §7", online=True)
_rule("online.content-type", E, ALL, "{what} {url!r} is served as {served!r}, the feed says {expected!r}",
      "set the object's Content-Type to {expected} (S3 defaults to binary/octet-stream)", "§1.4, §7", online=True)
_rule("online.content-length", E, ALL, "{what} {url!r} is {served} bytes, the feed says {expected}",
      "rebuild the feed with the published file's size, and never replace a file in place", "§1.1, §5.6, §7",
      online=True)
_rule("online.redirect", I, ALL, "{what} {url!r} redirects: {chain}", "link the final URL to save apps a request",
      "§7", online=True)
_rule("online.redirect-loop", E, ALL, "{what} {url!r}: {detail}", "fix the redirects on the server", "§7", online=True)
_rule("online.scheme", E, ALL, "{what} {url!r} redirects to {target!r}, which is not http(s)",
      "redirect only to https:// URLs", "§1.1, §3", online=True)
_rule("online.https-downgrade", W, ALL, "{what} {url!r} redirects from https to {target!r}",
      "keep every redirect on https", "§1.1", online=True)
_rule("online.cors", I, {X}, "{what} {url!r} sends no Access-Control-Allow-Origin; web players cannot load it",
      "allow GET and HEAD from any origin (CORS) on transcripts and chapters", "§3.3, §7", online=True)


def get(rule_id: str) -> Rule:
    return RULES[rule_id]


def rules_for(profile: str) -> list[Rule]:
    return [rule for rule in RULES.values() if rule.in_profile(profile)]
