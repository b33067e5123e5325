"""Event clusters: articles grouped into events by their passages' vectors, the names they share and when
they were published, incrementally and without a language model.

Pure logic over vectors, names and dates (no I/O): the application (bot.events) persists the clusters and
feeds articles in as they arrive. An article joins the event it is most like when

    cosine(article vector, event centroid) + name_weight * shared names >= min_similarity

and its publication day falls within `window_days` of the event's span (a later report extends the
span, so a long story keeps gathering its developments); otherwise it starts an event of its own. A
syndicated copy of a held article always joins that article's event. An article's vector is the mean of
its passages' vectors; its names are the people, places and organisations it names most
(corpus.syndication.facts). Removing an article takes it out of its event; an emptied event is gone.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np

from corpus.syndication import facts

NAMES_KEPT = 12
"""Names kept per article: those it mentions most."""

NAME_PARAGRAPHS = 12
"""Paragraphs read for names: a story names its people and places early, and reading names is the costly
part of clustering an article (on MultiHop-RAG's 43-paragraph articles, most of the time of a rebuild)."""


@runtime_checkable
class EventParams(Protocol):
    """How articles are grouped: config `events:` (bot.config.EventsConfig, which holds the defaults)."""

    @property
    def min_similarity(self) -> float: ...  # the score an article needs to join an event
    @property
    def name_weight(self) -> float: ...  # weight of the share of the article's names the event holds
    @property
    def window_days(self) -> float: ...  # days before or after an event's span an article may join it


@dataclass(frozen=True)
class Signature:
    """What an article is clustered by. `vector`: the normalised mean of its passages' vectors; `names`:
    the keys of the names it mentions most; `day`: its publication day (days since 1970-01-01) or None."""

    article_id: int
    vector: np.ndarray
    names: frozenset[str]
    day: int | None
    title: str = ""
    source: str | None = None
    published_at: str | None = None


def day_of(published_at: str | None) -> int | None:
    """Days since 1970-01-01 of an ISO date or datetime, or None when there is none (or it is unreadable)."""
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10]).toordinal() - date(1970, 1, 1).toordinal()
    except ValueError:
        return None


def article_names(title: str, paragraphs: Iterable[str], kept: int = NAMES_KEPT) -> frozenset[str]:
    """The keys of the names (people, places, organisations) an article's paragraphs mention most; a name
    its title repeats counts once more (a title's other capitalised words are no evidence: headlines are
    often in title case)."""
    counts: Counter[str] = Counter()
    for text in itertools.islice(paragraphs, NAME_PARAGRAPHS):
        counts.update(f.compared for f in facts(text) if f.kind == "name" and len(f.key) > 2)
    counts.update({f.compared for f in facts(title) if f.kind == "name" and f.compared in counts})
    return frozenset(name for name, _ in counts.most_common(kept))


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """The normalised mean of some passage vectors (rows)."""
    v = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


@dataclass
class Event:
    """One event: its articles' signatures, the sum of their vectors, the names they share, its span."""

    id: int
    members: dict[int, Signature] = field(default_factory=dict)
    total: np.ndarray | None = None
    names: Counter[str] = field(default_factory=Counter)

    @property
    def centroid(self) -> np.ndarray:
        assert self.total is not None
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm else self.total

    @property
    def days(self) -> list[int]:
        return sorted(s.day for s in self.members.values() if s.day is not None)

    @property
    def first_seen(self) -> str | None:
        dated = sorted((s.published_at or "")[:19] for s in self.members.values() if s.day is not None)
        return dated[0] if dated else None

    @property
    def last_seen(self) -> str | None:
        dated = sorted((s.published_at or "")[:19] for s in self.members.values() if s.day is not None)
        return dated[-1] if dated else None

    @property
    def outlets(self) -> list[str]:
        """The outlets of its articles, most articles first."""
        counts = Counter(s.source for s in self.members.values() if s.source)
        return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    @property
    def label(self) -> str:
        """Its most central headline: the title of the article closest to its centroid."""
        centroid = self.centroid
        best = max(self.members.values(), key=lambda s: (float(s.vector @ centroid), -s.article_id))
        return best.title

    def _add(self, sign: Signature) -> None:
        self.members[sign.article_id] = sign
        self.total = sign.vector.astype(np.float32).copy() if self.total is None else self.total + sign.vector
        self.names.update(sign.names)

    def _remove(self, article_id: int) -> None:
        sign = self.members.pop(article_id)
        assert self.total is not None
        self.total = self.total - sign.vector
        self.names.subtract(sign.names)
        self.names = +self.names  # drop the names no member has any more


