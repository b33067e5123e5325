"""Outlets and dates a question mentions, as soft boosts of the passages they point at; outlets a question
attributes a report to; the parts of a many-part question. Pure functions.

"Does the TechCrunch article on the FTX trial agree with The Verge's report published on October 5, 2023?"
names two held outlets and a day: passages of articles from those outlets, and of articles published
that day (a day either side, for time zones), move up. Boosts, not filters: a question may name an
outlet in passing and be answered by another. Typed filters (`source:`, `since:`) are bot.query's.

An outlet is named by its held name or the part before " - ", " | " or ": " ("The Independent - Sports"
-> "The Independent", "Cnbc | World Business News Leader" -> "Cnbc"), any case, a leading "The"
optional, but starting with a capital in the question: "Fortune" names the outlet, "a fortune" does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from index.hybrid import Hit

_MONTHS = {name: n for n, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b", re.IGNORECASE),  # October 5, 2023 / Oct. 5th
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE),  # 5 October 2023
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),  # 2023-10-05
)
_ALIAS_SEPARATORS = (" - ", " | ", ": ")

# "an article by X", "a report from X", "a X piece", "according to a X report": X is an outlet the
# question attributes a report to. X: capitalised words ("The Wall Street Journal", "Space.com").
_WORK = (r"(?:article|articles|report|reports|piece|pieces|analysis|review|story|stories|coverage|feature|column|"
         r"editorial|publication|podcast)")
_CAP = r"[A-Z0-9][\w.&'’-]*"
_NAME = rf"(?:[Tt]he\s+)?{_CAP}(?:\s+(?:of\s+|&\s+)?{_CAP})*"
_ATTRIBUTIONS = (
    re.compile(rf"\b{_WORK}\s+(?:by|from|in|published\s+(?:by|in))\s+(?P<name>{_NAME})"),
    re.compile(rf"\b(?:a|an|the|another|two|both|separate)\s+(?P<name>{_NAME})\s+{_WORK}\b"),
    re.compile(rf"\baccording\s+to\s+(?:an?\s+|the\s+)?(?P<name>{_NAME})\s+{_WORK}\b"),
)
# Quotes around a name ("the 'Fortune' article") are dropped; a possessive's apostrophe is kept.
_QUOTES = re.compile(r"['‘’\"“”](?=[A-Z])|(?<=[\w.])['’\"“”](?!s\b)")
_NOT_OUTLET = re.compile(rf"^(?:the\s+)?(?:{'|'.join(_MONTHS)}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                         re.IGNORECASE)

# Where a many-part question splits: "; " and "?", "while", "whereas", "but", "and does/did/is/...",
# "compared to", "than", ", and", ", or", and a comma not inside a date ("October 5, 2023").
_PART_SPLIT = re.compile(
    r"\s*(?:[;?]|,?\s+(?:while|whereas|but|and\s+(?:does|did|do|is|was|are|were|has|have|had|how|what|which|who)|"
    r"compared\s+(?:to|with)|than|in\s+contrast\s+to|as\s+opposed\s+to)\b|,\s+(?:and|or)\b|,(?!\s*\d))\s*",
    re.IGNORECASE)
_PART_STOP = frozenset("the a an of and or to in on by from for with as at is was are were be been has have had does "
                       "did do that this which who what whom whose article articles report reports reported "
                       "according both also".split())


@dataclass(frozen=True)
class Day:
    """A day a question names; `year` None when it gives none ("on October 5")."""

    year: int | None
    month: int
    day: int

    def near(self, published_at: str | None, slack: int = 1) -> bool:
        """Whether an ISO publication date falls within `slack` days of this one."""
        try:
            when = date.fromisoformat((published_at or "")[:10])
        except ValueError:
            return False
        # No year given: the nearest such day to the publication ("December 31" is near 1 January).
        years = (self.year,) if self.year else (when.year - 1, when.year, when.year + 1)
        for year in years:
            try:
                if abs((when - date(year, self.month, self.day)).days) <= slack:
                    return True
            except ValueError:  # 29 February in a common year
                continue
        return False


def named_days(question: str) -> list[Day]:
    """The calendar days a question names, in order, without repeats."""
    found: list[Day] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(question):
            month = m.group("month")
            month_no = int(month) if month.isdigit() else _MONTHS[month.lower()]
            year = int(m.group("year")) if m.group("year") else None
            try:
                date(year or 2000, month_no, int(m.group("day")))  # 2000: a leap year, so 29 February passes
            except ValueError:
                continue
            day = Day(year, month_no, int(m.group("day")))
            if day not in found:
                found.append(day)
    return found


def attributed_names(question: str) -> list[str]:
    """Names the question attributes a report to ("a Bloomberg article", "a report by The Verge"), in order.

    Dates ("the October 5 article"), names of one or two characters and ones opening with a compound
    adjective ("an AI-powered DJ feature") are not taken as outlets.
    """
    text = _QUOTES.sub("", question)
    found: list[str] = []
    for pattern in _ATTRIBUTIONS:
        for m in pattern.finditer(text):
            name = re.sub(r"['’]s$", "", m.group("name").strip(" .,'’"))
            # "an AI-powered DJ feature": a compound adjective ("-powered") starts no outlet's name.
            if len(name) > 2 and not _NOT_OUTLET.match(name) and not re.match(r"\S*-[a-z]", name) and name not in found:
                found.append(name)
    return found


class TitleIndex:
    """The held articles' titles, to ask whether a name appears in one (as whole words, any case).

    Titles are looked up by word, so a question costs a few small searches, not a scan of every title.
    """

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self._titles: list[str] = []
        self._by_word: dict[str, list[int]] = {}
        for i, title in enumerate(titles):
            lowered = title.lower()
            self._titles.append(lowered)
            for word in set(_WORDS.findall(lowered)):
                self._by_word.setdefault(word, []).append(i)

    def __contains__(self, name: object) -> bool:
        phrase = str(name).lower()
        postings = [self._by_word.get(w) for w in set(_WORDS.findall(phrase))]
        if not postings or any(p is None for p in postings):
            return False
        pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
        return any(pattern.search(self._titles[i]) for i in min(postings, key=len))


_WORDS = re.compile(r"\w+")


def unheld_outlets(question: str, held: OutletMatcher, titles: TitleIndex | None = None) -> list[str]:
    """The outlets the question attributes a report to that name none of the held outlets.

    A name found in `titles` (the held articles' titles) is a subject the articles cover, not an outlet:
    "the Taylor Swift story" asks about her (headlines seldom name another outlet).
    """
    titles = titles if titles is not None else TitleIndex()
    return [name for name in attributed_names(question) if not held.holds(name) and _strip_the(name) not in titles]


def _strip_the(name: str) -> str:
    words = name.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0].lower() == "the" else name


def question_parts(question: str, min_words: int = 4, max_parts: int = 4) -> list[str]:
    """A many-part question's parts ("Does X report A, while Y reports B?" -> the A and the B clause), or []
    for a question of one part. A fragment of fewer than `min_words` content words joins its neighbour;
    beyond `max_parts`, the two neighbours shortest together are joined (each part costs a search)."""
    parts: list[str] = []
    for piece in _PART_SPLIT.split(question):
        piece = piece.strip(" ,.?") if piece else ""
        if not piece:
            continue
        if parts and _content_words(piece) < min_words:
            parts[-1] += ", " + piece
        else:
            parts.append(piece)
    if len(parts) > 1 and _content_words(parts[0]) < min_words:
        parts[0:2] = [parts[0] + ", " + parts[1]]
    while len(parts) > max(max_parts, 1):
        i = min(range(len(parts) - 1), key=lambda j: _content_words(parts[j]) + _content_words(parts[j + 1]))
        parts[i:i + 2] = [parts[i] + ", " + parts[i + 1]]
    return parts if len(parts) > 1 else []


def _content_words(text: str) -> int:
    return sum(w.lower() not in _PART_STOP for w in re.findall(r"[\w'’-]{2,}", text))


def outlet_aliases(name: str) -> set[str]:
    """The ways a question may name a held outlet: its name, and its name before a " - ", " | " or ": "."""
    aliases = {name.strip()}
    for sep in _ALIAS_SEPARATORS:
        if sep in name:
            aliases.add(name.split(sep, 1)[0].strip())
    return {a for a in aliases if len(a) >= 3}


class OutletMatcher:
    """Finds which of the held outlets a question names (one regular expression per list of outlets)."""

    def __init__(self, outlets: Iterable[str]) -> None:
        self.outlets = tuple(sorted(set(o for o in outlets if o and o.strip())))
        self._by_key: dict[str, set[str]] = {}
        for name in self.outlets:
            for alias in outlet_aliases(name):
                words = alias.split()
                if len(words) > 1 and words[0].lower() == "the":
                    words = words[1:]
                self._by_key.setdefault(_key(" ".join(words)), set()).add(name)
        # Sections of one publisher ("FOX News - Health", "FOX News - Lifestyle") count as one outlet:
        # naming one names all (measured: +0.007 Hits@4 on MultiHop-RAG against the section alone).
        self._family = {name: self._by_key.get(_key(_publisher(name)), set()) | {name} for name in self.outlets}
        # Longest first, so "BBC News - Technology" wins over "BBC News" where both match.
        names = sorted(self._by_key, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w) for w in key.split()) for key in names)
        self._pattern = re.compile(rf"(?<!\w)(?:the\s+)?(?P<name>{body})(?!\w)", re.IGNORECASE) if names else None

    def holds(self, name: str) -> bool:
        """Whether `name` names a held outlet, or is the first words of one ("BBC" for "BBC News")."""
        words = name.split()
        if len(words) > 1 and words[0].lower() == "the":
            words = words[1:]
        key = _key(" ".join(words))
        return any(k == key or k.startswith(key + " ") for k in self._by_key)

    def __call__(self, question: str) -> set[str]:
        named: set[str] = set()
        if self._pattern is None:
            return named
        for m in self._pattern.finditer(question):
            if m.group("name")[0].isupper():
                for outlet in self._by_key[_key(m.group("name"))]:
                    named |= self._family[outlet]
        return named


def _key(alias: str) -> str:
    return " ".join(alias.lower().split())


def _publisher(name: str) -> str:
    """The outlet's name before a section ("The Independent - Sports" -> "Independent"), without "The"."""
    for sep in _ALIAS_SEPARATORS:
        name = name.split(sep, 1)[0]
    words = name.split()
    return " ".join(words[1:] if len(words) > 1 and words[0].lower() == "the" else words)


@dataclass(frozen=True)
class Mentions:
    outlets: frozenset[str] = frozenset()
    days: tuple[Day, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.outlets or self.days)


def find_mentions(question: str, outlets: OutletMatcher | None) -> Mentions:
    """The held outlets and the days a question names."""
    return Mentions(frozenset(outlets(question)) if outlets else frozenset(), tuple(named_days(question)))


def boost_mentions(hits: Sequence[Hit], articles: Mapping[int, tuple[str | None, str | None, str | None]],
                   mentions: Mentions, outlet_boost: float, date_boost: float) -> list[Hit]:
    """The hits re-ranked: `outlet_boost` added to the fused score of a passage whose article comes from a
    named outlet (as its outlet or its wire origin), `date_boost` when it was published on a named day.

    `articles` maps a hit's id to its article's (source, origin, published_at); hits not in it keep their score.
    """
    if not mentions:
        return list(hits)
    out = []
    for hit in hits:
        source, origin, published = articles.get(hit.id, (None, None, None))
        extra = 0.0
        if mentions.outlets and (source in mentions.outlets or origin in mentions.outlets):
            extra += outlet_boost
        if mentions.days and any(d.near(published) for d in mentions.days):
            extra += date_boost
        out.append(replace(hit, score=hit.score + extra) if extra else hit)
    return sorted(out, key=lambda h: h.score, reverse=True)
