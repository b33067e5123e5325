"""Fetching pages that strangers link to, without letting them reach the host's network.

How the address rules (corpus/safety.py) are enforced:

- `check_url` refuses, before any lookup, what the link itself shows: schemes other than http(s),
  user names or passwords, ports off the allowlist, and literal private addresses in every spelling
  `getaddrinfo` accepts (127.1, 2130706433, 0x7f.1, [::ffff:127.0.0.1], ...) and `localhost` names.
- Every TCP connection is opened by `SafeBackend`, the network backend of the connection pool under
  httpx. It resolves the host once (`getaddrinfo`), refuses unless *every* address it got is allowed,
  and then connects to exactly those addresses (a socket per numeric `sockaddr`; nothing resolves the
  name again). The URL is unchanged, so httpx sends the original Host header and httpcore the
  original name as TLS SNI, and the certificate is verified against that name. A DNS answer that
  changes between check and connect (rebinding) therefore cannot steer the connection: the
  address checked is the address connected to.
- After each response arrives, the address the socket is actually connected to (`getpeername`) is
  checked again, so a connection that somehow ended elsewhere is refused before its body is read.
- Redirects are followed by hand, at most `max_redirects`, each target going through `check_url`
  and a fresh `SafeBackend` connection. Proxies from the environment are ignored (`trust_env=False`):
  a proxy would resolve names itself, out of our sight.

Limits: per-operation and whole-fetch timeouts (the whole-fetch deadline bounds the lookup, every connect
attempt, the TLS handshake and every read, so a server sending a byte at a time cannot stretch a fetch),
content types (a body sent without one is sniffed as a browser would), a size cap on both the bytes received
and the bytes unpacked (gzip/deflate are unpacked here, bounded step by step), and a cap on the
compression ratio (a compression bomb is refused early).
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import socket
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address

import httpcore
import httpx
from httpcore._backends.sync import SyncStream  # the plain-socket stream of httpcore's own SyncBackend

from corpus.errors import FetchFailed, FetchRefused
from corpus.safety import LOOPBACK, AddressPolicy, Blocked, literal_address, parse_ip

log = logging.getLogger(__name__)

ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_COMPRESSION_RATIO = 100  # real pages unpack to 3-15 times their compressed size
RATIO_FLOOR = 1_000_000  # up to this many unpacked bytes, any ratio is fine
_ENCODINGS = ("identity", "gzip", "x-gzip", "deflate")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    final_url: str
    content_type: str
    body: bytes
    address: str = ""  # the IP address the page came from
    status: int = 200  # 304: not modified since the `validators` sent, and `body` is empty
    validators: tuple[str, str] = ("", "")  # the response's ETag and Last-Modified, for a conditional GET
    charset: str = ""  # the Content-Type's charset parameter, when it has one


# A lookup given up at the deadline still holds its thread until the system resolver answers (it may take
# tens of seconds): enough threads that a few slow names do not make every other lookup wait.
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="eventbot-dns")


class _NetworkProblem(FetchFailed):
    """Raised inside the transport; `fetch` adds the link to the message."""


# -- the connection ---------------------------------------------------------------------------------

def _open_socket(family: int, sockaddr: tuple, timeout: float | None) -> socket.socket:
    """A TCP socket connected to exactly this numeric, already checked address. (Tests replace it.)"""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class SafeBackend(httpcore.SyncBackend):
    """httpcore's network backend, resolving once, checking every address, connecting to those addresses.

    `deadline` (a `time.monotonic()` value) ends the whole fetch: the lookup, every connect attempt, the
    TLS handshake and every read and write get at most the time left, whatever their own timeout.
    """

    def __init__(self, policy: AddressPolicy, deadline: float | None = None) -> None:
        self.policy = policy
        self.deadline = deadline

    def time_left(self, timeout: float | None, error: type[Exception] = httpcore.ConnectTimeout) -> float | None:
        """`timeout` cut to what is left before the deadline; raises `error` once it has passed."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("out of time")
        return left if timeout is None else min(timeout, left)

    def resolve(self, host: str, port: int, timeout: float | None = None) -> list[tuple[int, tuple]]:
        """The checked (family, sockaddr) pairs to try. Raises `Blocked` if any address is refused.

        The one lookup runs in a worker thread so that a slow name server cannot outlast `timeout`."""
        self.policy.check_port(port)
        lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        try:
            infos = lookup.result(self.time_left(timeout))
        except concurrent.futures.TimeoutError as e:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from e
        except (OSError, UnicodeError) as e:
            raise _NetworkProblem(f"the host {host} was not found") from e
        addresses: list[tuple[int, tuple]] = []
        for family, _, _, _, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            self.policy.check_address(parse_ip(sockaddr[0]), host)
            if (family, sockaddr) not in addresses:
                addresses.append((family, sockaddr))
        if not addresses:
            raise _NetworkProblem(f"the host {host} was not found")
        return addresses

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        error: Exception = httpcore.ConnectError(f"could not connect to {host}")
        for family, sockaddr in self.resolve(host, port, timeout):
            try:
                sock = _open_socket(family, sockaddr, self.time_left(timeout))
            except TimeoutError as e:
                error = httpcore.ConnectTimeout(str(e))
                continue
            except OSError as e:
                error = httpcore.ConnectError(f"{e.strerror or e}")
                continue
            try:
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as e:
                sock.close()
                raise httpcore.ConnectError(str(e)) from e
            return _DeadlineStream(sock, self)
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        raise Blocked("host", detail=f"unix socket {path}")


