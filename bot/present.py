"""Plain-text attribution shared by the front ends (no Discord imports)."""

from __future__ import annotations

from bot.asklog import Activity
from bot.results import Answer, AnswerPassage, Reason


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
    """`Speaker, via Origin · Outlet · Author · 2026-03-04 · Title · § Heading`, leaving out what is unknown."""
    return " · ".join([*attribution_parts(p), *([p.title] if p.title else []), *filter(None, [section_part(p)])])


def section_part(p: AnswerPassage) -> str | None:
    """`§ Heading`: the heading of the section the passage sits in, when the article has one there."""
    return f"§ {p.heading}" if p.heading else None


def also_carried_line(p: AnswerPassage) -> str | None:
    """`also carried by Harbour Watch, The Kestrel Ledger` when other held articles carry the passage."""
    names = [c.get("source") or c.get("title") or c.get("url") or "another article" for c in p.also_carried_by]
    return f"also carried by {', '.join(dict.fromkeys(names))}" if names else None


_DIFFERS = {"later version": ("corrected in", "a later version"), "earlier version": ("corrects", "an earlier version")}


def disagreement_parts(d: dict[str, str | None]) -> tuple[str, str]:
    """What a copy that states other facts is to the passage, and its name: ("differs from", "Harbour Watch"),
    ("corrected in", "a later version") or ("corrects", "an earlier version") (see retrieval.copies)."""
    return _DIFFERS.get(d.get("relation") or "", ("differs from", d.get("source") or d.get("title") or "another article"))


def disagreement_line(d: dict[str, str | None]) -> str:
    """`differs from Harbour Watch: The Kestrel Ledger reports 41 drones; Harbour Watch reports 14 drones`."""
    what, whom = disagreement_parts(d)
    return f"{what} {whom}: {d.get('detail') or 'it states other facts'}"


def why_unanswered(answer: Answer, how_to_add: str = "`eventbot add URL_OR_FILE` or `eventbot import FILE`") -> str:
    """Why a question got no passages, in a sentence; `how_to_add` names the front end's way to add articles."""
    held = answer.articles_held
    articles = f"{held} article{'s' if held != 1 else ''}"
    match answer.reason:
        case Reason.NO_ARTICLES:
            return f"I hold no articles yet: add some with {how_to_add}."
        case Reason.UNHELD_OUTLET:
            return f"I hold no articles from {' or '.join(answer.unheld)}."
        case Reason.UNKNOWN_TERMS:
            return f"I hold nothing that mentions {_words(answer.missing)}."
        case Reason.NO_MATCH:
            return f"I found nothing about that matching those filters in the {articles} I hold."
        case Reason.BAD_QUESTION:
            return answer.error or "I could not ask that."
        case _:
            return f"I found nothing about that in the {articles} I hold."


def partial_note(answer: Answer) -> str | None:
    """For an answer whose passages never mention some of the question's specific words: say that these
    are the closest passages held and may not answer it."""
    if not (answer.answered and answer.partial and answer.missing):
        return None
    return f"Closest I hold; none of these mentions {_words(answer.missing)}, so they may not answer it."


def _words(words: tuple[str, ...]) -> str:
    quoted = [f"“{w}”" for w in words[:4]]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def activity_line(a: Activity) -> str:
    """`12 questions, 25% declined, p50 31 ms, p95 88 ms` (or `no questions`) for a window of the question log."""
    if not a.questions:
        return "no questions"
    parts = [f"{a.questions} question{'s' if a.questions != 1 else ''}"]
    if a.decline_rate is not None:
        parts.append(f"{a.decline_rate:.0%} declined")
    if a.p50_ms is not None and a.p95_ms is not None:
        parts.append(f"p50 {a.p50_ms:.0f} ms, p95 {a.p95_ms:.0f} ms")
    return ", ".join(parts)
