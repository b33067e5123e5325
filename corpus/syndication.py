"""Spotting the same story carried by several outlets: word shingles, bottom-k sketches, overlap.

Pure functions, no I/O. The store keeps each article's sketch (its `SKETCH_SIZE` smallest shingle
hashes) in an indexed table, so finding the held articles that may carry the same text is one query;
each candidate is then checked exactly with `overlap` on its stored paragraphs.

Why shingle containment rather than exact paragraph hashes (measured by bench/syndication.py on the demo
corpus and edited copies of it): both separate the demo's syndicated pair from every other pair of demo
stories, but one edited word changes a paragraph's hash, so a lightly edited reprint (spelling, "on
Monday" -> "Monday", a merged paragraph) loses most of its paragraph matches, while its 5-word shingles
barely change. Containment is measured against the shorter article, so a copy cut short (the demo's
Harbour Watch copy drops the last paragraph) still counts as the same story.

Text that matches is not yet the same report: "41 drones" and "14 drones" differ in one word, so the
paragraphs are near-identical, but a reader told that the second outlet "also carried" the first would take
it that both say 41. `facts` reads the numbers, dates and names of a paragraph, normalised so that formatting
does not count ("14" and "fourteen", "Sept. 17" and "September 17", "2,800" and "2800"), and `agree` says
whether two paragraphs state the same ones: a fact one of them leaves out is no disagreement, a different
fact of the same kind on both sides is. `is_copy` (near-identical text that agrees) decides what is shown
once; `conflicts` says what differs. Measured by bench/copies.py.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.lexicon import MONTH_NAMES, MONTHS, RANKS_AND_TITLES, WEEKDAY_NAMES, WEEKDAYS

SHINGLE_WORDS = 5
"""Words per shingle: long enough that stock phrases ("said on Monday that the") rarely match."""

SKETCH_SIZE = 64
"""Smallest shingle hashes kept per article for finding candidates."""

MIN_SHARED_KEYS = 3
"""Sketch keys two articles must share before they are compared exactly."""

MAX_CANDIDATES = 50
"""Candidates compared exactly per new article, those sharing most sketch keys first: bounds the cost of
an insert when many held articles of one outlet share boilerplate with it."""

SYNDICATION_THRESHOLD = 0.5
"""Share of the shorter article's shingles found in the other at or above which they are the same story.
Measured (bench/syndication.py): demo reprints, cut and edited, score 0.61 or more, different demo
stories 0.05 at most; in the 609 real articles of the MultiHop-RAG store, two updated versions of one
post score 0.61 and 0.84, while different articles of one outlet that reuse template or background
paragraphs score up to 0.40. Passages are collapsed only when the paragraphs themselves match
(`near_identical`), so the threshold decides which articles are compared, not what is hidden."""

NEAR_IDENTICAL = 0.4
"""Jaccard of two paragraphs' 3-word shingles at or above which one is shown for both ("also carried
by"). Measured: a paragraph with two small edits scores 0.57 or more against its original; paragraphs
of different stories 0.15 at most."""

_WORDS = re.compile(r"\w+")
_MASK = (1 << 63) - 1  # SQLite integers are signed 64-bit


def words(text: str) -> list[str]:
    """Lower-case words of a text, punctuation dropped."""
    return _WORDS.findall(text.lower())


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") & _MASK


def shingles(paragraphs: Iterable[str], size: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of the word n-grams of each paragraph (never across paragraphs, so that dropped or
    reordered paragraphs leave the others' shingles intact); a shorter paragraph is one shingle."""
    out: set[int] = set()
    for paragraph in paragraphs:
        tokens = words(paragraph)
        if not tokens:
            continue
        if len(tokens) <= size:
            out.add(_hash(" ".join(tokens)))
            continue
        out.update(_hash(" ".join(tokens[i:i + size])) for i in range(len(tokens) - size + 1))
    return out


