"""One-line, actionable messages for what goes wrong between podpub and an S3 endpoint.

botocore's exceptions are precise but speak HTTP; a producer needs to know which setting to fix.
Every message names the target and ends with what to do.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from podpub.errors import OperationError

if TYPE_CHECKING:
    from podpub.storage.s3 import S3Target

PERMISSIONS = "s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket and s3:ListBucketMultipartUploads"
WRITE_ACTIONS = ("upload", "write", "delete")
# What stores answer when asked to slow down (AWS SlowDown/503, and the codes of other providers and APIs).
THROTTLING = ("SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests")
# A server error that took this long to come is the store's own verdict after its own retries, not a blip.
SLOW_SERVER_ERROR_SECONDS = 20.0
_ATTEMPT_STARTED = "podpub_attempt_started"


def bound_slow_retries(client: Any) -> None:
    """Do not retry a server error (5xx other than 503) that took SLOW_SERVER_ERROR_SECONDS to come,
    and once such an answer refused a write, send no further write of this run.

    Why: a store that cannot write waits before it answers 500 — SeaweedFS waits 30 s for a writable
    volume when one of its storage nodes is down — and botocore's standard retries would ask 4 times,
    holding a publish for minutes per file before the same answer. Quick server errors and throttling
    (503 SlowDown) keep botocore's retries and backoff. The publish fails at the first refusal anyway;
    a write started after it (the next part of a multipart upload, the next file of a worker) would only
    add another 30 s wait, so it fails at once with the same error instead, without being sent.
    """
    guard = _SlowRefusals()
    events = client.meta.events
    events.register("request-created.s3", _note_attempt_start)
    # botocore stops retrying when a `needs-retry` handler answers False; registered first, this one
    # decides before botocore's own handler.
    events.register_first("needs-retry.s3", guard.veto)
    events.register("before-call.s3", guard.refuse_if_refused)


# Requests that store new data; aborting a multipart upload, reads and deletes stay allowed.
_DATA_WRITES = frozenset(
    ("PutObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload", "CopyObject", "UploadPartCopy")
)


def _note_attempt_start(request: Any, **kwargs: Any) -> None:
    # One context dict is shared by every attempt of a call; each attempt creates a new request.
    request.context[_ATTEMPT_STARTED] = time.monotonic()


class _SlowRefusals:
    """One client's memory of a write the store refused slowly (status, code), shared by its threads."""

    def __init__(self) -> None:
        self.refused: tuple[int, str] | None = None

    def veto(self, response: Any = None, request_dict: Any = None, operation: Any = None, **kwargs: Any) -> bool | None:
        if response is None or not request_dict:
            return None  # no HTTP answer (a connection error): botocore decides
        status = getattr(response[0], "status_code", 0)
        started = request_dict.get("context", {}).get(_ATTEMPT_STARTED)
        slow = started is not None and time.monotonic() - started >= SLOW_SERVER_ERROR_SECONDS
        if not (status >= 500 and status != 503 and slow):
            return None
        if getattr(operation, "name", "") in _DATA_WRITES:
            code = str((response[1] or {}).get("Error", {}).get("Code", ""))
            self.refused = (status, code)
        return False

    def refuse_if_refused(self, model: Any = None, **kwargs: Any) -> None:
        if self.refused is None or getattr(model, "name", "") not in _DATA_WRITES:
            return
        from botocore.exceptions import ClientError

        status, code = self.refused
        error = {"Code": code, "Message": "not sent: the store refused an earlier write of this run"}
        raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, model.name)


def translate(exc: Exception, target: S3Target, action: str, key: str | None) -> OperationError | None:
    """The OperationError to show for `exc`, or None for an exception that is a bug, not a fault."""
    import botocore.exceptions as be

    where = target.description
    settings = target.settings
    endpoint = settings.endpoint_url or target.client.meta.endpoint_url
    what = f"{action} s3://{settings.bucket}/{key}" if key else f"{action} s3://{settings.bucket}"
    if isinstance(exc, be.NoCredentialsError | be.PartialCredentialsError):
        return OperationError(
            f"{where}: no S3 credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile, "
            "or log in with `aws sso login` (podpub reads only boto3's credential chain)"
        )
    if isinstance(exc, be.ProfileNotFound):
        return OperationError(f"--profile {settings.profile}: no such profile in ~/.aws/config")
    if isinstance(exc, be.EndpointConnectionError | be.ConnectTimeoutError | be.ConnectionClosedError):
        return OperationError(
            f"{where}: cannot connect to {endpoint} ({type(exc).__name__}: refused, unreachable or DNS failure); "
            "check --endpoint-url and your network"
        )
    if isinstance(exc, be.ReadTimeoutError):
        return OperationError(f"{where}: {endpoint} stopped answering while trying to {what}; try again later")
    if isinstance(exc, be.SSLError):
        return OperationError(
            f"{where}: TLS error talking to {endpoint} ({exc}); check the endpoint URL and certificates"
        )
    if isinstance(exc, be.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return OperationError(
                f"{where}: bucket {settings.bucket!r} does not exist at {endpoint}; create it, or check the bucket "
                "name and --endpoint-url"
            )
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"):
            return OperationError(
                f"{where}: the endpoint rejected the credentials ({code}); check the access key and secret "
                "(or --profile), and that they belong to this provider"
            )
        if code in ("AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException") or (
            status == 301
        ):
            region = error.get("Region") or exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(
                "x-amz-bucket-region"
            )
            hint = f"pass --region {region}" if region else "pass the bucket's --region"
            return OperationError(f"{where}: region mismatch ({code or status}); {hint}")
        if code in ("AccessDenied", "AllAccessDisabled") or status == 403:
            return OperationError(
                f"{where}: access denied to {what} ({code or status}); the credentials need {PERMISSIONS}"
                + ("; the bucket may not allow ACLs, drop --acl" if settings.acl else "")
            )
        if code == "AccessControlListNotSupported":
            return OperationError(f"{where}: the bucket does not allow ACLs; drop --acl and use a bucket policy")
        if code in THROTTLING or status == 429:
            return OperationError(
                f"{where}: the store kept throttling requests ({status} {code} while trying to {what}), still after "
                "retries; try again later, or publish with fewer --jobs"
            )
        if isinstance(status, int) and status >= 500 and action in WRITE_ACTIONS:
            return OperationError(
                f"{where}: the store refused writes (server error {status} {code} while trying to {what}); "
                "one of its storage nodes may be down or it may be read-only: try again once it is back"
            )
        if isinstance(status, int) and status >= 500:
            return OperationError(
                f"{where}: server error {status} {code} while trying to {what}, after retries; try again later"
            )
        return OperationError(f"{where}: could not {what}: {code or status} {error.get('Message', '')}".rstrip())
    if isinstance(exc, be.BotoCoreError):
        return OperationError(f"{where}: could not {what}: {exc}")
    from s3transfer.exceptions import S3UploadFailedError

    if isinstance(exc, S3UploadFailedError):
        return OperationError(f"{where}: upload failed for {what}: {exc}")
    return None
