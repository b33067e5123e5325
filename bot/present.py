"""Plain-text attribution shared by the front ends (no Discord imports)."""

from __future__ import annotations

from bot.service import AnswerPassage


def attribution_line(p: AnswerPassage) -> str:
    """`Outlet · Author · 2026-03-04 · Title`, leaving out what is unknown; the origin shown as 'X via Outlet'."""
    outlet = p.source or ""
    if p.origin and p.origin != p.source:
        outlet = f"{p.origin} via {outlet}" if outlet else p.origin
    parts = [p.speaker and f"{p.speaker}", outlet, p.author, (p.published_at or "")[:10], p.title]
    return " · ".join(x for x in parts if x)
