"""Bylines: "By Ana Brisk", "Written by Ana de Souza and Dario Fenn", "BY ANA BRISK | March 4, 2026".

One pattern for the three rules that read bylines: the boilerplate filter drops lines made of bylines and
dates (`BYLINE_RE`), the text extractor takes the author from a line that is a byline and nothing else
(`byline_names`), and the dateline parser reads the agency from a short credit line (`byline_credit`),
which may name a desk rather than people ("By Reuters staff").
"""

from __future__ import annotations

import re

from corpus.lexicon import FOREIGN_BYLINE_OPENERS, NAME_PARTICLES, UPPER, alternation

BY = r"(?:[Bb]y|BY|[Ww]ords by|[Ww]ritten by|[Rr]eporting by|[Ss]tory by)"
"""The words that open a byline."""

# A name is one to four capitalised words, with the particles of names between them ("Ana de Souza").
_NAME = rf"[A-Z][\w'.\-]*(?:\s+(?:(?:{alternation(NAME_PARTICLES)})\s+)?[A-Z][\w'.\-]*){{0,3}}"
_NAMES = rf"{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*"

BYLINE_RE = re.compile(rf"\b{BY}\s+(?P<names>{_NAMES})")
"""A byline anywhere in a line: the opening words and one or more capitalised names ("names" group)."""

_CREDIT_RE = re.compile(rf"^\s*{BY}\s+(?P<who>[^.!?]{{2,80}})$")


def byline_names(line: str) -> str | None:
    """The names of a line that is a byline and nothing else.

    Args:
        line: One line of text ("By Ana Brisk and Dario Fenn").

    Returns:
        The names as written ("Ana Brisk and Dario Fenn"), or None when the line holds anything but the
        opening words and capitalised names ("By Tuesday the operator had ...").
    """
    match = BYLINE_RE.fullmatch(line.strip())
    return match.group("names").strip() if match else None


def byline_credit(line: str) -> str | None:
    """What a credit line that opens like a byline credits, whatever it names.

    Args:
        line: One paragraph ("By Lena Marsh, Meridian Press", "By Reuters staff").

    Returns:
        The text after the opening words ("Lena Marsh, Meridian Press"), or None when the line does not
        open like a byline or reads like a sentence (it holds ".", "!" or "?").
    """
    match = _CREDIT_RE.match(line)
    return match.group("who") if match else None


# Bylines in other languages too ("Por Ana Souza", "Von Jan Berg", "Автор: Иван Петров"): what the boilerplate
# filter drops. Names may be written in Latin or Cyrillic capitals.
_ANY_CAPITAL = rf"[{UPPER}А-ЯЁ]"
_ANY_NAME = (rf"{_ANY_CAPITAL}[\w'.\-]*(?:\s+(?:(?:{alternation(NAME_PARTICLES)})\s+)?{_ANY_CAPITAL}[\w'.\-]*)"
             r"{0,3}")
_ANY_NAMES = rf"{_ANY_NAME}(?:\s*(?:,|and|&|y|e|et|und|и)\s*{_ANY_NAME})*"
BYLINE_ANY_LANGUAGE_RE = re.compile(
    rf"(?<!\w)(?:{BY}|{alternation(FOREIGN_BYLINE_OPENERS)})\s*:?\s+(?P<names>{_ANY_NAMES})"
)
"""A byline in English, Spanish, Portuguese, French, German or Russian anywhere in a line."""
