"""Hostile web servers on 127.0.0.1 for the fetch tests, the end-to-end tests and bench/fuzz.py: each
connection is handed to a function that misbehaves in one way (drips its headers, stalls a TLS
handshake, redirects to an unparseable link, ...). The server reads the client's first bytes (the
request, or a TLS ClientHello) and gives them to the handler."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

Handler = Callable[[socket.socket, threading.Event, bytes], None]


class RawServer:
    """A TCP listener on 127.0.0.1 running `handler(conn, closed, request)` in a thread for each connection
    until closed (`closed` is set then, so that a slow handler can stop)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(30)
                self.handler(conn, self.closed, conn.recv(65536))
            except OSError:
                pass

    def close(self) -> None:
        self.closed.set()
        self.listener.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def drip(first: bytes, then: bytes, seconds: float = 5.0, every: float = 0.05) -> Handler:
    """Send `first`, then `then` every `every` seconds for `seconds` (so that a
    fetch that fails to give up still ends, and its test with it)."""

    def handler(conn: socket.socket, closed: threading.Event, request: bytes) -> None:
        conn.sendall(first)
        for _ in range(int(seconds / every)):
            if closed.wait(every):
                return
            conn.sendall(then)

    return handler


def drip_headers(seconds: float = 5.0) -> Handler:
    """A never-ending header, one byte at a time: each read well inside any per-read timeout."""
    return drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ", b"a", seconds)


def drip_handshake(seconds: float = 5.0) -> Handler:
    """After the ClientHello, a TLS record header announcing 16 KB, then its body a byte at a time."""
    return drip(b"\x16\x03\x03\x40\x00", b"\x00", seconds)


def redirect(location: str) -> Handler:
    """A 302 to `location`, written as it is (httpx's client raised InvalidURL on some)."""

    def handler(conn: socket.socket, closed: threading.Event, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + location.encode("latin-1")
                     + b"\r\nContent-Length: 0\r\n\r\n")

    return handler


def respond(body: bytes, headers: dict[str, str]) -> Handler:
    """A 200 with exactly these headers (none added: no Content-Type unless given)."""

    def handler(conn: socket.socket, closed: threading.Event, request: bytes) -> None:
        head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, "Content-Length": str(len(body))}.items())
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + head.encode("latin-1") + b"\r\n" + body)

    return handler


class Routes:
    """A handler by request path, set as the test goes (`routes["/x"] = redirect(...)`); 404 elsewhere."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def __setitem__(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def __call__(self, conn: socket.socket, closed: threading.Event, request: bytes) -> None:
        parts = request.split(b" ", 2)
        path = parts[1].decode("latin-1") if len(parts) > 2 else ""
        handler = self.handlers.get(path)
        if handler is None:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        handler(conn, closed, request)
