"""Reading the small files a producer names (notes, chapters, transcripts, artwork, a saved feed) safely.

`Path.read_bytes()` trusts the path: given `/dev/zero` it fills the memory, given a named pipe it waits
forever for a writer. A producer can name either by mistake (a typo in a shell glob, a path copied from
a guide) and a shared show folder can hold one, so every such read goes through `read_regular`: the file
is opened without blocking, must be a regular file (checked on the open descriptor, so a file swapped
for a pipe between a check and the open is caught too) and is read up to a limit.

Errors are `OSError`s with a readable `strerror`, so callers keep their own one-line messages
(`file not found`, `is a folder`, `cannot read the file (...)`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

#: The most podpub reads of a notes, chapters or transcript file, a picture or a saved feed. A 3-hour
#: word-timed JSON transcript is ~15 MB; the biggest real feeds ~30 MB.
MAX_INPUT_BYTES = 64 << 20


class NotRegularFile(OSError):
    """A device, a pipe or a socket where a file was expected."""


class TooLarge(OSError):
    """A file over the limit of what podpub reads into memory."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, refused unless it is a regular file (never blocks on a pipe)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file but a device, a pipe or a socket", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them (TooLarge beyond)."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, f"larger than {limit >> 20} MiB, more than podpub reads", str(path))
    return data


def read_regular_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """`read_regular` decoded as UTF-8 (UnicodeDecodeError as `Path.read_text` raises it)."""
    return read_regular(path, limit).decode("utf-8")


def utf8_error_line(error: UnicodeDecodeError) -> int:
    """The line (from 1) holding the first byte that is not UTF-8: where the producer's editor must look."""
    data = error.object
    return (bytes(data).count(b"\n", 0, error.start) if isinstance(data, bytes | bytearray) else 0) + 1
