"""The SSRF guard: refuse URLs whose host is, or resolves to, a non-public address.

A page we clean can redirect anywhere, and a list of URLs can come from anyone, so every
hop is checked before we connect: loopback, private, link-local, shared (CGNAT),
reserved, multicast and unspecified addresses are refused, for IPv4 and IPv6, including
IPv4 hidden in IPv6 (mapped, 6to4, Teredo, NAT64) and the numeric spellings the C
resolver accepts (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`).

Names are resolved and *every* address is checked. `GuardedAdapter` does the same check
again at connect time and connects to the address it checked, so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot slip through.

    guard = AddressGuard()                      # public addresses only
    guard = AddressGuard(allow_hosts={"127.0.0.1"})   # plus this one host
    guard = AddressGuard(allow_private=True)    # anything (tests, an intranet)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from sanitizer.errors import BlockedAddress, DNSError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
ALLOW_HINT = "use --allow-private (allow_private=True) if you really mean to fetch it"


def parse_address(host: str) -> IPAddress | None:
    """The IP address `host` spells, or None for a name.

    IPv6 may be bracketed and carry a zone (`fe80::1%eth0`). IPv4 is read the way the C
    resolver reads it (inet_aton), so `2130706433` and `0177.0.0.1` are 127.0.0.1.
    """
    bare = host.strip("[]").split("%", 1)[0].rstrip(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not bare or not all(c in "0123456789abcdefABCDEFxX." for c in bare):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def blocked_reason(address: IPAddress) -> str | None:
    """Why we refuse to connect to `address` ("loopback", "private", ...), or None."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = blocked_reason(inner)
        return f"{reason} (IPv4 {inner} inside IPv6)" if reason else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("shared (carrier-grade NAT)", address in SHARED),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses we may connect to.

    Attributes:
        allow_private: allow every address (the guard only checks nothing).
        allow_hosts: host names or literal addresses (as written in URLs, lower case)
            allowed whatever they resolve to; every other host must be public.
    """

    allow_private: bool = False
    allow_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def create(
        cls, *, allow_private: bool = False, allow_hosts: Iterable[str] = ()
    ) -> AddressGuard:
        """A guard with normalised host names."""
        hosts = frozenset(h.strip("[]").rstrip(".").lower() for h in allow_hosts)
        return cls(allow_private=allow_private, allow_hosts=hosts)

    def allows_any(self, host: str) -> bool:
        """True when `host` is exempt from the check."""
        return self.allow_private or host.strip("[]").rstrip(".").lower() in self.allow_hosts

    def check_url(self, url: str, *, origin: str | None = None) -> list[str]:
        """Check the host of an absolute http(s) `url` (see `check_host`)."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        return self.check_host(parts.hostname or "", port, url=url, origin=origin)

    def check_host(self, host: str, port: int, *, url: str, origin: str | None = None) -> list[str]:
        """Resolve `host` and return its addresses, refusing any non-public one.

        A literal address is checked without any DNS query. Raises BlockedAddress or
        DNSError naming `url` (the hop) with `.url` set to `origin` (the URL asked for,
        default `url`); returns the addresses to connect to, in resolver order.
        """
        origin = origin or url
        literal = parse_address(host)
        if self.allows_any(host):
            return [str(literal)] if literal is not None else _resolve(host, port, url, origin)
        if literal is not None:
            self._refuse_if_blocked(literal, host, url, origin)
            return [str(literal)]
        addresses = _resolve(host, port, url, origin)
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            self._refuse_if_blocked(address, host, url, origin)
        return addresses

    @staticmethod
    def _refuse_if_blocked(address: IPAddress, host: str, url: str, origin: str) -> None:
        """Raise BlockedAddress when `address` is not one we may connect to."""
        reason = blocked_reason(address)
        if reason is None:
            return
        shown = host.strip("[]")
        via = "" if parse_address(host) == address else f" resolves to {address}, which"
        hop = "" if url == origin else f" (redirected from {origin})"
        raise BlockedAddress(
            f"refused to fetch {url}{hop}: {shown}{via} is a {reason} address; {ALLOW_HINT}",
            url=origin,
            address=str(address),
        )


def _resolve(host: str, port: int, url: str, origin: str) -> list[str]:
    """Every address `host` resolves to (TCP), as strings; DNSError when it doesn't."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise DNSError(f"could not resolve the host name {host!r} in {url}; check the "
                       "spelling and your network", url=origin) from err
    addresses: list[str] = []
    for *_, sockaddr in infos:
        text = str(sockaddr[0])
        if text not in addresses:
            addresses.append(text)
    return addresses


# connect-time enforcement --------------------------------------------------------------


class _GuardedConnectionMixin:
    """Resolve and check at connect time, then connect to a checked address only."""

    guard: AddressGuard
    _dns_host: str
    host: str
    port: int
    scheme: str

    def _new_conn(self) -> socket.socket:
        url = f"{self.scheme}://{self.host}:{self.port}/"
        try:
            addresses = self.guard.check_host(self._dns_host, self.port, url=url)
        except DNSError as err:
            cause = err.__cause__ if isinstance(err.__cause__, socket.gaierror) else None
            conn: Any = self
            raise NameResolutionError(self.host, conn, cause or socket.gaierror(str(err))) from err
        original = self._dns_host
        error: Exception | None = None
        for address in addresses:
            self._dns_host = address  # the socket goes to the checked address; TLS keeps the name
            try:
                return super()._new_conn()  # type: ignore[misc, no-any-return]
            except OSError as err:  # NewConnectionError, ConnectTimeoutError: try the next
                error = err
            finally:
                self._dns_host = original
        assert error is not None
        raise error


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    """An HTTP connection that only connects to addresses its guard allows."""

    scheme = "http"


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    """An HTTPS connection that only connects to addresses its guard allows."""

    scheme = "https"


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose direct connections go through `guard`.

    Connections through a proxy are left to the proxy (the pre-connection check in
    `Fetcher` still applies to every URL and hop).
    """

    def __init__(self, guard: AddressGuard, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        guard = self.guard
        http_conn = type("HTTPConnection", (GuardedHTTPConnection,), {"guard": guard})
        https_conn = type("HTTPSConnection", (GuardedHTTPSConnection,), {"guard": guard})
        http_pool = type("HTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("HTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())  # type: ignore[call-overload]
        state["guard"] = self.guard
        return state
