"""Issue 18 against the Discord double: /timeline (pages of whole developments, buttons, the picture
attached) and /events, through the real EventBot and discord.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.chat.client import EventBot
from bot.service import EventService
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import message_text

pytestmark = pytest.mark.asyncio

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DAY = re.compile(r"^\*\*(\d{1,2} \w{3} \d{4}|undated)\*\*", re.MULTILINE)
LINK = re.compile(r"\[([^\]]+)\]\(<(https?://[^>]+)>\)")
FIRE_DAYS = 14


def fire_records() -> list[dict[str, str]]:
    """A long story written for this test: a forest fire reported day after day by three outlets, each
    report long enough that the timeline needs several pages."""
    outlets = ["Harbour Watch", "Valley Courier", "The Kestrel Ledger"]
    records = []
    for n in range(FIRE_DAYS):
        day = f"2026-05-{n + 1:02d}"
        acres = 300 * (n + 1)
        body = [
            f"The Brannock forest fire had burned {acres} hectares by {day}, fire chief Ilse Marrow said, as crews from "
            f"Orvik and Saltmarch cut breaks along the Tavel ridge for the {n + 1}th day running and water bombers "
            "flew from first light until the wind rose in the afternoon.",
            "Residents of Brannock village and the farms along the Tavel road were told to keep bags packed; "
            "Marrow said the eastern flank was the one that worried her most, because the dry pines there had not "
            "burned in forty years and the forecast gave no rain before the weekend.",
            f"Day {n + 1} of the Brannock fire: the regional council said its emergency fund would cover the "
            "overtime of volunteer crews, and the rail line through the Tavel valley stayed closed to all traffic.",
        ]
        records.append({"title": f"Brannock forest fire, day {n + 1}: {acres} hectares burned",
                        "url": f"https://news.example/brannock-fire/day-{n + 1}", "source": outlets[n % 3],
                        "published_at": day, "body": "\n\n".join(body)})
    return records


def days_shown(description: str) -> list[str]:
    return DAY.findall(description)


async def timeline(double: DiscordDouble, query: str):
    interaction = await double.send_slash_command("timeline", {"query": query})
    return interaction, await double.wait_for_interaction_response(interaction, "followup", timeout=15)


async def test_timeline_tells_the_dam_story_in_order_with_links_and_its_picture(
        double: DiscordDouble, eventbot: EventBot) -> None:
    interaction, followup = await timeline(double, "what happened with the Velmora dam?")

    callback, *_ = double.interaction_responses(interaction)
    assert callback.json["type"] == 5  # deferred at once: "eventbot is thinking..."
    assert followup.content.startswith("**Timeline:** what happened with the Velmora dam?")
    assert followup.json["allowed_mentions"]["parse"] == []
    (embed,) = followup.embeds
    assert "Velmora" in embed["title"]
    description = embed["description"]
    shown = days_shown(description)
    assert shown[:2] == ["4 Mar 2026", "5 Mar 2026"] and "19 Mar 2026" in shown
    assert description.index("4 Mar 2026") < description.index("9 Mar 2026") < description.index("19 Mar 2026")
    assert "*first report*" in description.split("\n\n")[0]
    links = LINK.findall(description)
    assert ("Dam breach floods Velmora, 1,200 residents evacuated",
            "https://www.harbourwatch.example/2026/03/04/dam-breach-velmora") in links
    assert "Harbour Watch" in description and "Valley Courier" in description
    assert "Saltmarch" not in description  # another event's story stays out
    # The picture is attached, a real PNG, and shows in the channel with the message.
    (picture,) = followup.files
    assert picture.filename == "timeline.png" and picture.data.startswith(PNG_MAGIC)
    shown_message = double.original_message(interaction)
    assert shown_message is not None and shown_message["attachments"][0]["filename"] == "timeline.png"
    assert "components" not in followup.json or not followup.json["components"]  # one page: no buttons


async def test_long_timeline_pages_with_buttons_never_cutting_a_development(
        double: DiscordDouble, eventbot: EventBot, event_service: EventService, tmp_path: Path) -> None:
    records = tmp_path / "fire.json"
    records.write_text(json.dumps(fire_records()), encoding="utf-8")
    assert event_service.import_file(records).added == FIRE_DAYS
    interaction, followup = await timeline(double, "Brannock forest fire")

    message = double.original_message(interaction)
    buttons = [c for row in message["components"] for c in row["components"]]
    assert [b["label"] for b in buttons] == ["Previous", "Next"] and buttons[0]["disabled"]
    assert followup.files[0].data.startswith(PNG_MAGIC)
    pages = [followup.embeds[0]]
    footer = pages[0]["footer"]["text"]
    total = int(re.search(r"page 1 of (\d+)", footer).group(1))
    assert total >= 2
    for n in range(2, total + 1):
        click = await double.send_component(message, buttons[1]["custom_id"])
        edit = await double.wait_for_interaction_response(click, "callback")
        assert edit.json["type"] == 7  # the message itself is updated
        pages.append(edit.json["data"]["embeds"][0])
        assert pages[-1]["footer"]["text"].startswith(f"page {n} of {total}")
        message = double.get_message(message["id"])
    last_buttons = [c for row in message["components"] for c in row["components"]]
    assert last_buttons[1]["disabled"] and not last_buttons[0]["disabled"]
    assert message["attachments"][0]["filename"] == "timeline.png"  # the picture stays as pages turn
    days = []
    for page in pages:
        assert len(page["description"]) <= 4096
        for block in page["description"].split("\n\n"):  # each page holds whole developments
            assert DAY.match(block), block[:80]
            assert LINK.search(block.splitlines()[-1] if "also carried" not in block else block), block
        days += days_shown(page["description"])
    assert days == [f"{n} May 2026" for n in range(1, FIRE_DAYS + 1)]  # every day once, in order, the latest last


async def test_timeline_of_something_not_held_says_so(double: DiscordDouble, eventbot: EventBot) -> None:
    _, followup = await timeline(double, "best recipe for banana bread with walnuts")
    assert followup.content.startswith("I found nothing about that in the 14 articles I hold. They come from")
    assert not followup.files and not followup.embeds


async def test_events_lists_the_stories_most_recent_first(double: DiscordDouble, eventbot: EventBot) -> None:
    interaction = await double.send_slash_command("events")
    followup = await double.wait_for_interaction_response(interaction, "followup")
    (embed,) = followup.embeds
    lines = embed["description"].splitlines()
    assert len(lines) >= 3
    text = message_text(followup)
    assert text.index("Saltmarch") < text.index("Velmora")  # the strike ended in April, the dam story in March
    assert re.search(r"Dam breach floods Velmora.*4 Mar 2026 – 19 Mar 2026 · \d+ articles, 3 outlets", text)
