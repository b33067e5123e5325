"""Issue 16's feedback loop and per-server settings, and issue 19's last-day /stats: the real EventBot against
the Discord double. Every assertion is on what Discord received or now shows, or on what the data folder keeps."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
import pytest_asyncio

from bot.chat.client import EventBot
from bot.config import Config
from bot.corpora import Corpora
from bot.service import EventService
from tests.discord_double import CommandNotAvailable, DiscordDouble, RecordedRequest, running_client
from tests.discord_double.world import Channel
from tests.e2e.conftest import ask, message_text

pytestmark = pytest.mark.asyncio

DAM_QUESTION = "How many residents were evacuated after the Velmora dam breach?"
DAM_ANSWER = "We have evacuated 1,200 residents"
UNHELD = "What is the best recipe for banana bread with walnuts?"
MESSAGES = "POST /channels/{channel_id}/messages"


@pytest.fixture(autouse=True)
def no_errors(double: DiscordDouble, caplog: pytest.LogCaptureFixture):
    """Every scenario (with or without the `eventbot` fixture): no error logged, no request the double did not know."""
    yield
    assert double.unknown_requests == []
    logged = caplog.get_records("setup") + caplog.get_records("call") + caplog.records
    assert [r.getMessage() for r in logged if r.levelno >= logging.ERROR] == []


def buttons(message: dict) -> list[dict]:
    """The feedback buttons, which sit on a row of their own, below the "More from ..." ones."""
    rows = message.get("components") or []
    feedback = [c for row in rows for c in row["components"] if c["custom_id"].startswith("eventbot:fb:")]
    if feedback:
        assert rows[-1]["components"] == feedback, rows
    return feedback


async def click(double: DiscordDouble, message: dict, label: str, user: str = "member") -> RecordedRequest:
    """Click the button labelled `label` on `message`; the bot's (successful) answer to the click."""
    custom_id = next(c["custom_id"] for row in message.get("components") or [] for c in row["components"]
                     if c["label"] == label)
    interaction = await double.send_component(message, custom_id, user=user)
    return await double.wait_for_interaction_response(interaction, "callback")


def votes(service: EventService) -> list[tuple[int, int]]:
    """(question id, helpful) of every vote in the question log."""
    db = sqlite3.connect(service.data_dir / "questions.sqlite3")
    try:
        return db.execute("SELECT question_id, helpful FROM votes ORDER BY voted_at").fetchall()
    finally:
        db.close()


async def settings(double: DiscordDouble, sub: str, options: dict | None = None, user: str = "admin") -> str:
    interaction = await double.send_slash_command(f"settings {sub}", options or {}, user=user)
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["data"]["flags"] == 64  # only the admin sees it
    return callback.content


def new_bot(corpora: Corpora, config: Config) -> EventBot:
    return EventBot(corpora, config.discord, sync_state=config.data_dir / "discord-commands.json",
                    guild_ready_timeout=0.05)


# -- Helpful / Not helpful ---------------------------------------------------------------------------


async def test_answers_carry_feedback_buttons_one_vote_per_member_acknowledged_ephemerally(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService
) -> None:
    interaction, _ = await ask(double, DAM_QUESTION)
    answer = double.original_message(interaction)
    assert answer is not None and DAM_ANSWER in message_text_of(answer)
    assert [b["label"] for b in buttons(answer)] == ["Helpful", "Not helpful"]
    [entry] = event_service.questions.entries(0)
    assert entry.question == DAM_QUESTION and entry.answered and entry.surface == "slash"
    assert entry.guild_id == double.guild_id and entry.channel_id == double.channels["general"].id
    assert all(str(entry.id) in b["custom_id"] for b in buttons(answer))

    first = await click(double, answer, "Helpful")
    assert first.json["type"] == 4 and first.json["data"]["flags"] == 64
    assert first.content == "Thanks: noted as helpful."
    again = await click(double, answer, "Helpful")
    assert again.content == "You already marked this answer helpful."
    changed = await click(double, answer, "Not helpful")
    assert changed.content == "Changed your vote: this answer is not helpful."
    other = await click(double, answer, "Not helpful", user="moderator")
    assert other.content.startswith("Thanks: noted as not helpful.")
    assert votes(event_service) == [(entry.id, 0), (entry.id, 0)]  # one per member, the latest
    # Nobody else saw the acknowledgements; the answer itself is unchanged.
    assert all("noted" not in m["content"] for m in double.channel_messages(include_ephemeral=False))
    assert double.get_message(answer["id"])["components"] == answer["components"]


