"""The error handler and the permission checks."""

from __future__ import annotations

import logging
from unittest.mock import MagicMock

import discord
import pytest
from discord import app_commands

from bot.chat import errors, render
from bot.chat.checks import is_admin, is_moderator
from bot.chat.client import EventBot
from bot.chat.cooldown import UserCooldown
from bot.chat.errors import Refused
from bot.config import DiscordConfig
from bot.errors import RebuildRunning
from retrieval.errors import BadFilter, EmptyQuestion
from corpus.errors import ArticleNotFound, DuplicateArticle, FetchFailed, FetchRefused, NotAnArticle
from index.errors import ModelMismatch
from tests.bot.chat.conftest import make_interaction, only_message


def wrapped(error: Exception) -> app_commands.CommandInvokeError:
    return app_commands.CommandInvokeError(MagicMock(), error)


@pytest.mark.parametrize(("error", "expected"), [
    (FetchFailed("could not fetch https://x.example/a: the server answered 404 Not Found"),
     "Could not fetch <https://x.example/a>: the server answered 404 Not Found"),
    (FetchRefused("refused: only http and https links can be added"),
     "Refused: only http and https links can be added"),
    (NotAnArticle("that page holds no article text"), "That page holds no article text"),
    (DuplicateArticle("already held as article 3: Dam", 3), "Already held as article 3: Dam"),
    (ArticleNotFound("no held article matches '9'"), "No held article matches '9'"),
    (RebuildRunning("a rebuild is already running"), "A rebuild is already running"),
    (BadFilter("since must be a date"), "Since must be a date"),
    (EmptyQuestion("ask a question with some words in it"), "Ask a question with some words in it"),
    (ModelMismatch("built with another model; run eventbot reindex"), "Built with another model; run eventbot reindex"),
    (NotAnArticle("@everyone <@123456789012345678> **x**"),
     f"@{render.ZWSP}everyone <{render.ZWSP}@{render.ZWSP}123456789012345678> \\*\\*x\\*\\*"),
    (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 5), 3.2),
     "Slow down a little: you can do that again in 4 s."),
    (app_commands.NoPrivateMessage(), "That command works only in a server."),
    (Refused("Only moderators can use that command."), "Only moderators can use that command."),
    (app_commands.CheckFailure("internal detail"), "You cannot use that command here."),
])
def test_known_errors_become_short_messages(error: Exception, expected: str) -> None:
    assert errors.describe(error) == expected
    assert errors.describe(wrapped(error)) == expected


def test_unexpected_errors_are_not_described() -> None:
    assert errors.describe(wrapped(RuntimeError("boom"))) is None
    assert errors.describe(KeyError("x")) is None


@pytest.mark.asyncio
async def test_known_error_before_any_response_is_an_ephemeral_response(bot: EventBot) -> None:
    interaction = make_interaction(bot)
    await errors.handle(interaction, wrapped(BadFilter("since must be a date")))
    interaction.response.send_message.assert_awaited_once()
    assert interaction.response.send_message.await_args.kwargs["ephemeral"] is True
    interaction.followup.send.assert_not_awaited()


@pytest.mark.asyncio
async def test_unexpected_error_after_defer_is_logged_and_followed_up(bot: EventBot,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    interaction = make_interaction(bot, user_id=55, command="ask")
    await interaction.response.defer(thinking=True)
    try:
        raise ZeroDivisionError("division by zero in the cog")
    except ZeroDivisionError as e:
        error = wrapped(e)
    with caplog.at_level(logging.ERROR):
        await errors.handle(interaction, error)
    message = only_message(interaction)
    assert (message["content"], message["ephemeral"]) == ("Something went wrong; it has been logged.", True)
    record = caplog.records[-1]
    assert record.getMessage() == "/ask failed for member55 (55)"
    assert record.exc_info[0] is ZeroDivisionError and "Traceback" in caplog.text


@pytest.mark.asyncio
async def test_an_expired_interaction_is_only_logged(bot: EventBot, caplog: pytest.LogCaptureFixture) -> None:
    interaction = make_interaction(bot)
    interaction.response.send_message.side_effect = discord.NotFound(MagicMock(status=404), "Unknown interaction")
    with caplog.at_level(logging.WARNING):
        await errors.handle(interaction, wrapped(BadFilter("x")))
    assert "could not tell" in caplog.text


# -- who may ----------------------------------------------------------------------------------------


def member(*roles: str) -> MagicMock:
    user = MagicMock(spec=discord.Member)
    user.roles = []
    for name in roles:
        role = MagicMock(spec=discord.Role)
        role.name = name
        user.roles.append(role)
    return user


SETTINGS = DiscordConfig(moderator_roles=["Moderator", "News desk"], admin_roles=["Admin"])
NONE = discord.Permissions.none()


@pytest.mark.parametrize(("user", "permissions", "moderator", "admin"), [
    (member(), NONE, False, False),
    (member("Member", "Verified"), NONE, False, False),
    (member("Moderator"), NONE, True, False),
    (member("news desk"), NONE, True, False),
    (member("Admin"), NONE, True, True),
    (member(), discord.Permissions(manage_messages=True), True, False),
    (member(), discord.Permissions(administrator=True), True, True),
])
def test_roles_and_permissions(user: MagicMock, permissions: discord.Permissions, moderator: bool, admin: bool) -> None:
    assert is_moderator(user, permissions, SETTINGS) is moderator
    assert is_admin(user, permissions, SETTINGS) is admin


def test_cooldown_is_per_user_and_expires() -> None:
    now = [100.0]
    cooldown = UserCooldown(5, clock=lambda: now[0])
    assert cooldown.hit(1) is None and cooldown.hit(2) is None
    assert cooldown.hit(1) == pytest.approx(5)
    now[0] += 4
    assert cooldown.hit(1) == pytest.approx(1)
    now[0] += 1
    assert cooldown.hit(1) is None
    assert UserCooldown(0).hit(1) is None and UserCooldown(0).hit(1) is None
