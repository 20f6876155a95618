"""Refusing private, loopback and link-local addresses for the requests a feed makes podpub send.

`podpub import` and `podpub validate --online` fetch URLs that someone else wrote: the feed, its
enclosures, artwork, transcripts and chapters, and wherever they redirect. On a shared CI runner or a
server, such a URL can point inward — `http://169.254.169.254/` (a cloud's credentials service),
`http://127.0.0.1:8500/`, a router's admin page — and podpub would fetch it for the feed's author
(server-side request forgery). With `--no-private-addresses` (or `PODPUB_NO_PRIVATE_ADDRESSES=1`),
every connection goes through `create_connection` here, which resolves the host once, refuses every
address that is not globally routable, and connects to exactly the address it checked. Checking at
connect time, not the URL's text, is what makes it hold for names that resolve inward (`localhost`,
`127.0.0.1.nip.io`), for DNS rebinding (a name that resolved outward when "checked" and inward when
used) and for every redirect hop, since each hop opens its own connection.

Proxies from the environment are not used while refusing: a proxy would make the connection, and
the address it reaches could not be checked here.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import os
import socket
from typing import Any

ENV = "PODPUB_NO_PRIVATE_ADDRESSES"
_refuse = False


class BlockedAddress(PermissionError):
    """A connection podpub did not make: the host resolves only to private or local addresses."""


def refuse_private(flag: bool) -> None:
    """Set by the CLI for this process (`--no-private-addresses`); the environment variable also counts."""
    global _refuse
    _refuse = flag


def refusing() -> bool:
    return _refuse or os.environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no")


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable unicast: not private, loopback, link-local, shared
    (CGNAT), reserved, multicast or unspecified — also when IPv4 hides inside IPv6 (mapped, 6to4, Teredo)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def create_connection(
    address: tuple[str, int],
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source_address: tuple[str, int] | None = None,
    **kwargs: Any,
) -> socket.socket:
    """`socket.create_connection`, refusing non-public addresses while `refusing()`."""
    if not refusing():
        return socket.create_connection(address, timeout, source_address, **kwargs)
    host, port = address
    blocked: list[str] = []
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        if not is_public(str(sockaddr[0])):
            blocked.append(str(sockaddr[0]))
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the very address just checked: no second lookup to rebind
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    if error is not None:
        raise error
    addresses = list(dict.fromkeys(blocked))
    what = host if addresses == [host] else f"{host} ({', '.join(addresses) or 'no address'})"
    raise BlockedAddress(
        errno.EACCES, f"{what} is a private, loopback or link-local address, refused by --no-private-addresses"
    )


class HTTPConnection(http.client.HTTPConnection):
    """http.client's connection with the address check."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class HTTPSConnection(http.client.HTTPSConnection):
    """http.client's TLS connection with the address check (TLS still verifies the host name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection
