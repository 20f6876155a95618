"""Choosing a target from `--to` or `[publish] target`, with the S3 settings of both."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from podpub.errors import InputError
from podpub.podcasts.model import PublishSettings
from podpub.storage.base import Target
from podpub.storage.local import local_target_from

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True)
class TargetOptions:
    """Command-line overrides of `[publish]`; None keeps the file's value."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: str | None = None
    acl: str | None = None
    jobs: int | None = None


def effective_settings(publish: PublishSettings, options: TargetOptions) -> PublishSettings:
    changes = {k: v for k, v in vars(options).items() if v is not None}
    return replace(publish, **changes)


def open_target(spec: str | None, show_root: Path, publish: PublishSettings, options: TargetOptions) -> Target:
    if not spec:
        raise InputError(
            "no publish target; pass --to DIR, file:///path or s3://BUCKET/PREFIX, "
            "or set target in [publish] of podcast.toml"
        )
    match = _SCHEME.match(spec)
    scheme = match.group(1).lower() if match else "file"
    if scheme == "file":
        return local_target_from(spec, show_root)
    if scheme == "s3":
        from podpub.storage.s3 import MiB, S3Settings, S3Target, parse_s3_url

        bucket, prefix = parse_s3_url(spec)
        settings = effective_settings(publish, options)
        return S3Target(
            S3Settings(
                bucket=bucket,
                prefix=prefix,
                endpoint_url=settings.endpoint_url,
                region=settings.region,
                profile=settings.profile,
                addressing_style=settings.addressing_style,
                acl=settings.acl,
                jobs=settings.jobs,
                multipart_threshold=settings.multipart_threshold_mib * MiB,
                multipart_chunksize=settings.multipart_chunk_mib * MiB,
            )
        )
    raise InputError(
        f"target {spec!r}: unsupported scheme {scheme!r}; use a folder path, a file:// URL or s3://BUCKET/PREFIX"
    )
