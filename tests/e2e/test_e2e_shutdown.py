"""`eventbot run` stopped by SIGTERM (`docker stop`, systemd) shuts down gracefully: it stops taking
commands, lets the work in flight end, publishes the index, closes the store and exits 0 (issue 15).

Before: no handler (discord.py's `run` catches only KeyboardInterrupt), so SIGTERM killed the process
without saving the index.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.config import Config
from corpus.store import ArticleStore
from index.embedder import HashEmbedder
from index.hybrid import Generations, HybridIndex
from tests.discord_double import CommandNotAvailable, DiscordDouble
from tests.e2e.conftest import PageServer, message_text
from tests.e2e.pages import FERRY, article_html
from tests.hostile import RawServer, drip_headers

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(double: DiscordDouble, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "DISCORD_TOKEN": double.token, "DISCORD_API_BASE": double.api_base,
           "DISCORD_GATEWAY": double.gateway_url, "EVENTBOT_CONFIG": str(tmp_path / "config.yaml"),
           "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.e2e.run_driver", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def until_answering(double: DiscordDouble, bot: asyncio.subprocess.Process, timeout: float = 60) -> None:
    """Wait for the child to sync its commands, connect and answer a question."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if bot.returncode is not None:
            raise AssertionError(f"the bot exited with {bot.returncode}: {(await bot.stderr.read()).decode()}")
        try:
            interaction = await double.send_slash_command("ask", {"question": "Velmora dam evacuated residents"})
        except (CommandNotAvailable, RuntimeError, LookupError):  # not connected, or commands not synced yet
            await asyncio.sleep(0.2)
            continue
        try:
            await double.wait_for_interaction_response(interaction, "followup", timeout=10)
            return
        except (TimeoutError, asyncio.TimeoutError):
            continue
    raise AssertionError("the bot never answered")


async def test_sigterm_finishes_work_in_flight_saves_the_index_and_exits_0(
        double: DiscordDouble, config: Config, data: Path, pages: PageServer, tmp_path: Path) -> None:
    hostile = RawServer(drip_headers(seconds=30))
    # The dripping server must be allowed too: the config the child reads, rewritten with its port.
    raw = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        raw.replace(f'"allowed_ports": [{pages.port}]', f'"allowed_ports": [{pages.port}, {hostile.port}], '
                                                         '"timeout_seconds": 2'), encoding="utf-8")
    bot = await start_bot(double, tmp_path)
    try:
        await until_answering(double, bot)
        # An article added just before: fewer passages than the save cadence, so not yet written.
        url = pages.add("ferry", article_html(**FERRY))
        added = await double.send_slash_command("add", {"url": url}, user="moderator")
        assert "Added" in message_text(await double.wait_for_interaction_response(added, "followup", timeout=20))
        # A slow link in flight when the signal comes.
        slow = await double.send_slash_command("add", {"url": hostile.url("/slow")}, user="moderator")
        while hostile.connections < 1:
            await asyncio.sleep(0.01)

        signalled = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), timeout=30)
        stopped = time.monotonic() - signalled
    finally:
        hostile.close()
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    err_text = err.decode()
    print(f"\nSIGTERM to exit: {stopped:.1f} s")
    assert bot.returncode == 0, err_text
    assert "Traceback" not in err_text, err_text
    # The /add in flight was finished, not dropped: its moderator was told how it ended.
    assert "took longer than 2 s" in message_text(await double.wait_for_interaction_response(slow, "followup"))
    # The index on disk holds every stored passage, the ferry article's included.
    store = ArticleStore(data / "corpus.sqlite3")
    try:
        stored = set(store.passage_ids())
        assert any(a.title == FERRY["title"] for a in store.articles())
    finally:
        store.close()
    folder = Generations(data / "index").current()
    assert HybridIndex.load(folder, HashEmbedder(), config.index, config.retrieval).ids() == stored


async def test_commands_arriving_during_shutdown_are_turned_away(double: DiscordDouble, eventbot) -> None:  # noqa: ANN001
    eventbot.closing = True
    interaction = await double.send_slash_command("ask", {"question": "Velmora dam evacuated residents"})
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert "restarting" in callback.json["data"]["content"] and callback.json["data"]["flags"] & 64
    await double.send_message("Velmora dam evacuated residents", mention_bot=True)
    await asyncio.sleep(0.3)
    assert not [r for r in double.requests if r.method == "POST" and r.path.endswith("/messages")]
