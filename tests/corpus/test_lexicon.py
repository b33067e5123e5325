"""The shared word lists: one spelling of each word, and patterns that match every form."""

from __future__ import annotations

import re

import pytest

from corpus import lexicon
from corpus.lexicon import MONTH_PATTERN, MONTHS, RANKS_AND_TITLES, WEEKDAY_PATTERN, WEEKDAYS, alternation


def test_every_word_is_lower_case_without_a_stop() -> None:
    lists = [MONTHS, WEEKDAYS, RANKS_AND_TITLES, lexicon.TITLE_ABBREVIATIONS, lexicon.STOP_ONLY_ABBREVIATIONS,
             lexicon.NAME_PARTICLES, lexicon.NEWSROOM_ROLES]
    for words in lists:
        assert all(w == w.lower() and "." not in w and w.strip() == w for w in words)


def test_months_and_weekdays_map_to_their_numbers() -> None:
    assert [MONTHS[n] for n in ("jan", "february", "may", "jun", "sept", "sep", "december")] == [1, 2, 5, 6, 9, 9, 12]
    assert set(range(1, 13)) == set(MONTHS.values()) and len(lexicon.MONTH_NAMES) == 12
    assert [WEEKDAYS[n] for n in ("mon", "tues", "thur", "sunday")] == [1, 2, 4, 7]
    assert lexicon.MONTH_ABBREVIATIONS == {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                                           "nov", "dec"}


@pytest.mark.parametrize("text", ["March", "Mar.", "mar", "SEPT.", "Sept", "September", "may", "Jun."])
def test_month_pattern_matches_every_form_whole(text: str) -> None:
    assert re.fullmatch(MONTH_PATTERN, text, re.IGNORECASE)


@pytest.mark.parametrize("text", ["Tuesday", "Tues.", "tue", "Thurs", "Thur.", "thu", "SUNDAY", "Sat."])
def test_weekday_pattern_matches_every_form_whole(text: str) -> None:
    assert re.fullmatch(WEEKDAY_PATTERN, text, re.IGNORECASE)


def test_alternation_puts_longer_words_first() -> None:
    assert alternation(["sep", "september", "sept", "a.m"]) == r"september|sept|a\.m|sep"
    assert re.match(rf"(?:{alternation(MONTHS)})", "september").group(0) == "september"


def test_ranks_and_titles_hold_every_list_and_the_speaker_filters_words() -> None:
    for words in (lexicon.MILITARY_RANKS, lexicon.COURTESY_TITLES, lexicon.OFFICE_TITLES, lexicon.RELIGIOUS_TITLES,
                  lexicon.ROYAL_TITLES, lexicon.TITLE_ABBREVIATIONS, lexicon.STOP_ONLY_ABBREVIATIONS):
        assert words <= RANKS_AND_TITLES
    # The words the speaker filter (retrieval.question.speaker_matches) ignored before it read this list.
    assert {"maj", "gen", "col", "lt", "capt", "sgt", "adm", "brig", "dr", "prof", "mr", "mrs", "ms", "miss", "sir",
            "dame", "rev", "general", "major", "colonel", "lieutenant", "captain", "admiral"} <= RANKS_AND_TITLES
    assert not lexicon.TITLE_ABBREVIATIONS & lexicon.STOP_ONLY_ABBREVIATIONS
