"""Safe fetching: what strangers' links may reach (SSRF), redirects, DNS rebinding and the limits.

No test here generates traffic to anything but loopback: every socket the fetcher opens goes
through a guard that fails the test for a non-loopback address, and name lookups other than
numeric forms and `localhost` are answered by a fake resolver (a real lookup fails the test).
Pages are served by pytest-httpserver on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import ipaddress
import logging
import random
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Request, Response

from bot.config import Config, ConfigError, EmbeddingConfig, FetchConfig, load_config
from bot.service import EventService
from corpus import fetch as fetch_module
from corpus.errors import FetchFailed, FetchRefused
from corpus.fetch import check_url, fetch
from corpus.safety import (BROADCAST, LINK_LOCAL, LOOPBACK, MULTICAST, PRIVATE, RESERVED, SHARED, UNSPECIFIED,
                           AddressPolicy, classify, literal_address, parse_allowlist)
from index.embedder import HashEmbedder
from tests.hostile import RawServer, drip_handshake, drip_headers, redirect

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
PUBLIC_IP = "93.184.216.34"  # never connected to: the socket guard would fail the test
HTML = b"<html><head><title>Harbour wall</title></head><body><p>The harbour wall was repaired.</p></body></html>"


# -- guards and doubles -------------------------------------------------------------------------------

class FakeDNS:
    """Stands in for socket.getaddrinfo: numeric hosts and localhost go to the real resolver (no
    traffic); names set here get their answers in turn (the last one repeats); anything else is an
    unknown host. `calls` records every name asked."""

    def __init__(self, real) -> None:
        self.real = real
        self.answers: dict[str, list[list[str]]] = {}
        self.calls: list[str] = []

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.calls.append(name)
        if name in self.answers:
            queue = self.answers[name]
            ips = queue.pop(0) if len(queue) > 1 else queue[0]
            out = []
            for ip in ips:
                addr = ipaddress.ip_address(ip)
                if addr.version == 4:
                    out.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port)))
                else:
                    out.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port, 0, 0)))
            return out
        if literal_address(name) is not None or name.lower().rstrip(".") == "localhost":
            return self.real(host, port, family, type, proto, flags)
        raise socket.gaierror(socket.EAI_NONAME, f"{name}: unknown to the test resolver")


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every address the fetcher connects to; a non-loopback one fails the test before any packet."""
    made: list[tuple] = []
    real = fetch_module._open_socket

    def guarded(family, sockaddr, timeout):
        made.append(sockaddr[:2])
        assert ipaddress.ip_address(sockaddr[0].split("%")[0]).is_loopback, f"tried to connect to {sockaddr}"
        return real(family, sockaddr, timeout)

    monkeypatch.setattr(fetch_module, "_open_socket", guarded)
    return made


@pytest.fixture
def server(httpserver_ipv4):
    return httpserver_ipv4


def local(server, **kw) -> dict:
    """Fetch options that allow the test server on 127.0.0.1."""
    return {"allowed_private_hosts": ["127.0.0.1"], "allowed_ports": [80, 443, server.port], **kw}


# -- the address classifier ---------------------------------------------------------------------------

