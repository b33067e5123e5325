"""Following feeds: polling each on its own schedule and adding its new entries' pages as /add does.

A poll is a conditional GET of the feed (an unchanged feed answers 304 and costs nothing more). At most
`max_new_entries` new entries are taken per poll, newest first; the rest are recorded as skipped, never
fetched. Each entry's page goes through `Ingester.read_url` and `add_draft` (the safe fetcher,
extraction, attribution, duplicate checks); the entry's date and author fill in what the page lacks. A
page that cannot be fetched is tried again later (waits doubling from `entry_retry_seconds`) and given up
after `entry_max_attempts` tries. A feed that fails waits longer after each failure in a row (doubling
from the poll interval, at most `max_backoff_seconds`); every wait has jitter.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from bot import logs, metrics
from bot.config import FeedsConfig, FetchConfig
from bot.ingest import Ingester, fetch_options
from bot.results import AddStatus
from corpus import fetch
from corpus.errors import ArticleNotFound, CorpusError, FetchFailed, FetchRefused, StoreBusy
from corpus.feeds import FEED_ACCEPT, FEED_TYPES, EntryStatus, Feed, FeedEntry, FeedStore, ParsedFeed, parse_feed
from corpus.store import ArticleStore

log = logging.getLogger(__name__)

# What an entry's page became, by what adding it gave (any other status: failed).
_ENTRY_STATUS = {AddStatus.ADDED: EntryStatus.ADDED, AddStatus.UPDATED: EntryStatus.UPDATED,
                 AddStatus.DUPLICATE: EntryStatus.DUPLICATE}


class PollOutcome:
    NEW = "new entries"
    UNCHANGED = "nothing new"
    NOT_MODIFIED = "not modified"  # the server answered 304
    RETRIES = "retries"  # not due itself: only entries tried again
    FAILED = "failed"


@dataclass(frozen=True)
class EntryResult:
    """What became of one entry in this poll."""

    title: str
    url: str | None
    status: EntryStatus
    message: str = ""
    article_id: int | None = None
    passages: int = 0
    fetched: bool = False  # its page was fetched (or a fetch was tried)


@dataclass
class FeedPoll:
    """One poll of one feed."""

    feed: Feed
    outcome: str = PollOutcome.UNCHANGED
    error: str | None = None
    entries: list[EntryResult] = field(default_factory=list)
    skipped: int = 0  # new entries beyond the cap, never fetched
    seconds: float = 0.0

    @property
    def added(self) -> list[EntryResult]:
        """The entries that added (or updated) an article: what is announced."""
        return [e for e in self.entries if e.status in (EntryStatus.ADDED, EntryStatus.UPDATED)]

    def count(self, status: EntryStatus) -> int:
        return sum(e.status == status for e in self.entries)

    @property
    def pages_fetched(self) -> int:
        return sum(e.fetched for e in self.entries)

    @property
    def passages(self) -> int:
        return sum(e.passages for e in self.entries)


@dataclass
class PollReport:
    """A round of polls, with the counts a metrics exporter wants."""

    polls: list[FeedPoll] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def feeds_polled(self) -> int:
        return len(self.polls)

    @property
    def feeds_failed(self) -> int:
        return sum(p.outcome == PollOutcome.FAILED for p in self.polls)

    @property
    def not_modified(self) -> int:
        return sum(p.outcome == PollOutcome.NOT_MODIFIED for p in self.polls)

    @property
    def articles_added(self) -> int:
        return sum(len(p.added) for p in self.polls)

    @property
    def pages_fetched(self) -> int:
        return sum(p.pages_fetched for p in self.polls)

    @property
    def passages_indexed(self) -> int:
        return sum(p.passages for p in self.polls)

    @property
    def entries_skipped(self) -> int:
        return sum(p.skipped for p in self.polls)

    def entries(self, status: EntryStatus) -> int:
        return sum(p.count(status) for p in self.polls)

    @property
    def errors(self) -> list[tuple[Feed, str]]:
        return [(p.feed, p.error) for p in self.polls if p.error]


Clock = Callable[[], float]


class FeedPoller:
    """Polls the feeds of one corpus (its `FeedStore`) and adds their entries through its `Ingester`."""

    def __init__(self, feeds: FeedStore, ingester: Ingester, store: ArticleStore, config: FeedsConfig,
                 fetching: FetchConfig, clock: Clock = time.time, rng: random.Random | None = None) -> None:
        self.feeds, self.ingester, self.store = feeds, ingester, store
        self.config, self.fetching = config, fetching
        self.clock = clock
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._stopping = threading.Event()
        self._active = 0  # polls running
        self._idle = threading.Condition()

    def close(self, wait: float) -> None:
        """Stop taking entries (a poll running ends after its current entry), wait up to `wait` seconds for
        the polls running to end, then close the feed store."""
        self._stopping.set()
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0, timeout=wait)
        self.feeds.close()

    # -- following ------------------------------------------------------------------------------------

    def fetch_feed(self, url: str, validators: tuple[str, str] = ("", "")) -> tuple[ParsedFeed | None, tuple[str, str]]:
        """The feed at `url` (None when the server says it has not changed since `validators`) and the
        validators to send next time.

        Raises:
            FetchFailed, FetchRefused, NotAFeed (CorpusError): with a message for the user.
        """
        page = fetch.fetch(url, **fetch_options(self.fetching), types=FEED_TYPES, accept=FEED_ACCEPT,
                           validators=validators)
        if page.status == 304:
            return None, page.validators
        return parse_feed(page.body, page.final_url, page.charset, page.content_type), page.validators

    def follow(self, url: str, guild_id: int | None = None, channel_id: int | None = None,
               added_by: int | None = None) -> tuple[Feed, ParsedFeed]:
        """Fetch and read the feed (so a wrong link is refused with its reason and nothing is kept), then
        follow it: it is polled at once, its newest entries added.

        Raises:
            FeedExists, FetchFailed, FetchRefused, NotAFeed (CorpusError).
        """
        url = url.strip()
        self.feeds.check_new(url)
        parsed, _ = self.fetch_feed(url)
        assert parsed is not None  # no validators were sent
        return self.feeds.add(url, parsed.title, guild_id, channel_id, added_by, self.clock()), parsed

    # -- polling --------------------------------------------------------------------------------------

    def poll_all(self, due_only: bool = False, guild_id: int | None = None,
                 done: Callable[[FeedPoll], None] | None = None) -> PollReport:
        """Poll every feed (or only those due; or only a server's), `workers` at a time; `done(poll)` is
        called as each ends (from the worker threads)."""
        started = time.perf_counter()
        if due_only:
            feeds = [f for f in self.feeds.due(self.clock()) if guild_id is None or f.guild_id == guild_id]
        else:
            feeds = self.feeds.feeds(guild_id)
        report = PollReport()

        def one(feed: Feed) -> FeedPoll:
            result = self.poll(feed)
            if done:
                done(result)
            return result

        if len(feeds) <= 1 or self.config.workers == 1:
            report.polls = [one(f) for f in feeds]
        else:
            with ThreadPoolExecutor(min(self.config.workers, len(feeds)), thread_name_prefix="eventbot-feed") as pool:
                report.polls = list(pool.map(one, feeds))
        report.seconds = time.perf_counter() - started
        return report

    def poll(self, feed: Feed) -> FeedPoll:
        """Poll one feed now: take its new entries, try again its entries that are due, schedule the next poll."""
        with self._idle:
            self._active += 1
        try:
            started = time.perf_counter()
            with logs.request("feed poll"):
                result = self._poll(feed)
            result.seconds = time.perf_counter() - started
            metrics.current().feed_polled(str(result.outcome).replace(" ", "_"), len(result.added))
            return result
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _poll(self, feed: Feed) -> FeedPoll:
        now = self.clock()
        result = FeedPoll(feed)
        # Retries first: their pages are older news than the new entries'.
        due = self.feeds.due_entries(feed.id, now)
        result.entries += self._take_all(feed, [(e.as_entry(), e.attempts) for e in due])
        if feed.next_poll_at > now and result.entries:  # due only for its retries
            result.outcome = PollOutcome.RETRIES
            self.feeds.count_added(feed.id, len(result.added))
            return result
        try:
            try:
                parsed, validators = self.fetch_feed(feed.url, (feed.etag, feed.last_modified))
            except CorpusError:
                raise
            except Exception as e:  # a bug (in reading the feed): logged; the feed backs off like a failing one
                log.exception("feed %s: reading %s failed", feed.id, feed.url)
                raise CorpusError(f"unexpected error reading the feed: {type(e).__name__}") from e
        except CorpusError as e:
            result.outcome, result.error = PollOutcome.FAILED, str(e)
            result.feed = self.feeds.record_poll(feed, now=now, next_poll_at=now + self._backoff(feed.errors + 1),
                                                 error=str(e), added=len(result.added))
            return result
        new: list[FeedEntry] = []
        if parsed is None:
            result.outcome = PollOutcome.NOT_MODIFIED
        else:
            new = self._new_entries(feed, parsed, now, result)
            result.outcome = PollOutcome.NEW if new else PollOutcome.UNCHANGED
        result.entries += self._take_all(feed, [(e, 0) for e in new])
        result.feed = self.feeds.record_poll(
            feed, now=now, next_poll_at=now + self._jittered(self.config.poll_interval_seconds), validators=validators,
            title=parsed.title if parsed else None, new=bool(new), added=len(result.added))
        return result

    def _new_entries(self, feed: Feed, parsed: ParsedFeed, now: float, result: FeedPoll) -> list[FeedEntry]:
        """The feed's unseen entries with a link, newest first, at most the cap; the others are recorded."""
        unseen = self.feeds.unseen(feed.id, parsed.entries)
        linked = [e for e in unseen if e.url]
        self.feeds.claim(feed.id, [e for e in unseen if not e.url], EntryStatus.NO_LINK, now)
        if all(e.published_at for e in linked):  # else the feed's own order (newest first, as feeds list them)
            linked.sort(key=lambda e: e.published_at or "", reverse=True)
        cap = self.config.max_new_entries
        result.skipped = len(self.feeds.claim(feed.id, linked[cap:], EntryStatus.SKIPPED, now))
        # Should this poll end early (a shutdown), what it has not taken is taken by a later one.
        return self.feeds.claim(feed.id, linked[:cap], EntryStatus.PENDING, now,
                                next_try_at=now + self.config.entry_retry_seconds)

    def _take_all(self, feed: Feed, entries: list[tuple[FeedEntry, int]]) -> list[EntryResult]:
        """`_take` each (entry, tries so far) in turn, until the poller is closed."""
        return [self._take(feed, e, tries) for e, tries in entries if not self._stopping.is_set()]

    def _take(self, feed: Feed, entry: FeedEntry, attempts: int) -> EntryResult:
        """Fetch and add one entry's page; record what became of it."""
        url = entry.url or ""
        try:
            held = self.store.find(url)
        except (ArticleNotFound, ValueError):
            held = None
        if held is not None:
            self.feeds.set_entry(feed.id, entry.key, EntryStatus.DUPLICATE, attempts=attempts, article_id=held.id)
            return EntryResult(entry.title, url, EntryStatus.DUPLICATE, f"already held as article {held.id}", held.id)
        attempts += 1
        try:
            draft = self.ingester.read_url(url)
            draft = replace(draft, published_at=_date(draft.published_at, entry.published_at),
                            author=draft.author or entry.author, title=draft.title or entry.title)
            added = self.ingester.add_draft(draft, url)
        except FetchRefused as e:
            return self._failed(feed, entry, attempts, EntryStatus.FAILED, str(e))
        except (FetchFailed, StoreBusy) as e:  # may work later
            if attempts >= self.config.entry_max_attempts:
                return self._failed(feed, entry, attempts, EntryStatus.GIVEN_UP,
                                    f"given up after {attempts} tries: {e}")
            wait = self._jittered(self.config.entry_retry_seconds * 2 ** (attempts - 1))
            self.feeds.set_entry(feed.id, entry.key, EntryStatus.PENDING, attempts=attempts, error=str(e),
                                 next_try_at=self.clock() + wait)
            return EntryResult(entry.title, url, EntryStatus.PENDING, f"will try again: {e}", fetched=True)
        except CorpusError as e:  # no article in the page
            return self._failed(feed, entry, attempts, EntryStatus.FAILED, str(e))
        except Exception as e:  # a bug: logged, and this page alone is given up (it must not stop the feed)
            log.exception("feed %s: adding %s failed", feed.id, url)
            return self._failed(feed, entry, attempts, EntryStatus.FAILED, f"unexpected error: {type(e).__name__}")
        status = _ENTRY_STATUS.get(added.status, EntryStatus.FAILED)
        article = added.article
        self.feeds.set_entry(feed.id, entry.key, status, attempts=attempts,
                             error=None if article else added.message, article_id=article.id if article else None)
        title = article.title if article else entry.title
        link = (article.url if article else None) or url
        return EntryResult(title, link, status, added.message, article.id if article else None,
                           article.passage_count if article else 0, fetched=True)

    def _failed(self, feed: Feed, entry: FeedEntry, attempts: int, status: EntryStatus, message: str) -> EntryResult:
        self.feeds.set_entry(feed.id, entry.key, status, attempts=attempts, error=message)
        return EntryResult(entry.title, entry.url, status, message, fetched=True)

    # -- waiting --------------------------------------------------------------------------------------

    def _backoff(self, failures: int) -> float:
        """The wait after `failures` failed polls in a row: the interval doubled per failure, capped."""
        base = self.config.poll_interval_seconds * 2 ** min(failures, 30)
        return self._jittered(min(base, self.config.max_backoff_seconds))

    def _jittered(self, seconds: float) -> float:
        with self._rng_lock:
            return seconds * (1 + self._rng.uniform(-self.config.jitter, self.config.jitter))


def _date(page: str | None, entry: str | None) -> str | None:
    """The article's date: the page's when the feed gives none or names the same day; else the feed's (the
    publisher's own date for the entry; a page date that disagrees is most often a guess, as a copyright year)."""
    if not entry or (page and page[:10] == entry[:10]):
        return page or entry
    return entry
