"""Helpful / Not helpful buttons under an answer. Their custom_id carries the answer's question-log id, so a
click is understood after a restart too (a DynamicItem, registered when the bot starts). One vote per member
per answer: a second click changes it. Acknowledged ephemerally."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot.asklog import Logged, Vote
from bot.chat import errors, render, views

log = logging.getLogger(__name__)

PREFIX = "eventbot:fb"
ROW = 4  # the last row of five: below the "More from ..." buttons (at most 10, two rows), never among them
_SAID = {True: "helpful", False: "not helpful"}


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"{PREFIX}:(?P<id>[0-9]{{1,20}}):(?P<vote>up|down)"):
    def __init__(self, question_id: int, helpful: bool) -> None:
        super().__init__(discord.ui.Button(
            label="Helpful" if helpful else "Not helpful", emoji="\N{THUMBS UP SIGN}" if helpful else "\N{THUMBS DOWN SIGN}",
            style=discord.ButtonStyle.secondary, custom_id=f"{PREFIX}:{question_id}:{'up' if helpful else 'down'}",
            row=ROW))
        self.question_id = question_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> FeedbackButton:
        return cls(int(match["id"]), match["vote"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            service = interaction.client.service_for(interaction.guild_id)  # type: ignore[attr-defined]
            vote = await asyncio.to_thread(service.record_feedback, self.question_id, interaction.user.id, self.helpful)
        except Exception as e:  # noqa: BLE001 - errors.handle replies, and logs the unexpected
            await errors.handle(interaction, e)
            return
        await errors.reply(interaction, acknowledgement(vote, self.helpful))


def acknowledgement(vote: Vote, helpful: bool) -> str:
    said = _SAID[helpful]
    if vote is Vote.CHANGED:
        return f"Changed your vote: this answer is {said}."
    if vote is Vote.UNCHANGED:
        return f"You already marked this answer {said}."
    if helpful:
        return "Thanks: noted as helpful."
    return "Thanks: noted as not helpful. Moderators see such questions in /gaps, to add articles that answer them."


def buttons(logged: Logged) -> list[FeedbackButton]:
    """The two buttons for an answer that was logged; none for a declined question or when nothing is logged."""
    if logged.question_id is None or not logged.answer.answered:
        return []
    return [FeedbackButton(logged.question_id, True), FeedbackButton(logged.question_id, False)]


def view(logged: Logged) -> discord.ui.View | None:
    """The two buttons alone, as a view (None when there are none)."""
    items = buttons(logged)
    if not items:
        return None
    shown = discord.ui.View(timeout=None)
    for item in items:
        shown.add_item(item)
    return shown


def answer_view(reply: render.Reply, logged: Logged) -> discord.ui.View | None:
    """An answer's buttons: "More from this article" under each passage, then Helpful / Not helpful."""
    return views.answer_view(reply, [*views.ANSWER_ITEMS, lambda _: buttons(logged)])
