"""Issue 4's scenarios: the real EventBot (bot/chat, unmodified) against the Discord double.

Every assertion is on what Discord would have received or now shows in the channel. Scenario 6
(/reindex under load) is in test_e2e_reindex.py, on a bigger corpus.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.chat.client import EventBot
from bot.service import EventService
from corpus import demo_corpus
from tests.discord_double import AttachmentSpec, CommandNotAvailable, DiscordDouble
from tests.discord_double.gateway import OP_IDENTIFY, OP_RESUME
from tests.e2e.conftest import BYSTANDER_ID, PageServer, ask, message_text
from tests.e2e.pages import FERRY, ORCHARD, PINGS, article_html

pytestmark = pytest.mark.asyncio

DAM_QUESTION = "How many residents were evacuated after the Velmora dam breach?"
DAM_ANSWER = "We have evacuated 1,200 residents"
DAM = next(a for a in demo_corpus.manifest()["articles"] if a["file"] == "harbourwatch-dam-breach.html")
LINK = re.compile(r"\[([^\]]+)\]\(<(https?://[^>]+)>\)")
GENERAL_MESSAGES = "POST /channels/{channel_id}/messages"


def cited(embed_text: str) -> list[tuple[str, str]]:
    """The (title, page url) links in a text (the text fragment pointing at the paragraph left out)."""
    return [(title, url.split("#:~:")[0]) for title, url in LINK.findall(embed_text)]


def dam_embed(embeds: list[dict]) -> str:
    """The description of the embed quoting the dam article's evacuation figure."""
    found = [e["description"] for e in embeds if DAM_ANSWER in e.get("description", "")]
    assert found, [e.get("description") for e in embeds]
    return found[0]


# -- 1. /ask ---------------------------------------------------------------------------------------


async def test_ask_is_deferred_at_once_and_answered_with_attributed_links(
    double: DiscordDouble, eventbot: EventBot
) -> None:
    interaction, followup = await ask(double, DAM_QUESTION)

    callback, *_ = double.interaction_responses(interaction)
    assert callback.kind == "callback" and callback.status == 200
    assert callback.json["type"] == 5  # "eventbot is thinking..."
    assert callback.time - interaction.created_at < 3.0
    assert followup.json["allowed_mentions"]["parse"] == []
    assert followup.content.startswith(f"**Q:** {DAM_QUESTION}")
    embeds = followup.embeds
    assert 1 <= len(embeds) <= 10
    for embed in embeds:  # every passage says where it is from, with a link
        assert cited(embed["description"]), embed["description"]
    dam = dam_embed(embeds)
    assert "Harbour Watch" in dam and "Tomas Reyes" in dam and "2026-03-04" in dam
    assert cited(dam)[-1] == (DAM["title"], DAM["url"].rstrip("/"))
    assert f'{DAM["url"].rstrip("/")}#:~:text=%22We%20have%20evacuated%201%2C200' in dam  # to the paragraph
    # The "thinking" message became the answer, visible to everyone in the channel.
    shown = double.original_message(interaction)
    assert shown is not None and shown["embeds"] == embeds and not shown["flags"] & 64


# -- 2. a mention ----------------------------------------------------------------------------------


async def test_mention_gets_an_answer_replying_to_the_question(double: DiscordDouble, eventbot: EventBot) -> None:
    question = await double.send_message(DAM_QUESTION, mention_bot=True)
    reply = await double.wait_for_request(route=GENERAL_MESSAGES, method="POST", ok=True)

    assert reply.path == f"/channels/{double.channels['general'].id}/messages"
    assert str(reply.json["message_reference"]["message_id"]) == question["id"]
    # Replies without pinging the asker (Discord's default for replied_user is false).
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert cited(dam_embed(reply.embeds))[-1] == (DAM["title"], DAM["url"].rstrip("/"))
    posted = double.get_message(reply.response["id"])
    assert posted["referenced_message"]["id"] == question["id"] and posted["embeds"] == reply.embeds
    assert posted["mentions"] == []


