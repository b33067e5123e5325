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


def test_passage_articles_follow_what_another_process_adds_and_removes(tmp_path: Path) -> None:
    """An answer ranks passages by their articles from a map kept in memory: it sees articles another
    process stores after it was read, and never names an article that process removed."""
    path = tmp_path / "corpus.sqlite3"
    bot, importer = ArticleStore(path), ArticleStore(path)
    try:
        def draft(n: int) -> ArticleDraft:
            return ArticleDraft(title=f"Story {n}", url=f"https://news.example/{n}", source="Northwire",
                                paragraphs=(f"Story {n}: the river rose.", f"Story {n}: roads closed."))

        first, first_passages = importer.add(draft(1))
        ids = [p.id for p in first_passages]
        assert bot.passage_ids() == ids  # the live index's first read: the map is read with it
        assert {i: a.title for i, a in bot.passage_articles(ids).items()} == dict.fromkeys(ids, "Story 1")
        second, second_passages = importer.add(draft(2))  # after the map was read
        later = [p.id for p in second_passages]
        assert {i: a.id for i, a in bot.passage_articles(ids + later).items()} == {
            **dict.fromkeys(ids, first.id), **dict.fromkeys(later, second.id)}
        importer.remove(first.id)
        assert set(bot.passage_articles(ids + later)) == set(later)
        assert bot.passage_articles([10_000, -1]) == {}  # never stored
    finally:
        bot.close()
        importer.close()


def test_answers_read_an_article_as_it_is_now_after_another_process_or_this_one_changes_it(tmp_path: Path) -> None:
    """Articles are kept in memory between questions: a new version of a page, stored by another process
    (eventbot import beside eventbot run) or by this one, is what the next answer attributes."""
    path = tmp_path / "corpus.sqlite3"
    bot, importer = ArticleStore(path), ArticleStore(path)
    try:
        def version(title: str, author: str) -> ArticleDraft:
            return ArticleDraft(title=title, url="https://news.example/flood", author=author,
                                paragraphs=(f"{title}: the river rose two metres overnight.",))

        article, passages = importer.add(version("Flood warning", "A. Reporter"))
        first = bot.passages_with_articles([p.id for p in passages])
        assert [(p.text, a.title) for p, a in first.values()] == [(passages[0].text, "Flood warning")]
        importer.add(version("Flood warning lifted", "B. Editor"))
        again = bot.passages_with_articles([p.id for p in importer.passages_of([article.id])[article.id]])
        assert [(a.title, a.author) for _, a in again.values()] == [("Flood warning lifted", "B. Editor")]
        bot.add(version("Flood over", "C. Desk"))
        last = bot.passages_with_articles([p.id for p in bot.passages_of([article.id])[article.id]])
        assert [a.title for _, a in last.values()] == ["Flood over"]
        assert bot.passages_with_articles([passages[0].id]) == {}  # the first version's passage is gone
    finally:
        bot.close()
        importer.close()


def test_passage_speakers_names_the_quoted_speaker_of_each_held_passage_that_has_one(tmp_path: Path) -> None:
    """A "what did X say" question ranks its candidates by their speakers, read without their text."""
    store = ArticleStore(tmp_path / "corpus.sqlite3")
    try:
        _, passages = store.add(ArticleDraft(
            title="Dam", url="https://news.example/dam", source="Northwire",
            paragraphs=("The river rose overnight.", "We will rebuild the dam, Mayor Ilse Varga said."),
            speakers=(None, "Ilse Varga (mayor)")))
        ids = [p.id for p in passages]
        assert store.passage_speakers([*ids, 10_000]) == {ids[1]: "Ilse Varga (mayor)"}
        assert store.passage_speakers([]) == {}
        store.remove(passages[0].article_id)
        assert store.passage_speakers(ids) == {}
    finally:
        store.close()
