"""Buttons under an answer. `answer_view` builds the answer's view from item factories, so other buttons
(feedback, say) join the "More from this article" ones by adding a factory to `ANSWER_ITEMS`.

The buttons are `DynamicItem`s: their custom ids carry what they need (`eventbot:more:<passage id>`), so
they keep working after a restart, with no view kept in memory per answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.chat import errors, render

if TYPE_CHECKING:
    from bot.chat.client import EventBot

log = logging.getLogger(__name__)

ItemFactory = Callable[[render.Reply], Iterable[discord.ui.Item[Any]]]
LABEL_CHARS = 80  # Discord's limit for a button label
MORE_SHOWN = 1  # paragraphs shown on each side of the passage


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"eventbot:more:(?P<passage>[0-9]{1,19})"):
    """"More from this article": the paragraphs around a passage, shown only to who clicked."""

    def __init__(self, passage_id: int, label: str = "More from this article") -> None:
        super().__init__(discord.ui.Button(label=label[:LABEL_CHARS], style=discord.ButtonStyle.secondary,
                                           custom_id=f"eventbot:more:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: Any) -> MoreButton:
        return cls(int(match["passage"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: EventBot = interaction.client  # type: ignore[assignment]
        if getattr(bot, "closing", False):
            await errors.reply(interaction, "I am restarting: ask me again in a minute.")
            return
        try:
            service = bot.service_for(interaction.guild_id)
            article, passages = await asyncio.to_thread(service.neighbours, self.passage_id, MORE_SHOWN)
            reply = render.article_context(article, passages, self.passage_id)
            await interaction.response.send_message(**reply.kwargs(), ephemeral=True)
        except Exception as e:  # noqa: BLE001 - every failure becomes a private message (and a log line)
            await errors.handle(interaction, e)


def more_buttons(reply: render.Reply) -> list[discord.ui.Item[Any]]:
    """One "More from ..." button per passage shown, in the order of the embeds."""
    if len(reply.passages) == 1:
        return [MoreButton(reply.passages[0].passage_id)]
    return [MoreButton(p.passage_id, f"{n}. More from {render.clean(p.source or p.title or 'this article')}")
            for n, p in enumerate(reply.passages, 1)]


ANSWER_ITEMS: list[ItemFactory] = [more_buttons]


def answer_view(reply: render.Reply, factories: Sequence[ItemFactory] | None = None) -> discord.ui.View | None:
    """The buttons under an answer (None when there are none): each factory's items, in order."""
    view = discord.ui.View(timeout=None)
    for factory in ANSWER_ITEMS if factories is None else factories:
        for item in factory(reply):
            view.add_item(item)
    return view if view.children else None


def send_kwargs(reply: render.Reply, view: discord.ui.View | None) -> dict[str, Any]:
    """`reply.kwargs()`, with the view when there is one (discord.py takes no `view=None`)."""
    kwargs = reply.kwargs()
    if view is not None:
        kwargs["view"] = view
    return kwargs


def setup_items(bot: discord.Client) -> None:
    """Let the bot route clicks on answer buttons, including those sent before a restart."""
    bot.add_dynamic_items(MoreButton)


class ExpiringView(discord.ui.View):
    """A view whose buttons are taken off `message` when it times out (pages of /sources and /timeline); a
    failing button is answered like a failing command (bot.chat.errors)."""

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
