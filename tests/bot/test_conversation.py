"""Follow-up questions: filters, dates and subject carried over from the answer replied to; bounded memory."""

from __future__ import annotations

import pytest

from bot.conversation import Conversations, Turn, check_filters, follow_up, subject_of
from retrieval.answer import Answer, AnswerPassage
from retrieval.errors import BadFilter

DAM = Turn("What happened at the Velmora dam?", {"source": "Harbour Watch"}, "Velmora dam", "2026-03-04")


def passage(day: str | None) -> AnswerPassage:
    return AnswerPassage("text", "title", None, None, None, day, 1.0, 0.5, 1, 1)


def test_subject_is_what_the_question_is_about() -> None:
    assert subject_of("What happened at the Velmora dam?") == "Velmora dam"
    assert subject_of("what did Varenko say about the ceasefire talks? source:Reuters") == "ceasefire talks"


def test_a_turn_remembers_filters_and_the_best_passage_s_day() -> None:
    answer = Answer("what happened at the dam", True, [passage(None), passage("2026-03-05T10:00"),
                                                       passage("2026-03-02")], 3, filters={"speaker": "Verlinde"})
    turn = Turn.of(answer)
    assert (turn.filters, turn.subject, turn.day) == ({"speaker": "Verlinde"}, "dam", "2026-03-05")
    assert Turn.of(answer, subject="Velmora dam").subject == "Velmora dam"


def test_after_that_carries_subject_and_filters_and_starts_at_the_best_passage_s_day() -> None:
    asked = follow_up(DAM, "and what did the ministry say after that?")
    assert asked.text == "and what did the ministry say after that? (Velmora dam)"
    assert asked.filters == {"source": "Harbour Watch", "since": "2026-03-04"}
    assert asked.carried == ("subject", "source", "since")
    assert "Velmora" in asked.subject and "ministry" not in subject_of(asked.text)


def test_before_that_ends_at_the_best_passage_s_day() -> None:
    assert follow_up(DAM, "what was said before that?").filters["until"] == "2026-03-04"


def test_typed_filters_win_and_a_new_speaker_replaces_the_old_one() -> None:
    turn = Turn("what did Varenko say about the talks", {"speaker": "Varenko", "since": "2026-01-01"}, "talks")
    asked = follow_up(turn, "and what did the ministry say? since:2026-02-01")
    assert asked.filters == {"since": "2026-02-01"}  # the speaker filter was Varenko's; the date typed wins
    assert asked.text == "and what did the ministry say? (talks)"
    same = follow_up(turn, "did he say more?")
    assert same.filters == {"speaker": "Varenko", "since": "2026-01-01"}


def test_a_question_about_something_else_keeps_the_filters_not_the_subject() -> None:
    asked = follow_up(DAM, "Which ferry routes were cancelled in the storm at Kestrel harbour?")
    assert asked.text == "Which ferry routes were cancelled in the storm at Kestrel harbour?"
    assert asked.filters == {"source": "Harbour Watch"} and "subject" not in asked.carried


def test_a_short_follow_up_is_about_the_previous_subject() -> None:
    assert follow_up(DAM, "casualties?").text == "casualties? (Velmora dam)"


def test_bad_dates_are_caught_before_asking() -> None:
    check_filters("what happened? since:2026-03-01", until="2026-04-01")
    with pytest.raises(BadFilter, match="since must be a date"):
        check_filters("what happened?", since="last week")
    with pytest.raises(BadFilter, match="until"):
        check_filters("what happened? until:tomorrow")


def test_conversations_are_bounded_in_number_and_age() -> None:
    now = [0.0]
    kept = Conversations(max_items=3, ttl=60, clock=lambda: now[0])
    for key in range(5):
        kept.remember(DAM, key)
    assert len(kept) == 3 and kept.get(0) is None and kept.get(4) == DAM
    kept.remember(DAM, 10, 11, None)  # an answer and its thread, under both keys
    assert kept.get(10) == kept.get(11) == DAM and len(kept) == 3
    now[0] = 59
    assert kept.get(11) == DAM  # used: kept another minute
    now[0] = 100
    assert kept.get(10) is None and kept.get(11) == DAM
    now[0] = 200
    assert kept.get(11) is None and kept.get(None) is None