async def test_a_declined_question_gets_no_buttons_but_is_logged(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService
) -> None:
    interaction, followup = await ask(double, UNHELD)
    assert followup.embeds == [] and buttons(double.original_message(interaction)) == []
    mention = await double.send_message(UNHELD, mention_bot=True)
    await double.wait_for_request(route=MESSAGES, method="POST", ok=True)
    entries = event_service.questions.entries(0)
    assert [(e.surface, e.answered) for e in entries] == [("slash", False), ("mention", False)]
    assert entries[0].reason and entries[0].latency_ms > 0 and entries[1].channel_id == int(mention["channel_id"])


async def test_buttons_still_work_after_a_restart(double: DiscordDouble, corpora: Corpora, config: Config,
                                                  event_service: EventService) -> None:
    async with running_client(new_bot(corpora, config), double):
        interaction, _ = await ask(double, DAM_QUESTION)
        answer = double.original_message(interaction)
    assert answer is not None
    # A new process: nothing in memory knows the message; the custom_id alone leads to the answer's log entry.
    async with running_client(new_bot(corpora, config), double):
        acknowledged = await click(double, answer, "Not helpful")
    assert acknowledged.json["data"]["flags"] == 64 and acknowledged.content.startswith("Thanks: noted as not helpful")
    [entry] = event_service.questions.entries(0)
    assert votes(event_service) == [(entry.id, 0)]


async def test_a_vote_on_a_forgotten_answer_is_told_so(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService
) -> None:
    interaction, _ = await ask(double, DAM_QUESTION)
    answer = double.original_message(interaction)
    assert event_service.questions.flush()
    db = sqlite3.connect(event_service.data_dir / "questions.sqlite3")
    db.execute("DELETE FROM questions")  # as the retention does after question_log.keep_days
    db.commit()
    db.close()
    reply = await click(double, answer, "Helpful")
    assert reply.json["data"]["flags"] == 64
    assert reply.content == "I no longer hold that question (questions are kept 90 days)"
    assert votes(event_service) == []


# -- /gaps -----------------------------------------------------------------------------------------


async def test_gaps_shows_moderators_what_went_unanswered_most_asked_first(
    double: DiscordDouble, eventbot: EventBot
) -> None:
    for question in (UNHELD, "what is the best recipe for Banana Bread with walnuts",
                     "Banana bread with walnuts: the best recipe?"):
        await ask(double, question)
    await double.send_message("how do I knit a woollen scarf for my grandmother?", mention_bot=True)
    await double.wait_for_request(route=MESSAGES, method="POST", ok=True)
    interaction, _ = await ask(double, DAM_QUESTION)
    await click(double, double.original_message(interaction), "Not helpful")
    await click(double, double.original_message(interaction), "Not helpful", user="admin")

    with pytest.raises(CommandNotAvailable):  # members are not offered /gaps
        await double.send_slash_command("gaps", user="member")
    gaps = await double.send_slash_command("gaps", user="moderator")
    shown = await double.wait_for_interaction_response(gaps, "followup")
    assert double.original_message(gaps)["flags"] & 64  # only the moderator sees it
    lines = shown.content.splitlines()
    assert lines[0].startswith("**Questions I could not answer this week**")
    assert lines[1].casefold().startswith("1. asked 3 times this week: what is the best recipe for banana bread")
    assert "3 declined" in lines[2]
    rest = "\n".join(lines[3:])
    assert f"asked once this week: {DAM_QUESTION}" in rest and "1 marked not helpful" in rest
    assert "asked once this week: how do I knit a woollen scarf for my grandmother?" in rest
    assert shown.json["allowed_mentions"] == {"parse": []}


