"""Following feeds served on 127.0.0.1: polls, conditional GETs, the cap, retries, backoff, restarts, the CLI."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Config, FeedsConfig
from bot.corpora import Corpora
from bot.feeds import PollOutcome
from bot.service import EventService
from corpus.errors import FetchFailed
from corpus.feeds import EntryStatus, FeedExists, FeedNotFound, NotAFeed
from corpus.models import AddedBy
from index.embedder import HashEmbedder
from tests.feeds import FeedSite, Item, article_page, atom, items, rss091, rss10, rss20, site_config, story

INTERVAL = 600.0
FEEDS = FeedsConfig(poll_interval_seconds=INTERVAL, jitter=0.1, max_backoff_seconds=3600, max_new_entries=5,
                    entry_retry_seconds=60, entry_max_attempts=3, workers=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with FeedSite().running() as s:
        yield s


def config_for(site: FeedSite, **feeds: object) -> Config:
    return site_config(site, FEEDS.model_copy(update=feeds))


def open_service(folder: Path, site: FeedSite, clock: Clock, **feeds: object) -> EventService:
    service = EventService(folder, config_for(site, **feeds), embedder=HashEmbedder())
    service.feed_poller.clock = clock
    service.feed_poller._rng = random.Random(1)
    return service


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def feeds(data_dir: Path, site: FeedSite, clock: Clock) -> Iterator[EventService]:
    service = open_service(data_dir, site, clock)
    yield service
    service.close()


def pages(site: FeedSite, numbers: range, **page: str) -> list[str]:
    return [site.add(f"/news/{n}", article_page(n, **page)) for n in numbers]


def test_a_feed_is_polled_its_pages_added_and_an_unchanged_feed_costs_one_304(feeds: EventService,
                                                                              site: FeedSite) -> None:
    url = site.add("/feed.xml", rss20(items(pages(site, range(3)))), "application/rss+xml")
    feed = feeds.follow_feed(url)
    assert feed.title == "Test Ledger: latest"
    report = feeds.poll_feeds()
    assert (report.articles_added, report.pages_fetched, report.feeds_failed) == (3, 3, 0)
    assert report.passages_indexed == 12 == feeds.stats().indexed
    # The pages have no author or date: the entries' fill them in.
    article = feeds.find(site.url("/news/1"))
    assert (article.author, article.published_at) == ("Nadia Sorensen", "2026-11-30T08:00:00+00:00")
    answer = feeds.ask(story(1)[1][1])
    assert answer.answered and answer.passages[0].url == site.url("/news/1")
    hits = site.total()
    again = feeds.poll_feeds()
    assert again.polls[0].outcome == PollOutcome.NOT_MODIFIED and again.pages_fetched == 0
    assert site.total() == hits + 1 and site.not_modified["/feed.xml"] == 1
    listed = feeds.feeds()[0]
    assert (listed.articles_added, listed.polls, listed.last_error) == (3, 2, None)


def test_a_page_date_and_author_win_over_the_entry_s(feeds: EventService, site: FeedSite) -> None:
    links = pages(site, range(1), author="Idris Calloway", date="2026-11-30T07:15:00+00:00")
    feeds.follow_feed(site.add("/feed.xml", rss20(items(links)), "application/rss+xml"))
    feeds.poll_feeds()
    article = feeds.find(links[0])
    assert article.author == "Idris Calloway" and article.published_at.startswith("2026-11-30")


@pytest.mark.parametrize("build, content_type", [(rss091, "text/xml"), (rss10, "application/rdf+xml"),
                                                 (atom, "application/atom+xml"), (rss20, "text/html")])
def test_every_format_is_followed(feeds: EventService, site: FeedSite, build, content_type: str) -> None:
    feeds.follow_feed(site.add("/feed", build(items(pages(site, range(2)))), content_type))
    assert feeds.poll_feeds().articles_added == 2


def test_a_feed_of_thousands_of_entries_floods_nothing(feeds: EventService, site: FeedSite) -> None:
    links = [site.url(f"/news/{n}") for n in range(3_000)]  # feedparser reads about 1,000 entries a second
    for n in range(8):
        site.add(f"/news/{n}", article_page(n))
    url = site.add("/huge.xml", rss20(items(links)), "application/rss+xml")
    feeds.follow_feed(url)
    poll = feeds.poll_feeds().polls[0]
    assert len(poll.added) == 5 and poll.skipped == 2_995
    assert [e.url for e in poll.added] == links[:5]  # the newest
    assert site.total("/news/") == 5
    # One new entry on top: only it is fetched; the skipped ones stay skipped.
    site.add("/huge.xml", rss20(items([site.url("/news/7")], start=10_000) + items(links)), "application/rss+xml")
    feeds.feed_poller.clock.now += INTERVAL * 2
    poll = feeds.poll_feeds().polls[0]
    assert [e.url for e in poll.added] == [site.url("/news/7")] and poll.skipped == 0
    assert site.total("/news/") == 6


def test_a_redirected_feed_resolves_relative_links_against_where_it_landed(feeds: EventService,
                                                                            site: FeedSite) -> None:
    site.add("/news/0", article_page(0))
    site.add("/new-home/feed.xml", rss20([Item("Zero", "../news/0", guid="z")]), "application/rss+xml")
    url = site.redirect("/old/feed.xml", site.url("/new-home/feed.xml"))
    feeds.follow_feed(url)
    poll = feeds.poll_feeds().polls[0]
    assert [e.url for e in poll.added] == [site.url("/news/0")]


def test_a_failing_feed_backs_off_and_recovers(feeds: EventService, site: FeedSite, clock: Clock) -> None:
    url = site.add("/feed.xml", rss20(items(pages(site, range(1)))), "application/rss+xml")
    feeds.follow_feed(url)
    site.fail("/feed.xml", 500, times=3)
    waits = []
    for _ in range(3):
        clock.now += 1
        poll = feeds.poll_feeds().polls[0]
        assert poll.outcome == PollOutcome.FAILED and "500" in (poll.error or "")
        waits.append(poll.feed.next_poll_at - clock.now)
    assert feeds.due_feeds() == []
    # Doubling from the interval (600 s), capped at max_backoff_seconds (3600 s); each within the 10 % jitter.
    for wait, expected in zip(waits, (1200, 2400, 3600), strict=True):
        assert expected * 0.9 <= wait <= expected * 1.1
    failed = feeds.feeds()[0]
    assert failed.errors == 3 and "500" in (failed.last_error or "")
    clock.now += waits[2]
    assert [f.id for f in feeds.due_feeds()] == [failed.id]
    poll = feeds.poll_feed(feeds.due_feeds()[0])
    assert len(poll.added) == 1 and poll.feed.errors == 0 and poll.feed.last_error is None
    assert INTERVAL * 0.9 <= poll.feed.next_poll_at - clock.now <= INTERVAL * 1.1


def test_an_entry_whose_page_fails_is_retried_then_given_up(feeds: EventService, site: FeedSite,
                                                            clock: Clock) -> None:
    links = pages(site, range(2))
    site.fail("/news/0", 503, times=1)  # back after one failure
    site.fail("/news/1", 500)  # never back
    feeds.follow_feed(site.add("/feed.xml", rss20(items(links)), "application/rss+xml"))
    first = feeds.poll_feeds().polls[0]
    assert first.added == [] and first.count(EntryStatus.PENDING) == 2
    assert feeds.due_feeds() == []  # the retry waits entry_retry_seconds
    clock.now += 60 * 1.1
    second = feeds.poll_feed(feeds.due_feeds()[0])
    assert second.outcome == PollOutcome.RETRIES and [e.url for e in second.added] == [links[0]]
    assert site.hits["/feed.xml"] == 2  # follow + first poll: a retry does not fetch the feed
    clock.now += 120 * 1.1
    third = feeds.poll_feed(feeds.due_feeds()[0])
    assert [e.status for e in third.entries] == [EntryStatus.GIVEN_UP]
    assert "given up after 3 tries" in third.entries[0].message and "500" in third.entries[0].message
    assert site.hits["/news/1"] == 3
    clock.now += 10_000
    assert all(e.status != EntryStatus.PENDING for e in feeds.poll_feeds().polls[0].entries)
    assert site.hits["/news/1"] == 3
    assert feeds.feeds()[0].articles_added == 1


def test_a_page_without_an_article_is_not_retried(feeds: EventService, site: FeedSite) -> None:
    site.add("/news/empty", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    feeds.follow_feed(site.add("/feed.xml", rss20([Item("Empty", site.url("/news/empty"), guid="e")]),
                               "application/rss+xml"))
    poll = feeds.poll_feeds().polls[0]
    assert [e.status for e in poll.entries] == [EntryStatus.FAILED]


def test_entries_already_held_are_not_fetched_again(feeds: EventService, site: FeedSite) -> None:
    links = pages(site, range(2))
    assert feeds.add_url(links[0]).status == "added"
    feeds.follow_feed(site.add("/feed.xml", rss20(items(links)), "application/rss+xml"))
    poll = feeds.poll_feeds().polls[0]
    assert [e.status for e in poll.entries] == [EntryStatus.DUPLICATE, EntryStatus.ADDED]
    assert site.hits["/news/0"] == 1


def test_a_restart_keeps_the_feeds_their_validators_and_what_was_seen(data_dir: Path, site: FeedSite,
                                                                      clock: Clock) -> None:
    service = open_service(data_dir, site, clock)
    service.follow_feed(site.add("/feed.xml", rss20(items(pages(site, range(2)))), "application/rss+xml"))
    service.poll_feeds()
    service.close()
    pages_before = site.total("/news/")
    again = open_service(data_dir, site, clock)
    assert [f.articles_added for f in again.feeds()] == [2]
    assert again.poll_feeds().polls[0].outcome == PollOutcome.NOT_MODIFIED
    site.add("/feed.xml", rss20(items(pages(site, range(2)))) + b" ", "application/rss+xml")  # changed, same entries
    clock.now += INTERVAL * 2
    assert again.poll_feeds().polls[0].outcome == PollOutcome.UNCHANGED
    assert site.total("/news/") == pages_before
    again.close()


def test_following_refuses_what_is_no_feed_and_keeps_nothing(feeds: EventService, site: FeedSite) -> None:
    page = pages(site, range(1))[0]
    with pytest.raises(NotAFeed, match="not an RSS or Atom feed"):
        feeds.follow_feed(page)
    with pytest.raises(FetchFailed, match="404"):
        feeds.follow_feed(site.url("/missing.xml"))
    assert feeds.feeds() == []
    url = site.add("/feed.xml", rss20(items([page])), "application/rss+xml")
    feeds.follow_feed(url)
    with pytest.raises(FeedExists):
        feeds.follow_feed(url + "/")


def test_a_server_sees_and_removes_only_its_own_feeds_in_a_shared_corpus(feeds: EventService,
                                                                         site: FeedSite) -> None:
    ours = feeds.follow_feed(site.add("/a.xml", rss20(items(pages(site, range(1)))), "application/rss+xml"),
                             channel_id=5, added_by=AddedBy(1, guild_id=100))
    theirs = feeds.follow_feed(site.add("/b.xml", rss20(items(pages(site, range(1, 2)))), "application/rss+xml"),
                               channel_id=6, added_by=AddedBy(2, guild_id=200))
    assert [f.id for f in feeds.feeds(100)] == [ours.id] and (ours.channel_id, ours.guild_id) == (5, 100)
    with pytest.raises(FeedNotFound, match="this server follows no feed"):
        feeds.unfollow_feed(str(theirs.id), guild_id=100)
    assert feeds.unfollow_feed(ours.url, guild_id=100) == ours
    assert [f.id for f in feeds.feeds()] == [theirs.id]


def test_per_server_corpora_keep_their_own_feeds(tmp_path: Path, site: FeedSite) -> None:
    corpora = Corpora(tmp_path / "data", config_for(site), "per_guild")
    corpora._embedder = HashEmbedder()  # type: ignore[assignment]
    first, second = corpora.for_guild(1), corpora.for_guild(2)
    first.follow_feed(site.add("/a.xml", rss20(items(pages(site, range(2)))), "application/rss+xml"))
    assert first.poll_feeds().articles_added == 2
    assert second.feeds() == [] and second.stats().articles == 0
    corpora.close()
    reopened = Corpora(tmp_path / "data", config_for(site), "per_guild")
    assert reopened.stored_guilds() == [1, 2]
    assert [f.articles_added for f in reopened.for_guild(1).feeds()] == [2]
    reopened.close()


# -- the command line ---------------------------------------------------------------------------------

def test_cli_follows_lists_polls_and_removes(tmp_path: Path, site: FeedSite) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"embedding": {"model": "hash"}, "fetch": {
        "allowed_private_hosts": ["127.0.0.1"], "allowed_ports": [site.port]}}), encoding="utf-8")
    good = site.add("/feed.xml", rss20(items(pages(site, range(2)))), "application/rss+xml")
    bad = site.add("/broken.xml", rss20(items(pages(site, range(2, 3)))), "application/rss+xml")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [*args, "-c", str(config)])

    assert run("feed", "add", good).exit_code == 0
    assert run("feed", "add", bad).exit_code == 0
    refused = run("feed", "add", site.url("/news/0"))
    assert refused.exit_code == 1 and "not an RSS or Atom feed" in refused.output
    site.fail("/broken.xml", 500)
    polled = run("feed", "poll")
    assert polled.exit_code == 0, polled.output
    assert "2 new articles" in polled.output and site.url("/news/1").split("//")[1] in polled.output
    assert "failed" in polled.output and "500" in polled.output
    listed = json.loads(run("feed", "list", "--json").stdout)
    assert [(f["articles_added"], f["errors_in_a_row"]) for f in listed] == [(2, 0), (0, 1)]
    assert listed[1]["last_error"] and listed[0]["last_poll_at"]
    assert "last error" in run("feed", "list").output
    assert run("feed", "remove", str(listed[1]["id"])).exit_code == 0
    missing = run("feed", "remove", bad)
    assert missing.exit_code == 1 and "no followed feed" in missing.output
    assert [f["url"] for f in json.loads(run("feed", "list", "--json").stdout)] == [good]


def test_closing_mid_poll_ends_it_after_the_current_page_and_a_later_poll_takes_the_rest(
        data_dir: Path, site: FeedSite, clock: Clock) -> None:
    service = open_service(data_dir, site, clock)
    service.follow_feed(site.add("/feed.xml", rss20(items(pages(site, range(3)))), "application/rss+xml"))
    read_url = service.ingester.read_url
    closing: list[threading.Thread] = []

    def fetch_then_close(url: str):
        if not closing:  # the bot stops while the first page is fetched
            closing.append(threading.Thread(target=service.close))
            closing[0].start()
            time.sleep(0.2)
        return read_url(url)

    service.ingester.read_url = fetch_then_close  # type: ignore[method-assign]
    poll = service.poll_feeds().polls[0]
    closing[0].join(10)
    assert [e.status for e in poll.entries] == [EntryStatus.ADDED]
    again = open_service(data_dir, site, clock)
    clock.now += FEEDS.entry_retry_seconds + 1
    retried = again.poll_feed(again.due_feeds()[0])
    assert len(retried.added) == 2 and site.total("/news/") == 3
    again.close()


def test_a_bug_on_one_page_is_logged_and_does_not_stop_the_feed(feeds: EventService, site: FeedSite,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    links = pages(site, range(2))
    read_url = feeds.ingester.read_url

    def broken_on_the_first(url: str):
        if url == links[0]:
            raise RuntimeError("a bug")
        return read_url(url)

    feeds.ingester.read_url = broken_on_the_first  # type: ignore[method-assign]
    feeds.follow_feed(site.add("/feed.xml", rss20(items(links)), "application/rss+xml"))
    poll = feeds.poll_feeds().polls[0]
    assert (poll.entries[0].status, poll.entries[0].message) == (EntryStatus.FAILED, "unexpected error: RuntimeError")
    assert [e.url for e in poll.added] == [links[1]] and poll.feed.last_error is None
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)

