"""Plain data types shared across the corpus package."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArticleDraft:
    """An article as extracted or imported, before it is stored.

    `paragraphs` are the article body, clean of boilerplate, in reading order.
    `published_at` is an ISO 8601 string (date or datetime) or None.
    `origin` is the wire agency the story comes from ("Reuters"), when it is not the outlet's own.
    `speakers`, when given, holds one entry per paragraph: who the paragraph quotes, as shown to readers
    ("Igor Konashenkov (Russian Defense Ministry spokesman)"), or None.
    """

    title: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: str | None = None
    language: str | None = None
    origin: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    speakers: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Article:
    """A stored article."""

    id: int
    title: str
    url: str | None
    source: str | None
    author: str | None
    published_at: str | None
    language: str | None
    origin: str | None
    content_hash: str
    added_at: str
    passage_count: int = 0


@dataclass(frozen=True)
class Passage:
    """One stored paragraph of an article."""

    id: int
    article_id: int
    position: int
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class AddedBy:
    """Who added an article and from where: a Discord user and server (None for each when unknown: added
    from the command line, or before this was recorded)."""

    user_id: int | None = None
    guild_id: int | None = None
