"""An extracted article as text lines: each section's heading once, before its first paragraph."""

from __future__ import annotations

from collections.abc import Iterator

from corpus.models import ArticleDraft


def body_lines(draft: ArticleDraft) -> Iterator[str]:
    """The body as a reader sees it: a heading, when it changes, then the paragraphs under it."""
    previous: str | None = None
    for position, paragraph in enumerate(draft.paragraphs):
        heading = draft.heading_at(position)
        if heading and heading != previous:
            yield heading
        previous = heading
        yield paragraph
