"""The question log: every question asked (`eventbot ask`, Discord), whether it was answered, how fast, the
passages shown, and the members' Helpful / Not helpful votes. It feeds /gaps and the last day's /stats.

One SQLite file per data folder (`questions.sqlite3`). Askers are kept only as a keyed hash of their id (the
key is random, made once per log), never by name. Writing never fails or slows a question: entries go to a
queue that a writer thread drains; a failure is logged and the entry dropped. Entries older than `keep_days`
are deleted (with their votes) once a day.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.errors import ServiceError
from bot.results import Answer, Reason

log = logging.getLogger(__name__)

MAX_PENDING = 10_000  # entries waiting for the writer; more are dropped (with a warning)
WRITE_EVERY = 1.0  # seconds between the writer's batches
PRUNE_EVERY = 24 * 3600.0  # seconds between deletions of old entries
BUSY_TIMEOUT = 5.0
FLUSH_TIMEOUT = 3.0  # seconds a vote waits for its question to be written
QUESTION_CHARS = 1000  # longer questions are kept cut to this

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at REAL NOT NULL,
    surface TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    user_hash TEXT,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    reason TEXT,
    latency_ms REAL NOT NULL,
    passages TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS votes (
    question_id INTEGER NOT NULL,
    user_hash TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    voted_at REAL NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);
"""


class UnknownAnswer(ServiceError):
    """A vote for an answer the log does not hold (older than the retention, or never logged)."""


class LogUnavailable(ServiceError):
    """The log cannot be read or written now (disabled, or the file is unusable)."""


@dataclass(frozen=True)
class Origin:
    """Where a question came from. `surface`: "cli", "slash", "mention", "forum" (or another front end's name)."""

    surface: str = "cli"
    guild_id: int | None = None
    channel_id: int | None = None
    user_id: int | None = None  # hashed before it is stored


@dataclass(frozen=True)
class Logged:
    """An answer and the id it was logged under (None when the log is off): the feedback buttons carry it."""

    answer: Answer
    question_id: int | None


@dataclass(frozen=True)
class Entry:
    """One logged question as read back, with its votes."""

    id: int
    asked_at: float
    surface: str
    guild_id: int | None
    channel_id: int | None
    question: str
    answered: bool
    reason: str | None
    latency_ms: float
    passages: list[dict] = field(default_factory=list)
    helpful: int = 0
    not_helpful: int = 0


class Vote(StrEnum):
    RECORDED = "recorded"  # the member's first vote on this answer
    CHANGED = "changed"  # the member had voted the other way
    UNCHANGED = "unchanged"  # the same vote again


@dataclass(frozen=True)
class Activity:
    """Figures over a window: questions, how many were answered or declined, latency percentiles (ms)."""

    hours: float
    questions: int
    answered: int
    declined: int  # not answered for want of articles (bad questions, e.g. a wrong filter, are not counted)
    p50_ms: float | None
    p95_ms: float | None

    @property
    def decline_rate(self) -> float | None:
        asked = self.answered + self.declined
        return self.declined / asked if asked else None

    def to_json(self) -> dict:
        return {"hours": self.hours, "questions": self.questions, "answered": self.answered,
                "declined": self.declined, "decline_rate": self.decline_rate, "p50_ms": self.p50_ms,
                "p95_ms": self.p95_ms}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank `q` percentile (0-100) of `values`; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least the first
    return ordered[int(rank) - 1]


