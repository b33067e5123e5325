"""Filters typed inside a question, and the speaker a question asks about. Pure functions.

``what did Varenko say about the talks source:Reuters since:2026-03-01`` asks "what did Varenko say about
the talks", only in articles from Reuters (outlet or wire origin) published on or after 1 March 2026, and
boosts passages that quote Varenko. The filters are `source:NAME`, `speaker:NAME`, `since:DATE` and
`until:DATE`; a value with spaces goes in quotes (``speaker:"Helga Rustad"``). Dates are checked where they
are used (the service), so that a bad one gets a clear message there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILTER_KEYS = ("source", "speaker", "since", "until")

_FILTER_RE = re.compile(
    r"(?<!\S)(?P<key>source|speaker|since|until):(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|“(?P<cq>[^”]*)”"
    r"|(?P<bare>\S+?))(?P<trail>[?!.,;]*)(?=\s|$)",
    re.IGNORECASE,
)
_WHO = r"(?P<who>[\w'’.\-]+(?:\s+[\w'’.\-]+){0,3}?)"
_SAY = (r"(?:say|said|saying|says|tell|told|telling|claim|claimed|announce|announced|think|thought|report|reported"
        r"|warn|warned|mean|meant|add|added|stress|stressed|reveal|revealed|confirm|confirmed|deny|denied"
        r"|admit|admitted|predict|predicted|promise|promised|describe|described|explain|explained)")
_HINT_PATTERNS = (
    re.compile(rf"\bwhat (?:did|does|do|has|have|had|was|is|were|are) {_WHO} {_SAY}\b", re.IGNORECASE),
    re.compile(rf"\b(?:did|does|has|have|had) {_WHO} (?:ever |also |really |actually )?{_SAY}\b", re.IGNORECASE),
    re.compile(r"\b[Aa]ccording to (?P<who>[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,3})"),
    re.compile(r"\b(?P<who>[A-Z][\w.\-]+(?:\s+[A-Z][\w.\-]+){0,2})(?:'s|’s) (?:comments?|remarks?|statements?|words"
               r"|claims?|views?|position|briefing|account|version|warning)\b"),
    re.compile(rf"\b(?:quotes?|statements?|comments?|remarks?) (?:from|by) {_WHO}(?=\s*(?:about|on|regarding|\?|$))",
               re.IGNORECASE),
)
# Words that make a "who" no speaker: "what did they say", "what did the report say".
_NOT_A_SPEAKER = frozenset({
    "he", "she", "they", "it", "you", "i", "we", "this", "that", "these", "those", "there", "anyone", "someone",
    "people", "everyone", "report", "reports", "article", "articles", "story", "stories", "news", "study",
    "data", "survey", "poll", "papers", "press", "media", "happen", "happened", "not", "any", "anything",
})
_LEADING = frozenset({"the", "a", "an"})
# Ranks and courtesy titles, not part of a stored speaker's name: "Maj. Gen. Ilias Varenko" asks for Varenko.
_RANKS = frozenset({"maj", "gen", "col", "lt", "capt", "sgt", "adm", "brig", "dr", "prof", "mr", "mrs", "ms", "miss",
                    "sir", "dame", "rev", "general", "major", "colonel", "lieutenant", "captain", "admiral"})


@dataclass(frozen=True)
class Query:
    """A question with its typed filters taken out.

    `text` is what is left to search with; `speaker_hint` the person or organisation the question asks
    about ("what did Konashenkov say ..." -> "Konashenkov"), used to favour passages quoting them.
    """

    text: str
    source: str | None = None
    speaker: str | None = None
    since: str | None = None
    until: str | None = None
    speaker_hint: str | None = None

    def filters(self, **defaults: str | None) -> dict[str, str]:
        """The filters to apply: those typed in the question, else the given defaults; only those set."""
        out = {}
        for key in FILTER_KEYS:
            value = getattr(self, key) or defaults.get(key)
            if value and value.strip():
                out[key] = value.strip()
        return out


def parse_query(question: str) -> Query:
    """Take `source:`, `speaker:`, `since:` and `until:` filters out of a question.

    Args:
        question: The question as typed. A filter keyword must start a word and be followed by its value
            with no space (``source:Reuters``, ``speaker:"Helga Rustad"``); a later one of the same kind wins.

    Returns:
        The question text without the filters (whitespace collapsed), the filter values, and the speaker
        the question asks about, if it names one.
    """
    values: dict[str, str] = {}

    def take(m: re.Match[str]) -> str:
        value = next((v for v in (m.group("dq"), m.group("sq"), m.group("cq"), m.group("bare")) if v is not None), "")
        if value.strip():
            values[m.group("key").lower()] = " ".join(value.split())
        return " " + m.group("trail")  # "until:2026-03-31?" keeps its question mark

    text = " ".join(_FILTER_RE.sub(take, question).split())
    return Query(text=text, speaker_hint=speaker_hint(text), **values)


def speaker_hint(question: str) -> str | None:
    """The speaker a question asks about: "what did Konashenkov say about ..." -> "Konashenkov"."""
    for pattern in _HINT_PATTERNS:
        for m in pattern.finditer(question):
            words = m.group("who").strip(" .,?").split()
            while words and words[0].lower() in _LEADING:
                words = words[1:]
            if words and not any(w.lower().strip("'’") in _NOT_A_SPEAKER for w in words):
                return " ".join(words)
    return None


def speaker_matches(speaker: str | None, wanted: str) -> bool:
    """Whether a passage's speaker ("Ilias Varenko (defence ministry spokesman)") is the one asked for:
    every word asked for appears among the speaker's words, case and accents aside."""
    if not speaker:
        return False
    have = set(_words(speaker))
    want = [w for w in _words(wanted) if len(w) > 1 and w not in _RANKS]
    return bool(want) and all(w in have for w in want)


def _words(text: str) -> list[str]:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c)))
