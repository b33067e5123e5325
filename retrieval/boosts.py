"""Soft re-ranking: the outlets and days a question names, the speaker it asks about, and a many-part
question's parts. Boosts, not filters: a question may name an outlet in passing and be answered by another.

"Does the TechCrunch article on the FTX trial agree with The Verge's report published on October 5, 2023?"
names two held outlets and a day: passages of articles from those outlets, and of articles published
that day (a day either side, for time zones), move up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.hybrid import Hit
from retrieval.outlets import OutletMatcher
from retrieval.question import Day, named_days, speaker_matches

Meta = Mapping[int, tuple[str | None, str | None, str | None]]
"""Passage id -> its article's (source, origin, published_at): what the outlet and date boosts read."""

SPEAKER_BOOST = 1.25
"""Factor on the fused score of a passage quoting the speaker a question asks about."""


@dataclass(frozen=True)
class Mentions:
    outlets: frozenset[str] = frozenset()
    days: tuple[Day, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.outlets or self.days)


def find_mentions(question: str, outlets: OutletMatcher | None) -> Mentions:
    """The held outlets and the days a question names."""
    return Mentions(frozenset(outlets(question)) if outlets else frozenset(), tuple(named_days(question)))


def boost_mentions(hits: Sequence[Hit], articles: Meta,
                   mentions: Mentions, outlet_boost: float, date_boost: float) -> list[Hit]:
    """The hits re-ranked: `outlet_boost` added to the fused score of a passage whose article comes from a
    named outlet (as its outlet or its wire origin), `date_boost` when it was published on a named day.

    `articles` maps a hit's id to its article's (source, origin, published_at); hits not in it keep their score.
    """
    if not mentions:
        return list(hits)
    extras = _extras(hits, articles, mentions, outlet_boost, date_boost)
    out = [hit.rescored(hit.score + extra) if extra else hit for hit, extra in zip(hits, extras, strict=True)]
    return sorted(out, key=lambda h: h.score, reverse=True)


def mention_scores(hits: Sequence[Hit], articles: Meta,
                   mentions: Mentions, outlet_boost: float, date_boost: float) -> dict[int, float]:
    """`boost_mentions`' scores by id, unsorted."""
    if not mentions:
        return {h.id: h.score for h in hits}
    extras = _extras(hits, articles, mentions, outlet_boost, date_boost)
    return {hit.id: hit.score + extra for hit, extra in zip(hits, extras, strict=True)}


def _extras(hits: Sequence[Hit], articles: Meta,
            mentions: Mentions, outlet_boost: float, date_boost: float) -> list[float]:
    """What the named outlets and days add to each hit's score (reckoned once per article)."""
    by_article: dict[tuple[str | None, str | None, str | None], float] = {}  # a few dozen articles behind the hits
    out = []
    for hit in hits:
        article = articles.get(hit.id, (None, None, None))
        extra = by_article.get(article)
        if extra is None:
            source, origin, published = article
            extra = by_article[article] = (
                (outlet_boost if mentions.outlets and (source in mentions.outlets or origin in mentions.outlets) else 0.0)
                + (date_boost if mentions.days and any(d.near(published) for d in mentions.days) else 0.0))
        out.append(extra)
    return out


def boost_speaker(hits: Sequence[Hit], speakers: Mapping[int, str | None], wanted: str) -> list[Hit]:
    """The hits re-ranked for "what did X say about ...": a passage quoting X gets `SPEAKER_BOOST` times
    its fused score, enough to pass passages a few ranks above it, not to lift an unrelated one to the top."""
    boosted = [h.rescored(h.score * SPEAKER_BOOST) if speaker_matches(speakers.get(h.id), wanted) else h
               for h in hits]
    return sorted(boosted, key=lambda h: h.score, reverse=True)


def merge_parts(whole: Mapping[int, float], parts: Sequence[Mapping[int, float]], weight: float) -> dict[int, float]:
    """Scores of a many-part question: its own score plus `weight` x the passage's best score for any one part,
    each part's scores divided by that part's best, so every part counts on the same 0..1 scale.

    A passage only a part found takes the whole question's lowest score. Returns scores by id (unsorted).
    """
    floor = min(whole.values(), default=0.0)
    best: dict[int, float] = {}
    for scores in parts:
        top = max(scores.values(), default=0.0)
        if top <= 0:
            continue
        for pid, score in scores.items():
            best[pid] = max(best.get(pid, 0.0), score / top)
    return {pid: whole.get(pid, floor) + weight * best.get(pid, 0.0) for pid in set(whole) | set(best)}
