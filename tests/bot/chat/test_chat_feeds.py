"""The feed messages: an announcement and the list fit Discord's limits and cannot ping or break the layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat import render
from bot.chat.client import EventBot
from bot.chat.cogs.feeds import Feeds, announcement, feed_list
from bot.corpora import Corpora
from bot.feeds import EntryResult
from corpus.feeds import EntryStatus, Feed
from corpus.models import AddedBy
from index.embedder import HashEmbedder
from tests.feeds import FeedSite, article_page, items, rss20, site_config

FEED = Feed(id=3, url="https://news.example/feed.xml", title="The **Ledger** @everyone", guild_id=1, channel_id=2,
            added_by=None, added_at=0.0, last_poll_at=100.0, next_poll_at=1000.0, last_error="could not fetch it",
            errors=2, articles_added=7)


def added(n: int, title: str = "Harbour wall repaired after the storm") -> list[EntryResult]:
    return [EntryResult(f"{title} {i}", f"https://news.example/a/{i}", EntryStatus.ADDED) for i in range(n)]


def test_an_announcement_lists_titles_with_links_up_to_the_cap() -> None:
    text = announcement(FEED, added(12), max_items=10)
    lines = text.split("\n")
    assert lines[0].startswith("**New from") and "(12 articles)" in lines[0]
    assert lines[1] == "\u2022 [Harbour wall repaired after the storm 0](<https://news.example/a/0>)"
    assert len(lines) == 12 and lines[-1] == "\u2026 and 2 more"
    assert "@everyone" not in text and "\\*\\*Ledger\\*\\*" in text


def test_an_announcement_of_long_titles_fits_one_message_every_line_linked() -> None:
    text = announcement(FEED, added(50, "A very long headline " * 30), max_items=50)
    assert render.dlen(text) <= render.CONTENT_LIMIT
    lines = text.split("\n")[1:-1]
    assert len(lines) >= 10 and all(line.endswith(f"(<https://news.example/a/{i}>)") for i, line in enumerate(lines))
    assert text.endswith(f"\u2026 and {50 - len(lines)} more")


def test_the_list_shows_each_feed_s_status_and_channel() -> None:
    text = feed_list([FEED], now=160.0)
    assert "`3` [The \\*\\*Ledger\\*\\* @\u200beveryone](<https://news.example/feed.xml>) \u2192 <#2>" in text
    assert "last poll 1 min ago" in text and "7 articles added" in text and "next poll in 14 min" in text
    assert "last error (2 polls in a row): could not fetch it" in text
    assert feed_list([], now=0).startswith("This server follows no feeds")


@pytest.mark.asyncio
async def test_the_background_poller_polls_every_server_s_feeds_after_a_restart(tmp_path: Path) -> None:
    """Per-server corpora: a server's feeds are polled though nobody has used the bot there since it started."""
    with FeedSite().running() as site:
        config = site_config(site)
        before = Corpora(tmp_path / "data", config, "per_guild")
        before._embedder = HashEmbedder()  # type: ignore[assignment]
        url = site.add("/feed.xml", rss20(items([site.add("/news/0", article_page(0))])), "application/rss+xml")
        before.for_guild(77).follow_feed(url, added_by=AddedBy(1, 77))
        before.close()
        corpora = Corpora(tmp_path / "data", config, "per_guild")  # the restarted bot
        corpora._embedder = HashEmbedder()  # type: ignore[assignment]
        bot = EventBot(corpora)
        try:
            polls = await Feeds(bot).poll_due()
            assert [len(p.added) for p in polls] == [1]
            assert corpora.for_guild(77).stats().articles == 1
            assert await Feeds(bot).poll_due() == []  # not due again before the interval
        finally:
            await bot.close()
            corpora.close()
