"""The SQLite store of articles and passages: the source of truth every index is built from."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpus.errors import ArticleNotFound, DuplicateArticle
from corpus.models import Article, ArticleDraft, Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT UNIQUE,
    title TEXT NOT NULL,
    source TEXT,
    author TEXT,
    published_at TEXT,
    language TEXT,
    origin TEXT,
    content_hash TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_ARTICLE_COLUMNS = "a.id, a.title, a.url, a.source, a.author, a.published_at, a.language, a.origin, a.content_hash, a.added_at"
_TRACKING_PARAM = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$)")
_WORDS = re.compile(r"\w+")


def normalize_url(url: str) -> str:
    """The form of a URL used to spot the same page twice: no fragment, no tracking parameters,
    lower-case scheme and host, no trailing slash on the path."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAM.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def content_hash(paragraphs: Iterable[str]) -> str:
    """A hash of the article text that ignores case, punctuation and spacing."""
    words = " ".join(" ".join(_WORDS.findall(p.lower())) for p in paragraphs)
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ArticleStore:
    """Articles and their passages in one SQLite file.

    Every write is one transaction: an article and all its passages land together or not at all.
    Safe to share between threads (one connection, serialised by a lock).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing --------------------------------------------------------------------------

    def add_many(self, drafts: Sequence[ArticleDraft]) -> list[tuple[Article, list[Passage]] | DuplicateArticle]:
        """Store several articles in one transaction.

        Returns, for each draft in order, the stored article with its passages, or the
        `DuplicateArticle` error saying which held article it repeats (also within the batch).
        """
        results: list[tuple[Article, list[Passage]] | DuplicateArticle] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for draft in drafts:
                    results.append(self._insert(draft))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return results

    def add(self, draft: ArticleDraft) -> tuple[Article, list[Passage]]:
        """Store one article; raises `DuplicateArticle` if it is already held."""
        result = self.add_many([draft])[0]
        if isinstance(result, DuplicateArticle):
            raise result
        return result

    def _insert(self, draft: ArticleDraft) -> tuple[Article, list[Passage]] | DuplicateArticle:
        digest = content_hash(draft.paragraphs)
        url = normalize_url(draft.url) if draft.url else None
        row = self._db.execute(
            "SELECT id, title FROM articles WHERE content_hash = ? OR (url IS NOT NULL AND url = ?)", (digest, url)
        ).fetchone()
        if row:
            return DuplicateArticle(f"already held as article {row[0]}: {row[1]}", existing_id=row[0])
        added_at = _now()
        cur = self._db.execute(
            "INSERT INTO articles (url, title, source, author, published_at, language, origin, content_hash, added_at, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, draft.title, draft.source, draft.author, draft.published_at, draft.language, draft.origin,
             digest, added_at, json.dumps(draft.extra)),
        )
        article_id = int(cur.lastrowid)
        passages = []
        for position, text in enumerate(draft.paragraphs):
            pid = self._db.execute(
                "INSERT INTO passages (article_id, position, text) VALUES (?, ?, ?)", (article_id, position, text)
            ).lastrowid
            passages.append(Passage(id=int(pid), article_id=article_id, position=position, text=text))
        article = Article(id=article_id, title=draft.title, url=url, source=draft.source, author=draft.author,
                          published_at=draft.published_at, language=draft.language, origin=draft.origin,
                          content_hash=digest, added_at=added_at, passage_count=len(passages))
        return article, passages

    def remove(self, article_id: int) -> list[int]:
        """Delete an article and its passages; returns the removed passage ids."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                ids = [r[0] for r in self._db.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))]
                self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return ids

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- reading --------------------------------------------------------------------------

    def find(self, url_or_id: str) -> Article:
        """The article with this id (a number) or URL; raises `ArticleNotFound`."""
        key = url_or_id.strip()
        with self._lock:
            if key.isdigit():
                row = self._query_articles("WHERE a.id = ?", (int(key),))
            else:
                row = self._query_articles("WHERE a.url = ?", (normalize_url(key),))
        if not row:
            raise ArticleNotFound(f"no held article matches {key!r}")
        return row[0]

    def articles(self, limit: int | None = None, offset: int = 0) -> list[Article]:
        """Held articles, newest added first."""
        with self._lock:
            return self._query_articles("ORDER BY a.id DESC LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset))

    def _query_articles(self, where: str, params: tuple) -> list[Article]:
        sql = (f"SELECT {_ARTICLE_COLUMNS}, (SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id)"
               f" FROM articles a {where}")
        return [Article(*row) for row in self._db.execute(sql, params)]

    def passages_with_articles(self, passage_ids: Sequence[int]) -> dict[int, tuple[Passage, Article]]:
        """The given passages (those still held) with their articles, keyed by passage id."""
        if not passage_ids:
            return {}
        marks = ",".join("?" * len(passage_ids))
        sql = (f"SELECT p.id, p.article_id, p.position, p.text, p.speaker, {_ARTICLE_COLUMNS}, 0"
               f" FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({marks})")
        with self._lock:
            rows = self._db.execute(sql, list(passage_ids)).fetchall()
        return {row[0]: (Passage(*row[:5]), Article(*row[5:])) for row in rows}

    def iter_passages(self, batch_size: int = 2048) -> Iterator[list[tuple[Passage, Article]]]:
        """All passages with their articles, in id order, in batches."""
        last = 0
        while True:
            sql = (f"SELECT p.id, p.article_id, p.position, p.text, p.speaker, {_ARTICLE_COLUMNS}, 0"
                   f" FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id > ? ORDER BY p.id LIMIT ?")
            with self._lock:
                rows = self._db.execute(sql, (last, batch_size)).fetchall()
            if not rows:
                return
            yield [(Passage(*row[:5]), Article(*row[5:])) for row in rows]
            last = rows[-1][0]

    def passage_ids(self) -> list[int]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM passages ORDER BY id")]

    def counts(self) -> tuple[int, int]:
        """(articles, passages) held."""
        with self._lock:
            a = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            p = self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return a, p

    def sources(self) -> list[tuple[str, int]]:
        """Outlets held, with their article counts, most first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, COUNT(*) FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY 2 DESC, 1"
            ).fetchall()
        return [(r[0], r[1]) for r in rows]