class QuestionLog:
    """The log in `path`. `enabled=False`: nothing is written, reads are empty, votes are refused."""

    def __init__(self, path: Path, keep_days: int = 90, enabled: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.keep_days = keep_days
        self.enabled = enabled
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._key: bytes | None = None
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple | threading.Event | None] = queue.Queue(maxsize=MAX_PENDING)
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self._wake = threading.Event()
        self._pruned_at = 0.0
        self._closed = False

    # -- the connection ---------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """The open database (opened on first use, under `_lock`). Raises sqlite3.Error or OSError."""
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'user_key'").fetchone()
                if row is None:
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('user_key', ?)", (secrets.token_hex(32),))
                    row = db.execute("SELECT value FROM meta WHERE key = 'user_key'").fetchone()
            except sqlite3.Error:
                db.close()
                raise
            self._key = bytes.fromhex(row[0])
            self._db = db
        return self._db

    def user_hash(self, user_id: int | None) -> str | None:
        """A keyed hash of a member's id (under `_lock`, the database open): the same member, the same hash."""
        if user_id is None:
            return None
        assert self._key is not None
        return hmac.new(self._key, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:24]

    # -- writing ----------------------------------------------------------------------------------

    def record(self, origin: Origin, question: str, answer: Answer | None, latency_ms: float,
               reason: str | None = None) -> int | None:
        """Queue one question for writing; its id (None when the log is off). Never raises, never waits.
        `answer` None: the question could not be asked (`reason` says why)."""
        if not self.enabled or self._closed:
            return None
        question_id = secrets.randbits(53)  # within JavaScript's and Discord's custom_id comfort
        shown = [{"passage_id": p.passage_id, "article_id": p.article_id, "url": p.url}
                 for p in (answer.passages if answer is not None else [])]
        if answer is not None:
            reason = None if answer.answered else (answer.reason.value if answer.reason else "declined")
        row = (question_id, self._clock(), origin.surface, origin.guild_id, origin.channel_id, origin.user_id,
               question[:QUESTION_CHARS], int(bool(answer is not None and answer.answered)), reason,
               round(latency_ms, 3), json.dumps(shown))
        try:
            self._start_writer()
            self._queue.put_nowait(row)
        except queue.Full:
            log.warning("question log: %d entries wait to be written; dropping one", MAX_PENDING)
            return None
        except RuntimeError as e:  # no thread can be started (the interpreter is shutting down)
            log.warning("question log: cannot start the writer: %s", e)
            return None
        return question_id

    def _start_writer(self) -> None:
        with self._writer_lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_loop, name="eventbot-asklog", daemon=True)
                self._writer.start()

    def _write_loop(self) -> None:
        """Every WRITE_EVERY seconds (at once on `flush` or `close`), write what is queued in one transaction.
        Queuing does not wake this thread: a question never waits for it, nor shares the interpreter with it."""
        while True:
            self._wake.wait(WRITE_EVERY)
            self._wake.clear()
            batch, markers, stop = [], [], False
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                elif isinstance(item, threading.Event):
                    markers.append(item)
                else:
                    batch.append(item)
            if batch:
                self._write(batch)
            for marker in markers:
                marker.set()
            if stop:
                return

    def _write(self, rows: list[tuple]) -> None:
        try:
            with self._lock:
                db = self._conn()
                hashed = [(*r[:5], self.user_hash(r[5]), *r[6:]) for r in rows]
                db.execute("BEGIN")
                try:
                    db.executemany("INSERT OR REPLACE INTO questions VALUES (?,?,?,?,?,?,?,?,?,?,?)", hashed)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                now = self._clock()
                if now - self._pruned_at >= PRUNE_EVERY:
                    self._prune(db, now)
                    self._pruned_at = now
        except (sqlite3.Error, OSError) as e:
            log.warning("question log: cannot write %d entries to %s: %s", len(rows), self.path, e)

    def _prune(self, db: sqlite3.Connection, now: float) -> None:
        cutoff = now - self.keep_days * 86400.0
        db.execute("BEGIN")
        db.execute("DELETE FROM votes WHERE question_id IN (SELECT id FROM questions WHERE asked_at < ?)", (cutoff,))
        db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
        db.execute("COMMIT")

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """Wait until the entries queued so far are written (or `timeout`); False if they were not."""
        if self._writer is None or not self._writer.is_alive():
            return self._queue.empty()
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        self._wake.set()
        return done.wait(timeout)

    def vote(self, question_id: int, user_id: int, helpful: bool) -> Vote:
        """One member's vote on one answer; a second vote replaces the first.

        Raises:
            UnknownAnswer: the log holds no such question.
            LogUnavailable: the log is off or cannot be written.
        """
        if not self.enabled:
            raise LogUnavailable("votes are not kept here (the question log is off)")
        self.flush()
        try:
            with self._lock:
                db = self._conn()
                if db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone() is None:
                    raise UnknownAnswer(f"I no longer hold that question (questions are kept {self.keep_days} days)")
                who = self.user_hash(user_id)
                row = db.execute("SELECT helpful FROM votes WHERE question_id = ? AND user_hash = ?",
                                 (question_id, who)).fetchone()
                db.execute("INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?)",
                           (question_id, who, int(helpful), self._clock()))
        except (sqlite3.Error, OSError) as e:
            log.warning("question log: cannot record a vote in %s: %s", self.path, e)
            raise LogUnavailable("I cannot record votes right now; try again later") from e
        if row is None:
            return Vote.RECORDED
        return Vote.UNCHANGED if bool(row[0]) == helpful else Vote.CHANGED

    # -- reading ----------------------------------------------------------------------------------

    def entries(self, since: float, guild_id: int | None = None) -> list[Entry]:
        """The questions asked at or after `since` (unix seconds), oldest first, with their vote counts;
        only those asked in server `guild_id` when given. Empty when the log is off or has no file yet."""
        if not self.enabled:
            return []
        self.flush()
        if self._db is None and not self.path.exists():
            return []
        sql = ("SELECT q.id, q.asked_at, q.surface, q.guild_id, q.channel_id, q.question, q.answered, q.reason, "
               "q.latency_ms, q.passages, COALESCE(SUM(v.helpful = 1), 0), COALESCE(SUM(v.helpful = 0), 0) "
               "FROM questions q LEFT JOIN votes v ON v.question_id = q.id WHERE q.asked_at >= ?")
        params: list = [since]
        if guild_id is not None:
            sql += " AND q.guild_id = ?"
            params.append(guild_id)
        sql += " GROUP BY q.id ORDER BY q.asked_at"
        try:
            with self._lock:
                rows = self._conn().execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as e:
            raise LogUnavailable(f"cannot read the question log {self.path}: {e}") from e
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], json.loads(r[9] or "[]"),
                      int(r[10]), int(r[11])) for r in rows]

    def activity(self, hours: float = 24.0, guild_id: int | None = None) -> Activity:
        """Questions over the last `hours` (in server `guild_id` when given): counts and latency percentiles."""
        rows: list[tuple] = []
        if self.enabled:
            self.flush()
            if self._db is not None or self.path.exists():
                sql = "SELECT answered, reason, latency_ms FROM questions WHERE asked_at >= ?"
                params: list = [self._clock() - hours * 3600.0]
                if guild_id is not None:
                    sql += " AND guild_id = ?"
                    params.append(guild_id)
                try:
                    with self._lock:
                        rows = self._conn().execute(sql, params).fetchall()
                except (sqlite3.Error, OSError) as e:
                    raise LogUnavailable(f"cannot read the question log {self.path}: {e}") from e
        asked = [r for r in rows if r[1] != Reason.BAD_QUESTION]
        latencies = [r[2] for r in asked]
        return Activity(hours=hours, questions=len(rows), answered=sum(bool(r[0]) for r in asked),
                        declined=sum(not r[0] for r in asked), p50_ms=percentile(latencies, 50),
                        p95_ms=percentile(latencies, 95))

    def close(self) -> None:
        """Write what is queued, then close the file."""
        self._closed = True
        writer = self._writer
        if writer is not None and writer.is_alive():
            try:
                self._queue.put(None, timeout=FLUSH_TIMEOUT)
            except queue.Full:
                log.warning("question log: entries still queued at close were not written")
            self._wake.set()
            writer.join(FLUSH_TIMEOUT)
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