# -- 3. a member tries /add ------------------------------------------------------------------------


async def test_member_add_is_refused_ephemerally_and_adds_nothing(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService, pages: PageServer
) -> None:
    url = pages.add("2026/04/02/maren-star-aground", article_html(**FERRY))
    held = event_service.stats().articles
    # Discord does not offer /add to members (the command's default permissions)...
    with pytest.raises(CommandNotAvailable):
        await double.send_slash_command("add", {"url": url}, user="member")
    # ...unless a server admin opened it to everyone in Server Settings -> Integrations: the bot still refuses.
    interaction = await double.send_slash_command("add", {"url": url}, user="member",
                                                  ignore_default_permissions=True)
    callback = await double.wait_for_interaction_response(interaction, "callback")

    assert callback.json["type"] == 4 and callback.json["data"]["flags"] == 64
    assert callback.content == "Only moderators can use that command."
    _, answer = await ask(double, "How many passengers were on the Maren Star when it ran aground?")
    assert "Maren Star" not in message_text(answer)
    assert double.interaction_responses(interaction) == [callback]  # and nothing after it
    assert all("moderators" not in m["content"] for m in double.channel_messages(include_ephemeral=False))
    assert pages.hits == [] and event_service.stats().articles == held


# -- 4. a moderator adds a link --------------------------------------------------------------------


async def test_moderator_adds_a_link_which_becomes_answerable_once(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService, pages: PageServer
) -> None:
    url = pages.add("2026/04/02/maren-star-aground", article_html(**FERRY))
    held = event_service.stats().articles
    interaction = await double.send_slash_command("add", {"url": url}, user="moderator")
    added = await double.wait_for_interaction_response(interaction, "followup")

    assert double.interaction_responses(interaction)[0].json["type"] == 5
    assert added.content == f"Added: [{FERRY['title']}](<{url}>) (3 passages, article {held + 1})."
    assert added.json["allowed_mentions"]["parse"] == []
    assert pages.hits == ["/2026/04/02/maren-star-aground"]

    _, answer = await ask(double, "How many passengers were on the Maren Star when it ran aground?")
    ferry = [e["description"] for e in answer.embeds if "143 passengers" in e["description"]]
    assert ferry and cited(ferry[0])[-1] == (FERRY["title"], url)
    assert FERRY["outlet"] in ferry[0] and FERRY["author"] in ferry[0]

    again = await double.send_slash_command("add", {"url": url}, user="moderator")
    duplicate = await double.wait_for_interaction_response(again, "followup")
    assert duplicate.content.startswith(f"Already held as article {held + 1}")
    assert event_service.stats().articles == held + 1


# -- 5. a moderator attaches a file ----------------------------------------------------------------


async def test_moderator_adds_an_attached_page(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService
) -> None:
    held = event_service.stats().articles
    page = AttachmentSpec("brenholt-frost.html", article_html(**ORCHARD), "text/html")
    interaction = await double.send_slash_command("add", attachments={"file": page}, user="moderator")
    added = await double.wait_for_interaction_response(interaction, "followup")

    (download,) = double.find("GET", "/attachments/")
    assert download.status == 200 and download.path.endswith("/brenholt-frost.html")
    assert added.content == f"Added: {ORCHARD['title']} (3 passages, article {held + 1})."
    assert event_service.stats().articles == held + 1

    _, answer = await ask(double, "How much of the Brenholt cherry blossom did the frost destroy?")
    best = answer.embeds[0]["description"]
    assert "destroyed about half of the cherry blossom" in best
    assert best.endswith(f"{ORCHARD['outlet']} · {ORCHARD['author']} · {ORCHARD['date']} · {ORCHARD['title']}")


# -- 7. the gateway drops mid-conversation ---------------------------------------------------------


