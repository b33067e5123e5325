"""The one place errors become replies: known ones a short ephemeral message, the rest logged."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.chat import render
from bot.errors import USER_ERRORS

log = logging.getLogger(__name__)


class Refused(app_commands.CheckFailure):
    """The member may not run this command; the message says who may."""


def unwrap(error: BaseException) -> BaseException:
    """The error a command raised, out of discord.py's wrapper."""
    while isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return error


def describe(error: BaseException) -> str | None:
    """The message to show for a known error, in order of precedence; None for an unexpected one."""
    error = unwrap(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return render.cooldown(error.retry_after)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works only in a server."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I lack the permission to do that here ({', '.join(error.missing_permissions)})."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) if isinstance(error, Refused) else "You cannot use that command here."
    if isinstance(error, app_commands.TransformerError):
        return "That value is not one this command accepts."
    if isinstance(error, USER_ERRORS):
        text = render.escape(str(error)) or type(error).__name__
        return render.fit(text[:1].upper() + text[1:])
    return None


async def reply(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral message, as the response or, once responded, as a followup."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
    except discord.HTTPException as e:  # the interaction expired, or Discord is unwell: nothing more to do
        log.warning("could not tell %s about an error: %s", interaction.user, e)


async def handle(interaction: discord.Interaction, error: BaseException) -> None:
    """Turn any error of a command (or a button) into a reply; log the unexpected with its traceback."""
    text = describe(error)
    if text is None:
        original = unwrap(error)
        command = interaction.command.qualified_name if interaction.command else "a component"
        log.error("/%s failed for %s (%s)", command, interaction.user, interaction.user.id,
                  exc_info=(type(original), original, original.__traceback__))
        text = render.SOMETHING_WRONG
    await reply(interaction, text)
