"""Targets podpub publishes to; importing them keeps credentials out of the SDK's logging (see redact)."""

from podpub.storage.redact import install as _keep_credentials_out_of_sdk_logs

_keep_credentials_out_of_sdk_logs()
