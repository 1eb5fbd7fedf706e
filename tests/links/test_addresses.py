"""The address policy: every spelling of a forbidden address is refused; public ones pass."""

from __future__ import annotations

import ipaddress

import pytest

from qapress.links.addresses import AddressPolicy, IPAddress, parse_ip_host, parse_ipv4_host, refusal_reason
from qapress.links.special_addresses import SpecialBlock, special_blocks


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("169.254.169.254", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("10.0.0.1.", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_ipv4_spellings(host: str, address: str) -> None:
    assert parse_ipv4_host(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize(
    "host", ["example.com", "1.2.3.example", "256.1.1.1", "1.2.3.4.5", "09.1.1.1", "١٢٧.0.0.1", ""]
)
def test_names_and_invalid_numbers_are_not_ipv4(host: str) -> None:
    assert parse_ipv4_host(host) is None


def test_bare_0x_is_zero_like_browsers() -> None:
    assert parse_ipv4_host("0x") == ipaddress.IPv4Address("0.0.0.0")


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("2130706433", "loopback"),
        ("0177.0.0.1", "loopback"),
        ("0x7f.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0xa9fea9fe", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("0", "unspecified"),
        ("192.0.2.1", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("[::1]", "loopback"),
        ("[::]", "unspecified"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "unique-local"),
        ("[fd12:3456::1]", "unique-local"),
        ("[ff02::1]", "multicast"),
        ("[::ffff:127.0.0.1]", "IPv4"),
        ("[::ffff:7f00:1]", "IPv4"),
        ("[::ffff:169.254.169.254]", "IPv4"),
        ("[::ffff:8.8.8.8]", "IPv4"),
        ("[::127.0.0.1]", "IPv4"),
        ("[64:ff9b::a9fe:a9fe]", "IPv4"),
        ("[2002:7f00:1::]", "IPv4"),
        ("[2001:0:4136:e378::1]", "IPv4"),
        ("[2001:db8::1]", "documentation"),
    ],
)
def test_forbidden_addresses_in_every_form(host: str, kind: str) -> None:
    address = parse_ip_host(host)
    assert address is not None
    reason = refusal_reason(address)
    assert reason is not None and kind in reason


@pytest.mark.parametrize(
    "host", ["8.8.8.8", "1.1.1.1", "134744072", "93.184.215.14", "[2606:4700:4700::1111]"]
)
def test_public_addresses_pass(host: str) -> None:
    address = parse_ip_host(host)
    assert address is not None and refusal_reason(address) is None


def test_allow_list_opens_a_network_on_any_port() -> None:
    policy = AddressPolicy.build(allow_networks=["127.0.0.1/32"])
    loopback = ipaddress.ip_address("127.0.0.1")
    assert policy.address_refusal(loopback) is None
    assert policy.port_refusal(8123, loopback) is None
    assert policy.address_refusal(ipaddress.ip_address("127.0.0.2")) is not None
    assert policy.port_refusal(8123, ipaddress.ip_address("8.8.8.8")) is not None


def test_default_policy_allows_only_web_ports() -> None:
    policy = AddressPolicy()
    public = ipaddress.ip_address("8.8.8.8")
    assert policy.port_refusal(80, public) is None
    assert policy.port_refusal(443, public) is None
    reason = policy.port_refusal(22, public)
    assert reason is not None and "port 22" in reason


# The blocks of the IANA IPv4 and IPv6 special-purpose registries (RFC 6890, RFC 8190 and their updates), the
# multicast space and deprecated site-local, written out here from the registries so that a block dropped from
# the data file fails a test.
REGISTRY_BLOCKS = [
    "0.0.0.0/8", "0.0.0.0/32", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32",
    "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    "::1/128", "::/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
    "2001::/23", "2001::/32", "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:2::/48",
    "2001:3::/32", "2001:4:112::/48", "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32",
    "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8",
]  # fmt: skip


def test_the_table_holds_every_registry_block() -> None:
    in_table = {block.network for block in special_blocks()}
    missing = [block for block in REGISTRY_BLOCKS if ipaddress.ip_network(block) not in in_table]
    assert missing == []


def test_every_table_entry_names_its_source_and_reason() -> None:
    for block in special_blocks():
        assert block.name and block.rfc.startswith("RFC ") and block.registry
        assert block.refusal.startswith(("a ", "an ", "the "))


def _expected_refused(address: IPAddress) -> bool:
    """What the walk expects for an address next to a block: refused only when some block (or, for IPv6,
    the space outside 2000::/3) holds it."""
    if any(address.version == b.network.version and address in b.network for b in special_blocks()):
        return True
    return isinstance(address, ipaddress.IPv6Address) and address not in ipaddress.IPv6Network("2000::/3")


@pytest.mark.parametrize("block", special_blocks(), ids=lambda block: str(block.network))
def test_walk_the_table_each_block_refused_its_neighbours_not(block: SpecialBlock) -> None:
    network = block.network
    first, last = network.network_address, network.broadcast_address
    family = type(first)  # ip_address(int) would read a small IPv6 number as IPv4
    middle = family(int(first) + network.num_addresses // 2)
    for inside in (first, middle, last):
        reason = refusal_reason(inside)
        assert reason is not None, f"{inside} in {network} was allowed"
        assert str(inside) in reason
    width = 32 if network.version == 4 else 128
    for outside_int in (int(first) - 1, int(last) + 1):
        if not 0 <= outside_int < 2**width:
            continue
        outside = family(outside_int)
        assert (refusal_reason(outside) is not None) == _expected_refused(outside), outside


def test_the_most_specific_block_gives_the_reason() -> None:
    reason = refusal_reason(ipaddress.ip_address("192.0.0.9"))
    assert reason is not None and "192.0.0.9/32" in reason and "RFC 7723" in reason
    reason = refusal_reason(ipaddress.ip_address("2001:0:4136:e378::1"))
    assert reason is not None and "TEREDO" in reason


@pytest.mark.parametrize(
    "host",
    [
        "192.0.0.192",  # the audit's cloud metadata address: allowed by ipaddress on Python 3.11.7
        "192.0.0.1",
        "192.0.0.255",
        "[fec0::1]",  # deprecated site-local: global to ipaddress on 3.11.7
        "[feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]",
    ],
)
def test_regressions_found_by_the_audit(host: str) -> None:
    address = parse_ip_host(host)
    assert address is not None and refusal_reason(address) is not None


@pytest.mark.parametrize(
    "host",
    ["[4000::1]", "[100:0:0:2::1]", "[1000::1]", "[e000::1]", "[fe00::1]", "[200::1]"],
)
def test_ipv6_outside_global_unicast_is_refused(host: str) -> None:
    address = parse_ip_host(host)
    assert address is not None
    reason = refusal_reason(address)
    assert reason is not None and "2000::/3" in reason


@pytest.mark.parametrize(
    "host", ["192.0.1.255", "192.0.3.0", "198.17.255.255", "198.20.0.0", "[2001:200::1]", "[2c0f:f248::1]"]
)
def test_public_neighbours_of_special_blocks_pass(host: str) -> None:
    address = parse_ip_host(host)
    assert address is not None and refusal_reason(address) is None


# Addresses whose ``ipaddress`` flags changed between Python releases (3.11.7 -> 3.12.4 and later), with the
# decision the table makes for them: whatever interpreter runs this, the decision is the same.
VERSION_SENSITIVE = {
    "192.0.0.192": False, "192.0.0.9": False, "192.0.0.10": False, "192.31.196.1": False,
    "192.52.193.1": False, "192.175.48.1": False, "2001:1::1": False, "2001:1::3": False,
    "2001:3::1": False, "2001:4:112::1": False, "2001:20::1": False, "2001:30::1": False,
    "2620:4f:8000::1": False, "64:ff9b::808:808": False, "fec0::1": False, "3fff::1": False,
    "5f00::1": False, "100:0:0:1::1": False, "8.8.8.8": True, "2606:4700:4700::1111": True,
}  # fmt: skip


def _flags_lie(monkeypatch: pytest.MonkeyPatch, value: bool) -> None:
    for cls in (ipaddress.IPv4Address, ipaddress.IPv6Address):
        for flag in ("is_private", "is_global", "is_reserved", "is_link_local", "is_loopback",
                     "is_multicast", "is_unspecified", "is_site_local"):  # fmt: skip
            if hasattr(cls, flag):
                monkeypatch.setattr(cls, flag, property(lambda self, value=value: value))


@pytest.mark.parametrize("flags", [True, False], ids=["flags-all-true", "flags-all-false"])
def test_decisions_do_not_depend_on_the_python_release(monkeypatch: pytest.MonkeyPatch, flags: bool) -> None:
    """The same decisions with ``ipaddress``'s flags forced either way: the table alone decides."""
    _flags_lie(monkeypatch, flags)
    decided = {text: refusal_reason(ipaddress.ip_address(text)) is None for text in VERSION_SENSITIVE}
    assert decided == VERSION_SENSITIVE
