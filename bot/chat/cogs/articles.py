"""Moderators: /add (a link or an attached file), /remove, /sources."""

from __future__ import annotations

import asyncio
import logging
import math

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import checks, complete, errors, render, render_preview
from bot.chat.client import EventBot
from bot.chat.views import ExpiringView
from bot.results import AddResult
from bot.service import EventService
from corpus.models import AddedBy

log = logging.getLogger(__name__)


class Articles(commands.Cog):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(url="A link to a news article (http or https).",
                           file="Or an article file: .html, .htm, .txt or .md.",
                           preview="Only show (to you) what would be stored, and store nothing.")
    @checks.cooldown("add")
    @checks.moderator_only()
    async def add(self, interaction: discord.Interaction, url: str | None = None,
                  file: discord.Attachment | None = None, preview: bool = False) -> None:
        """Add a news article from a link or an attached file (moderators)."""
        if (url is None) == (file is None):
            await interaction.response.send_message("Give a link (`url`) or attach a file (`file`), one of the two.",
                                                    ephemeral=True)
            return
        service = self.bot.service_for(interaction.guild_id)
        limit = service.config.fetch.max_bytes
        if file is not None and file.size > limit:
            await interaction.response.send_message(
                f"That file is larger than {limit / 1e6:g} MB; I take article pages and text files only.",
                ephemeral=True)
            return
        if preview:
            await interaction.response.defer(thinking=True, ephemeral=True)
            await self._preview(interaction, service, url, file)
            return
        await interaction.response.defer(thinking=True)
        if url is not None:
            # add_url, never add: a path typed in Discord must not read the host's disk.
            result = await self.bot.adding(service.add_url, url.strip(), self._added_by(interaction))
        else:
            content = await self._download(interaction, file)
            if content is None:
                return
            result = await self.bot.adding(service.add_document, content, file.filename, None,
                                           self._added_by(interaction))
        self._log(interaction, result)
        await interaction.followup.send(render.add_result(result), allowed_mentions=render.NO_MENTIONS)

    async def _preview(self, interaction: discord.Interaction, service: EventService, url: str | None,
                       file: discord.Attachment | None) -> None:
        """What /add would store, shown only to the moderator who asked; nothing is stored."""
        if url is not None:
            shown = await self.bot.adding(service.preview_url, url.strip())  # never reads the host's disk
        else:
            content = await self._download(interaction, file)
            if content is None:
                return
            shown = await self.bot.adding(service.preview_document, content, file.filename, None)
        log.info("/add preview of %s by %s (%s): %s", shown.target, interaction.user, interaction.user.id,
                 shown.error or f"{len(shown.passages)} passages")
        await interaction.followup.send(ephemeral=True, **render_preview.preview_reply(shown).kwargs())

    @staticmethod
    async def _download(interaction: discord.Interaction, file: discord.Attachment) -> bytes | None:
        """The attached file's bytes; None, the member told, when Discord will not hand them over."""
        try:
            return await file.read()
        except discord.HTTPException as e:
            log.warning("cannot download %s for %s: %s", file.filename, interaction.user, e)
            await errors.reply(interaction, "I could not download that file from Discord; try again.")
            return None

    @staticmethod
    def _added_by(interaction: discord.Interaction) -> AddedBy:
        return AddedBy(interaction.user.id, interaction.guild_id)

    @staticmethod
    def _log(interaction: discord.Interaction, result: AddResult) -> None:
        user = interaction.user
        level = logging.WARNING if result.status == "failed" else logging.INFO
        log.log(level, "/add %s by %s (%s): %s: %s", result.target, user, user.id, result.status, result.message)

    @app_commands.command()
    @app_commands.describe(url_or_id="The article's link, or its number from /sources.")
    @checks.moderator_only()
    async def remove(self, interaction: discord.Interaction, url_or_id: app_commands.Range[str, 1, 2000]) -> None:
        """Remove an article; its passages are no longer used in answers (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True)
        if self.bot.corpora.mode == "shared":  # every server's articles in one corpus: is this one theirs?
            found = await asyncio.to_thread(service.find, url_or_id)
            checks.may_remove(interaction, await asyncio.to_thread(service.added_by, found.id), self.bot.settings)
            url_or_id = str(found.id)
        article = await asyncio.to_thread(service.remove, url_or_id)
        log.info("/remove of article %s by %s (%s)", article.id, interaction.user, interaction.user.id)
        await interaction.followup.send(render.removed(article), allowed_mentions=render.NO_MENTIONS)

    @remove.autocomplete("url_or_id")
    async def remove_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await complete.titles(complete.service_or_none(self.bot, interaction.guild_id), current)

    @app_commands.command()
    @app_commands.describe(page="The page to show first (1: the newest articles).")
    @checks.moderator_only()
    async def sources(self, interaction: discord.Interaction, page: app_commands.Range[int, 1] = 1) -> None:
        """List the articles held, page by page (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True, ephemeral=True)
        view = SourcesView(service, self.bot.settings.page_size)
        content = await view.show(page - 1)
        if view.pages > 1:
            view.message = await interaction.followup.send(content, view=view, ephemeral=True, wait=True,
                                                           allowed_mentions=render.NO_MENTIONS)
        else:
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=render.NO_MENTIONS)


class SourcesView(ExpiringView):
    """Previous and next buttons over the held articles."""

    def __init__(self, service: EventService, page_size: int, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.service = service
        self.page_size = page_size
        self.page = 0
        self.pages = 1

    async def show(self, page: int) -> str:
        """The content of `page` (clamped to the pages there are); the buttons updated to match."""
        total = (await asyncio.to_thread(self.service.stats)).articles
        self.pages = max(1, math.ceil(total / self.page_size))
        self.page = min(max(page, 0), self.pages - 1)
        articles = await asyncio.to_thread(self.service.articles, self.page_size, self.page * self.page_size)
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1
        return render.sources_page(articles, self.page, self.pages, total)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        content = await self.show(self.page - 1)
        await interaction.response.edit_message(content=content, view=self, allowed_mentions=render.NO_MENTIONS)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        content = await self.show(self.page + 1)
        await interaction.response.edit_message(content=content, view=self, allowed_mentions=render.NO_MENTIONS)


async def setup(bot: EventBot) -> None:
    await bot.add_cog(Articles(bot))
