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
    `added_url` is the URL it was fetched by, as given, when that is not `url` (a short link, a redirect, a
    tracking parameter, a canonical link elsewhere on the site): the article is found by either.
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
    added_url: str | None = None


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
