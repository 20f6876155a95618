"""The `podpub` command: parse options, call the pipeline, print the result. No business logic."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from podpub import __version__
from podpub.errors import InputError, PodpubError, one_line
from podpub.ui import format_duration, format_size


@dataclass
class Settings:
    directory: Path
    verbose: bool = False
    quiet: bool = False


_state = Settings(directory=Path.cwd())


def _console(stderr: bool = False) -> Console:
    # rich only colours a terminal (and honours NO_COLOR); piped output gets no width limit, so a
    # script reading `podpub list` gets one line per episode.
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 1000
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


out = _console()
err = _console(stderr=True)


def say(message: str) -> None:
    if not _state.quiet:
        out.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"warning: {message}", markup=False, style="yellow")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def shows_options(function: Any) -> Any:
    """`--all` and `--show SLUG`: run a command over shows of the workspace instead of the current one."""
    function = click.option(
        "--show", "show_names", multiple=True, metavar="SLUG", help="A show of the workspace; repeatable."
    )(function)
    return click.option("--all", "all_shows", is_flag=True, help="Every show of the workspace.")(function)


def selected_shows(all_shows: bool, names: tuple[str, ...]) -> tuple[Any, list[str]] | None:
    """The workspace and the chosen slugs, or None for the usual one-show run."""
    if not all_shows and not names:
        return None
    from podpub.network.workspace import find_network

    network = find_network(_state.directory)
    if network is None:
        raise InputError(
            f"--all and --show work inside a workspace (a folder with podpub.toml), and {_state.directory} is not "
            "in one; create it with podpub new-workspace"
        )
    slugs = list(network.show_dirs) if all_shows else network.select(names)
    if not slugs:
        raise InputError(f"the workspace {network.root} has no shows yet; add one: podpub new-show SLUG --title ...")
    return network, slugs


def show_locked(command: str) -> Any:
    """Run the command holding the show's lock (podpub.showlock), or every selected show's with --all/--show:
    two podpub processes never write in one show folder at once."""

    def decorate(function: Any) -> Any:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            from podpub.podcasts.config import find_show_root
            from podpub.showlock import show_locks

            selection = selected_shows(kwargs.get("all_shows", False), kwargs.get("show_names", ()))
            if selection is not None:
                network, slugs = selection
                roots = [network.root, *(network.show_dirs[slug] for slug in slugs)]
            else:
                try:
                    roots = [find_show_root(_state.directory)]
                except InputError:
                    return function(*args, **kwargs)  # no show here: the command says so itself
            with show_locks(roots, command, notify=warn):
                return function(*args, **kwargs)

        return run

    return decorate


def report_failures(rows: list[dict[str, Any]]) -> None:
    """One line per failed show on stderr, then exit 1: the others were still done."""
    failed = [row for row in rows if row["error"]]
    for row in failed:
        err.print(f"error: {row['show']}: {row['error']}", markup=False, style="red")
    if failed:
        sys.exit(1)


def parse_datetime(value: str, option: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is the machine's local time."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{option} {value!r}: not an ISO 8601 date, e.g. 2026-12-01 or 2026-12-01T09:30+01:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.replace(microsecond=0)


class PodpubGroup(click.Group):
    """Lists commands in the order a producer uses them, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=PodpubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="podpub")
@click.option(
    "-C",
    "directories",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Run as if started in DIR (a show folder or one inside it; in a workspace, a show's slug). "
    "Repeatable like git's: each is relative to the one before.",
)
@click.option("-v", "--verbose", is_flag=True, help="Say more; show tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings.")
def cli(directories: tuple[Path, ...], verbose: bool, quiet: bool) -> None:
    """Publish a podcast: from audio files to a feed every app accepts."""
    _state.directory = Path.cwd().resolve()
    if directories:
        from podpub.network.workspace import resolve_directory

        for directory in directories:
            _state.directory = resolve_directory(directory, _state.directory)
    _state.verbose, _state.quiet = verbose, quiet and not verbose


# --- init --------------------------------------------------------------------------------------


def _required(values: dict[str, Any], prompts: dict[str, str]) -> None:
    missing = [name for name in prompts if not values.get(name)]
    if not missing:
        return
    if not sys.stdin.isatty():
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in missing)
        raise InputError(f"missing required option(s): {flags}")
    for name in missing:
        values[name] = click.prompt(prompts[name])