CLASSIFIED = [
    # IPv4
    ("127.0.0.1", LOOPBACK), ("127.255.255.254", LOOPBACK), ("10.0.0.1", PRIVATE), ("10.255.255.255", PRIVATE),
    ("172.16.0.1", PRIVATE), ("172.31.255.255", PRIVATE), ("192.168.0.1", PRIVATE), ("192.168.255.255", PRIVATE),
    ("169.254.169.254", LINK_LOCAL), ("169.254.0.1", LINK_LOCAL), ("100.64.0.1", SHARED), ("100.127.255.255", SHARED),
    ("0.0.0.0", UNSPECIFIED), ("0.1.2.3", UNSPECIFIED), ("224.0.0.1", MULTICAST), ("239.255.255.250", MULTICAST),
    ("255.255.255.255", BROADCAST), ("240.0.0.1", RESERVED), ("192.0.0.8", RESERVED), ("192.0.2.1", RESERVED),
    ("192.88.99.1", RESERVED), ("198.18.0.1", RESERVED), ("198.51.100.7", RESERVED), ("203.0.113.9", RESERVED),
    ("8.8.8.8", None), ("1.1.1.1", None), (PUBLIC_IP, None), ("172.15.255.255", None), ("172.32.0.1", None),
    ("192.169.0.1", None), ("100.63.255.255", None), ("100.128.0.1", None), ("11.0.0.1", None),
    # IPv6
    ("::1", LOOPBACK), ("::", UNSPECIFIED), ("fc00::1", PRIVATE), ("fd12:3456::1", PRIVATE), ("fd00:ec2::254", PRIVATE),
    ("fe80::1", LINK_LOCAL), ("fe80::1%eth0", LINK_LOCAL), ("febf::1", LINK_LOCAL), ("fec0::1", PRIVATE),
    ("ff02::1", MULTICAST), ("ff05::2", MULTICAST),
    ("::ffff:127.0.0.1", LOOPBACK), ("::ffff:7f00:1", LOOPBACK), ("::ffff:10.0.0.1", PRIVATE),
    ("::ffff:169.254.169.254", LINK_LOCAL), ("::ffff:0.0.0.0", UNSPECIFIED), ("::ffff:8.8.8.8", None),
    ("64:ff9b::7f00:1", LOOPBACK), ("64:ff9b::a00:1", PRIVATE), ("64:ff9b::a9fe:a9fe", LINK_LOCAL),
    ("64:ff9b::808:808", None), ("64:ff9b:1::1", PRIVATE),
    ("2002:7f00:1::", LOOPBACK), ("2002:c0a8:101::1", PRIVATE), ("2002:808:808::1", None),
    ("::127.0.0.1", RESERVED), ("100::1", RESERVED), ("2001::1", RESERVED), ("2001:db8::1", RESERVED),
    ("3fff::1", RESERVED), ("5f00::1", RESERVED), ("4000::1", RESERVED),
    ("2606:4700:4700::1111", None), ("2001:4860:4860::8888", None), ("2a00:1450:4001::1", None),
]


@pytest.mark.parametrize(("address", "kind"), CLASSIFIED, ids=[a for a, _ in CLASSIFIED])
def test_classify(address: str, kind: str | None) -> None:
    assert classify(address) == kind


LITERALS = [
    ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"),
    ("0", "0.0.0.0"), ("127.0.0.1.", "127.0.0.1"), ("::1", "::1"), ("[::1]", "::1"), ("fe80::1%25eth0", "fe80::1"),
    ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("167772161", "10.0.0.1"), ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
    ("example.com", None), ("deadbeef", None), ("1.2.3.4.5", None), ("news.lan", None),
]


@pytest.mark.parametrize(("host", "address"), LITERALS, ids=[h for h, _ in LITERALS])
def test_literal_address_spellings(host: str, address: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found is not None else None) == address


def test_allowlist_entries() -> None:
    names, networks = parse_allowlist(["News.LAN.", "192.168.1.20", "10.8.0.0/24", "[::1]", "fd00::/8", "0x7f.1"])
    assert names == {"news.lan"}
    assert [str(n) for n in networks] == ["192.168.1.20/32", "10.8.0.0/24", "::1/128", "fd00::/8", "127.0.0.1/32"]
    assert [str(n) for n in parse_allowlist(["::ffff:127.0.0.1"])[1]] == ["127.0.0.1/32"]
    for bad in ["0.0.0.0/0", "::/0", "1.0.0.0/4", "not a host!", "", "10.0.0.0/33", "http://news.lan/"]:
        with pytest.raises(ValueError):
            parse_allowlist([bad])


def test_policy_allowlist_opens_only_what_it_names() -> None:
    policy = AddressPolicy.build(["10.8.0.0/24", "127.0.0.1", "news.lan", "0.0.0.0/8", "239.0.0.0/8"])
    ip = ipaddress.ip_address
    assert policy.refusal(ip("10.8.0.9")) is None
    assert policy.refusal(ip("10.8.1.9")) == PRIVATE
    assert policy.refusal(ip("127.0.0.1")) is None
    assert policy.refusal(ip("::ffff:127.0.0.1")) is None  # the same address, IPv4-mapped
    assert policy.refusal(ip("127.0.0.2")) == LOOPBACK
    assert policy.refusal(ip("::1")) == LOOPBACK
    assert policy.refusal(ip("192.168.5.5"), "NEWS.lan.") is None  # a listed name may resolve anywhere private
    assert policy.refusal(ip("192.168.5.5"), "other.lan") == PRIVATE
    # Never a web server, so never opened by the allowlist.
    assert policy.refusal(ip("0.0.0.0")) == UNSPECIFIED
    assert policy.refusal(ip("239.1.1.1"), "news.lan") == MULTICAST
    assert policy.refusal(ip(PUBLIC_IP)) is None


# -- the SSRF table: every target tried, each refused ------------------------------------------------

