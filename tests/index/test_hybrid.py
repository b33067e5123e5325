"""The hybrid index on its own: ids and texts in, ids and scores out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import IndexConfig, RetrievalConfig
from index.embedder import HashEmbedder
from index.errors import IndexCorrupt, ModelMismatch
from index.fusion import reciprocal_rank_fusion
from index.hybrid import KEYWORD_FILE, HybridIndex

SEARCH = RetrievalConfig()

TEXTS = {
    10: "floodwater poured through the dam breach at Velmora",
    11: "artillery fire stopped near the Kastro bridge",
    12: "dock workers strike over night shift pay at the harbour",
}


def build() -> HybridIndex:
    index = HybridIndex(HashEmbedder(), IndexConfig(), SEARCH)
    index.add(list(TEXTS), list(TEXTS.values()), list(TEXTS.values()))
    return index


def search(index: HybridIndex, q: str, k: int = 3) -> list[int]:
    return [h.id for h in index.search(index.embedder.encode([q])[0], q, k, SEARCH)]


def test_search_finds_by_meaning_and_words() -> None:
    assert search(build(), "dam breach floodwater")[0] == 10
    assert search(build(), "strike pay dock")[0] == 12


def test_adding_an_id_twice_keeps_one_copy() -> None:
    index = build()
    index.add([11], [TEXTS[11]], [TEXTS[11]])
    assert len(index) == 3 and len(index.keyword) == 3


def test_removed_ids_are_never_returned() -> None:
    index = build()
    index.remove([10])
    assert 10 not in search(index, "dam breach floodwater")
    assert index.consistent()


def test_save_load_round_trip_and_refusals(tmp_path: Path) -> None:
    index = build()
    index.save(tmp_path)
    loaded = HybridIndex.load(tmp_path, HashEmbedder(), IndexConfig(), SEARCH)
    assert search(loaded, "artillery bridge") == search(index, "artillery bridge")
    with pytest.raises(ModelMismatch, match="reindex"):
        HybridIndex.load(tmp_path, HashEmbedder(dim=64), IndexConfig(), SEARCH)
    (tmp_path / KEYWORD_FILE).write_text("{truncated")
    with pytest.raises(IndexCorrupt):
        HybridIndex.load(tmp_path, HashEmbedder(), IndexConfig(), SEARCH)
    assert not list(tmp_path.glob("*.tmp"))


def test_rrf_weights_and_ranks() -> None:
    fused = reciprocal_rank_fusion([[1, 2], [2, 3]], [1.0, 0.5], k=1)
    assert fused[2] == pytest.approx(1 / 3 + 0.5 / 2)
    assert max(fused, key=fused.get) == 2


def test_empty_index_returns_nothing() -> None:
    index = HybridIndex(HashEmbedder(), IndexConfig(), SEARCH)
    assert index.search(np.ones(512, dtype=np.float32) / np.sqrt(512), "anything", 5, SEARCH) == []
