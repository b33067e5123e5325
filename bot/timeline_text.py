"""Timelines and event lists in plain words, shared by the front ends (no Discord, no matplotlib)."""

from __future__ import annotations

from bot.present import attribution_parts
from retrieval.timeline import EventSummary, TimelineEntry, short_day

FIRST_REPORT = "first report"


def day(published_at: str | None) -> str:
    """ "4 Mar 2026", or "undated"."""
    return short_day(published_at, year=True)


def span(summary: EventSummary) -> str:
    """ "4 Mar 2026 – 19 Mar 2026", one day alone, or "undated"."""
    first, last = day(summary.first_seen), day(summary.last_seen)
    return first if first == last else f"{first} – {last}"


def event_line(summary: EventSummary, outlets_shown: int = 4) -> str:
    """ "Label · 4 Mar 2026 – 19 Mar 2026 · 5 articles, 3 outlets (A, B, C)"."""
    n = len(summary.outlets)
    names = ", ".join(summary.outlets[:outlets_shown]) + (f" and {n - outlets_shown} more" if n > outlets_shown else "")
    outlets = f", {n} outlet{'s' if n != 1 else ''} ({names})" if n else ""
    articles = f"{summary.articles} article{'s' if summary.articles != 1 else ''}"
    return f"{summary.label} · {span(summary)} · {articles}{outlets}"


def entry_parts(entry: TimelineEntry) -> list[str]:
    """An entry's attribution parts (speaker, origin, outlet, author), the date left out: the timeline shows it first."""
    return [p for p in attribution_parts(entry) if p != (entry.published_at or "")[:10]]  # type: ignore[arg-type]


def entry_attribution(entry: TimelineEntry) -> str:
    """ "Speaker, via Origin · Outlet · Author · Title"."""
    return " · ".join([*entry_parts(entry), *([entry.title] if entry.title else [])])


def carried_names(entry: TimelineEntry) -> list[str]:
    """The outlets also carrying an entry's text, each once."""
    names = [c.get("source") or c.get("title") or c.get("url") or "another article" for c in entry.also_carried_by]
    return list(dict.fromkeys(n for n in names if n))


def differs_lines(entry: TimelineEntry) -> list[str]:
    """ "figures differ: 1,200 residents (Harbour Watch, 4 Mar) / 1,500 residents (Valley Courier, 5 Mar)"."""
    return [f"figures differ: {d.get('detail')}" for d in entry.differs_from if d.get("detail")]
