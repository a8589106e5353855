"""The SSRF guard's pure address classification and allow-list policy (no connections made)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from tasks.fetcher.netguard import AddressPolicy, classify_address

CLASSIFICATION = [
    # IPv4
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("172.32.0.1", None),  # just outside 172.16/12
    ("100.128.0.1", None),  # just outside 100.64/10
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link_local"),  # cloud metadata service
    ("169.254.1.1", "link_local"),
    ("100.64.0.1", "shared"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.0.9", "reserved"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.99", "documentation"),
    ("198.18.0.1", "benchmarking"),
    # IPv6
    ("2606:4700:4700::1111", None),
    ("2001:4860:4860::8888", None),
    ("::1", "loopback"),
    ("[::1]", "loopback"),
    ("::", "unspecified"),
    ("fc00::1", "private"),
    ("fd00:ec2::254", "private"),  # AWS IPv6 metadata service
    ("fe80::1", "link_local"),
    ("fe80::1%eth0", "link_local"),
    ("fec0::1", "site_local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("2001::1", "reserved"),  # Teredo
    ("100::1", "reserved"),  # discard prefix
    ("4000::1", "reserved"),  # outside global unicast 2000::/3
    # IPv6 forms carrying an IPv4 address
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:7f00:1", "loopback"),
    ("::ffff:169.254.169.254", "link_local"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:8.8.8.8", None),
    ("::ffff:0:7f00:1", "loopback"),  # IPv4-translated
    ("::127.0.0.1", "loopback"),  # deprecated IPv4-compatible
    ("::8.8.8.8", "reserved"),
    ("64:ff9b::10.0.0.1", "private"),  # NAT64
    ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 of 169.254.169.254
    ("64:ff9b::8.8.8.8", None),
    ("64:ff9b:1::1", "private"),  # local-use NAT64
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", "link_local"),  # 6to4 of 169.254.169.254
    ("2002:808:808::1", None),  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "reason"), CLASSIFICATION, ids=[a for a, _ in CLASSIFICATION])
def test_classify_address(address: str, reason: str | None) -> None:
    assert classify_address(address) == reason


def test_classify_accepts_address_objects() -> None:
    assert classify_address(ipaddress.ip_address("10.0.0.1")) == "private"
    assert classify_address(ipaddress.IPv6Address("2001:4860:4860::8888")) is None


def test_classify_rejects_host_names_instead_of_guessing() -> None:
    # Numeric spellings are host names to ipaddress: only resolution reveals the address,
    # which is why the fetcher checks at connect time, after getaddrinfo.
    for not_an_ip in ("example.com", "2130706433", "0x7f000001"):
        with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
            classify_address(not_an_ip)


NUMERIC_LOOPBACK_FORMS = [
    "2130706433",
    "0x7f000001",
    "127.1",
    "017700000001",
    "0177.0.0.1",
    "0x7f.1",
]


@pytest.mark.parametrize("host", NUMERIC_LOOPBACK_FORMS)
def test_numeric_host_forms_resolve_to_loopback(host: str) -> None:
    # AI_NUMERICHOST: parsed by the C library, never sent to DNS.
    infos = socket.getaddrinfo(host, None, family=socket.AF_INET, flags=socket.AI_NUMERICHOST)
    assert {classify_address(info[4][0]) for info in infos} == {"loopback"}
    assert classify_address(socket.inet_ntoa(socket.inet_aton(host))) == "loopback"


def test_bracketed_mapped_literal_resolves_to_loopback() -> None:
    infos = socket.getaddrinfo(
        "::ffff:7f00:1", None, family=socket.AF_INET6, flags=socket.AI_NUMERICHOST
    )
    assert {classify_address(info[4][0]) for info in infos} == {"loopback"}


def test_empty_policy_refuses_every_non_public_address() -> None:
    policy = AddressPolicy()
    assert policy.refusal("metadata.google.internal", "169.254.169.254") == "link_local"
    assert policy.refusal("intranet.example", "10.0.0.5") == "private"
    assert policy.refusal("localhost", "::1") == "loopback"
    assert policy.refusal("example.org", "93.184.215.14") is None


def test_allow_exact_address_only() -> None:
    policy = AddressPolicy(["127.0.0.1"])
    assert policy.refusal("127.0.0.1", "127.0.0.1") is None
    assert policy.refusal("127.0.0.2", "127.0.0.2") == "loopback"
    assert policy.refusal("localhost", "::1") == "loopback"


def test_allow_exact_address_covers_its_ipv4_mapped_form() -> None:
    policy = AddressPolicy(["127.0.0.1"])
    assert policy.refusal("::ffff:127.0.0.1", "::ffff:127.0.0.1") is None
    assert policy.refusal("::ffff:127.0.0.2", "::ffff:127.0.0.2") == "loopback"


def test_allow_cidr_ranges() -> None:
    policy = AddressPolicy(["127.0.0.0/8", "fd00::/8", "10.1.0.0/16"])
    assert policy.refusal("a", "127.0.0.2") is None
    assert policy.refusal("a", "fd12::1") is None
    assert policy.refusal("a", "10.1.200.3") is None
    assert policy.refusal("a", "10.2.0.1") == "private"
    assert policy.refusal("a", "fc00::1") == "private"
    assert policy.refusal("a", "169.254.169.254") == "link_local"


def test_allow_host_name_matches_any_address_it_resolves_to() -> None:
    policy = AddressPolicy(["LocalHost", "[::1]"])
    assert policy.refusal("localhost", "127.0.0.1") is None
    assert policy.refusal("localhost.", "127.0.0.5") is None  # trailing root dot, other case
    assert policy.refusal("other.test", "127.0.0.1") == "loopback"
    assert policy.refusal("other.test", "::1") is None  # by address


def test_empty_allow_entry_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        AddressPolicy(["127.0.0.1", " "])
