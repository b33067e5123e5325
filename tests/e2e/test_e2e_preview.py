"""`/add preview:true` (issue 17): the real EventBot against the Discord double. The moderator alone sees what
would be stored (ephemeral); nothing is stored, nothing is said in the channel, and `/add` still adds after."""

from __future__ import annotations

import pytest

from bot.chat.client import EventBot
from bot.service import EventService
from tests.discord_double import AttachmentSpec, DiscordDouble
from tests.e2e.conftest import PageServer
from tests.e2e.pages import FERRY, ORCHARD, article_html

pytestmark = pytest.mark.asyncio

EPHEMERAL = 64


async def test_preview_of_a_link_is_shown_to_the_moderator_only_and_stores_nothing(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService, pages: PageServer
) -> None:
    url = pages.add("2026/04/02/maren-star-aground", article_html(**FERRY))
    held = event_service.stats().articles
    interaction = await double.send_slash_command("add", {"url": url, "preview": True}, user="moderator")
    shown = await double.wait_for_interaction_response(interaction, "followup")

    callback = double.interaction_responses(interaction)[0]
    assert callback.json["type"] == 5 and callback.json["data"]["flags"] & EPHEMERAL  # "thinking", ephemerally
    assert shown.json["flags"] & EPHEMERAL
    assert shown.content.startswith(f"Preview (nothing stored): [{FERRY['title']}](<{url}>)")
    assert FERRY["outlet"] in shown.content and FERRY["author"] in shown.content and "3 passages." in shown.content
    texts = [e["description"] for e in shown.embeds]
    assert len(texts) == 3 and "143 passengers" in texts[0]
    assert "speaker: Petra Lund" in texts[1]
    assert event_service.stats().articles == held
    assert double.channel_messages(include_ephemeral=False) == []

    added = await double.send_slash_command("add", {"url": url}, user="moderator")
    done = await double.wait_for_interaction_response(added, "followup")
    assert done.content.startswith("Added:") and event_service.stats().articles == held + 1


async def test_preview_of_an_attached_file_and_of_a_page_that_is_no_article(
    double: DiscordDouble, eventbot: EventBot, event_service: EventService, pages: PageServer
) -> None:
    held = event_service.stats().articles
    page = AttachmentSpec("brenholt-frost.html", article_html(**ORCHARD), "text/html")
    interaction = await double.send_slash_command("add", {"preview": True}, attachments={"file": page},
                                                  user="moderator")
    shown = await double.wait_for_interaction_response(interaction, "followup")
    assert shown.json["flags"] & EPHEMERAL and shown.content.startswith(f"Preview (nothing stored): {ORCHARD['title']}")

    empty = pages.add("gone", b"<html><head><title>Gone</title></head><body><p>Moved.</p></body></html>")
    refused = await double.send_slash_command("add", {"url": empty, "preview": True}, user="moderator")
    said = await double.wait_for_interaction_response(refused, "followup")
    assert said.json["flags"] & EPHEMERAL
    assert said.content == "Could not add that: no article text found on that page (nothing stored)."
    assert event_service.stats().articles == held
