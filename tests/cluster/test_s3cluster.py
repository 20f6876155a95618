"""The cluster fixture's own promises: one process per part, loopback only, its own ports, no telemetry.

A fixture that bound 0.0.0.0, fell back to weed's fixed default ports, or ran the parts in one process
would make the distributed-store tests either unsafe on a shared machine or not distributed at all.
"""

from __future__ import annotations

from pathlib import Path

from tests.s3cluster import FILER, MASTER, S3, SeaweedCluster
from tests.s3server import LOOPBACK

WEED_DEFAULT_PORTS = {8080, 8333, 8888, 9333, 18080, 18333, 18888, 19333, 8181, 9101, 8111}


def test_every_part_is_its_own_process_listening_on_loopback_on_its_own_two_ports(
    seaweed_cluster: SeaweedCluster,
) -> None:
    cluster = seaweed_cluster
    assert set(cluster.components) == {MASTER, "volume-1", "volume-2", FILER, S3}
    pids = cluster.pids()
    assert len(set(pids.values())) == 5
    kinds = {name: Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1] for name, pid in pids.items()}
    assert kinds == {
        MASTER: b"master", "volume-1": b"volume", "volume-2": b"volume", FILER: b"filer", S3: b"s3"
    }  # fmt: skip
    listening = cluster.listening_addresses()
    for name, component in cluster.components.items():
        assert listening[name] == {(LOOPBACK, component.http_port), (LOOPBACK, component.grpc_port)}, name
    ports = [port for found in listening.values() for _, port in found]
    assert len(ports) == len(set(ports)) == 10
    assert not set(ports) & WEED_DEFAULT_PORTS


def test_the_master_runs_with_replication_001_and_telemetry_off(seaweed_cluster: SeaweedCluster) -> None:
    master = seaweed_cluster.components[MASTER]
    assert "-telemetry=false" in master.args and "-defaultReplication=001" in master.args
    assert "-volumeSizeLimitMB=64" in master.args
    # the gateway's identity file holds a secret: readable by the owner only
    identities = seaweed_cluster.base_dir / "s3-identities.json"
    assert identities.stat().st_mode & 0o077 == 0
    # each part keeps its data (and HOME) in a directory of its own
    assert len({c.dir for c in seaweed_cluster.components.values()}) == 5
