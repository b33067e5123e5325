"""The MultiHop-RAG retrieval scorer (Tang & Yang, COLM 2024), exactly as the paper's code computes it.

All spaces and newlines are removed from gold facts and retrieved passages; a retrieved passage is
relevant when any gold fact is a substring of it. Over the questions that have evidence:
Hits@10 / Hits@4 (a relevant passage in the top 10 / 4), MRR@10 (1 / rank of the first relevant
passage), MAP@10 (at each relevant rank r <= 10 add (gold facts first found there) / r, then divide by
min(#facts, 10)). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def squash(text: str) -> str:
    """The text with every space and newline removed (the paper's normalisation)."""
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class QuestionScore:
    hit10: bool
    hit4: bool
    rr: float
    ap: float


def score_question(retrieved: Sequence[str], facts: Sequence[str]) -> QuestionScore:
    """Scores of one answerable question: `retrieved` passages best first, `facts` its gold evidence."""
    gold = [squash(f) for f in facts]
    found: list[str] = []
    first: int | None = None
    hit4 = False
    ap_sum = 0.0
    for rank, text in enumerate(retrieved[:10], start=1):
        text = squash(text)
        if not any(g in text for g in gold):
            continue
        if first is None:
            first = rank
        hit4 = hit4 or rank <= 4
        new = 0
        for g in gold:  # duplicate facts count once, as in the paper's code
            if g in text and g not in found:
                new += 1
                found.append(g)
        ap_sum += new / rank
    return QuestionScore(first is not None, hit4, 1 / first if first else 0.0, ap_sum / min(len(gold), 10))


@dataclass(frozen=True)
class Metrics:
    n: int
    hits10: float
    hits4: float
    mrr10: float
    map10: float


def aggregate(scores: Sequence[QuestionScore]) -> Metrics:
    """Means over questions (all zero for none)."""
    n = len(scores)
    if not n:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0)
    return Metrics(n, sum(s.hit10 for s in scores) / n, sum(s.hit4 for s in scores) / n,
                   sum(s.rr for s in scores) / n, sum(s.ap for s in scores) / n)
