"""The held outlets a question names, and the outlets it attributes a report to that none of the held
articles come from.

An outlet is named by its held name or the part before " - ", " | " or ": " ("The Independent - Sports"
-> "The Independent", "Cnbc | World Business News Leader" -> "Cnbc"), any case, a leading "The"
optional, but starting with a capital in the question: "Fortune" names the outlet, "a fortune" does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.question import attributed_names

_ALIAS_SEPARATORS = (" - ", " | ", ": ")



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
