"""Articles in: fetch or read, extract, split, attribute, store, then hand the passages to the live index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.config import CorpusConfig, FetchConfig
from bot.live_index import LiveIndex
from bot.results import AddResult, AddStatus, ImportReport
from corpus import fetch
from corpus.attribution import annotate
from corpus.errors import BadRecord, CorpusError, DuplicateArticle
from corpus.importer import read_records, record_to_draft
from corpus.models import AddedBy, Article, ArticleDraft, Passage
from corpus.split import passages_from
from corpus.store import ArticleStore

Progress = Callable[[int, int], None]


class Ingester:
    """Adds articles to `store` and their passages to `index`; every failure is an AddResult, never lost work."""

    def __init__(self, store: ArticleStore, index: LiveIndex, corpus: CorpusConfig, fetching: FetchConfig) -> None:
        self.store, self.index, self.corpus, self.fetching = store, index, corpus, fetching

    def add(self, target: str) -> AddResult:
        """Add one article from a URL or a local file path. Command line only: reads the host's disk."""
        if "://" in target or target.lower().startswith(("file:", "data:")):
            return self.add_url(target)
        from corpus.extract import extract_file  # trafilatura is slow to import; only adding needs it

        try:
            path = Path(target).expanduser()
            if not path.is_file():
                raise CorpusError(f"no such file: {target}")
            return self.add_draft(extract_file(path), target)
        except CorpusError as e:
            return AddResult(target, AddStatus.FAILED, str(e))

    def add_url(self, url: str, added_by: AddedBy | None = None) -> AddResult:
        """Fetch a page and add its article. Never reads local files, whatever the URL says."""
        f = self.fetching
        try:
            page = fetch.fetch(url, timeout=f.timeout_seconds, max_bytes=f.max_bytes, user_agent=f.user_agent,
                               allowed_private_hosts=tuple(f.allowed_private_hosts),
                               allowed_ports=tuple(f.allowed_ports), max_redirects=f.max_redirects)
            from corpus.extract import extract, kind_for  # trafilatura is slow to import; only adding needs it

            return self.add_draft(extract(page.body, kind_for(page.content_type), url=page.final_url), url, added_by)
        except CorpusError as e:
            return AddResult(url, AddStatus.FAILED, str(e))

    def add_document(self, content: bytes, filename: str, url: str | None = None,
                     added_by: AddedBy | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        from corpus.extract import extract, kind_for

        try:
            return self.add_draft(extract(content, kind_for(filename), url=url, name=filename), filename, added_by)
        except CorpusError as e:
            return AddResult(filename, AddStatus.FAILED, str(e))

    def add_draft(self, draft: ArticleDraft, target: str = "", added_by: AddedBy | None = None) -> AddResult:
        """Store, embed and index one extracted article."""
        self.index.current()  # open (and repair) the index before storing, or the repair would index this article too
        try:
            article, passages = self.store.add(self.prepare(draft), added_by)
        except DuplicateArticle as e:
            return AddResult(target, AddStatus.DUPLICATE, str(e))
        self.index.add([(p, article) for p in passages])
        return AddResult(target, AddStatus.ADDED, f"added {article.title!r} ({len(passages)} passages)", article)

    def prepare(self, draft: ArticleDraft) -> ArticleDraft:
        """The draft as it is stored: split into passages, with its wire origin (from the dateline, when
        the draft has none) and the speaker each passage quotes."""
        paragraphs = tuple(passages_from(draft.paragraphs, self.corpus.max_paragraph_chars))
        if paragraphs != draft.paragraphs:
            draft = replace(draft, paragraphs=paragraphs)
        notes = annotate(draft)
        return replace(draft, origin=draft.origin or notes.origin,
                       speakers=tuple(s.display() if s else None for s in notes.speakers))

    def import_file(self, path: Path, progress: Progress | None = None, chunk: int = 64) -> ImportReport:
        """Import a JSON array or JSON Lines file of articles; bad records are reported and skipped."""
        started = time.perf_counter()
        report = ImportReport()
        records = list(read_records(path))
        self.index.current()
        for start in range(0, len(records), chunk):
            drafts: list[tuple[int, ArticleDraft]] = []
            for position, record in records[start:start + chunk]:
                try:
                    if isinstance(record, BadRecord):
                        raise record
                    drafts.append((position, self.prepare(record_to_draft(record, self.corpus.max_paragraph_chars))))
                except BadRecord as e:
                    report.failed.append((position, str(e)))
            rows: list[tuple[Passage, Article]] = []
            for result in self.store.add_many([d for _, d in drafts]):
                if isinstance(result, DuplicateArticle):
                    report.duplicates += 1
                else:
                    article, passages = result
                    report.added += 1
                    rows.extend((p, article) for p in passages)
            report.passages += len(rows)
            if rows:
                self.index.add(rows, save=False)
            if progress:
                progress(min(start + chunk, len(records)), len(records))
        self.index.finish_bulk()
        report.seconds = time.perf_counter() - started
        return report
