"""Syndicated copies: shingle overlap, the store's story groups, and the migration of an older store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from corpus.models import ArticleDraft
from corpus.store import ArticleStore
from corpus.syndication import near_identical, overlap, same_story, shingles, sketch

STORY = (
    "LINDHAVEN (Meridian Press) - Negotiators from Aldoria and Sarvenia met face to face on Monday for the first "
    "time in more than a year, opening talks on a ceasefire along their disputed border.",
    "The talks, hosted by the government of Lindhaven, are being held at the old customs house on the waterfront.",
    "\"Our delegation came with a clear mandate,\" defence ministry spokesman Maj. Gen. Ilias Varenko said in Tavrin.",
    "According to Varenko, Sarvenian forces fired 22 artillery shells at positions near Kastro on Monday morning.",
    "Diplomats said the two sides had agreed on an agenda but not yet on who would send observers.",
)
OTHER = (
    "SALTMARCH - About 2,800 dockworkers at the port of Saltmarch walked off the job at 6 a.m. on Tuesday.",
    "The union is demanding an 11 percent pay rise over two years; the port authority has offered 4.5 percent.",
    "\"Our members have had two years of rising rents and flat wages,\" union leader Petra Lindqvist said.",
)


def draft(paragraphs: tuple[str, ...], source: str, url: str) -> ArticleDraft:
    return ArticleDraft(title=f"{source} story", paragraphs=paragraphs, url=url, source=source)


def test_a_cut_and_edited_copy_is_the_same_story_and_another_story_is_not() -> None:
    copy = tuple(p.replace(" on Monday", "").replace("defence", "defense") for p in STORY[:4])
    assert same_story(STORY, copy)
    assert not same_story(STORY, OTHER)
    assert overlap(shingles(STORY), shingles(STORY[:2])) == 1.0


def test_near_identical_paragraphs_allow_small_edits_only() -> None:
    assert near_identical(STORY[3], STORY[3].replace("on Monday morning", "Monday morning"))
    assert near_identical("Hello, world!", "hello world")
    assert not near_identical(STORY[3], OTHER[0])
    assert not near_identical("", "")


def test_sketch_is_the_smallest_hashes_and_fits_sqlite_integers() -> None:
    keys = sketch(shingles(STORY), 8)
    assert keys == sorted(keys) and len(keys) == 8 and all(0 <= k < 2 ** 63 for k in keys)


def test_store_groups_copies_from_different_outlets(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "corpus.sqlite3")
    first, _ = store.add(draft(STORY, "The Kestrel Ledger", "https://kl.example/talks"))
    other, _ = store.add(draft(OTHER, "Harbour Watch", "https://hw.example/strike"))
    copy, _ = store.add(draft(STORY[:4], "Harbour Watch", "https://hw.example/talks"))
    third, _ = store.add(draft(STORY[1:], "Frontier Dispatch", "https://fd.example/talks"))
    assert [a.id for a, _ in store.copies(first.id)] == [copy.id, third.id]
    assert [a.source for a, _ in store.copies(copy.id)] == ["The Kestrel Ledger", "Frontier Dispatch"]
    assert store.copies(other.id) == []
    store.remove(copy.id)
    assert [a.id for a, _ in store.copies(first.id)] == [third.id]
    store.close()


def test_speakers_given_with_the_draft_are_stored_per_passage(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "corpus.sqlite3")
    speakers = (None, None, "Ilias Varenko (defence ministry spokesman)", "Ilias Varenko (defence ministry spokesman)",
                None)
    article, passages = store.add(ArticleDraft("Talks", STORY, speakers=speakers))
    assert [p.speaker for p in passages] == list(speakers)
    stored = store.passages_with_articles([p.id for p in passages])
    assert [stored[p.id][0].speaker for p in passages] == list(speakers)
    _, unlabelled = store.add(ArticleDraft("Strike", OTHER, speakers=("one too few",)))
    assert [p.speaker for p in unlabelled] == [None, None, None]
    store.close()


OLD_SCHEMA = """
CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT UNIQUE, title TEXT NOT NULL, source TEXT,
    author TEXT, published_at TEXT, language TEXT, origin TEXT, content_hash TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}');
CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    text TEXT NOT NULL, speaker TEXT);
CREATE INDEX passages_article ON passages(article_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def test_a_store_made_before_syndication_is_migrated_and_its_copies_grouped(tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    for n, (paragraphs, source) in enumerate([(STORY, "Kestrel"), (OTHER, "Harbour"), (STORY[:4], "Harbour")], 1):
        db.execute("INSERT INTO articles (url, title, source, content_hash, added_at) VALUES (?, ?, ?, ?, ?)",
                   (f"https://x.example/{n}", f"t{n}", source, f"h{n}", "2026-01-01"))
        db.executemany("INSERT INTO passages (article_id, position, text) VALUES (?, ?, ?)",
                       [(n, i, p) for i, p in enumerate(paragraphs)])
    db.commit()
    db.close()

    store = ArticleStore(path)
    assert [a.id for a, _ in store.copies(1)] == [3]
    assert store.copies(2) == []
    new, _ = store.add(draft(STORY[1:], "Frontier", "https://fd.example/talks"))
    assert [a.id for a, _ in store.copies(1)] == [3, new.id]
    store.close()
    store = ArticleStore(path)  # opening again migrates nothing and keeps the groups
    assert [a.id for a, _ in store.copies(3)] == [1, new.id]
    store.close()


def test_the_same_text_at_another_outlet_is_recorded_as_a_carrier_not_stored_twice(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "corpus.sqlite3")
    held, _ = store.add(draft(STORY, "The Kestrel Ledger", "https://kl.example/talks"))
    [result] = store.add_many([draft(STORY, "Harbour Watch", "https://hw.example/talks")])
    assert result.existing_id == held.id and "also carried by Harbour Watch" in str(result)
    store.add_many([draft(STORY, "Harbour Watch", "https://hw.example/talks"),  # the same page again
                    draft(STORY, "The Kestrel Ledger", "https://kl.example/amp/talks"),  # the outlet's own copy
                    draft(STORY, "Kestrel Ledger", "https://kl.example/talks")])  # the held page itself
    assert store.carriers(held.id) == [{"source": "Harbour Watch", "url": "https://hw.example/talks",
                                        "title": "Harbour Watch story"}]
    assert store.counts()[0] == 1
    store.remove(held.id)
    assert store.carriers(held.id) == []
    store.close()