def _targets(port: int) -> list[tuple[str, str]]:
    """(link, words the refusal must contain). The test server's port is allowed, so for the links
    on it only the address rules stand between the link and the server."""
    p = port
    return [
        (f"http://127.0.0.1:{p}/", "this machine"),
        (f"http://localhost:{p}/", "this machine"),
        (f"http://LOCALHOST.:{p}/", "this machine"),
        (f"http://news.localhost:{p}/", "this machine"),
        (f"http://127.1:{p}/", "this machine"),
        (f"http://127.0.1:{p}/", "this machine"),
        (f"http://127.0.0.1.:{p}/", "this machine"),
        (f"http://127.0.0.2:{p}/", "this machine"),
        (f"http://2130706433:{p}/", "this machine"),
        (f"http://0x7f000001:{p}/", "this machine"),
        (f"http://0x7f.1:{p}/", "this machine"),
        (f"http://017700000001:{p}/", "this machine"),
        (f"http://0177.0.0.1:{p}/", "not a valid web link"),  # httpx rejects leading zeros
        (f"http://127\u30020\u30020\u30021:{p}/", "this machine"),  # ideographic full stops
        (f"http://[::1]:{p}/", "this machine"),
        (f"http://[0:0:0:0:0:0:0:1]:{p}/", "this machine"),
        (f"http://[::ffff:127.0.0.1]:{p}/", "this machine"),
        (f"http://[::ffff:7f00:1]:{p}/", "this machine"),
        (f"http://[64:ff9b::7f00:1]:{p}/", "this machine"),
        (f"http://[2002:7f00:1::]:{p}/", "this machine"),
        (f"http://0.0.0.0:{p}/", "unspecified"),
        (f"http://0:{p}/", "unspecified"),
        (f"http://[::]:{p}/", "unspecified"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local"),
        ("http://0xa9fea9fe/latest/meta-data/", "link-local"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "private network"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fe80::1%25eth0]/", "link-local"),
        ("http://10.0.0.1/", "private network"),
        ("http://172.16.0.1/", "private network"),
        ("http://172.31.255.254/", "private network"),
        ("http://192.168.1.1/", "private network"),
        ("http://167772161/", "private network"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://[fc00::1]/", "private network"),
        ("http://[fd12:3456::1]/", "private network"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://255.255.255.255/", "broadcast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://192.0.2.1/", "reserved"),
        # names that resolve to private addresses (fake resolver)
        ("http://intranet.test/", "private network"),
        ("http://metadata.test/", "link-local"),
        ("http://v6-loopback.test/", "this machine"),
        ("http://mixed.test/", "this machine"),  # one public and one private address: refused
        ("http://mapped.test/", "this machine"),  # ::ffff:127.0.0.1 from DNS
        # schemes
        ("file:///etc/passwd", "not file"),
        ("FILE:///etc/passwd", "not file"),
        ("/etc/passwd", "not a bare path"),
        ("ftp://example.test/a", "not ftp"),
        ("gopher://127.0.0.1:70/_GET", "not gopher"),
        ("data:text/html,<p>hi</p>", "not data"),
        ("javascript:alert(1)", "not javascript"),
        ("dict://127.0.0.1:11211/stat", "not dict"),
        # credentials
        ("http://user:secret@example.test/", "user name or password"),
        ("http://user@example.test/", "user name or password"),
        (f"http://example.test\\@127.0.0.1:{p}/", "user name or password"),
        # ports
        ("http://example.test:8080/", "port 8080 is not allowed"),
        ("http://example.test:22/", "port 22 is not allowed"),
        ("https://example.test:6379/", "port 6379 is not allowed"),
        ("http://example.test:0/", "port 0 is not allowed"),
    ]


@pytest.fixture
def resolver_answers(dns: FakeDNS) -> FakeDNS:
    dns.set("intranet.test", ["10.1.2.3"])
    dns.set("metadata.test", ["169.254.169.254"])
    dns.set("v6-loopback.test", ["::1"])
    dns.set("mixed.test", [PUBLIC_IP, "127.0.0.1"])
    dns.set("mapped.test", ["::ffff:127.0.0.1"])
    dns.set("example.test", [PUBLIC_IP])
    dns.set("localhost", ["127.0.0.1"])
    return dns


def _try(link: str, port: int) -> str:
    try:
        fetch(link, timeout=2, allowed_ports=[80, 443, port])
    except FetchRefused as e:
        return str(e)
    except FetchFailed as e:
        return f"NOT REFUSED (failed: {e})"
    return "NOT REFUSED (fetched)"


def test_ssrf_table(server, resolver_answers, connections, capsys) -> None:
    """Every target in the table is refused, before any connection is made."""
    server.expect_request("/").respond_with_data("secret", content_type="text/html")
    rows = [(link, expected, _try(link, server.port)) for link, expected in _targets(server.port)]
    with capsys.disabled():
        print(f"\nSSRF targets tried: {len(rows)} (server on 127.0.0.1:{server.port})")
        for link, expected, outcome in rows:
            ok = outcome.startswith("refused") and expected in outcome
            print(f"  {'REFUSED' if ok else 'WRONG  '}  {link:<55} {outcome}")
    wrong = [(link, outcome) for link, expected, outcome in rows
             if not (outcome.startswith("refused") and expected in outcome)]
    assert not wrong
    assert server.log == []
    assert connections == []


@pytest.mark.parametrize("index", range(len(_targets(1))), ids=[t[0] for t in _targets(1)])
def test_each_ssrf_target_refused(server, resolver_answers, connections, index: int) -> None:
    link, expected = _targets(server.port)[index]
    outcome = _try(link, server.port)
    assert outcome.startswith("refused") and expected in outcome, outcome
    assert connections == []


def test_refusal_is_logged_with_the_link(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="corpus.fetch"), pytest.raises(FetchRefused):
        fetch("http://169.254.169.254/latest/meta-data/iam")
    assert "http://169.254.169.254/latest/meta-data/iam" in caplog.text
    assert "link-local" in caplog.text


def test_refusal_does_not_tell_the_moderator_internal_addresses(resolver_answers) -> None:
    with pytest.raises(FetchRefused) as e:
        fetch("http://intranet.test/")
    assert str(e.value) == "refused: that address is on a private network"
    assert "10.1.2.3" in e.value.detail  # for the log only


# -- the allowlist ------------------------------------------------------------------------------------

def test_without_allowlist_127_0_0_1_is_refused(server) -> None:
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    with pytest.raises(FetchRefused, match="this machine"):
        fetch(server.url_for("/page"), allowed_ports=[server.port])
    with pytest.raises(FetchRefused, match=f"port {server.port} is not allowed"):
        fetch(server.url_for("/page"), allowed_private_hosts=["127.0.0.1"])
    assert server.log == []


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.0/8", "::ffff:127.0.0.1"])
def test_with_allowlist_127_0_0_1_is_fetched(server, connections, entry: str) -> None:
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html; charset=utf-8")
    page = fetch(server.url_for("/page"), allowed_private_hosts=[entry], allowed_ports=[server.port])
    assert page.body == HTML and page.content_type == "text/html"
    assert page.address == "127.0.0.1"
    assert connections == [("127.0.0.1", server.port)]


def test_allowlisted_name(server) -> None:
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    page = fetch(f"http://localhost:{server.port}/page", allowed_private_hosts=["localhost"],
                 allowed_ports=[server.port])
    assert page.body == HTML


def test_allowlisted_name_trusts_its_dns(server, dns) -> None:
    dns.set("mirror.lan", ["127.0.0.1"])
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    url = f"http://mirror.lan:{server.port}/page"
    with pytest.raises(FetchRefused, match="this machine"):
        fetch(url, allowed_ports=[server.port])
    assert fetch(url, allowed_private_hosts=["mirror.lan"], allowed_ports=[server.port]).body == HTML
    # The request carried the name, not the address.
    assert server.log[-1][0].headers["Host"] == f"mirror.lan:{server.port}"


def test_environment_proxies_are_ignored(server, monkeypatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    assert fetch(server.url_for("/page"), **local(server)).body == HTML
    with pytest.raises(FetchRefused):
        fetch(server.url_for("/page"), allowed_ports=[server.port])


# -- redirects ----------------------------------------------------------------------------------------

def _redirect(server, path: str, location: str, status: int = 302) -> None:
    server.expect_request(path).respond_with_data("", status=status, headers={"Location": location})


@pytest.mark.parametrize(("location", "expected"), [
    ("http://10.0.0.1/", "redirects to an address that is on a private network"),
    ("http://169.254.169.254/latest/meta-data/", "redirects to an address that is link-local"),
    ("http://[::1]:{port}/page", "redirects to an address that is this machine"),
    ("http://0x7f.1:{port}/page", None),  # the same 127.0.0.1, allowlisted: followed
    ("http://intranet.test/", "redirects to an address that is on a private network"),
    ("http://localhost:{port}/page", None),  # resolves to the allowlisted 127.0.0.1 only (fake resolver)
    ("file:///etc/passwd", "redirects to a file link"),
    ("gopher://127.0.0.1:70/_", "redirects to a gopher link"),
    ("http://127.0.0.1:6379/", "redirects to port 6379, which is not allowed"),
    ("http://u:p@127.0.0.1:{port}/page", "redirects to a link with a user name or password"),
])
def test_redirect_targets_are_checked(server, resolver_answers, connections, location: str,
                                      expected: str | None) -> None:
    location = location.format(port=server.port)
    _redirect(server, "/start", location)
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    server.expect_request("/").respond_with_data(HTML, content_type="text/html")
    if expected is None:
        assert fetch(server.url_for("/start"), **local(server)).body == HTML
        return
    with pytest.raises(FetchRefused) as e:
        fetch(server.url_for("/start"), **local(server))
    assert expected in str(e.value)
    assert all(ip == "127.0.0.1" and port == server.port for ip, port in connections)


def test_redirects_to_a_rebinding_name_are_checked_at_connect_time(server, dns, connections) -> None:
    """The redirect target's name passes `check_url` (no lookup there) and resolves to a private
    address when the connection is made: refused then."""
    dns.set("rebind.test", ["10.9.9.9"])
    _redirect(server, "/start", f"http://rebind.test:{server.port}/")
    with pytest.raises(FetchRefused, match="redirects to an address that is on a private network"):
        fetch(server.url_for("/start"), **local(server))
    assert connections == [("127.0.0.1", server.port)]


def test_relative_redirect_chain_within_the_limit(server) -> None:
    for i in range(3):
        _redirect(server, f"/r{i}", f"/r{i + 1}" if i < 2 else "/page", status=(301, 307, 308)[i])
    server.expect_request("/page").respond_with_data(HTML, content_type="text/html")
    page = fetch(server.url_for("/r0"), **local(server, max_redirects=3))
    assert page.final_url.endswith("/page") and page.body == HTML


def test_redirect_count_is_bounded(server) -> None:
    _redirect(server, "/loop", "/loop")
    with pytest.raises(FetchRefused, match="redirects more than 5 times"):
        fetch(server.url_for("/loop"), **local(server))
    assert len(server.log) == 6  # the link and five redirects, then no more
    server.clear_log()
    with pytest.raises(FetchRefused, match="redirects more than 0 times"):
        fetch(server.url_for("/loop"), **local(server, max_redirects=0))
    assert len(server.log) == 1


# -- DNS rebinding --------------------------------------------------------------------------------------

def test_dns_rebinding_connects_to_the_checked_address(dns, monkeypatch) -> None:
    """The resolver answers a public address, then (rebinding) 127.0.0.1. The fetcher looks the name
    up once and connects to the address it checked; it never asks again and never reaches 127.0.0.1."""
    dns.set("rebind.test", [PUBLIC_IP], ["127.0.0.1"])
    attempts: list[tuple] = []

    def record(family, sockaddr, timeout):
        attempts.append(sockaddr[:2])
        raise ConnectionRefusedError(111, "Connection refused (test: nothing is contacted)")

    monkeypatch.setattr(fetch_module, "_open_socket", record)
    with pytest.raises(FetchFailed, match="could not connect") as e:
        fetch("http://rebind.test/news")
    assert not isinstance(e.value, FetchRefused)
    assert attempts == [(PUBLIC_IP, 80)]
    assert dns.calls.count("rebind.test") == 1


def test_dns_rebinding_to_private_first_is_refused(dns, connections) -> None:
    dns.set("rebind.test", ["127.0.0.1"], [PUBLIC_IP])
    with pytest.raises(FetchRefused, match="this machine"):
        fetch("http://rebind.test/news")
    assert connections == []


def test_the_address_actually_connected_to_is_checked(server, dns, monkeypatch) -> None:
    """Belt and braces: should a connection end somewhere other than the checked address (here the
    socket layer is made to land on 127.0.0.1 instead of the public address it was given), the
    response is refused before its body is read."""
    dns.set("news.test", [PUBLIC_IP])
    server.expect_request("/news").respond_with_data(HTML, content_type="text/html")

    def misroute(family, sockaddr, timeout):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", server.port))
        return sock

    monkeypatch.setattr(fetch_module, "_open_socket", misroute)
    with pytest.raises(FetchRefused, match="this machine"):
        fetch(f"http://news.test:{server.port}/news", allowed_ports=[server.port])


def test_tls_sends_the_host_name_to_the_checked_address(dns, connections) -> None:
    """For https the connection goes to the checked address while the TLS handshake names the host
    (SNI; the certificate is checked against the name): the listener on 127.0.0.1 reads the
    ClientHello and finds the name in it."""
    import threading

    dns.set("secure.test", ["127.0.0.1"])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(5)
    port = listener.getsockname()[1]
    hello: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            hello.append(conn.recv(4096))

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with pytest.raises(FetchFailed):
            fetch(f"https://secure.test:{port}/", timeout=2, allowed_private_hosts=["secure.test"],
                  allowed_ports=[port])
    finally:
        thread.join(5)
        listener.close()
    assert hello and hello[0][:1] == b"\x16"  # a TLS handshake record
    assert b"secure.test" in hello[0]
    assert connections == [("127.0.0.1", port)]
    assert dns.calls.count("secure.test") == 1


# -- limits ---------------------------------------------------------------------------------------------

def test_oversize_body_with_content_length(server) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 200_000, content_type="text/html")
    with pytest.raises(FetchRefused, match="larger than 100 KB"):
        fetch(server.url_for("/big"), **local(server, max_bytes=100_000))


def test_oversize_body_without_content_length(server) -> None:
    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(100_000):
                yield b"<p>" + b"x" * 1020 + b"</p>"
        response = Response(chunks(), content_type="text/html")
        response.headers.pop("Content-Length", None)
        return response

    server.expect_request("/stream").respond_with_handler(endless)
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="larger than 100 KB"):
        fetch(server.url_for("/stream"), **local(server, max_bytes=100_000))
    assert time.monotonic() - started < 3


def test_gzip_bomb_is_refused_early(server) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)  # 20 MB of zeros in ~20 KB
    assert len(bomb) < 25_000
    server.expect_request("/bomb").respond_with_data(bomb, content_type="text/html",
                                                     headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="compression bomb"):
        fetch(server.url_for("/bomb"), **local(server, max_bytes=100_000_000))
    assert time.monotonic() - started < 3


def test_unpacked_size_is_capped(server) -> None:
    rng = random.Random(6)
    text = " ".join(rng.choices([f"w{i}" for i in range(300)], k=40_000)).encode()  # ~185 KB, packs ~3x
    packed = gzip.compress(text)
    assert len(packed) < 100_000 < len(text)
    server.expect_request("/big.gz").respond_with_data(packed, content_type="text/plain",
                                                       headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchRefused, match="larger than 100 KB once unpacked"):
        fetch(server.url_for("/big.gz"), **local(server, max_bytes=100_000))
    assert fetch(server.url_for("/big.gz"), **local(server, max_bytes=200_000)).body == text


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_pages_are_unpacked(server, encoding: str) -> None:
    if encoding == "gzip":
        data = gzip.compress(HTML)
    elif encoding == "deflate":
        data = zlib.compress(HTML)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = packer.compress(HTML) + packer.flush()
    server.expect_request("/z").respond_with_data(data, content_type="text/html",
                                                  headers={"Content-Encoding": encoding.replace("raw-", "")})
    assert fetch(server.url_for("/z"), **local(server)).body == HTML


def test_unknown_compression_is_refused(server) -> None:
    server.expect_request("/br").respond_with_data(b"\x0b\x02\x80", content_type="text/html",
                                                   headers={"Content-Encoding": "br"})
    with pytest.raises(FetchRefused, match="compressed as 'br'"):
        fetch(server.url_for("/br"), **local(server))


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/octet-stream",
                                          "application/json", "text/javascript"])
