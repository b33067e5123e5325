"""Per-server channel settings, chosen by a server's admins (/settings) and kept across restarts: the channels
the bot answers in, answering in a thread or inline per channel, and auto-answering new forum posts.

One SQLite file in the data folder, read once per server into memory (the bot is its only writer).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.errors import ServiceError

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_settings (
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    answer INTEGER NOT NULL DEFAULT 0,
    thread INTEGER,
    auto_answer INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, channel_id)
);
"""


class SettingsUnavailable(ServiceError):
    """The settings file cannot be written."""


@dataclass(frozen=True)
class ChannelRule:
    answer: bool = False  # listed among the channels the bot answers in
    thread: bool | None = None  # True: answers go in a thread; False: inline; None: the config's answer_in_thread
    auto_answer: bool = False  # a forum channel: each new post gets an answer in its thread

    @property
    def empty(self) -> bool:
        return self == ChannelRule()


@dataclass(frozen=True)
class ServerSettings:
    guild_id: int
    channels: dict[int, ChannelRule] = field(default_factory=dict)

    @property
    def answer_channels(self) -> list[int]:
        """The channels listed for answers; none listed: every channel."""
        return sorted(c for c, rule in self.channels.items() if rule.answer)

    def answers_in(self, channel_id: int | None, parent_id: int | None = None) -> bool:
        """Whether the bot answers in a channel (a thread: if it or its parent is listed)."""
        listed = self.answer_channels
        return not listed or channel_id in listed or (parent_id is not None and parent_id in listed)

    def in_thread(self, channel_id: int | None, default: bool) -> bool:
        rule = self.channels.get(channel_id) if channel_id is not None else None
        return default if rule is None or rule.thread is None else rule.thread

    def auto_answers(self, forum_id: int | None) -> bool:
        rule = self.channels.get(forum_id) if forum_id is not None else None
        return bool(rule and rule.auto_answer)


class SettingsStore:
    """The settings of every server, in `path`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._cache: dict[int, ServerSettings] = {}
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=5.0)
            try:
                db.executescript(SCHEMA)
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def get(self, guild_id: int) -> ServerSettings:
        """A server's settings; the defaults (answer everywhere, the config's thread mode) if none are stored
        or the file cannot be read (logged)."""
        with self._lock:
            cached = self._cache.get(guild_id)
            if cached is not None:
                return cached
            try:
                rows = self._conn().execute(
                    "SELECT channel_id, answer, thread, auto_answer FROM channel_settings WHERE guild_id = ?",
                    (guild_id,)).fetchall()
            except (sqlite3.Error, OSError) as e:
                log.warning("cannot read the channel settings in %s (using the defaults): %s", self.path, e)
                return ServerSettings(guild_id)
            settings = ServerSettings(guild_id, {r[0]: ChannelRule(bool(r[1]), None if r[2] is None else bool(r[2]),
                                                                   bool(r[3])) for r in rows})
            self._cache[guild_id] = settings
            return settings

    def update(self, guild_id: int, channel_id: int, **changes: bool | None) -> ServerSettings:
        """Change one channel's rule (`answer`, `thread`, `auto_answer`); the server's settings after it.
        Raises `SettingsUnavailable` when they cannot be saved."""
        current = self.get(guild_id)
        rule = replace(current.channels.get(channel_id, ChannelRule()), **changes)
        try:
            with self._lock:
                db = self._conn()
                if rule.empty:
                    db.execute("DELETE FROM channel_settings WHERE guild_id = ? AND channel_id = ?",
                               (guild_id, channel_id))
                else:
                    db.execute("INSERT OR REPLACE INTO channel_settings VALUES (?, ?, ?, ?, ?)",
                               (guild_id, channel_id, int(rule.answer), None if rule.thread is None else int(rule.thread),
                                int(rule.auto_answer)))
                self._cache.pop(guild_id, None)
        except (sqlite3.Error, OSError) as e:
            log.warning("cannot save the channel settings in %s: %s", self.path, e)
            raise SettingsUnavailable("I could not save that setting; nothing was changed. Try again later.") from e
        return self.get(guild_id)

    def reset(self, guild_id: int) -> ServerSettings:
        """Forget every setting of a server."""
        try:
            with self._lock:
                self._conn().execute("DELETE FROM channel_settings WHERE guild_id = ?", (guild_id,))
                self._cache.pop(guild_id, None)
        except (sqlite3.Error, OSError) as e:
            log.warning("cannot reset the channel settings in %s: %s", self.path, e)
            raise SettingsUnavailable("I could not reset the settings; try again later.") from e
        return self.get(guild_id)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
