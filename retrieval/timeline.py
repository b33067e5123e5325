"""An event as a timeline: the key paragraph of each development, in publication order, in the articles'
own words, each attributed; syndicated copies shown once, figures that differ between outlets side by side.

Pure logic (no I/O): the application gathers the event's articles, passages and vectors and the query's
vector, and this module chooses and orders what is shown, and which event a query names.

- Key paragraph: per article, the passage closest to both the query and the event's centroid (a lead
  paragraph a little favoured, a heading or one-liner set back).
- One entry per development: an article that is a syndicated copy of an earlier entry's article (as the
  store links them, corpus.syndication), or whose key paragraph carries an earlier entry's text with the
  same facts (`is_copy`), is folded into that entry's `also_carried_by`. An article with a near-identical
  paragraph stating other figures shows that paragraph, and both entries say what the other reports
  (`differs_from`: "1,200 residents (Harbour Watch, 4 Mar) / 1,500 residents (Valley Courier, 5 Mar)").
- Order: publication time (undated articles last); the first entry is the first report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from corpus.models import Article, Passage
from corpus.syndication import agree, conflicts, is_copy, near_identical, words
from retrieval.answer import Answer, Reason

LEAD_BONUS = 0.05  # a story's first paragraphs usually say what happened
LEAD_PARAGRAPHS = 3
SHORT_WORDS = 12  # a passage of fewer words is a heading or a teaser, seldom the development itself
SHORT_PENALTY = 0.3
CLOSE = 0.75
"""Cosine of two paragraphs' vectors under which they are taken not to be near-identical without comparing
their words (a paragraph and its copy with a figure changed score 0.9 and more)."""


@dataclass(frozen=True)
class EventSummary:
    """An event as listed: its label (most central headline), span, articles and outlets."""

    id: int
    label: str
    first_seen: str | None
    last_seen: str | None
    articles: int
    outlets: list[str]

    def to_json(self) -> dict:
        return {"label": self.label, "first_seen": self.first_seen, "last_seen": self.last_seen,
                "articles": self.articles, "outlets": list(self.outlets)}


@dataclass
class TimelineEntry:
    """One development: the key paragraph of an article, attributed."""

    published_at: str | None
    text: str
    title: str
    url: str | None
    source: str | None
    origin: str | None
    speaker: str | None
    article_id: int
    passage_id: int
    author: str | None = None
    first_report: bool = False
    # Other articles carrying this development's text: [{source, url, title, published_at}].
    also_carried_by: list[dict[str, str | None]] = field(default_factory=list)
    # Entries whose near-identical paragraph states other figures: [{source, url, title, published_at, detail}].
    differs_from: list[dict[str, str | None]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"published_at": self.published_at, "text": self.text, "title": self.title, "url": self.url,
                "source": self.source, "origin": self.origin, "speaker": self.speaker,
                "first_report": self.first_report, "also_carried_by": list(self.also_carried_by),
                "differs_from": list(self.differs_from)}


@dataclass(frozen=True)
class Timeline:
    """The timeline of the event a query names, or, when `event` is None, the answer saying why there is none."""

    query: str
    event: EventSummary | None
    entries: list[TimelineEntry]
    answer: Answer  # the retrieval the event was chosen by; its reason when nothing is shown

    @property
    def answered(self) -> bool:
        return self.event is not None and bool(self.entries)

    def to_json(self) -> dict:
        return {"query": self.query, "event": self.event.to_json() if self.event else None,
                "entries": [e.to_json() for e in self.entries],
                "reason": None if self.answered else (self.answer.reason or Reason.NO_MATCH).value}


@dataclass(frozen=True)
class Member:
    """An article of the event with its passages (in order), their vectors (rows, aligned; may be empty),
    the pages carrying exactly its text that were not stored twice ({source, url, title}) and the held
    articles carrying the same story (its syndicated copies: corpus.store's `copies`)."""

    article: Article
    passages: Sequence[Passage]
    vectors: np.ndarray
    carriers: Sequence[dict[str, str | None]] = ()
    copy_of: frozenset[int] = frozenset()

    @property
    def has_vectors(self) -> bool:
        return len(self.vectors) == len(self.passages) and len(self.passages) > 0


def choose_event(answer: Answer, event_of: dict[int, int]) -> int | None:
    """The event a query names: the one whose articles' retrieved passages score most (a vote by score)."""
    votes: dict[int, float] = defaultdict(float)
    for rank, p in enumerate(answer.passages):
        event = event_of.get(p.article_id)
        if event is not None:
            votes[event] += max(p.score, 0.0) + 1.0 / (rank + 1)
    return max(votes, key=lambda e: (votes[e], -e)) if votes else None


def build(members: Iterable[Member], query_vector: np.ndarray | None, centroid: np.ndarray | None) -> list[TimelineEntry]:
    """The timeline entries of an event's articles, in publication order, each development once."""
    ordered = sorted((m for m in members if m.passages), key=_when)
    entries: list[TimelineEntry] = []
    vectors: dict[int, np.ndarray] = {}  # passage id -> vector, of the entries' paragraphs
    for member in ordered:
        conflicting = _conflicting(member, entries, vectors)
        if conflicting is not None:
            passage, other = conflicting
            entry = _entry(member, passage)
            _mark_differs(entry, other)
        else:
            passage = _key_paragraph(member, query_vector, centroid)
            home = next((e for e in entries if e.article_id in member.copy_of), None)
            home = home or next((e for e in entries if _close(member, passage, e, vectors) and is_copy(e.text, passage.text)),
                                None)
            if home is not None:
                home.also_carried_by.append(_carrier(member.article))
                home.also_carried_by.extend(_other_carriers(home, member.carriers))
                continue
            entry = _entry(member, passage)
        entry.also_carried_by.extend(_other_carriers(entry, member.carriers))
        entries.append(entry)
        if member.has_vectors:
            vectors[entry.passage_id] = member.vectors[[p.id for p in member.passages].index(entry.passage_id)]
    if entries:
        entries[0].first_report = True
    return entries


def _when(member: Member) -> tuple:
    a = member.article
    return (not a.published_at, (a.published_at or "")[:19], a.id)


def _key_paragraph(member: Member, query_vector: np.ndarray | None, centroid: np.ndarray | None) -> Passage:
    """The passage closest to both the query and the event (a lead paragraph favoured, a heading set back)."""
    scores = np.zeros(len(member.passages), dtype=np.float32)
    if member.has_vectors:
        for target in (query_vector, centroid):
            if target is not None:
                scores += member.vectors @ target
    for i, p in enumerate(member.passages):
        if p.position < LEAD_PARAGRAPHS:
            scores[i] += LEAD_BONUS
        if len(words(p.text)) < SHORT_WORDS:
            scores[i] -= SHORT_PENALTY
    return member.passages[int(np.argmax(scores))]


def _close(member: Member, passage: Passage, entry: TimelineEntry, vectors: dict[int, np.ndarray]) -> bool:
    """Whether a paragraph may carry an entry's text: without vectors, always; with them, when close."""
    if not member.has_vectors or entry.passage_id not in vectors:
        return True
    row = [p.id for p in member.passages].index(passage.id)
    return float(member.vectors[row] @ vectors[entry.passage_id]) >= CLOSE


def _conflicting(member: Member, entries: list[TimelineEntry],
                 vectors: dict[int, np.ndarray]) -> tuple[Passage, TimelineEntry] | None:
    """A paragraph of the article that is near-identical to an earlier entry's but states other facts.
    With vectors, only paragraphs close to an entry's (cosine `CLOSE`) are compared word by word."""
    for entry in entries:
        candidates: Sequence[Passage] = member.passages
        if member.has_vectors and entry.passage_id in vectors:
            close = member.vectors @ vectors[entry.passage_id] >= CLOSE
            candidates = [p for p, near in zip(member.passages, close, strict=True) if near]
        for p in candidates:
            if near_identical(entry.text, p.text) and not agree(entry.text, p.text) and conflicts(entry.text, p.text):
                return p, entry
    return None


def _entry(member: Member, passage: Passage) -> TimelineEntry:
    a = member.article
    return TimelineEntry(published_at=a.published_at, text=passage.text, title=a.title, url=a.url, source=a.source,
                         origin=a.origin, speaker=passage.speaker, article_id=a.id, passage_id=passage.id,
                         author=a.author)


def _carrier(article: Article) -> dict[str, str | None]:
    return {"source": article.source, "url": article.url, "title": article.title, "published_at": article.published_at}


def _other_carriers(entry: TimelineEntry, carriers: Iterable[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """The exact-text carriers not listed on the entry yet."""
    held = {c.get("url") for c in entry.also_carried_by}
    return [{**c, "published_at": c.get("published_at")} for c in carriers if c.get("url") not in held]


def short_day(published_at: str | None, year: bool = False) -> str:
    """ "4 Mar" ("4 Mar 2026" with `year`), or "undated"."""
    try:
        d = date.fromisoformat((published_at or "")[:10])
    except ValueError:
        return "undated"
    return f"{d.day} {d:%b %Y}" if year else f"{d.day} {d:%b}"


def _mark_differs(entry: TimelineEntry, other: TimelineEntry) -> None:
    """Both entries say what the other reports: "1,200 residents (Harbour Watch, 4 Mar) / 1,500 residents
    (Valley Courier, 5 Mar)"."""
    found = conflicts(other.text, entry.text)
    theirs = ", ".join(t for c in found for t in c.mine)
    mine = ", ".join(t for c in found for t in c.theirs)
    detail = (f"{theirs} ({other.source or other.title}, {short_day(other.published_at)}) / "
              f"{mine} ({entry.source or entry.title}, {short_day(entry.published_at)})")
    for a, b in ((entry, other), (other, entry)):
        a.differs_from.append({"source": b.source, "url": b.url, "title": b.title, "published_at": b.published_at,
                               "detail": detail})
