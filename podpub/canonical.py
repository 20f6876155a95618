"""One canonical, JSON-compatible form of podpub's frozen dataclasses, for caches and input digests.

podpub's caches (parsed episode files, rendered feed items, web pages, whole builds) must be
invalidated by any change to what they were made from. Hashing the inputs themselves, in one exact
form, is what makes that reliable: `digest(show, item)` changes whenever any field of either
changes, however deep. The same form is how the parsed-episode cache stores an `Episode` on disk:
plain JSON (never pickle, which would run code from a file in the show folder), decoded back into
an object equal to the one that was encoded.

Encoders and decoders are compiled once per class from its type hints, so encoding a 10,000-episode
show costs a function call per field, not a type inspection per value. Supported: `str`, `int`,
`float`, `bool`, `None`, `Path`, `datetime` (aware or naive; ISO 8601, offset kept), `X | None`,
`tuple[X, ...]` and `tuple[X, Y]`, `dict[K, V]` (kept as `[key, value]` pairs, so int keys and order survive), enums of
str, and dataclasses of those. Anything else is refused when the class is compiled.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import stat
import types
import typing
import weakref
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_PLAIN = (str, int, float, bool)
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def encode(value: Any) -> Any:
    """`value` (a dataclass instance, or a tuple/list of them, or a plain value) as JSON-compatible data."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is list or kind is tuple:
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _class_codec(kind)[0](value)
    return _dynamic(value)


def decode(cls: type, data: Any) -> Any:
    """The instance of dataclass `cls` that `encode` turned into `data`."""
    return _class_codec(cls)[1](data)


def dumps(value: Any) -> str:
    """The canonical JSON text of `value`: compact, key order as encoded, non-ASCII kept."""
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"), allow_nan=True)


def digest(*values: Any) -> str:
    """A hex SHA-256 of the values' canonical form (32 characters: collisions are not a concern)."""
    return text_digest(dumps(list(values)))


def replaced(value: Any, **changes: Any) -> Any:
    """`dataclasses.replace` for a plain frozen dataclass (no __post_init__, no slots), as pickle copies:
    a new object with the old one's fields and `changes`. A build replaces thousands of episodes (to
    give them their media facts) and `replace` re-runs the whole __init__ for each."""
    cls = type(value)
    if hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__ or not dataclasses.is_dataclass(cls):
        return dataclasses.replace(value, **changes)
    names = _field_names(cls)
    unknown = set(changes) - names
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    copy = object.__new__(cls)
    copy.__dict__.update(value.__dict__)
    copy.__dict__.update(changes)
    return copy


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls) if f.init)


def plain_digest(*values: Any) -> str:
    """`digest` of values that are already JSON (str, int, float, bool, None and lists of them), without
    walking them first: the website digests the inputs of every one of its pages on every build."""
    return text_digest(json.dumps(list(values), ensure_ascii=False, separators=(",", ":")))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def encoded_digest(encoded: Any) -> str:
    """`digest(value)` from `encode(value)`, for callers that already hold the encoded form."""
    return text_digest(json.dumps([encoded], ensure_ascii=False, separators=(",", ":"), allow_nan=True))


# id(object) -> (weak reference to it, its digest); entries leave with their objects.
_remembered: dict[int, tuple[weakref.ref[Any], str]] = {}


def remember(value: Any, value_digest: str) -> None:
    """Record a digest of this very object, computed by whoever made it from cached data.

    The caches that decode thousands of objects per run (parsed episodes, media facts) already hold
    each object's digest, so `digest_of` need not encode the object again: that encoding was a sixth
    of an unchanged rebuild. Only the identical object matches; a copy (`dataclasses.replace`) is
    encoded as usual. The recorded digest may also be a digest of other digests that determine the
    value (a feed item: its episode's, its media facts', the rest of its fields): what callers rely
    on is that it changes whenever the value does, which both kinds do.
    """
    key = id(value)
    _remembered[key] = (weakref.ref(value, lambda _ref, key=key: _remembered.pop(key, None)), value_digest)


def digest_of(value: Any) -> str:
    """`digest(value)`, from `remember` when this object's digest is known."""
    known = _remembered.get(id(value))
    if known is not None and known[0]() is value:
        return known[1]
    return digest(value)


@functools.cache
def code_version() -> str:
    """podpub's version and the size and modification time of every file of the installed package.

    Part of every cache key: a new release, or an edited template or module in a development checkout,
    makes every cached rendering stale, without anyone having to remember to bump a number. Computed
    once per process (a stat of each of the package's files, about a millisecond).
    """
    from podpub import __version__

    return package_version(Path(__file__).resolve().parent, __version__)


