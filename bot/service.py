"""EventService: the one API the CLI and Discord call. A thin facade over the store, the live index, the
ingester and the retriever; it returns data (bot.results), and the front ends put it into words."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot.config import Config
from bot.events import EventBook
from bot.ingest import Ingester
from bot.live_index import LiveIndex
from bot.results import AddResult, Answer, ImportReport, Stats
from corpus.models import AddedBy, Article, ArticleDraft
from corpus.store import ArticleStore
from index.embedder import Embedder, QueryCache, load_embedder
from retrieval.ranker import Retriever
from retrieval.timeline import EventSummary, Timeline

Progress = Callable[[int, int], None]
R = TypeVar("R")
log = logging.getLogger(__name__)

DEFAULTS = Config()


def make_embedder(cfg: Config) -> Embedder:
    """The embedding model the config names (loaded in the background when it says so)."""
    e = cfg.embedding
    return load_embedder(e.model, batch_size=e.batch_size, threads=e.threads, backend=e.backend, quantize=e.quantize,
                         max_seq_length=e.max_seq_length, background=e.load_in_background)


class EventService:
    """Articles in, attributed passages out.

    The embedding model and the indexes load lazily, on the first call that needs them, so `list`,
    `stats` and `remove`-free paths stay fast. Safe to call from several threads.
    """

    def __init__(self, data_dir: Path, config: Config = DEFAULTS, embedder: Embedder | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.config = config
        self.store = ArticleStore(self.data_dir / "corpus.sqlite3")
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.index = LiveIndex(self.data_dir / "index", self.store, lambda: self.embedder, config.index,
                               config.retrieval, config.embedding.batch_size)
        self.ingester = Ingester(self.store, self.index, config.corpus, config.fetch)
        self.retriever = Retriever(self.index, self.store, _Queries(self), config.retrieval)
        self.event_book = EventBook(self.data_dir / "events.npz", self.store, self.index, config.events)

    @classmethod
    def from_config(cls, cfg: Config) -> EventService:
        return cls(cfg.data_dir, cfg)

    def close(self) -> None:
        """Stop following other processes, publish the index if it lags, close the store."""
        self.index.close()
        self.event_book.flush()
        self.store.close()

    def watch(self, interval: float = 1.0) -> None:
        """Follow what other processes sharing the data folder do (`eventbot import`, `add`, `remove`,
        `reindex` beside `eventbot run`): their articles are answered from within a few seconds."""
        self.index.watch(interval)

    def flush(self) -> None:
        """Write the index files if they lag behind the live index."""
        self.index.flush()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.config)
        return self._embedder

    # -- asking ---------------------------------------------------------------------------------------

    def ask(self, question: str, k: int | None = None, **filters: str | None) -> Answer:
        """The passages that best answer `question`, or `answered=False` with the reason (retrieval.ranker)."""
        return self.ask_many([question], k, **filters)[0]

    def ask_many(self, questions: Sequence[str], k: int | None = None, **filters: str | None) -> list[Answer]:
        """Answer several questions, embedding them in one batch."""
        return self.retriever.ask_many(questions, k, **filters)

    # -- adding and removing --------------------------------------------------------------------------

    def add(self, target: str) -> AddResult:
        """Add one article from a URL or a local file path. Command line only: reads the host's disk."""
        return self._clustered(self.ingester.add(target))

    def add_url(self, url: str, added_by: AddedBy | None = None) -> AddResult:
        """Fetch a page and add its article. Never reads local files, whatever the URL says.
        `added_by`: who asked, from which server (recorded with the article)."""
        return self._clustered(self.ingester.add_url(url, added_by))

    def add_document(self, content: bytes, filename: str, url: str | None = None,
                     added_by: AddedBy | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        return self._clustered(self.ingester.add_document(content, filename, url, added_by))

    def add_draft(self, draft: ArticleDraft, target: str = "") -> AddResult:
        """Store, embed and index one extracted article."""
        return self._clustered(self.ingester.add_draft(draft, target))

    def import_file(self, path: Path, progress: Progress | None = None, chunk: int = 64) -> ImportReport:
        """Import a JSON array or JSON Lines file of articles; bad records are reported and skipped."""
        return self._clustered(self.ingester.import_file(path, progress, chunk))

    def remove(self, url_or_id: str) -> Article:
        """Remove an article and its passages from the store and every index.

        Raises:
            ArticleNotFound: no held article has that URL or id.
        """
        article = self.store.find(url_or_id)
        self.index.current()
        self.index.remove(self.store.remove(article.id))
        return self._clustered(article)

    def find(self, url_or_id: str) -> Article:
        """The held article with this URL or id. Raises `ArticleNotFound`."""
        return self.store.find(url_or_id)

    def added_by(self, article_id: int) -> AddedBy:
        """Who added an article, from which server (None for each when not recorded)."""
        return self.store.added_by(article_id)

    def articles(self, limit: int | None = None, offset: int = 0) -> list[Article]:
        return self.store.articles(limit, offset)

    # -- rebuilding and stats -------------------------------------------------------------------------

    def reindex(self, progress: Progress | None = None) -> Stats:
        """Rebuild every index from the stored articles beside the live one, then swap it in.

        `progress(articles_done, articles_total)` is called from this thread as the work goes.
        Questions keep being answered from the live index meanwhile.

        Raises:
            RebuildRunning: another rebuild is in progress.
        """
        self.index.rebuild(progress)
        self.event_book.rebuild()
        return self.stats()

    # -- events -------------------------------------------------------------------------------------

    def timeline(self, query: str, since: str | None = None, until: str | None = None) -> Timeline:
        """The event `query` names as a timeline (bot.events), or `answered=False` with the reason."""
        return self.event_book.timeline(self.retriever, query, since, until)

    def events(self) -> list[EventSummary]:
        """The events held, most recent activity first."""
        return self.event_book.events()

    def _clustered(self, result: R) -> R:
        """`result`, once the event clusters have taken in the change that produced it (a failure to
        cluster is logged: the article is held and answerable all the same, and clustered at the next sync)."""
        try:
            self.event_book.sync()
        except Exception:  # adding must not fail for the clusters' sake: logged, caught up at the next change
            log.exception("could not update the event clusters; they catch up at the next change")
        return result

    @property
    def rebuilding(self) -> bool:
        return self.index.rebuilding

    def stats(self) -> Stats:
        articles, passages = self.store.counts()
        return Stats(articles=articles, passages=passages, indexed=self.index.count(),
                     model=self.config.embedding.model, data_dir=str(self.data_dir),
                     index_bytes=self.index.size_bytes(), sources=self.store.sources())


class _Queries:
    """The service's question vectors: a cache over its model, made when the first question is embedded
    (no model is loaded to say that nothing is held)."""

    def __init__(self, service: EventService) -> None:
        self._service = service
        self._cache: QueryCache | None = None
        self._lock = threading.Lock()

    @property
    def default_min_similarity(self) -> float:
        return self._service.embedder.default_min_similarity

    @property
    def default_unknown_terms_below(self) -> float:
        return getattr(self._service.embedder, "default_unknown_terms_below", -1.0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._cache is None:
                self._cache = QueryCache(self._service.embedder, self._service.config.embedding.query_cache_size)
        return self._cache.encode(list(texts))
