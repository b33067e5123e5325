"""Moderators: /feed add, /feed list, /feed remove; and the background poller of `eventbot run`.

Every `feeds.check_seconds` the poller polls the feeds that are due in every corpus (with per-server
corpora, each server's on disk, opened or not), `feeds.workers` at a time in the bot's /add pool, and
announces each poll's new articles in its feed's channel: one message per poll per feed, title + link.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import checks, render
from bot.chat.client import EventBot
from bot.feed_present import feed_status
from bot.feeds import EntryResult, FeedPoll
from bot.service import EventService
from corpus.feeds import Feed
from corpus.models import AddedBy

log = logging.getLogger(__name__)

ANNOUNCED_TITLE_CHARS = 150  # a title in an announcement, at most


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Feeds(commands.GroupCog, group_name="feed",
            group_description="Follow news feeds: new articles are added and announced (moderators)."):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot
        self.settings = bot.corpora.config.feeds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        super().__init__()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start polling once connected (on_ready comes again after a reconnect: started once)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll_forever(), name="eventbot-feeds")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # -- commands -------------------------------------------------------------------------------------

    @app_commands.command(name="add")
    @app_commands.describe(url="The feed's link (RSS or Atom).",
                           channel="Where its new articles are announced (default: this channel).")
    @checks.cooldown("add")
    @checks.moderator_only()
    async def add(self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000],
                  channel: discord.TextChannel | None = None) -> None:
        """Follow a news feed: its new articles are added and announced in a channel (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        channel_id = channel.id if channel is not None else interaction.channel_id
        await interaction.response.defer(thinking=True)
        feed = await self.bot.adding(service.follow_feed, url.strip(), channel_id,
                                     AddedBy(interaction.user.id, interaction.guild_id))
        log.info("/feed add %s by %s (%s): feed %s", feed.url, interaction.user, interaction.user.id, feed.id)
        every = _every(self.settings.poll_interval_seconds)
        where = f"<#{channel_id}>" if channel_id else "nowhere"
        await interaction.followup.send(
            render.fit(f"Following {render.linked_title(feed.title, feed.url)} (feed {feed.id}): its new articles "
                       f"are added and announced in {where}; checked {every}."),
            allowed_mentions=render.NO_MENTIONS)
        self._wake.set()  # its first poll now, not at the next check

    @app_commands.command(name="list")
    @checks.moderator_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """The feeds this server follows: last poll, last new entry, last error, articles added (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        feeds = await asyncio.to_thread(service.feeds, interaction.guild_id)
        await interaction.response.send_message(feed_list(feeds, time.time()), ephemeral=True,
                                                allowed_mentions=render.NO_MENTIONS)

    @app_commands.command(name="remove")
    @app_commands.describe(url_or_id="The feed's link, or its number from /feed list.")
    @checks.moderator_only()
    async def remove(self, interaction: discord.Interaction, url_or_id: app_commands.Range[str, 1, 2000]) -> None:
        """Stop following a feed; the articles it added stay (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        feed = await asyncio.to_thread(service.unfollow_feed, url_or_id, interaction.guild_id)
        log.info("/feed remove of feed %s by %s (%s)", feed.id, interaction.user, interaction.user.id)
        await interaction.response.send_message(
            render.fit(f"Stopped following {render.linked_title(feed.title, feed.url)} (feed {feed.id}); "
                       "the articles it added stay."), allowed_mentions=render.NO_MENTIONS)

    # -- polling --------------------------------------------------------------------------------------

    async def _poll_forever(self) -> None:
        while not self.bot.closing:
            try:
                await self.poll_due()
            except Exception:  # one bad round must not end the polling
                log.exception("polling the feeds failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.check_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    def _services(self) -> list[EventService]:
        corpora = self.bot.corpora
        for guild_id in corpora.stored_guilds():  # a server's feeds poll though no one has spoken there yet
            corpora.for_guild(guild_id)
        return corpora.services()

    async def poll_due(self) -> list[FeedPoll]:
        """Poll every feed due now, in every corpus, and announce what each poll added."""
        services = await asyncio.to_thread(self._services)
        limit = asyncio.Semaphore(self.settings.workers)

        async def one(service: EventService, feed: Feed) -> FeedPoll | None:
            async with limit:
                if self.bot.closing:
                    return None
                poll = await self.bot.adding(service.poll_feed, feed)
            if poll.error:
                log.info("feed %s (%s): %s", feed.id, feed.url, poll.error)
            await self.announce(poll)
            return poll

        jobs = []
        for service in services:
            jobs += [one(service, feed) for feed in await asyncio.to_thread(service.due_feeds)]
        return [p for p in await asyncio.gather(*jobs) if p is not None]

    async def announce(self, poll: FeedPoll) -> None:
        """One message in the feed's channel listing the articles this poll added (nothing when none)."""
        added = poll.added
        channel_id = poll.feed.channel_id
        if not added or not channel_id or self.bot.closing:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            text = announcement(poll.feed, added, self.settings.announce_max_items)
            await channel.send(text, allowed_mentions=render.NO_MENTIONS)  # type: ignore[union-attr]
        except (discord.HTTPException, AttributeError) as e:
            log.warning("cannot announce feed %s's new articles in channel %s: %s", poll.feed.id, channel_id, e)


def announcement(feed: Feed, added: Sequence[EntryResult], max_items: int) -> str:
    """`**New from Title** (N articles)` then one `• [Title](<link>)` line per article: at most `max_items`,
    and as many as fit whole in one message; `… and N more` for the rest."""
    header = f"**New from {render.unlinked(feed.title, 100)}** ({len(added)} article{'s' * (len(added) != 1)})"
    room = render.CONTENT_LIMIT - render.dlen(f"\n\u2026 and {len(added)} more")
    lines, used = [header], render.dlen(header)
    for entry in list(added)[:max_items]:
        line = f"\u2022 {render.linked_title(entry.title, entry.url, ANNOUNCED_TITLE_CHARS)}"
        if used + 1 + render.dlen(line) > room:
            break
        lines.append(line)
        used += 1 + render.dlen(line)
    if len(lines) - 1 < len(added):
        lines.append(f"\u2026 and {len(added) - len(lines) + 1} more")
    return "\n".join(lines)


def feed_list(feeds: Sequence[Feed], now: float) -> str:
    if not feeds:
        return "This server follows no feeds yet: add one with `/feed add`."
    lines = [f"**{len(feeds)} feed{'s' * (len(feeds) != 1)} followed**"]
    for f in feeds:
        where = f" \u2192 <#{f.channel_id}>" if f.channel_id else ""
        lines.append(f"`{f.id}` {render.linked_title(f.title, f.url, 100)}{where}")
        lines.append(f"\u2003{render.shorten(feed_status(f, now), 400)}")
    return render.fit("\n".join(lines))


def _every(seconds: float) -> str:
    if seconds % 3600 == 0:
        return f"every {seconds / 3600:g} h"
    return f"every {seconds / 60:g} min" if seconds >= 60 else f"every {seconds:g} s"


async def setup(bot: EventBot) -> None:
    await bot.add_cog(Feeds(bot))
