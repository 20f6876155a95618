"""S3-compatible object storage as a target: AWS S3, R2, B2, Spaces, Wasabi, MinIO, SeaweedFS ...

The client is configured for what works on every provider (shared/docs/s3-storage.md): SigV4, no
default CRC32 checksums or aws-chunked trailers (`when_required`; R2, B2, Wasabi and SeaweedFS
break on them), bounded standard retries and timeouts, the classic transfer manager (the CRT one
ignores custom endpoints), multipart above a threshold with equal-size parts (R2) and at most 1,000
parts (Scaleway). Every object gets an explicit Content-Type, Cache-Control and its sha256 in
metadata; no ACL unless asked. Credentials only ever come from boto3's own chain.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podpub.errors import InputError, OperationError, SourceChangedError
from podpub.fsutil import sha256_file
from podpub.storage.base import Progress, Target, Upload

MiB = 1024 * 1024
MAX_PARTS = 1000  # the lowest provider limit (Scaleway); AWS and R2 allow 10,000
ADDRESSING_STYLES = ("path", "virtual")
ACLS = ("private", "public-read")


@dataclass(frozen=True)
class S3Settings:
    """Where and how to reach the bucket; from `--to s3://BUCKET/PREFIX`, options and `[publish]`."""

    bucket: str
    prefix: str = ""  # no leading or trailing slash
    endpoint_url: str | None = None  # None: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL from the env
    region: str | None = None
    profile: str | None = None
    addressing_style: str = "path"
    acl: str | None = None
    jobs: int = 4
    multipart_threshold: int = 32 * MiB
    multipart_chunksize: int = 16 * MiB

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,61}[a-z0-9]$")


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` → ("bucket", "some/prefix")."""
    rest = url[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.match(bucket):
        raise InputError(
            f"target {url!r}: {bucket!r} is not a valid bucket name (3-63 lowercase letters, digits, - . _)"
        )
    prefix = prefix.strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise InputError(f"target {url!r}: the prefix must not contain empty, '.' or '..' parts")
    return bucket, prefix


def region_for_endpoint(endpoint_url: str | None) -> str | None:
    """The region a provider expects, read from its endpoint host, when the producer gave none."""
    if not endpoint_url:
        return None
    host = re.sub(r"^[a-z]+://", "", endpoint_url).split("/")[0].split(":")[0].lower()
    if host.endswith(".r2.cloudflarestorage.com"):
        return "auto"
    patterns = (
        r"^s3\.([a-z0-9-]+)\.backblazeb2\.com$",
        r"^s3\.([a-z0-9-]+)\.wasabisys\.com$",
        r"^([a-z0-9-]+)\.digitaloceanspaces\.com$",
        r"^s3\.([a-z0-9-]+)\.scw\.cloud$",
        r"^([a-z0-9-]+)\.your-objectstorage\.com$",
        r"^s3[.-]([a-z0-9-]+)\.amazonaws\.com$",
    )
    for pattern in patterns:
        if match := re.match(pattern, host):
            return match.group(1)
    return None


def retry_settings() -> dict[str, Any]:
    """botocore's standard retries, 4 attempts; AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (botocore's own
    variables, which an explicit Config would otherwise override) change them, e.g. for CI."""
    mode = os.environ.get("AWS_RETRY_MODE", "").strip() or "standard"
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "").strip() or "4"
    if mode not in ("standard", "adaptive", "legacy"):
        raise InputError(f"AWS_RETRY_MODE={mode!r}: use standard, adaptive or legacy")
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"AWS_MAX_ATTEMPTS={raw!r}: a whole number of attempts, at least 1")
    return {"mode": mode, "total_max_attempts": int(raw)}


def read_timeout() -> float:
    """Seconds to wait for an answer: 60, or PODPUB_S3_READ_TIMEOUT (a slow link, or a test's stalled store)."""
    raw = os.environ.get("PODPUB_S3_READ_TIMEOUT", "").strip()
    if not raw:
        return 60.0
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise InputError(f"PODPUB_S3_READ_TIMEOUT={raw!r}: a positive number of seconds")
    return value


class _SourceCheck:
    """Proof that the bytes uploaded are the bytes podpub hashed when it built the site.

    The file is hashed while it is sent; its identity and timestamps before and after tell whether it
    was rewritten in between (any write changes mtime and ctime). Build hard-links the audio into
    `public/`, so re-exporting the audio in place during a publish changes the upload's source.
    """

    def __init__(self, upload: Upload, where: str) -> None:
        self.upload = upload
        self.where = where
        self._done = threading.Event()
        self._ok = False
        try:
            self._before: tuple[int, ...] | None = _identity(upload.source)
        except OSError:
            self._before = None

    def run(self) -> bool:
        """Hash the file (in the caller's thread); False when it is not what was built."""
        try:
            self._ok = self._before is not None and self._before[1] == self.upload.size
            if self._ok:
                self._ok = sha256_file(self.upload.source) == self.upload.sha256
        except OSError:
            self._ok = False
        finally:
            self._done.set()
        return self._ok

    def wait(self) -> None:
        self._done.wait()

    def confirm(self, *, written: bool) -> None:
        try:
            same = self._ok and _identity(self.upload.source) == self._before
        except OSError:
            same = False
        if not same:
            raise SourceChangedError(self.upload.key, self.where, written=written)


