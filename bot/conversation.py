"""Follow-up questions: what a question asked after an answer takes over from the question before it.

A member replying to an answer ("and what did the ministry say after that?") asks about the same thing,
with the same filters: `follow_up` combines the previous `Turn` with the new text into the question to
ask. `Conversations` keeps the turns, bounded in number and age, keyed by the answer's message id (or the
thread opened for it). Pure: no Discord, no I/O.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.answer import Answer
from retrieval.precision import FUNCTION_WORDS
from retrieval.question import FILTER_KEYS, article_filter, parse_query

# Words that refer back to what was asked before: with one of them the previous subject is carried over.
_BACK_REFERENCE = re.compile(
    r"\b(?:that|this|it|its|they|them|their|those|these|there|then|he|she|his|her|him|again|also|else|more"
    r"|same|earlier|later|meanwhile|afterwards?|what about|how about)\b|^\s*(?:and|but|so|or)\b",
    re.IGNORECASE,
)
_AFTER = re.compile(r"\b(?:after (?:that|this|it|then)|since (?:then|that|this)|afterwards?|later on|later)\b",
                    re.IGNORECASE)
_BEFORE = re.compile(r"\b(?:before (?:that|this|it|then)|until then|earlier|beforehand)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’.\-]+")
# Words of a question that ask, not what it is about: left out of the subject carried over.
_ASKING = FUNCTION_WORDS | frozenset(
    "happen happened happening tell know say said saying says report reported announce announced anything"
    " something news latest update updates think thought".split())
MAX_SUBJECT_WORDS = 12
FEW_WORDS = 2  # a follow-up with at most this many words of its own is about the previous subject


@dataclass(frozen=True)
class Turn:
    """A question answered: its text (typed filters taken out), the filters applied, its subject (the words
    a follow-up carries over) and the day of the best passage shown that has one ("that" in "after that")."""

    question: str
    filters: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    day: str | None = None

    @classmethod
    def of(cls, answer: Answer, subject: str | None = None) -> Turn:
        """The turn an answer ends; `subject` when it was a follow-up (the subject it carried), else the
        question's own content words."""
        day = next((p.published_at[:10] for p in answer.passages if p.published_at), None)
        return cls(answer.question, dict(answer.filters), subject if subject is not None else subject_of(answer.question),
                   day)


@dataclass(frozen=True)
class FollowUp:
    """The question to ask for a follow-up: `text` (the new words, then the subject carried over) and the
    filters; `carried` names what came from the previous turn, for the reply to say."""

    text: str
    filters: dict[str, str]
    subject: str
    carried: tuple[str, ...] = ()


def subject_of(question: str) -> str:
    """The words a question is about: its words without the ones every question has ("what", "did", "say")
    and without the speaker it asks about (a follow-up may ask someone else about the same thing)."""
    query = parse_query(question)
    speaker = {w.lower() for w in (query.speaker_hint or "").split()}
    words = [w.strip(".'’-") for w in _WORD.findall(query.text)]
    kept = [w for w in words if w and w.lower() not in _ASKING and w.lower() not in speaker]
    return " ".join(dict.fromkeys(kept[:MAX_SUBJECT_WORDS]))


def follow_up(previous: Turn, text: str) -> FollowUp:
    """`text`, asked after `previous`, as a question of its own.

    - Filters typed in `text` win; the others carry over, except a speaker filter when the new question asks
      about someone else ("and what did the ministry say?").
    - "after that", "since then", "later" ask for articles from the day of the best passage shown on;
      "before that", "earlier" for those up to that day (unless a date is typed).
    - The previous subject is added when the new question refers back ("that", "they", "and ...") or has
      too few words of its own to be about anything else.
    """
    query = parse_query(text)
    filters = {k: v for k, v in previous.filters.items() if k in FILTER_KEYS}
    carried = [k for k in filters]
    if query.speaker_hint and not query.speaker:
        filters.pop("speaker", None)
    for key in FILTER_KEYS:
        typed = getattr(query, key)
        if typed:
            filters[key] = typed
            if key in carried:
                carried.remove(key)
    if previous.day and not query.since and _AFTER.search(query.text):
        filters["since"] = previous.day
        carried.append("since")
    if previous.day and not query.until and _BEFORE.search(query.text):
        filters["until"] = previous.day
        carried.append("until")
    own = subject_of(query.text)
    refers_back = bool(_BACK_REFERENCE.search(query.text)) or len(own.split()) <= FEW_WORDS
    new_words = {w.lower() for w in own.split()}
    extra = [w for w in previous.subject.split() if w.lower() not in new_words] if refers_back else []
    subject = " ".join([*own.split(), *extra][:MAX_SUBJECT_WORDS])
    asked = f"{query.text} ({' '.join(extra)})" if extra else query.text
    if extra:
        carried.insert(0, "subject")
    return FollowUp(asked, dict(sorted(filters.items())), subject, tuple(dict.fromkeys(k for k in carried
                                                                                     if k == "subject" or k in filters)))


def check_filters(question: str, **filters: str | None) -> None:
    """Raise `BadFilter` now if a date filter (given, or typed in the question) is no date: before a slash
    command is deferred, so that the message saying so can be private."""
    query = parse_query(question)
    applied = query.filters(**filters)
    article_filter(applied.get("source"), applied.get("since"), applied.get("until"))


class Conversations:
    """Turns by key (an answer's message id, the id of a thread opened for an answer), the newest
    `max_items` kept, each for `ttl` seconds after it was last used."""

    def __init__(self, max_items: int = 2000, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items = max_items
        self.ttl = ttl
        self._clock = clock
        self._turns: OrderedDict[int, tuple[float, Turn]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._turns)

    def remember(self, turn: Turn, *keys: int | None) -> None:
        now = self._clock()
        for key in keys:
            if key is None:
                continue
            self._turns[key] = (now, turn)
            self._turns.move_to_end(key)
        while len(self._turns) > self.max_items:
            self._turns.popitem(last=False)

    def get(self, key: int | None) -> Turn | None:
        """The turn under `key`, unless unknown or older than `ttl` (using it keeps it)."""
        if key is None or key not in self._turns:
            return None
        at, turn = self._turns[key]
        now = self._clock()
        if now - at > self.ttl:
            del self._turns[key]
            return None
        self._turns[key] = (now, turn)
        self._turns.move_to_end(key)
        return turn
