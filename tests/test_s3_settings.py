"""S3 settings and error messages that a local SeaweedFS cannot produce (regions, 5xx, ACL refusals)."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from podpub.errors import InputError
from podpub.podcasts.config import load_show
from podpub.storage.s3 import MiB, S3Settings, S3Target, parse_s3_url, part_size, region_for_endpoint
from podpub.storage.s3errors import translate
from podpub.storage.targets import TargetOptions, open_target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://my-bucket", ("my-bucket", "")),
        ("s3://my-bucket/a/b/", ("my-bucket", "a/b")),
        ("s3://b.e-x/p", ("b.e-x", "p")),
    ],
)
def test_parse_s3_url(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize("url", ["s3://UPPER", "s3://a", "s3://bucket/../x", "s3://bucket/a//b"])
def test_bad_s3_urls(url: str) -> None:
    with pytest.raises(InputError, match="target"):
        parse_s3_url(url)


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("https://abc123.r2.cloudflarestorage.com", "auto"),
        ("https://abc123.eu.r2.cloudflarestorage.com", "auto"),
        ("https://s3.us-west-004.backblazeb2.com", "us-west-004"),
        ("https://s3.eu-central-1.wasabisys.com", "eu-central-1"),
        ("https://ams3.digitaloceanspaces.com", "ams3"),
        ("https://s3.fr-par.scw.cloud", "fr-par"),
        ("https://fsn1.your-objectstorage.com", "fsn1"),
        ("http://127.0.0.1:8333", None),
        (None, None),
    ],
)
def test_region_is_read_from_the_endpoint(endpoint: str | None, region: str | None) -> None:
    assert region_for_endpoint(endpoint) == region


def test_parts_are_equal_and_at_most_a_thousand() -> None:
    assert part_size(100 * MiB, 16 * MiB) == 16 * MiB
    big = 40 * 1024 * MiB  # a 40 GiB video
    assert part_size(big, 16 * MiB) * 1000 >= big
    assert part_size(big, 16 * MiB) % MiB == 0


def test_publish_settings_from_config_and_options(show_dir: Path) -> None:
    config = show_dir / "podcast.toml"
    config.write_text(
        config.read_text()
        + 'target = "s3://bucket/show"\nendpoint_url = "https://s3.us-west-004.backblazeb2.com"\n'
        + 'jobs = 8\nfeed_max_age = 60\nacl = "public-read"\nmultipart_threshold_mib = 64\n'
    )
    show = load_show(show_dir)
    assert (show.publish.jobs, show.publish.feed_max_age, show.publish.acl) == (8, 60, "public-read")
    target = open_target(show.publish.target, show_dir, show.publish, TargetOptions(jobs=2, region="eu-x"))
    assert isinstance(target, S3Target)
    assert target.settings.jobs == 2 and target.settings.multipart_threshold == 64 * MiB
    assert target.region == "eu-x" and target.description == "s3://bucket/show"
    config.write_text(config.read_text().replace('acl = "public-read"', 'acl = "public"'))
    with pytest.raises(InputError, match=r"publish.acl must be one of private, public-read"):
        load_show(show_dir)


def _client_error(code: str, status: int, **error: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m", **error}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


@pytest.fixture
def target() -> S3Target:
    return S3Target(S3Settings(bucket="shows", prefix="pod", endpoint_url="https://s3.example.org", region="eu"))


@pytest.mark.parametrize(
    ("exc", "needle"),
    [
        (_client_error("AuthorizationHeaderMalformed", 400, Region="eu-west-3"), "region mismatch"),
        (_client_error("PermanentRedirect", 301), "pass the bucket's --region"),
        (_client_error("AccessDenied", 403), "s3:PutObject"),
        (_client_error("InternalError", 500), "server error 500 InternalError"),
        (_client_error("SlowDown", 503), "try again later"),
        (_client_error("NoSuchBucket", 404), "bucket 'shows' does not exist"),
        (_client_error("InvalidAccessKeyId", 403), "rejected the credentials"),
        (NoCredentialsError(), "no S3 credentials found"),
        (EndpointConnectionError(endpoint_url="https://s3.example.org"), "cannot connect to https://s3.example.org"),
    ],
)
def test_errors_are_one_actionable_line(target: S3Target, exc: Exception, needle: str) -> None:
    error = translate(exc, target, "upload", "pod/media/a.mp3")
    assert error is not None
    assert needle in str(error) and "\n" not in str(error)
    assert str(error).startswith("s3://shows/pod:") or str(error).startswith("--profile")


def test_region_hint_names_the_region(target: S3Target) -> None:
    error = translate(_client_error("AuthorizationHeaderMalformed", 400, Region="eu-west-3"), target, "upload", None)
    assert "pass --region eu-west-3" in str(error)


def test_acl_refusal_says_to_drop_acl() -> None:
    target = S3Target(S3Settings(bucket="shows", endpoint_url="https://s3.example.org", acl="public-read"))
    error = translate(_client_error("AccessDenied", 403), target, "upload", "a.mp3")
    assert "drop --acl" in str(error)


def test_a_bug_is_not_disguised_as_a_fault(target: S3Target) -> None:
    assert translate(ValueError("bug"), target, "upload", None) is None
