"""What `podpub import` shows: a download progress display while it runs, a summary when it ends."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    TaskID,
)
from rich.table import Table

from podpub.importer.run import ImportReport
from podpub.ui import ProgressDisplay

MAX_LISTED = 20  # longer lists are cut, with a count of what was left out


class DownloadProgress(ProgressDisplay):
    """One bar per download in flight plus the number of files done; a no-op when disabled."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        super().__init__(console, enabled=enabled)
        self._tasks: dict[str, TaskID] = {}
        self._done = 0
        self._total = self._progress.add_task("downloaded 0 files", total=None)

    def start(self, key: str, label: str, total: int | None) -> None:
        if self.enabled:
            with self._lock:
                self._tasks[key] = self._progress.add_task(label[:48], total=total)

    def advance(self, key: str, count: int) -> None:
        if self.enabled:
            with self._lock:
                task = self._tasks.get(key)
            if task is not None:
                self._progress.advance(task, count)
            self._progress.advance(self._total, count)

    def done(self, key: str) -> None:
        if self.enabled:
            with self._lock:
                task = self._tasks.pop(key, None)
                self._done += 1
                self._progress.update(self._total, description=f"downloaded {self._done} files")
            if task is not None:
                self._progress.remove_task(task)


def _listed(console: Console, title: str, lines: list[str], style: str | None = None, limit: int | None = None) -> None:
    if not lines:
        return
    console.print(title, style="bold", markup=False)
    for line in lines[:limit]:
        console.print(f"  {line}", style=style, markup=False)
    if limit is not None and len(lines) > limit:
        console.print(f"  … and {len(lines) - limit} more (-v lists them all)", markup=False)


def print_report(console: Console, report: ImportReport, *, verbose: bool = False) -> None:
    """The summary table, what was odd or wrong in the feed, and the cut-over steps."""
    action = "Created" if report.created else "Updated"
    console.print(
        f"{action} {report.root} from the {report.feed_kind} feed {report.feed_title!r} ({report.item_count} items)",
        style="bold",
        markup=False,
    )
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("added", str(len(report.added)))
    if report.localized:
        table.add_row("audio brought over", str(len(report.localized)))
    table.add_row("already in the show", str(report.already))
    table.add_row("skipped", str(len(report.skipped)))
    table.add_row("changed upstream", str(len(report.changed)))
    table.add_row("failed", str(len(report.failed)))
    console.print(table)
    limit = None if verbose else MAX_LISTED
    _listed(console, "Added:", [f"{file}  {title}" for file, title in report.added], limit=limit)
    _listed(
        console,
        "Audio brought over from the old host:",
        [f"{file}  {title}" for file, title in report.localized],
        limit=limit,
    )
    _listed(console, "Skipped:", [f"{label}: {why}" for label, why in report.skipped], limit=limit)
    _listed(
        console,
        "Changed upstream since imported (episode files left as they are; edit them if you want the change):",
        [f"{file}: {what}" for file, what in report.changed],
        limit=limit,
    )
    _listed(console, "Wrong in the old feed (found by reading the audio):", report.corrections, limit=limit)
    _listed(console, "Read from a messy feed:", report.notes, limit=limit)
    _listed(console, "Failed:", [f"{label}: {error}" for label, error in report.failed], "red", limit)
    console.print("Next steps:", style="bold", markup=False)
    for number, step in enumerate(report.cutover_steps(), start=1):
        console.print(f"  {number}. {step}", markup=False)