def test_wrong_content_type_is_refused(server, content_type: str) -> None:
    server.expect_request("/doc").respond_with_data(b"%PDF-1.7", content_type=content_type)
    with pytest.raises(FetchRefused, match=f"is {content_type}, not a web page or text"):
        fetch(server.url_for("/doc"), **local(server))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/xhtml+xml", "text/plain",
                                          "text/markdown"])
def test_allowed_content_types(server, content_type: str) -> None:
    server.expect_request("/doc").respond_with_data(HTML, content_type=content_type)
    assert fetch(server.url_for("/doc"), **local(server)).content_type == content_type.split(";")[0]


def test_http_error_status_is_a_clear_failure(server) -> None:
    server.expect_request("/gone").respond_with_data("no", status=404, content_type="text/html")
    with pytest.raises(FetchFailed, match="the server answered 404") as e:
        fetch(server.url_for("/gone"), **local(server))
    assert not isinstance(e.value, FetchRefused)


def test_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    port = listener.getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(FetchFailed, match="took longer than 0.3 s"):
            fetch(f"http://127.0.0.1:{port}/", timeout=0.3, allowed_private_hosts=["127.0.0.1"],
                  allowed_ports=[port])
    finally:
        listener.close()
    assert time.monotonic() - started < 2


def test_slow_drip_hits_the_whole_fetch_deadline(server) -> None:
    def drip(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(30):
                time.sleep(0.05)
                yield b"<p>a little more</p>"
        return Response(chunks(), content_type="text/html")

    server.expect_request("/drip").respond_with_handler(drip)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than 0.4 s"):
        fetch(server.url_for("/drip"), **local(server, timeout=0.4))
    assert time.monotonic() - started < 1.2


def test_nothing_listening_and_unknown_host() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchFailed, match="could not connect"):
        fetch(f"http://127.0.0.1:{port}/", allowed_private_hosts=["127.0.0.1"], allowed_ports=[port])
    with pytest.raises(FetchFailed, match="nowhere.test was not found"):
        fetch("http://nowhere.test/")


