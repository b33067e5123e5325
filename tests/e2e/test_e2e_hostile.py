"""Hostile links through /add must not slow the answers: eight links to a server dripping its headers a
byte at a time are in flight while questions are asked (issue 15).

Before: each such fetch ran as long as the server kept dripping (the whole-fetch deadline was checked
only once the headers had arrived), in the default thread pool that /ask shares; six of them filled it.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.client import EventBot
from bot.config import Config, load_config
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import PROGRESS_INTERVAL, PageServer, _config_dict, ask, message_text
from tests.hostile import RawServer, drip_headers

pytestmark = pytest.mark.asyncio

FETCH_TIMEOUT = 2.0
HOSTILE_LINKS = 8


@pytest.fixture
def hostile() -> Iterator[RawServer]:
    with RawServer(drip_headers(seconds=30)) as server:
        yield server


@pytest.fixture
def config(tmp_path: Path, pages: PageServer, double: DiscordDouble, hostile: RawServer) -> Config:
    """The end-to-end config, with the dripping server allowed and a short fetch timeout."""
    path = tmp_path / "config.yaml"
    raw = _config_dict(
        fetch={"allowed_private_hosts": ["127.0.0.1"], "allowed_ports": [pages.port, hostile.port],
               "timeout_seconds": FETCH_TIMEOUT},
        discord={"guild_ids": [double.guild_id], "ask_cooldown_seconds": 0, "add_cooldown_seconds": 0,
                 "progress_interval": PROGRESS_INTERVAL},
    )
    path.write_text(json.dumps(raw), encoding="utf-8")
    return load_config(path)


async def test_eight_dripping_links_leave_questions_answered_at_once(double: DiscordDouble, eventbot: EventBot,
                                                                    hostile: RawServer) -> None:
    started = time.monotonic()
    adds = [await double.send_slash_command("add", {"url": hostile.url(f"/slow/{n}")}, user="moderator")
            for n in range(HOSTILE_LINKS)]
    while hostile.connections < min(HOSTILE_LINKS, 4) and time.monotonic() - started < 5:
        await asyncio.sleep(0.01)

    waits = []
    while time.monotonic() - started < FETCH_TIMEOUT:  # while the first fetches are dripping
        before = time.monotonic()
        _, followup = await ask(double, "How many residents were evacuated after the Velmora dam breach?")
        waits.append(time.monotonic() - before)
        assert "1,200 residents" in message_text(followup)
    p99 = statistics.quantiles(waits, n=100)[98] if len(waits) > 1 else waits[0]
    print(f"/ask with {HOSTILE_LINKS} dripping links in flight: {len(waits)} questions, "
          f"median {statistics.median(waits) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms")
    assert p99 < 1.0

    for interaction in adds:  # every hostile /add ends with a clear failure, each within its deadline
        followup = await double.wait_for_interaction_response(interaction, "followup", timeout=4 * FETCH_TIMEOUT + 5)
        assert f"took longer than {FETCH_TIMEOUT:g} s" in message_text(followup)
    assert time.monotonic() - started < 2 * (FETCH_TIMEOUT + 1) + 3  # two rounds of the /add pool at most
