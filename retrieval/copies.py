"""Copies that say something else: a shown passage's near-identical paragraphs in held articles of the same
story that state other numbers, dates or names (corpus.syndication.conflicts).

Such a copy is never folded into "also carried by" (the ranker shows one passage for several outlets only
when `corpus.syndication.is_copy` holds), so both can be shown; each is marked with what the other says,
and when both come from one outlet, which of them is the later version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from corpus.models import Article, Passage
from corpus.provenance import same_site
from corpus.syndication import Conflict, agree, conflicts, near_identical
from retrieval.answer import AnswerPassage

OTHER_OUTLET = "other outlet"
LATER_VERSION = "later version"  # the other article is the same outlet's later version of the story
EARLIER_VERSION = "earlier version"


class Copies(Protocol):
    """The held copies of an article's story (corpus.store.ArticleStore.copies)."""

    def copies(self, article_id: int) -> list[tuple[Article, list[Passage]]]: ...


def mark_disagreements(passages: Sequence[AnswerPassage], catalog: Copies) -> list[AnswerPassage]:
    """The passages, each with `disagrees_with` listing the held copies of it that state other facts."""
    return [replace(p, disagrees_with=found) if (found := disagreements(p, catalog)) else p for p in passages]


def disagreements(passage: AnswerPassage, catalog: Copies) -> list[dict[str, str | None]]:
    """The other articles of the passage's story whose copy of it states other numbers, dates or names:
    [{source, url, title, relation, detail}], `detail` saying what each says."""
    out: list[dict[str, str | None]] = []
    for other, paragraphs in catalog.copies(passage.article_id):
        matches = [q.text for q in paragraphs if near_identical(q.text, passage.text)]
        if not matches or any(agree(passage.text, q) for q in matches):
            continue  # not carried, or carried as it is ("also carried by")
        found = conflicts(passage.text, matches[0])
        relation = _relation(passage, other)
        out.append({"source": other.source, "url": other.url, "title": other.title, "relation": relation,
                    "detail": _detail(found, passage, other, relation)})
    return out


def _relation(passage: AnswerPassage, other: Article) -> str:
    """Whether `other` is another outlet's article, or the same outlet's later or earlier version."""
    named = passage.source and other.source and _outlet_key(passage.source) == _outlet_key(other.source)
    if not (named or same_site(passage.url, other.url)):
        return OTHER_OUTLET
    mine, theirs = (passage.published_at or "")[:19], (other.published_at or "")[:19]
    later = theirs > mine if mine and theirs and mine != theirs else other.id > passage.article_id
    return LATER_VERSION if later else EARLIER_VERSION


def _outlet_key(name: str) -> str:
    words = name.casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _detail(found: list[Conflict], passage: AnswerPassage, other: Article, relation: str) -> str:
    """ "Outlet A reports 41 drones; Outlet B reports 14 drones", or, for two versions of one outlet's
    story, which version says what."""
    mine = ", ".join(text for c in found for text in c.mine)
    theirs = ", ".join(text for c in found for text in c.theirs)
    name = other.source or "the other article"
    day = f" ({other.published_at[:10]})" if other.published_at else ""
    if relation == LATER_VERSION:
        return f"{name}'s later version{day} reports {theirs}; this one reports {mine}"
    if relation == EARLIER_VERSION:
        return f"this version reports {mine}; {name}'s earlier version{day} reported {theirs}"
    return f"{passage.source or 'this article'} reports {mine}; {name} reports {theirs}"
