"""News feeds (RSS 0.9x/1.0/2.0, Atom): reading a feed document, and what is remembered of each feed.

`parse_feed` turns a fetched feed into entries (feedparser does the parsing, forgiving broken XML and
wrong encodings as browsers do). `FeedStore` keeps the followed feeds and every entry seen, in tables of
the article store's SQLite file, so a restart neither re-adds old entries nor forgets a feed's errors.
Times in the store are Unix seconds (UTC).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from corpus.errors import CorpusError
from corpus.invisible import strip_invisible
from corpus.store import BUSY_TIMEOUT, normalize_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/x-rss+xml", "text/html", "text/plain")  # feeds are often sent as text/html or text/plain
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
               "text/xml;q=0.9, */*;q=0.1")


class NotAFeed(CorpusError):
    """A fetched document is not an RSS or Atom feed."""


class FeedNotFound(CorpusError):
    """No followed feed matches the given URL or id."""


class FeedExists(CorpusError):
    """The feed is already followed."""


# -- parsing ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed. `key` tells it from the others across polls (its id, else its link)."""

    key: str
    url: str | None
    title: str
    published_at: str | None = None  # ISO 8601, UTC
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    version: str  # feedparser's name for the format: "rss20", "atom10", "rss090", ...
    entries: list[FeedEntry]
    problem: str | None = None  # what was wrong with the document when it was read anyway (broken XML, encoding)


def parse_feed(body: bytes, url: str, charset: str = "", content_type: str = "") -> ParsedFeed:
    """The entries of a feed document fetched from `url` (the base of relative links).

    Raises:
        NotAFeed: the document is no feed (a web page, plain text, XML of another kind, nothing readable).
    """
    import feedparser  # imported here: only polling needs it

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = f"{content_type}; charset={charset}" if charset else content_type
    # Entry links are resolved whatever resolve_relative_uris says; it is about the HTML of summaries (unused).
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        detail = f" ({why})" if why and not isinstance(why, feedparser.CharacterEncodingOverride) else ""
        raise NotAFeed(f"{url} is not an RSS or Atom feed{detail}")
    problem = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    entries = [e for e in (_entry(raw) for raw in parsed.entries) if e is not None]
    title = _text(parsed.feed.get("title")) or url
    return ParsedFeed(title, parsed.get("version") or "unknown", entries, problem)


def _entry(raw: dict) -> FeedEntry | None:
    link = _link(raw)
    title = _text(raw.get("title"))
    key = _text(raw.get("id")) or link
    if not key:
        if not title:
            return None
        key = "title:" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:32]
    detail = raw.get("author_detail") or {}
    author = _text(detail.get("name")) or _text(raw.get("author"))
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", stamp) if stamp else None
    return FeedEntry(key=key[:2000], url=link, title=title or link or key, published_at=published,
                     author=author if author and "@" not in author else None)


def _link(raw: dict) -> str | None:
    """The entry's web page: its alternate link, else its first link of any kind (http or https only)."""
    candidates = [raw.get("link")] + [x.get("href") for x in raw.get("links", ()) if x.get("rel") == "alternate"]
    for link in candidates:
        text = _text(link)
        if text and text.lower().startswith(("http://", "https://")):
            return text
    return None


def _text(value: object) -> str:
    return " ".join(strip_invisible(str(value)).split()) if value else ""


# -- the followed feeds -------------------------------------------------------------------------------

class EntryStatus(StrEnum):
    PENDING = "pending"  # its page could not be fetched yet: tried again at `next_try_at`
    ADDED = "added"
    UPDATED = "updated"  # a held page's new version
    DUPLICATE = "duplicate"  # already held (by its link or its text)
    FAILED = "failed"  # its page is refused or holds no article: not tried again
    GIVEN_UP = "given up"  # its page could not be fetched in `max_attempts` tries
    SKIPPED = "skipped"  # beyond the cap of new entries of one poll: never fetched
    NO_LINK = "no link"


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str
    guild_id: int | None  # the server that follows it (None: the command line)
    channel_id: int | None  # where its new articles are announced (None: nowhere)
    added_by: int | None
    added_at: float
    etag: str = ""
    last_modified: str = ""
    last_poll_at: float | None = None
    next_poll_at: float = 0.0
    last_new_at: float | None = None  # the last poll that found a new entry
    last_error: str | None = None  # the last poll's error (None once a poll succeeds)
    errors: int = 0  # polls failed in a row
    articles_added: int = 0
    polls: int = 0


