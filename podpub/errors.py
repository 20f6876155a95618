"""The errors podpub shows to a producer.

Every failure a producer can cause or fix is raised as a `PodpubError` whose message is one line that
names the file or field and says what to do; the CLI prints it without a traceback. The exit code
follows the CLI convention: 2 for bad input, 1 for an operation that failed.
"""

from __future__ import annotations


class PodpubError(Exception):
    """A failure with a one-line, actionable message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(PodpubError):
    """Bad input from the producer: a file, a field or an option. Exit code 2."""

    exit_code = 2


class MediaError(InputError):
    """An audio or video file that cannot be used as an episode."""


class ConfigError(InputError):
    """A malformed or invalid `podcast.toml` or episode front matter."""


class OperationError(PodpubError):
    """An operation that failed (a copy, an upload, a validation). Exit code 1."""

    exit_code = 1


class ConflictError(OperationError):
    """Another publisher changed the target in a way this run must not overwrite. Exit code 1."""


class SourceChangedError(OperationError):
    """A file changed on disk while podpub was copying or uploading it: its bytes are no longer those
    podpub hashed, so publishing them would put wrong bytes under a content-addressed name. Exit code 1.

    `written` says whether the store may already hold the changed bytes (the caller then removes them).
    """

    def __init__(self, name: str, where: str, *, written: bool = False) -> None:
        super().__init__(
            f"{name} changed on disk while podpub was publishing it to {where} (its sha256 is no longer the one "
            "podpub read when it built the site), so it was not published; wait until the file is final"
        )
        self.written = written


def one_line(exc: BaseException, *, traceback_too: bool = False) -> str:
    """What to tell the producer about `exc`: podpub's own message, or for a bug, one line asking for a
    report (the traceback goes to stderr only when asked for: --verbose)."""
    if isinstance(exc, PodpubError):
        return exc.message
    if traceback_too:
        import traceback

        traceback.print_exception(exc)
    return f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose and report it)"
