"""Plain settings for the Discord front end, taken from the config (no discord import)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import DiscordConfig


@dataclass(frozen=True)
class ChatSettings:
    guild_ids: tuple[int, ...] = ()
    moderator_roles: tuple[str, ...] = ("Moderator",)
    admin_roles: tuple[str, ...] = ("Admin",)
    answer_in_thread: bool = False
    ask_cooldown_seconds: float = 5.0
    add_cooldown_seconds: float = 10.0
    # How often a running /reindex edits its progress message.
    progress_interval: float = 2.0
    # Articles per page of /sources.
    page_size: int = 10

    @classmethod
    def from_config(cls, cfg: DiscordConfig) -> ChatSettings:
        return cls(guild_ids=tuple(cfg.guild_ids), moderator_roles=tuple(cfg.moderator_roles),
                   admin_roles=tuple(cfg.admin_roles), answer_in_thread=cfg.answer_in_thread,
                   ask_cooldown_seconds=cfg.ask_cooldown_seconds, add_cooldown_seconds=cfg.add_cooldown_seconds)