def test_check_url_returns_the_parsed_link() -> None:
    assert str(check_url("HTTPS://Example.COM/a?b=1")) == "https://example.com/a?b=1"


# -- the service and the config -------------------------------------------------------------------------

def test_service_refuses_private_links_and_fetches_allowlisted_ones(server, data_dir, caplog) -> None:
    page = (PAGES / "wp_ferry_strike.html").read_bytes()
    server.expect_request("/ferry").respond_with_data(page, content_type="text/html; charset=utf-8")
    url = server.url_for("/ferry")

    default = EventService(data_dir / "a", Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())
    try:
        with caplog.at_level(logging.WARNING, logger="corpus.fetch"):
            result = default.add_url(url)
        assert result.status == "failed" and result.message.startswith("refused: port")
        assert url in caplog.text
        result = default.add_url("file:///etc/passwd")
        assert result.status == "failed" and "refused" in result.message
    finally:
        default.close()

    config = Config(embedding=EmbeddingConfig(model="hash"),
                    fetch=FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[80, 443, server.port]))
    allowed = EventService(data_dir / "b", config, embedder=HashEmbedder())
    try:
        result = allowed.add_url(url)
        assert result.status == "added", result.message
    finally:
        allowed.close()


def test_config_keys(tmp_path, monkeypatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("fetch:\n  allowed_private_hosts: [news.lan, 192.168.1.20, 10.8.0.0/24]\n"
                    "  allowed_ports: [80, 443, 8080]\n  max_redirects: 3\n")
    cfg = load_config(path)
    assert cfg.fetch.allowed_private_hosts == ["news.lan", "192.168.1.20", "10.8.0.0/24"]
    assert cfg.fetch.allowed_ports == [80, 443, 8080]
    assert cfg.fetch.max_redirects == 3
    defaults = load_config().fetch  # the shipped config.yaml
    assert defaults.allowed_private_hosts == [] and defaults.allowed_ports == [80, 443]
    assert defaults.max_redirects == 5
    for bad, where in [("allowed_private_hosts: ['0.0.0.0/0']", "fetch.allowed_private_hosts"),
                       ("allowed_private_hosts: ['not a host!']", "fetch.allowed_private_hosts"),
                       ("allowed_ports: [0]", "fetch.allowed_ports"),
                       ("allowed_ports: []", "fetch.allowed_ports"),
                       ("max_redirects: 50", "fetch.max_redirects")]:
        path.write_text(f"fetch:\n  {bad}\n")
        with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
            load_config(path)


def test_slow_name_lookup_times_out(dns, monkeypatch) -> None:
    def slow(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        time.sleep(1)
        raise socket.gaierror(socket.EAI_NONAME, "too late")

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="took longer than 0.2 s"):
        fetch("http://slow-dns.test/", timeout=0.2)
    assert time.monotonic() - started < 0.8


# -- hostile servers: every fetch ends at its deadline --------------------------------------------------

def test_headers_dripping_hit_the_whole_fetch_deadline() -> None:
    """A server sending its headers a byte at a time (each read well inside the per-read timeout) is
    cut off at the whole-fetch deadline, not when it stops."""
    with RawServer(drip_headers()) as slow:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="took longer than 0.5 s"):
            fetch(f"http://127.0.0.1:{slow.port}/", timeout=0.5, allowed_private_hosts=["127.0.0.1"],
                  allowed_ports=[slow.port])
        assert time.monotonic() - started < 1.5