@cli.command()
@click.argument("dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The show's name.")
@click.option("--author", help="Who makes the show (itunes:author, owner name).")
@click.option("--email", help="Owner e-mail (Apple and Spotify send verification mail here).")
@click.option("--language", help="ISO 639 code: fr, en, en-us ...")
@click.option(
    "--category",
    "categories",
    multiple=True,
    help='Apple category, e.g. "Society & Culture > Documentary"; repeatable.',
)
@click.option("--base-url", help="Where listeners fetch the files, e.g. https://cdn.example.org/show/")
@click.option("--description", default="", help="What the show is about.")
@click.option("--image", type=click.Path(dir_okay=False, path_type=Path), help="Square JPEG/PNG artwork, 1400-3000 px.")
@click.option("--explicit/--clean", default=False, help="Whether the show is explicit (default: clean).")
@click.option("--type", "show_type", type=click.Choice(["episodic", "serial"]), default="episodic", show_default=True)
@click.option("--target", help="Default publish target (folder or file:// URL).")
def init(dir: Path | None, **options: Any) -> None:
    """Create a show: podcast.toml, episodes/ and media/ in DIR (default: here)."""
    from podpub.podcasts.setup import create_show

    root = (_state.directory / dir) if dir else _state.directory
    _required(
        options,
        {
            "title": "Show title",
            "author": "Author",
            "email": "Owner e-mail",
            "language": "Language (ISO 639, e.g. fr)",
            "base_url": "Base URL where listeners fetch the files",
        },
    )
    if not options["categories"]:
        if not sys.stdin.isatty():
            raise InputError("missing required option(s): --category (see `podpub categories`)")
        options["categories"] = (click.prompt("Apple category (e.g. Society & Culture > Documentary)"),)
    created = create_show(root, **options)
    say(f"Created {created.config_path} (podcast:guid {created.guid})")
    say("Next: podpub add EPISODE.mp3, then podpub publish --to DIR")


@cli.command()
def categories() -> None:
    """List Apple Podcasts' categories, as podcast.toml expects them."""
    from podpub.podcasts.categories import all_categories

    for name in all_categories():
        click.echo(name)


@cli.command("new-workspace")
@click.argument("dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The network's name (shown on its page and in the OPML).")
@click.option("--description", default="", help="What the network is.")
@click.option("--base-url", help="Template for each show's base URL, with {slug}: https://cdn.example.org/{slug}/")
@click.option("--target", help="Template for each show's target, with {slug}: s3://bucket/{slug} or /srv/www/{slug}")
@click.option("--author", help="Default author and owner name of every show.")
@click.option("--email", help="Default owner e-mail of every show.")
@click.option("--language", help="Default language (ISO 639).")
@click.option("--category", "categories", multiple=True, help="Default Apple category; repeatable.")
def new_workspace(dir: Path | None, title: str | None, **options: Any) -> None:
    """Create a workspace for a network of shows: podpub.toml in DIR (default: here)."""
    from podpub.network.create import create_workspace

    values: dict[str, Any] = {"title": title}
    _required(values, {"title": "Network title"})
    path = create_workspace((_state.directory / dir) if dir else _state.directory, title=values["title"], **options)
    say(f"Created {path}")
    say("Next: podpub new-show SLUG --title TITLE, then podpub publish --all")


@cli.command("new-show")
@click.argument("slug")
@click.option("--title", help="The show's name.")
@click.option("--description", default="", help="What the show is about.")
@click.option("--image", type=click.Path(dir_okay=False, path_type=Path), help="Square JPEG/PNG artwork, 1400-3000 px.")
@click.option("--language", help="Override the workspace's language.")
@click.option("--category", "categories", multiple=True, help="Override the workspace's categories; repeatable.")
@click.option("--author", help="Override the workspace's author.")
@click.option("--email", help="Override the workspace's owner e-mail.")
@click.option("--base-url", help="Override the base URL template for this show.")
@click.option("--target", help="Override the target template for this show.")
@click.option("--type", "show_type", type=click.Choice(["episodic", "serial"]), default="episodic", show_default=True)
def new_show(slug: str, title: str | None, image: Path | None, **options: Any) -> None:
    """Create the show SLUG in the workspace, inheriting podpub.toml's defaults."""
    from podpub.network.create import create_show_in
    from podpub.network.workspace import find_network

    network = find_network(_state.directory)
    if network is None:
        raise InputError(f"{_state.directory} is not in a workspace; create one with podpub new-workspace")
    values: dict[str, Any] = {"title": title}
    _required(values, {"title": "Show title"})
    show = create_show_in(
        network, slug, title=values["title"], image=(Path.cwd() / image) if image else None, **options
    )
    say(f"Created {show.config_path} (podcast:guid {show.guid})")
    say(f"  feed   {show.publish.feed_url}")
    say(f"  target {show.publish.target or '-'}")
    say(f"Next: podpub -C {slug} add EPISODE.mp3, then podpub publish --all")


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show_config(as_json: bool) -> None:
    """Every setting of the show with its value and where it comes from (show, workspace, default)."""
    from podpub.network.settings import effective_settings

    rows = effective_settings(_state.directory)
    if as_json:
        emit_json(rows)
        return
    table = Table(box=None, pad_edge=False)
    for column in ("key", "from", "value"):
        table.add_column(column, no_wrap=column != "value")
    for row in rows:
        source = f"{row['source']} ({row['where']})" if row["where"] else row["source"]
        value = json.dumps(row["value"], ensure_ascii=False, default=str)
        table.add_row(escape(str(row["key"])), escape(source), escape(value))
    out.print(table)


