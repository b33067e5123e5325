"""The precision stage's rules (retrieval.precision)."""

from __future__ import annotations

from bot.config import RetrievalConfig
from corpus.models import Article, Passage
from index.hybrid import Hit
from retrieval.precision import Cue, answer_cue, holds_cue, is_heading, refine, unknown_words


def test_a_short_question_says_what_kind_of_answer_it_wants() -> None:
    assert answer_cue("how many drones were shot down?", 15) is Cue.NUMBER
    assert answer_cue("how much did mistral raise", 15) is Cue.NUMBER
    assert answer_cue("when does the strike end", 15) is Cue.DATE
    assert answer_cue("who replaced the ceo?", 15) is Cue.PERSON
    assert answer_cue("why did the dam fail?", 15) is None
    long = "who " + "word " * 20
    assert answer_cue(long, 15) is None  # a long question asks for more than one kind


def test_passages_holding_the_kind_asked_for() -> None:
    assert holds_cue("It raised €105 million in June.", Cue.NUMBER)
    assert holds_cue("Twelve boats were lost.", Cue.NUMBER)
    assert not holds_cue("The talks stalled again.", Cue.NUMBER)
    assert holds_cue("The EP debuts on Oct. 20.", Cue.DATE) and holds_cue("It opens next year.", Cue.DATE)
    assert holds_cue("the board picked Emma Hayes for the job", Cue.PERSON)
    assert not holds_cue("the board picked a new coach", Cue.PERSON)


def test_headings_and_teasers_are_not_sentences() -> None:
    assert is_heading("IPL 2024 Auction Details:")
    assert is_heading("WATCH: Craig Morgan on serving")
    assert not is_heading("The dam failed.")
    assert not is_heading(" ".join(["word"] * 20))


def _rows(texts: dict[int, str]) -> dict[int, tuple[Passage, Article]]:
    article = Article(1, "t", None, None, None, None, None, None, "h", "", 0)
    return {i: (Passage(i, 1, i, text), article) for i, text in texts.items()}


def test_refine_moves_the_answering_paragraph_above_a_heading() -> None:
    rows = _rows({1: "Beeper Mini downloads in the first days", 2: "It saw over 100,000 downloads in 48 hours."})
    hits = [Hit(1, 1.50, 0.6), Hit(2, 1.45, 0.55), Hit(3, 1.0, 0.3)]  # 3: no row (removed since the search)
    params = RetrievalConfig()
    ranked = refine("how many downloads did beeper mini get?", hits, rows, params)
    assert [h.id for h in ranked] == [2, 1, 3]
    assert ranked[0].score == 1.45 + params.cue_weight
    off = params.model_copy(update={"heading_penalty": 0.0, "cue_weight": 0.0})
    assert refine("how many downloads did beeper mini get?", hits, rows, off) == hits


def test_unknown_words_leave_out_the_words_every_question_has() -> None:
    terms = [("how", "how", 0), ("many", "mani", 0), ("tbilisi", "tbilisi", 0), ("metro", "metro", 12)]
    assert unknown_words(terms) == ("tbilisi",)
