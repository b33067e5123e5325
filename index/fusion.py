"""Combining the dense and keyword results: reciprocal rank fusion, or a weighted sum of normalised scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: int = 60
) -> dict[int, float]:
    """Weighted reciprocal rank fusion: each list adds weight / (k + rank) for every id it ranks (rank from 1).

    Returns fused scores by id (unsorted).
    """
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def linear_fusion(
    similarity: Mapping[int, float], keyword: Mapping[int, float], dense_weight: float = 1.0,
    keyword_weight: float = 1.0,
) -> dict[int, float]:
    """Score normalisation instead of ranks: dense_weight * cosine + keyword_weight * BM25 / (best BM25).

    `similarity` holds the cosine of every candidate, `keyword` the BM25 score of those the keyword
    search returned (absent counts as 0). Dividing by the question's best BM25 score puts it on the
    cosine's 0..1 scale whatever the question's length. Returns fused scores by id (unsorted).
    """
    ids = list(similarity)
    fused = linear_fusion_arrays(np.fromiter(similarity.values(), np.float64, len(ids)),
                                 np.array([keyword.get(pid, 0.0) for pid in ids], dtype=np.float64),
                                 max(keyword.values(), default=0.0), dense_weight, keyword_weight)
    return dict(zip(ids, fused.tolist(), strict=True))


def linear_fusion_arrays(similarity: np.ndarray, keyword: np.ndarray, best_keyword: float, dense_weight: float = 1.0,
                         keyword_weight: float = 1.0) -> np.ndarray:
    """`linear_fusion` over aligned float64 arrays (one row per candidate; keyword 0 where absent), given the
    question's best BM25 score: the same sums, without a Python loop per candidate."""
    scale = keyword_weight / best_keyword if best_keyword > 0 else 0.0
    return dense_weight * similarity + scale * keyword
