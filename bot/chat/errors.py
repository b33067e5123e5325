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
    """An ephemeral message: as the response; once deferred, in place of the "thinking" message; else a followup.

    After a deferred response Discord shows the first followup with the deferral's visibility, ignoring its
    ephemeral flag: an error after a public deferral would be shown to the whole channel. So a still
    "thinking" ephemeral deferral is edited into the message, and a public one deleted before the followup.
    """
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
            return
        if await _replaced_thinking(interaction, text):
            return
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
    except discord.HTTPException as e:  # the interaction expired, or Discord is unwell: nothing more to do
        log.warning("could not tell %s about an error: %s", interaction.user, e)


async def _replaced_thinking(interaction: discord.Interaction, text: str) -> bool:
    """True if the deferred "thinking" message now says `text` (an ephemeral deferral); a public one is
    deleted (False: the caller's followup then stands alone, and is ephemeral)."""
    if interaction.response.type is not discord.InteractionResponseType.deferred_channel_message:
        return False
    original = await interaction.original_response()
    if not original.flags.loading:  # already answered: later followups keep their own visibility
        return False
    if original.flags.ephemeral:
        await interaction.edit_original_response(content=text, embeds=[], attachments=[], view=None,
                                                 allowed_mentions=render.NO_MENTIONS)
        return True
    await interaction.delete_original_response()
    return False


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