# --- add ---------------------------------------------------------------------------------------


@cli.command()
@show_locked("add")
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Episode title (default: the tag title, then the file name).")
@click.option("--date", "date_text", help="Publication date, ISO 8601 (default: now; a future date schedules it).")
@click.option("--season", type=click.IntRange(min=1), help="Season number.")
@click.option("--number", type=click.IntRange(min=1), help="Episode number.")
@click.option(
    "--type",
    "episode_type",
    type=click.Choice(["full", "trailer", "bonus"]),
    default="full",
    show_default=True,
)
@click.option("--explicit/--clean", default=None, help="Override the show's explicit setting.")
@click.option("--notes", "notes_file", type=click.Path(dir_okay=False, path_type=Path), help="Markdown show notes.")
@click.option("--image", type=click.Path(dir_okay=False, path_type=Path), help="Episode artwork.")
@click.option("--draft", is_flag=True, help="Keep it out of the feed until draft = false.")
@click.option(
    "--chapters",
    "chapters_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Chapters file (JSON chapters, or 'HH:MM:SS Title' lines); overrides the audio's own.",
)
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Transcript (WebVTT, SRT, Podcast Index JSON, HTML or text); repeatable.",
)
@click.option("--transcript-language", help="Language of the transcripts (default: the show's).")
@click.option(
    "--alternate",
    "alternates",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Another encoding of the same audio (e.g. ep.opus); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
def add(audio: tuple[Path, ...], date_text: str | None, episode_type: str, as_json: bool, **options: Any) -> None:
    """Probe AUDIO files and write one episode file each (copying audio into media/)."""
    from podpub import pipeline
    from podpub.episodes.add import EpisodeOptions, add_episodes

    ws = pipeline.open_show(_state.directory)

    def resolved(value: Any) -> Any:
        # realpath, not Path.resolve(): a link loop must reach the readers' one-line error, not a RuntimeError
        if isinstance(value, Path):
            return Path(os.path.realpath(value))
        if isinstance(value, tuple):
            return tuple(Path(os.path.realpath(v)) for v in value)
        return value

    opts = EpisodeOptions(
        date=parse_datetime(date_text, "--date") if date_text else None,
        type=episode_type,
        **{k: resolved(v) for k, v in options.items()},
    )
    now = datetime.now().astimezone()
    added = add_episodes(
        ws.show, [p if p.is_absolute() else Path.cwd() / p for p in audio], opts, now=now, cache=ws.cache
    )
    if as_json:
        emit_json(
            [
                {
                    "file": str(a.episode_file),
                    "audio": str(a.audio),
                    "guid": a.guid,
                    "title": a.title,
                    "date": a.date.isoformat(),
                    "status": "scheduled" if a.date > now else ("draft" if opts.draft else "published"),
                    "media": a.info.to_json(),
                }
                for a in added
            ]
        )
        return
    for a in added:
        when = "scheduled for " + a.date.isoformat() if a.date > now else a.date.isoformat()
        say(f"Added {a.episode_file.relative_to(ws.show.root)}: {a.title!r}")
        say(f"  audio    {a.audio.relative_to(ws.show.root)}{' (copied)' if a.copied else ''}")
        say(
            f"  read     {a.info.format}, {a.info.mime_type}, {format_duration(a.info.duration)} "
            f"({a.info.duration:.2f} s{'' if a.info.exact_duration else ', estimated'}), {format_size(a.info.size)}"
            f"{', ' + str(len(a.info.chapters)) + ' chapters' if a.info.chapters else ''}"
            f"{', cover art' if a.info.has_cover else ''}"
        )
        say(f"  date     {when}{' (draft)' if opts.draft else ''}")
        say(f"  guid     {a.guid}")
        if a.info.chapters or opts.chapters_file:
            say(f"  chapters {'from ' + opts.chapters_file.name if opts.chapters_file else 'from the audio'}")
        for transcript in opts.transcripts:
            say(f"  transcript {transcript.name}")
        for alternate in opts.alternates:
            say(f"  alternate  {alternate.name}")
        for warning in (*a.info.warnings, *a.warnings):
            warn(warning if warning.startswith(a.audio.name) else f"{a.audio.name}: {warning}")


# --- list / inspect ----------------------------------------------------------------------------


@cli.command("list")
@shows_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_episodes(as_json: bool, all_shows: bool, show_names: tuple[str, ...]) -> None:
    """Episodes with their status (published, scheduled, draft), date, duration, title and guid."""
    from podpub import pipeline

    now = pipeline.now_utc()
    selection = selected_shows(all_shows, show_names)
    failures: list[dict[str, Any]] = []
    if selection is None:
        rows = pipeline.episode_rows(pipeline.open_show(_state.directory), now=now)
    else:
        from podpub.network.run import load_shows

        shows = load_shows(*selection, verbose=_state.verbose)
        failures = [{"show": slug, "error": error} for slug, error in shows.failed.items()]
        rows = [
            {"show": slug, **row} for slug, ws in shows.loaded.items() for row in pipeline.episode_rows(ws, now=now)
        ]
    if as_json:
        emit_json(rows)
    else:
        table = Table(box=None, pad_edge=False)
        columns = ("status", "date", "duration", "guid")
        for column in ("show", *columns) if selection else columns:
            table.add_column(column, no_wrap=True)
        table.add_column("title")  # last, so a narrow terminal wraps only the title
        for row in rows:
            date = str(row["date"])[:16].replace("T", " ")
            duration = format_duration(float(row["duration"]))
            cells = [str(row["status"]), date, duration, str(row["guid"]), str(row["title"])]
            table.add_row(*(escape(c) for c in ([str(row["show"])] if selection else []) + cells))
        if not _state.quiet:
            out.print(table)
            if not rows:
                say("No episodes yet: podpub add EPISODE.mp3")
    report_failures(failures)


@cli.command()
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def inspect(audio: Path, as_json: bool) -> None:
    """Everything podpub reads from an audio or video file."""
    from podpub.episodes.probe import probe

    path = audio if audio.is_absolute() else Path.cwd() / audio
    info = probe(path)
    if as_json:
        emit_json({"file": str(path), **info.to_json()})
        return
    rows = [
        ("file", str(audio)),
        ("format", info.format),
        ("type", info.mime_type),
        (
            "duration",
            f"{format_duration(info.duration)} ({info.duration:.3f} s, "
            f"{'exact' if info.exact_duration else 'estimated'})",
        ),
        ("size", f"{info.size} bytes ({format_size(info.size)})"),
        ("bitrate", f"{info.bitrate // 1000} kb/s" if info.bitrate else "-"),
        ("sample rate", f"{info.sample_rate} Hz" if info.sample_rate else "-"),
        ("channels", str(info.channels or "-")),
        ("title", info.title or "-"),
        ("artist", info.artist or "-"),
        ("album", info.album or "-"),
        ("date", info.date or "-"),
        ("comment", info.comment or "-"),
        ("cover", info.cover_mime or "yes" if info.has_cover else "no"),
    ]
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, value)
    out.print(table)
    if info.chapters:
        out.print("chapters", style="bold")
        for chapter in info.chapters:
            out.print(f"  {format_duration(chapter.start):>8}  {chapter.title}", markup=False)
    for warning in info.warnings:
        warn(warning)


