"""Keeping credentials out of the SDK's own logging.

podpub never prints a credential, but botocore's DEBUG logging — which a producer may switch on to
debug a provider (`boto3.set_stream_logger`, a logging config in a wrapper script) — prints every request
it signs: the canonical request and the headers, session token included (`x-amz-security-token:…`), and
CI logs keep that text. `install()` wraps logging's record factory so that every record from botocore,
boto3, s3transfer and urllib3 has session tokens, secret keys and signatures replaced by `[redacted]`
before any handler sees it. Records are only made for enabled levels, so this costs nothing unless the
debug logging is on.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

_SDK_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3")
_PATTERNS = (
    # canonical request `x-amz-security-token:V`, headers repr `'X-Amz-Security-Token': b'V'`, query `...=V`
    re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)([^'\"\s,&}]+)"),
    re.compile(r"(?i)((?:aws_)?secret_access_key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,&}]+)"),
    re.compile(r"(?i)((?:Signature=|x-amz-signature=))([0-9a-f]{16,})"),
)
_SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_installed = False


def redact(text: str) -> str:
    """`text` with session tokens, secret keys and signatures (and the environment's secrets) replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    for name in _SECRET_VARIABLES:
        value = os.environ.get(name, "")
        if len(value) >= 8:
            text = text.replace(value, "[redacted]")
    return text


def install() -> None:
    """Redact every SDK log record from now on, in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name.startswith(_SDK_LOGGERS):
            try:
                message = record.getMessage()
            except Exception:  # a record that cannot be formatted is left for logging to report
                return record
            record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)
