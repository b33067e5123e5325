"""Everyone: /timeline (an event as a dated, multi-source timeline, with a picture) and /events."""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import checks, render, timeline_render
from bot.chat.client import EventBot
from bot.chat.cogs.ask import Ask
from bot.chat.views import ExpiringView
from retrieval.timeline import Timeline

log = logging.getLogger(__name__)

PICTURE = "timeline.png"


class Events(commands.Cog):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(
        query="The event, e.g. the Velmora dam breach, or the ceasefire talks.",
        since="Only articles published on or after this date (YYYY-MM-DD).",
        until="Only articles published on or before this date (YYYY-MM-DD).",
    )
    @checks.cooldown("ask")
    async def timeline(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 300],
                       since: str | None = None, until: str | None = None) -> None:
        """What happened, in order: each development in the articles' own words, dated and linked."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True)
        found = await asyncio.to_thread(service.timeline, query, since, until)
        if not found.answered:
            reply = await Ask.reply_for(service, found.answer)  # why, with a hint of what is held
            await interaction.followup.send(**reply.kwargs())
            return
        view = TimelineView(timeline_render.pages(found))
        picture = await asyncio.to_thread(_picture, found)
        kwargs: dict = {"content": timeline_render.content(found), "embed": view.pages[0],
                        "allowed_mentions": render.NO_MENTIONS}
        if picture is not None:
            kwargs["file"] = discord.File(io.BytesIO(picture), filename=PICTURE, description="The timeline as a picture")
        if len(view.pages) > 1:
            view.message = await interaction.followup.send(**kwargs, view=view, wait=True)
        else:
            await interaction.followup.send(**kwargs)

    @app_commands.command()
    async def events(self, interaction: discord.Interaction) -> None:
        """What's in the news: the events I hold, most recent activity first."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True)
        held = await asyncio.to_thread(service.events)
        embed = timeline_render.events_embed(held)
        if embed is None:
            await interaction.followup.send("I hold no articles yet: a moderator can add some with `/add`.",
                                            allowed_mentions=render.NO_MENTIONS)
            return
        await interaction.followup.send(embed=embed, allowed_mentions=render.NO_MENTIONS)


def _picture(found: Timeline) -> bytes | None:
    """The timeline's picture, or None (logged) when it cannot be drawn: the text is the answer all the same."""
    from bot.timeline_image import render_png  # matplotlib is slow to import; only pictures need it

    try:
        return render_png(found)
    except ValueError:  # nothing dated to draw
        return None
    except Exception:  # the timeline is sent without its picture; the failure is logged
        log.exception("drawing the timeline of %r failed", found.query)
        return None


class TimelineView(ExpiringView):
    """Previous and next buttons over a timeline's pages (each page whole developments)."""

    def __init__(self, pages: list[discord.Embed], timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages
        self.page = 0
        self._update()

    def _update(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), len(self.pages) - 1)
        self._update()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self,
                                                allowed_mentions=render.NO_MENTIONS)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, self.page + 1)


async def setup(bot: EventBot) -> None:
    await bot.add_cog(Events(bot))