async def test_a_member_who_may_see_gaps_gets_a_clear_refusal(double: DiscordDouble, eventbot: EventBot) -> None:
    gaps = await double.send_slash_command("gaps", user="member", ignore_default_permissions=True)
    callback = await double.wait_for_interaction_response(gaps, "callback")
    assert callback.json["data"]["flags"] == 64 and callback.content == "Only moderators can use that command."


# -- /stats ------------------------------------------------------------------------------------------


async def test_stats_show_the_last_days_questions(double: DiscordDouble, eventbot: EventBot) -> None:
    await ask(double, DAM_QUESTION)
    await ask(double, UNHELD)
    stats = await double.send_slash_command("stats", user="admin")
    shown = await double.wait_for_interaction_response(stats, "followup")
    assert shown.content.startswith("**Articles:** 14")
    last = shown.content.splitlines()[-1]
    assert last.startswith("**Last day, this server:** 2 questions, 50% declined, p50 ") and last.endswith(" ms")


# -- /settings -------------------------------------------------------------------------------------


async def test_answer_only_in_the_channels_admins_chose_and_it_survives_a_restart(
    double: DiscordDouble, corpora: Corpora, config: Config
) -> None:
    news, general = double.channels["news"], double.channels["general"]
    async with running_client(new_bot(corpora, config), double):
        with pytest.raises(CommandNotAvailable):  # members are not offered /settings
            await double.send_slash_command("settings show", user="member")
        assert "**Answers in:** every channel (none listed)" in await settings(double, "show")
        done = await settings(double, "answer-in", {"channel": news, "answer": True})
        assert done.startswith(f"Added <#{news.id}>.") and f"**Answers in:** <#{news.id}>" in done
    async with running_client(new_bot(corpora, config), double):  # restarted: the setting holds
        refused = await double.send_slash_command("ask", {"question": DAM_QUESTION}, channel="general")
        callback = await double.wait_for_interaction_response(refused, "callback")
        assert callback.json["type"] == 4 and callback.json["data"]["flags"] == 64
        assert callback.content == f"I answer questions only in <#{news.id}> on this server."
        mark = double.mark()
        await double.send_message(DAM_QUESTION, mention_bot=True, channel="general")
        answered = await double.send_slash_command("ask", {"question": DAM_QUESTION}, channel="news")
        await double.wait_for_interaction_response(answered, "followup")
        await double.send_message(DAM_QUESTION, mention_bot=True, channel="news")
        reply = await double.wait_for_request(route=MESSAGES, method="POST", ok=True, since=mark)
        assert reply.path == f"/channels/{news.id}/messages"  # the mention in #general got nothing
        assert not double.find("POST", f"/channels/{general.id}/messages", since=mark)
        removed = await settings(double, "answer-in", {"channel": news, "answer": False})
        assert "every channel (none listed)" in removed


async def test_thread_mode_per_channel(double: DiscordDouble, eventbot: EventBot) -> None:
    news = double.channels["news"]
    done = await settings(double, "thread-mode", {"channel": news, "mode": "thread"})
    assert f"in a thread in <#{news.id}>" in done
    interaction = await double.send_slash_command("ask", {"question": DAM_QUESTION}, channel="news")
    header = await double.wait_for_interaction_response(interaction, "followup")
    assert header.content.endswith("(answer in the thread)")
    thread = await double.wait_for_request(route="POST /channels/{channel_id}/messages/{message_id}/threads", ok=True)
    answer = await double.wait_for_request(lambda r: r.path == f"/channels/{thread.response['id']}/messages",
                                           method="POST", ok=True)
    assert DAM_ANSWER in message_text(answer)
    assert [b["label"] for b in buttons(answer.response)] == ["Helpful", "Not helpful"]
    inline = await double.send_slash_command("ask", {"question": DAM_QUESTION}, channel="general")
    followup = await double.wait_for_interaction_response(inline, "followup")
    assert DAM_ANSWER in message_text(followup)  # elsewhere: inline, as configured
    assert len(double.find("POST", route="POST /channels/{channel_id}/messages/{message_id}/threads")) == 1


