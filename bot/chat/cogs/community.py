"""The community's feedback loop and the server's own settings: /gaps (moderators), /settings (admins), the
Helpful / Not helpful buttons (registered here, so clicks on old answers work after a restart), and answers
to new posts in the forums an admin chose."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.asklog import Origin
from bot.chat import checks, community_text, errors, feedback, render, rules, views
from bot.chat.client import EventBot
from bot.chat.cogs.ask import Ask

log = logging.getLogger(__name__)


class Community(commands.Cog):
    settings = app_commands.Group(name="settings", description="Where and how I answer in this server (admins).",
                                  guild_only=True, default_permissions=discord.Permissions(administrator=True))

    def __init__(self, bot: EventBot) -> None:
        self.bot = bot

    # -- /gaps -----------------------------------------------------------------------------------

    @app_commands.command()
    @app_commands.describe(days="Look back this many days (default: a week).")
    @checks.moderator_only()
    async def gaps(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] | None = None) -> None:
        """Questions I could not answer here and answers marked not helpful, most asked first (moderators)."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True, ephemeral=True)
        days = days or service.config.question_log.gaps_days
        found = await asyncio.to_thread(service.gaps, days, interaction.guild_id)
        await interaction.followup.send(community_text.gaps_message(found, days), ephemeral=True,
                                        allowed_mentions=render.NO_MENTIONS)

    # -- /settings -------------------------------------------------------------------------------

    async def _show(self, interaction: discord.Interaction, done: str | None = None) -> None:
        assert interaction.guild_id is not None
        settings = self.bot.server_settings.get(interaction.guild_id)
        text = community_text.settings_message(settings, self.bot.settings.answer_in_thread)
        await interaction.response.send_message(render.fit(f"{done}\n{text}" if done else text), ephemeral=True,
                                                allowed_mentions=render.NO_MENTIONS)

    @settings.command(name="show")
    @checks.admin_only()
    async def show(self, interaction: discord.Interaction) -> None:
        """Where I answer, in a thread or inline, and which forums' posts I answer."""
        await self._show(interaction)

    @settings.command(name="answer-in")
    @app_commands.describe(channel="A text or forum channel.",
                           answer="Yes: add it to the channels I answer in. No: take it off the list.")
    @checks.admin_only()
    async def answer_in(self, interaction: discord.Interaction, channel: discord.TextChannel | discord.ForumChannel,
                        answer: bool) -> None:
        """List a channel I answer in; with none listed I answer everywhere."""
        assert interaction.guild_id is not None
        self.bot.server_settings.update(interaction.guild_id, channel.id, answer=answer)
        log.info("/settings answer-in %s %s by %s in server %s", channel.id, answer, interaction.user.id,
                 interaction.guild_id)
        await self._show(interaction, f"{'Added' if answer else 'Removed'} {channel.mention}.")

    @settings.command(name="thread-mode")
    @app_commands.describe(channel="A text channel.", mode="thread: each answer in a new thread; inline: in the "
                           "channel; default: as the bot's configuration says.")
    @checks.admin_only()
    async def thread_mode(self, interaction: discord.Interaction, channel: discord.TextChannel,
                          mode: Literal["thread", "inline", "default"]) -> None:
        """Answer in a thread or inline in a channel."""
        assert interaction.guild_id is not None
        thread = {"thread": True, "inline": False, "default": None}[mode]
        self.bot.server_settings.update(interaction.guild_id, channel.id, thread=thread)
        await self._show(interaction, f"Answers in {channel.mention}: {mode}.")

    @settings.command(name="forum-auto-answer")
    @app_commands.describe(forum="A forum channel.", enabled="Yes: answer each new post in its thread.")
    @checks.admin_only()
    async def forum_auto_answer(self, interaction: discord.Interaction, forum: discord.ForumChannel,
                                enabled: bool) -> None:
        """Answer each new post in a forum channel (from its title), in the post's thread."""
        assert interaction.guild_id is not None
        self.bot.server_settings.update(interaction.guild_id, forum.id, auto_answer=enabled)
        await self._show(interaction, f"New posts in {forum.mention}: {'answered' if enabled else 'not answered'}.")

    @settings.command(name="reset")
    @checks.admin_only()
    async def reset(self, interaction: discord.Interaction) -> None:
        """Forget this server's settings: answer everywhere, threads as configured, no forum auto-answers."""
        assert interaction.guild_id is not None
        self.bot.server_settings.reset(interaction.guild_id)
        await self._show(interaction, "Settings reset.")

    # -- forum posts -----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        """A new post in a forum whose posts are answered: its title is the question, answered in its thread."""
        me = self.bot.user
        if me is None or self.bot.closing or thread.owner_id == me.id or not isinstance(thread.parent, discord.ForumChannel):
            return
        settings = rules.settings_for(self.bot, thread.guild.id)
        if settings is None or not settings.auto_answers(thread.parent_id):
            return
        self.bot.track_current_task()
        question = render.clean(thread.name)
        try:
            service = self.bot.service_for(thread.guild.id)
            logged = await asyncio.to_thread(service.ask_logged, Origin("forum", thread.guild.id, thread.id,
                                                                        thread.owner_id), question)
            reply = await Ask.reply_for(service, logged.answer)
            await thread.send(**views.send_kwargs(reply, feedback.answer_view(reply, logged)))
        except discord.HTTPException as e:
            log.warning("cannot answer the forum post %s: %s", thread.id, e)
        except Exception as e:
            text = errors.describe(e)
            if text is None:
                log.exception("answering the forum post %s failed", thread.id)
                text = render.SOMETHING_WRONG
            await thread.send(text, allowed_mentions=render.NO_MENTIONS)


async def setup(bot: EventBot) -> None:
    bot.add_dynamic_items(feedback.FeedbackButton)  # clicks on any answer's buttons, whenever it was sent
    await bot.add_cog(Community(bot))
