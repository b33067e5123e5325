"""Each refusal of corpus.fetch names its rule in `FetchRefused.reason` (counted by bot.metrics), whatever
its message says; pages are served on 127.0.0.1 by pytest-httpserver."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from corpus.errors import FetchRefused
from corpus.fetch import fetch


def refusal(url: str, server: HTTPServer, **kw: object) -> str:
    with pytest.raises(FetchRefused) as refused:
        fetch(url, allowed_private_hosts=["127.0.0.1"], allowed_ports=[server.port], timeout=5, **kw)
    return refused.value.reason


def test_every_refusal_names_its_rule(httpserver_ipv4: HTTPServer) -> None:
    server = httpserver_ipv4
    server.expect_request("/big").respond_with_data("<p>" + "x" * 5000, content_type="text/html")
    server.expect_request("/pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    server.expect_request("/away").respond_with_data("", status=302, headers={"Location": f"http://10.0.0.1:{server.port}/"})
    assert refusal(server.url_for("/big"), server, max_bytes=1024) == "too_large"
    assert refusal(server.url_for("/pdf"), server) == "content_type"
    assert refusal(server.url_for("/loop"), server, max_redirects=2) == "redirects"
    assert refusal(server.url_for("/away"), server) == "address"  # a redirect to a private network
    assert refusal("gopher://news.example/a", server) == "scheme"
    assert refusal("http://user:pw@news.example/a", server) == "credentials"
    assert refusal("http://news.example:8081/a", server) == "port"