def sketch(shingle_set: set[int], size: int = SKETCH_SIZE) -> list[int]:
    """The bottom-k sketch: the `size` smallest shingle hashes. Two articles sharing much text share
    many of these, whatever their lengths."""
    return sorted(shingle_set)[:size]


def overlap(a: set[int], b: set[int]) -> float:
    """Containment of the smaller shingle set in the larger: 1.0 when one text holds all of the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def same_story(a: Sequence[str], b: Sequence[str], threshold: float = SYNDICATION_THRESHOLD) -> bool:
    """Whether two articles' paragraphs are the same story carried twice."""
    return overlap(shingles(a), shingles(b)) >= threshold


def near_identical(a: str, b: str, threshold: float = NEAR_IDENTICAL) -> bool:
    """Whether two paragraphs carry the same text, allowing small edits."""
    (wa, sa), (wb, sb) = _paragraph_shingles(a), _paragraph_shingles(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    if not sa or not sb:
        return False
    return len(sa & sb) / len(sa | sb) >= threshold


@functools.lru_cache(maxsize=4096)
def _paragraph_shingles(text: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """A paragraph's words and word-trigram hashes, kept for the next comparison: an answer compares each
    shown passage with every paragraph of each held copy of its story, on every question showing it."""
    return tuple(words(text)), frozenset(shingles([text], 3))


def is_copy(a: str, b: str) -> bool:
    """Whether paragraph `b` carries what paragraph `a` says: near-identical text (`near_identical`) whose
    numbers, dates and names agree (`agree`). Only then is one shown for both ("also carried by")."""
    return near_identical(a, b) and agree(a, b)


# -- facts ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """One number, date or name of a paragraph.

    `kind` is "number" (cardinals and ordinals, with their scale: "2.5 million" is 2500000), "date" (a day
    of a month, "09-17"), "month" (a month named alone, or a date's), "day" (a weekday, ISO number) or
    "name" (one capitalised word of a person, place or organisation, lower case and without accents or
    possessive). `key` is the normalised value two texts are compared by; `text` is what the paragraph
    wrote, with the number's unit ("41 drones") or the whole name ("Anton Brel"), to show a reader.
    """

    kind: str
    key: str
    text: str
    unit: str | None = None  # numbers: the word counted ("drones"), or "percent"
    implied: bool = False  # months: read from a date rather than named alone
    at: int = 0  # numbers: the index of the word it starts at

    @property
    def compared(self) -> str:
        """What two texts' facts are compared by: the key, and for a name its stem without a demonym or
        place ending, so that "Sarvenian minister" and "Sarvenia's minister" name the same country."""
        if self.kind != "name" or len(self.key) <= 5:  # short names ("Maria", "Mario") stay apart
            return self.key
        return _DEMONYM.sub("", self.key)


@dataclass(frozen=True)
class Conflict:
    """Facts of one kind that two paragraphs state differently: what the first says, what the second says."""

    kind: str
    mine: tuple[str, ...]
    theirs: tuple[str, ...]


_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10 ** 6, "billion": 10 ** 9, "trillion": 10 ** 12,
           "dozen": 12}
_ATTACHED_SCALES = {"k": 1000, "m": 10 ** 6, "mn": 10 ** 6, "bn": 10 ** 9}  # "4.5m", "2bn": written on the number
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_TIMES = {"twice": 2, "thrice": 3}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_PERCENT = frozenset({"percent", "pc", "%"})
_FULL_WEEKDAYS = frozenset(WEEKDAY_NAMES)
_SHORT_WEEKDAYS = frozenset({"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri"})  # only with a full stop
# Capitalised words that are no names: function words and the ordinary words news sentences start with.
_NOT_NAMES = frozenset("""
a an the this that these those there here it its he she they we you i his her their our my your him them us me
who whom whose what which where when why how whether if as at in on by for from with without within under over
about above below among between into onto through throughout during before after since until till while
although though because unless despite against toward towards across along around near beyond upon via per
and but or nor so yet then than also still however meanwhile moreover furthermore instead otherwise thus hence
therefore now later earlier already again once soon just only even perhaps maybe indeed elsewhere
separately overall altogether today tonight yesterday tomorrow last next some many most more much few fewer
several both each every all any no none other another such own same either neither not nothing something
anything everything someone anyone everyone nobody asked speaking according following including
officials authorities police residents witnesses analysts experts diplomats critics supporters sources
reports local people workers leaders lawmakers ministers troops soldiers forces rescuers engineers doctors
is are was were be been being has have had do does did will would shall should can could may might must
yes ok okay mr mrs ms dr st
""".split())
_ABBREVIATED = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp",
                          "a", "p", "m", "u", "s"}) | {w for w in MONTHS if len(w) <= 4} | _SHORT_WEEKDAYS
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['\u2019][^\W\d_]+)*|[%$\u20ac\u00a3]|\S")
_SENTENCE_ENDS = frozenset(".!?")
_OPENERS = frozenset("\"\u201c\u2018([")
_DIGITS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_KINDS = ("number", "date", "month", "day", "name")
_DAY = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")
_DEMONYM = re.compile(r"(?:ians?|ia|ese|ans?|a|e)$")
_NEAR = 5  # two numbers this many words apart or less are read together ("212 votes to 98", "3-1")


def facts(text: str) -> list[Fact]:
    """The numbers, dates and names `text` states, in reading order (see `Fact`)."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    lowered = {t.lower() for t, _, _ in tokens if t[:1].islower()}
    out: list[Fact] = []
    i, start = 0, True  # `start`: the token begins a sentence
    names: list[tuple[str, int, int]] = []  # the current run of capitalised name words

    def flush_names() -> None:
        if names:
            shown = text[names[0][1]:names[-1][2]]
            out.extend(Fact("name", key, shown) for key, _, _ in names)
            names.clear()

    while i < len(tokens):
        token, begin, end = tokens[i]
        low = token.lower()
        date = _date_at(tokens, i, text)
        if date is not None:
            flush_names()
            found, i = date
            out.extend(found)
            start = False
            continue
        number = _number_at(tokens, i, text)
        if number is not None:
            flush_names()
            fact, i = number
            out.append(fact)
            start = False
            continue
        if token[:1].isupper() and token[0].isalpha():
            weekday = _weekday(tokens, i)
            if weekday is not None:
                flush_names()
                out.append(Fact("day", str(weekday), token))
            elif _is_name(token, low, start, lowered):
                names.append((_name_key(token), begin, end))
            else:
                flush_names()
            start = False
            i += 1
            continue
        if token == "-" and names and i + 1 < len(tokens) and tokens[i + 1][0][:1].isupper() \
                and tokens[i + 1][1] == end and begin == names[-1][2]:
            i += 1  # "Jean-Luc": one name
            continue
        flush_names()
        if token in _SENTENCE_ENDS:
            previous = tokens[i - 1][0].lower() if i else ""
            start = not (token == "." and (previous in _ABBREVIATED or len(previous) == 1 or
                                           previous in RANKS_AND_TITLES))
        elif token in _OPENERS:
            start = True
        elif token[:1].isalnum():
            start = False
        i += 1
    flush_names()
    return out


def _is_name(token: str, low: str, start: bool, lowered: set[str]) -> bool:
    key = low.replace(".", "")
    if len(key) > 1 and token.replace(".", "").isupper() and key not in MONTHS and key not in WEEKDAYS:
        return True  # an acronym: "US", "U.N.", "NATO"
    if key in _NOT_NAMES or key in RANKS_AND_TITLES or key in _UNITS or key in _TENS or key in _ORDINALS \
            or key in _TIMES:
        return False
    if key in MONTH_NAMES or key in _FULL_WEEKDAYS:  # "Jan", "Sun" not read as a date are names
        return False
    # A sentence's first word is capitalised whatever it is: a name only if the text never writes it in lower case.
    return not (start and _strip_possessive(key) in lowered)


def _strip_possessive(word: str) -> str:
    return re.sub(r"['\u2019]s?$", "", word)


def _name_key(token: str) -> str:
    plain = unicodedata.normalize("NFKD", _strip_possessive(token.casefold()).replace(".", ""))
    return "".join(c for c in plain if not unicodedata.combining(c))


def _weekday(tokens: list[tuple[str, int, int]], i: int) -> int | None:
    low = tokens[i][0].lower()
    if low in _FULL_WEEKDAYS:
        return WEEKDAYS[low]
    dotted = i + 1 < len(tokens) and tokens[i + 1][0] == "." and tokens[i + 1][1] == tokens[i][2]
    return WEEKDAYS[low] if low in _SHORT_WEEKDAYS and dotted else None


def _day_number(tokens: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """(day of month, index after it) for "17" or "17th" at `i`."""
    if i >= len(tokens) or not _DAY.fullmatch(tokens[i][0]) or not 1 <= int(tokens[i][0]) <= 31:
        return None
    j = i + 1
    if j < len(tokens) and tokens[j][0].lower() in _ORDINAL_SUFFIXES and tokens[j][1] == tokens[i][2]:
        j += 1
    return int(tokens[i][0]), j


def _month_at(tokens: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """(month, index after it, with its full stop) for a capitalised month name or abbreviation at `i`."""
    if i >= len(tokens):
        return None
    token = tokens[i][0]
    low = token.lower()
    if not token[:1].isupper() or low not in MONTHS:
        return None
    j = i + 1
    # "Sept." keeps its full stop; after "September" a full stop ends the sentence.
    if j < len(tokens) and tokens[j][0] == "." and tokens[j][1] == tokens[i][2] and low not in MONTH_NAMES:
        j += 1
    return MONTHS[low], j


def _date_at(tokens: list[tuple[str, int, int]], i: int, text: str) -> tuple[list[Fact], int] | None:
    """The date at `i` ("Sept. 17", "17 September", "September 17th, 2026", "in March"), as facts."""
    month = _month_at(tokens, i)
    if month is not None:
        number, after = month
        day = _day_number(tokens, after)
        if day is not None:
            found = [Fact("date", f"{number:02d}-{day[0]:02d}", text[tokens[i][1]:tokens[day[1] - 1][2]]),
                     Fact("month", str(number), tokens[i][0], implied=True)]
            return found + _year(tokens, day[1], text), _after_year(tokens, day[1])
        low = tokens[i][0].lower()
        abbreviated = low not in MONTH_NAMES
        dotted = after > i + 1
        starts = i == 0 or tokens[i - 1][0] in _SENTENCE_ENDS or tokens[i - 1][0] in _OPENERS
        if (abbreviated and not dotted) or (low in ("may", "march") and starts):
            return None  # "Mar" may be a name, "May" or "March" a verb
        return [Fact("month", str(number), text[tokens[i][1]:tokens[after - 1][2]])], after
    day = _day_number(tokens, i)
    if day is not None:
        month = _month_at(tokens, day[1])
        if month is not None:
            number, after = month
            found = [Fact("date", f"{number:02d}-{day[0]:02d}", text[tokens[i][1]:tokens[after - 1][2]]),
                     Fact("month", str(number), tokens[day[1]][0], implied=True)]
            return found + _year(tokens, after, text), _after_year(tokens, after)
    return None


def _year(tokens: list[tuple[str, int, int]], i: int, text: str) -> list[Fact]:
    j = i + 1 if i < len(tokens) and tokens[i][0] == "," else i
    if j < len(tokens) and _YEAR.fullmatch(tokens[j][0]):
        return [Fact("number", str(int(tokens[j][0])), tokens[j][0])]
    return []


def _after_year(tokens: list[tuple[str, int, int]], i: int) -> int:
    j = i + 1 if i < len(tokens) and tokens[i][0] == "," else i
    return j + 1 if j < len(tokens) and _YEAR.fullmatch(tokens[j][0]) else i


def _number_at(tokens: list[tuple[str, int, int]], i: int, text: str) -> tuple[Fact, int] | None:
    """The number at `i`, in digits or words, with its scale and unit ("$2.5 million", "forty-one drones")."""
    token = tokens[i][0]
    low = token.lower()
    first = i
    if token in "$\u20ac\u00a3" and i + 1 < len(tokens) and _DIGITS.fullmatch(tokens[i + 1][0]):
        i += 1
        token, low = tokens[i][0], tokens[i][0].lower()
    ordinal = False
    if _DIGITS.fullmatch(token):
        value = float(token.replace(",", ""))
        j = i + 1
        if j < len(tokens) and tokens[j][1] == tokens[i][2]:
            suffix = tokens[j][0].lower()
            if suffix in _ORDINAL_SUFFIXES and "." not in token and "," not in token:
                ordinal, j = True, j + 1
            elif suffix in _ATTACHED_SCALES:
                value, j = value * _ATTACHED_SCALES[suffix], j + 1
    elif low in _ORDINALS:
        value, ordinal, j = float(_ORDINALS[low]), True, i + 1
    elif low in _TIMES:
        value, j = float(_TIMES[low]), i + 1
    elif low == "no" and _plural(tokens, i + 1):
        value, j = 0.0, i + 1  # "no casualties" is a count: none
    elif low == "one" and i > 0 and tokens[i - 1][0].lower() in ("no", "every", "any", "some", "the", "this"):
        return None  # "no one", "the one who": no count
    elif low in _UNITS or low in _TENS or (low in _SCALES and low != "dozen" and i > 0
                                           and tokens[i - 1][0].lower() in ("a", "one")):
        value, j = _number_words(tokens, i)
    else:
        return None
    if not ordinal:
        while j < len(tokens) and tokens[j][0].lower() in _SCALES:
            value, j = value * _SCALES[tokens[j][0].lower()], j + 1
    unit, shown_end = _unit(tokens, j)
    if ordinal:
        key = f"{int(value)}{_suffix(int(value))}"
    else:
        key = str(int(value)) if value == int(value) else repr(value)
    shown = text[tokens[first][1]:tokens[shown_end - 1][2]]
    return Fact("number", key, shown, unit, at=first), shown_end if unit == "percent" else j


def _plural(tokens: list[tuple[str, int, int]], i: int) -> bool:
    """Whether the word at `i` is a plural noun a number could count ("casualties", not "less" or "one")."""
    if i >= len(tokens):
        return False
    word = tokens[i][0]
    return (word.isalpha() and word.islower() and len(word) > 3 and word.endswith("s") and not word.endswith("ss")
            and word not in _NOT_NAMES)


def _number_words(tokens: list[tuple[str, int, int]], i: int) -> tuple[float, int]:
    """A number written in words from `i` ("forty-one", "twenty one", "a hundred"): (value, index after)."""
    low = tokens[i][0].lower()
    if low in _SCALES:
        return 1.0, i  # "a hundred": the scale is read by the caller
    if low in _UNITS:
        return float(_UNITS[low]), i + 1
    value, j = float(_TENS[low]), i + 1
    if j + 1 < len(tokens) and tokens[j][0] == "-" and tokens[j + 1][0].lower() in _UNITS:
        return value + _UNITS[tokens[j + 1][0].lower()], j + 2
    if j < len(tokens) and tokens[j][0].lower() in _UNITS and 0 < _UNITS[tokens[j][0].lower()] < 10:
        return value + _UNITS[tokens[j][0].lower()], j + 1
    return value, j


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _unit(tokens: list[tuple[str, int, int]], j: int) -> tuple[str | None, int]:
    """What a number counts (the next word, when it is a lower-case content word; "percent" for %, per cent),
    and the index after the words shown with the number."""
    if j >= len(tokens):
        return None, j
    low = tokens[j][0].lower()
    if low in _PERCENT:
        return "percent", j + 1
    if low == "per" and j + 1 < len(tokens) and tokens[j + 1][0].lower() == "cent":
        return "percent", j + 2
    if tokens[j][0][:1].islower() and tokens[j][0].isalpha() and low not in _NOT_NAMES:
        return low, j + 1
    return None, j


# -- agreement -----------------------------------------------------------------------------------------

def conflicts(a: str, b: str) -> list[Conflict]:
    """The facts paragraphs `a` and `b` state differently, kind by kind.

    A kind conflicts when each paragraph states a fact of that kind the other does not ("41" against "14"):
    a fact only one of them states is left out or added, not contradicted. Numbers also conflict when both
    state the same ones of different things ("41 drones and 14 missiles" against "14 drones and 41
    missiles") or read two of them the other way round ("212 votes to 98" against "98 votes to 212"). A
    month that only a conflicting date implies is not reported again.
    """
    fa, fb = facts(a), facts(b)
    out: list[Conflict] = []
    for kind in _KINDS:
        ka = {f.compared for f in fa if f.kind == kind}
        kb = {f.compared for f in fb if f.kind == kind}
        only_a = [f for f in fa if f.kind == kind and f.compared not in kb]
        only_b = [f for f in fb if f.kind == kind and f.compared not in ka]
        if not (only_a and only_b):
            continue
        if kind == "month" and any(c.kind == "date" for c in out) and all(f.implied for f in only_a + only_b):
            continue
        out.append(Conflict(kind, _shown(only_a), _shown(only_b)))
    swapped = _either_way(_swapped_units, fa, fb) or _either_way(_reversed_pair, fa, fb)
    if swapped and not any(c.kind == "number" for c in out):
        out.insert(0, Conflict("number", _shown(swapped[0]), _shown(swapped[1])))
    return out


def agree(a: str, b: str) -> bool:
    """Whether paragraphs `a` and `b` state the same numbers, dates and names, or leave some out (see
    `conflicts`); formatting ("14" and "fourteen", "Sept. 17" and "September 17") does not count."""
    return not conflicts(a, b)


def _either_way(check, fa: list[Fact], fb: list[Fact]) -> tuple[list[Fact], list[Fact]] | None:  # noqa: ANN001
    """`check(fa, fb)`, else `check(fb, fa)` with its sides put back: so that `agree(a, b) == agree(b, a)`."""
    found = check(fa, fb)
    if found is None and (found := check(fb, fa)) is not None:
        found = (found[1], found[0])
    return found


def _shown(found: Iterable[Fact]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.text for f in found))


def _swapped_units(fa: list[Fact], fb: list[Fact]) -> tuple[list[Fact], list[Fact]] | None:
    """The numbers both paragraphs state of different things, when each thing is counted by another
    number on the other side; None when there are none."""
    def units(found: list[Fact]) -> dict[str, Fact]:
        out: dict[str, Fact] = {}
        for f in found:
            if f.kind == "number" and f.unit:
                out.setdefault(f.key, f)
        return out

    ua, ub = units(fa), units(fb)
    counted_b = {f.unit: f.key for f in ub.values()}
    mine = [f for key, f in ua.items() if key in ub and ub[key].unit != f.unit
            and counted_b.get(f.unit, key) != key]
    if not mine:
        return None
    keys = {f.key for f in mine}
    return mine, [f for f in ub.values() if f.key in keys]


def _reversed_pair(fa: list[Fact], fb: list[Fact]) -> tuple[list[Fact], list[Fact]] | None:
    """Two numbers read together in one paragraph and the other way round in the other ("by 212 votes to
    98" against "by 98 votes to 212"), or None."""
    def pairs(found: list[Fact]) -> dict[tuple[str, str], tuple[Fact, Fact]]:
        numbers = [f for f in found if f.kind == "number"]
        return {(x.key, y.key): (x, y) for x, y in itertools.pairwise(numbers)
                if x.key != y.key and y.at - x.at <= _NEAR}

    pa, pb = pairs(fa), pairs(fb)
    for (x, y), mine in pa.items():
        if (y, x) in pb and (x, y) not in pb and (y, x) not in pa:
            return list(mine), list(pb[y, x])
    return None
