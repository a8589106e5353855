"""SSRF guard: which IP addresses the fetcher may connect to, as pure functions over addresses."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Checked in order; the first network containing the address gives the reason. Python's own
# is_global/is_private flags are not used for IPv6 because 3.11 calls fec0::/10, 3fff::/20 and
# ::a.b.c.d "global", and the reason words matter for the fetch log.
IPV4_SPECIAL = tuple(
    (ipaddress.IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified"),  # Linux connects 0.0.0.0 to the local host
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared"),  # carrier-grade NAT
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link_local"),  # includes the 169.254.169.254 cloud metadata service
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved"),  # deprecated 6to4 relay anycast
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

IPV6_SPECIAL = tuple(
    (ipaddress.IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "private"),  # local-use NAT64
        ("100::/64", "reserved"),  # discard-only
        ("2001::/23", "reserved"),  # IETF protocol assignments: Teredo, ORCHID, benchmarking...
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("fc00::/7", "private"),  # unique local; AWS metadata fd00:ec2::254 lives here
        ("fe80::/10", "link_local"),
        ("fec0::/10", "site_local"),
        ("ff00::/8", "multicast"),
    )
)

# IPv6 forms that carry an IPv4 address the packets may end up at.
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def _parse(ip: str | IPAddress) -> IPAddress:
    if isinstance(ip, str):
        return ipaddress.ip_address(ip.strip().removeprefix("[").removesuffix("]"))
    return ip


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, bool] | None:
    """The IPv4 address an IPv6 address embeds, and whether the form is deprecated."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in IPV4_MAPPED or ip in IPV4_TRANSLATED or ip in NAT64:
        return low32, False
    if ip in IPV4_COMPATIBLE:
        return low32, True
    if ip.sixtofour is not None:
        return ip.sixtofour, False
    return None


def _classify_ipv4(ip: ipaddress.IPv4Address) -> str | None:
    for network, reason in IPV4_SPECIAL:
        if ip in network:
            return reason
    return None if ip.is_global else "reserved"


def _classify_ipv6(ip: ipaddress.IPv6Address) -> str | None:
    for network, reason in IPV6_SPECIAL:
        if ip in network:
            return reason
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        v4, deprecated = embedded
        return _classify_ipv4(v4) or ("reserved" if deprecated else None)
    return None if ip in GLOBAL_UNICAST else "reserved"


def classify_address(ip: str | IPAddress) -> str | None:
    """Say why an address is not a public unicast address.

    IPv6 forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
    NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address they carry.

    Args:
        ip: an IPv4 or IPv6 address, as text (brackets and a %scope are accepted) or an object.

    Returns:
        None for a public unicast address, else a reason word: "loopback", "private",
        "link_local", "site_local", "shared", "multicast", "broadcast", "unspecified",
        "documentation", "benchmarking" or "reserved".

    Raises:
        ValueError: when `ip` is not an IP address (host names are not resolved here).

    """
    address = _parse(ip)
    if isinstance(address, ipaddress.IPv4Address):
        return _classify_ipv4(address)
    return _classify_ipv6(address)


class AddressPolicy:
    """Which non-public addresses a run may still reach: settings.allow_private_hosts."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        """Build the policy from host names ("localhost") and addresses or CIDR ranges.

        Raises:
            ValueError: for an empty entry.

        """
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        hosts: set[str] = set()
        for entry in allowed:
            text = entry.strip().removeprefix("[").removesuffix("]")
            if not text:
                raise ValueError("allow_private_hosts: empty entry")
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                hosts.add(_host_key(text))
        self._networks = tuple(networks)
        self._hosts = frozenset(hosts)

    def refusal(self, host: str, ip: str | IPAddress) -> str | None:
        """The reason to refuse connecting to `ip`, reached by resolving `host`.

        Args:
            host: the host name of the URL (or the IP literal itself).
            ip: one resolved address of `host`.

        Returns:
            None when the connection may proceed (a public address, an allow-listed host name,
            or an address inside an allow-listed range), else classify_address's reason word.

        """
        address = _parse(ip)
        if _host_key(host) in self._hosts:
            return None
        mapped = getattr(address, "ipv4_mapped", None)
        for candidate in (address, mapped):
            if candidate is not None and any(candidate in net for net in self._networks):
                return None
        return classify_address(address)


def _host_key(host: str) -> str:
    """Host names compare case-insensitively and without a trailing root dot."""
    return host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
