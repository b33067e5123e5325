"""Admins: /reindex (a rebuild beside the live index, with progress) and /stats."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import checks, community_text, render
from bot.chat.client import EventBot
from bot.errors import RebuildRunning

log = logging.getLogger(__name__)


class RebuildProgress:
    """The latest (done, total) reported by the rebuild thread; read by the event loop."""

    def __init__(self) -> None:
        self.latest: tuple[int, int] | None = None  # one tuple assignment: safe across threads

    def __call__(self, done: int, total: int) -> None:
        self.latest = (done, total)


class Admin(commands.Cog):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot

    @app_commands.command()
    @checks.admin_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Rebuild the index from the stored articles; questions are answered meanwhile (admins)."""
        service = self.bot.service_for(interaction.guild_id)
        if service.rebuilding:
            raise RebuildRunning("a rebuild is already running; try again when it is done")
        await interaction.response.defer(thinking=True)
        log.info("/reindex by %s (%s)", interaction.user, interaction.user.id)
        started = time.monotonic()
        progress = RebuildProgress()
        reporter = asyncio.create_task(self._report(interaction, progress, started))
        try:
            # In a thread: the event loop (and the gateway heartbeat) keeps running through the rebuild.
            stats = await asyncio.to_thread(service.reindex, progress)
        finally:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
        elapsed = time.monotonic() - started
        log.info("rebuilt the index: %d passages in %.1f s", stats.indexed, elapsed)
        done = render.reindex_done(stats, elapsed)
        try:
            await interaction.edit_original_response(content=done, allowed_mentions=render.NO_MENTIONS)
        except discord.HTTPException as e:
            # The interaction's token lasts 15 minutes; a longer rebuild reports in the channel instead.
            log.info("cannot edit the /reindex message (%s); posting the result in the channel", e)
            channel = interaction.channel
            if not isinstance(channel, discord.abc.Messageable):
                raise
            await channel.send(f"{interaction.user.mention} {done}",
                               allowed_mentions=discord.AllowedMentions(users=[interaction.user]))

    async def _report(self, interaction: discord.Interaction, progress: RebuildProgress, started: float) -> None:
        """Edit the command's message with the progress every `progress_interval` seconds."""
        while True:
            await asyncio.sleep(self.bot.settings.progress_interval)
            done, total = progress.latest or (None, None)
            try:
                await interaction.edit_original_response(
                    content=render.reindex_progress(done, total, time.monotonic() - started))
            except discord.HTTPException as e:
                log.warning("cannot show the rebuild's progress: %s", e)
                if e.status == 401:  # the interaction's token expired: no later edit can succeed
                    return

    @app_commands.command()
    @checks.admin_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Articles, passages, index size, model, outlets and the last day's questions (admins)."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True, ephemeral=True)
        stats = await asyncio.to_thread(service.stats)
        day = await asyncio.to_thread(service.activity, 24.0, interaction.guild_id)
        text = render.fit(f"{render.stats_message(stats, service.rebuilding)}\n{community_text.last_day(day)}")
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)


async def setup(bot: EventBot) -> None:
    await bot.add_cog(Admin(bot))
