"""Terminal presentation for long operations: a progress display and a summary table.

Kept apart from the CLI's parsing so the sync code only calls three callbacks and never knows
whether anyone is watching (quiet, JSON and piped runs use the disabled form).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

if TYPE_CHECKING:
    from podpub.storage.base import Upload
    from podpub.storage.sync import Plan, Report


def transfer_progress(console: Console, *, enabled: bool) -> Progress:
    """The bar podpub shows for every transfer (uploads, import downloads): name, bar, bytes, speed, ETA."""
    return Progress(
        TextColumn("{task.description}", justify="left"),
        BarColumn(bar_width=24),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not enabled,
    )


class ProgressDisplay:
    """A rich progress display that is started and stopped with a `with` block; a no-op when disabled."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._progress = transfer_progress(console, enabled=enabled)

    def __enter__(self) -> Self:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.enabled:
            self._progress.stop()


class UploadProgress(ProgressDisplay):
    """Per-file and overall bytes, speed and ETA while a plan runs; a no-op when disabled."""

    def __init__(self, console: Console, plan: Plan, *, enabled: bool) -> None:
        super().__init__(console, enabled=enabled)
        self._tasks: dict[str, TaskID] = {}
        self._total = self._progress.add_task("total", total=plan.upload_bytes or 1)

    def start(self, upload: Upload) -> None:
        if self.enabled:
            with self._lock:
                self._tasks[upload.key] = self._progress.add_task(upload.key, total=upload.size or 1)

    def advance(self, upload: Upload, count: int) -> None:
        if self.enabled:
            with self._lock:
                task = self._tasks.get(upload.key)
            if task is not None:
                self._progress.advance(task, count)
            self._progress.advance(self._total, count)

    def done(self, upload: Upload) -> None:
        if self.enabled:
            with self._lock:
                task = self._tasks.pop(upload.key, None)
            if task is not None:
                self._progress.remove_task(task)


def format_duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def publish_summary(console: Console, where: str, episodes: int, report: Report) -> None:
    """The final table: what was uploaded, skipped and deleted, how many bytes, how long."""
    table = Table(title=f"Published {episodes} episode(s) to {where}", title_justify="left", box=None, pad_edge=False)
    table.add_column("")
    table.add_column("files", justify="right")
    table.add_column("bytes", justify="right")
    table.add_row("uploaded", str(len(report.uploaded)), format_size(report.uploaded_bytes))
    table.add_row("unchanged", str(len(report.skipped)), format_size(sum(u.size for u in report.skipped)))
    table.add_row("deleted", str(len(report.deleted)), "")
    table.add_row("time", f"{report.seconds:.2f} s", "")
    console.print(table)


class NetworkProgress(ProgressDisplay):
    """One display for shows uploading in parallel: a bar per show and one for everything."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        super().__init__(console, enabled=enabled)
        self._total = self._progress.add_task("all shows", total=1, visible=False)
        self._planned = 0

    def for_show(self, slug: str, plan: Plan) -> tuple[Any, Any, Any]:
        """The three callbacks `sync.execute` takes, feeding this show's bar and the total."""
        if not self.enabled or not plan.writes:
            return None, None, None
        with self._lock:
            task = self._progress.add_task(slug, total=plan.upload_bytes or 1)
            self._planned += plan.upload_bytes
            self._progress.update(self._total, total=self._planned or 1, visible=True)

        def advance(upload: Upload, count: int) -> None:
            self._progress.advance(task, count)
            self._progress.advance(self._total, count)

        return None, advance, None


def network_summary(console: Console, title: str, rows: list[dict[str, Any]]) -> None:
    """The table after `publish --all` or `build --all`: one row per show, failures included."""
    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for column, justify in (
        ("show", "left"), ("status", "left"), ("episodes", "right"), ("written", "right"), ("bytes", "right"),
        ("unchanged", "right"), ("deleted", "right"), ("time", "right"),
    ):  # fmt: skip
        table.add_column(column, justify=justify, no_wrap=column != "show")  # type: ignore[arg-type]
    for row in rows:
        status = row["status"]
        style = {"failed": "red", "published": "green", "built": "green"}.get(status, "")
        table.add_row(
            escape(row["show"]), f"[{style}]{status}[/]" if style else status, str(row["episodes"]),
            str(row["written"]), format_size(row["bytes"]), str(row["unchanged"]), str(row["deleted"]),
            f"{row['seconds']:.1f} s",
        )  # fmt: skip
    console.print(table)
