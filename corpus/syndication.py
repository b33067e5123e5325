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
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

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
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    sa, sb = shingles([a], 3), shingles([b], 3)
    if not sa or not sb:
        return False
    return len(sa & sb) / len(sa | sb) >= threshold
