"""Re-ranking by a many-part question's parts (retrieval.boosts)."""

from __future__ import annotations

import pytest

from retrieval.boosts import merge_parts


def test_merge_parts_adds_each_passages_best_part_score_on_a_common_scale() -> None:
    whole = {1: 2.0, 2: 1.5, 3: 1.0}
    parts = [{2: 4.0, 4: 2.0}, {3: 0.5, 5: 0.5}]  # part scores over their part's best: 2: 1, 4: .5, 3: 1, 5: 1
    merged = merge_parts(whole, parts, weight=1.5)
    assert merged == {1: pytest.approx(2.0), 2: pytest.approx(3.0), 3: pytest.approx(2.5),
                      4: pytest.approx(1.0 + 0.75), 5: pytest.approx(1.0 + 1.5)}  # 4, 5: the whole's lowest
    assert sorted(merged, key=merged.get, reverse=True) == [2, 3, 5, 1, 4]
    assert merge_parts(whole, [], 1.5) == whole
    assert merge_parts(whole, [{}, {7: 0.0}], 1.5) == whole