async def test_dropped_gateway_resumes_and_questions_are_still_answered(
    double: DiscordDouble, eventbot: EventBot
) -> None:
    mark = len(double.gateway_frames)
    during = await double.send_slash_command("ask", {"question": DAM_QUESTION})
    await double.drop_gateway()  # the TCP connection cut, no close frame
    missed = await double.send_slash_command("ask", {"question": "Who chairs the ceasefire talks in Lindhaven?"})

    await double.wait_for_gateway(event="RESUMED", direction="send", since=mark)
    resume = next(f for f in double.gateway_frames[mark:] if f.op == OP_RESUME)
    assert resume.d["session_id"] == double.session.id
    assert not any(f.op == OP_IDENTIFY for f in double.gateway_frames[mark:]) and len(double.sessions) == 1
    after, answer = await ask(double, "How many dockworkers walked out at Saltmarch?")
    assert "Saltmarch" in message_text(answer) and answer.embeds
    for interaction in (during, missed, after):  # each answered, once
        followups = [r for r in double.interaction_responses(interaction) if r.kind == "followup"]
        if interaction is not after:
            followups = [await double.wait_for_interaction_response(interaction, "followup")]
        assert len(followups) == 1 and followups[0].embeds
    assert DAM_ANSWER in message_text(double.find(kind="followup", interaction=during)[0])
    assert "Rustad" in message_text(double.find(kind="followup", interaction=missed)[0])


# -- 8. Discord rate-limits the answer -------------------------------------------------------------


async def test_rate_limited_answer_is_retried_after_retry_after_and_arrives_once(
    double: DiscordDouble, eventbot: EventBot
) -> None:
    rule = double.fail_next("POST", f"/webhooks/{double.application_id}/", status=429, retry_after=0.5)
    interaction, answer = await ask(double, DAM_QUESTION)

    attempts = [r for r in double.interaction_responses(interaction) if r.kind == "followup"]
    assert [r.status for r in attempts] == [429, 200] and rule.hits == attempts[:1]
    assert attempts[1] is answer and answer.time - attempts[0].time >= 0.5
    assert answer.json == attempts[0].json  # the same answer, not a degraded one
    await asyncio.sleep(0.6)  # longer than retry_after: no second copy follows
    assert [r.status for r in double.interaction_responses(interaction)] == [200, 429, 200]
    shown = [m for m in double.channel_messages() if any(DAM_ANSWER in e.get("description", "") for e in m["embeds"])]
    assert len(shown) == 1 and shown[0]["id"] == answer.response["id"]


# -- 9. an article that mentions everyone ----------------------------------------------------------


async def test_quoted_mentions_cannot_ping(double: DiscordDouble, eventbot: EventBot) -> None:
    page = AttachmentSpec("prank.html", article_html(**PINGS), "text/html")
    add = await double.send_slash_command("add", attachments={"file": page}, user="moderator")
    added = await double.wait_for_interaction_response(add, "followup")  # its title says @everyone
    question = "What did the prankster post about the lighthouse fire with @everyone?"
    _, answer = await ask(double, question)
    mention = await double.send_message(question, mention_bot=True)
    reply = await double.wait_for_request(route=GENERAL_MESSAGES, method="POST", ok=True)
    assert str(reply.json["message_reference"]["message_id"]) == mention["id"]

    assert added.content.startswith("Added: Prankster floods the Saltmarch council chat with @\u200beveryone")
    for sent in (answer, reply):
        text = message_text(sent)
        assert "harbourmaster as" in text  # the passage is quoted...
        assert "@\u200beveryone" in text and f"<\u200b@\u200b{BYSTANDER_ID}>" in text  # ...its mentions broken
    for sent in (added, answer, reply):
        assert sent.json["allowed_mentions"] == {"parse": []}
        assert not re.search(r"@(everyone|here)|<@[!&]?\d+>", message_text(sent)), message_text(sent)
        posted = double.get_message(sent.response["id"])
        assert posted["mentions"] == [] and posted["mention_roles"] == [] and not posted["mention_everyone"]
