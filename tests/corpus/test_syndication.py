"""Syndicated copies: shingle overlap, the store's story groups, the migration of an older store, and whether
two copies agree on their facts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.models import ArticleDraft
from corpus.store import ArticleStore
from corpus.syndication import agree, conflicts, facts, is_copy, near_identical, overlap, same_story, shingles, sketch

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


# -- agreement: copies say the same thing only when their facts agree --------------------------------

DRONES = ("KASTRO (Meridian Press) - Aldorian air defences shot down 41 drones over the Dorsk ridge on Sept. 17, "
          "regional governor Anton Brel said.")


def keys(text: str) -> set[tuple[str, str]]:
    return {(f.kind, f.key) for f in facts(text)}


def test_facts_are_numbers_dates_and_names_normalised() -> None:
    assert keys(DRONES) == {("number", "41"), ("date", "09-17"), ("month", "9"), ("name", "kastro"),
                            ("name", "meridian"), ("name", "press"), ("name", "aldorian"), ("name", "dorsk"),
                            ("name", "anton"), ("name", "brel")}
    assert keys("fourteen drones") == keys("14 drones") == {("number", "14")}
    assert keys("forty-one drones") == keys("41 drones")
    assert keys("about 2,800 dockworkers") == keys("about 2800 dockworkers") == {("number", "2800")}
    assert keys("a rise of 4.5 per cent") == keys("a rise of 4.5%") == keys("a rise of 4.5 percent")
    assert keys("$2.5 million") == keys("2,500,000 dollars") == {("number", "2500000")}
    assert keys("on September 17") == keys("on Sept. 17") == keys("on 17 September") == keys("on Sept 17th")
    assert keys("on Tuesday") == keys("on Tues.") == {("day", "2")}
    assert keys("for the first time") == keys("for the 1st time") == {("number", "1st")}
    # Titles and ranks are no names; neither are ordinary words that start a sentence.
    assert keys("Maj. Gen. Ilias Varenko said.") == keys("Major General Ilias Varenko said.")
    assert keys("The talks resumed. However, they stalled.") == set()
    assert keys("Z\u00fcrich's mayor") == keys("Zurich mayor") == {("name", "zurich")}


@pytest.mark.parametrize("copy", [
    DRONES.replace("41", "forty-one"),
    DRONES.replace("Sept. 17", "September 17"),
    DRONES.replace("KASTRO (Meridian Press) - ", ""),  # the dateline dropped
    DRONES.replace("regional governor Anton Brel said", "said Anton Brel, the regional governor"),
    DRONES.replace(" on Sept. 17", ""),  # a fact left out is not a different fact
    DRONES.replace("said.", "told reporters in Kastro."),  # nor is one added
])
def test_copies_that_differ_in_formatting_or_by_leaving_out_agree(copy: str) -> None:
    assert agree(DRONES, copy) and agree(copy, DRONES)
    assert is_copy(DRONES, copy)


@pytest.mark.parametrize(("copy", "mine", "theirs"), [
    (DRONES.replace("41", "14"), ["41 drones"], ["14 drones"]),
    (DRONES.replace("41", "fourteen"), ["41 drones"], ["fourteen drones"]),
    (DRONES.replace("Sept. 17", "Sept. 18"), ["Sept. 17"], ["Sept. 18"]),
    (DRONES.replace("Sept. 17", "Oct. 17"), ["Sept. 17"], ["Oct. 17"]),
    (DRONES.replace("Anton Brel", "Ilse Varga"), ["Anton Brel"], ["Ilse Varga"]),
    (DRONES.replace("Dorsk ridge", "Vrana ridge"), ["Dorsk"], ["Vrana"]),
    (DRONES.replace("Aldorian air", "Sarvenian air"), ["Aldorian"], ["Sarvenian"]),
])
def test_copies_that_differ_in_one_fact_disagree(copy: str, mine: list[str], theirs: list[str]) -> None:
    assert near_identical(DRONES, copy)  # the text alone would call them one story
    assert not agree(DRONES, copy) and not is_copy(DRONES, copy)
    [conflict] = conflicts(DRONES, copy)
    assert (list(conflict.mine), list(conflict.theirs)) == (mine, theirs)


def test_numbers_swapped_between_things_disagree() -> None:
    a = "The army said 41 drones and 14 missiles were fired at Kastro overnight."
    b = "The army said 14 drones and 41 missiles were fired at Kastro overnight."
    assert not agree(a, b)
    [conflict] = conflicts(a, b)
    assert (conflict.mine, conflict.theirs) == (("41 drones", "14 missiles"), ("14 drones", "41 missiles"))


def test_weekdays_and_dates_are_different_kinds_of_fact() -> None:
    # "on Monday" and "on March 16" may be the same day: a copy editor's choice, not a contradiction.
    assert agree("The talks opened on Monday in Lindhaven.", "The talks opened on March 16 in Lindhaven.")
    assert not agree("The talks opened on Monday in Lindhaven.", "The talks opened on Tuesday in Lindhaven.")
    assert not agree("The talks opened in March.", "The talks opened in April.")


def test_counts_written_as_words_and_demonyms_are_formatting() -> None:
    assert keys("inspected twice") == keys("inspected two times") == {("number", "2")}
    assert agree("Sarvenian deputy foreign minister Aurel Constantin said.",
                 "Aurel Constantin, Sarvenia's deputy foreign minister, said.")
    assert not agree("Sarvenian deputy foreign minister Aurel Constantin said.",
                     "Aldorian deputy foreign minister Aurel Constantin said.")


def test_no_before_a_plural_is_the_number_none() -> None:
    assert keys("No casualties were reported.") == {("number", "0")}
    assert keys("It is no longer open; no one knows why.") == set()
    assert not agree("No casualties were reported at the depot.", "Two casualties were reported at the depot.")


def test_two_numbers_read_in_the_opposite_order_disagree() -> None:
    a = "Parliament passed the bill by 212 votes to 98 on Thursday."
    b = "Parliament passed the bill by 98 votes to 212 on Thursday."
    [conflict] = conflicts(a, b)
    assert conflict.kind == "number" and (conflict.mine, conflict.theirs) == (("212 votes", "98"), ("98 votes", "212"))
    assert agree(a, "Parliament passed the bill 212-98 on Thursday.")
    # Numbers far apart may move with their clauses.
    assert agree("In 2024, 41 drones fell near the ridge at dawn after the long night of shelling.",
                 "41 drones fell near the ridge at dawn after the long night of shelling in 2024.")


FACT_WORDS = st.sampled_from(["41", "14", "forty-one", "drones", "missiles", "and", "to", "votes", "3", "No", "no",
                              "casualties", "-", "the", "Kastro", "Tavrin", "Sarvenian", "Sarvenia's", "Monday",
                              "Sept.", "17", "18", "March", "first", "2nd", "U.S.", "$", "4.5", "million", "%", ".",
                              ",", "\"", "(", "twice", "Gen.", "Brel", "said", "\u00b2", "٤"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(FACT_WORDS, max_size=16).map(" ".join), st.lists(FACT_WORDS, max_size=16).map(" ".join))
def test_agreement_is_symmetric_and_never_fails(a: str, b: str) -> None:
    assert agree(a, b) == agree(b, a)
    assert agree(a, a)


def test_copies_and_carriers_read_by_an_answer_follow_another_process(tmp_path: Path) -> None:
    """An answer's "also carried by" is kept between questions; a copy or a carrier stored since, by another
    process (eventbot import beside eventbot run) or by this one, shows in the next answer."""
    path = tmp_path / "corpus.sqlite3"
    bot, importer = ArticleStore(path), ArticleStore(path)
    try:
        held, _ = importer.add(draft(STORY, "The Kestrel Ledger", "https://kl.example/talks"))
        assert (bot.copies(held.id), bot.carriers(held.id)) == ([], [])
        importer.add_many([draft(STORY, "Harbour Watch", "https://hw.example/talks")])
        assert [c["source"] for c in bot.carriers(held.id)] == ["Harbour Watch"]
        copy = tuple(p.replace(" on Monday", "") for p in STORY[:4])
        cut, _ = importer.add(draft(copy, "Northwire", "https://nw.example/talks"))
        assert [a.id for a, _ in bot.copies(held.id)] == [cut.id]
        bot.remove(cut.id)
        assert bot.copies(held.id) == []
    finally:
        bot.close()
        importer.close()