# -- forums ----------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def forum_bot(double: DiscordDouble, corpora: Corpora, config: Config) -> tuple[EventBot, Channel, Channel]:
    """Two forums in the guild (added before the bot connects, as GUILD_CREATE lists them), and the bot."""
    answered, quiet = double.world.add_forum("questions"), double.world.add_forum("chatter")
    async with running_client(new_bot(corpora, config), double) as bot:
        yield bot, answered, quiet


async def test_new_forum_posts_are_answered_in_their_thread(
    double: DiscordDouble, forum_bot: tuple[EventBot, Channel, Channel], event_service: EventService
) -> None:
    _, answered, quiet = forum_bot
    done = await settings(double, "forum-auto-answer", {"forum": answered, "enabled": True})
    assert f"**Forum posts answered as they are posted:** <#{answered.id}>" in done
    thread, _ = await double.create_forum_post(answered, DAM_QUESTION, "asking for my neighbours")
    reply = await double.wait_for_request(lambda r: r.path == f"/channels/{thread.id}/messages", method="POST", ok=True)
    assert DAM_ANSWER in message_text(reply) and reply.json["allowed_mentions"] == {"parse": []}
    assert [b["label"] for b in buttons(reply.response)] == ["Helpful", "Not helpful"]
    assert (await click(double, reply.response, "Helpful")).content == "Thanks: noted as helpful."

    declined, _ = await double.create_forum_post(answered, UNHELD)
    nothing = await double.wait_for_request(lambda r: r.path == f"/channels/{declined.id}/messages", method="POST",
                                            ok=True)
    assert nothing.content.startswith("I found nothing about that") and buttons(nothing.response) == []

    mark = double.mark()
    other, _ = await double.create_forum_post(quiet, DAM_QUESTION)
    await asyncio.sleep(0.3)
    assert not double.find("POST", f"/channels/{other.id}/messages", since=mark)  # not an answered forum
    logged = [(e.surface, e.channel_id, e.question) for e in event_service.questions.entries(0)]
    assert logged == [("forum", thread.id, DAM_QUESTION), ("forum", declined.id, UNHELD)]


async def test_a_forum_post_mentioning_the_bot_is_answered_once(
    double: DiscordDouble, forum_bot: tuple[EventBot, Channel, Channel]
) -> None:
    _, answered, _ = forum_bot
    await settings(double, "forum-auto-answer", {"forum": answered, "enabled": True})
    thread, _ = await double.create_forum_post(answered, DAM_QUESTION, "any news?", mention_bot=True)
    await double.wait_for_request(lambda r: r.path == f"/channels/{thread.id}/messages", method="POST", ok=True)
    await asyncio.sleep(0.3)
    assert len(double.find("POST", f"/channels/{thread.id}/messages")) == 1


def message_text_of(message: dict) -> str:
    return "\n".join([message.get("content") or "", *[e.get("description") or "" for e in message.get("embeds") or []]])


async def test_a_setting_that_cannot_be_saved_is_said_and_changes_nothing(
    double: DiscordDouble, eventbot: EventBot, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from bot.server_settings import SettingsStore

    blocked = tmp_path_factory.mktemp("blocked") / "settings.sqlite3"
    blocked.mkdir()  # a folder where the file should be: nothing can be written
    eventbot.server_settings = SettingsStore(blocked)
    refused = await double.send_slash_command("settings answer-in", {"channel": double.channels["news"],
                                                                     "answer": True}, user="admin")
    callback = await double.wait_for_interaction_response(refused, "callback")
    assert callback.json["data"]["flags"] == 64
    assert callback.content == "I could not save that setting; nothing was changed. Try again later."
    _, answer = await ask(double, DAM_QUESTION)  # still answered everywhere
    assert DAM_ANSWER in message_text(answer)
