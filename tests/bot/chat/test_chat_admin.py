"""/reindex and /stats: admins only; the rebuild runs in a thread, with progress, while questions are answered."""

from __future__ import annotations

import asyncio
import threading
import time

from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.chat.client import EventBot
from bot.chat.cogs.admin import Admin
from bot.chat.cogs.ask import Ask
from bot.service import EventService
from tests.bot.chat.conftest import ADMIN, MODERATOR, invoke, make_interaction, only_message

pytestmark = pytest.mark.asyncio


def slow_rebuild(service: EventService, monkeypatch: pytest.MonkeyPatch, steps: int = 4, pause: float = 0.06,
                 started: threading.Event | None = None, release: threading.Event | None = None) -> None:
    """Make reindex report progress over `steps * pause` seconds (and wait for `release`) before the real rebuild."""
    real = service.reindex

    def reindex(progress=None):  # noqa: ANN001, ANN202
        def wrapped(done: int, total: int) -> None:
            if started is not None:
                started.set()
            for step in range(steps):
                if progress:
                    progress(step, total)
                time.sleep(pause)
            if release is not None:
                release.wait(5)
            if progress:
                progress(done, total)

        return real(wrapped)

    monkeypatch.setattr(service, "reindex", reindex)


async def test_reindex_edits_progress_then_says_done(bot: EventBot, loaded: EventService,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    slow_rebuild(loaded, monkeypatch)
    cog = Admin(bot)
    interaction = make_interaction(bot, roles=ADMIN, command="reindex")
    await invoke(cog.reindex, cog, interaction)
    interaction.response.defer.assert_awaited_once_with(thinking=True)
    edits = [c.kwargs["content"] for c in interaction.edit_original_response.await_args_list]
    assert any(e.startswith("Rebuilding the index: ") and " of 3 articles, " in e for e in edits[:-1]), edits
    assert edits[-1].startswith("Rebuilt the index: done. 8 passages of 3 articles in ")
    assert loaded.stats().indexed == 8


async def test_questions_are_answered_and_the_loop_keeps_beating_during_a_rebuild(
        bot: EventBot, loaded: EventService, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    slow_rebuild(loaded, monkeypatch, steps=2, pause=0.05, started=started, release=release)
    admin, ask = Admin(bot), Ask(bot)
    gaps: list[float] = []

    async def heartbeat() -> None:  # stands in for the gateway heartbeat: must never stall
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    rebuild = asyncio.create_task(invoke(admin.reindex, admin, make_interaction(bot, roles=ADMIN, command="reindex")))
    await asyncio.to_thread(started.wait, 5)
    asks = [make_interaction(bot, user_id=i) for i in range(20)]
    await asyncio.gather(*(ask.ask.callback(ask, i, question="artillery fire near the Kastro bridge") for i in asks))
    assert loaded.rebuilding and not rebuild.done()  # all twenty answered while the rebuild was held open
    release.set()
    await rebuild
    beating.cancel()
    assert all("embeds" in only_message(i) for i in asks)
    # Had the rebuild run on the event loop, nothing could have been answered until `release` timed out.
    assert max(gaps) < 1.0


async def test_a_second_rebuild_is_refused_while_one_runs(bot: EventBot, loaded: EventService) -> None:
    cog = Admin(bot)
    interaction = make_interaction(bot, roles=ADMIN, command="reindex")
    loaded.index._rebuilding.acquire()
    try:
        await invoke(cog.reindex, cog, interaction)
    finally:
        loaded.index._rebuilding.release()
    message = only_message(interaction)
    assert (message["content"], message["ephemeral"]) == ("A rebuild is already running; try again when it is done",
                                                          True)


@pytest.mark.parametrize("command", ["reindex", "stats"])
async def test_moderators_are_not_admins(bot: EventBot, loaded: EventService, command: str) -> None:
    cog = Admin(bot)
    interaction = make_interaction(bot, roles=MODERATOR, permissions=discord.Permissions(manage_messages=True),
                                   command=command)
    await invoke(getattr(cog, command), cog, interaction)
    assert only_message(interaction)["content"] == "Only admins can use that command."
    interaction.response.defer.assert_not_awaited()


async def test_stats_for_admins(bot: EventBot, loaded: EventService) -> None:
    cog = Admin(bot)
    interaction = make_interaction(bot, permissions=discord.Permissions(administrator=True), command="stats")
    await invoke(cog.stats, cog, interaction)
    message = only_message(interaction)
    assert message["ephemeral"] is True
    assert "**Articles:** 3" in message["content"] and "Harbour Watch (1)" in message["content"]


async def test_a_rebuild_outliving_the_interaction_reports_in_the_channel(bot: EventBot, loaded: EventService) -> None:
    cog = Admin(bot)
    interaction = make_interaction(bot, roles=ADMIN, command="reindex")
    expired = discord.HTTPException(type("Response", (), {"status": 401, "reason": "Unauthorized"})(),
                                    {"code": 50027, "message": "Invalid Webhook Token"})
    interaction.edit_original_response.side_effect = expired
    interaction.channel = MagicMock(spec=discord.TextChannel)
    interaction.channel.send = AsyncMock()
    interaction.user.mention = "<@1001>"
    await invoke(cog.reindex, cog, interaction)
    text = interaction.channel.send.await_args.args[0]
    assert text.startswith("<@1001> ") and "Rebuilt the index: done. 8 passages of 3 articles" in text
    assert interaction.channel.send.await_args.kwargs["allowed_mentions"].users == [interaction.user]