# --- build / publish / serve -------------------------------------------------------------------


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        warn(warning)


@cli.command()
@show_locked("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: public/ in the show).",
)
@shows_options
def build(out: Path | None, all_shows: bool, show_names: tuple[str, ...]) -> None:
    """Render the feed and lay out every published file in a folder."""
    from podpub import pipeline

    selection = selected_shows(all_shows, show_names)
    if selection is not None:
        if out is not None:
            raise InputError("--out builds one show; with --all or --show each show builds into its own public/")
        _build_network(*selection)
        return
    ws = pipeline.open_show(_state.directory)
    result = pipeline.build(ws, (Path.cwd() / out) if out else None)
    _print_warnings(result.site.warnings)
    say(
        f"Built {len(result.site.episodes)} episode(s) into {result.out} "
        f"({len(result.report.uploaded)} file(s) written, {len(result.report.skipped)} unchanged)"
    )
    say(f"Feed: {result.out / result.site.feed_key} (published as {result.site.feed_url})")


def _build_network(network: Any, slugs: list[str]) -> None:
    from podpub.network.run import build_network_files, build_shows, load_shows, summary_row
    from podpub.ui import network_summary

    shows = load_shows(network, slugs, verbose=_state.verbose)
    results = build_shows(shows, verbose=_state.verbose)
    network_result = build_network_files(shows, results)
    for result in results:
        _print_warnings([f"{result.slug}: {w}" for w in result.warnings])
    rows = [summary_row(r, built=True) for r in [*results, *([network_result] if network_result else [])]]
    if not _state.quiet:
        network_summary(out, f"Built {len(results)} show(s) of {network.settings.title}", rows)
    report_failures(rows)


