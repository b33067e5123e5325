"""Feeds end to end: a moderator's /feed add, then the running bot's polls announce new articles once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.client import EventBot
from bot.config import Config
from bot.service import EventService
from tests.discord_double import DiscordDouble
from tests.discord_double.server import CommandNotAvailable
from tests.e2e.conftest import operator_config
from tests.feeds import FeedSite, article_page, items, rss20, story

MESSAGES = "POST /channels/{channel_id}/messages"
POLL_SECONDS = 0.3  # each feed is polled this often here (the default: 15 minutes)


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with FeedSite().running() as s:
        yield s


@pytest.fixture
def config(tmp_path: Path, site: FeedSite, double: DiscordDouble) -> Config:
    """The e2e config (conftest.py) with the feed site allowed, and polls every fraction of a second."""
    return operator_config(tmp_path, double, site.port,
                           feeds={"poll_interval_seconds": POLL_SECONDS, "check_seconds": 0.1, "jitter": 0})


async def _until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the condition did not come true")


@pytest.mark.asyncio
async def test_feed_add_then_each_poll_announces_its_new_articles_once(
        double: DiscordDouble, eventbot: EventBot, event_service: EventService, site: FeedSite) -> None:
    links = [site.add(f"/news/{n}", article_page(n)) for n in range(3)]
    url = site.add("/feed.xml", rss20(items(links)), "application/rss+xml")
    news = double.channels["news"]
    held = event_service.stats().articles

    interaction = await double.send_slash_command("feed add", {"url": url, "channel": news}, user="moderator")
    reply = await double.wait_for_interaction_response(interaction, "followup", timeout=10)
    assert "Following" in reply.content and f"<#{news.id}>" in reply.content

    first = await double.wait_for_request(route=MESSAGES, ok=True, timeout=15,
                                          predicate=lambda r: r.params.get("channel_id") == str(news.id))
    assert "New from Test Ledger: latest" in first.content and "(3 articles)" in first.content
    for n, link in enumerate(links):
        assert story(n)[0][:30] in first.content and f"(<{link}>)" in first.content
    assert event_service.stats().articles == held + 3
    assert first.json["allowed_mentions"]["parse"] == []

    # Later polls find nothing new (304s): no second message.
    await _until(lambda: site.not_modified["/feed.xml"] >= 2)
    assert len(double.find(route=MESSAGES, ok=True)) == 1

    # One new entry: one more message, naming only it.
    mark = double.mark()
    site.add("/news/3", article_page(3))
    site.add("/feed.xml", rss20(items([site.url("/news/3")], start=3) + items(links)), "application/rss+xml")
    second = await double.wait_for_request(route=MESSAGES, ok=True, since=mark, timeout=15)
    assert "(1 article)" in second.content and story(3)[0][:30] in second.content
    assert story(0)[0][:30] not in second.content
    await _until(lambda: site.not_modified["/feed.xml"] >= 4)
    assert len(double.find(route=MESSAGES, ok=True)) == 2
    assert site.hits["/news/0"] == 1  # every page fetched once

    listed = await double.send_slash_command("feed list", user="moderator")
    shown = await double.wait_for_interaction_response(listed)
    assert "4 articles added" in shown.content and listed.ephemeral

    removed = await double.send_slash_command("feed remove", {"url_or_id": url}, user="moderator")
    assert "Stopped following" in (await double.wait_for_interaction_response(removed)).content
    assert event_service.feeds() == []


@pytest.mark.asyncio
async def test_members_cannot_follow_feeds_and_a_wrong_link_is_refused(
        double: DiscordDouble, eventbot: EventBot, event_service: EventService, site: FeedSite) -> None:
    url = site.add("/feed.xml", rss20(items([site.add("/news/0", article_page(0))])), "application/rss+xml")
    with pytest.raises(CommandNotAvailable):
        await double.send_slash_command("feed add", {"url": url}, user="member")
    refused = await double.send_slash_command("feed add", {"url": url}, user="member", ignore_default_permissions=True)
    assert "Only moderators" in (await double.wait_for_interaction_response(refused)).content
    wrong = await double.send_slash_command("feed add", {"url": site.url("/news/0")}, user="moderator")
    answer = await double.wait_for_interaction_response(wrong, "followup", timeout=10)
    assert "not an RSS or Atom feed" in answer.content
    assert event_service.feeds() == []
