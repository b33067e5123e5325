"""Autocomplete choices for /ask's `source` and `speaker` and /remove's `url_or_id`, within Discord's limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from discord import app_commands

from bot.chat import render
from bot.errors import USER_ERRORS
from bot.service import EventService

CHOICES = 25  # Discord's most autocomplete choices
CHOICE_CHARS = 100  # and the most characters of a choice's name and of its value


def choice_name(text: str, suffix: str = "") -> str:
    """`text` (whitespace collapsed) cut to fit with `suffix` in 100 characters."""
    room = CHOICE_CHARS - len(suffix)
    text = render.clean(text)
    if len(text) > room:
        text = text[:max(0, room - 1)].rstrip() + render.ELLIPSIS
    return (text + suffix)[:CHOICE_CHARS] or "?"


def choices(rows: Iterable[tuple[str, str, str]]) -> list[app_commands.Choice[str]]:
    """Choices from (name, suffix, value) rows, at most 25; a value longer than Discord takes is left out
    (a cut value would match nothing)."""
    out = []
    for name, suffix, value in rows:
        if value and len(value) <= CHOICE_CHARS:
            out.append(app_commands.Choice(name=choice_name(name, suffix), value=value))
        if len(out) == CHOICES:
            break
    return out


def _plural(n: int, word: str) -> str:
    return f" ({n} {word}{'s' if n != 1 else ''})"


async def outlets(service: EventService | None, typed: str) -> list[app_commands.Choice[str]]:
    if service is None:
        return []
    rows = await asyncio.to_thread(service.outlets, typed.strip(), CHOICES * 2)
    return choices((name, _plural(n, "article"), name) for name, n in rows)


async def speakers(service: EventService | None, typed: str) -> list[app_commands.Choice[str]]:
    if service is None:
        return []
    rows = await asyncio.to_thread(service.speakers, typed.strip(), CHOICES * 2)
    return choices((name, _plural(n, "passage"), name) for name, n in rows)


async def titles(service: EventService | None, typed: str) -> list[app_commands.Choice[str]]:
    """Held titles whose title contains what was typed; the value is the article's id, which /remove takes."""
    if service is None:
        return []
    rows = await asyncio.to_thread(service.titles, typed.strip(), CHOICES)
    return choices((title or "untitled", f" (article {article_id})", str(article_id)) for article_id, title in rows)


def service_or_none(bot: object, guild_id: int | None) -> EventService | None:
    """The corpus a server sees; None in a DM with per-server corpora (no choices rather than an error)."""
    try:
        return bot.service_for(guild_id)  # type: ignore[attr-defined]
    except USER_ERRORS:
        return None