def test_slow_lookup_unreachable_addresses_and_a_stalled_handshake_share_one_deadline(dns, monkeypatch) -> None:
    """Every stage eats into the same deadline: a lookup taking most of it, addresses that never
    answer a connect, then a TLS handshake that never completes. Before, each stage had the full timeout."""
    timeout = 1.0
    with RawServer(drip_handshake()) as tls:
        black_holes = [f"127.0.0.{n}" for n in range(2, 6)]
        dns.set("everything-slow.test", [*black_holes, "127.0.0.1"])
        real_lookup, real_open = socket.getaddrinfo, fetch_module._open_socket

        def slow_lookup(host, *args, **kw):  # noqa: ANN001, ANN002, ANN003
            time.sleep(0.8 * timeout)
            return real_lookup(host, *args, **kw)

        def open_socket(family, sockaddr, connect_timeout):  # noqa: ANN001
            assert ipaddress.ip_address(sockaddr[0]).is_loopback
            if sockaddr[0] in black_holes:  # a dropped SYN: the connect waits out its timeout
                time.sleep(connect_timeout)
                raise TimeoutError("timed out")
            return real_open(family, sockaddr, connect_timeout)

        monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
        monkeypatch.setattr(fetch_module, "_open_socket", open_socket)
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="took longer than 1 s"):
            fetch(f"https://everything-slow.test:{tls.port}/", timeout=timeout,
                  allowed_private_hosts=["everything-slow.test"], allowed_ports=[tls.port])
        assert time.monotonic() - started < timeout + 1


