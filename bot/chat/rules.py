"""The channel settings of a server (bot.server_settings) applied to Discord objects: where the bot answers,
whether in a thread, and which forum posts it answers by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.chat.errors import Refused
from bot.server_settings import ServerSettings

if TYPE_CHECKING:
    from bot.chat.client import EventBot

T = TypeVar("T")


def settings_for(bot: EventBot, guild_id: int | None) -> ServerSettings | None:
    return bot.server_settings.get(guild_id) if guild_id is not None else None


def _parent_id(channel: object) -> int | None:
    return getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None


def answers_in(bot: EventBot, guild_id: int | None, channel: object) -> bool:
    """Whether the bot answers in `channel` (always in direct messages)."""
    settings = settings_for(bot, guild_id)
    return settings is None or settings.answers_in(getattr(channel, "id", None), _parent_id(channel))


def in_thread(bot: EventBot, guild_id: int | None, channel: object) -> bool:
    """Whether an answer in `channel` goes in a new thread (only a text channel can hold one)."""
    settings = settings_for(bot, guild_id)
    if settings is None or not isinstance(channel, discord.TextChannel):
        return False
    return settings.in_thread(channel.id, bot.settings.answer_in_thread)


def is_auto_answered_post(bot: EventBot, message: discord.Message) -> bool:
    """A new forum post's starter message, in a forum whose posts the bot answers by itself."""
    channel = message.channel
    if not isinstance(channel, discord.Thread) or message.id != channel.id or message.guild is None:
        return False
    settings = settings_for(bot, message.guild.id)
    return settings is not None and settings.auto_answers(channel.parent_id)


def where_answered(settings: ServerSettings) -> str:
    return ", ".join(f"<#{c}>" for c in settings.answer_channels)


def answered_channels_only() -> Callable[[T], T]:
    """Refuse a command in a channel the server's admins did not list for answers (`/settings answer-in`)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        bot: EventBot = interaction.client  # type: ignore[assignment]
        if answers_in(bot, interaction.guild_id, interaction.channel):
            return True
        settings = settings_for(bot, interaction.guild_id)
        assert settings is not None
        raise Refused(f"I answer questions only in {where_answered(settings)} on this server.")

    return app_commands.check(predicate)
