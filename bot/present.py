"""Plain-text attribution shared by the front ends (no Discord imports)."""

from __future__ import annotations

from bot.service import AnswerPassage


def attribution_parts(p: AnswerPassage) -> list[str]:
    """Speaker, outlet, author and date, leaving out what is unknown.

    The wire origin goes with the speaker when there is one ("Igor Konashenkov (Russian Defense Ministry
    spokesman), via Sputnik", then "The Duran"), else with the outlet ("Sputnik via The Duran").
    """
    wire = p.origin if p.origin and p.origin != p.source else None
    if p.speaker:
        who = f"{p.speaker}, via {wire}" if wire else p.speaker
        outlet = p.source
    else:
        who = None
        outlet = f"{wire} via {p.source}" if wire and p.source else wire or p.source
    parts = [who, outlet, p.author, (p.published_at or "")[:10]]
    return [x for x in parts if x]


def attribution_line(p: AnswerPassage) -> str:
    """`Speaker, via Origin · Outlet · Author · 2026-03-04 · Title`, leaving out what is unknown."""
    return " · ".join([*attribution_parts(p), *([p.title] if p.title else [])])


def also_carried_line(p: AnswerPassage) -> str | None:
    """`also carried by Harbour Watch, The Kestrel Ledger` when other held articles carry the passage."""
    names = [c.get("source") or c.get("title") or c.get("url") or "another article" for c in p.also_carried_by]
    return f"also carried by {', '.join(dict.fromkeys(names))}" if names else None
