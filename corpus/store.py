"""The SQLite store of articles and passages: the source of truth every index is built from."""

from __future__ import annotations

import array
import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpus import syndication
from corpus.errors import ArticleNotFound, DuplicateArticle, StoreBusy
from corpus.models import AddedBy, Article, ArticleDraft, Passage

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
    extra TEXT NOT NULL DEFAULT '{}',
    story_id INTEGER,
    added_url TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    heading TEXT
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS article_sketch (
    key INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS article_sketch_key ON article_sketch(key);
CREATE INDEX IF NOT EXISTS article_sketch_article ON article_sketch(article_id);
CREATE TABLE IF NOT EXISTS article_carriers (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url TEXT NOT NULL UNIQUE,
    source TEXT,
    title TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_carriers_article ON article_carriers(article_id);
"""
# articles.added_url: the URL a fetched article was added by, when it is not its link (a redirect, a canonical
# link elsewhere on the same site): `find` and therefore `remove` take it too.
# articles.story_id: articles carrying the same story (syndicated copies) share it, the id of the first
# one held; NULL for a story held once. article_sketch: each article's bottom-k shingle sketch, to find
# the copies of a new article (corpus.syndication). article_carriers: other outlets' pages with exactly the
# text of a held article, which is therefore not stored twice but shown as "also carried by" them.

BUSY_TIMEOUT = 10.0  # seconds a write waits for another process's write to finish
_MAX_ID = 2**63 - 1  # SQLite's largest integer
ARTICLE_CACHE = 20_000
"""Articles kept in memory for answers (under 1 KB each)."""
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


def url_differences(a: str, b: str) -> list[str]:
    """How two URLs of one page (equal under `normalize_url`) differ: any of "tracking parameters", "case",
    "a trailing slash", "a fragment"; empty when they are the same."""
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    tracking = [sorted((k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if _TRACKING_PARAM.match(k))
                for p in (pa, pb)]
    found = []
    if tracking[0] != tracking[1]:
        found.append("tracking parameters")
    if (pa.scheme, pa.netloc) != (pb.scheme, pb.netloc):
        found.append("case")
    if pa.path != pb.path:
        found.append("a trailing slash")
    if pa.fragment != pb.fragment:
        found.append("a fragment")
    return found


def content_hash(paragraphs: Iterable[str]) -> str:
    """A hash of the article text that ignores case, punctuation and spacing."""
    words = " ".join(" ".join(_WORDS.findall(p.lower())) for p in paragraphs)
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Updated:
    """A held article replaced by a new version of its page (the same URL, other text): the same id, new
    passages. `replaced` are the passage ids of the version it replaced, to drop from every index."""

    article: Article
    passages: list[Passage]
    replaced: list[int]


Stored = tuple[Article, list[Passage]] | Updated | DuplicateArticle


class ArticleStore:
    """Articles and their passages in one SQLite file.

    Every write is one transaction: an article and all its passages land together or not at all.
    Safe to share between threads (one connection, serialised by a lock).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._migrate()
        self._article_cache: dict[int, Article] = {}  # see _articles_by_id
        # An article's copies and carriers, as `copies` and `carriers` last read them (most have none).
        self._story_cache: dict[tuple[str, int], list] = {}
        self._article_version: tuple[int, int] | None = None
        # The article of each passage, by passage id (-1: none known); see passage_articles.
        self._owners = array.array("q")

    def _migrate(self) -> None:
        """Bring a store made by an older version up to date (new columns, sketches of held articles)."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(articles)")}
            if "story_id" not in columns:
                self._db.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER")
            if "added_url" not in columns:
                self._db.execute("ALTER TABLE articles ADD COLUMN added_url TEXT")
            for column in ("added_by", "added_in"):  # who added it (a Discord user id), in which server
                if column not in columns:
                    self._db.execute(f"ALTER TABLE articles ADD COLUMN {column} INTEGER")
            if "heading" not in {row[1] for row in self._db.execute("PRAGMA table_info(passages)")}:
                self._db.execute("ALTER TABLE passages ADD COLUMN heading TEXT")  # the section heading above it
            self._db.execute("CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id)")
            self._db.execute("CREATE INDEX IF NOT EXISTS articles_added_url ON articles(added_url)")
            unsketched = [r[0] for r in self._db.execute(
                "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM article_sketch) ORDER BY id")]
            if not unsketched:
                return
            self._begin()
            try:
                for article_id in unsketched:
                    texts = [r[0] for r in self._db.execute(
                        "SELECT text FROM passages WHERE article_id = ? ORDER BY position", (article_id,))]
                    self._link_story(article_id, texts)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _begin(self) -> None:
        """Start a write transaction, waiting up to BUSY_TIMEOUT for another process's write to end."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            raise StoreBusy(f"the article store is busy: another eventbot process has been writing to it for "
                            f"over {BUSY_TIMEOUT:g} s; try again when it is done") from e

    # -- writing --------------------------------------------------------------------------

    def add_many(self, drafts: Sequence[ArticleDraft], added_by: AddedBy | None = None) -> list[Stored]:
        """Store several articles in one transaction (`added_by`: who added them, from where).

        A draft whose URL is held with other text is a new version of that page: it replaces the held
        article's text (`Updated`). A draft whose text is held, or whose URL is held with the same text, is
        a `DuplicateArticle`.

        Returns:
            For each draft in order: the stored article with its passages, `Updated`, or the
            `DuplicateArticle` error saying which held article it repeats (also within the batch).
        """
        results: list[Stored] = []
        with self._lock:
            self._begin()
            try:
                for draft in drafts:
                    results.append(self._insert(draft, added_by or AddedBy()))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return results

    def add(self, draft: ArticleDraft, added_by: AddedBy | None = None) -> tuple[Article, list[Passage]]:
        """Store one article (or a new version of a held one: see `add_many`); raises `DuplicateArticle` if
        it is already held."""
        result = self.add_many([draft], added_by)[0]
        if isinstance(result, DuplicateArticle):
            raise result
        return (result.article, result.passages) if isinstance(result, Updated) else result

    def _insert(self, draft: ArticleDraft, added_by: AddedBy) -> Stored:
        digest = content_hash(draft.paragraphs)
        url = normalize_url(draft.url) if draft.url else None
        by_url = self._db.execute("SELECT id, title, url, source, content_hash, added_at FROM articles WHERE url = ?",
                                  (url,)).fetchone() if url else None
        by_text = self._db.execute("SELECT id, title, url, source FROM articles WHERE content_hash = ?",
                                   (digest,)).fetchone()
        if by_url and by_url[4] != digest and by_text is None:
            return self._update(by_url[0], by_url[5], draft, digest)
        row = by_url if by_url and by_url[4] == digest else by_text
        if row:
            message = f"already held as article {row[0]}: {row[1]}"
            if url and url != row[2] and draft.source and draft.source != row[3] and not by_url:
                # The same text at another outlet: a verbatim syndicated copy, remembered as a carrier.
                self._db.execute("INSERT OR IGNORE INTO article_carriers (article_id, url, source, title, added_at)"
                                 " VALUES (?, ?, ?, ?, ?)", (row[0], url, draft.source, draft.title, _now()))
                message += f" (the same text; recorded as also carried by {draft.source})"
                return DuplicateArticle(message, existing_id=row[0], carried_by=draft.source)
            return DuplicateArticle(message, existing_id=row[0])
        added_at = _now()
        added_url = normalize_url(draft.added_url) if draft.added_url else None
        cur = self._db.execute(
            "INSERT INTO articles (url, title, source, author, published_at, language, origin, content_hash, added_at,"
            " extra, added_url, added_by, added_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, draft.title, draft.source, draft.author, draft.published_at, draft.language, draft.origin,
             digest, added_at, json.dumps(draft.extra), added_url if added_url != url else None,
             added_by.user_id, added_by.guild_id),
        )
        article_id = int(cur.lastrowid)
        passages = self._insert_passages(article_id, draft)
        article = Article(id=article_id, title=draft.title, url=url, source=draft.source, author=draft.author,
                          published_at=draft.published_at, language=draft.language, origin=draft.origin,
                          content_hash=digest, added_at=added_at, passage_count=len(passages))
        return article, passages

    def _update(self, article_id: int, added_at: str, draft: ArticleDraft, digest: str) -> Updated:
        """Replace a held article's text and metadata with a new version of its page, keeping its id.

        The old passages, sketch and carriers (pages with exactly the old text) go; the new text is linked to
        the stories it belongs to now."""
        url = normalize_url(draft.url) if draft.url else None
        added_url = normalize_url(draft.added_url) if draft.added_url else None
        replaced = [r[0] for r in self._db.execute("SELECT id FROM passages WHERE article_id = ? ORDER BY id",
                                                   (article_id,))]
        for table in ("passages", "article_sketch", "article_carriers"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        self._db.execute(
            "UPDATE articles SET title = ?, source = ?, author = ?, published_at = ?, language = ?, origin = ?,"
            " content_hash = ?, extra = ?, story_id = NULL, added_url = COALESCE(?, added_url) WHERE id = ?",
            (draft.title, draft.source, draft.author, draft.published_at, draft.language, draft.origin, digest,
             json.dumps(draft.extra), added_url if added_url != url else None, article_id),
        )
        passages = self._insert_passages(article_id, draft)
        article = Article(id=article_id, title=draft.title, url=url, source=draft.source, author=draft.author,
                          published_at=draft.published_at, language=draft.language, origin=draft.origin,
                          content_hash=digest, added_at=added_at, passage_count=len(passages))
        return Updated(article, passages, replaced)

    def _insert_passages(self, article_id: int, draft: ArticleDraft) -> list[Passage]:
        """Store the draft's paragraphs as the article's passages, and link it to its story."""
        passages = []
        speakers = draft.speakers if len(draft.speakers) == len(draft.paragraphs) else (None,) * len(draft.paragraphs)
        headings = draft.headings if len(draft.headings) == len(draft.paragraphs) else (None,) * len(draft.paragraphs)
        for position, (text, speaker, heading) in enumerate(zip(draft.paragraphs, speakers, headings, strict=True)):
            pid = self._db.execute(
                "INSERT INTO passages (article_id, position, text, speaker, heading) VALUES (?, ?, ?, ?, ?)",
                (article_id, position, text, speaker, heading),
            ).lastrowid
            passages.append(Passage(id=int(pid), article_id=article_id, position=position, text=text, speaker=speaker,
                                    heading=heading))
        self._link_story(article_id, draft.paragraphs)
        return passages

    def _link_story(self, article_id: int, paragraphs: Sequence[str]) -> None:
        """Record the article's sketch and join it to the held articles carrying the same story."""
        mine = syndication.shingles(paragraphs)
        keys = syndication.sketch(mine)
        if not keys:
            return
        marks = ",".join("?" * len(keys))
        candidates = self._db.execute(
            f"SELECT article_id FROM article_sketch WHERE key IN ({marks}) AND article_id != ?"
            " GROUP BY article_id HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, article_id LIMIT ?",
            (*keys, article_id, syndication.MIN_SHARED_KEYS, syndication.MAX_CANDIDATES),
        ).fetchall()
        matched = []
        for (other,) in candidates:
            texts = [r[0] for r in self._db.execute(
                "SELECT text FROM passages WHERE article_id = ? ORDER BY position", (other,))]
            if syndication.overlap(mine, syndication.shingles(texts)) >= syndication.SYNDICATION_THRESHOLD:
                matched.append(other)
        self._db.executemany("INSERT INTO article_sketch (key, article_id) VALUES (?, ?)",
                             [(key, article_id) for key in keys])
        if not matched:
            return
        marks = ",".join("?" * len(matched))
        stories = {r[0] for r in self._db.execute(
            f"SELECT COALESCE(story_id, id) FROM articles WHERE id IN ({marks})", matched)}
        story = min(stories | {article_id})
        # One story id for the new article, its copies and every article already grouped with them.
        smarks = ",".join("?" * len(stories))
        self._db.execute(f"UPDATE articles SET story_id = ? WHERE id IN ({marks}) OR story_id IN ({smarks}) OR id = ?",
                         (story, *matched, *stories, article_id))

    def remove(self, article_id: int) -> list[int]:
        """Delete an article and its passages; returns the removed passage ids."""
        with self._lock:
            self._begin()
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

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process) commits a change."""
        with self._lock:
            return self._db.execute("PRAGMA data_version").fetchone()[0]

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- reading --------------------------------------------------------------------------

    def find(self, url_or_id: str) -> Article:
        """The article with this id (a number), URL, or the URL it was added by (the latest so added);
        raises `ArticleNotFound`."""
        key = url_or_id.strip()
        where: str | None = None
        try:
            # isascii: "²" and "١٢" are digits to isdigit() but not to int().
            if key.isascii() and key.isdigit():
                where, value = "WHERE a.id = ?", int(key)
                if value > _MAX_ID:
                    raise ValueError(key)
            else:
                url = normalize_url(key)
                url.encode("utf-8")  # a lone surrogate (undecodable bytes on a command line) cannot be stored
        except ValueError:  # too large an id, a link urlsplit cannot read ("http://[::1"), or not UTF-8
            row = []
        else:
            with self._lock:
                if where:
                    row = self._query_articles(where, (value,))
                else:
                    row = (self._query_articles("WHERE a.url = ?", (url,))
                           or self._query_articles("WHERE a.added_url = ? ORDER BY a.id DESC LIMIT 1", (url,)))
        if not row:
            raise ArticleNotFound(f"no held article matches {key!r}")
        return row[0]

    def added_by(self, article_id: int) -> AddedBy:
        """Who added the article and from which server (both None when not recorded)."""
        with self._lock:
            row = self._db.execute("SELECT added_by, added_in FROM articles WHERE id = ?", (article_id,)).fetchone()
        return AddedBy(*row) if row else AddedBy()

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
        with self._lock:
            rows = self._db.execute("SELECT id, article_id, position, text, speaker, heading FROM passages"
                                    f" WHERE id IN ({marks})", list(passage_ids)).fetchall()
            articles = self._articles_by_id({row[1] for row in rows})
        return {row[0]: (Passage(*row), articles[row[1]]) for row in rows if row[1] in articles}

    def passage_speakers(self, passage_ids: Sequence[int]) -> dict[int, str]:
        """The quoted speaker of each given passage that has one (still held), by passage id: what a "what
        did X say" question ranks its candidates by, without reading their text (450 passages: 0.4 against
        1.7 ms with `passages_with_articles`)."""
        if not passage_ids:
            return {}
        marks = ",".join("?" * len(passage_ids))
        with self._lock:
            return dict(self._db.execute(f"SELECT id, speaker FROM passages WHERE id IN ({marks})"
                                         " AND speaker IS NOT NULL", list(passage_ids)).fetchall())

    def passage_articles(self, passage_ids: Sequence[int]) -> dict[int, Article]:
        """The held article of each given passage, by passage id: what an answer ranks a few hundred passages
        by (their outlets and dates), before it reads the text of the few dozen it may show with
        `passages_with_articles`, which alone says which passages are still held (one removed since may be
        named here, with its article if that is held). From a map kept in memory (8 bytes a passage): a
        passage never moves to another article and ids are never reused, so the map is read once and then
        only the passages added since."""
        with self._lock:
            found = self._owners_of(passage_ids)
            if len(found) < len(passage_ids):  # some unknown: stored since the map was read, or gone
                self._read_owners()
                found = self._owners_of(passage_ids)
            articles = self._articles_by_id(set(found.values()))
        return {i: articles[a] for i, a in found.items() if a in articles}

    def _owners_of(self, passage_ids: Sequence[int]) -> dict[int, int]:
        owners, size = self._owners, len(self._owners)
        return {i: a for i in passage_ids if 0 <= i < size and (a := owners[i]) >= 0}

    def _read_owners(self) -> None:
        """Add the passages stored since the map was last read (all of them, the first time)."""
        self._add_owners(self._db.execute("SELECT id, article_id FROM passages WHERE id >= ? ORDER BY id",
                                          (len(self._owners),)).fetchall())

    def _add_owners(self, rows: list[tuple[int, int]]) -> None:
        """Record (passage id, article id) rows, in id order, none below the map's end, in the map."""
        owners = self._owners
        if rows:
            owners.extend(array.array("q", [-1]) * (rows[-1][0] + 1 - len(owners)))
            for passage_id, article_id in rows:
                owners[passage_id] = article_id

    def _articles_by_id(self, ids: set[int]) -> dict[int, Article]:
        """Held articles by id, from a cache kept while the file is unchanged (a question's passages come
        from a few dozen articles, asked for again by the next question); call with the lock held."""
        self._check_caches()
        cache = self._article_cache
        missing = [i for i in ids if i not in cache]
        if missing:
            if len(cache) + len(missing) > ARTICLE_CACHE:
                cache.clear()
            marks = ",".join("?" * len(missing))
            for row in self._db.execute(f"SELECT {_ARTICLE_COLUMNS}, 0 FROM articles a WHERE a.id IN ({marks})", missing):
                cache[row[0]] = Article(*row)
        return {i: cache[i] for i in ids if i in cache}

    def _check_caches(self) -> None:
        """Empty the caches of article rows if the file changed since they were filled: this connection
        wrote (total_changes) or another one committed (data_version). Call with the lock held."""
        version = (self._db.execute("PRAGMA data_version").fetchone()[0], self._db.total_changes)
        if version != self._article_version:
            self._article_cache.clear()
            self._story_cache.clear()
            self._article_version = version

    def _cached_story(self, kind: str, article_id: int, read: Callable[[], list]) -> list:
        """`read()`, kept while the file is unchanged (see _check_caches); call with the lock held."""
        self._check_caches()
        found = self._story_cache.get((kind, article_id))
        if found is None:
            if len(self._story_cache) >= ARTICLE_CACHE:
                self._story_cache.clear()
            found = self._story_cache[kind, article_id] = read()
        return found

    def iter_passages(self, batch_size: int = 2048) -> Iterator[list[tuple[Passage, Article]]]:
        """All passages with their articles, in id order, in batches."""
        last = 0
        while True:
            sql = (f"SELECT p.id, p.article_id, p.position, p.text, p.speaker, p.heading, {_ARTICLE_COLUMNS}, 0"
                   f" FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id > ? ORDER BY p.id LIMIT ?")
            with self._lock:
                rows = self._db.execute(sql, (last, batch_size)).fetchall()
            if not rows:
                return
            yield [(Passage(*row[:6]), Article(*row[6:])) for row in rows]
            last = rows[-1][0]

    def copies(self, article_id: int) -> list[tuple[Article, list[Passage]]]:
        """The other held articles carrying the same story (syndicated copies), with their passages (a
        list shared with later calls while the store is unchanged: not to be modified)."""
        with self._lock:
            return self._cached_story("copies", article_id, lambda: self._read_copies(article_id))

    def _read_copies(self, article_id: int) -> list[tuple[Article, list[Passage]]]:
        row = self._db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not row or row[0] is None:
            return []
        others = self._query_articles("WHERE a.story_id = ? AND a.id != ? ORDER BY a.id", (row[0], article_id))
        out = []
        for article in others:
            rows = self._db.execute("SELECT id, article_id, position, text, speaker, heading FROM passages"
                                    " WHERE article_id = ? ORDER BY position", (article.id,)).fetchall()
            out.append((article, [Passage(*r) for r in rows]))
        return out

    def carriers(self, article_id: int) -> list[dict[str, str | None]]:
        """Other outlets' pages with exactly this article's text ({source, url, title}), oldest first (a list
        shared with later calls while the store is unchanged: not to be modified)."""
        with self._lock:
            return self._cached_story("carriers", article_id, lambda: [
                {"source": r[0], "url": r[1], "title": r[2]} for r in self._db.execute(
                    "SELECT source, url, title FROM article_carriers WHERE article_id = ? ORDER BY rowid", (article_id,))])

    def passage_ids(self) -> list[int]:
        """Every held passage's id, in order. Reads each one's article too, for `passage_articles` (the
        live index asks for these ids as it opens, before any question: 0.7 s against 0.4 at 1M passages,
        where the first question would take 1.4 s to read the map)."""
        with self._lock:
            rows = self._db.execute("SELECT id, article_id FROM passages ORDER BY id").fetchall()
            self._owners = array.array("q")
            self._add_owners(rows)
        return [r[0] for r in rows]

    def article_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def counts(self) -> tuple[int, int]:
        """(articles, passages) held."""
        with self._lock:
            a = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            p = self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return a, p

    def titles_and_origins(self) -> list[tuple[str, str | None]]:
        """(title, wire origin) of every held article, without the passage counts `articles` adds."""
        with self._lock:
            return [(r[0], r[1]) for r in self._db.execute("SELECT title, origin FROM articles")]

    def sources(self) -> list[tuple[str, int]]:
        """Outlets held, with their article counts, most first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, COUNT(*) FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY 2 DESC, 1"
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def neighbours(self, passage_id: int, before: int = 1, after: int = 1) -> tuple[Article, list[Passage]] | None:
        """A passage's article and its paragraphs from `before` ahead of it to `after` past it, in order;
        None if the passage is no longer held."""
        with self._lock:
            row = self._db.execute("SELECT article_id, position FROM passages WHERE id = ?", (passage_id,)).fetchone()
            if row is None:
                return None
            article_id, position = row
            articles = self._query_articles("WHERE a.id = ?", (article_id,))
            rows = self._db.execute("SELECT id, article_id, position, text, speaker FROM passages WHERE article_id = ?"
                                    " AND position BETWEEN ? AND ? ORDER BY position",
                                    (article_id, position - before, position + after)).fetchall()
        return (articles[0], [Passage(*r) for r in rows]) if articles else None

    def speakers(self, containing: str = "", limit: int = 25) -> list[tuple[str, int]]:
        """Speakers quoted in the held passages whose name contains `containing` (any case), with their passage
        counts, most quoted first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT speaker, COUNT(*) FROM passages WHERE speaker IS NOT NULL AND speaker != ''"
                " AND instr(lower(speaker), lower(?)) > 0 GROUP BY speaker ORDER BY 2 DESC, 1 LIMIT ?",
                (containing, limit)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def titles(self, containing: str = "", limit: int = 25) -> list[tuple[int, str]]:
        """(id, title) of held articles whose title contains `containing` (any case), newest added first."""
        with self._lock:
            rows = self._db.execute("SELECT id, title FROM articles WHERE instr(lower(title), lower(?)) > 0"
                                    " ORDER BY id DESC LIMIT ?", (containing, limit)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def passages_of(self, article_ids: Sequence[int]) -> dict[int, list[Passage]]:
        """The passages of the given articles (those held), in reading order, keyed by article id."""
        out: dict[int, list[Passage]] = {}
        for chunk, marks in _in_chunks(article_ids):
            with self._lock:
                rows = self._db.execute(f"SELECT id, article_id, position, text, speaker FROM passages"
                                        f" WHERE article_id IN ({marks}) ORDER BY article_id, position", chunk).fetchall()
            for row in rows:
                out.setdefault(row[1], []).append(Passage(*row))
        return out

    def articles_of(self, article_ids: Sequence[int]) -> list[Article]:
        """The held articles of these ids, in the order given (one no longer held is left out)."""
        found: dict[int, Article] = {}
        for chunk, marks in _in_chunks(article_ids):
            with self._lock:
                found.update((a.id, a) for a in self._query_articles(f"WHERE a.id IN ({marks})", tuple(chunk)))
        return [found[i] for i in article_ids if i in found]

    def content_hashes(self) -> dict[int, str]:
        """Every held article's id with its text's hash (what changed since a caller last looked)."""
        with self._lock:
            return dict(self._db.execute("SELECT id, content_hash FROM articles").fetchall())

    def copy_ids(self, article_id: int) -> list[int]:
        """The ids of the other held articles carrying the same story (see `copies`), in id order."""
        with self._lock:
            rows = self._db.execute("SELECT b.id FROM articles a JOIN articles b ON b.story_id = a.story_id"
                                    " WHERE a.id = ? AND b.id != a.id ORDER BY b.id", (article_id,)).fetchall()
        return [r[0] for r in rows]


def _in_chunks(ids: Sequence[int], size: int = 900) -> Iterator[tuple[list[int], str]]:
    """`ids` in chunks small enough for one SQL `IN (...)`, each with its placeholders."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        yield chunk, ",".join("?" * len(chunk))
