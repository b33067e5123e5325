"""EventService: the one API the CLI and Discord call. A thin facade over the store, the live index, the
ingester and the retriever; it returns data (bot.results), and the front ends put it into words."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot import metrics
from bot.asklog import Activity, Logged, Origin, QuestionLog, Vote
from bot.config import Config
from bot.gaps import Gap, find_gaps
from bot.feeds import FeedPoll, FeedPoller, PollReport
from bot.events import EventBook
from bot.ingest import Ingester
from bot.live_index import LiveIndex
from bot.preview import Preview
from bot.results import AddResult, Answer, ImportReport, Stats
from corpus.errors import ArticleNotFound
from corpus.models import AddedBy, Article, ArticleDraft, Passage
from corpus.feeds import Feed, FeedNotFound, FeedStore
from corpus.store import ArticleStore
from index.embedder import Embedder, QueryCache, load_embedder
from retrieval.errors import RetrievalError
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
                         max_seq_length=e.max_seq_length, background=e.load_in_background,
                         question_threads=cfg.retrieval.question_threads)


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
        q = config.question_log
        self.questions = QuestionLog(self.data_dir / "questions.sqlite3", q.keep_days, q.enabled)
        self._feeds: FeedPoller | None = None
        self._feeds_lock = threading.Lock()
        self.event_book = EventBook(self.data_dir / "events.npz", self.store, self.index, config.events)

    @classmethod
    def from_config(cls, cfg: Config) -> EventService:
        return cls(cfg.data_dir, cfg)

    def close(self) -> None:
        """Stop polling feeds, stop following other processes, publish the index if it lags, close the store."""
        if self._feeds is not None:  # a poll running ends after its current entry's fetch
            self._feeds.close(wait=self.config.fetch.timeout_seconds + 1)
        self.index.close()
        self.event_book.flush()
        self.store.close()
        self.questions.close()

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

    @metrics.counts_questions
    def ask_many(self, questions: Sequence[str], k: int | None = None, **filters: str | None) -> list[Answer]:
        """Answer several questions, embedding them in one batch."""
        return self.retriever.ask_many(questions, k, **filters)

    def ask_logged(self, origin: Origin, question: str, k: int | None = None, **filters: str | None) -> Logged:
        """`ask`, with the question logged (bot.asklog) for /gaps and /stats; the log id comes back with the
        answer. Logging never fails or slows the question. A question that cannot be asked (a bad filter)
        is logged as such and its error raised."""
        started = time.perf_counter()
        try:
            answer = self.ask(question, k, **filters)
        except RetrievalError:
            self.questions.record(origin, question, None, (time.perf_counter() - started) * 1000, "bad_question")
            raise
        return Logged(answer, self.questions.record(origin, question, answer, (time.perf_counter() - started) * 1000))

    def record_feedback(self, question_id: int, user_id: int, helpful: bool) -> Vote:
        """A member's Helpful / Not helpful on a logged answer; a second vote replaces the first.
        Raises `UnknownAnswer` or `LogUnavailable` (bot.asklog)."""
        return self.questions.vote(question_id, user_id, helpful)

    def gaps(self, days: int | None = None, guild_id: int | None = None, limit: int | None = None) -> list[Gap]:
        """Questions declined and answers voted not helpful over the last `days` (config: question_log.gaps_days),
        grouped by wording, most missed first; only server `guild_id`'s when given."""
        days = days or self.config.question_log.gaps_days
        since = time.time() - days * 86400.0
        return find_gaps(self.questions.entries(since, guild_id), limit)

    def activity(self, hours: float = 24.0, guild_id: int | None = None) -> Activity:
        """Questions over the last `hours`: how many, answered, declined, latency p50/p95."""
        return self.questions.activity(hours, guild_id)

    # -- adding and removing --------------------------------------------------------------------------

    @metrics.counts_adds
    def add(self, target: str) -> AddResult:
        """Add one article from a URL or a local file path. Command line only: reads the host's disk."""
        return self._clustered(self.ingester.add(target))

    @metrics.counts_adds
    def add_url(self, url: str, added_by: AddedBy | None = None) -> AddResult:
        """Fetch a page and add its article. Never reads local files, whatever the URL says.
        `added_by`: who asked, from which server (recorded with the article)."""
        return self._clustered(self.ingester.add_url(url, added_by))

    @metrics.counts_adds
    def add_document(self, content: bytes, filename: str, url: str | None = None,
                     added_by: AddedBy | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        return self._clustered(self.ingester.add_document(content, filename, url, added_by))

    @metrics.counts_adds
    def add_draft(self, draft: ArticleDraft, target: str = "") -> AddResult:
        """Store, embed and index one extracted article."""
        return self._clustered(self.ingester.add_draft(draft, target))

    def preview(self, target: str, url: str | None = None) -> Preview:
        """What `add` would store for a URL or a local file path, without storing it (`eventbot extract`).
        `url`: where a local file came from. Command line only: reads the host's disk."""
        return self.ingester.preview(target, url)

    def preview_url(self, url: str) -> Preview:
        """What `add_url` would store, without storing it (Discord's `/add preview`). Never reads local files."""
        return self.ingester.preview_url(url)

    def preview_document(self, content: bytes, filename: str, url: str | None = None) -> Preview:
        """What `add_document` would store for an uploaded file, without storing it."""
        return self.ingester.preview_document(content, filename, url)

    @metrics.counts_imports
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

    def neighbours(self, passage_id: int, around: int = 1) -> tuple[Article, list[Passage]]:
        """A passage's article and its paragraphs, `around` on each side of it. Raises `ArticleNotFound`
        when the passage is no longer held (its article removed or updated)."""
        found = self.store.neighbours(passage_id, around, around)
        if found is None:
            raise ArticleNotFound("that passage is no longer held: its article was removed or updated")
        return found

    def outlets(self, containing: str = "", limit: int = 25) -> list[tuple[str, int]]:
        """Outlets held whose name contains `containing` (any case), most articles first (for autocomplete)."""
        wanted = containing.casefold()
        return [s for s in self.store.sources() if wanted in s[0].casefold()][:limit]

    def speakers(self, containing: str = "", limit: int = 25) -> list[tuple[str, int]]:
        """Quoted speakers whose name contains `containing`, most quoted first (for autocomplete)."""
        return self.store.speakers(containing, limit)

    def titles(self, containing: str = "", limit: int = 25) -> list[tuple[int, str]]:
        """(id, title) of held articles whose title contains `containing`, newest first (for autocomplete)."""
        return self.store.titles(containing, limit)

    # -- rebuilding and stats -------------------------------------------------------------------------

    @metrics.shows_rebuilds
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

    # -- feeds (bot/feeds.py) --------------------------------------------------------------------------

    @property
    def feed_poller(self) -> FeedPoller:
        """The feeds of this corpus and their poller (the feed tables are made on first use)."""
        with self._feeds_lock:
            if self._feeds is None:
                self._feeds = FeedPoller(FeedStore(self.store.path), self.ingester, self.store, self.config.feeds,
                                         self.config.fetch)
            return self._feeds

    def follow_feed(self, url: str, channel_id: int | None = None, added_by: AddedBy | None = None) -> Feed:
        """Follow an RSS or Atom feed (fetched and read first: a wrong link is refused with its reason).
        Its new articles are added at each poll and announced in `channel_id`, when given.

        Raises:
            FeedExists, FetchFailed, FetchRefused, NotAFeed (CorpusError).
        """
        by = added_by or AddedBy()
        return self.feed_poller.follow(url, by.guild_id, channel_id, by.user_id)[0]

    def feeds(self, guild_id: int | None = None) -> list[Feed]:
        """The feeds followed (only a server's, when `guild_id` is given)."""
        return self.feed_poller.feeds.feeds(guild_id)

    def unfollow_feed(self, url_or_id: str, guild_id: int | None = None) -> Feed:
        """Stop following a feed (by its URL or id); the articles it added stay. With `guild_id`, only that
        server's feeds. Raises `FeedNotFound`."""
        feed = self.feed_poller.feeds.find(url_or_id)
        if guild_id is not None and feed.guild_id != guild_id:
            raise FeedNotFound(f"this server follows no feed with the id or URL {url_or_id.strip()!r}")
        self.feed_poller.feeds.remove(feed.id)
        return feed

    def due_feeds(self) -> list[Feed]:
        """The feeds whose poll (or an entry's retry) is due now."""
        return self.feed_poller.feeds.due(self.feed_poller.clock())

    def poll_feed(self, feed: Feed) -> FeedPoll:
        """Poll one feed now (its new entries added, its due retries tried) and schedule its next poll."""
        return self._clustered(self.feed_poller.poll(feed))

    def poll_feeds(self, due_only: bool = False, guild_id: int | None = None,
                   done: Callable[[FeedPoll], None] | None = None) -> PollReport:
        """Poll every feed now (or only those due, or a server's); see bot/feeds.py."""
        return self._clustered(self.feed_poller.poll_all(due_only, guild_id, done))


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

    @property
    def releases_gil(self) -> bool:
        return getattr(self._service.embedder, "releases_gil", False)

    def holds(self, text: str) -> bool:
        return self._cache is not None and self._cache.holds(text)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._cache is None:
                self._cache = QueryCache(self._service.embedder, self._service.config.embedding.query_cache_size)
        return self._cache.encode(list(texts))
