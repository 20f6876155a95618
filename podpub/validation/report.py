"""The report: readable text grouped by severity, then by channel and episode (rich), or JSON for CI.

Every string that came from the feed was made printable when the finding was built (`model.printable`),
and the text is written with `rich.text.Text`, never as markup, so a hostile title cannot restyle the
report or the terminal.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.text import Text

from podpub.validation.model import Finding, Report, printable
from podpub.validation.rules import SEVERITY_ORDER, Severity

#: findings of one rule printed in the text report; the rest are counted (JSON has them all)
PER_RULE = 20

_TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}
_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def to_json(report: Report, strict: bool = False) -> dict[str, Any]:
    return report.to_json(strict)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    return f"{count / 1024:.1f} KB" if count < 1048576 else f"{count / 1048576:.1f} MB"


def render_text(console: Console, report: Report, *, strict: bool = False, quiet: bool = False) -> None:
    if not quiet:
        console.print(Text.assemble(("podpub validate ", "bold"), printable(report.source)))
        facts = [
            f"feed URL {report.feed_url}" if report.feed_url else None,
            f"profile {report.profile}",
            f"{report.episodes} episode{'s' if report.episodes != 1 else ''}",
            _size(report.feed_bytes),
            "online" if report.online else "offline (add --online to fetch what it links)",
            f"{report.seconds:.2f} s",
        ]
        console.print(Text("  " + " · ".join(printable(f) for f in facts if f), style="dim"))
        for note in report.notes:
            console.print(Text("  " + printable(note), style="dim"))
    for severity in SEVERITY_ORDER:
        if quiet and severity is Severity.INFO:
            continue
        group = [f for f in report.findings if f.rule.severity is severity]
        if group:
            _render_group(console, severity, group)
    console.print(_summary(report, strict))


def _render_group(console: Console, severity: Severity, findings: list[Finding]) -> None:
    console.print()
    console.print(Text(f"{_TITLES[severity]} ({len(findings)})", style=_STYLES[severity]))
    shown: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    place = object()
    for item in findings:
        if shown[item.rule.id] >= PER_RULE:
            hidden[item.rule.id] += 1
            continue
        shown[item.rule.id] += 1
        where = item.episode.label() if item.episode else "channel"
        if where != place:
            console.print(Text("  " + where, style="bold"))
            place = where
        line = f"line {item.line}" if item.line else "-"
        console.print(Text.assemble(f"    {line:<10} ", (f"{item.rule.id:<28}", _STYLES[severity]), " ", item.message))
        console.print(Text(f"    {'':<10} {'':<28} fix: {item.fix}", style="dim"))
    for rule_id, count in hidden.items():
        console.print(Text(f"  … and {count} more {rule_id} (--format json lists every finding)", style="dim"))


def _summary(report: Report, strict: bool) -> Text:
    errors, warnings, infos = (report.count(s) for s in SEVERITY_ORDER)
    counts = (
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}, "
        f"{infos} info"
    )
    if report.failure(strict):
        return Text.assemble("\n", ("FAIL ", "bold red"), counts)
    return Text.assemble("\n", ("OK ", "bold green"), counts)
