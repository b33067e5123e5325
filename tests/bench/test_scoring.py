"""The MultiHop-RAG scorer on hand-made questions: Hits, MRR and MAP arithmetic."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package

from bench.scoring import aggregate, score_question, squash  # noqa: E402

FACTS = ["The dam broke at dawn.", "Two bridges\nwere closed."]


def test_spaces_and_newlines_are_ignored() -> None:
    assert squash(" a b\nc ") == "abc"
    assert score_question(["Earlier: The dam  broke\nat dawn. Later."], ["The dam broke at dawn."]).hit10


def test_two_facts_found_at_ranks_2_and_5() -> None:
    retrieved = ["noise", "x The dam broke at dawn. y", "noise", "noise", "Two bridges were closed.", "noise"]
    s = score_question(retrieved, FACTS)
    assert s.hit10 and s.hit4
    assert s.rr == pytest.approx(1 / 2)
    assert s.ap == pytest.approx((1 / 2 + 1 / 5) / 2)


def test_fact_seen_again_counts_once_and_late_hit_misses_hits4() -> None:
    retrieved = ["noise"] * 6 + ["The dam broke at dawn.", "The dam broke at dawn. again", "noise", "noise",
                                 "Two bridges were closed."]  # rank 11: beyond @10
    s = score_question(retrieved, FACTS)
    assert s.hit10 and not s.hit4
    assert s.rr == pytest.approx(1 / 7)
    assert s.ap == pytest.approx((1 / 7) / 2)  # the repeat at rank 8 adds no new fact


def test_one_passage_holding_both_facts_and_a_miss() -> None:
    both = score_question(["The dam broke at dawn. Two bridges were closed."], FACTS)
    assert both.ap == pytest.approx(2 / 1 / 2) and both.rr == 1.0
    miss = score_question([], FACTS)
    assert (miss.hit10, miss.hit4, miss.rr, miss.ap) == (False, False, 0.0, 0.0)
    m = aggregate([both, miss, score_question(["noise", "The dam broke at dawn."], FACTS)])
    assert m.n == 3
    assert m.hits10 == pytest.approx(2 / 3) and m.hits4 == pytest.approx(2 / 3)
    assert m.mrr10 == pytest.approx((1 + 0 + 0.5) / 3)
    assert m.map10 == pytest.approx((1 + 0 + 0.25) / 3)
