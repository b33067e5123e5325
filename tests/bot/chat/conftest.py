"""Fakes for driving cogs without Discord: a bot over the real service, and mock interactions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord import app_commands

from bot.chat import errors
from bot.chat.client import EventBot
from bot.config import DiscordConfig
from bot.service import EventService
from tests.articles import ALL, write_json

MODERATOR = ("Moderator",)
ADMIN = ("Admin",)
GUILD = 4242  # the server the fake interactions come from


@pytest.fixture
def settings() -> DiscordConfig:
    return DiscordConfig(ask_cooldown_seconds=0, add_cooldown_seconds=0, progress_interval=0.02)


@pytest.fixture
def bot(service: EventService, settings: DiscordConfig) -> EventBot:
    return EventBot(service, settings)


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    report = service.import_file(write_json(tmp_path / "articles.json", ALL))
    assert report.added == 3
    return service


def make_interaction(bot: EventBot, *, user_id: int = 1001, roles: Iterable[str | tuple[int, str]] = (),
                     permissions: discord.Permissions | None = None, in_guild: bool = True,
                     command: str = "ask", guild_id: int = GUILD) -> MagicMock:
    """An interaction as a slash command delivers it; `response.is_done()` follows defer/send_message.
    A role is a name, or (id, name)."""
    interaction = MagicMock(spec=discord.Interaction)
    interaction.client = bot
    user = MagicMock(spec=discord.Member)
    user.id = user_id
    user.bot = False
    user.__str__.return_value = f"member{user_id}"
    user.roles = []
    for n, given in enumerate(roles):
        role = MagicMock(spec=discord.Role)
        role.id, role.name = given if isinstance(given, tuple) else (900 + n, given)
        user.roles.append(role)
    interaction.user = user
    interaction.permissions = permissions or discord.Permissions.none()
    interaction.guild = MagicMock(spec=discord.Guild) if in_guild else None
    interaction.guild_id = guild_id if in_guild else None
    interaction.channel = None
    interaction.command = MagicMock()
    interaction.command.qualified_name = command

    done = {"value": False}

    async def respond(*args: Any, **kwargs: Any) -> None:
        done["value"] = True

    response = MagicMock()
    response.is_done.side_effect = lambda: done["value"]
    response.defer = AsyncMock(side_effect=respond)
    response.send_message = AsyncMock(side_effect=respond)
    response.edit_message = AsyncMock(side_effect=respond)
    interaction.response = response
    interaction.followup = AsyncMock()
    interaction.edit_original_response = AsyncMock()
    return interaction


async def invoke(command: app_commands.Command, cog: Any, interaction: MagicMock, **params: Any) -> None:
    """What the command tree does: the command's checks in order, then its callback; errors to the handler."""
    try:
        for check in command.checks:
            if not await discord.utils.maybe_coroutine(check, interaction):
                raise app_commands.CheckFailure("check failed")
        try:
            await command.callback(cog, interaction, **params)
        except app_commands.AppCommandError:
            raise
        except Exception as e:
            raise app_commands.CommandInvokeError(command, e) from e
    except app_commands.AppCommandError as e:
        await errors.handle(interaction, e)


def sent(mock: AsyncMock) -> list[dict[str, Any]]:
    """Every call's arguments, the first positional one as `content`."""
    out = []
    for call in mock.await_args_list:
        kwargs = dict(call.kwargs)
        if call.args:
            kwargs["content"] = call.args[0]
        out.append(kwargs)
    return out


def only_message(interaction: MagicMock) -> dict[str, Any]:
    """The one message the interaction produced (a response or a followup)."""
    messages = sent(interaction.response.send_message) + sent(interaction.followup.send)
    assert len(messages) == 1, messages
    return messages[0]
