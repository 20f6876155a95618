"""Credentials never leave boto3: not in the files podpub writes (show folder, build, bucket objects and
manifests), not in its output with `-v`, not in error messages, and not in botocore's own DEBUG logging,
which a producer may turn on to debug a provider. Publishes run against the SeaweedFS fixture in a child
process whose every output line is captured and searched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, isolate_aws_env, s3_show
from tests.s3server import SeaweedFS

# boto3.set_stream_logger("") sends every logger (botocore, s3transfer, urllib3) at DEBUG to stderr: the
# most a producer can turn on. Then the real CLI runs.
CHILD = "import logging, sys, boto3; boto3.set_stream_logger('', logging.DEBUG); " \
        "from podpub.cli import main; main(sys.argv[1:])"  # fmt: skip


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, seaweedfs: SeaweedFS, tmp_path: Path) -> SeaweedFS:
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)
    return seaweedfs


def run_child(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {}), "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", CHILD, *args], env=full, capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL, check=False)  # fmt: skip


def everything_written(show: Path, server: SeaweedFS, bucket: str) -> bytes:
    """The show folder (build, caches, manifests) and every object in the bucket, concatenated."""
    data = b"".join(p.read_bytes() for p in show.rglob("*") if p.is_file() and not p.is_symlink())
    client = server.client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            data += item["Key"].encode() + client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return data


def test_a_verbose_publish_with_botocore_debug_logging_never_shows_the_secret(
    aws: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = s3_show(tmp_path / "show", aws.endpoint_url, bucket, endpoint_url=aws.endpoint_url)
    result = run_podpub(capsys, "-C", str(show), "add", str(FIXTURES / "cbr.mp3"), "--date", "2024-05-01T08:00Z")
    assert result.code == 0, result.err
    draft = run_podpub(capsys, "-C", str(show), "add", str(FIXTURES / "vbr_xing.mp3"), "--draft")
    assert draft.code == 0, draft.err
    published = run_child("-v", "-C", str(show), "publish", "--prune", "--verify")
    assert published.returncode == 0, published.stderr[-3000:]
    logged = published.stdout + published.stderr
    assert "DEBUG" in logged and "botocore" in logged and "PutObject" in logged  # the debug log is really on
    assert aws.secret_key not in logged
    doctor = run_child("-v", "-C", str(show), "doctor")
    assert aws.secret_key not in doctor.stdout + doctor.stderr
    assert aws.secret_key.encode() not in everything_written(show, aws, bucket)
    assert aws.access_key.encode() not in everything_written(show, aws, bucket)
    assert aws.access_key not in published.stdout  # podpub's own output names no key at all


BAD = {
    "secret": {"AWS_SECRET_ACCESS_KEY": "wrong-SECRET-d41d8cd98f00b204"},
    "key": {"AWS_ACCESS_KEY_ID": "wrong-KEY-ID-8f00b204e980"},
    # temporary credentials: botocore signs the token into every request and its DEBUG log prints the
    # headers; SeaweedFS refuses the token, after the request (and its log line) was made
    "token": {"AWS_SESSION_TOKEN": "SESSION-TOKEN-FwoGZXIvYXdzEJr"},
}


@pytest.mark.parametrize("wrong", sorted(BAD))
def test_rejected_credentials_are_one_line_without_them(
    aws: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], wrong: str
) -> None:
    show = s3_show(tmp_path / "show", aws.endpoint_url, bucket, endpoint_url=aws.endpoint_url)
    assert run_podpub(capsys, "-C", str(show), "add", str(FIXTURES / "cbr.mp3")).code == 0
    failed = run_child("-v", "-C", str(show), "publish", env=BAD[wrong])
    assert failed.returncode == 1, failed.stderr[-2000:]
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "credentials" in errors[0], errors
    logged = failed.stdout + failed.stderr
    assert "botocore" in logged and "DEBUG" in logged
    for name, value in BAD[wrong].items():
        assert name == "AWS_ACCESS_KEY_ID" or value not in logged
    assert aws.secret_key not in logged
    if wrong == "token":
        assert "x-amz-security-token:[redacted]" in logged  # the header was logged, its value was not
    assert aws.secret_key.encode() not in everything_written(show, aws, bucket)
