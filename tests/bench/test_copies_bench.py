"""bench/copies.py's written pairs as a regression test: the copy rule merges no contradiction and every copy."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package

from bench.copies import pairs, rule_counts  # noqa: E402
from corpus.syndication import is_copy, near_identical  # noqa: E402


def test_every_written_pair_is_near_identical_text() -> None:
    merged, contradictions, copies_merged, copies = rule_counts(near_identical, pairs())
    assert (merged, copies_merged) == (contradictions, copies)  # text alone cannot tell them apart


def test_the_copy_rule_merges_no_contradiction_and_every_true_copy() -> None:
    merged, contradictions, copies_merged, copies = rule_counts(is_copy, pairs())
    assert contradictions >= 50 and copies >= 40
    assert (merged, copies_merged) == (0, copies)
