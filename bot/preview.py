"""What adding an article would store, without storing it: `eventbot extract` and Discord's `/add preview`."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.models import ArticleDraft


@dataclass(frozen=True)
class PreviewPassage:
    """One passage as it would be stored: its text, the speaker it quotes and its section's heading."""

    text: str
    speaker: str | None = None
    heading: str | None = None


@dataclass(frozen=True)
class Preview:
    """An article as `add` would store it: metadata and passages (split, attributed), or why it cannot be."""

    target: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_at: str | None = None
    url: str | None = None
    added_url: str | None = None
    language: str | None = None
    origin: str | None = None
    passages: tuple[PreviewPassage, ...] = ()
    error: str | None = None  # what was wrong (a corpus error's message); None when it would be stored

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def of(cls, target: str, draft: ArticleDraft) -> Preview:
        """The preview of a prepared draft (`Ingester.prepare`: split, with speakers and headings)."""
        passages = tuple(PreviewPassage(text, draft.speaker_at(i), draft.heading_at(i))
                         for i, text in enumerate(draft.paragraphs))
        return cls(target=target, title=draft.title, outlet=draft.source, author=draft.author,
                   published_at=draft.published_at, url=draft.url, added_url=draft.added_url,
                   language=draft.language, origin=draft.origin, passages=passages)

    def to_json(self) -> dict:
        """The preview as JSON: every field (null when unknown) and the passages, or the target and the error."""
        fields = {"target": self.target, "title": self.title, "outlet": self.outlet, "author": self.author,
                  "published_at": self.published_at, "url": self.url, "added_url": self.added_url,
                  "language": self.language, "origin": self.origin,
                  "passages": [{"text": p.text, "speaker": p.speaker, "heading": p.heading} for p in self.passages]}
        return {"target": self.target, "error": self.error} if self.error else fields

    def fields(self) -> list[tuple[str, str]]:
        """("Title", value) pairs of the known metadata, in the order shown to people."""
        pairs = [("Title", self.title), ("Outlet", self.outlet), ("Author", self.author),
                 ("Published", self.published_at), ("URL", self.url), ("Added by URL", self.added_url),
                 ("Language", self.language), ("Wire origin", self.origin)]
        return [(name, value) for name, value in pairs if value]
