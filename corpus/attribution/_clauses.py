"""Reporting clauses: where a sentence says who said something, and the words that name them.

A clause's noun phrase is returned as written ("Col. Anja Verlinde", "the ministry", "he"); `speakers`
resolves it. Quotations are masked first (`mask_quotes`) so that words inside them are never read as a
speaker or a reporting verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.attribution._words import ABBREVIATIONS, CAPITALISED_COMMON, LEADING, TRAILING, VERB_WORDS, VERBS

_VERB_RE = re.compile(rf"\b{VERBS}\b")
_SAYING_RE = re.compile(r",\s+saying\b")
# Verbs that attribute the quotation following them: 'X called the offer "an insult to every classroom"'.
_CHARACTERISING_RE = re.compile(r"\b(?:called|described|dubbed|branded|labell?ed|hailed|denounced|condemned)\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to\s+(?P<who>[^,;\"\ue000]+)")
QUOTE_RE = re.compile("\ue000(\\d+)\ue001")


@dataclass
class Clause:
    """A reporting clause found in a sentence: who, where, and whether it carries a quotation."""

    who: str
    position: int
    direct: bool


def mask_quotes(text: str) -> tuple[str, list[str]]:
    """The text with each quotation's words replaced by a marker, and the quotations."""
    quotes: list[str] = []

    def mark(m: re.Match[str]) -> str:
        quotes.append(m.group(1))
        return f'"\ue000{len(quotes) - 1}\ue001"'

    masked = re.sub(r'"([^"]*)(?:"|$)', mark, text)
    return masked, quotes


def split_sentences(text: str) -> list[str]:
    """The sentences of a masked paragraph; a full stop after an abbreviation or an initial ends none."""
    out, start = [], 0
    for m in re.finditer(r'[.!?]\s+(?=["\ue000A-ZÀ-Þ])', text):
        before = text[start:m.start()].rsplit(None, 1)
        word = before[-1].lower().lstrip('("') if before else ""
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        out.append(text[start:m.start() + 1].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _has_quote(sentence: str, quotes: list[str]) -> bool:
    return any(len(quotes[int(i)].split()) >= 3 for i in QUOTE_RE.findall(sentence))


_LEADING_ADVERBIAL = re.compile(
    r"^(?:(?:In|At|On|From|After|Before|During|Speaking|Later|Earlier|Meanwhile|Separately|However|Asked|Writing"
    r"|Under|Despite|Since|By|Following|Responding|Addressing|Separately|Elsewhere|Overnight|Today|Yesterday)"
    r"\b[^,\"]{0,80},\s+)"
)


def find_clauses(sentence: str, quotes: list[str]) -> list[Clause]:
    """The reporting clauses of one sentence, in order."""
    direct = _has_quote(sentence, quotes)
    body = _LEADING_ADVERBIAL.sub("", sentence)
    offset = len(sentence) - len(body)
    clauses: list[Clause] = []
    for m in _VERB_RE.finditer(body):
        left, right = body[:m.start()], body[m.end():]
        if re.search(r"\b(?:and|but)\s+(?:also\s+|later\s+|then\s+)?$", left):
            who = _subject(body)  # 'X called the walkout "..." and said ...', 'X thanked him and said ...'
        else:
            who = _who_before(left)
            if who is None and (re.search(r'"\s*,?\s*$', left) or (left.rstrip().endswith(",")
                                                                    and left.count(",") == 1)):
                who = _who_after(right)  # '"...," said Ines Marchetti, ...'
        if who:
            clauses.append(Clause(who, offset + m.start(), direct))
    if not clauses:
        for m in _CHARACTERISING_RE.finditer(body):
            if _has_quote(body[m.end():], quotes):
                who = _who_before(body[:m.start()])
                if who:
                    clauses.append(Clause(who, offset + m.start(), direct))
                break
    if _SAYING_RE.search(body) and not clauses:
        who = _subject(body)
        if who:
            clauses.append(Clause(who, offset, direct))
    for m in _ACCORDING_RE.finditer(body):
        who = m.group("who").strip().rstrip(".")
        clauses.append(Clause(who, offset + m.start(), direct))
    clauses.sort(key=lambda c: c.position)
    return clauses


def _who_before(left: str) -> str | None:
    """The noun phrase just before a reporting verb, with an appositive between commas."""
    text = left.rstrip()
    if not text:
        return None
    # After the last quotation: '"...," Kestria ... spokeswoman Col. Anja Verlinde said'
    if "\ue001" in text:
        text = text[text.rindex("\ue001") + 2:]
    segments = text.split(",")
    last = segments[-1].strip()
    if not last and len(segments) >= 3:  # "X, APPOSITIVE, said"
        who = f"{segments[-3].strip()}, {segments[-2].strip()}"
    elif last:
        who = last
    else:
        return None
    words = who.split()
    while words and words[-1].lower() in TRAILING:
        words.pop()
    while words and words[0].lower() in LEADING:
        words.pop(0)
    return " ".join(words) or None


def _who_after(right: str) -> str | None:
    text = right.strip()
    if "\ue000" in text:
        text = text[:text.index("\ue000")].rstrip('" ')
    text = text.rstrip(".!? ")
    words = text.split()
    if not words or not (words[0].lower() in ("the", "he", "she") or any(
            w[0].isupper() and w.lower() not in CAPITALISED_COMMON for w in words[:6])):
        return None
    return text


def _subject(body: str) -> str | None:
    """The sentence's subject: the words before its first lower-case verb-like word."""
    words = body.split()
    for i, word in enumerate(words[:12]):
        plain = word.strip(",")
        if i and plain.islower() and (plain.endswith("ed") or plain in VERB_WORDS
                                      or plain in ("took", "gave", "made", "threw", "led", "won", "hit",
                                                   "sent", "met", "spoke", "rejected", "dismissed")):
            return " ".join(words[:i])
    return None
