"""The bot itself: its commands, their sync, and `eventbot run`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest.mock import AsyncMock

import discord
from discord import app_commands
import pytest
from typer.testing import CliRunner

from bot.chat.client import EXTENSIONS, EventBot
from bot.cli import app
from bot.config import DiscordConfig
from bot.service import EventService


async def loaded_bot(service: EventService, settings: DiscordConfig = DiscordConfig(), **kw: object) -> EventBot:
    bot = EventBot(service, settings, **kw)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    bot._connection.application_id = 1234
    bot.tree.sync = AsyncMock(return_value=[])
    return bot


@pytest.mark.asyncio
async def test_commands_and_who_sees_them(service: EventService) -> None:
    bot = await loaded_bot(service)
    commands = {c.name: c for c in bot.tree.get_commands(type=discord.AppCommandType.chat_input)}
    assert set(commands) == {"ask", "add", "remove", "sources", "reindex", "stats", "gaps", "settings", "feed", "timeline", "events"}
    menus = {c.name: c for c in bot.tree.get_commands(type=discord.AppCommandType.message)}
    assert set(menus) == {"Ask eventbot about this"} and menus["Ask eventbot about this"].default_permissions is None
    assert commands["ask"].default_permissions is None
    assert {c.name for c in commands["feed"].commands} == {"add", "list", "remove"}
    for sub in commands["feed"].commands:  # a subcommand's own default permissions are not sent: checked when run
        assert [c.__qualname__ for c in sub.checks][0] == "_moderator"
    for name in ("add", "remove", "sources", "gaps", "feed"):
        assert commands[name].default_permissions == discord.Permissions(manage_messages=True)
        assert commands[name].guild_only
    for name in ("reindex", "stats", "settings"):
        assert commands[name].default_permissions == discord.Permissions(administrator=True)
    assert [p.name for p in commands["ask"].parameters] == ["question", "k", "source", "since", "until", "speaker"]
    leaves = [*bot.tree.walk_commands()]
    assert all(c.description for c in leaves)
    assert all(p.description != "\u2026" for c in leaves if isinstance(c, app_commands.Command) for p in c.parameters)
    # Run-time checks: the permission check before the cooldown, so a refusal costs no cooldown.
    assert [c.__qualname__ for c in commands["add"].checks] == ["_moderator", "cooldown.<locals>.predicate"]
    # A channel the server's admins did not choose refuses /ask before the cooldown counts it.
    assert [c.__qualname__ for c in commands["ask"].checks] == ["answered_channels_only.<locals>.predicate",
                                                               "cooldown.<locals>.predicate"]
    assert all(sub.checks for sub in commands["settings"].commands)  # every /settings subcommand: admins only
    assert not bot.intents.message_content and not bot.intents.members and not bot.intents.presences


@pytest.mark.asyncio
async def test_commands_sync_only_when_they_changed(service: EventService, tmp_path: Path) -> None:
    state = tmp_path / "synced.json"
    bot = await loaded_bot(service, DiscordConfig(guild_ids=[111, 222]), sync_state=state)
    assert await bot.sync_commands() == ["111", "222"]
    assert bot.tree.sync.await_count == 2
    again = await loaded_bot(service, DiscordConfig(guild_ids=[111, 222]), sync_state=state)
    assert await again.sync_commands() == []
    changed = await loaded_bot(service, DiscordConfig(guild_ids=[111, 222]), sync_state=state)
    changed.tree.remove_command("stats")
    assert await changed.sync_commands() == ["111", "222"]
    forced = await loaded_bot(service, DiscordConfig(guild_ids=[111]), sync_state=state, force_sync=True)
    assert await forced.sync_commands() == ["111"]
    assert await (await loaded_bot(service)).sync_commands() == ["global"]  # no state file: always


def test_settings_are_the_config_section(service: EventService) -> None:
    cfg = DiscordConfig(guild_ids=[5], moderator_roles=["Desk"], admin_roles=["Boss"], answer_in_thread=True,
                        ask_cooldown_seconds=2, add_cooldown_seconds=3)
    bot = EventBot(service, cfg)
    assert bot.settings is cfg
    assert (bot.cooldowns["ask"].per, bot.cooldowns["add"].per) == (2, 3)
    assert EventBot(service).settings == DiscordConfig()  # the defaults are bot.config's
    assert (DiscordConfig().progress_interval, DiscordConfig().page_size) == (2.0, 10)


runner = CliRunner()


def test_run_without_a_token_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: DISCORD_TOKEN is not set") and "Traceback" not in result.stderr


def test_run_with_a_rejected_token_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    async def rejected(self: EventBot, token: str, *, reconnect: bool = True) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    monkeypatch.setattr(EventBot, "start", rejected)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2, result.output
    assert "error: Discord rejected DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert "not-a-token" not in result.output + result.stderr


def test_service_and_cli_do_not_import_discord() -> None:
    code = "import sys, bot.service, bot.cli, bot.config, bot.chat.cooldown; print('discord' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "False"
