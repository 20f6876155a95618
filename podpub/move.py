"""`podpub move`: a show changes address (prefix, bucket or domain) without losing a subscriber.

The podcast:guid never changes (it is stored in podcast.toml, not derived again). The show is
published at the new address first; then the old feed is rewritten with `itunes:new-feed-url`;
only then does podcast.toml say where the show lives, with the old address kept in
`[[publish.moved_from]]` so every later publish refreshes the old feed too. A failure at any step
leaves the previous feed live and the configuration unchanged: running the move again finishes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import tomlkit
from tomlkit.items import AoT, Table

from podpub import pipeline
from podpub.errors import InputError
from podpub.fsutil import atomic_write_text
from podpub.podcasts.config import CONFIG_NAME, check_url, normalise_base_url
from podpub.podcasts.model import MovedFrom
from podpub.storage import sync
from podpub.storage.targets import TargetOptions


@dataclass
class MoveResult:
    title: str
    guid: str
    old: MovedFrom
    new_feed_url: str
    new_target: str
    plan: sync.Plan
    report: sync.Report | None = None  # None on a dry run
    redirects: list[pipeline.Redirect] | None = None


def move_show(
    directory: Path,
    new_base_url: str,
    new_target: str | None,
    options: TargetOptions,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> MoveResult:
    ws = pipeline.open_show(directory)
    show = ws.show
    if problem := check_url(new_base_url.strip()):
        raise InputError(f"--base-url {new_base_url!r}: {problem}")
    base_url = normalise_base_url(new_base_url.strip())
    if not show.publish.target:
        raise InputError(f"{CONFIG_NAME}: [publish] target is not set, so there is no published show to move")
    target = new_target or show.publish.target
    old = MovedFrom(show.publish.base_url, show.publish.target)
    if base_url == old.base_url:
        raise InputError(f"--base-url {base_url}: the show is already served there; give its new address")
    earlier = tuple(m for m in show.publish.moved_from if m.base_url != base_url)
    moved = replace(show, publish=replace(show.publish, base_url=base_url, target=target, moved_from=(*earlier, old)))
    prepared = pipeline.prepare_publish(pipeline.loaded(moved), None, options, force=force)
    result = MoveResult(show.title, show.guid, old, moved.publish.feed_url, target, prepared.plan)
    if dry_run:
        return result
    jobs = options.jobs or show.publish.jobs
    result.report = sync.execute(prepared.plan, prepared.target, jobs=jobs)
    result.redirects = pipeline.publish_redirects(prepared, options)
    record_move(show.root, base_url, target if new_target else None, old)
    return result


def record_move(root: Path, base_url: str, target: str | None, old: MovedFrom) -> None:
    """Write the new address and the old one into podcast.toml, keeping the producer's comments."""
    path = root / CONFIG_NAME
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    publish = doc.get("publish")
    if not isinstance(publish, Table):
        publish = tomlkit.table()
        doc["publish"] = publish
    publish["base_url"] = base_url
    if target is not None:
        publish["target"] = target
    moves = publish.get("moved_from")
    if not isinstance(moves, AoT):
        moves = tomlkit.aot()
        publish["moved_from"] = moves
    for index in reversed(range(len(moves))):  # moving back to an old address ends that move
        if normalise_base_url(str(moves[index].get("base_url", ""))) in (base_url, old.base_url):
            del moves[index]
    entry = tomlkit.table()
    entry.add("base_url", old.base_url)
    entry.add("target", old.target)
    moves.append(entry)
    atomic_write_text(path, tomlkit.dumps(doc))


def checklist(result: MoveResult) -> list[str]:
    """What the producer still has to do by hand, in order."""
    old_feed = result.old.feed_url
    steps = [
        f"The old feed {old_feed} now names the new one (itunes:new-feed-url); every `podpub publish` keeps it "
        "up to date while [[publish.moved_from]] lists it.",
        f"If you control the server at the old address, redirect {old_feed} to {result.new_feed_url} with an "
        f"HTTP 301 (nginx: `location = {_path(old_feed)} {{ return 301 {result.new_feed_url}; }}`; Cloudflare: a "
        "Redirect Rule; Apache: `Redirect 301`). Apps that ignore the tag follow the 301.",
        "Keep the old feed online for at least four weeks (Apple's guidance), better for good: some apps poll "
        "rarely. Do not prune or delete the old location's media: downloaded episodes link there.",
        "Podcast Index follows podcast:guid (unchanged); Apple, Spotify, Pocket Casts and Overcast follow the tag "
        "or the 301. Once they show the new URL, update it in Podcasts Connect and Spotify for Creators too.",
    ]
    return [f"{number}. {step}" for number, step in enumerate(steps, start=1)]


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1]
