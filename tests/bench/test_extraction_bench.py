"""bench/extraction.py's metric, as the benchmark's README defines it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package

from bench.extraction import Score, eventbot_body, score, shingles, summary  # noqa: E402


def test_shingles_are_word_4grams_counted_with_multiplicity() -> None:
    assert shingles("a b c d a b c d") == {"a b c d": 2, "b c d a": 1, "c d a b": 1, "d a b c": 1}
    assert shingles("too short") == {"too short": 1}


def test_scores_are_divided_by_all_shingles_and_an_empty_prediction_is_recall_zero() -> None:
    truth = "the ferry crews went back to work on tuesday"
    assert score(truth, truth) == Score(1.0, 0.0, 0.0)
    half = score(truth, "the ferry crews went back to")
    assert (half.tp, half.fp, half.fn) == pytest.approx((3 / 6, 0.0, 3 / 6))
    empty = score(truth, "")
    assert empty.tp == 0.0 and empty.fn > 0
    f1, p, r = summary({"a": Score(1.0, 0.0, 0.0), "b": empty})
    assert (p, r) == (1.0, 0.5)  # the empty page counts in recall only
    assert f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_eventbot_body_is_headings_and_paragraphs_and_empty_when_refused() -> None:
    html = (b"<html><head><title>Ferry strike ends</title></head><body><article><h1>Ferry strike ends</h1>"
            b"<p>The Castelmar ferry crews went back to work on Tuesday after three weeks, the harbour board said.</p>"
            b"<h2>What next</h2><p>The evening crossing returns in April, on weekdays at first, the board said.</p>"
            b"</article></body></html>")
    body = eventbot_body(html, "https://harborledger.example/ferry").splitlines()
    assert body[1] == "What next" and len(body) == 3
    assert eventbot_body(b"<html><body><p>Back soon.</p></body></html>", "https://a.example/") == ""
