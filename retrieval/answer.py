"""What an answer is: the passages shown, each attributed, or the reason none is. Data only: the front ends
turn it into prose."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Reason(StrEnum):
    """Why a question got no passages."""

    NO_ARTICLES = "no_articles"  # nothing is held at all
    NOTHING_RELEVANT = "nothing_relevant"  # the best passage is below the similarity threshold
    UNHELD_OUTLET = "unheld_outlet"  # the question asks about a report by an outlet none of the articles come from
    UNKNOWN_TERMS = "unknown_terms"  # the question names something no held passage mentions; see `Answer.missing`
    NO_MATCH = "no_match"  # relevant passages exist, but none passes the filters
    BAD_QUESTION = "bad_question"  # the question could not be asked (empty, a bad filter); see `Answer.error`


@dataclass(frozen=True)
class AnswerPassage:
    text: str
    title: str
    url: str | None
    source: str | None
    author: str | None
    published_at: str | None
    score: float
    similarity: float
    article_id: int
    passage_id: int
    origin: str | None = None
    speaker: str | None = None
    heading: str | None = None  # the heading of the section the passage sits in (an interview question, a topic)
    # Other held articles carrying this passage's text (syndicated copies): [{source, url, title}].
    also_carried_by: list[dict[str, str | None]] = field(default_factory=list)
    # Held copies of this passage that state other numbers, dates or names (retrieval.copies):
    # [{source, url, title, relation ("other outlet", "later version", "earlier version"), detail}].
    disagrees_with: list[dict[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: list[AnswerPassage]
    articles_held: int = 0
    reason: Reason | None = None
    filters: dict[str, str] = field(default_factory=dict)  # those applied: source, speaker, since, until
    unheld: tuple[str, ...] = ()  # with UNHELD_OUTLET: the outlets named that none of the articles come from
    error: str | None = None  # with BAD_QUESTION: what was wrong, for the user
    # The question's specific words that none of the shown passages mentions: with UNKNOWN_TERMS, words no
    # held passage mentions; on an answer, `partial` is set and the passages are the closest held, which
    # may not answer the question.
    missing: tuple[str, ...] = ()
    partial: bool = False

    def to_json(self) -> dict:
        return {"question": self.question, "answered": self.answered, "passages": [asdict(p) for p in self.passages],
                "articles_held": self.articles_held, "reason": self.reason.value if self.reason else None,
                "partial": self.partial, "missing": list(self.missing), "filters": self.filters}
