"""Which addresses and ports a fetch may reach (server-side request forgery guard). Standard library only.

`classify` names the kind of non-public address an IP is (or None for a public one); `AddressPolicy`
adds the allowlist of private hosts and ports from the config; `Blocked` is the refusal, worded for
the moderator who typed the link.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from corpus.errors import FetchRefused

IP = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

# Kinds of address, and how each reads after "that address is ...".
LOOPBACK, PRIVATE, SHARED, LINK_LOCAL = "loopback", "private", "shared", "link-local"
MULTICAST, UNSPECIFIED, BROADCAST, RESERVED = "multicast", "unspecified", "broadcast", "reserved"
DESCRIPTIONS = {
    LOOPBACK: "this machine (loopback)",
    PRIVATE: "on a private network",
    SHARED: "on a provider's private network (carrier-grade NAT)",
    LINK_LOCAL: "link-local (local links and cloud metadata)",
    MULTICAST: "a multicast address",
    UNSPECIFIED: "unspecified (0.0.0.0 or ::)",
    BROADCAST: "the broadcast address",
    RESERVED: "reserved, not on the public internet",
}
# These are never a web server, so the allowlist does not open them.
NEVER_ALLOWED = frozenset({MULTICAST, UNSPECIFIED, BROADCAST})

_V4_BLOCKS: tuple[tuple[IPv4Network, str], ...] = tuple((IPv4Network(n), kind) for n, kind in (
    ("0.0.0.0/8", UNSPECIFIED),        # "this network"; 0.0.0.0 reaches this machine on Linux
    ("10.0.0.0/8", PRIVATE),
    ("100.64.0.0/10", SHARED),
    ("127.0.0.0/8", LOOPBACK),
    ("169.254.0.0/16", LINK_LOCAL),    # includes the cloud metadata service 169.254.169.254
    ("172.16.0.0/12", PRIVATE),
    ("192.0.0.0/24", RESERVED),        # IETF protocol assignments
    ("192.0.2.0/24", RESERVED),        # documentation
    ("192.88.99.0/24", RESERVED),      # 6to4 relay anycast (deprecated)
    ("192.168.0.0/16", PRIVATE),
    ("198.18.0.0/15", RESERVED),       # benchmarking
    ("198.51.100.0/24", RESERVED),     # documentation
    ("203.0.113.0/24", RESERVED),      # documentation
    ("224.0.0.0/4", MULTICAST),
    ("255.255.255.255/32", BROADCAST),
    ("240.0.0.0/4", RESERVED),
))
_V6_BLOCKS: tuple[tuple[IPv6Network, str], ...] = tuple((IPv6Network(n), kind) for n, kind in (
    ("::/128", UNSPECIFIED),
    ("::1/128", LOOPBACK),
    ("64:ff9b:1::/48", PRIVATE),       # local-use NAT64
    ("fc00::/7", PRIVATE),             # unique local
    ("fec0::/10", PRIVATE),            # site-local (deprecated)
    ("fe80::/10", LINK_LOCAL),
    ("ff00::/8", MULTICAST),
    ("2001::/23", RESERVED),           # IETF protocol assignments, incl. Teredo 2001::/32
    ("2001:db8::/32", RESERVED),       # documentation
    ("3fff::/20", RESERVED),           # documentation
))
_V6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_V6_MAPPED = IPv6Network("::ffff:0:0/96")
_V6_NAT64 = IPv6Network("64:ff9b::/96")
_V6_6TO4 = IPv6Network("2002::/16")


def parse_ip(text: str) -> IP:
    """An address as `getaddrinfo` or a URL gives it (brackets, `%25` and zone ids allowed)."""
    text = text.strip().strip("[]").replace("%25", "%").split("%", 1)[0]
    return ipaddress.ip_address(text)


def embedded_v4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4."""
    if ip in _V6_MAPPED:
        return ip.ipv4_mapped
    if ip in _V6_NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _V6_6TO4:
        return ip.sixtofour
    return None


def classify(address: str | IP) -> str | None:
    """The kind of non-public address this is (LOOPBACK, PRIVATE, ...), or None for a public one."""
    ip = parse_ip(address) if isinstance(address, str) else address
    if isinstance(ip, IPv6Address):
        inner = embedded_v4(ip)
        if inner is not None:
            return classify(inner)
        for network, kind in _V6_BLOCKS:
            if ip in network:
                return kind
        if ip not in _V6_GLOBAL_UNICAST:
            return RESERVED  # everything else outside 2000::/3, incl. IPv4-compatible ::a.b.c.d
        return None if ip.is_global else RESERVED
    for network, kind in _V4_BLOCKS:
        if ip in network:
            return kind
    return None if ip.is_global else RESERVED


_HEXISH = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


def literal_address(host: str) -> IP | None:
    """The address a URL's host spells literally, including the legacy IPv4 forms that
    `inet_aton` (and so `getaddrinfo`) accepts: 2130706433, 0x7f.1, 017700000001, 127.1."""
    try:
        return parse_ip(host)
    except ValueError:
        pass
    bare = host.rstrip(".")
    if bare and _HEXISH.fullmatch(bare) and any(c.isdigit() for c in bare):
        try:
            return IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


