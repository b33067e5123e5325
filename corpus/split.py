"""Splitting article bodies into passages (paragraphs)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from corpus.clean import word_count

_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")
# A sentence ends with . ! ? (optionally followed by a closing quote or bracket) and then whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019)\]])\s+|(?<=[。！？])")


def split_paragraphs(body: str, max_chars: int = 2000) -> list[str]:
    """Split a body whose paragraphs are separated by blank lines.

    Whitespace inside a paragraph is collapsed; empty paragraphs are dropped; a paragraph longer
    than `max_chars` is cut into pieces at sentence boundaries (see `split_long`).
    """
    out: list[str] = []
    for block in _BLANK_LINE.split(body.replace("\r\n", "\n")):
        text = _SPACES.sub(" ", block).strip()
        if text:
            out.extend(split_long(text, max_chars))
    return out


def passages_from(paragraphs: Iterable[str], max_chars: int = 2000, min_words: int = 4) -> list[str]:
    """The passages of an article: its paragraphs, with lines of fewer than `min_words` words (headings,
    list labels) joined to the paragraph after them (or before them, at the end), and paragraphs longer
    than `max_chars` cut at sentence ends."""
    merged: list[str] = []
    pending: list[str] = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text:
            continue
        pending.append(text)
        if word_count(text) >= min_words:
            merged.append("\n".join(pending))
            pending = []
    if pending:
        if merged:
            merged[-1] = "\n".join([merged[-1], *pending])
        else:
            merged.append("\n".join(pending))
    return [piece for text in merged for piece in split_long(text, max_chars)]


def sectioned_passages(paragraphs: Sequence[str], headings: Sequence[str | None], max_chars: int = 2000,
                       min_words: int = 4) -> list[tuple[str, str | None]]:
    """`passages_from` within each section: (passage, its heading) pairs.

    `headings` holds one heading (or None) per paragraph, or nothing. Consecutive paragraphs under the same
    heading form a section; short lines are joined only within their section, and the pieces of a long
    paragraph keep its heading. A heading is never a passage of its own.
    """
    if len(headings) != len(paragraphs):
        return [(text, None) for text in passages_from(paragraphs, max_chars, min_words)]
    out: list[tuple[str, str | None]] = []
    for heading, section in itertools.groupby(zip(paragraphs, headings, strict=True), key=lambda pair: pair[1]):
        out.extend((text, heading) for text in passages_from([p for p, _ in section], max_chars, min_words))
    return out


def split_long(text: str, max_chars: int) -> list[str]:
    """Cut `text` into pieces of at most `max_chars`, at sentence ends where possible, else at spaces."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(text, max_chars):
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def _sentences(text: str, max_chars: int) -> list[str]:
    sentences: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            sentences.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            sentences.append(sentence)
    return sentences
