"""The precision stage: among the best candidates, the paragraph that answers before the one that only
repeats the question's words; and what the top passages say of the question's specific terms.

Both are cheap text rules over the few passages already fetched for the answer (no model call): a
heading or one-line teaser ("IPL 2024 Auction Details:") holds no answer; a short "how many" question
is answered by a paragraph with a number in it, "when" by one with a date, "who" by one naming a person.
Each lever was measured on bench/natural.py and bench/retrieval.py (bench/README.md, issue 13).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol

from corpus.lexicon import MONTHS, WEEKDAY_NAMES, alternation
from corpus.models import Article, Passage
from index.hybrid import Hit
from index.keyword import tokenize
from retrieval.answer import AnswerPassage

Rows = Mapping[int, tuple[Passage, Article]]


class Cue(StrEnum):
    """What kind of answer a short question asks for."""

    NUMBER = "number"
    DATE = "date"
    PERSON = "person"


_CUES = (
    (Cue.NUMBER, re.compile(r"\bhow\s+(?:many|much|long|old|far|big|tall|often|fast|high|large|late|early)\b"
                            r"|\bwhat\s+(?:percentage|share|proportion|price|amount|sum|number|score|age)\b"
                            r"|\bwhat\s+(?:did|does|do|will|would)\b.{0,40}\b(?:cost|pay|earn|raise|sell\s+for)\b",
                            re.IGNORECASE)),
    (Cue.DATE, re.compile(r"\bwhen\b|\bwhat\s+(?:year|day|date|month|time)\b|\bwhich\s+(?:year|day|date|month)\b",
                          re.IGNORECASE)),
    (Cue.PERSON, re.compile(r"\bwho\b|\bwhose\b"
                            r"|\bwhich\s+(?:player|person|executive|manager|coach|minister|official)\b",
                            re.IGNORECASE)),
)
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                     r"fifty|dozen|hundreds?|thousands?|millions?|billions?|trillions?|half|percent)\b", re.IGNORECASE)
_DATE = re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{alternation(MONTHS)})\.?\s+\d|\b\d{{1,2}}\s+(?:{alternation(MONTHS)})\b"
                   rf"|\b(?:{alternation(WEEKDAY_NAMES)}|yesterday|today|tomorrow|tonight)\b"
                   r"|\b(?:last|next|this)\s+(?:week|month|year|season|spring|summer|autumn|fall|winter)\b",
                   re.IGNORECASE)
# Two capitalised words in a row, the second not opening a sentence: a name ("Emma Hayes", "Jerome Powell").
_PERSON = re.compile(r"\b[A-Z][a-z'’\-]+\s+(?:[A-Z]\.\s+)?[A-Z][a-z'’\-]+")
_SENTENCE_END = re.compile(r"[.!?\"”’)…]\s*$")


def answer_cue(question: str, short_words: int) -> Cue | None:
    """The kind of answer a question of at most `short_words` words asks for, if it says.

    A long question (several parts, many facts) asks for more than one kind: it gets no cue.
    """
    if len(question.split()) > short_words:
        return None
    for cue, pattern in _CUES:
        if pattern.search(question):
            return cue
    return None


def holds_cue(text: str, cue: Cue) -> bool:
    """Whether a passage holds the kind of answer asked for (a number, a date, a person's name)."""
    pattern = {Cue.NUMBER: _NUMBER, Cue.DATE: _DATE, Cue.PERSON: _PERSON}[cue]
    return bool(pattern.search(text))


def is_heading(text: str, max_words: int = 14) -> bool:
    """A heading or a one-line teaser: a few words that do not end as a sentence does."""
    text = text.strip()
    return len(text.split()) <= max_words and not _SENTENCE_END.search(text)


PRECISION_DEPTH = 60
"""Candidates the precision stage re-ranks (an answer shows at most 20)."""


class PrecisionParams(Protocol):
    """Config `retrieval:` (bot.config.RetrievalConfig holds the defaults)."""

    @property
    def heading_penalty(self) -> float: ...
    @property
    def cue_weight(self) -> float: ...
    @property
    def short_question_words(self) -> int: ...


def refine(question: str, hits: Sequence[Hit], rows: Rows, params: PrecisionParams) -> list[Hit]:
    """The hits re-ranked: a heading loses `heading_penalty`; for a short question asking for a number, a
    date or a person, a passage holding one gains `cue_weight`. Hits without a row keep their score."""
    cue = answer_cue(question, params.short_question_words) if params.cue_weight else None
    if not params.heading_penalty and cue is None:
        return list(hits)
    # Only the best few can reach an answer; the rest keep their order below them.
    hits, rest = list(hits[:PRECISION_DEPTH]), list(hits[PRECISION_DEPTH:])
    out = []
    for hit in hits:
        row = rows.get(hit.id)
        if row is None:
            out.append(hit)
            continue
        text = row[0].text
        delta = -params.heading_penalty if params.heading_penalty and is_heading(text) else 0.0
        if cue is not None and holds_cue(text, cue):
            delta += params.cue_weight
        out.append(hit.rescored(hit.score + delta) if delta else hit)
    return sorted(out, key=lambda h: h.score, reverse=True) + rest


# Words of a question that name nothing: what a question is made of, whatever it asks about. Neither "I hold
# nothing that mentions ..." nor "none of these mentions ..." is said of them.
FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing done down during each else ever every few for from further get gets got
had has have having he her here hers herself him himself his how i if in into is it its itself just let like made
make many may me might more most much must my myself never new no nor not now of off often on once one only or
other our ours out over own per please said same say says see she should since so some still such tell than that
the their theirs them themselves then there these they this those through to too under until up upon us use used
very was we were what whats when where whether which while who whom whose why will with would yet you your
""".split())

SPECIFIC_SHARE = 1 / 400
"""A word held by at most this share of the passages is specific: a name, a place, a rare thing ("birthday")."""


def unmentioned(question: str, terms: Sequence[tuple[str, str, int]], held: int, passages: Sequence[AnswerPassage],
                short_words: int) -> tuple[str, ...]:
    """The specific words of a short question that none of the shown passages (nor their titles) mentions.

    `terms` are the question's (word, token, passages holding it) and `held` the passages indexed
    (index.hybrid.HybridIndex.term_counts). Such an answer is the closest held, which may not answer:
    "how tall is X" over passages about X that never give a height ("tall"). A long question always
    has words its passages lack; it gets none.
    """
    if len(question.split()) > short_words or not terms:
        return ()
    specific = [(word, token) for word, token, n in terms
                if n <= max(1, held * SPECIFIC_SHARE) and word.lower() not in FUNCTION_WORDS]
    if not specific:
        return ()
    shown: set[str] = set()
    for p in passages:
        shown.update(tokenize(f"{p.title} {p.source or ''} {p.text}"))
    return tuple(word for word, token in specific if token not in shown)


def unknown_words(terms: Sequence[tuple[str, str, int]]) -> tuple[str, ...]:
    """The words of a question that no held passage holds (function words aside): "tbilisi"."""
    return tuple(word for word, _, n in terms if n == 0 and word.lower() not in FUNCTION_WORDS)