def _normal_name(host: str) -> str:
    return host.strip().lower().rstrip(".")


def parse_allowlist(entries: Iterable[str]) -> tuple[frozenset[str], tuple[Network, ...]]:
    """Split allowlist entries into host names and networks (an IP is a one-address network).

    Raises:
        ValueError: an entry is neither a host name, an IP address nor a CIDR network, or a network
            so wide it would switch the protection off.
    """
    names: set[str] = set()
    networks: list[Network] = []
    for raw in entries:
        entry = str(raw).strip()
        if not entry:
            raise ValueError("an empty entry")
        if "/" in entry:
            try:
                network = ipaddress.ip_network(entry.strip("[]"), strict=False)
            except ValueError as e:
                raise ValueError(f"{entry!r} is not a network like 10.0.0.0/24") from e
            if network.prefixlen < (8 if network.version == 4 else 7):
                raise ValueError(f"{entry!r} is too wide: it would switch the protection off")
            networks.append(network)
            continue
        ip = literal_address(entry)
        if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip is not None:
            networks.append(ipaddress.ip_network(ip))
            continue
        name = _normal_name(entry)
        if not _HOSTNAME.fullmatch(name):
            raise ValueError(f"{entry!r} is not a host name, an IP address or a network like 10.0.0.0/24")
        names.add(name)
    return frozenset(names), tuple(networks)


@dataclass(frozen=True)
class AddressPolicy:
    """What a fetch may connect to: public addresses on allowed ports, plus the allowlisted private hosts."""

    allowed_ports: frozenset[int] = frozenset({80, 443})
    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = field(default=())

    @classmethod
    def build(cls, allowed_private_hosts: Iterable[str] = (),
              allowed_ports: Iterable[int] = (80, 443)) -> AddressPolicy:
        """Raises ValueError for a malformed allowlist entry or port."""
        ports = frozenset(int(p) for p in allowed_ports)
        bad = sorted(p for p in ports if not 1 <= p <= 65535)
        if bad:
            raise ValueError(f"not a port: {bad[0]}")
        names, networks = parse_allowlist(allowed_private_hosts)
        return cls(ports, names, networks)

    def name_allowed(self, host: str) -> bool:
        """The host name itself is on the allowlist (its addresses may then be private)."""
        return _normal_name(host) in self.names

    def refusal(self, ip: IP, host: str | None = None) -> str | None:
        """Why connecting to `ip` (for the URL host `host`) is refused: a kind from DESCRIPTIONS, or None."""
        kind = classify(ip)
        if kind is None or kind in NEVER_ALLOWED:
            return kind
        if host is not None and self.name_allowed(host):
            return None
        candidates = [ip]
        if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        if any(c.version == n.version and c in n for c in candidates for n in self.networks):
            return None
        return kind

    def check_port(self, port: int) -> None:
        if port not in self.allowed_ports:
            raise Blocked("port", str(port), f"port {port} not in {sorted(self.allowed_ports)}",
                          allowed=", ".join(str(p) for p in sorted(self.allowed_ports)))

    def check_address(self, ip: IP, host: str) -> None:
        kind = self.refusal(ip, host)
        if kind is not None:
            raise Blocked("address", kind, f"{host} -> {ip} ({kind})")


class Blocked(FetchRefused):
    """A refusal by the safety rules. `what` is "invalid", "scheme", "credentials", "host", "port",
    "address" or "unverified";
    `value` the scheme, port or address kind; `detail` goes to the log only (it may name internal
    addresses, which the moderator is not told)."""

    def __init__(self, what: str, value: str = "", detail: str = "", redirected: bool = False, **extra: str) -> None:
        self.what, self.value, self.detail, self.redirected, self.extra = what, value, detail, redirected, extra
        super().__init__(self._message(), what)

    def after_redirect(self) -> Blocked:
        """The same refusal, worded for a link that redirected to the refused place."""
        return Blocked(self.what, self.value, self.detail, True, **self.extra)

    def _message(self) -> str:
        what, value, r = self.what, self.value, self.redirected
        if what == "scheme":
            if r:
                return f"refused: that link redirects to a {value or 'non-web'} link; only http and https are fetched"
            return f"refused: only http and https links can be added, not {value or 'a bare path'}"
        if what == "credentials":
            return ("refused: that link redirects to a link with a user name or password" if r
                    else "refused: links with a user name or password are not fetched")
        if what == "invalid":
            return ("refused: that link redirects to something that is not a valid web link" if r
                    else "refused: that is not a valid web link")
        if what == "unverified":
            return "refused: could not confirm which address the page came from"
        if what == "host":
            return ("refused: that link redirects to a link without a host name" if r
                    else "refused: that link has no host name")
        if what == "port":
            allowed = self.extra.get("allowed", "80, 443")
            if r:
                return f"refused: that link redirects to port {value}, which is not allowed (allowed: {allowed})"
            return f"refused: port {value} is not allowed (allowed: {allowed})"
        description = DESCRIPTIONS.get(value, "not on the public internet")
        if r:
            return f"refused: that link redirects to an address that is {description}"
        return f"refused: that address is {description}"
