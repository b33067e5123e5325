"""The store's schema migrations: a database made by an older version opens and keeps working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from corpus.models import AddedBy, ArticleDraft
from corpus.store import ArticleStore

# The articles and passages tables as the version before issue 15 made them (no added_by, added_in).
OLD_SCHEMA = """
CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT UNIQUE, title TEXT NOT NULL, source TEXT,
    author TEXT, published_at TEXT, language TEXT, origin TEXT, content_hash TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}', story_id INTEGER);
CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    text TEXT NOT NULL, speaker TEXT);
INSERT INTO articles (url, title, content_hash, added_at) VALUES ('https://old.example/a', 'Old flood', 'abc', '2026-01-01');
INSERT INTO passages (article_id, position, text) VALUES (1, 0, 'The old flood reached the square.');
"""


def test_a_store_from_before_provenance_opens_and_records_it_from_then_on(tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.close()
    store = ArticleStore(path)
    try:
        old = store.find("https://old.example/a")
        assert old.title == "Old flood" and old.passage_count == 1
        assert store.added_by(old.id) == AddedBy(None, None)
        new, _ = store.add(ArticleDraft(title="New storm", paragraphs=("The storm closed the harbour.",)),
                           AddedBy(user_id=7, guild_id=99))
        assert store.added_by(new.id) == AddedBy(7, 99)
        assert store.added_by(12345) == AddedBy()
        assert [a.id for a in store.articles()] == [new.id, old.id]
    finally:
        store.close()
