"""/ask and mentions, through the real service on the hash embedder."""

from __future__ import annotations

import asyncio
import logging
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.chat import render
from bot.chat.client import EventBot
from bot.chat.cogs.ask import Ask
from bot.config import DiscordConfig
from bot.service import EventService
from tests.articles import DAM
from tests.bot.chat.conftest import invoke, make_interaction, only_message, sent

pytestmark = pytest.mark.asyncio

QUESTION = "how many residents were evacuated from the riverside quarter?"


async def test_ask_defers_then_answers_with_attributed_linked_passages(bot: EventBot, loaded: EventService) -> None:
    cog = Ask(bot)
    interaction = make_interaction(bot)
    await cog.ask.callback(cog, interaction, question=QUESTION, k=2)
    interaction.response.defer.assert_awaited_once_with(thinking=True)
    message = only_message(interaction)
    assert message["allowed_mentions"] is render.NO_MENTIONS
    assert message["content"].startswith("**Q:** how many residents")
    embeds = message["embeds"]
    assert 1 <= len(embeds) <= 2
    top = embeds[0].description
    assert top.startswith('**"We have evacuated 1,200 residents from the riverside quarter,"')  # the best sentence
    assert "\u2014 " in top and "Harbour Watch" in top and "Tomas Reyes" in top and "2026-03-04" in top
    assert f"[{DAM['title']}](<{DAM['url'].rstrip('/')}#:~:text=%22We%20have%20evacuated%201%2C200" in top


async def test_unrelated_question_says_nothing_found_with_a_hint(bot: EventBot, loaded: EventService) -> None:
    cog = Ask(bot)
    interaction = make_interaction(bot)
    await cog.ask.callback(cog, interaction, question="best recipe for banana bread with walnuts")
    message = only_message(interaction)
    assert "embeds" not in message
    assert message["content"].startswith("I found nothing about that in the 3 articles I hold.")
    assert "Harbour Watch (1)" in message["content"]


async def test_empty_corpus_points_to_add(bot: EventBot) -> None:
    cog = Ask(bot)
    interaction = make_interaction(bot)
    await cog.ask.callback(cog, interaction, question="what happened at the dam?")
    assert "/add" in only_message(interaction)["content"]


async def test_bad_filter_becomes_a_short_message(bot: EventBot, loaded: EventService) -> None:
    cog = Ask(bot)
    interaction = make_interaction(bot)
    await invoke(cog.ask, cog, interaction, question="dam", since="last week")
    message = only_message(interaction)
    assert message["content"] == "Since must be a date like 2026-03-04, not 'last week'"
    assert message["ephemeral"] is True


async def test_second_ask_within_the_cooldown_is_refused_kindly(service: EventService, loaded: EventService) -> None:
    bot = EventBot(service, DiscordConfig(ask_cooldown_seconds=30))
    cog = Ask(bot)
    first, second, other = make_interaction(bot), make_interaction(bot), make_interaction(bot, user_id=2)
    await invoke(cog.ask, cog, first, question=QUESTION)
    await invoke(cog.ask, cog, second, question=QUESTION)
    await invoke(cog.ask, cog, other, question=QUESTION)
    assert "embeds" in only_message(first) and "embeds" in only_message(other)
    refusal = only_message(second)
    assert refusal["ephemeral"] is True
    assert refusal["content"].startswith("Slow down a little: you can do that again in")
    second.response.defer.assert_not_awaited()


async def test_answer_in_a_thread_when_configured(service: EventService, loaded: EventService) -> None:
    bot = EventBot(service, DiscordConfig(answer_in_thread=True, ask_cooldown_seconds=0))
    cog = Ask(bot)
    interaction = make_interaction(bot)
    channel = interaction.channel = MagicMock(spec=discord.TextChannel)
    header = MagicMock(spec=discord.WebhookMessage)
    thread = MagicMock(spec=discord.Thread)
    channel.create_thread = AsyncMock(return_value=thread)
    interaction.followup.send.return_value = header
    await cog.ask.callback(cog, interaction, question=QUESTION)
    assert "answer in the thread" in sent(interaction.followup.send)[0]["content"]
    channel.create_thread.assert_awaited_once_with(name=QUESTION, message=header)
    assert "embeds" in thread.send.await_args.kwargs


