"""What the service returns: data for the front ends to put into words. Answers are retrieval's."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from corpus.errors import CorpusError
from corpus.models import Article
from retrieval.answer import Answer, AnswerPassage, Reason

__all__ = ["AddResult", "AddStatus", "Answer", "AnswerPassage", "ImportReport", "Reason", "Stats"]


class AddStatus(StrEnum):
    ADDED = "added"
    UPDATED = "updated"  # a held page's new version: same article, new text, the old passages gone
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class AddResult:
    target: str
    status: AddStatus
    message: str  # "added 'Title' (5 passages)", "updated 'Title' (...)", or what was wrong (a corpus error's message)
    article: Article | None = None
    error: CorpusError | None = field(default=None, compare=False)  # why it FAILED (counted by bot.metrics)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0  # records whose URL was held with other text: the held article now has theirs
    duplicates: int = 0
    passages: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (record position, what is wrong)
    # (record position, what it repeats): "repeats record 3 (its URL differs only by tracking parameters)",
    # "the same text as record 5", "already held as article 12: 'Title'"
    duplicate_records: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Stats:
    articles: int
    passages: int
    indexed: int
    model: str
    data_dir: str
    index_bytes: int
    sources: list[tuple[str, int]]
