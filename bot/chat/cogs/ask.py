"""Everyone: /ask; a mention of the bot with a question; follow-ups (a reply to an answer, a message in the
thread opened for one); direct messages; and the message menu's "Ask eventbot about this"."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import logs
from bot.asklog import Logged, Origin
from bot.chat import checks, complete, errors, feedback, permissions, render, rules, views
from bot.chat.client import EventBot
from bot.conversation import FollowUp, Turn, check_filters, follow_up
from bot.results import Answer
from bot.service import EventService

log = logging.getLogger(__name__)

ASK_ABOUT = "Ask eventbot about this"
COOLDOWN_REACTION = "\u23f3"  # a mention during the cooldown gets this, not a message


class Ask(commands.Cog):
    def __init__(self, bot: EventBot) -> None:
        self.bot = bot
        self.ask_about_menu = app_commands.ContextMenu(name=ASK_ABOUT, callback=self.ask_about)
        bot.tree.add_command(self.ask_about_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.ask_about_menu.name, type=self.ask_about_menu.type)

    # -- /ask -------------------------------------------------------------------------------------

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
        # Before deferring: after a public deferral no message can be private (a bad date would show to all).
        check_filters(question, source=source, since=since, until=until, speaker=speaker)
        await interaction.response.defer(thinking=True)
        origin = Origin("slash", interaction.guild_id, interaction.channel_id, interaction.user.id)
        logged = await asyncio.to_thread(service.ask_logged, origin, question, k, source=source, since=since,
                                         until=until, speaker=speaker)
        answer = logged.answer
        reply = await self.reply_for(service, answer)
        view = self._view(reply, logged)
        channel = interaction.channel
        if answer.answered and rules.in_thread(self.bot, interaction.guild_id, channel) \
                and isinstance(channel, discord.TextChannel):
            lacking = permissions.missing(interaction.app_permissions, permissions.TO_OPEN_THREAD)
            if lacking:
                reply = render.with_note(reply, render.missing_permissions(lacking, "answer in a thread"))
            else:
                header = await interaction.followup.send(self._thread_header(answer), wait=True,
                                                         allowed_mentions=render.NO_MENTIONS)
                turn = Turn.of(answer)
                if await self._send_in_thread(channel, header, answer.question, reply, view, turn):
                    self.bot.conversations.remember(turn, header.id)  # a reply to the header follows up too
                    return
        sent = await interaction.followup.send(**views.send_kwargs(reply, view), wait=True)
        self.bot.conversations.remember(Turn.of(answer), sent.id)

    @ask.autocomplete("source")
    async def source_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await complete.outlets(complete.service_or_none(self.bot, interaction.guild_id), current)

    @ask.autocomplete("speaker")
    async def speaker_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await complete.speakers(complete.service_or_none(self.bot, interaction.guild_id), current)

    # -- the message menu: "Ask eventbot about this" ------------------------------------------------

    @checks.cooldown("ask")
    async def ask_about(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Passages about a message's text, shown only to who asked (e.g. to check a claim against sources).
        The text comes with the interaction, so no Message Content intent is needed."""
        text = render.clean(message.content)
        if not any(c.isalnum() for c in text):
            await interaction.response.send_message("That message has no text I can look up.", ephemeral=True)
            return
        service = self.bot.service_for(interaction.guild_id)
        await interaction.response.defer(thinking=True, ephemeral=True)
        origin = Origin("menu", interaction.guild_id, interaction.channel_id, interaction.user.id)
        logged = await asyncio.to_thread(service.ask_logged, origin, text)
        reply = await self.reply_for(service, logged.answer)
        await interaction.followup.send(**views.send_kwargs(reply, self._view(reply, logged)), ephemeral=True)

    # -- mentions, follow-ups and direct messages ---------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None or self.bot.closing:
            return
        mentioned = render.mentioned_question(message.content, me.id)
        previous = self._previous_turn(message)
        in_dm = message.guild is None
        if mentioned is None and previous is None and not in_dm:
            return
        guild_id = message.guild.id if message.guild else None
        if not rules.answers_in(self.bot, guild_id, message.channel) or rules.is_auto_answered_post(self.bot, message):
            return  # not a channel the server's admins chose, or a forum post answered by the Community cog
        question = mentioned if mentioned is not None else render.clean(message.content)
        if not question:
            if mentioned is not None or in_dm and not message.attachments:
                await self._say(message, f"Ask me a question after the mention, e.g. {me.mention} what happened "
                                         "at the dam?" if not in_dm else "Ask me a question about the news, e.g. "
                                                                         "what happened at the dam?")
            # A follow-up whose text Discord withheld (no Message Content intent): nothing to answer.
            return
        lacking = permissions.missing(permissions.in_channel(message.channel, message.guild),
                                      permissions.to_post(message.channel))
        if lacking:
            log.warning("cannot answer %s in channel %s: missing %s", message.author, message.channel.id, lacking)
            return
        if self.bot.cooldowns["ask"].hit(message.author.id) is not None:
            await self._react(message, COOLDOWN_REACTION)
            return
        self.bot.track_current_task()
        logs.begin("mention", "mention", str(message.id))  # this listener's task ends with the answer
        await self._answer_message(message, question, previous)

    def _previous_turn(self, message: discord.Message) -> Turn | None:
        """The answer this message follows up: the one it replies to, or the one whose thread it is in."""
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            turn = self.bot.conversations.get(reference.message_id)
            if turn is not None:
                return turn
        if isinstance(message.channel, discord.Thread):
            return self.bot.conversations.get(message.channel.id)
        return None

    async def _answer_message(self, message: discord.Message, question: str, previous: Turn | None) -> None:
        asked: FollowUp | None = None
        guild_id = message.guild.id if message.guild else None
        try:
            service = self.bot.service_for(guild_id)
            origin = Origin("mention" if message.guild else "dm", guild_id, message.channel.id, message.author.id)
            asked = follow_up(previous, question) if previous is not None else None
            text, filters = (asked.text, asked.filters) if asked else (question, {})
            logged = await asyncio.to_thread(service.ask_logged, origin, text, **filters)
            answer = logged.answer
            reply = await self.reply_for(service, answer, echo_question=False)
        except Exception as e:  # every failure is told to the member (and the unexpected logged)
            text = errors.describe(e)
            if text is None:
                log.exception("answering a message by %s (%s) failed", message.author, message.author.id)
                text = render.SOMETHING_WRONG
            await self._say(message, text)
            return
        if asked is not None and previous is not None:
            reply = render.with_note(reply, render.follow_up_note(previous.question, asked.filters, asked.carried))
        turn = Turn.of(answer, asked.subject if asked else None)
        here = permissions.in_channel(message.channel, message.guild)
        lacking = permissions.missing(here, permissions.TO_ANSWER) if reply.embeds else []
        if lacking:
            await self._say(message, render.missing_permissions(lacking, "show answers here"))
            return
        view = self._view(reply, logged)
        channel = message.channel
        if answer.answered and rules.in_thread(self.bot, guild_id, channel) and isinstance(channel, discord.TextChannel):
            lacking = permissions.missing(here, permissions.TO_OPEN_THREAD)
            if lacking:
                reply = render.with_note(reply, render.missing_permissions(lacking, "answer in a thread"))
            elif await self._send_in_thread(channel, message, answer.question, reply, view, turn):
                return
        sent = await message.reply(**views.send_kwargs(reply, view))
        # In an answer's thread, the thread now follows this answer.
        thread = channel.id if isinstance(channel, discord.Thread) and previous is not None else None
        self.bot.conversations.remember(turn, sent.id, thread)

    @staticmethod
    async def _say(message: discord.Message, text: str) -> None:
        try:
            await message.reply(text, allowed_mentions=render.NO_MENTIONS)
        except discord.HTTPException as e:
            log.warning("cannot reply to %s in channel %s: %s", message.author, message.channel.id, e)

    @staticmethod
    async def _react(message: discord.Message, emoji: str) -> None:
        try:
            await message.add_reaction(emoji)
        except discord.HTTPException as e:  # no Add Reactions permission: say nothing rather than spam
            log.info("cannot react to %s's message: %s", message.author, e)

    # -- shared -------------------------------------------------------------------------------------

    @staticmethod
    async def reply_for(service: EventService, answer: Answer, *, echo_question: bool = True) -> render.Reply:
        """The answer rendered; when nothing relevant is held, with a hint of what is."""
        if answer.answered or answer.articles_held == 0:
            return render.answer_reply(answer, echo_question=echo_question)
        stats = await asyncio.to_thread(service.stats)
        if stats.sources:
            return render.answer_reply(answer, outlets=stats.sources)
        articles = await asyncio.to_thread(service.articles, 3)
        return render.answer_reply(answer, titles=[a.title for a in articles])

    @staticmethod
    def _view(reply: render.Reply, logged: Logged) -> discord.ui.View | None:
        """The answer's buttons: "More from this article" under each passage, then Helpful / Not helpful."""
        return feedback.answer_view(reply, logged)

    @staticmethod
    def _thread_header(answer: Answer) -> str:
        return render.fit(f"**Q:** {render.shorten(answer.question, 300)} (answer in the thread)")

    async def _send_in_thread(self, channel: discord.TextChannel, message: discord.abc.Snowflake, question: str,
                              reply: render.Reply, view: discord.ui.View | None, turn: Turn) -> bool:
        """Answer in a new thread started from `message`; False if the thread could not be made. The
        thread and the answer in it are remembered for follow-ups."""
        try:
            # Through the channel: a followup's message object carries no guild, so it cannot start one itself.
            thread = await channel.create_thread(name=render.thread_name(question), message=message)
        except discord.HTTPException as e:
            log.warning("cannot open a thread for an answer (%s); answering in the channel", e)
            return False
        kwargs = views.send_kwargs(reply, view)
        if reply.embeds and reply.content and reply.content.startswith("**Q:**"):
            kwargs.pop("content", None)  # the thread's name is the question already
        sent = await thread.send(**kwargs)
        self.bot.conversations.remember(turn, sent.id, thread.id)
        return True


async def setup(bot: EventBot) -> None:
    views.setup_items(bot)
    await bot.add_cog(Ask(bot))