@dataclass(frozen=True)
class StoredEntry:
    feed_id: int
    key: str
    url: str | None
    title: str
    published_at: str | None
    author: str | None
    status: EntryStatus
    attempts: int = 0
    error: str | None = None
    article_id: int | None = None

    def as_entry(self) -> FeedEntry:
        return FeedEntry(self.key, self.url, self.title, self.published_at, self.author)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    added_by INTEGER,
    added_at REAL NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_poll_at REAL,
    next_poll_at REAL NOT NULL DEFAULT 0,
    last_new_at REAL,
    last_error TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    articles_added INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    published_at TEXT,
    author TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at REAL,
    error TEXT,
    article_id INTEGER,
    seen_at REAL NOT NULL,
    PRIMARY KEY (feed_id, key)
);
CREATE INDEX IF NOT EXISTS feed_entries_pending ON feed_entries(status, next_try_at);
"""
_FEED_COLUMNS = ("id, url, title, guild_id, channel_id, added_by, added_at, etag, last_modified, last_poll_at, "
                 "next_poll_at, last_new_at, last_error, errors, articles_added, polls")
_ENTRY_COLUMNS = "feed_id, key, url, title, published_at, author, status, attempts, error, article_id"
SCHEMA_VERSION = 1  # kept in the store's meta table as `feeds_schema`


class FeedStore:
    """The followed feeds and the entries seen, in the article store's SQLite file (its own connection).

    Safe to share between threads (one connection, serialised by a lock), and between processes (SQLite).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        """Create the feed tables in a store made before feeds existed (later versions add columns here)."""
        with self._lock:
            self._db.executescript(_SCHEMA)
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('feeds_schema', ?)",
                             (str(SCHEMA_VERSION),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- feeds ----------------------------------------------------------------------------------------

    def add(self, url: str, title: str, guild_id: int | None = None, channel_id: int | None = None,
            added_by: int | None = None, now: float | None = None) -> Feed:
        """Follow a feed, first polled at once. Raises `FeedExists` if its URL is followed already."""
        now = time.time() if now is None else now
        with self._lock:
            self.check_new(url)
            cursor = self._db.execute(
                "INSERT INTO feeds (url, title, guild_id, channel_id, added_by, added_at, next_poll_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (url, title, guild_id, channel_id, added_by, now, now))
            return self.get(int(cursor.lastrowid or 0))

    def check_new(self, url: str) -> None:
        """Raises `FeedExists` if a feed with this URL (up to case, tracking parameters and a trailing slash)
        is followed."""
        held = self._by_url(url)
        if held is not None:
            raise FeedExists(f"that feed is already followed (feed {held.id}: {held.title})")

    def get(self, feed_id: int) -> Feed:
        with self._lock:
            row = self._db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        if row is None:
            raise FeedNotFound(f"no feed {feed_id} is followed")
        return Feed(*row)

    def find(self, url_or_id: str) -> Feed:
        """The feed with this id or URL (up to case, tracking parameters and a trailing slash)."""
        key = url_or_id.strip()
        if key.isascii() and key.isdigit() and len(key) < 19:
            try:
                return self.get(int(key))
            except FeedNotFound:
                pass
        feed = self._by_url(key)
        if feed is not None:
            return feed
        raise FeedNotFound(f"no followed feed has the id or URL {key!r} (see the list of feeds)")

    def _by_url(self, url: str) -> Feed | None:
        """The feed followed with this URL, up to case, tracking parameters and a trailing slash."""
        wanted = normalize_url(url)
        return next((f for f in self.feeds() if normalize_url(f.url) == wanted), None)

    def feeds(self, guild_id: int | None = None) -> list[Feed]:
        """Every feed followed, or only those a server follows; in the order they were added."""
        where, params = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        with self._lock:
            rows = self._db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds {where} ORDER BY id", params).fetchall()
        return [Feed(*r) for r in rows]

    def remove(self, feed_id: int) -> None:
        """Stop following a feed and forget its entries (the articles they added stay)."""
        with self._lock:
            self._db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def due(self, now: float) -> list[Feed]:
        """The feeds whose next poll is due, or that have an entry due to be tried again."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds WHERE next_poll_at <= ? OR id IN (SELECT feed_id FROM "
                "feed_entries WHERE status = ? AND next_try_at <= ?) ORDER BY next_poll_at",
                (now, EntryStatus.PENDING.value, now)).fetchall()
        return [Feed(*r) for r in rows]

    def record_poll(self, feed: Feed, *, now: float, next_poll_at: float, error: str | None = None,
                    validators: tuple[str, str] | None = None, title: str | None = None, new: bool = False,
                    added: int = 0) -> Feed:
        """What a poll found: its error (None: success, which ends a run of errors), the validators for the
        next conditional GET, whether it found new entries, and how many articles they added."""
        with self._lock:
            self._db.execute(
                "UPDATE feeds SET last_poll_at = ?, next_poll_at = ?, last_error = ?, "
                "errors = CASE WHEN ? IS NULL THEN 0 ELSE errors + 1 END, polls = polls + 1, "
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), title = COALESCE(?, title), "
                "last_new_at = CASE WHEN ? THEN ? ELSE last_new_at END, articles_added = articles_added + ? "
                "WHERE id = ?",
                (now, next_poll_at, error, error, *(validators or (None, None)), title, new, now, added, feed.id))
            return self.get(feed.id)

    def count_added(self, feed_id: int, added: int) -> None:
        """Articles added by entries tried again between polls."""
        with self._lock:
            self._db.execute("UPDATE feeds SET articles_added = articles_added + ? WHERE id = ?", (added, feed_id))

    # -- entries --------------------------------------------------------------------------------------

    def unseen(self, feed_id: int, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        """The entries never seen in this feed, in the order given (each key once)."""
        keys = list(dict.fromkeys(e.key for e in entries))
        seen: set[str] = set()
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                seen.update(r[0] for r in self._db.execute(
                    f"SELECT key FROM feed_entries WHERE feed_id = ? AND key IN ({','.join('?' * len(chunk))})",
                    (feed_id, *chunk)))
        first = {}
        for e in entries:
            if e.key not in seen:
                first.setdefault(e.key, e)
        return list(first.values())

    def claim(self, feed_id: int, entries: Iterable[FeedEntry], status: EntryStatus, now: float,
              next_try_at: float | None = None) -> list[FeedEntry]:
        """Record entries as seen with `status`; returns those recorded here (another process polling the
        same feed at the same moment may have recorded some first: they are its to fetch). `next_try_at`:
        when a pending entry is tried again should this poll end before it is done with it."""
        claimed = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for e in entries:
                    cursor = self._db.execute(
                        "INSERT OR IGNORE INTO feed_entries (feed_id, key, url, title, published_at, author, status, "
                        "seen_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (feed_id, e.key, e.url, e.title, e.published_at, e.author, status.value, now, next_try_at))
                    if cursor.rowcount:
                        claimed.append(e)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return claimed

    def set_entry(self, feed_id: int, key: str, status: EntryStatus, *, attempts: int, error: str | None = None,
                  next_try_at: float | None = None, article_id: int | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE feed_entries SET status = ?, attempts = ?, error = ?, next_try_at = ?, article_id = ? "
                "WHERE feed_id = ? AND key = ?", (status.value, attempts, error, next_try_at, article_id, feed_id, key))

    def due_entries(self, feed_id: int, now: float) -> list[StoredEntry]:
        """The feed's entries waiting to be tried again whose time has come."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM feed_entries WHERE feed_id = ? AND status = ? AND next_try_at <= ? "
                "ORDER BY next_try_at", (feed_id, EntryStatus.PENDING.value, now)).fetchall()
        return [_stored(r) for r in rows]

    def entries(self, feed_id: int) -> list[StoredEntry]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_ENTRY_COLUMNS} FROM feed_entries WHERE feed_id = ? ORDER BY seen_at, "
                                    "rowid", (feed_id,)).fetchall()
        return [_stored(r) for r in rows]

    def entry_counts(self, feed_id: int) -> dict[EntryStatus, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM feed_entries WHERE feed_id = ? GROUP BY status",
                                    (feed_id,)).fetchall()
        return {EntryStatus(s): n for s, n in rows}


def _stored(row: tuple) -> StoredEntry:
    return StoredEntry(*row[:6], EntryStatus(row[6]), *row[7:])  # type: ignore[misc]