async def test_answer_in_the_channel_when_no_thread_can_be_made(service: EventService, loaded: EventService) -> None:
    bot = EventBot(service, DiscordConfig(answer_in_thread=True, ask_cooldown_seconds=0))
    cog = Ask(bot)
    interaction = make_interaction(bot)
    channel = interaction.channel = MagicMock(spec=discord.TextChannel)
    channel.create_thread = AsyncMock(side_effect=discord.Forbidden(MagicMock(status=403), "Missing Permissions"))
    await cog.ask.callback(cog, interaction, question=QUESTION)
    header, answer = sent(interaction.followup.send)
    assert "answer in the thread" in header["content"] and "embeds" in answer


def mention(bot: EventBot, content: str, author_id: int = 5) -> MagicMock:
    message = MagicMock(spec=discord.Message)
    message.content = content
    message.author = MagicMock(spec=discord.Member)
    message.author.id = author_id
    message.author.bot = False
    message.webhook_id = None
    message.channel = MagicMock(spec=discord.TextChannel)
    message.reply = AsyncMock()
    return message


@pytest.fixture
def me(bot: EventBot, monkeypatch: pytest.MonkeyPatch) -> MagicMock:
    user = MagicMock(spec=discord.ClientUser)
    user.id = 4242
    user.mention = "<@4242>"
    monkeypatch.setattr(EventBot, "user", property(lambda self: user))
    return user


async def test_a_mention_with_a_question_gets_one_reply(bot: EventBot, loaded: EventService, me: MagicMock) -> None:
    cog = Ask(bot)
    message = mention(bot, f"<@{me.id}> {QUESTION}")
    await cog.on_message(message)
    message.reply.assert_awaited_once()
    kwargs = message.reply.await_args.kwargs
    assert kwargs["allowed_mentions"] is render.NO_MENTIONS and "1,200 residents" in kwargs["embeds"][0].description


async def test_messages_without_a_mention_or_from_bots_are_ignored(bot: EventBot, loaded: EventService,
                                                                   me: MagicMock) -> None:
    cog = Ask(bot)
    plain = mention(bot, QUESTION)
    from_bot = mention(bot, f"<@{me.id}> {QUESTION}")
    from_bot.author.bot = True
    await cog.on_message(plain)
    await cog.on_message(from_bot)
    plain.reply.assert_not_awaited()
    from_bot.reply.assert_not_awaited()


async def test_a_bare_mention_gets_a_usage_hint(bot: EventBot, loaded: EventService, me: MagicMock) -> None:
    cog = Ask(bot)
    message = mention(bot, f"<@{me.id}>")
    await cog.on_message(message)
    assert "Ask me a question" in message.reply.await_args.args[0]


async def test_a_failing_mention_answer_is_logged_and_the_member_told(
        bot: EventBot, loaded: EventService, me: MagicMock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(loaded, "ask", broken)
    cog = Ask(bot)
    message = mention(bot, f"<@{me.id}> {QUESTION}")
    with caplog.at_level(logging.ERROR):
        await cog.on_message(message)
    assert message.reply.await_args.args[0] == render.SOMETHING_WRONG
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text


async def test_answers_keep_coming_while_the_event_loop_is_free(bot: EventBot, loaded: EventService) -> None:
    """Ten questions at once: all are answered, each from a worker thread."""
    cog = Ask(bot)
    interactions = [make_interaction(bot, user_id=i) for i in range(10)]
    await asyncio.gather(*(cog.ask.callback(cog, i, question=QUESTION) for i in interactions))
    assert all("embeds" in only_message(i) for i in interactions)


async def test_speaker_option_keeps_only_that_speakers_passages(bot: EventBot, loaded: EventService) -> None:
    cog = Ask(bot)
    interaction = make_interaction(bot)
    await cog.ask.callback(cog, interaction, question="artillery fire near the Kastro bridge", k=5, speaker="Halvik")
    embeds = only_message(interaction)["embeds"]
    assert embeds and all("Oren Halvik" in e.description for e in embeds)
