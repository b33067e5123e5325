"""Everyone: /ask, and a mention of the bot with a question."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.asklog import Logged, Origin
from bot.chat import checks, errors, feedback, render, rules
from bot.chat.client import EventBot
from bot.results import Answer
from bot.service import EventService

log = logging.getLogger(__name__)


class Ask(commands.Cog):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot

    @app_commands.command()
    @app_commands.describe(
        question="What you want to know, e.g. what happened at the Velmora dam?",
        k="How many passages at most (1-10).",
        source="Only articles from this outlet or agency (part of its name).",
        since="Only articles published on or after this date (YYYY-MM-DD).",
        until="Only articles published on or before this date (YYYY-MM-DD).",
        speaker="Only passages quoting this person or office (part of the name or title).",
    )
    @checks.cooldown("ask")
    @rules.answered_channels_only()
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000],
                  k: app_commands.Range[int, 1, render.EMBEDS_PER_MESSAGE] | None = None,
                  source: str | None = None, since: str | None = None, until: str | None = None,
                  speaker: str | None = None) -> None:
        """Ask about news events: the answer quotes the articles I hold, with links."""
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True)
        origin = Origin("slash", interaction.guild_id, interaction.channel_id, interaction.user.id)
        logged = await asyncio.to_thread(service.ask_logged, origin, question, k, source=source, since=since,
                                         until=until, speaker=speaker)
        answer = logged.answer
        reply = await self.reply_for(service, answer)
        channel = interaction.channel
        in_thread = answer.answered and rules.in_thread(self.bot, interaction.guild_id, channel)
        if in_thread and isinstance(channel, discord.TextChannel):
            header = await interaction.followup.send(self._thread_header(answer), wait=True,
                                                     allowed_mentions=render.NO_MENTIONS)
            if await self._send_in_thread(channel, header, answer.question, reply, logged):
                return
        await interaction.followup.send(**feedback.with_buttons(reply.kwargs(), logged))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None or self.bot.closing:
            return
        question = render.mentioned_question(message.content, me.id)
        if question is None:
            return
        guild_id = message.guild.id if message.guild else None
        if not rules.answers_in(self.bot, guild_id, message.channel) or rules.is_auto_answered_post(self.bot, message):
            return  # not a channel the server's admins chose, or a forum post answered by the Community cog
        if not question:
            await message.reply(f"Ask me a question after the mention, e.g. {me.mention} what happened at the dam?",
                                allowed_mentions=render.NO_MENTIONS)
            return
        retry = self.bot.cooldowns["ask"].hit(message.author.id)
        if retry is not None:
            await message.reply(render.cooldown(retry), allowed_mentions=render.NO_MENTIONS)
            return
        self.bot.track_current_task()
        try:
            service = self.bot.service_for(message.guild.id if message.guild else None)
            origin = Origin("mention", guild_id, message.channel.id, message.author.id)
            logged = await asyncio.to_thread(service.ask_logged, origin, question)
            answer = logged.answer
            reply = await self.reply_for(service, answer)
        except Exception as e:
            text = errors.describe(e)
            if text is None:
                log.exception("answering a mention by %s (%s) failed", message.author, message.author.id)
                text = render.SOMETHING_WRONG
            await message.reply(text, allowed_mentions=render.NO_MENTIONS)
            return
        channel = message.channel
        in_thread = answer.answered and rules.in_thread(self.bot, guild_id, channel)
        if not (in_thread and isinstance(channel, discord.TextChannel) and await self._send_in_thread(channel, message, answer.question, reply, logged)):
            await message.reply(**feedback.with_buttons(reply.kwargs(), logged))

    @staticmethod
    async def reply_for(service: EventService, answer: Answer) -> render.Reply:
        """The answer rendered; when nothing relevant is held, with a hint of what is."""
        if answer.answered or answer.articles_held == 0:
            return render.answer_reply(answer)
        stats = await asyncio.to_thread(service.stats)
        if stats.sources:
            return render.answer_reply(answer, outlets=stats.sources)
        articles = await asyncio.to_thread(service.articles, 3)
        return render.answer_reply(answer, titles=[a.title for a in articles])

    @staticmethod
    def _thread_header(answer: Answer) -> str:
        return render.fit(f"**Q:** {render.shorten(answer.question, 300)} (answer in the thread)")

    async def _send_in_thread(self, channel: discord.TextChannel, message: discord.abc.Snowflake, question: str,
                              reply: render.Reply, logged: Logged | None = None) -> bool:
        """Answer in a new thread started from `message`; False if the thread could not be made."""
        try:
            # Through the channel: a followup's message object carries no guild, so it cannot start one itself.
            thread = await channel.create_thread(name=render.thread_name(question), message=message)
        except discord.HTTPException as e:
            log.warning("cannot open a thread for an answer (%s); answering in the channel", e)
            return False
        kwargs = reply.kwargs()
        if reply.embeds:
            kwargs.pop("content", None)  # the thread's name is the question already
        await thread.send(**(feedback.with_buttons(kwargs, logged) if logged else kwargs))
        return True


async def setup(bot: EventBot) -> None:
    await bot.add_cog(Ask(bot))
