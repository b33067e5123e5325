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


def test_texts_searched_together_rank_as_each_searched_alone() -> None:
    """A question and its parts are searched in one call with one vector: each text's hits are those of
    its own search (its keyword half its own, the dense half searched once), at each text's own depth."""
    index = HybridIndex(HashEmbedder(), INDEX, SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    vector = HashEmbedder().encode(["dam workers strike"])[0]
    texts, ks = ["dam workers strike", "artillery bridge", "no such words"], [3, 2, 3]
    together = index.search_texts(vector, texts, ks, SEARCH)
    assert together == [index.search(vector, t, k, SEARCH) for t, k in zip(texts, ks, strict=True)]
    assert together[1][0].id == 11 and len(together[1]) == 2


def test_a_keyword_search_run_beside_the_dense_one_ranks_the_same() -> None:
    """`beside`: the keyword half runs in a worker while the dense half runs in the caller; the hits are
    those of the serial search, and no work is left running when the call returns."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    index = HybridIndex(HashEmbedder(), INDEX, SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    vector = HashEmbedder().encode(["dam workers strike"])[0]
    texts, ks = ["dam workers strike", "artillery bridge"], [3, 2]
    ran_on = []
    keyword_hits = index.keyword_hits

    def spied(*args: object) -> object:
        ran_on.append(threading.current_thread().name)
        return keyword_hits(*args)

    index.keyword_hits = spied
    with ThreadPoolExecutor(1, thread_name_prefix="beside") as pool:
        together = index.search_texts(vector, texts, ks, SEARCH, beside=pool)
        assert ran_on == ["beside_0"]
        assert together == index.search_texts(vector, texts, ks, SEARCH)
        assert ran_on[-1] == threading.current_thread().name


def test_linear_search_keeps_every_candidates_cosine_ranks_and_tie_order() -> None:
    """The array path ranks as the per-candidate sums did: dense hits first in their order, then the
    keyword-only ones with their looked-up cosine; equal scores keep that order."""
    import random

    words = "dam breach strike harbour bridge flood pay workers night fire river council vote".split()
    rng = random.Random(7)
    texts = {100 + i: " ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for i in range(80)}
    texts[300] = texts[301] = "council vote"  # identical passages: a tie, broken by order
    index = HybridIndex(HashEmbedder(64), INDEX, SEARCH)
    index.add(list(texts), list(texts.values()), list(texts.values()))
    params = RetrievalConfig(candidates=10)  # few dense candidates: many keyword-only hits
    for q in ("council vote", "dam workers strike at night", "flood river bridge fire"):
        vector = index.embedder.encode([q])[0]
        hits = index.search(vector, q, 40, params)
        d_scores, d_ids = index.dense.search(vector[None, :], 40)
        k_scores, k_ids = index.keyword.search(q, 40)
        sim = {int(i): float(s) for s, i in zip(d_scores[0], d_ids[0]) if i >= 0}
        sim.update(index.dense.similarity(vector, [int(i) for i in k_ids if int(i) not in sim]))
        expected = sorted(linear_fusion(sim, dict(zip(k_ids.tolist(), k_scores.tolist())), params.dense_weight,
                                        params.keyword_weight).items(), key=lambda kv: -kv[1])[:40]
        assert [(h.id, h.score) for h in hits] == expected
        assert all(h.similarity == sim[h.id] for h in hits)
        dense_rank = {int(i): r for r, i in enumerate(d_ids[0], 1)}
        keyword_rank = {int(i): r for r, i in enumerate(k_ids, 1)}
        assert [(h.dense_rank, h.keyword_rank) for h in hits] == [(dense_rank.get(h.id), keyword_rank.get(h.id)) for h in hits]
    vector = index.embedder.encode(["council vote"])[0]
    tied = [h for h in index.search(vector, "council vote", 40, params) if h.id in (300, 301)]
    assert tied[0].score == tied[1].score and tied[0].dense_rank < tied[1].dense_rank  # in the dense order
