"""Timelines and event lists as Discord messages: pure functions, within Discord's limits by construction.

A timeline is a list of pages (embeds), each holding whole developments: a page ends between two
developments, never inside one, and a development too long for a page of its own has its paragraph
shortened at a sentence end (bot.chat.render.passage_markdown). Everything from an article is escaped
as in bot.chat.render.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.chat.render import (
    COLOUR,
    DETAIL_CHARS,
    EMBED_DESCRIPTION_LIMIT,
    NAME_CHARS,
    TITLE_CHARS,
    also_carried,
    dlen,
    fit,
    linked_title,
    passage_markdown,
    shorten,
    unlinked,
)
from bot.timeline_text import FIRST_REPORT, day, entry_parts, event_line, span
from retrieval.timeline import EventSummary, Timeline, TimelineEntry

PAGE_CHARS = EMBED_DESCRIPTION_LIMIT - 96  # room left for the page's own line breaks
TEXT_CHARS = 700  # a development's paragraph, at most (cut at a sentence end)
DIFFERS_SHOWN = 3
EVENTS_SHOWN = 20


def entry_block(entry: TimelineEntry, query: str, text_chars: int = TEXT_CHARS) -> str:
    """One development: its date (and "first report"), its paragraph, who reports it with a link, the outlets
    also carrying it and the figures other outlets give."""
    head = f"**{day(entry.published_at)}**" + (f" \u00b7 *{FIRST_REPORT}*" if entry.first_report else "")
    parts = [unlinked(x, NAME_CHARS) for x in entry_parts(entry)]
    attribution = "\u2014 " + " \u00b7 ".join([*[x for x in parts if x], linked_title(entry.title, entry.url)])
    lines = [head, passage_markdown(entry.text, query, text_chars), attribution]
    if carried := also_carried(entry):  # type: ignore[arg-type]
        lines.append(carried)
    for other in entry.differs_from[:DIFFERS_SHOWN]:
        lines.append(f"figures differ from {linked_title(other.get('source') or other.get('title'), other.get('url'), NAME_CHARS)}: "
                     f"{unlinked(other.get('detail') or 'it states other figures', DETAIL_CHARS)}")
    return "\n".join(line for line in lines if line)


def pages(timeline: Timeline) -> list[discord.Embed]:
    """The timeline as pages of whole developments, in order (the first report first, the latest last)."""
    assert timeline.event is not None
    blocks = []
    for entry in timeline.entries:
        block = entry_block(entry, timeline.query)
        if dlen(block) > PAGE_CHARS:  # a development too long even for a page of its own: a shorter paragraph
            block = entry_block(entry, timeline.query, max(120, TEXT_CHARS - (dlen(block) - PAGE_CHARS)))
        blocks.append(block)
    grouped: list[list[str]] = [[]]
    used = 0
    for block in blocks:
        need = dlen(block) + (2 if grouped[-1] else 0)
        if grouped[-1] and used + need > PAGE_CHARS:
            grouped.append([])
            used, need = 0, dlen(block)
        grouped[-1].append(block)
        used += need
    title = unlinked(timeline.event.label, TITLE_CHARS)
    out = []
    for n, group in enumerate(grouped, 1):
        embed = discord.Embed(title=title, description="\n\n".join(group), colour=COLOUR)
        embed.set_footer(text=footer(timeline.event, n, len(grouped)))
        out.append(embed)
    return out


def footer(event: EventSummary, page: int, pages: int) -> str:
    """ "page 1 of 3 · 4 Mar 2026 – 19 Mar 2026 · 5 articles from 3 outlets" (plain text: footers show no markdown)."""
    outlets = len(event.outlets)
    where = f" from {outlets} outlet{'s' if outlets != 1 else ''}" if outlets else ""
    numbered = f"page {page} of {pages} \u00b7 " if pages > 1 else ""
    return f"{numbered}{span(event)} \u00b7 {event.articles} article{'s' if event.articles != 1 else ''}{where}"[:2048]


def content(timeline: Timeline) -> str:
    """The line above the timeline: the query, and how many developments it shows."""
    n = len(timeline.entries)
    return fit(f"**Timeline:** {shorten(timeline.query, 300)} ({n} development{'s' if n != 1 else ''})")


def events_embed(events: Sequence[EventSummary], shown: int = EVENTS_SHOWN) -> discord.Embed | None:
    """The events held, most recent activity first: one line each, as many as fit; None when there are none."""
    if not events:
        return None
    lines, used = [], 0
    for n, e in enumerate(events[:shown], 1):
        line = f"**{n}.** {unlinked(event_line(e), 300)}"
        if used + dlen(line) + 1 > PAGE_CHARS:
            break
        lines.append(line)
        used += dlen(line) + 1
    more = len(events) - len(lines)
    description = "\n".join(lines) + (f"\n\u2026and {more} more" if more > 0 else "")
    return discord.Embed(title="In the news", description=description, colour=COLOUR)