def target_options(function: Any) -> Any:
    """The S3 options shared by `publish` and `doctor`; each overrides the same key of [publish]."""
    options = [
        click.option("--endpoint-url", help="S3 endpoint (R2, B2, MinIO ...); default: AWS or AWS_ENDPOINT_URL_S3."),
        click.option("--region", help="Bucket region (R2: auto); default: from the endpoint or the AWS profile."),
        click.option("--profile", help="AWS profile for credentials (boto3's chain: env, profile, SSO, role)."),
        click.option("--addressing-style", type=click.Choice(["path", "virtual"]), help="S3 URL style (default path)."),
        click.option("--acl", type=click.Choice(["private", "public-read"]), help="Send this canned ACL (opt-in)."),
        click.option("--jobs", type=click.IntRange(1, 64), help="Parallel uploads (default 4)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@show_locked("publish")
@click.option("--to", "target_spec", help="A folder, file:///path or s3://BUCKET/PREFIX (default: [publish] target).")
@target_options
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option(
    "--prune",
    is_flag=True,
    help="After the new feed is live, delete files podpub published that it no longer links.",
)
@click.option("--verify", is_flag=True, help="Check every published file is really there (a LIST on S3) and repair.")
@click.option(
    "--remove-missing",
    is_flag=True,
    help="Allow removing live episodes that have no episode file here (otherwise that is a conflict).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan or the result as JSON.")
@click.option("--force", is_flag=True, help="Publish even when the feed has validation errors.")
@shows_options
def publish(
    target_spec: str | None, dry_run: bool, prune: bool, verify: bool, remove_missing: bool, as_json: bool,
    force: bool, all_shows: bool, show_names: tuple[str, ...],
    **target_settings: Any,
) -> None:  # fmt: skip
    """Build, then bring the target up to date: media first, the feed last."""
    from podpub import pipeline
    from podpub.storage import sync
    from podpub.storage.targets import TargetOptions
    from podpub.ui import UploadProgress, publish_summary

    options = TargetOptions(**target_settings)
    selection = selected_shows(all_shows, show_names)
    if selection is not None:
        from podpub.network.run import PublishOptions

        if target_spec and "{slug}" not in target_spec:
            raise InputError(f"--to {target_spec!r}: with --all or --show it must contain {{slug}}, e.g. s3://bucket/{{slug}}")
        _publish_network(
            *selection,
            PublishOptions(target_spec, options, force, prune, verify, remove_missing, dry_run),
            as_json=as_json,
        )
        return
    ws = pipeline.open_show(_state.directory)
    prepared = pipeline.prepare_publish(
        ws, target_spec, options, force=force, prune=prune, verify=verify, remove_missing=remove_missing
    )
    target, result, plan = prepared.target, prepared.result, prepared.plan
    _print_warnings(prepared.warnings)
    if dry_run:
        if as_json:
            emit_json({
                "target": target.description, "dry_run": True, "feed_url": result.site.feed_url,
                "upload": [u.key for u in plan.writes], "unchanged": [u.key for u in plan.unchanged],
                "delete": plan.deletions, "bytes": plan.upload_bytes,
                "removed_episodes": sorted(plan.removed_episodes),
            })  # fmt: skip
            return
        if plan.is_empty:
            say(f"{target.description} is up to date; nothing to do")
            return
        say(f"Plan for {target.description}:")
        for upload in plan.writes:
            say(f"  upload  {upload.key}  ({format_size(upload.size)})")
        for key in plan.deletions:
            say(f"  delete  {key}")
        for guid, title in sorted(plan.removed_episodes.items()):
            say(f"  remove episode {title!r} ({guid}) from the feed")
        say(
            f"  {len(plan.writes)} to upload ({format_size(plan.upload_bytes)}), {len(plan.unchanged)} unchanged, "
            f"{len(plan.deletions)} to delete"
        )
        return
    jobs = options.jobs or ws.show.publish.jobs
    show_progress = not (as_json or _state.quiet) and out.is_terminal and bool(plan.writes)
    with UploadProgress(out, plan, enabled=show_progress) as progress:
        report = sync.execute(
            plan, target, jobs=jobs, on_start=progress.start, on_bytes=progress.advance, on_done=progress.done
        )
    redirects = pipeline.publish_redirects(prepared, options)
    if as_json:
        emit_json({
            "target": target.description, "feed_url": result.site.feed_url, "generation": report.generation,
            "uploaded": [u.key for u in report.uploaded], "skipped": len(report.skipped),
            "deleted": report.deleted, "bytes": report.uploaded_bytes, "seconds": round(report.seconds, 3),
            "old_feeds": [r.old.feed_url for r in redirects],
        })  # fmt: skip
        return
    if _state.verbose:
        for upload in report.uploaded:
            say(f"  put     {upload.key}")
    if not _state.quiet:
        publish_summary(out, target.description, len(result.site.episodes), report)
    for redirect in redirects:
        written = redirect.report is not None and bool(redirect.report.uploaded)
        say(f"Old feed {redirect.old.feed_url}: {'updated' if written else 'up to date'} (itunes:new-feed-url)")
    say(f"Feed: {result.site.feed_url}")


@cli.command()
@click.option("--base-url", "new_base_url", required=True, help="The show's new address, e.g. https://new-cdn.example.org/show/")
@click.option("--to", "target_spec", help="Its new storage (folder, file:// or s3://); default: the same storage.")
@target_options
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--force", is_flag=True, help="Publish even when the feed has validation errors.")
def move(new_base_url: str, target_spec: str | None, dry_run: bool, force: bool, **target_settings: Any) -> None:
    """Move the show to a new address, keeping its subscribers (podcast:guid, itunes:new-feed-url)."""
    from podpub.move import checklist, move_show
    from podpub.storage.targets import TargetOptions

    result = move_show(
        _state.directory, new_base_url, target_spec, TargetOptions(**target_settings), force=force, dry_run=dry_run
    )
    if dry_run:
        say(f"Would publish {result.title!r} to {result.new_target} ({len(result.plan.writes)} file(s), "
            f"{format_size(result.plan.upload_bytes)}) as {result.new_feed_url}, then point {result.old.feed_url} "
            "at it")  # fmt: skip
        return
    assert result.report is not None
    say(f"Moved {result.title!r}: {result.old.feed_url} -> {result.new_feed_url}")
    say(f"  podcast:guid {result.guid} (unchanged)")
    say(f"  {len(result.report.uploaded)} file(s) uploaded to {result.new_target}; podcast.toml updated")
    say("Still to do:")
    for step in checklist(result):
        say(f"  {step}")


def _publish_network(network: Any, slugs: list[str], options: Any, *, as_json: bool) -> None:
    from podpub.network.run import load_shows, publish_shows, summary_row
    from podpub.ui import NetworkProgress, network_summary

    shows = load_shows(network, slugs, verbose=_state.verbose)
    enabled = not (as_json or _state.quiet or options.dry_run) and out.is_terminal
    with NetworkProgress(out, enabled=enabled) as progress:
        results = publish_shows(shows, options, progress=progress.for_show, verbose=_state.verbose)
    rows = [summary_row(r) for r in results]
    if as_json:
        emit_json({"dry_run": options.dry_run, "shows": rows})
    else:
        for result in results:
            _print_warnings([f"{result.slug}: {w}" for w in result.warnings])
            if options.dry_run and result.plan is not None:
                for upload in result.plan.writes:
                    say(f"  {result.slug}: upload  {upload.key}  ({format_size(upload.size)})")
                for key in result.plan.deletions:
                    say(f"  {result.slug}: delete  {key}")
        if not _state.quiet:
            verb = "Plan for" if options.dry_run else "Published"
            network_summary(out, f"{verb} {len(slugs)} show(s) of {network.settings.title}", rows)
    report_failures(rows)


@cli.command()
@click.option("--to", "target_spec", help="The target to check (default: [publish] target).")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def doctor(target_spec: str | None, as_json: bool, **target_settings: Any) -> None:
    """Check a target end to end (credentials, bucket, writes, races, public Range reads, CORS)."""
    from podpub.network.workspace import load_show_in
    from podpub.storage.doctor import diagnose
    from podpub.storage.targets import TargetOptions, effective_settings, open_target

    show = load_show_in(_state.directory)
    options = TargetOptions(**target_settings)
    target = open_target(target_spec or show.publish.target, show.root, show.publish, options)
    diagnosis = diagnose(
        target, show.publish.base_url, preflight=getattr(target, "preflight", None),
        endpoint_url=effective_settings(show.publish, options).endpoint_url,
    )  # fmt: skip
    if as_json:
        emit_json({"target": diagnosis.target, "ok": not diagnosis.failed,
                   "checks": [vars(c) for c in diagnosis.checks]})  # fmt: skip
    else:
        marks = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]", "skip": "skip"}
        table = Table(title=f"podpub doctor: {diagnosis.target}", title_justify="left", box=None, pad_edge=False)
        table.add_column("check", no_wrap=True)
        table.add_column("", no_wrap=True)
        table.add_column("result")
        for check in diagnosis.checks:
            detail = check.detail + (f"\n[bold]fix:[/] {check.fix}" if check.fix and check.status != "ok" else "")
            table.add_row(check.name, marks[check.status], detail)
        out.print(table)
    if diagnosis.failed:
        sys.exit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the LAN).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
