"""Who may run what, checked when the command runs, and per-user cooldowns.

`moderator_only()` and `admin_only()` set Discord's default permissions (so the commands are
hidden from most members) *and* add a run-time check, because server admins can change the
defaults in Server Settings -> Integrations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.chat.cooldown import UserCooldown
from bot.chat.errors import Refused
from bot.config import DiscordConfig
from corpus.models import AddedBy

if TYPE_CHECKING:
    from bot.chat.client import EventBot

log = logging.getLogger(__name__)

T = TypeVar("T")


def has_role(user: discord.abc.User, configured: Iterable[int | str]) -> bool:
    """The member has one of the configured roles: given by id (a number) or by name (any case)."""
    ids = {int(r) for r in configured if isinstance(r, int) or r.strip().isdigit()}
    names = {r.casefold() for r in configured if isinstance(r, str) and not r.strip().isdigit()}
    return any(getattr(r, "id", None) in ids or str(getattr(r, "name", "")).casefold() in names
               for r in getattr(user, "roles", ()))


def is_admin(user: discord.abc.User, permissions: discord.Permissions, settings: DiscordConfig) -> bool:
    """Administrator permission, or one of the configured admin roles."""
    return permissions.administrator or has_role(user, settings.admin_roles)


def is_moderator(user: discord.abc.User, permissions: discord.Permissions, settings: DiscordConfig) -> bool:
    """Manage Messages permission, a configured moderator role, or an admin."""
    if permissions.manage_messages or is_admin(user, permissions, settings):
        return True
    return has_role(user, settings.moderator_roles)


def may_remove(interaction: discord.Interaction, added: AddedBy, settings: DiscordConfig) -> None:
    """In a corpus every server shares: a server's moderators may remove the articles added in that server;
    an owner server's (`owner_guild_ids`), any. Articles with no server recorded (added from the command
    line, or before servers were recorded) only an owner server's, or, with no owner server configured,
    any server's. Raises `Refused` otherwise."""
    guild = interaction.guild_id
    if guild in settings.owner_guild_ids or added.guild_id == guild:
        return
    if added.guild_id is None and not settings.owner_guild_ids:
        return
    user = interaction.user
    log.info("refused /remove for %s (%s) in server %s: the article was added in server %s", user, user.id, guild,
             added.guild_id)
    where = "another server" if added.guild_id is not None else "the command line"
    raise Refused(f"That article was added from {where}: only the moderators of the server that added it, "
                  "or of the bot's owner servers, can remove it.")


def _bot(interaction: discord.Interaction) -> EventBot:
    return interaction.client  # type: ignore[return-value]


def _refuse(interaction: discord.Interaction, who: str) -> Refused:
    user = interaction.user
    name = interaction.command.qualified_name if interaction.command else "?"
    log.info("refused /%s for %s (%s): not %s", name, user, user.id, who)
    return Refused(f"Only {who} can use that command.")


async def _moderator(interaction: discord.Interaction) -> bool:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not is_moderator(interaction.user, interaction.permissions, _bot(interaction).settings):
        raise _refuse(interaction, "moderators")
    return True


async def _admin(interaction: discord.Interaction) -> bool:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not is_admin(interaction.user, interaction.permissions, _bot(interaction).settings):
        raise _refuse(interaction, "admins")
    return True


def moderator_only() -> Callable[[T], T]:
    """Members with a moderator role or Manage Messages; servers only."""

    def decorator(func: T) -> T:
        func = app_commands.guild_only()(func)
        func = app_commands.default_permissions(manage_messages=True)(func)
        return app_commands.check(_moderator)(func)

    return decorator


def admin_only() -> Callable[[T], T]:
    """Members with an admin role or Administrator; servers only."""

    def decorator(func: T) -> T:
        func = app_commands.guild_only()(func)
        func = app_commands.default_permissions(administrator=True)(func)
        return app_commands.check(_admin)(func)

    return decorator


def cooldown(kind: str) -> Callable[[T], T]:
    """The bot's per-user cooldown named `kind` ("ask" or "add") applied to a command."""

    async def predicate(interaction: discord.Interaction) -> bool:
        limiter: UserCooldown = _bot(interaction).cooldowns[kind]
        retry = limiter.hit(interaction.user.id)
        if retry is not None:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(1, limiter.per), retry)
        return True

    return app_commands.check(predicate)

