"""The front ends' shared prose for an answer with no passages, or only the closest ones (bot.present)."""

from __future__ import annotations

from bot.present import partial_note, why_unanswered
from bot.results import Answer, AnswerPassage, Reason

PASSAGE = AnswerPassage("The dam failed.", "Dam", None, None, None, None, 1.0, 0.6, 1, 1)


def test_each_reason_is_said_plainly() -> None:
    assert why_unanswered(Answer("q", False, [], 0, Reason.NO_ARTICLES)) == (
        "I hold no articles yet: add some with `eventbot add URL_OR_FILE` or `eventbot import FILE`.")
    assert why_unanswered(Answer("q", False, [], 1, Reason.NOTHING_RELEVANT)) == (
        "I found nothing about that in the 1 article I hold.")
    assert why_unanswered(Answer("q", False, [], 5, Reason.UNHELD_OUTLET, unheld=("Bloomberg", "AP"))) == (
        "I hold no articles from Bloomberg or AP.")
    assert why_unanswered(Answer("q", False, [], 5, Reason.UNKNOWN_TERMS, missing=("tbilisi",))) == (
        "I hold nothing that mentions “tbilisi”.")
    assert why_unanswered(Answer("q", False, [], 5, Reason.NO_MATCH)) == (
        "I found nothing about that matching those filters in the 5 articles I hold.")
    assert why_unanswered(Answer("q", False, [], 5, Reason.BAD_QUESTION, error="since must be a date")) == (
        "since must be a date")


def test_closest_passages_are_not_presented_as_the_answer() -> None:
    partial = Answer("how tall is the dam?", True, [PASSAGE], 5, missing=("tall", "height"), partial=True)
    assert partial_note(partial) == ("Closest I hold; none of these mentions “tall” or “height”, "
                                     "so they may not answer it.")
    assert partial_note(Answer("why did the dam fail?", True, [PASSAGE], 5)) is None
