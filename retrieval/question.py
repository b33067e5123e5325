"""What a question asks: the filters typed in it, the speaker it asks about, the days it names, the
outlets it attributes a report to, and its parts. Pure functions.

``what did Varenko say about the talks source:Reuters since:2026-03-01`` asks "what did Varenko say about
the talks", only in articles from Reuters (outlet or wire origin) published on or after 1 March 2026, and
boosts passages that quote Varenko. The filters are `source:NAME`, `speaker:NAME`, `since:DATE` and
`until:DATE`; a value with spaces goes in quotes (``speaker:"Helga Rustad"``).

"Does the TechCrunch article on the FTX trial agree with The Verge's report published on October 5, 2023?"
names a day (`named_days`) and attributes reports to two outlets (`attributed_names`); "..., while ..."
splits a question into parts (`question_parts`), each searched on its own too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from corpus.attribution import canonical_agency
from corpus.lexicon import MONTHS, RANKS_AND_TITLES, WEEKDAY_NAMES, alternation
from corpus.models import Article
from retrieval.errors import BadFilter, EmptyQuestion

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
    # Starts only where a run of name characters starts (not at every "." of "A.A.A…": quadratic).
    re.compile(r"(?<![\w.\-])(?P<who>[A-Z][\w.\-]+(?:\s+[A-Z][\w.\-]+){0,2})(?:'s|’s) (?:comments?|remarks?|statements?|words"
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
    want = [w for w in _words(wanted) if len(w) > 1 and w not in RANKS_AND_TITLES]
    return bool(want) and all(w in have for w in want)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c)))


def clean_question(question: str, max_chars: int) -> str:
    """The question with its whitespace collapsed, cut at a word end to `max_chars`.

    Raises:
        EmptyQuestion: it has no letters or digits.
    """
    text = cut(question, max_chars)
    if not any(c.isalnum() for c in text):
        raise EmptyQuestion("ask a question with some words in it")
    return text


def cut(question: str, max_chars: int) -> str:
    """The question with its whitespace collapsed, cut at a word end to `max_chars` (before it is parsed:
    nothing longer is ever looked at)."""
    text = " ".join(question.split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
    return text


def article_filter(source: str | None, since: str | None, until: str | None) -> Callable[[Article], bool] | None:
    """A test of articles for the given filters, or None when there are none.

    A source filter matches part of the outlet's or the wire origin's name, or the agency it stands for
    ("AP" finds the origin "Associated Press").

    Raises:
        BadFilter: `since` or `until` is no ISO date.
    """
    if not (source or since or until):
        return None
    bounds = []
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                bounds.append(date.fromisoformat(value.strip()[:10]).isoformat())
            except ValueError as e:
                raise BadFilter(f"{name} must be a date like 2026-03-04, not {value!r}") from e
        else:
            bounds.append(None)
    low, high = bounds
    wanted = (source or "").strip().lower()
    canonical = canonical_agency(source).lower() if source else ""

    def keep(a: Article) -> bool:
        origin = (a.origin or "").lower()
        if wanted and wanted not in (a.source or "").lower() and wanted not in origin and canonical != origin:
            return False
        day = (a.published_at or "")[:10]
        if (low or high) and not day:
            return False
        return (not low or day >= low) and (not high or day <= high)

    return keep


# -- days, outlets and parts named in a question ----------------------------------------------------

_MONTH = rf"(?P<month>{alternation(MONTHS)})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b", re.IGNORECASE),  # October 5, 2023 / Oct. 5th
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE),  # 5 October 2023
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),  # 2023-10-05
)
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
_NOT_OUTLET = re.compile(rf"^(?:the\s+)?(?:{alternation(MONTHS)}|{alternation(WEEKDAY_NAMES)})\b",
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
            month_no = int(month) if month.isdigit() else MONTHS[month.lower()]
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
