"""Plain data types shared across the corpus package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from corpus.invisible import strip_invisible


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
    `headings`, when given, holds one entry per paragraph: the heading of the section it sits in (an interview
    question, a section's topic), or None. Headings are context of their paragraphs, never passages.
    No text field holds an invisible character (`corpus.invisible`): they are stripped here, the one place
    every way an article arrives goes through.
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
    headings: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        def visible(value: str | None) -> str | None:
            return None if value is None else strip_invisible(value).strip() or None

        for name in ("source", "author", "origin", "language"):
            object.__setattr__(self, name, visible(getattr(self, name)))
        object.__setattr__(self, "title", visible(self.title) or "")
        object.__setattr__(self, "paragraphs", tuple(strip_invisible(p) for p in self.paragraphs))
        object.__setattr__(self, "speakers", tuple(visible(s) for s in self.speakers))
        object.__setattr__(self, "headings", tuple(visible(h) for h in self.headings))
        object.__setattr__(self, "extra", {k: strip_invisible(v) for k, v in self.extra.items()})

    def heading_at(self, position: int) -> str | None:
        """The heading of the paragraph at `position`, or None."""
        return self.headings[position] if position < len(self.headings) else None

    def speaker_at(self, position: int) -> str | None:
        """Who the paragraph at `position` quotes, or None."""
        return self.speakers[position] if position < len(self.speakers) else None


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


class Passage(NamedTuple):
    """One stored paragraph of an article (a tuple: an answer reads a few hundred)."""

    id: int
    article_id: int
    position: int
    text: str
    speaker: str | None = None
    heading: str | None = None  # the heading of the section it sits in, shown with it and searched with it


@dataclass(frozen=True)
class AddedBy:
    """Who added an article and from where: a Discord user and server (None for each when unknown: added
    from the command line, or before this was recorded)."""

    user_id: int | None = None
    guild_id: int | None = None