def serve(host: str, port: int) -> None:
    """Preview: build for this server's address and serve it (with Range support) until Ctrl-C."""
    from podpub import pipeline
    from podpub import serve as preview
    from podpub.showlock import show_lock

    ws = pipeline.open_show(_state.directory)
    root = ws.show.root / pipeline.STAGING / "preview-site"
    root.mkdir(parents=True, exist_ok=True)
    server = preview.make_server(root, host, port, log=_stderr_line if _state.verbose else _ignore)
    base_url = preview.base_url_for(host, server.port)
    with show_lock(ws.show.root, "serve", notify=warn):  # only while it builds: serving writes nothing
        result = pipeline.build(ws, root, base_url=base_url)
    _print_warnings(result.site.warnings)
    say(f"Serving {len(result.site.episodes)} episode(s); subscribe to {base_url}{result.site.feed_key}")
    say("Press Ctrl-C to stop.")
    preview.serve_until_interrupted(server)


@cli.command("import")
@click.argument("source")
@click.argument("dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--download-media/--keep-remote-media",
    default=True,
    help="Download every episode's audio into media/ (default), or keep linking it on the old host (audio_url).",
)
@click.option("--jobs", type=click.IntRange(1, 32), default=4, show_default=True, help="Parallel downloads.")
@click.option("--since", "since_text", help="Only import items published on or after this date (ISO 8601).")
@click.option("--force-locked", is_flag=True, help="Import a feed marked podcast:locked (only if you are its owner).")
@click.option("--base-url", help="For a new show: where listeners will fetch the files (else set it in podcast.toml).")
@click.option(
    "--no-private-addresses", is_flag=True,
    help="Refuse private, loopback and link-local addresses, redirects included (shared CI runners); "
    "also PODPUB_NO_PRIVATE_ADDRESSES=1.",
)  # fmt: skip
def import_show(
    source: str, dir: Path | None, download_media: bool, jobs: int, since_text: str | None, force_locked: bool,
    base_url: str | None, no_private_addresses: bool,
) -> None:  # fmt: skip
    """Import a show from its feed (URL or file) into DIR: new items only, GUIDs and dates kept."""
    from podpub import netguard

    netguard.refuse_private(no_private_addresses)
    from podpub.importer.run import ImportOptions, import_feed
    from podpub.importer.summary import DownloadProgress, print_report
    from podpub.podcasts.config import check_url, find_show_root
    from podpub.showlock import show_lock

    if base_url and (problem := check_url(base_url.strip())):
        raise InputError(f"--base-url {base_url!r}: {problem}")
    if dir is not None:
        root = _state.directory / dir
    else:
        try:
            root = find_show_root(_state.directory)
        except InputError:
            root = _state.directory
    if "://" not in source and not Path(source).is_absolute():
        source = str(Path.cwd() / source)
    options = ImportOptions(
        download_media=download_media,
        jobs=jobs,
        since=parse_datetime(since_text, "--since") if since_text else None,
        force_locked=force_locked,
        base_url=base_url.strip() if base_url else None,
    )
    progress_shown = not _state.quiet and err.is_terminal
    with show_lock(root, "import", notify=warn), DownloadProgress(err, enabled=progress_shown) as progress:
        report = import_feed(source, root, options, progress=progress)
    if not _state.quiet:
        print_report(out, report, verbose=_state.verbose)
    else:
        for label, error in report.failed:
            warn(error if error.startswith(label) else f"{label}: {error}")
    if not report.ok:
        sys.exit(1)


