"""The address policy: every spelling of a forbidden address is refused; public ones pass."""

from __future__ import annotations

import ipaddress

import pytest

from qapress.links.addresses import AddressPolicy, parse_ip_host, parse_ipv4_host, refusal_reason


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
        ("192.0.2.1", "private"),
        ("198.18.0.1", "private"),
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
        ("[2001:db8::1]", "private"),
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