def package_version(package: Path, version: str) -> str:
    """A digest of `version` and the name, size and mtime of every file under `package` (bytecode aside)."""
    stamps = []
    for path in sorted(package.rglob("*")):
        if path.suffix == ".pyc" or "__pycache__" in path.parts or not path.is_file():
            continue
        st = path.stat()
        stamps.append(f"{path.relative_to(package).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return text_digest("\n".join([version, *stamps]))


def file_stamp(path: str | Path) -> list[int] | None:
    """A regular file's device, inode, size and modification time (ns); None if it is not one.

    What podpub's caches compare to know a file is still the one they were made from, for the cost
    of a stat. `os.stat` follows links, so a link pointed elsewhere, or a folder swapped for a link,
    gives another device or inode.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _dynamic(value: Any) -> Any:
    """Encode a value whose type is only known at run time (outside a dataclass field)."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _class_codec(type(value))[0](value)
    if isinstance(value, tuple | list):
        return [_dynamic(v) for v in value]
    if isinstance(value, dict):
        return [[_dynamic(k), _dynamic(v)] for k, v in value.items()]
    raise TypeError(f"no canonical form for {type(value).__name__}")


_compiling: set[type] = set()


@functools.cache
def _class_codec(cls: type) -> tuple[Encoder, Decoder]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    _compiling.add(cls)
    try:
        codecs = [_codec(hints[f.name]) for f in fields]
    finally:
        _compiling.discard(cls)
    # Both are generated as one expression (`cls(guid=d[0], source=_d1(d[1]), ...)`, `[v.guid, ...]`),
    # the way dataclasses generates __init__: feed items and episodes are encoded and decoded by the
    # ten thousand on every build, and a loop of per-field calls cost twice as much.
    namespace: dict[str, Any] = {"cls": cls}
    terms, args = [], []
    for number, (f, (enc, dec)) in enumerate(zip(fields, codecs, strict=True)):
        if enc is _identity:
            terms.append(f"v.{f.name}")
        else:
            namespace[f"_e{number}"] = enc
            terms.append(f"_e{number}(v.{f.name})")
        if dec is _identity:
            args.append(f"{f.name}=d[{number}]")
        else:
            namespace[f"_d{number}"] = dec
            args.append(f"{f.name}=_d{number}(d[{number}])")
    # A plain frozen dataclass is rebuilt the way pickle does (a new object, its __dict__ filled), which
    # costs a fifth of its generated __init__ (one object.__setattr__ per field); anything with
    # __post_init__ or slots goes through __init__.
    direct = not hasattr(cls, "__post_init__") and "__slots__" not in cls.__dict__
    namespace["_new"] = object.__new__
    build = f"o = _new(cls)\n    o.__dict__.update({', '.join(args)})\n    return o" if direct else (
        f"return cls({', '.join(args)})"
    )
    source = (
        f"def encode_instance(v):\n    return [{', '.join(terms)}]\n"
        f"def decode_instance(d):\n"
        f"    if type(d) is not list or len(d) != {len(fields)}:\n"
        f"        raise ValueError('not an encoded {cls.__name__}')\n"
        f"    {build}\n"
    )
    exec(source, namespace)
    return namespace["encode_instance"], namespace["decode_instance"]


def _identity(value: Any) -> Any:
    return value


def _codec(hint: Any) -> tuple[Encoder, Decoder]:
    """Encoder and decoder for one type hint."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) != len(typing.get_args(hint)) - 1 or len(options) != 1:
            raise TypeError(f"only `X | None` unions have a canonical form, not {hint}")
        enc, dec = _codec(options[0])
        if enc is _identity and dec is _identity:  # None is JSON too: `str | None` needs no conversion
            return _identity, _identity
        return (lambda v: None if v is None else enc(v)), (lambda d: None if d is None else dec(d))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            enc, dec = _codec(args[0])
            return (lambda v: [enc(x) for x in v]), (lambda d: tuple(dec(x) for x in d))
        parts = [_codec(arg) for arg in args]  # a fixed shape: tuple[int, int]
        return (
            lambda v: [c[0](x) for c, x in zip(parts, v, strict=True)],
            lambda d: tuple(c[1](x) for c, x in zip(parts, d, strict=True)),
        )
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        kenc, kdec = _codec(key_type)
        venc, vdec = _codec(value_type)
        return (
            lambda v: [[kenc(k), venc(x)] for k, x in v.items()],
            lambda d: {kdec(k): vdec(x) for k, x in d},
        )
    if hint in (str, bool, int):
        return _identity, _identity
    if hint is float:
        return _identity, _identity  # an int stays an int: equal, and encoded the same way again
    if hint is Path:
        return str, Path
    if hint is datetime:
        return (lambda v: v.isoformat()), datetime.fromisoformat
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return (lambda v: v.value), hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if hint in _compiling:  # a class that contains itself: looked up when used
            return (lambda v: _class_codec(hint)[0](v)), (lambda d: _class_codec(hint)[1](d))
        return _class_codec(hint)
    raise TypeError(f"no canonical form for {hint!r}")
