"""The values validation passes around: findings, the episodes they belong to, links to fetch, the report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from podpub.validation.rules import RULES, SEVERITY_ORDER, Rule, Severity

#: longest feed value quoted in a message; hostile feeds put megabytes in one attribute
CLIP = 120
_UNPRINTABLE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clip(value: str, limit: int = CLIP) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def printable(text: str) -> str:
    """`text` safe for a terminal: control characters, bidi overrides and other invisible characters
    from a feed are shown escaped (`\\x1b`, `\\u202e`), so a title cannot move the cursor, recolour
    the report or reorder what the reader sees."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class EpisodeRef:
    """Which episode a finding is about: its position in the feed, its title and guid as written."""

    index: int  # 1-based position in the feed
    title: str | None
    guid: str | None
    line: int | None

    def label(self) -> str:
        title = repr(self.title) if self.title else "(no title)"
        guid = f" (guid {self.guid})" if self.guid else " (no guid)"
        return printable(f"episode {self.index} {title}{guid}")

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "title": self.title, "guid": self.guid, "line": self.line}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    message: str
    fix: str
    line: int | None = None
    episode: EpisodeRef | None = None
    url: str | None = None

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule.id,
            "severity": self.rule.severity.value,
            "message": self.message,
            "fix": self.fix,
            "line": self.line,
            "episode": self.episode.to_json() if self.episode else None,
            "url": self.url,
            "ref": self.rule.ref,
        }

    def one_line(self) -> str:
        where = f" ({self.episode.label()})" if self.episode else ""
        return f"{self.rule.id}{where}: {self.message}"


def finding(
    rule_id: str,
    *,
    line: int | None = None,
    episode: EpisodeRef | None = None,
    url: str | None = None,
    **params: object,
) -> Finding:
    """A finding of `rule_id`, its message and fix filled from `params` (long strings clipped, the
    result made printable)."""
    rule = RULES[rule_id]
    if url is not None:
        params.setdefault("url", url)
    values = {key: clip(value) if isinstance(value, str) else value for key, value in params.items()}
    return Finding(
        rule=rule,
        message=printable(rule.message.format(**values)),
        fix=printable(rule.fix.format(**values)),
        line=line,
        episode=episode,
        url=url,
    )


@dataclass(frozen=True)
class Link:
    """A file the feed links, to check on disk (when it is local) or over HTTP (`--online`)."""

    url: str
    kind: str  # enclosure, artwork, transcript, chapters, alternate
    type: str | None = None  # the type the feed declares
    length: int | None = None  # the byte length the feed declares
    episode: EpisodeRef | None = None
    line: int | None = None

    @property
    def what(self) -> str:
        return {"alternate": "alternate enclosure"}.get(self.kind, self.kind)


@dataclass
class Report:
    source: str
    feed_url: str | None
    profile: str
    online: bool
    findings: list[Finding]
    episodes: int
    feed_bytes: int
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what was done (built the show, followed redirects)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.rule.severity is severity)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.rule.severity is Severity.ERROR]

    def failure(self, strict: bool) -> str | None:
        """The one-line reason to exit 1, or None when the feed passes."""
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        if errors or (strict and warnings):
            counted = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
            return f"validation failed: {counted}{' (--strict)' if strict and not errors else ''}"
        return None

    def to_json(self, strict: bool = False) -> dict[str, object]:
        return {
            "source": self.source,
            "feed_url": self.feed_url,
            "profile": self.profile,
            "online": self.online,
            "strict": strict,
            "ok": self.failure(strict) is None,
            "episodes": self.episodes,
            "feed_bytes": self.feed_bytes,
            "seconds": round(self.seconds, 3),
            "counts": {s.value: self.count(s) for s in SEVERITY_ORDER},
            "notes": self.notes,
            "findings": [f.to_json() for f in self.findings],
        }


def sort_key(f: Finding) -> tuple[int, int, int, str]:
    """Severity, then the channel before episodes in feed order, then line, then rule id."""
    return (
        SEVERITY_ORDER.index(f.rule.severity),
        f.episode.index if f.episode else 0,
        f.line or 0,
        f.rule.id,
    )
