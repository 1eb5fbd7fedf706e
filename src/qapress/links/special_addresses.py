"""The special-purpose address table: every IANA special block, read from ``special_addresses.yaml``.

Kept as data rather than ``ipaddress``'s ``is_private``/``is_global`` flags, whose answers changed between
Python patch releases (3.11.7 called 192.0.0.192 and fec0::/10 global): what the fetcher refuses must not
depend on the interpreter it runs on. ``addresses.refusal_reason`` is the one caller.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: IANA allocates IPv6 unicast addresses only from here; anything outside it and not in the table is refused.
IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


@dataclass(frozen=True)
class SpecialBlock:
    """One special-purpose block: its registry entry and the phrase that explains its refusal."""

    network: IPNetwork
    name: str
    rfc: str
    registry: str
    #: Completes "<address> is ...": "a loopback address".
    refusal: str
    #: True for prefixes that carry an IPv4 address inside (NAT64, 6to4, Teredo, mapped).
    embeds_ipv4: bool = False

    def reason(self, address: IPAddress) -> str:
        return f"{address} is {self.refusal} ({self.network}: {self.name}, {self.rfc})"


def _block(entry: dict[str, Any]) -> SpecialBlock:
    return SpecialBlock(
        network=ipaddress.ip_network(entry["block"]),
        name=str(entry["name"]),
        rfc=str(entry["rfc"]),
        registry=str(entry["registry"]),
        refusal=str(entry["refusal"]),
        embeds_ipv4=bool(entry.get("embeds_ipv4", False)),
    )


@cache
def special_blocks() -> tuple[SpecialBlock, ...]:
    """Every block of the table, most specific first (so a /32 inside a /24 gives its own reason)."""
    text = resources.files("qapress.links").joinpath("special_addresses.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
    blocks = [_block(entry) for family in ("ipv4", "ipv6") for entry in raw[family]]
    return tuple(sorted(blocks, key=lambda block: (block.network.version, -block.network.prefixlen)))


def special_block(address: IPAddress) -> SpecialBlock | None:
    """The most specific special-purpose block holding ``address``, or None."""
    for block in special_blocks():
        if block.network.version == address.version and address in block.network:
            return block
    return None
