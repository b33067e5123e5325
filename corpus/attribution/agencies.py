"""Wire agency names: the canonical form of each agency, and the agency named in brackets or a byline.

Agency names are canonicalised through `AGENCY_ALIASES` so that every spelling of one agency is stored
the same way: an abbreviation the agency spells out in its own credits is spelled out ("AP" ->
"Associated Press", "AFP" -> "Agence France-Presse", "AA" -> "Anadolu Agency", "Kyodo" -> "Kyodo News",
"PTI" -> "Press Trust of India", "UPI" -> "United Press International"); an agency known by its short
name keeps it (Reuters, TASS, Xinhua, dpa, EFE, ANSA, Yonhap, Interfax, IRNA, SANA, Sputnik, RIA Novosti,
Bloomberg). Any other name in the dateline position is kept as the page writes it.
"""

from __future__ import annotations

import re

from corpus.bylines import byline_credit
from corpus.lexicon import NEWSROOM_ROLES, UPPER, alternation

AGENCY_ALIASES: dict[str, str] = {
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "Agence France-Presse",
    "agence france-presse": "Agence France-Presse",
    "agence france presse": "Agence France-Presse",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria novosti": "RIA Novosti",
    "ria": "RIA Novosti",
    "sputnik": "Sputnik",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "aa": "Anadolu Agency",
    "anadolu": "Anadolu Agency",
    "anadolu agency": "Anadolu Agency",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "kyodo": "Kyodo News",
    "kyodo news": "Kyodo News",
    "yonhap": "Yonhap",
    "yonhap news agency": "Yonhap",
    "pti": "Press Trust of India",
    "press trust of india": "Press Trust of India",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "upi": "United Press International",
    "united press international": "United Press International",
    "interfax": "Interfax",
    "irna": "IRNA",
    "sana": "SANA",
    "cnn": "CNN",
}


def canonical_agency(name: str) -> str:
    """The stored form of an agency name: a known alias canonicalised, anything else as written.

    Args:
        name: An agency name as a page writes it ("AP", "The Associated Press", "Meridian Press").

    Returns:
        The canonical name ("Associated Press"), or `name` with its whitespace collapsed.
    """
    cleaned = " ".join(name.split())
    return AGENCY_ALIASES.get(cleaned.lower(), cleaned)


# Words that say a parenthesised name is not an agency.
_NOT_AGENCY = frozenset({"update", "updated", "updates", "corrected", "correction", "photo", "photos", "video",
                         "live", "opinion", "analysis", "exclusive", "watch", "file", "listen", "local time",
                         "gmt", "utc", "edt", "est", "cet"})
_AGENCY_WORDS = re.compile(r"\b(?:press|news|agency|wire|newswire|service|media|bureau|telegraph)\b", re.I)
_BYLINE_ROLES = re.compile(rf"\b(?:{alternation(NEWSROOM_ROLES | {'in', 'and'})})\b", re.I)


def agency_name(text: str, known_only: bool = False) -> str | None:
    """The canonical agency for the text in a dateline's brackets, or None when it is not one.

    Args:
        text: What stands between the brackets or slashes ("Reuters", "AFP/Getty", "Meridian Press").
        known_only: Accept only names in `AGENCY_ALIASES`.

    Returns:
        The canonical name, several joined with ", ", or None for anything that is no agency name
        ("Update", "local time", lower-case words, digits).
    """
    names = []
    for part in re.split(r"\s*/\s*", text.strip()):
        if not part:
            return None
        if part.lower() in AGENCY_ALIASES:
            names.append(AGENCY_ALIASES[part.lower()])
            continue
        words = part.split()
        if (known_only or len(words) > 5 or part.lower() in _NOT_AGENCY
                or not all(w[0].isupper() or w.lower() in ("of", "and", "de", "for") for w in words)
                or not words[0][0].isupper() or any(c.isdigit() for c in part)):
            return None
        names.append(" ".join(words))
    return ", ".join(names) if names else None


def byline_agency(paragraph: str) -> str | None:
    """The agency of a byline line: "By Reuters Staff", "By Lena Marsh, Meridian Press", "By AFP".

    Args:
        paragraph: One paragraph, normalised (straight quotes, single spaces).

    Returns:
        The canonical agency, an unknown name that reads like one ("Meridian Press", "By Northwire"),
        or None when the paragraph is no byline or names only people.
    """
    credit = byline_credit(paragraph)
    if not credit or len(paragraph.split()) > 12:
        return None
    parts = [p.strip() for p in re.split(r"\s*(?:,|\||;|\band\b|\bfor\b)\s*", credit) if p.strip()]
    for part in parts:
        if part.lower() in AGENCY_ALIASES:
            return AGENCY_ALIASES[part.lower()]
        stripped = " ".join(_BYLINE_ROLES.sub(" ", part).split())
        if stripped.lower() in AGENCY_ALIASES:
            return AGENCY_ALIASES[stripped.lower()]
        if _AGENCY_WORDS.search(part) and all(w[0].isupper() for w in part.split()):
            return " ".join(part.split())
    if len(parts) == 1 and re.fullmatch(rf"[{UPPER}][\w\-]+", parts[0]):  # "By Northwire": one word is no person
        return parts[0]
    return None
