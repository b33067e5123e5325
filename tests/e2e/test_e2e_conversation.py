"""Issue 16's scenarios: a conversation with the community, against the Discord double.

Private errors after a deferral, budgeted attributions, quiet cooldowns, follow-ups (replies, threads, DMs),
"More from this article", autocomplete, the "Ask eventbot about this" message menu and the bot's own
permissions. Every assertion is on what Discord would have received or now shows.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.chat.client import EventBot
from bot.chat.cooldown import UserCooldown
from bot.config import Config
from bot.corpora import Corpora
from bot.results import Answer, AnswerPassage
from bot.service import EventService
from retrieval.errors import EmptyQuestion
from tests.discord_double import DiscordDouble, running_client
from tests.discord_double import world as w
from tests.e2e.conftest import message_text

pytestmark = pytest.mark.asyncio

DAM_QUESTION = "What happened at the Velmora dam?"
MESSAGES = "POST /channels/{channel_id}/messages"
REACTION = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
ASK_ABOUT = "Ask eventbot about this"


@asynccontextmanager
async def started(double: DiscordDouble, corpora: Corpora, config: Config, **changes: Any) -> AsyncIterator[EventBot]:
    """The bot with some `discord` settings changed, logged in to the double (after the world was set up)."""
    bot = EventBot(corpora, config.discord.model_copy(update=changes), guild_ready_timeout=0.05)
    async with running_client(bot, double):
        yield bot
    assert double.unknown_requests == []


async def bot_reply(double: DiscordDouble, since: int, channel: w.Channel | None = None) -> Any:
    """The next message the bot posts in `channel` (any channel when None) after `since`."""
    path = f"/channels/{channel.id}/messages" if channel else None
    return await double.wait_for_request(route=MESSAGES, method="POST", ok=True, since=since, path_contains=path)


def public_texts(double: DiscordDouble) -> str:
    return "\n".join(m["content"] + " ".join(e.get("description", "") for e in m["embeds"])
                     for m in double.channel_messages("general", include_ephemeral=False))


# -- bugs --------------------------------------------------------------------------------------------


async def test_a_bad_date_is_refused_privately_before_deferring(double: DiscordDouble, eventbot: EventBot) -> None:
    interaction = await double.send_slash_command("ask", {"question": "dam", "since": "last week"})
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["type"] == 4 and callback.json["data"]["flags"] & 64  # no "thinking..." for all to see
    assert "Since must be a date" in callback.json["data"]["content"]
    assert "Since must be a date" not in public_texts(double)


async def test_an_error_after_a_public_defer_stays_private(double: DiscordDouble, eventbot: EventBot,
                                                           event_service: EventService,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Answer:
        raise EmptyQuestion("ask a question with some words in it")

    monkeypatch.setattr(event_service, "ask", failing)
    interaction = await double.send_slash_command("ask", {"question": "dam"})
    followup = await double.wait_for_interaction_response(interaction, "followup")
    assert double.interaction_responses(interaction)[0].json["type"] == 5  # deferred publicly
    shown = double.get_message(followup.response["id"])
    assert shown["content"] == "Ask a question with some words in it" and shown["flags"] & 64
    assert "words in it" not in public_texts(double)
    # Discord shows a first followup with the deferral's visibility: the "thinking" message went first.
    assert any(r.kind == "delete_original" and r.ok for r in double.interaction_responses(interaction))


def maximal(n: int) -> AnswerPassage:
    link = "https://www.harbourwatch.example/2026/03/04/" + "velmora-dam-" * 130
    p = AnswerPassage(text="The dam broke overnight and 1,200 residents were evacuated. " * 30, title="T " * 200,
                      url=link, source="S" * 120, author="A" * 120, published_at="2026-03-04", score=1.0,
                      similarity=0.5, article_id=n, passage_id=n, origin="O" * 120, speaker="Anja Verlinde " * 9)
    p.also_carried_by.extend({"source": f"Outlet {c}", "url": f"{link}{c}", "title": "Copy"} for c in range(10))
    return p


async def test_maximal_attributions_are_accepted_by_discord(double: DiscordDouble, eventbot: EventBot,
                                                            event_service: EventService,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_service, "ask", lambda q, *a, **k: Answer(q, True, [maximal(n) for n in range(10)], 99))
    interaction = await double.send_slash_command("ask", {"question": DAM_QUESTION})
    followup = await double.wait_for_interaction_response(interaction, "followup")  # ok=True: not rejected
    assert followup.embeds and all(len(e["description"]) <= 4096 for e in followup.embeds)
    assert f"the best {len(followup.embeds)} of 10 passages" in followup.content


async def test_mentions_during_the_cooldown_get_a_reaction_not_a_message(double: DiscordDouble,
                                                                        eventbot: EventBot) -> None:
    eventbot.cooldowns["ask"] = UserCooldown(60)
    start = double.mark()
    first = await double.send_message(DAM_QUESTION, mention_bot=True)
    answer = await bot_reply(double, start)
    for _ in range(3):
        mark = double.mark()
        await double.send_message("and the mayor?", mention_bot=True)
        await double.wait_for_request(route=REACTION, since=mark)
    posts = double.find("POST", route=MESSAGES, since=start)
    assert posts == [answer] and str(answer.json["message_reference"]["message_id"]) == first["id"]
    reactions = double.find(route=REACTION, since=start)
    assert len(reactions) == 3 and all(r.ok and r.params["emoji"] in ("\u23f3", "%E2%8F%B3") for r in reactions), \
        [(r.path, r.params) for r in reactions]
    # The reply is under the member's message: it does not repeat the question.
    assert DAM_QUESTION not in (answer.content or "") and answer.embeds


# -- follow-ups --------------------------------------------------------------------------------------


async def test_a_reply_to_an_answer_is_a_follow_up_with_the_filters_carried(double: DiscordDouble,
                                                                           eventbot: EventBot) -> None:
    start = double.mark()
    await double.send_message(f'{DAM_QUESTION} source:"Valley Courier"', mention_bot=True)
    answer = await bot_reply(double, start)
    assert answer.embeds and all("Valley Courier" in e["description"] for e in answer.embeds)

    start = double.mark()
    follow = await double.send_message("and what about the families after that?", reply_to=answer.response["id"])
    reply = await bot_reply(double, start)
    assert str(reply.json["message_reference"]["message_id"]) == follow["id"]
    assert reply.content.startswith(f"Following up on \u201c{DAM_QUESTION}\u201d (source Valley Courier, since 2026-")
    assert reply.embeds and all("Valley Courier" in e["description"] for e in reply.embeds)
    assert any("families" in e["description"] for e in reply.embeds)


async def test_a_message_in_the_answer_s_thread_is_a_follow_up(double: DiscordDouble, corpora: Corpora,
                                                               config: Config) -> None:
    async with started(double, corpora, config, answer_in_thread=True, message_content=True):
        interaction = await double.send_slash_command("ask", {"question": DAM_QUESTION})
        header = await double.wait_for_interaction_response(interaction, "followup")
        made = await double.wait_for_request(method="POST", path_contains="/threads")
        thread = double.world.find_channel_by_id(made.response["id"])
        answer = await bot_reply(double, 0, thread)
        assert header.content.startswith("**Q:**") and answer.embeds

        start = double.mark()
        await double.send_message("what did the ministry say after that?", channel=thread)  # no mention
        reply = await bot_reply(double, start, thread)
        assert reply.content.startswith(f"Following up on \u201c{DAM_QUESTION}\u201d")
        assert any("ministry" in e["description"] for e in reply.embeds)
        # A message outside any answer's thread, without a mention, is left alone.
        start = double.mark()
        await double.send_message("what did the ministry say after that?")
        assert double.find("POST", route=MESSAGES, since=start) == []


async def test_a_direct_message_is_answered_from_the_shared_corpus(double: DiscordDouble, eventbot: EventBot) -> None:
    dm = double.dm_channel("member")
    start = double.mark()
    await double.send_message(DAM_QUESTION, channel=dm)
    reply = await bot_reply(double, start, dm)
    assert "1,200 residents" in message_text(reply)
    start = double.mark()
    await double.send_message("and after that?", channel=dm, reply_to=reply.response["id"])
    again = await bot_reply(double, start, dm)
    assert again.content.startswith("Following up on")


# -- "More from this article" and text fragments -------------------------------------------------------


async def test_more_from_this_article_shows_the_neighbouring_paragraphs_privately(
        double: DiscordDouble, eventbot: EventBot, event_service: EventService) -> None:
    start = double.mark()
    await double.send_message(DAM_QUESTION, mention_bot=True)
    answer = await bot_reply(double, start)
    stored = double.get_message(answer.response["id"])
    buttons = [c for row in stored["components"] for c in row["components"] if c["custom_id"].startswith("eventbot:more:")]
    assert len(buttons) == len(stored["embeds"])
    for embed in stored["embeds"]:  # each passage's link points at its paragraph
        assert re.search(r"\]\(<https?://[^>]+#:~:text=[^>]+>\)", embed["description"]), embed["description"]

    passage_id = int(buttons[0]["custom_id"].rsplit(":", 1)[1])
    article, around = event_service.neighbours(passage_id)
    click = await double.send_component(stored, buttons[0]["custom_id"])
    shown = await double.wait_for_interaction_response(click, "callback")
    assert shown.json["type"] == 4 and shown.json["data"]["flags"] & 64  # only for who clicked
    text = shown.json["data"]["embeds"][0]["description"]
    assert len(around) >= 2 and all(p.text.split()[0] in text for p in around)
    assert "**" in text and article.title.split()[0] in text

    event_service.remove(str(article.id))  # a click after the article is gone: said plainly, privately
    late = await double.send_component(stored, buttons[0]["custom_id"])
    said = await double.wait_for_interaction_response(late, "callback")
    assert said.json["data"]["flags"] & 64 and "no longer held" in said.json["data"]["content"]


# -- autocomplete ----------------------------------------------------------------------------------------


async def choices_for(double: DiscordDouble, command: str, options: dict[str, str], focused: str,
                      user: str = "member") -> list[dict[str, str]]:
    interaction = await double.send_autocomplete(command, options, focused, user=user)
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["type"] == 8
    return interaction.autocomplete_choices


async def test_autocomplete_offers_held_outlets_speakers_and_titles(double: DiscordDouble, eventbot: EventBot,
                                                                   event_service: EventService) -> None:
    outlets = await choices_for(double, "ask", {"question": "dam", "source": "vall"}, "source")
    assert outlets == [{"name": "Valley Courier (3 articles)", "value": "Valley Courier"}]
    speakers = await choices_for(double, "ask", {"question": "dam", "speaker": "verl"}, "speaker")
    assert speakers and all("Verlinde" in c["value"] and len(c["name"]) <= 100 for c in speakers)
    everyone = await choices_for(double, "ask", {"question": "dam", "speaker": ""}, "speaker")
    assert 1 <= len(everyone) <= 25
    titles = await choices_for(double, "remove", {"url_or_id": "dam"}, "url_or_id", user="moderator")
    held = {str(a.id): a.title for a in event_service.articles()}
    assert titles and all(held[c["value"]] in c["name"] and "dam" in c["name"].lower() for c in titles)


async def test_autocomplete_sees_only_the_server_s_own_corpus(double: DiscordDouble, config: Config,
                                                              tmp_path: Path) -> None:
    own = Corpora(tmp_path / "per-server", config, "per_guild")
    try:
        async with started(double, own, config):
            assert await choices_for(double, "ask", {"question": "dam", "source": ""}, "source") == []
    finally:
        own.close()


# -- the message menu --------------------------------------------------------------------------------------


async def test_ask_about_this_checks_a_message_without_the_content_intent(double: DiscordDouble,
                                                                         eventbot: EventBot) -> None:
    claim = await double.send_message("The Velmora dam breach forced 1,200 residents out of their homes")
    assert not eventbot.intents.message_content
    interaction = await double.send_message_command(ASK_ABOUT, claim)
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["type"] == 5 and callback.json["data"]["flags"] & 64
    followup = await double.wait_for_interaction_response(interaction, "followup")
    assert "1,200 residents" in message_text(followup)
    assert double.get_message(followup.response["id"])["flags"] & 64  # shown only to who asked

    empty = await double.send_message("")
    refused = await double.send_message_command(ASK_ABOUT, empty)
    said = await double.wait_for_interaction_response(refused, "callback")
    assert said.json["data"]["content"] == "That message has no text I can look up." and said.json["data"]["flags"] & 64


# -- the bot's own permissions ------------------------------------------------------------------------------


async def test_missing_embed_links_is_said_not_dropped_silently(double: DiscordDouble, corpora: Corpora,
                                                                config: Config) -> None:
    double.world.roles["@everyone"].permissions &= ~w.EMBED_LINKS
    async with started(double, corpora, config):
        start = double.mark()
        await double.send_message(DAM_QUESTION, mention_bot=True)
        reply = await bot_reply(double, start)
        assert "Embed Links" in reply.content and not reply.embeds


async def test_missing_thread_permissions_answer_in_the_channel_and_say_why(double: DiscordDouble, corpora: Corpora,
                                                                             config: Config) -> None:
    double.world.roles["@everyone"].permissions &= ~w.CREATE_PUBLIC_THREADS
    double.world.app_permissions &= ~w.CREATE_PUBLIC_THREADS
    async with started(double, corpora, config, answer_in_thread=True):
        start = double.mark()
        await double.send_message(DAM_QUESTION, mention_bot=True)
        reply = await bot_reply(double, start)
        assert "Create Public Threads" in reply.content and reply.embeds
        interaction = await double.send_slash_command("ask", {"question": DAM_QUESTION})
        followup = await double.wait_for_interaction_response(interaction, "followup")
        assert "Create Public Threads" in followup.content and followup.embeds
        assert double.find(method="POST", path_contains="/threads") == []
