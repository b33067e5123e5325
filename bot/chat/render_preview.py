"""`/add preview`: what adding would store, as one ephemeral message, within Discord's limits."""

from __future__ import annotations

import discord

from bot.chat.render import (
    COLOUR,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    NAME_CHARS,
    Reply,
    escape,
    fit,
    linked_title,
    shorten,
    unlinked,
)
from bot.preview import Preview

HEADING_CHARS = 200  # a section heading shown above its passages


def preview_reply(preview: Preview) -> Reply:
    """`Preview (nothing stored): Title` with the article's metadata, then one embed per passage (its
    heading, its text, its speaker), the first ten at most; or why the page cannot be added."""
    if not preview.ok:
        return Reply(content=fit(f"Could not add that: {escape(preview.error or '')} (nothing stored)."))
    n = len(preview.passages)
    shown = preview.passages[:EMBEDS_PER_MESSAGE]
    more = f"; the first {len(shown)} shown" if n > len(shown) else ""
    facts = [unlinked(value, NAME_CHARS) for name, value in preview.fields() if name not in ("Title", "URL")]
    content = fit(f"Preview (nothing stored): {linked_title(preview.title, preview.url)}\n"
                  + (" \u00b7 ".join(facts) + "\n" if facts else "")
                  + f"{n} passage{'s' if n != 1 else ''}{more}.")
    budget = min(EMBED_DESCRIPTION_LIMIT, (EMBED_TOTAL_LIMIT - 100) // max(len(shown), 1))
    embeds = []
    heading = None
    for p in shown:
        head = f"*\u00a7 {unlinked(p.heading, HEADING_CHARS)}*\n" if p.heading and p.heading != heading else ""
        heading = p.heading
        tail = f"\n\u2014 speaker: {unlinked(p.speaker, NAME_CHARS)}" if p.speaker else ""
        text = shorten(p.text, max(budget - len(head) - len(tail), 1))
        embeds.append(discord.Embed(description=f"{head}{text}{tail}", colour=COLOUR))
    return Reply(content=content, embeds=tuple(embeds))
