"""Views shared by the cogs: buttons that leave the message when they expire, errors answered like commands'."""

from __future__ import annotations

import discord

from bot.chat import errors


class ExpiringView(discord.ui.View):
    """A view whose buttons are taken off `message` when it times out; a failing button is answered like a
    failing command (bot.chat.errors)."""

    def __init__(self, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.message: discord.Message | None = None

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(view=None)
            except discord.HTTPException:
                pass

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await errors.handle(interaction, error)