def test_handshake_dripping_hits_the_deadline(dns) -> None:
    dns.set("drip-tls.test", ["127.0.0.1"])
    with RawServer(drip_handshake()) as tls:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="took longer than 0.5 s"):
            fetch(f"https://drip-tls.test:{tls.port}/", timeout=0.5, allowed_private_hosts=["drip-tls.test"],
                  allowed_ports=[tls.port])
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("location", ["http://[::1", "http://exa mple.com:1:2/", "//[zz]/", "\u00ff://x/",
                                      "https://exa mple.com/", "http://x:99999/", "http://%zz/"])
def test_a_redirect_to_a_link_httpx_cannot_parse_is_refused(location: str) -> None:
    """`http://[::1` made httpx raise a protocol error about the Location header: every such redirect is
    a refusal with a clear message."""
    with RawServer(redirect(location)) as odd:
        with pytest.raises(FetchRefused, match="^refused: that link redirects ") as refused:
            fetch(f"http://127.0.0.1:{odd.port}/", allowed_private_hosts=["127.0.0.1"], allowed_ports=[odd.port])
    if location.startswith(("http://[", "//[", "http://exa mple.com:")):
        assert "not a valid web link" in str(refused.value)


def test_a_redirect_with_backslashes_goes_where_a_browser_goes(dns) -> None:
    r"""`Location: http:\\x` made httpx raise InvalidURL out of fetch (a traceback for `eventbot add bad
    good`, and `good` never added). A browser reads it as http://x/; so does the fetcher."""
    with RawServer(redirect("http:\\\\x")) as odd:
        with pytest.raises(FetchFailed, match="the host x was not found"):
            fetch(f"http://127.0.0.1:{odd.port}/", allowed_private_hosts=["127.0.0.1"], allowed_ports=[80, odd.port])
    assert dns.calls[-1] == "x"