class Clusters:
    """The events of the held articles, updated one article at a time."""

    def __init__(self, params: EventParams) -> None:
        self.params = params
        self.events: dict[int, Event] = {}
        self._event_of: dict[int, int] = {}
        self._next_id = 1

    def __len__(self) -> int:
        return len(self.events)

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._event_of

    @property
    def next_id(self) -> int:
        return self._next_id

    def restore_next_id(self, next_id: int) -> None:
        """Ids below `next_id` are taken (by events since emptied, too): for loading saved clusters."""
        self._next_id = max(self._next_id, next_id)

    def event_of(self, article_id: int) -> int | None:
        return self._event_of.get(article_id)

    def signatures(self) -> list[Signature]:
        return [s for e in self.events.values() for s in e.members.values()]

    def add(self, sign: Signature, copy_of: Sequence[int] = ()) -> int:
        """Put an article in the event it is most like, or a new one; returns the event's id.
        `copy_of`: held articles it carries the same text as (its syndicated copies): it joins their event."""
        if sign.article_id in self._event_of:
            self.remove(sign.article_id)
        chosen = next((self._event_of[a] for a in copy_of if a in self._event_of), None)
        if chosen is None:
            chosen = self._best(sign)
        return self.restore(sign, chosen)

    def restore(self, sign: Signature, event_id: int | None) -> int:
        """Put an article in the given event (a new one when None): for loading saved clusters."""
        if event_id is None:
            event_id = self._next_id
        self._next_id = max(self._next_id, event_id + 1)
        event = self.events.setdefault(event_id, Event(event_id))
        event._add(sign)
        self._event_of[sign.article_id] = event_id
        return event_id

    def remove(self, article_id: int) -> None:
        """Take an article out of its event (nothing when it is in none)."""
        event_id = self._event_of.pop(article_id, None)
        if event_id is None:
            return
        event = self.events[event_id]
        event._remove(article_id)
        if not event.members:
            del self.events[event_id]

    def _best(self, sign: Signature) -> int | None:
        """The event the article should join, or None for a new one."""
        window = self.params.window_days
        candidates = [e for e in self.events.values() if _within(sign.day, e, window)]
        if not candidates:
            return None
        totals = np.stack([e.total for e in candidates])
        norms = np.linalg.norm(totals, axis=1)
        cosines = (totals @ sign.vector) / np.where(norms == 0, 1.0, norms)
        if sign.names and self.params.name_weight:
            shared = np.array([len(sign.names & e.names.keys()) for e in candidates], dtype=np.float32)
            cosines = cosines + self.params.name_weight * shared / max(len(sign.names), 1)
        best = int(np.argmax(cosines))
        return candidates[best].id if cosines[best] >= self.params.min_similarity else None


def _within(day: int | None, event: Event, window: float) -> bool:
    """Whether an article of `day` may join `event`: within `window` days of its span (undated: always)."""
    if day is None:
        return True
    days = event.days
    if not days:
        return True
    return days[0] - window <= day <= days[-1] + window


def cluster(signatures: Iterable[Signature], params: EventParams,
            copies: dict[int, Sequence[int]] | None = None) -> Clusters:
    """Clusters of some articles, added in publication order (undated last), as a rebuild does."""
    clusters = Clusters(params)
    ordered = sorted(signatures, key=lambda s: (s.day is None, s.day or 0, s.published_at or "", s.article_id))
    for sign in ordered:
        clusters.add(sign, (copies or {}).get(sign.article_id, ()))
    return clusters
