"""Feeds and article pages written for the tests (original text), served by a local web site on 127.0.0.1.

`FeedSite` answers conditional GETs as a real server does (ETag and Last-Modified; 304 when unchanged),
counts every request per path, and can redirect, fail with a status, or fail a number of times first.
The feed benchmark (bench/feeds.py) serves its 100 feeds from it too.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from bot.config import Config, EmbeddingConfig, FeedsConfig, FetchConfig

LAST_MODIFIED = "Mon, 30 Nov 2026 08:00:00 GMT"

_TOWNS = ["Velmora", "Kastro", "Lindqvist", "Saltmarch", "Brenholt", "Orvik", "Tamsin Bay", "Kettle Point",
          "Marrow Hill", "Dunmere", "Oakhaven", "Riverside", "Calder", "Westfold", "Pellan"]
_SAYERS = ["spokeswoman Anja Verlinde", "chair Oskar Lindgren", "director Petra Lund", "mayor Idris Calloway",
           "treasurer Mira Okafor", "secretary Tomas Reyes"]
# Words the stories are drawn from at random: every story its own wording, as real articles have (templated
# sentences would make every story look like a copy of the others to the syndication check).
_WORDS = """harbour council budget vote storm repairs ferry quay workers union strike wages school hospital nurses
bridge river flood water pumps farmers harvest frost orchard cherries grain market prices shops rents housing
tenants landlord police inquiry court judge ruling appeal minister ministry office report figures data survey
residents families children teachers pupils exams rail station trains delays buses road traffic closure
festival music theatre museum library archive fire crews blaze forest smoke wind power turbines grid cables
outage engineers contract tender company shares profits losses jobs factory plant steel timber fishing boats
catch quota coast lighthouse tourists hotels season weekend holiday visitors ticket fares airport runway
flights cargo port containers cranes dock shift night morning evening statement plan proposal draft law tax
levy grant fund charity volunteers clinic doctors patients beds ward waiting list election candidate ballot
turnout mayor deputy committee hearing evidence witness documents emails audit accounts deficit surplus loan
bank interest rate savings pension benefits council tax schools district quarter village valley hill lake
dam reservoir drought rainfall snow ice roads gritters salt supplies shortage queue protest march square
""".split()
_VERBS = ["approved", "rejected", "postponed", "announced", "questioned", "defended", "criticised", "welcomed",
          "reviewed", "published", "delayed", "expanded", "cut", "raised", "closed", "reopened", "funded", "promised"]


def _sentence(rng: random.Random, town: str) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(7, 12))]
    words.insert(rng.randint(1, 3), rng.choice(_VERBS))
    words.insert(rng.randint(4, len(words)), f"{rng.randint(2, 990)}")
    return f"{town} {' '.join(words)}."


def story(n: int, seed: int = 0) -> tuple[str, list[str]]:
    """Article `n`'s title and four paragraphs of news-like prose, different for every (n, seed)."""
    rng = random.Random(n * 7919 + seed)
    town = rng.choice(_TOWNS)
    title = f"{town} {rng.choice(_VERBS)} {' '.join(rng.choice(_WORDS) for _ in range(5))} (report {n}-{seed})"
    sayer = rng.choice(_SAYERS)
    day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    paragraphs = [
        f"{town.upper()} - On {day}, " + " ".join(_sentence(rng, town) for _ in range(3)),
        f"\"{' '.join(_sentence(rng, town) for _ in range(2))}\" {sayer} said on {day}.",
        " ".join(_sentence(rng, rng.choice(_TOWNS)) for _ in range(3)),
        " ".join(_sentence(rng, town) for _ in range(2)),
    ]
    return title, paragraphs


def article_page(n: int, seed: int = 0, *, author: str | None = None, date: str | None = None,
                 outlet: str = "The Test Ledger") -> bytes:
    """A small news page for story `n`; its author and date are in the page only when given."""
    title, paragraphs = story(n, seed)
    meta = "".join([f'<meta name="author" content="{author}">' if author else "",
                    f'<meta property="article:published_time" content="{date}">' if date else ""])
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {outlet}</title>'
            f'<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="{outlet}">'
            f'{meta}</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f"<article><h1>{escape(title)}</h1>\n{body}\n</article>"
            f"<footer>Copyright 2026 {outlet}.</footer></body></html>").encode()


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str | None = None
    date: datetime | None = None
    author: str | None = None


def items(links: Sequence[str], start: int = 0, newest: datetime | None = None) -> list[Item]:
    """Feed items for these links, newest first, an hour apart, titled after their stories."""
    newest = newest or datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    return [Item(story(start + i)[0], link, guid=f"urn:test:{start + i}", date=newest - timedelta(hours=i),
                 author="Nadia Sorensen") for i, link in enumerate(links)]