def _stderr_line(line: str) -> None:
    err.print(line, markup=False)


def _ignore(line: str) -> None:
    pass


@cli.command()
@click.argument("source", required=False)
@click.option(
    "--profile",
    type=click.Choice(["apple", "spotify", "psp1", "podcastindex", "all"]),
    default="all",
    show_default=True,
    help="Whose rules to check.",
)
@click.option("--online", is_flag=True, help="Also fetch what the feed links (HEAD, Range, types, sizes, artwork).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--timeout", type=click.FloatRange(min=0.01), default=10.0, show_default=True, help="Seconds a request may take."
)
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Parallel requests (--online).")
@click.option(
    "--no-private-addresses", is_flag=True,
    help="Refuse private, loopback and link-local addresses, redirects included (shared CI runners); "
    "also PODPUB_NO_PRIVATE_ADDRESSES=1.",
)  # fmt: skip
@shows_options
def validate(
    source: str | None, profile: str, online: bool, output_format: str, strict: bool, timeout: float, jobs: int,
    all_shows: bool, show_names: tuple[str, ...], no_private_addresses: bool,
) -> None:  # fmt: skip
    """Check a feed against Apple, Spotify, PSP-1 and Podcast Index rules.

    SOURCE is the show folder (default: build it and check public/feed.xml), a feed file or an http(s) URL.
    With --all or --show, each show of the workspace is built and checked.
    Exit 0 without errors, 1 with errors (or warnings with --strict), 2 when SOURCE cannot be read.
    """
    from podpub import netguard
    from podpub.errors import OperationError
    from podpub.validation import validate as run_validation
    from podpub.validation.report import render_text, to_json

    netguard.refuse_private(no_private_addresses)

    progress = err if online and err.is_terminal and output_format == "text" and not _state.quiet else None
    selection = selected_shows(all_shows, show_names)
    if selection is not None:
        if source is not None:
            raise InputError("give either SOURCE or --all/--show, not both")
        network, slugs = selection
        reports: dict[str, Any] = {}
        failures: list[dict[str, Any]] = []
        for slug in slugs:
            try:
                report = run_validation(
                    None, directory=network.show_dirs[slug], profile=profile, online=online, timeout=timeout,
                    jobs=jobs, console=progress,
                )  # fmt: skip
            except PodpubError as exc:
                failures.append({"show": slug, "error": exc.message})
                continue
            reports[slug] = report
            if output_format == "text":
                if not _state.quiet:
                    out.rule(escape(f"{slug}"), align="left")
                render_text(out, report, strict=strict, quiet=_state.quiet)
            if failure := report.failure(strict):
                failures.append({"show": slug, "error": failure})
        if output_format == "json":
            emit_json({"shows": {slug: to_json(report, strict) for slug, report in reports.items()},
                       "failed": {row["show"]: row["error"] for row in failures}})  # fmt: skip
        report_failures(failures)
        return
    report = run_validation(
        source, directory=_state.directory, profile=profile, online=online, timeout=timeout, jobs=jobs,
        console=progress,
    )  # fmt: skip
    if output_format == "json":
        emit_json(to_json(report, strict))
    else:
        render_text(out, report, strict=strict, quiet=_state.quiet)
    failure = report.failure(strict)
    if failure:
        raise OperationError(failure)


