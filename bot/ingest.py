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
from corpus.store import ArticleStore, Updated, normalize_url, url_differences

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
        try:
            return self.add_draft(self.fetch_draft(url), url, added_by)
        except CorpusError as e:
            return AddResult(url, AddStatus.FAILED, str(e))

    def fetch_draft(self, url: str) -> ArticleDraft:
        """Fetch a page through the safe fetcher and extract its article (not stored).

        Raises:
            FetchRefused, FetchFailed, NotAnArticle (CorpusError): with a message for the user.
        """
        page = fetch.fetch(url, **fetch_options(self.fetching))
        from corpus.extract import extract, kind_for  # trafilatura is slow to import; only adding needs it

        return replace(extract(page.body, kind_for(page.content_type), url=page.final_url), added_url=url)

    def add_document(self, content: bytes, filename: str, url: str | None = None,
                     added_by: AddedBy | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        from corpus.extract import extract, kind_for

        try:
            return self.add_draft(extract(content, kind_for(filename), url=url, name=filename), filename, added_by)
        except CorpusError as e:
            return AddResult(filename, AddStatus.FAILED, str(e))

    def add_draft(self, draft: ArticleDraft, target: str = "", added_by: AddedBy | None = None) -> AddResult:
        """Store, embed and index one extracted article; a new version of a held page replaces it (UPDATED)."""
        self.index.current()  # open (and repair) the index before storing, or the repair would index this article too
        result = self.store.add_many([self.prepare(draft)], added_by)[0]
        if isinstance(result, DuplicateArticle):
            return AddResult(target, AddStatus.DUPLICATE, str(result))
        if isinstance(result, Updated):
            self.index.remove(result.replaced)
            self.index.add([(p, result.article) for p in result.passages])
            return AddResult(target, AddStatus.UPDATED, f"updated {result.article.title!r} ({len(result.passages)} "
                             f"passages; the previous version had {len(result.replaced)})", result.article)
        article, passages = result
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
        """Import a JSON array or JSON Lines file of articles; bad records are reported and skipped.

        A record whose URL is held with other text updates that article. A record repeating an earlier one
        of the file (its URL, up to tracking parameters, case and a trailing slash, or its text) or a held
        article is skipped, and `ImportReport.duplicate_records` says which it repeats.
        """
        started = time.perf_counter()
        report = ImportReport()
        records = list(read_records(path))
        urls: dict[str, tuple[int, str]] = {}  # normalised URL -> (position, URL) of the record that has it
        stored_by: dict[int, int] = {}  # article id -> position of the record of this file that stored it
        self.index.current()
        for start in range(0, len(records), chunk):
            drafts: list[tuple[int, ArticleDraft]] = []
            for position, record in records[start:start + chunk]:
                try:
                    if isinstance(record, BadRecord):
                        raise record
                    draft = self.prepare(record_to_draft(record, self.corpus.max_paragraph_chars))
                except BadRecord as e:
                    report.failed.append((position, str(e)))
                    continue
                earlier = urls.setdefault(normalize_url(draft.url or ""), (position, draft.url or ""))
                if earlier[0] != position:
                    how = url_differences(draft.url or "", earlier[1])
                    note = f"its URL differs only by {_listed(how)}" if how else "the same URL"
                    report.duplicates += 1
                    report.duplicate_records.append((position, f"repeats record {earlier[0]} ({note})"))
                    continue
                drafts.append((position, draft))
            rows: list[tuple[Passage, Article]] = []
            replaced: list[int] = []
            for (position, draft), result in zip(drafts, self.store.add_many([d for _, d in drafts]), strict=True):
                if isinstance(result, DuplicateArticle):
                    report.duplicates += 1
                    report.duplicate_records.append((position, self._repeats(draft, result, stored_by)))
                    continue
                if isinstance(result, Updated):
                    report.updated += 1
                    replaced.extend(result.replaced)
                    article, passages = result.article, result.passages
                else:
                    report.added += 1
                    article, passages = result
                stored_by[article.id] = position
                rows.extend((p, article) for p in passages)
            report.passages += len(rows)
            if replaced:
                self.index.remove(replaced)
            if rows:
                self.index.add(rows, save=False)
            if progress:
                progress(min(start + chunk, len(records)), len(records))
        self.index.finish_bulk()
        report.seconds = time.perf_counter() - started
        return report

    def _repeats(self, draft: ArticleDraft, duplicate: DuplicateArticle, stored_by: dict[int, int]) -> str:
        """What a duplicate import record repeats: a record of the same file, or a held article."""
        carried = f"; recorded as also carried by {duplicate.carried_by}" if duplicate.carried_by else ""
        if duplicate.existing_id in stored_by:
            return f"the same text as record {stored_by[duplicate.existing_id]}{carried}"
        held = self.store.find(str(duplicate.existing_id))
        message = f"already held as article {held.id}: {held.title!r}{carried}"
        # The held link is stored normalised (no trailing slash or fragment): only the rest is worth naming.
        how = [d for d in url_differences(draft.url or "", held.url or "") if d in ("tracking parameters", "case")]
        if how and held.url and normalize_url(draft.url or "") == held.url:
            message += f" (its URL differs only by {_listed(how)})"
        return message


def fetch_options(f: FetchConfig) -> dict:
    """The safe fetcher's keyword arguments the `fetch` config section gives."""
    return {"timeout": f.timeout_seconds, "max_bytes": f.max_bytes, "user_agent": f.user_agent,
            "allowed_private_hosts": tuple(f.allowed_private_hosts), "allowed_ports": tuple(f.allowed_ports),
            "max_redirects": f.max_redirects}


def _listed(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 2 else items)
