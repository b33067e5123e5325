"""Prometheus metrics: what the bot was asked and how it answered, what was added and refused, the size of
the index and the progress of a rebuild.

Everything lives in one `Metrics` object with its own CollectorRegistry (never prometheus_client's global
one), so a test can start from zero with `reset()`. The service's methods are counted by the decorators
below; `serve` is the HTTP endpoint `eventbot run` starts when `metrics.port` is set. corpus/ knows
nothing of this: refusals are counted here from the errors the ingester reports.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import start_http_server

from bot import logs
from bot.results import AddResult, AddStatus, Answer, ImportReport, Reason
from corpus.errors import BadRecord, CorpusError, FetchFailed, FetchRefused, NotAnArticle, StoreBusy, UnsupportedFile
from retrieval.errors import RetrievalError

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

log = logging.getLogger(__name__)
questions_log = logging.getLogger("bot.questions")  # one line a question, at INFO (no question text)

F = TypeVar("F", bound=Callable[..., Any])

disable_created_metrics()  # no `_created` series beside each counter: they double the series and nothing reads them

FRONT_ENDS = ("cli", "slash", "mention", "api")
# Seconds from question to answer (the service's part: retrieval, not Discord's round trips).
LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 0.6, 1.2, 2.5, 5.0, 10.0)
# Why an article could not be added, by the kind of error (the most specific class first).
FAILURES: tuple[tuple[type[CorpusError], str], ...] = (
    (FetchRefused, "refused"), (FetchFailed, "fetch_failed"), (NotAnArticle, "not_an_article"),
    (UnsupportedFile, "unsupported_file"), (BadRecord, "bad_record"), (StoreBusy, "store_busy"))


class MetricsUnavailable(Exception):
    """The metrics endpoint could not start; the message says why and what to change."""


class Metrics:
    """The bot's metrics, in a registry of their own."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.questions = Counter("eventbot_questions", "Questions asked, by front end", ["front_end"], registry=r)
        self.answers = Counter("eventbot_answers", "Questions answered or declined; the reason of a decline",
                               ["outcome", "reason"], registry=r)
        self.latency = Histogram("eventbot_question_seconds", "Seconds to answer a question (retrieval)",
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.ingest = Counter("eventbot_ingest", "Articles offered for adding, by outcome", ["status"], registry=r)
        self.ingest_failures = Counter("eventbot_ingest_failures", "Articles that could not be added, by why",
                                       ["reason"], registry=r)
        self.fetch_refusals = Counter("eventbot_fetch_refusals", "Links or pages refused by the fetching "
                                      "rules, by rule", ["reason"], registry=r)
        self.feed_polls = Counter("eventbot_feed_polls", "Feed polls, by outcome", ["status"], registry=r)
        self.feed_articles = Counter("eventbot_feed_articles", "Articles added from feeds", registry=r)
        self.rebuild_running = Gauge("eventbot_rebuild_running", "1 while this process rebuilds an index",
                                     registry=r)
        self.rebuild_progress = Gauge("eventbot_rebuild_progress", "Fraction of the articles the running (or "
                                      "last) rebuild has done", registry=r)
        for front_end in FRONT_ENDS:
            self.questions.labels(front_end)
        self._answered = self.answers.labels("answered", "")
        for reason in [*Reason, "error"]:
            self.answers.labels("declined", str(reason))
        for status in AddStatus:
            self.ingest.labels(str(status))
        self._sizes: _IndexSizes | None = None

    # -- what the service reports ------------------------------------------------------------------------

    def asked(self, answers: Sequence[Answer], seconds: float) -> None:
        self.questions.labels(logs.front_end()).inc(len(answers))
        declined = [a for a in answers if not a.answered]
        self._answered.inc(len(answers) - len(declined))
        for answer in declined:
            self.answers.labels("declined", str(answer.reason or "error")).inc()
        for _ in answers:
            self.latency.observe(seconds / len(answers))

    def ask_failed(self, questions: int, error: BaseException) -> None:
        """Questions that raised instead of answering: a bad filter is a bad question, the rest errors."""
        reason = Reason.BAD_QUESTION if isinstance(error, RetrievalError) else "error"
        self.questions.labels(logs.front_end()).inc(questions)
        self.answers.labels("declined", str(reason)).inc(questions)

    def added(self, result: AddResult) -> None:
        self.ingest.labels(str(result.status)).inc()
        if result.status == AddStatus.FAILED:
            self.failed(result.error)

    def failed(self, error: BaseException | None) -> None:
        reason = next((name for kind, name in FAILURES if isinstance(error, kind)), "other")
        self.ingest_failures.labels(reason).inc()
        if isinstance(error, FetchRefused):
            self.fetch_refusals.labels(error.reason).inc()

    def imported(self, report: ImportReport) -> None:
        for status, n in ((AddStatus.ADDED, report.added), (AddStatus.UPDATED, report.updated),
                          (AddStatus.DUPLICATE, report.duplicates), (AddStatus.FAILED, len(report.failed))):
            self.ingest.labels(str(status)).inc(n)
        if report.failed:
            self.ingest_failures.labels("bad_record").inc(len(report.failed))

    def feed_polled(self, status: str, added: int = 0) -> None:
        """One poll of a feed: its outcome ("ok", "not_modified", "failed", ...) and the articles it added."""
        self.feed_polls.labels(status).inc()
        self.feed_articles.inc(added)

    def rebuild_step(self, done: int, total: int) -> None:
        self.rebuild_progress.set(done / total if total else 1.0)

    # -- the index's size, read when scraped ------------------------------------------------------------

    def watch(self, services: Callable[[], Iterable[Any]]) -> None:
        """Report the articles, passages and index size of `services()` (every open corpus) when scraped."""
        if self._sizes is None:
            self._sizes = _IndexSizes()
            self.registry.register(self._sizes)
        self._sizes.services = services


class _IndexSizes:
    """Articles, passages and index bytes, summed over the open corpora at each scrape."""

    def __init__(self) -> None:
        self.services: Callable[[], Iterable[Any]] = list

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # unknown until collected: registering must not read the store

    def collect(self) -> Iterable[GaugeMetricFamily]:
        totals = {"articles": 0, "passages": 0, "indexed_passages": 0, "index_bytes": 0}
        for service in self.services():
            try:
                articles, passages = service.store.counts()
                totals["articles"] += articles
                totals["passages"] += passages
                totals["indexed_passages"] += service.index.count()
                totals["index_bytes"] += service.index.size_bytes()
            except (sqlite3.Error, OSError, CorpusError) as e:  # a corpus closing as the bot stops: the others
                log.debug("cannot read the size of %s: %s", service.data_dir, e)
        helps = {"articles": "Articles held", "passages": "Passages stored",
                 "indexed_passages": "Passages in the search index", "index_bytes": "Bytes of the index files"}
        for name, value in totals.items():
            yield GaugeMetricFamily(f"eventbot_{name}", helps[name], value=value)


_metrics = Metrics()


def current() -> Metrics:
    return _metrics


def reset() -> Metrics:
    """Start again from zero (tests)."""
    global _metrics
    _metrics = Metrics()
    return _metrics


def serve(port: int, address: str = "127.0.0.1",
          services: Callable[[], Iterable[Any]] | None = None) -> WSGIServer:
    """Serve the metrics at http://address:port/metrics in a daemon thread (port 0: any free port; the
    server's `server_port` says which). `server.shutdown()` stops it.

    Raises:
        MetricsUnavailable: the port is taken or the address is not this machine's.
    """
    metrics = current()
    if services is not None:
        metrics.watch(services)
    try:
        server, _ = start_http_server(port, address, registry=metrics.registry)
    except OSError as e:
        raise MetricsUnavailable(f"cannot serve metrics on {address}:{port} ({e.strerror or e}): another "
                                 "program may hold the port; set metrics.port to a free one (or 0 for none)"
                                 ) from e
    return server


# -- decorators for the service's methods ---------------------------------------------------------------


def counts_questions(method: F) -> F:
    """Count the questions of `ask_many(questions, ...)`, their outcome and how long they took."""

    @functools.wraps(method)
    def wrapper(self: Any, questions: Sequence[str], *args: Any, **kwargs: Any) -> list[Answer]:
        started = time.perf_counter()
        try:
            answers = method(self, questions, *args, **kwargs)
        except Exception as e:
            current().ask_failed(len(questions), e)
            raise
        seconds = time.perf_counter() - started
        current().asked(answers, seconds)
        if questions_log.isEnabledFor(logging.INFO):
            for answer in answers:
                outcome = f"answered ({len(answer.passages)} passages)" if answer.answered else f"declined ({answer.reason})"
                questions_log.info("question %s in %.0f ms", outcome, 1000 * seconds / len(answers))
        return answers

    return wrapper  # type: ignore[return-value]


def _after(record: Callable[[Metrics, Any], None]) -> Callable[[F], F]:
    """A decorator calling `record(metrics, result)` with what the method returned."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            record(current(), result)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


counts_adds = _after(Metrics.added)  # a method returning an AddResult
counts_imports = _after(Metrics.imported)  # a method returning an ImportReport


def shows_rebuilds(method: F) -> F:
    """Show a rebuild `method(self, progress=None)` in the rebuild gauges while it runs."""

    @functools.wraps(method)
    def wrapper(self: Any, progress: Callable[[int, int], None] | None = None) -> Any:
        metrics = current()

        def step(done: int, total: int) -> None:
            metrics.rebuild_step(done, total)
            if progress:
                progress(done, total)

        metrics.rebuild_running.inc()
        metrics.rebuild_progress.set(0)
        try:
            return method(self, step)
        finally:
            metrics.rebuild_running.dec()

    return wrapper  # type: ignore[return-value]