# --- entry point -------------------------------------------------------------------------------


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"error: {message}", markup=False, style="red")
    sys.exit(code)


def _interrupted(cause: BaseException | None) -> NoReturn:
    """Ctrl-C, or SIGTERM/SIGHUP (podpub.interrupts): the clean-ups have run; exit 128 + the signal."""
    from podpub.interrupts import Terminated

    done = "nothing was left half-written and the previous feed is still live"
    if isinstance(cause, Terminated):
        _fail(f"stopped by {cause.name}; {done}", 128 + cause.signum)
    _fail(f"interrupted; {done}", 130)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with podpub's error convention: one line on stderr, exit 2 bad input, 1 failure."""
    from podpub.fsutil import describe_os_error
    from podpub.interrupts import signals_interrupt

    try:
        with signals_interrupt():
            code = cli.main(args=argv, prog_name="podpub", standalone_mode=False)
    except click.exceptions.Abort as exc:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
        _interrupted(exc.__cause__)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PodpubError as exc:
        if _state.verbose:
            traceback.print_exc()
        _fail(exc.message, exc.exit_code)
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    except OSError as exc:  # a full disk, a permission: the file and the reason, not a traceback
        if _state.verbose:
            traceback.print_exc()
        _fail(describe_os_error(exc), 1)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for --verbose
        _fail(one_line(exc, traceback_too=_state.verbose or bool(os.environ.get("PODPUB_DEBUG"))), 1)
    sys.exit(code if isinstance(code, int) else 0)