def _identity(path: Path) -> tuple[int, ...]:
    info = os.stat(path)
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_dev)


def part_size(size: int, minimum: int) -> int:
    """Equal parts (R2 requires it) of at least `minimum`, and few enough for 1,000-part providers."""
    return max(minimum, math.ceil(size / MAX_PARTS / MiB) * MiB)


class S3Target(Target):
    """A bucket (and prefix) on any S3-compatible store."""

    def __init__(self, settings: S3Settings) -> None:
        import boto3
        import botocore.exceptions
        from botocore.config import Config

        self.settings = settings
        self.description = settings.url
        try:
            session = boto3.session.Session(profile_name=settings.profile or None)
        except botocore.exceptions.ProfileNotFound:
            raise InputError(f"--profile {settings.profile}: no such profile in the AWS config files") from None
        region = settings.region or region_for_endpoint(settings.endpoint_url) or session.region_name or "us-east-1"
        pool = max(10, settings.jobs * 4)
        config = Config(
            signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": settings.addressing_style},
            retries=retry_settings(),
            connect_timeout=10,
            read_timeout=read_timeout(),
            max_pool_connections=pool,
            user_agent_extra="podpub",
        )
        self.session = session
        self.client: Any = session.client("s3", endpoint_url=settings.endpoint_url, region_name=region, config=config)
        self.region = region
        self._managers: dict[int, Any] = {}
        self._inflight: set[Any] = set()
        self._lock = threading.Lock()
        self._sources: dict[str, _SourceCheck] = {}  # full key -> the check its upload must pass
        self.check_before_put = settings.multipart_threshold
        for operation in ("PutObject", "CompleteMultipartUpload"):
            self.client.meta.events.register(f"before-parameter-build.s3.{operation}", self._gate)
        from podpub.storage.s3errors import bound_slow_retries

        bound_slow_retries(self.client)  # a store refusing writes answers slowly: do not ask it 4 times

    # --- keys and errors ----------------------------------------------------------------------

    def _key(self, key: str) -> str:
        return f"{self.settings.prefix}/{key}" if self.settings.prefix else key

    @contextlib.contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        from podpub.storage.s3errors import translate

        try:
            yield
        except OperationError:
            raise
        except Exception as exc:
            translated = translate(exc, self, action, self._key(key) if key else None)
            if translated is None:
                raise
            raise translated from None

    # --- small objects ------------------------------------------------------------------------

    def get_bytes(self, key: str) -> bytes | None:
        with self._errors("read", key):
            try:
                response = self.client.get_object(Bucket=self.settings.bucket, Key=self._key(key))
            except self.client.exceptions.NoSuchKey:
                return None
            return response["Body"].read()

    def put_bytes(
        self, key: str, data: bytes, content_type: str, cache_control: str, *, create_only: bool = False
    ) -> bool:
        import hashlib

        from botocore.exceptions import ClientError

        args: dict[str, Any] = {
            "Bucket": self.settings.bucket,
            "Key": self._key(key),
            "Body": data,
            "ContentType": content_type,
            "CacheControl": cache_control,
            "Metadata": {"sha256": hashlib.sha256(data).hexdigest()},
        }
        if create_only:
            args["IfNoneMatch"] = "*"
        with self._errors("write", key):
            try:
                self.client.put_object(**args)
            except ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                code = exc.response.get("Error", {}).get("Code")
                lost_race = status in (409, 412) or code in ("PreconditionFailed", "ConditionalRequestConflict")
                if create_only and lost_race:
                    return False
                raise
        return True

    # --- files --------------------------------------------------------------------------------

    def _manager(self, chunksize: int) -> Any:
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        with self._lock:
            if chunksize not in self._managers:
                config = TransferConfig(
                    multipart_threshold=self.settings.multipart_threshold,
                    multipart_chunksize=chunksize,
                    max_concurrency=max(2, self.settings.jobs),
                    preferred_transfer_client="classic",
                )
                self._managers[chunksize] = create_transfer_manager(self.client, config)
            return self._managers[chunksize]

    def put(self, upload: Upload, progress: Progress | None = None) -> None:
        from s3transfer.subscribers import BaseSubscriber

        class _Progress(BaseSubscriber):
            def on_progress(self, future: Any, bytes_transferred: int, **kwargs: Any) -> None:
                if progress:
                    progress(bytes_transferred)

        extra: dict[str, Any] = {
            "ContentType": upload.content_type,
            "CacheControl": upload.cache_control,
            "Metadata": {"sha256": upload.sha256},
        }
        if self.settings.acl:
            extra["ACL"] = self.settings.acl
        manager = self._manager(part_size(upload.size, self.settings.multipart_chunksize))
        key = self._key(upload.key)
        check = _SourceCheck(upload, self.description)
        with self._lock:
            self._sources[key] = check
        try:
            with self._errors("upload", upload.key):
                future = manager.upload(
                    str(upload.source), self.settings.bucket, key, extra_args=extra, subscribers=[_Progress()]
                )
                with self._lock:
                    self._inflight.add(future)
                try:
                    # This thread would only wait: it hashes the file while s3transfer sends it, and the
                    # gate (_gate) holds the object's final request until the hash is known.
                    if not check.run():
                        future.cancel()  # the gate refuses it anyway; stop sending parts now
                        with contextlib.suppress(Exception):
                            future.result()
                        raise SourceChangedError(upload.key, self.description)
                    future.result()
                finally:
                    with self._lock:
                        self._inflight.discard(future)
        finally:
            with self._lock:
                self._sources.pop(key, None)
        check.confirm(written=True)  # changed while a single PUT was sending it: the caller removes it

    def _gate(self, params: dict[str, Any], **kwargs: Any) -> None:
        """Before the request that makes an object visible (PutObject, CompleteMultipartUpload): refuse
        it unless the file still has the sha256 podpub built the site with. Raising here sends
        nothing; s3transfer then aborts the multipart upload."""
        with self._lock:
            check = self._sources.get(params.get("Key", ""))
        if check is not None:
            check.wait()
            check.confirm(written=False)

    def cancel(self) -> None:
        """Cancel transfers in flight; s3transfer then aborts their multipart uploads."""
        with self._lock:
            futures = list(self._inflight)
        for future in futures:
            with contextlib.suppress(Exception):
                future.cancel()

    def verify(self, upload: Upload) -> bool:
        """HEAD: the size and our sha256 metadata must match (a store that mangled the body fails)."""
        from botocore.exceptions import ClientError

        with self._errors("check", upload.key):
            try:
                head = self.client.head_object(Bucket=self.settings.bucket, Key=self._key(upload.key))
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return False
                raise
        return head.get("ContentLength") == upload.size and head.get("Metadata", {}).get("sha256") == upload.sha256

    def sizes(self, keys: Iterable[str]) -> dict[str, int]:
        """One LIST pass (1 request per 1,000 objects) instead of a HEAD per file."""
        wanted = set(keys)
        if not wanted:
            return {}
        prefix = f"{self.settings.prefix}/" if self.settings.prefix else ""
        found: dict[str, int] = {}
        with self._errors("list"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix):
                for item in page.get("Contents", ()):
                    key = item["Key"][len(prefix) :]
                    if key in wanted:
                        found[key] = int(item["Size"])
        return found

    def delete(self, key: str) -> None:
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.settings.bucket, Key=self._key(key))

    def prepare(self, uploads: Iterable[Upload]) -> None:
        """Abort multipart uploads an interrupted run left for the files about to be uploaded.

        Only files big enough to go in parts can have one (keys carry a content hash, so a smaller
        file never had a multipart upload under its key): a publish of small files costs no LIST.
        Uploads of other tools in the same bucket are never touched.
        """
        wanted = {self._key(u.key) for u in uploads if u.size >= self.settings.multipart_threshold}
        if not wanted:
            return
        prefix = f"{self.settings.prefix}/" if self.settings.prefix else ""
        with self._errors("list multipart uploads of"):
            paginator = self.client.get_paginator("list_multipart_uploads")
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=prefix):
                for upload in page.get("Uploads", ()):
                    if upload["Key"] in wanted:
                        self.client.abort_multipart_upload(
                            Bucket=self.settings.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )

    def preflight(self) -> list[Any]:
        """Doctor's first checks: credentials found, and the bucket reachable with them."""
        from podpub.storage.doctor import FAIL, OK, Check

        credentials = self.session.get_credentials()
        if credentials is None:
            return [
                Check(
                    "credentials",
                    FAIL,
                    "no credentials in boto3's chain",
                    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or `aws sso login`",
                )
            ]
        checks = [Check("credentials", OK, f"found ({credentials.method})")]
        try:
            with self._errors("reach"):
                self.client.head_bucket(Bucket=self.settings.bucket)
        except OperationError as exc:
            checks.append(Check("bucket", FAIL, str(exc), "fix the bucket name, --endpoint-url or --region"))
        else:
            where = self.settings.endpoint_url or self.client.meta.endpoint_url
            checks.append(Check("bucket", OK, f"{self.settings.bucket} reachable at {where} (region {self.region})"))
        return checks

    def close(self) -> None:
        for manager in self._managers.values():
            with contextlib.suppress(Exception):
                manager.shutdown()
        self._managers.clear()