class _DeadlineStream(SyncStream):
    """A connection whose every read, write and TLS handshake ends by the backend's deadline.

    httpcore gives each read the per-read timeout afresh, so a server sending its headers or body a
    byte at a time would otherwise keep a fetch going for as long as it likes. (A TLS handshake and a
    TLS read are each bounded as a whole by the socket timeout: Python's ssl module counts it per call.)
    """

    def __init__(self, sock: socket.socket, backend: SafeBackend) -> None:
        super().__init__(sock)
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return super().read(max_bytes, self._backend.time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        super().write(buffer, self._backend.time_left(timeout, httpcore.WriteTimeout))

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = super().start_tls(ssl_context, server_hostname, self._backend.time_left(timeout))
        return _DeadlineStream(stream.get_extra_info("socket"), self._backend)


class SafeTransport(httpx.HTTPTransport):
    """httpx's HTTP transport over a connection pool whose every connection `SafeBackend` makes.

    HTTP/1.1 only, no proxies, no Unix sockets. (`HTTPTransport.__init__` is not called: it would
    build a pool on the default backend; `handle_request` and `close` only use `self._pool`.)
    """

    def __init__(self, policy: AddressPolicy, verify: bool = True, deadline: float | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(verify), max_connections=4, http1=True, http2=False,
            retries=0, network_backend=SafeBackend(policy, deadline),
        )


@functools.lru_cache(maxsize=2)
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per setting, made once: loading the CA bundle costs about 90 ms, every fetch otherwise.
    (A context is safe to share between connections and threads once configured.)"""
    return httpx.create_ssl_context(verify=verify)


def _check_peer(response: httpx.Response, policy: AddressPolicy, host: str) -> str:
    """Check the address the response actually came from; return it."""
    stream = response.extensions.get("network_stream")
    try:
        peer = stream.get_extra_info("server_addr") if stream is not None else None
    except OSError:
        peer = None
    if not peer:
        raise Blocked("unverified", detail=f"no peer address for {host}")
    ip = parse_ip(str(peer[0]))
    policy.check_address(ip, host)
    return str(ip)


# -- the link ---------------------------------------------------------------------------------------

def check_url(url: str | httpx.URL, policy: AddressPolicy | None = None) -> httpx.URL:
    """Refuse links we never fetch, from the link alone (no lookup). Returns the parsed link.

    Raises:
        FetchRefused (`Blocked`): with a message for the moderator.
    """
    policy = policy or AddressPolicy()
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url).strip())
    except (httpx.InvalidURL, TypeError, ValueError) as e:
        raise Blocked("invalid", detail=str(e)) from e
    scheme = parsed.scheme.lower()
    if scheme not in ("http", "https"):
        raise Blocked("scheme", scheme)
    if parsed.userinfo:
        raise Blocked("credentials")
    host = parsed.host
    if not host:
        raise Blocked("host")
    policy.check_port(parsed.port if parsed.port is not None else (443 if scheme == "https" else 80))
    literal = literal_address(host)
    if literal is not None:
        policy.check_address(literal, host)
    else:
        name = host.lower().rstrip(".")
        # Always this machine (RFC 6761), whatever a resolver says; refused without asking one.
        loopback_allowed = policy.name_allowed(host) or policy.refusal(IPv4Address("127.0.0.1")) is None
        if (name == "localhost" or name.endswith(".localhost")) and not loopback_allowed:
            raise Blocked("address", LOOPBACK, f"{host} is a localhost name")
    return parsed


# -- the fetch --------------------------------------------------------------------------------------

def fetch(url: str, *, timeout: float = 15.0, max_bytes: int = 5_000_000, user_agent: str = "eventbot",
          allowed_private_hosts: Iterable[str] = (), allowed_ports: Iterable[int] = (80, 443),
          max_redirects: int = 5, max_compression_ratio: float = MAX_COMPRESSION_RATIO,
          types: Iterable[str] = ALLOWED_TYPES, accept: str | None = None,
          validators: tuple[str, str] = ("", "")) -> FetchedPage:
    """GET a page from an untrusted link, following at most `max_redirects` redirects.

    `timeout` bounds each connect and read and also the whole fetch (redirects and body included).
    `allowed_private_hosts` (host names, IPs or CIDR networks) may be private; `allowed_ports` are the
    only ports fetched from. `types`: the content types taken (and `accept` the Accept header asking for
    them). `validators`: the ETag and Last-Modified of the copy held, sent as If-None-Match and
    If-Modified-Since (a conditional GET): a 304 answer is a `FetchedPage` with `status` 304 and no body.

    Raises:
        FetchRefused: the link, an address, a redirect, the content type or the size is refused
            (logged as a warning with the link).
        FetchFailed: network error, timeout or HTTP error status.
        ValueError: a malformed allowlist entry or port (the config validates them first).
    """
    policy = AddressPolicy.build(allowed_private_hosts, allowed_ports)
    asked = _Asked(tuple(types), accept or _ACCEPT, validators)
    try:
        return _fetch(url, policy, timeout, max_bytes, user_agent, max_redirects, max_compression_ratio, asked)
    except FetchRefused as e:
        detail = getattr(e, "detail", "")
        log.warning("refused to fetch %s: %s%s", url, e, f" [{detail}]" if detail else "")
        raise
    except FetchFailed as e:
        log.info("could not fetch %s: %s", url, e)
        raise


@dataclass(frozen=True)
class _Asked:
    """What a fetch asks for: the content types it takes, its Accept header, the validators it sends."""

    types: tuple[str, ...]
    accept: str
    validators: tuple[str, str]

    def headers(self) -> dict[str, str]:
        etag, modified = self.validators
        return {"Accept": self.accept, **({"If-None-Match": etag} if etag else {}),
                **({"If-Modified-Since": modified} if modified else {})}


_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1"


def _fetch(url: str, policy: AddressPolicy, timeout: float, max_bytes: int, user_agent: str, max_redirects: int,
           max_ratio: float, asked: _Asked) -> FetchedPage:
    deadline = time.monotonic() + timeout
    current = check_url(url, policy)
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate", **asked.headers()}
    try:
        # The transport itself, not an httpx.Client: the client parses every Location header on its own
        # (raising InvalidURL for `http:\\x`), and redirects are followed here, by `_redirect`.
        with SafeTransport(policy, deadline=deadline) as transport:
            for hop in range(max_redirects + 1):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise httpx.TimeoutException("out of time")
                request = httpx.Request("GET", current, headers=headers,
                                        extensions={"timeout": httpx.Timeout(min(timeout, remaining)).as_dict()})
                try:
                    response = transport.handle_request(request)
                except Blocked as e:
                    raise e.after_redirect() if hop else e
                try:
                    try:
                        address = _check_peer(response, policy, current.host)
                    except Blocked as e:
                        raise e.after_redirect() if hop else e
                    if response.status_code in REDIRECT_CODES and response.headers.get("location"):
                        current = _redirect(current, response.headers["location"], policy)
                        continue
                    return _page(url, current, response, address, max_bytes, max_ratio, deadline, timeout, asked)
                finally:
                    response.close()
    except httpx.TimeoutException as e:
        raise FetchFailed(f"could not fetch {url}: it took longer than {timeout:g} s") from e
    except _NetworkProblem as e:
        raise FetchFailed(f"could not fetch {url}: {e}") from e
    except httpx.ConnectError as e:
        raise FetchFailed(f"could not fetch {url}: could not connect to {current.host} ({e})") from e
    except httpx.HTTPError as e:
        raise FetchFailed(f"could not fetch {url}: {e}") from e
    raise FetchRefused(f"refused: that link redirects more than {max_redirects} times", "redirects")


def _redirect(current: httpx.URL, location: str, policy: AddressPolicy) -> httpx.URL:
    # Browsers read a backslash in an http(s) link as a slash (`http:\\host` is http://host/).
    try:
        target = current.join(location.strip().replace("\\", "/"))
    except (httpx.InvalidURL, ValueError) as e:
        raise Blocked("invalid", detail=f"redirect to {location!r}", redirected=True) from e
    try:
        return check_url(target, policy)
    except Blocked as e:
        raise e.after_redirect() from None


def _page(url: str, final: httpx.URL, response: httpx.Response, address: str, max_bytes: int, max_ratio: float,
          deadline: float, timeout: float, asked: _Asked) -> FetchedPage:
    status = response.status_code
    validators = (response.headers.get("etag", "").strip(), response.headers.get("last-modified", "").strip())
    if status == 304 and any(asked.validators):
        return FetchedPage(url=url, final_url=str(final), content_type="", body=b"", address=address, status=304,
                           validators=tuple(v or held for v, held in zip(validators, asked.validators)))  # type: ignore[arg-type]
    if not 200 <= status < 300:
        why = "" if status >= 400 else " instead of a page"
        raise FetchFailed(f"could not fetch {url}: the server answered {status} {response.reason_phrase}{why}")
    content_type, _, params = response.headers.get("content-type", "").partition(";")
    content_type = content_type.strip().lower()
    charset = next((v.strip().strip('"\'') for k, _, v in (p.partition("=") for p in params.split(";"))
                    if k.strip().lower() == "charset"), "")
    if content_type and content_type not in asked.types:
        raise FetchRefused(f"refused: {url} is {content_type}, not a web page or text", "content_type")
    encoding = response.headers.get("content-encoding", "").strip().lower() or "identity"
    if encoding not in _ENCODINGS:
        raise FetchRefused(f"refused: {url} is compressed as {encoding!r}, which is not read", "encoding")
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"refused: {url} is larger than {_size(max_bytes)}", "too_large")
    body = _read_body(url, response, encoding, max_bytes, max_ratio, deadline, timeout)
    if not content_type:
        content_type = sniff(body)
        if content_type not in asked.types:
            what = "binary data" if content_type == "application/octet-stream" else content_type
            raise FetchRefused(f"refused: {url} is {what} (no Content-Type was sent), not a web page or text",
                               "content_type")
    return FetchedPage(url=url, final_url=str(final), content_type=content_type, body=body, address=address,
                       status=status, validators=validators, charset=charset)


_HTML_STARTS = tuple(t.encode() for t in (
    "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
    "<title", "<b", "<body", "<br", "<p", "<!--", "<meta", "<article", "<section", "<main", "<header", "<nav"))
_BINARY_BYTES = frozenset(b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15"
                          b"\x16\x17\x18\x19\x1a\x1c\x1d\x1e\x1f")


def sniff(body: bytes) -> str:
    """The type of a body sent without a Content-Type, as a browser guesses it (WHATWG MIME sniffing, for
    the types we read): markup at the start is text/html, an XML document text/xml (XHTML when it holds
    <html), a UTF-16 text or bytes free of control codes text/plain, anything else application/octet-stream."""
    head = body[:1445]
    if head.startswith((b"\xfe\xff", b"\xff\xfe")):
        return "text/plain"
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\t\n\x0c\r ").lower()
    for tag in _HTML_STARTS:
        if start.startswith(tag) and start[len(tag):len(tag) + 1] in (b" ", b">", b"") and len(start) > len(tag):
            return "text/html"
    if start.startswith(b"<?xml"):
        return "application/xhtml+xml" if b"<html" in head.lower() else "text/xml"
    return "application/octet-stream" if _BINARY_BYTES.intersection(head) else "text/plain"


def _read_body(url: str, response: httpx.Response, encoding: str, max_bytes: int, max_ratio: float,
               deadline: float, timeout: float) -> bytes:
    """The unpacked body, refusing it as soon as it passes `max_bytes` (received or unpacked) or
    unpacks to more than `max_ratio` times the bytes received."""
    unpacker = _Unpacker(encoding)
    parts: list[bytes] = []
    received = size = 0
    for chunk in response.iter_raw():  # as the network delivers it (at most 64 KB a read)
        received += len(chunk)
        if received > max_bytes:
            raise FetchRefused(f"refused: {url} is larger than {_size(max_bytes)}", "too_large")
        limit = max_bytes if unpacker.identity else min(max_bytes, max(RATIO_FLOOR, int(max_ratio * received)))
        try:
            piece = unpacker.feed(chunk, limit - size)
        except zlib.error as e:
            raise FetchFailed(f"could not fetch {url}: its compressed data is damaged") from e
        size += len(piece)
        if size > limit:
            if limit < max_bytes:
                raise FetchRefused(f"refused: {url} unpacks to more than {max_ratio:g} times its size "
                                   "(a compression bomb?)", "too_large")
            raise FetchRefused(f"refused: {url} is larger than {_size(max_bytes)}"
                               + ("" if unpacker.identity else " once unpacked"), "too_large")
        parts.append(piece)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout(f"longer than {timeout:g} s")
    return b"".join(parts)


class _Unpacker:
    """gzip/deflate decoding that never produces more than asked for in one step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.identity = encoding == "identity"
        self._z = None if self.identity else self._new()
        self._started = False
        self._pending = b""  # the start of what may be a next gzip member, split between two reads
        self._finished = False  # what follows the last gzip member is padding or junk, ignored

    def _new(self):  # noqa: ANN202
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS)  # deflate as RFC 9110 means it (zlib); raw deflate below

    def feed(self, data: bytes, room: int) -> bytes:
        """Unpack `data`, producing at most `room + 1` bytes (more than `room` means: over the limit)."""
        if self._z is None:
            return data
        if self._finished:
            return b""
        out = bytearray()
        data, self._pending = self._pending + data, b""
        while data and len(out) <= room:
            if self._z.eof:
                if self.encoding == "deflate":
                    break  # trailing bytes after the stream
                if len(data) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(data):
                    self._pending = data
                    break
                if not data.startswith(_GZIP_MAGIC):
                    # Zero padding or junk after a whole member: gzip -d and browsers ignore it.
                    self._finished = True
                    break
                self._z = self._new()  # the next gzip member
            try:
                piece = self._z.decompress(data, room + 1 - len(out))
            except zlib.error:
                if self.encoding == "deflate" and not self._started:
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # some servers send raw deflate
                    self._started = True
                    continue
                raise
            self._started = True
            out += piece
            data = self._z.unused_data if self._z.eof else self._z.unconsumed_tail
        return bytes(out)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1000:
        return f"{n / 1000:g} KB"
    return f"{n} bytes"
