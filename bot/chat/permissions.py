"""The bot's own permissions where it is about to answer: what is missing, by the names Discord shows."""

from __future__ import annotations

import discord

# Permission attribute -> the name in Discord's channel settings.
NAMES = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "attach_files": "Attach Files",
    "add_reactions": "Add Reactions",
}
TO_ANSWER = ("embed_links",)  # answers are embeds: without this Discord drops them, silently
TO_POST = ("view_channel", "send_messages")
TO_POST_IN_THREAD = ("view_channel", "send_messages_in_threads")
TO_OPEN_THREAD = ("create_public_threads", "send_messages_in_threads")


def missing(permissions: discord.Permissions, wanted: tuple[str, ...]) -> list[str]:
    """The names of the permissions in `wanted` that `permissions` lacks (none with Administrator)."""
    if permissions.administrator:
        return []
    return [NAMES[name] for name in wanted if not getattr(permissions, name)]


def in_channel(channel: discord.abc.Messageable, guild: discord.Guild | None) -> discord.Permissions:
    """The bot's permissions in a server channel or thread (every one in a DM)."""
    if guild is None or guild.me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return discord.Permissions.all()
    return channel.permissions_for(guild.me)


def to_post(channel: discord.abc.Messageable) -> tuple[str, ...]:
    return TO_POST_IN_THREAD if isinstance(channel, discord.Thread) else TO_POST
