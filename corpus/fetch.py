"""Fetching pages over HTTP(S): timeouts, a size limit, allowed content types.

The safety rules for untrusted URLs (private addresses, redirects, ports) belong in `check_url`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from corpus.errors import FetchFailed, FetchRefused

log = logging.getLogger(__name__)

ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")


@dataclass(frozen=True)
class FetchedPage:
    url: str
    final_url: str
    content_type: str
    body: bytes


def check_url(url: str) -> None:
    """Refuse URLs we never fetch. Raises `FetchRefused` with a message for the moderator."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"refused: only http and https links can be added, not {parts.scheme or 'a bare path'}")
    if not parts.hostname:
        raise FetchRefused("refused: that link has no host name")
    if parts.username or parts.password:
        raise FetchRefused("refused: links with a user name or password are not fetched")


def fetch(url: str, *, timeout: float = 15.0, max_bytes: int = 5_000_000, user_agent: str = "eventbot") -> FetchedPage:
    """GET a page, following redirects, reading at most `max_bytes`.

    Raises:
        FetchRefused: the URL is not one we fetch.
        FetchFailed: network error, HTTP error status, wrong content type or too large.
    """
    check_url(url)
    headers = {"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5, headers=headers) as client:
            with client.stream("GET", url) as response:
                for hop in response.history:
                    check_url(str(hop.headers.get("location", hop.url)))
                check_url(str(response.url))
                if response.status_code >= 400:
                    raise FetchFailed(f"could not fetch {url}: the server answered {response.status_code} {response.reason_phrase}")
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if content_type and content_type not in ALLOWED_TYPES:
                    raise FetchFailed(f"could not add {url}: it is {content_type}, not a web page or text")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchFailed(f"could not add {url}: the page is larger than {max_bytes // 1_000_000} MB")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchFailed(f"could not add {url}: the page is larger than {max_bytes // 1_000_000} MB")
                    chunks.append(chunk)
                return FetchedPage(url=url, final_url=str(response.url), content_type=content_type, body=b"".join(chunks))
    except httpx.TimeoutException as e:
        raise FetchFailed(f"could not fetch {url}: it took longer than {timeout:g} s") from e
    except httpx.TooManyRedirects as e:
        raise FetchFailed(f"could not fetch {url}: too many redirects") from e
    except httpx.HTTPError as e:
        raise FetchFailed(f"could not fetch {url}: {e}") from e
