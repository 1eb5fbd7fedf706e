"""The address policy: which IP addresses and ports the fetcher may connect to, and how hosts spell addresses.

Pure functions only; the transport (``links.transport``) applies the policy to every address it connects to,
and the submission rules apply it to IP literals typed into the form.

Refused: every block of the special-purpose address table (``special_addresses.yaml``: the IANA IPv4 and
IPv6 special-purpose registries, multicast, site-local), which includes the IPv6 prefixes that carry an IPv4
address inside (IPv4-mapped, NAT64, 6to4, Teredo); every IPv6 address outside 2000::/3 (global unicast) as
unallocated space; IPv6 addresses with a zone. The table, not ``ipaddress``'s flags, decides, so the answer is
the same on every Python release. An explicit allow-list (empty by default) lets tests reach 127.0.0.1: an
allowed network is open on any port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from qapress.links.special_addresses import IPV6_GLOBAL_UNICAST, special_block
from qapress.links.special_addresses import IPAddress as IPAddress
from qapress.links.special_addresses import IPNetwork as IPNetwork


def refusal_reason(address: IPAddress) -> str | None:
    """Why the fetcher must not connect to ``address``, or None when it is a public unicast address."""
    block = special_block(address)
    if block is not None:
        return block.reason(address)
    if isinstance(address, ipaddress.IPv6Address):
        if address not in IPV6_GLOBAL_UNICAST:
            return (
                f"{address} is a reserved address (outside {IPV6_GLOBAL_UNICAST}, the global unicast space)"
            )
        if address.scope_id:
            return f"{address} has a zone (scope id)"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Where the fetcher may connect. ``allow_networks`` overrides the refusals (tests, local demos)."""

    allowed_ports: frozenset[int] = frozenset({80, 443})
    allow_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def build(
        cls, allowed_ports: Iterable[int] = (80, 443), allow_networks: Iterable[str] = ()
    ) -> AddressPolicy:
        return cls(
            allowed_ports=frozenset(allowed_ports),
            allow_networks=tuple(ipaddress.ip_network(network, strict=False) for network in allow_networks),
        )

    def is_allow_listed(self, address: IPAddress) -> bool:
        return any(
            address.version == network.version and address in network for network in self.allow_networks
        )

    def address_refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be reached, or None."""
        if self.is_allow_listed(address):
            return None
        return refusal_reason(address)

    def port_refusal(self, port: int, address: IPAddress | None = None) -> str | None:
        """Why ``port`` may not be reached (on ``address`` when known), or None."""
        if port in self.allowed_ports or (address is not None and self.is_allow_listed(address)):
            return None
        allowed = ", ".join(str(p) for p in sorted(self.allowed_ports))
        return f"port {port} is not one the fetcher uses ({allowed})"


def _parse_ipv4_number(part: str) -> int | None:
    """One dotted part as the WHATWG URL standard reads it: decimal, octal (leading 0) or hex (0x)."""
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if digits == "":
        return 0
    if not (digits.isascii() and digits.isalnum()):
        return None
    try:
        return int(digits, base)
    except ValueError:
        return None


def parse_ipv4_host(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a URL host means, in any form browsers and resolvers accept, or None for a name.

    ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` and ``127.1`` all mean 127.0.0.1.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or len(parts) > 4 or any(part == "" for part in parts):
        return None
    numbers = [_parse_ipv4_number(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    values = [number for number in numbers if number is not None]
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    result = values[-1]
    for index, value in enumerate(values[:-1]):
        result += value * 256 ** (3 - index)
    return ipaddress.IPv4Address(result)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL host is a literal of (``[::1]``, ``127.0.0.1``, ``0x7f000001``), or None."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return parse_ipv4_host(host)
