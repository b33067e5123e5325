"""Linear fusion of normalised scores, and the BM25 parameters a search brings."""

from __future__ import annotations

import pytest

from index.embedder import HashEmbedder
from index.fusion import linear_fusion
from bot.config import IndexConfig, RetrievalConfig
from index.hybrid import HybridIndex

INDEX, SEARCH = IndexConfig(), RetrievalConfig()


def test_linear_fusion_scales_bm25_by_the_best_and_counts_absent_as_zero() -> None:
    fused = linear_fusion({1: 0.5, 2: 0.7, 3: 0.2}, {1: 10.0, 3: 5.0}, dense_weight=1.0, keyword_weight=0.8)
    assert fused[1] == pytest.approx(0.5 + 0.8)
    assert fused[2] == pytest.approx(0.7)  # not found by keyword
    assert fused[3] == pytest.approx(0.2 + 0.4)
    assert linear_fusion({1: 0.3}, {}) == {1: pytest.approx(0.3)}


TEXTS = {
    10: "floodwater poured through the dam breach at Velmora",
    11: "artillery fire stopped near the Kastro bridge",
    12: "dock workers strike over night shift pay at the harbour, and the dam workers joined the strike",
}


@pytest.mark.parametrize("fusion", ["linear", "rrf"])
def test_both_fusions_rank_the_matching_passage_first(fusion: str) -> None:
    index = HybridIndex(HashEmbedder(), INDEX, SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    q = "dam breach floodwater"
    hits = index.search(index.embedder.encode([q])[0], q, 3, RetrievalConfig(fusion=fusion))
    assert hits[0].id == 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    if fusion == "linear":  # best in both: its cosine plus the keyword weight
        assert hits[0].score == pytest.approx(hits[0].similarity + RetrievalConfig().keyword_weight)


def test_search_applies_its_bm25_parameters() -> None:
    index = HybridIndex(HashEmbedder(), INDEX, SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    assert (index.keyword.k1, index.keyword.b) == (SEARCH.bm25_k1, SEARCH.bm25_b)
    q = "strike dam"
    vector = index.embedder.encode([q])[0]
    before = index.keyword.search(q, 3)[0].tolist()
    index.search(vector, q, 3, RetrievalConfig(bm25_k1=1.5, bm25_b=0.75))
    assert (index.keyword.k1, index.keyword.b) == (1.5, 0.75)
    assert index.keyword.search(q, 3)[0].tolist() != before


def test_search_with_shared_dense_results_ranks_as_without() -> None:
    index = HybridIndex(HashEmbedder(), INDEX, SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    vector = HashEmbedder().encode(["dam workers strike"])[0]
    shared = index.dense_search(vector, 3, SEARCH)
    assert index.search(vector, "dam workers strike", 3, SEARCH, dense=shared) == index.search(vector, "dam workers strike", 3, SEARCH)
    # Another text with the same vector: the dense half is reused, the keyword half is its own.
    assert index.search(vector, "artillery bridge", 3, SEARCH, dense=shared)[0].id == 11
