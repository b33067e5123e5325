"""Articles in: fetch or read, extract, split, attribute, store, then hand the passages to the live index."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot import logs
from bot.config import CorpusConfig, FetchConfig
from bot.live_index import LiveIndex
from bot.preview import Preview
from bot.results import AddResult, AddStatus, ImportReport
from corpus import fetch
from corpus.attribution import annotate
from corpus.errors import BadRecord, CorpusError, DuplicateArticle
from corpus.importer import read_records, record_to_draft
from corpus.models import AddedBy, Article, ArticleDraft, Passage
from corpus.split import sectioned_passages
from corpus.store import ArticleStore, Updated, normalize_url, url_differences

Progress = Callable[[int, int], None]

log = logging.getLogger(__name__)


class Ingester:
    """Adds articles to `store` and their passages to `index`; every failure is an AddResult, never lost work."""

    def __init__(self, store: ArticleStore, index: LiveIndex, corpus: CorpusConfig, fetching: FetchConfig) -> None:
        self.store, self.index, self.corpus, self.fetching = store, index, corpus, fetching

    def add(self, target: str) -> AddResult:
        """Add one article from a URL or a local file path. Command line only: reads the host's disk."""
        try:
            return self.add_draft(self.read(target), target)
        except CorpusError as e:
            return AddResult(target, AddStatus.FAILED, str(e), error=e)

    def add_url(self, url: str, added_by: AddedBy | None = None) -> AddResult:
        """Fetch a page and add its article. Never reads local files, whatever the URL says."""
        try:
            return self.add_draft(self.read_url(url), url, added_by)
        except CorpusError as e:
            return AddResult(url, AddStatus.FAILED, str(e), error=e)

    def _fetch(self, url: str) -> fetch.FetchedPage:
        """The page at `url`, fetched as a request of its own: its log lines carry the fetch's id."""
        with logs.request("fetch"):
            try:
                page = fetch.fetch(url, **fetch_options(self.fetching))
            except CorpusError as e:
                log.info("fetching %s failed: %s", url, e)
                raise
            log.info("fetched %s (%d bytes, %s)", page.final_url, len(page.body), page.content_type)
            return page

    def add_document(self, content: bytes, filename: str, url: str | None = None,
                     added_by: AddedBy | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        try:
            return self.add_draft(self.read_document(content, filename, url), filename, added_by)
        except CorpusError as e:
            return AddResult(filename, AddStatus.FAILED, str(e), error=e)

    def preview(self, target: str, url: str | None = None) -> Preview:
        """What `add` would store for a URL or a local file path (command line only: reads the host's disk),
        without storing it."""
        return self._preview(target, lambda: self.read(target, url))

    def preview_url(self, url: str) -> Preview:
        """What `add_url` would store, without storing it. Never reads local files."""
        return self._preview(url, lambda: self.read_url(url))

    def preview_document(self, content: bytes, filename: str, url: str | None = None) -> Preview:
        """What `add_document` would store for an uploaded file, without storing it."""
        return self._preview(filename, lambda: self.read_document(content, filename, url))

    def _preview(self, target: str, read: Callable[[], ArticleDraft]) -> Preview:
        try:
            return Preview.of(target, self.prepare(read()))
        except CorpusError as e:
            return Preview(target, error=str(e))

    def read(self, target: str, url: str | None = None) -> ArticleDraft:
        """The article of a URL or a local file path, extracted (not stored). Command line only: reads the
        host's disk. `url`: where a file came from (see `read_document`); not allowed with a URL.

        Raises:
            CorpusError: the target cannot be fetched, read or extracted (the message says why).
        """
        if "://" in target or target.lower().startswith(("file:", "data:")):
            if url is not None:
                raise CorpusError("--url goes with a file; a link is its own URL")
            return self.read_url(target)
        path = Path(target).expanduser()
        if not path.is_file():
            raise CorpusError(f"no such file: {target}")
        if url is None:
            from corpus.extract import extract_file  # trafilatura is slow to import; only adding needs it

            return extract_file(path)
        try:
            content = path.read_bytes()
        except OSError as e:
            raise CorpusError(f"cannot read {target}: {e.strerror or e}") from e
        return self.read_document(content, path.name, url)

    def read_url(self, url: str) -> ArticleDraft:
        """Fetch a page and extract its article (not stored). Never reads local files, whatever the URL says."""
        page = self._fetch(url)
        from corpus.extract import extract, kind_for  # trafilatura is slow to import; only adding needs it

        draft = extract(page.body, kind_for(page.content_type), url=page.final_url)
        return replace(draft, added_url=url)

    def read_document(self, content: bytes, filename: str, url: str | None = None) -> ArticleDraft:
        """Extract the article of an uploaded file's bytes (not stored); nothing is read from disk."""
        from corpus.extract import extract, kind_for

        return extract(content, kind_for(filename), url=url, name=filename)

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
        """The draft as it is stored: split into passages (each with its section's heading), with its wire
        origin (from the dateline, when the draft has none) and the speaker each passage quotes."""
        sections = sectioned_passages(draft.paragraphs, draft.headings, self.corpus.max_paragraph_chars)
        paragraphs = tuple(text for text, _ in sections)
        headings = tuple(h for _, h in sections) if any(h for _, h in sections) else ()
        if paragraphs != draft.paragraphs or headings != draft.headings:
            draft = replace(draft, paragraphs=paragraphs, headings=headings)
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
