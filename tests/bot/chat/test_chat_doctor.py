"""`eventbot doctor`'s Discord check (bot.chat.doctor): the slash commands the Discord double holds for the
bot against the ones it defines, before and after `eventbot run` syncs them, and when Discord says no."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.chat.client import EventBot
from bot.chat.doctor import registered_commands
from bot.cli import app
from bot.config import Config, DiscordConfig, EmbeddingConfig
from bot.corpora import Corpora
from bot.doctor import Status
from tests.discord_double import DiscordDouble, patch_discord_py, running_client

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"  # shaped like one, not one
COMMANDS = ["add", "ask", "events", "feed", "gaps", "reindex", "remove", "settings", "sources", "stats", "timeline"]

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def double(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble(token=TOKEN) as d:
        patch_discord_py(monkeypatch, d)
        yield d
    d.check()


def config(tmp_path: Path, guild_ids: list[int]) -> Config:
    return Config(data_dir=tmp_path / "data", embedding=EmbeddingConfig(model="hash"),
                  discord=DiscordConfig(guild_ids=guild_ids))


async def sync_as_run_does(cfg: Config, double: DiscordDouble) -> None:
    bot = EventBot(Corpora(cfg.data_dir, cfg, "per_guild"), cfg.discord, guild_ready_timeout=0.05)
    async with running_client(bot, double):  # logging in syncs the commands (setup_hook)
        pass


async def test_missing_then_synced_then_stale_commands(double: DiscordDouble, tmp_path: Path) -> None:
    cfg = config(tmp_path, [double.guild_id])
    [before] = await registered_commands(cfg, SecretStr(TOKEN))
    assert before.status is Status.WARN
    assert before.detail == (f"server {double.guild_id}: missing " + ", ".join(f"/{c}" for c in COMMANDS)
                             + ", “Ask eventbot about this” (message menu)")
    assert "eventbot run --sync" in before.fix

    await sync_as_run_does(cfg, double)
    [synced] = await registered_commands(cfg, SecretStr(TOKEN))
    assert synced.status is Status.OK, synced.detail
    assert synced.detail == f"server {double.guild_id}: the 12 commands Discord holds are the bot's"

    # Changed behind the bot's back: a description edited, an option dropped, one deleted, an old one left.
    held = double.commands[double.guild_id]
    ask = next(c for c in held if c["name"] == "ask")
    ask["options"] = [o for o in ask["options"] if o["name"] != "speaker"]
    next(c for c in held if c["name"] == "sources")["description"] = "An older wording"
    held.remove(next(c for c in held if c["name"] == "stats"))
    held.append({**ask, "name": "summarise", "id": "1"})
    [stale] = await registered_commands(cfg, SecretStr(TOKEN))
    assert stale.status is Status.WARN and "--sync" in stale.fix
    assert stale.detail == (f"server {double.guild_id}: missing /stats; stale /ask (options differ), "
                            "/sources (description differ); no longer defined /summarise")


async def test_global_commands_and_what_discord_refuses(double: DiscordDouble, tmp_path: Path) -> None:
    [none] = await registered_commands(config(tmp_path, []), SecretStr(TOKEN))
    assert none.status is Status.WARN and none.detail.startswith("global: missing /add, /ask")
    await sync_as_run_does(config(tmp_path, []), double)
    [synced] = await registered_commands(config(tmp_path, []), SecretStr(TOKEN))
    assert synced.status is Status.OK and synced.detail.startswith("global: the 12 commands")

    # A server the bot is not in: Discord answers 403 for it; the others are still checked.
    other = 987654321098765432
    not_in, ok = await registered_commands(config(tmp_path, [other, double.guild_id]), SecretStr(TOKEN))
    assert not_in.status is Status.FAIL and f"server {other}" in not_in.detail and "403" in not_in.detail
    assert "applications.commands" in not_in.fix and ok.status is Status.WARN  # nothing synced to the guild yet

    [rejected] = await registered_commands(config(tmp_path, []), SecretStr(TOKEN[:-2] + "xy"))
    assert rejected.status is Status.FAIL and rejected.detail == "Discord rejected DISCORD_TOKEN"
    assert "Reset Token" in rejected.fix and TOKEN[:-2] not in rejected.detail

    await double.stop()
    [unreachable] = await registered_commands(config(tmp_path, []), SecretStr(TOKEN))
    assert unreachable.status is Status.WARN and "not checked" in unreachable.detail


async def test_the_command_line_reports_the_check_or_why_it_was_skipped(
        double: DiscordDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"embedding:\n  model: hash\ndiscord:\n  guild_ids: [{double.guild_id}]\n")
    runner = CliRunner()

    def doctor(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["doctor", "--config", str(path), *args])
        return result.exit_code, result.output

    code, out = await asyncio.to_thread(doctor)  # the double answers on this loop meanwhile
    assert code == 0 and "skip registered commands: skipped: DISCORD_TOKEN is not set" in out

    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    code, out = await asyncio.to_thread(doctor)
    assert code == 0 and "warn registered commands: server" in out and "missing /add" in out
    assert "fix: run `eventbot run --sync`" in out and TOKEN not in out

    code, out = await asyncio.to_thread(doctor, "--offline")
    assert code == 0 and "registered commands" not in out
