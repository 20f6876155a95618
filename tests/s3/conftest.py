"""Fixtures for tests that talk to a real S3 server (SeaweedFS on loopback).

The server, bucket and proxy fixtures are shared with other folders' S3 tests and live in
tests/conftest.py (one `weed mini` for the whole session; each test gets its own bucket). Here the
AWS environment is replaced for every test, so neither the tests nor podpub's own boto3 calls can
pick up the developer's ~/.aws profile, endpoint overrides, session tokens or HTTP proxies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bucket, counting_proxy, isolate_aws_env
from tests.s3server import SeaweedFS

# Imported from here by tests in other folders (tests/cluster); function-scoped, so naming them here
# too costs nothing. `seaweedfs` is deliberately not re-exported: a second registration of the session
# fixture would start a second server.
__all__ = ["bucket", "counting_proxy", "isolate_aws_env"]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    """Applied to every S3 test: AWS credentials of the test server, no profiles, no proxies."""
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)
