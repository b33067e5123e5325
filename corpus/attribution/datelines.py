"""Wire datelines: where, when and by which agency a story was filed, read from its first paragraphs.

``VELMORA (Meridian Press) - ``, ``LONDON, March 9 (Reuters) - ``, ``(AP) — ``, ``MOSCOW, March 9. /TASS/.``,
``Tehran, IRNA -- ``, ``(ANSA) - ROME, MARCH 9 - `` and byline lines such as ``By Lena Marsh, Meridian Press``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.attribution._text import normalise
from corpus.attribution.agencies import AGENCY_ALIASES, agency_name, byline_agency, canonical_agency
from corpus.lexicon import MONTH_PATTERN, UPPER, WEEKDAY_PATTERN


@dataclass(frozen=True)
class Dateline:
    """Where and when a wire story was filed, and by which agency (each None when not given)."""

    city: str | None
    date: str | None
    agency: str | None


_MONTH = rf"(?i:{MONTH_PATTERN})"
_WEEKDAY = rf"(?i:{WEEKDAY_PATTERN})"
_DATE = (rf"(?:(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:,?\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}\b\.?(?:\s+\d{{4}})?)"
         rf"|{_WEEKDAY}\b)")
_CITY = rf"[{UPPER}][\w.'’\-]*(?:\s+(?:[{UPPER}][\w.'’\-]*|de|del|da|do|di|du|la|le|am|upon|on-the))" + "{0,3}"
_CITY_CAPS = rf"[{UPPER}][{UPPER}.'’\-]+(?:\s+[{UPPER}][{UPPER}.'’\-]+){{0,3}}"
_REGION = rf"(?!{_MONTH}\b)(?!{_WEEKDAY}\b)[{UPPER}][^\W\d_]*\.?(?:\s+[{UPPER}][^\W\d_]*\.?){{0,2}}"
_DASH = r"(?:\s*(?:\.\s*)?(?:-{1,2}|–|—)\s*)"
_PLACE = rf"(?P<city>{_CITY})(?:,\s*(?P<region>{_REGION}))?(?:[,.]\s*(?P<date>{_DATE}))?"

_PAREN_RE = re.compile(
    rf"^\s*(?:{_PLACE}\s*\.?\s*)?(?:\((?P<agency>[^()]{{1,40}})\)|/(?P<slash>[^/]{{1,30}})/\.?)(?P<dash>{_DASH})?"
)
_COMMA_AGENCY_RE = re.compile(rf"^\s*(?P<city>{_CITY}),\s*(?P<agency>[A-Za-z][\w\- ]{{1,30}}?){_DASH}")
_CAPS_CITY_RE = re.compile(rf"^\s*(?P<city>{_CITY_CAPS})(?:,\s*(?P<date>{_DATE}))?{_DASH}(?=\S)")


def _match_dateline(paragraph: str) -> tuple[Dateline, int] | None:
    """The dateline at the start of a paragraph and where the story text starts after it."""
    m = _PAREN_RE.match(paragraph)
    if m:
        raw = m.group("agency") or m.group("slash")
        known = raw.strip().lower() in AGENCY_ALIASES
        # Without a dash only a known agency or the /TASS/ form counts: "(local time) - ..." is no dateline.
        agency = agency_name(raw) if (m.group("dash") or m.group("slash") or known) else None
        if agency and (m.group("city") or m.start("agency" if m.group("agency") else "slash") <= 2):
            city, date, end = m.group("city"), m.group("date"), m.end()
            if not city:  # "(ANSA) - ROME, MARCH 9 - ..."
                after = _CAPS_CITY_RE.match(paragraph[end:])
                if after:
                    city, date, end = after.group("city"), after.group("date"), end + after.end()
            return Dateline(city, date, agency), end
    m = _COMMA_AGENCY_RE.match(paragraph)
    if m and m.group("agency").strip().lower() in AGENCY_ALIASES:
        return Dateline(m.group("city"), None, canonical_agency(m.group("agency"))), m.end()
    m = _CAPS_CITY_RE.match(paragraph)
    if m and len(m.group("city").replace(" ", "")) >= 3:
        return Dateline(m.group("city"), m.group("date"), None), m.end()
    return None


def parse_dateline(first_paragraphs: str | Sequence[str]) -> Dateline | None:
    """The wire dateline or agency byline of a story.

    Looks at the first three paragraphs for a dateline at the start of a paragraph ("CITY (Agency) - ",
    "CITY, Date (Agency) - ", "(AP) - ", "CITY, Date. /TASS/.", "City, IRNA -- ", "CITY - ") and for a
    byline line ("By Agency", "By X, Agency"). A dateline's agency wins over a byline's.

    Args:
        first_paragraphs: The story's paragraphs in order (only the first three are read), or one paragraph.

    Returns:
        The city, date text and canonical agency found (each possibly None), or None when there is neither
        a dateline nor an agency byline.
    """
    paragraphs = [first_paragraphs] if isinstance(first_paragraphs, str) else list(first_paragraphs[:3])
    found: Dateline | None = None
    byline: str | None = None
    for paragraph in paragraphs:
        text = normalise(paragraph)
        if found is None:
            matched = _match_dateline(text)
            if matched:
                found = matched[0]
        if byline is None:
            byline = byline_agency(text)
    if found is None:
        return Dateline(None, None, byline) if byline else None
    if found.agency is None and byline:
        return Dateline(found.city, found.date, byline)
    return found


def strip_dateline(paragraph: str) -> str:
    """The paragraph without a leading dateline ("VELMORA (Meridian Press) - " and the like)."""
    matched = _match_dateline(paragraph)
    return paragraph[matched[1]:] if matched else paragraph