def rss20(entries: Sequence[Item], title: str = "Test Ledger: latest", encoding: str = "utf-8") -> bytes:
    body = "".join(
        "<item>"
        f"<title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        + (f'<guid isPermaLink="false">{escape(e.guid)}</guid>' if e.guid else "")
        + (f"<pubDate>{format_datetime(e.date)}</pubDate>" if e.date else "")
        + (f"<dc:creator>{escape(e.author)}</dc:creator>" if e.author else "")
        + "</item>" for e in entries)
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link><description>News</description>{body}</channel></rss>"
            ).encode(encoding, "xmlcharrefreplace")


def rss091(entries: Sequence[Item], title: str = "Test Ledger 0.91") -> bytes:
    body = "".join(f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link></item>" for e in entries)
    return (f'<?xml version="1.0"?>\n<rss version="0.91"><channel><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link><description>News</description><language>en</language>"
            f"{body}</channel></rss>").encode()


def rss10(entries: Sequence[Item], title: str = "Test Ledger RDF") -> bytes:
    seq = "".join(f'<rdf:li rdf:resource="{escape(e.link)}"/>' for e in entries)
    body = "".join(
        f'<item rdf:about="{escape(e.link)}"><title>{escape(e.title)}</title><link>{escape(e.link)}</link>'
        + (f"<dc:date>{e.date.isoformat()}</dc:date>" if e.date else "")
        + (f"<dc:creator>{escape(e.author)}</dc:creator>" if e.author else "") + "</item>" for e in entries)
    return ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="http://example.invalid/"><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link><description>News</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{body}</rdf:RDF>").encode()


def atom(entries: Sequence[Item], title: str = "Test Ledger Atom", base: str | None = None) -> bytes:
    body = "".join(
        f'<entry><title>{escape(e.title)}</title><link rel="alternate" href="{escape(e.link)}"/>'
        f"<id>{escape(e.guid or e.link)}</id>"
        + (f"<updated>{e.date.isoformat()}</updated>" if e.date else "")
        + (f"<author><name>{escape(e.author)}</name></author>" if e.author else "") + "</entry>" for e in entries)
    xml_base = f' xml:base="{base}"' if base else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{xml_base}>'
            f"<title>{escape(title)}</title><id>urn:test:feed</id><updated>2026-11-30T09:00:00Z</updated>"
            f"{body}</feed>").encode()


def site_config(site: FeedSite, feeds: FeedsConfig | None = None) -> Config:
    """A config for the tests' hash embedder that may fetch from `site` (127.0.0.1 and its port)."""
    return Config(embedding=EmbeddingConfig(model="hash"), feeds=feeds or FeedsConfig(),
                  fetch=FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[site.port], timeout_seconds=5))


# -- the site -----------------------------------------------------------------------------------------

@dataclass
class _Resource:
    body: bytes
    content_type: str
    status: int = 200
    location: str | None = None
    failures: int = 0  # answer `status` this many times, then the body


class FeedSite:
    """Feeds and pages at http://127.0.0.1:PORT/PATH. `hits[path]` counts requests, `not_modified[path]` 304s."""

    def __init__(self) -> None:
        self.resources: dict[str, _Resource] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def add(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        self.resources["/" + path.lstrip("/")] = _Resource(body, content_type)
        return self.url(path)

    def fail(self, path: str, status: int, times: int = 10**9) -> None:
        """Answer `status` to the next `times` requests for `path` (then its body, if it has one)."""
        held = self.resources.get("/" + path.lstrip("/"), _Resource(b"", "text/plain"))
        self.resources["/" + path.lstrip("/")] = _Resource(held.body, held.content_type, status, failures=times)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        self.resources["/" + path.lstrip("/")] = _Resource(b"", "text/plain", status, location=to)
        return self.url(path)

    def total(self, prefix: str = "/") -> int:
        return sum(n for path, n in self.hits.items() if path.startswith(prefix))

    def answer(self, path: str, if_none_match: str | None, if_modified_since: str | None,
               ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.hits[path] += 1
            resource = self.resources.get(path)
            if resource is None:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            if resource.location:
                return resource.status, {"Location": resource.location}, b""
            if resource.failures > 0:
                resource.failures -= 1
                return resource.status, {"Content-Type": "text/plain"}, b"server error"
            etag = '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'
            if (if_none_match and if_none_match == etag) or (not if_none_match and if_modified_since == LAST_MODIFIED):
                self.not_modified[path] += 1
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": resource.content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED}, \
                resource.body

    @contextmanager
    def running(self) -> Iterator[FeedSite]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                status, headers, body = site.answer(self.path.split("?")[0], self.headers.get("If-None-Match"),
                                                    self.headers.get("If-Modified-Since"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()