def test_a_page_without_content_type_is_sniffed(server) -> None:
    """No Content-Type: markup reads as HTML, plain words as text, binary data is refused."""
    def untyped(body: bytes) -> Response:
        response = Response(body)
        del response.headers["Content-Type"]
        return response

    server.expect_request("/markup").respond_with_response(untyped(b"\n  " + HTML))
    server.expect_request("/words").respond_with_response(untyped(b"Harbour wall repaired\n\nThe wall was repaired."))
    server.expect_request("/image").respond_with_response(untyped(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)))
    for path, wanted in [("/markup", "text/html"), ("/words", "text/plain")]:
        page = fetch(server.url_for(path), **local(server))
        assert page.content_type == wanted
    with pytest.raises(FetchRefused, match="not a web page or text"):
        fetch(server.url_for("/image"), **local(server))


def test_gzip_with_trailing_zero_padding_is_read(server) -> None:
    """Some servers pad a gzip body with zero bytes; browsers (and gzip -d) ignore them."""
    body = gzip.compress(HTML) + bytes(512)
    server.expect_request("/padded").respond_with_data(body, content_type="text/html",
                                                       headers={"Content-Encoding": "gzip"})
    assert fetch(server.url_for("/padded"), **local(server)).body == HTML
    server.expect_request("/junk").respond_with_data(gzip.compress(HTML) + b"\r\n-- junk --",
                                                     content_type="text/html", headers={"Content-Encoding": "gzip"})
    assert fetch(server.url_for("/junk"), **local(server)).body == HTML
