"""The SSRF guard: non-public addresses are refused before any connection.

Only loopback traffic is ever sent: every refused URL points at the test server's own
port, so a guard that failed would show up as a request in the server's log.
"""

from __future__ import annotations

import ipaddress

import pytest
import requests

from sanitizer.errors import BlockedAddress, DNSError, FetchError
from sanitizer.fetch import Fetcher
from sanitizer.netguard import AddressGuard, GuardedAdapter, blocked_reason, parse_address

PAGE = b"<!doctype html><html><body><p>Hello</p></body></html>"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("10.0.0.1", "private"),
        ("172.16.5.4", "private"), ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"), ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", "private"),
        ("255.255.255.255", "private"), ("::1", "loopback"), ("::", "unspecified"),
        ("fe80::1", "link-local"), ("fc00::1", "private"), ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("::ffff:10.0.0.1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("64:ff9b::a00:1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("2002:a00:1::", "private (IPv4 10.0.0.1 inside IPv6)"),
    ],
)
def test_non_public_addresses_are_blocked(address, reason):
    assert blocked_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("017700000001", "127.0.0.1"),
        ("0", "0.0.0.0"), ("[::1]", "::1"), ("[fe80::1%eth0]", "fe80::1"),
        ("10.0.0.1.", "10.0.0.1"),
    ],
)
def test_numeric_spellings_are_read_like_the_resolver(host, address):
    assert parse_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.org", "localhost", "deadbeef.example", "1e100.net"])
def test_names_are_not_addresses(host):
    assert parse_address(host) is None


def spellings(port):
    return [
        f"http://127.0.0.1:{port}/target",
        f"http://2130706433:{port}/target",
        f"http://0177.0.0.1:{port}/target",
        f"http://0x7f.0.0.1:{port}/target",
        f"http://127.1:{port}/target",
        f"http://[::ffff:127.0.0.1]:{port}/target",
        f"http://localhost:{port}/target",
        f"http://127.000.000.001:{port}/target",
    ]


@pytest.mark.parametrize("index", range(8))
def test_loopback_in_any_spelling_is_refused_without_a_request(http_server, index):
    http_server.respond("/target", PAGE)
    url = spellings(http_server.port)[index]

    with Fetcher(delay=0) as fetcher, pytest.raises(BlockedAddress, match="loopback") as caught:
        fetcher.get(url)

    assert caught.value.url == url
    assert caught.value.address in {"127.0.0.1", "::1", "::ffff:7f00:1"}
    assert "--allow-private" in str(caught.value)
    assert http_server.requests == []


def test_a_name_resolving_to_loopback_names_the_address(http_server):
    url = f"http://localhost:{http_server.port}/target"

    with Fetcher(delay=0) as fetcher, pytest.raises(BlockedAddress, match="resolves to"):
        fetcher.get(url)


def test_ipv6_loopback_is_refused(http_server):
    with Fetcher(delay=0) as fetcher, pytest.raises(BlockedAddress, match="::1"):
        fetcher.get(f"http://[::1]:{http_server.port}/target")


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                 "http://[fd00::1]/", "http://0.0.0.0/"])
def test_private_literals_are_refused_before_connecting(url):
    # A connection attempt would end in a timeout or a refusal, never a BlockedAddress.
    with Fetcher(delay=0, timeout=(0.01, 0.01)) as fetcher, pytest.raises(BlockedAddress):
        fetcher.get(url)


def test_allow_private_fetches_loopback(http_server):
    url = http_server.respond("/target", PAGE)

    with Fetcher(allow_private=True, delay=0) as fetcher:
        assert fetcher.get(url).content == PAGE


def test_allow_hosts_allows_that_host_only(http_server):
    url = http_server.respond("/target", PAGE)
    other = f"http://localhost:{http_server.port}/target"

    with Fetcher(allow_hosts={"127.0.0.1"}, delay=0) as fetcher:
        assert fetcher.get(url).content == PAGE
        with pytest.raises(BlockedAddress):
            fetcher.get(other)


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://[::ffff:10.0.0.1]/",
                                    "http://169.254.169.254/latest/meta-data/",
                                    "http://167772161/"])
def test_a_redirect_into_a_private_range_is_refused(http_server, target):
    start = http_server.redirect("/go", target)

    with Fetcher(allow_hosts={"127.0.0.1"}, delay=0, timeout=(0.01, 0.01)) as fetcher, \
            pytest.raises(BlockedAddress, match="redirected from") as caught:
        fetcher.get(start)
    assert caught.value.url == start


def test_a_redirect_to_another_loopback_name_is_refused_before_the_request(http_server):
    start = http_server.redirect("/go", f"http://localhost:{http_server.port}/target")
    http_server.respond("/target", PAGE)

    with Fetcher(allow_hosts={"127.0.0.1"}, delay=0) as fetcher, \
            pytest.raises(BlockedAddress, match="redirected from"):
        fetcher.get(start)
    assert not [r for r in http_server.requests if r.path == "/target"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://x/",
                                 "dict://127.0.0.1:11211/"])
def test_other_schemes_are_refused(url):
    with Fetcher() as fetcher, pytest.raises(FetchError, match="use http or https"):
        fetcher.get(url)


def test_unknown_names_are_dns_errors():
    with Fetcher() as fetcher, pytest.raises(DNSError, match="could not resolve"):
        fetcher.get("http://no-such-host.invalid/")


def test_the_adapter_checks_again_at_connect_time(http_server):
    """Even past the pre-check (a plain session), the connection itself is guarded."""
    url = http_server.respond("/target", PAGE)
    session = requests.Session()
    session.mount("http://", GuardedAdapter(AddressGuard()))

    with pytest.raises(BlockedAddress):
        session.get(url, timeout=2)
    with pytest.raises(BlockedAddress):
        session.get(f"http://localhost:{http_server.port}/target", timeout=2)
    assert http_server.requests == []


def test_the_adapter_connects_to_allowed_hosts(http_server):
    url = http_server.respond("/target", PAGE)
    session = requests.Session()
    session.mount("http://", GuardedAdapter(AddressGuard.create(allow_hosts=["127.0.0.1"])))

    assert session.get(url, timeout=2).content == PAGE
