"""Outlets and days named in a question, and the boosts they give (retrieval.question, .outlets, .boosts)."""

from __future__ import annotations

import pytest

from index.hybrid import Hit
from retrieval.boosts import Mentions, boost_mentions, find_mentions
from retrieval.outlets import OutletMatcher, outlet_aliases
from retrieval.question import Day, named_days

OUTLETS = ["The Verge", "TechCrunch", "The Age", "Fortune", "Cnbc | World Business News Leader",
           "The Independent - Sports", "Live Science: The Most Interesting Articles"]


def test_outlets_by_name_or_short_name_in_any_case_but_capitalised() -> None:
    match = OutletMatcher(OUTLETS)
    assert match("Did TechCrunch and the Verge agree, as reported by CNBC?") == {
        "TechCrunch", "The Verge", "Cnbc | World Business News Leader"}
    assert match("According to The Independent and Live Science ...") == {
        "The Independent - Sports", "Live Science: The Most Interesting Articles"}
    assert match("in the age of AI he made a fortune") == set()  # common words, not names
    assert match("The Age and Fortune both said so") == {"The Age", "Fortune"}
    sections = OutletMatcher(["FOX News - Health", "FOX News - Lifestyle", "BBC News - Technology"])
    assert sections("as FOX News - Health reported") == {"FOX News - Health", "FOX News - Lifestyle"}  # one publisher
    assert outlet_aliases("BBC News - Technology") == {"BBC News - Technology", "BBC News"}


def test_days_in_several_forms_and_near_a_publication_date() -> None:
    q = "Between the report on October 5, 2023, the one of 7th November and 2023-12-01, what changed by Oct. 9?"
    assert named_days(q) == [Day(2023, 10, 5), Day(None, 10, 9), Day(None, 11, 7), Day(2023, 12, 1)]
    assert Day(2023, 10, 5).near("2023-10-06T01:00:00+00:00") and not Day(2023, 10, 5).near("2023-10-08")
    assert Day(None, 12, 31).near("2024-01-01") and not Day(2022, 12, 31).near("2024-01-01")
    assert not Day(None, 2, 30).near("2023-03-01") and named_days("on February 30") == []
    assert not Day(2023, 10, 5).near(None)


def test_boosts_move_named_outlets_and_days_up_and_keep_the_rest() -> None:
    hits = [Hit(1, 1.0, 0.6), Hit(2, 0.9, 0.6), Hit(3, 0.8, 0.6), Hit(4, 0.7, 0.6)]
    meta = {1: ("Fortune", None, "2023-10-01"), 2: ("TechCrunch", None, "2023-10-01"),
            3: ("Wired", "TechCrunch", "2023-10-01"), 4: ("Wired", None, "2023-10-05")}
    mentions = find_mentions("What did TechCrunch report on October 5?", OutletMatcher(["TechCrunch", "Fortune"]))
    assert mentions == Mentions(frozenset({"TechCrunch"}), (Day(None, 10, 5),))
    ranked = boost_mentions(hits, meta, mentions, outlet_boost=0.5, date_boost=0.2)
    assert [h.id for h in ranked] == [2, 3, 1, 4]  # 1.4, 1.3 (wire origin), 1.0, 0.9
    assert ranked[0].score == pytest.approx(1.4) and ranked[-1].score == pytest.approx(0.9)
    assert boost_mentions(hits, meta, Mentions(), 0.5, 0.2) == hits


def test_parts_of_a_many_part_question_and_none_for_one_part() -> None:
    from retrieval.question import question_parts
    q = ("Does the Fortune article claim that Sam Bankman-Fried used Caroline Ellison as a front, "
         "while the TechCrunch articles focus on allegations of fraud for personal gain?")
    assert question_parts(q) == [
        "Does the Fortune article claim that Sam Bankman-Fried used Caroline Ellison as a front",
        "the TechCrunch articles focus on allegations of fraud for personal gain"]
    # A short fragment joins its neighbour; a date's comma does not split.
    assert question_parts("What did the report on October 5, 2023 say about the dam breach near Velmora, "
                          "and the evacuation, compared to the pumping crews arriving from three provinces?") == [
        "What did the report on October 5, 2023 say about the dam breach near Velmora, the evacuation",
        "the pumping crews arriving from three provinces"]
    assert question_parts("what happened at the dam?") == []
    assert question_parts("Who won, and why?") == []
    # At most four parts: the two neighbours shortest together are joined, nothing is dropped.
    clauses = ["the dam at Velmora broke overnight", "pumping crews came from three provinces",
               "the ferry strike closed the port", "grain prices rose in the valley markets",
               "the ceasefire talks opened in Lindhaven"]
    parts = question_parts("Did " + ", while ".join(clauses) + "?")
    assert len(parts) == 4 and all(any(c in part for part in parts) for c in clauses)
    assert len(question_parts("Did " + ", while ".join(clauses) + "?", max_parts=5)) == 5


def test_outlets_a_question_attributes_reports_to_and_which_are_not_held() -> None:
    from retrieval.outlets import unheld_outlets
    from retrieval.question import attributed_names
    q = ("Considering a New York Times article, a report by 'The Verge' and an analysis from Bloomberg, and the "
         "October 5 article, according to a BBC piece, did the Wall Street Journal's coverage agree?")
    assert attributed_names(q) == ["The Verge", "Bloomberg", "New York Times", "BBC", "Wall Street Journal"]
    held = OutletMatcher(["The New York Times", "The Verge", "BBC News - Technology"])
    assert held.holds("BBC") and held.holds("the Verge") and not held.holds("BBC Sport")
    assert unheld_outlets(q, held) == ["Bloomberg", "Wall Street Journal"]  # "BBC" starts a held name
    assert unheld_outlets("What did the dam report say?", held) == []  # not a name
    assert attributed_names("Did an AI-powered DJ feature launch, per a Sky Sports report?") == ["Sky Sports"]
    assert unheld_outlets("Did a Reuters report say so?", OutletMatcher(["Harbour Watch", "Reuters"])) == []


def test_a_name_in_the_held_titles_is_a_subject_not_an_outlet() -> None:
    from retrieval.outlets import TitleIndex, unheld_outlets
    held = OutletMatcher(["The Verge"])
    titles = TitleIndex(["Taylor Swift is Time's Person of the Year", "The Steam Deck OLED review"])
    assert unheld_outlets("What did the Taylor Swift story in a Bloomberg report say?", held, titles) == ["Bloomberg"]
    assert unheld_outlets("What did the Taylor Swift story say?", held) == ["Taylor Swift"]
