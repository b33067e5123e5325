"""The keyword index: bm25s' scores, saved and loaded as arrays, changes after a load."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.errors import IndexCorrupt
from index.keyword import KeywordIndex, tokenize

TEXTS = [
    "Floodwater poured through the dam breach at Velmora overnight.",
    "Artillery fire stopped near the Kastro bridge; the bridge reopened.",
    "Dock workers strike over night shift pay at the harbour.",
    "The harbour authority said the strike would end when pay talks resume.",
    "Velmora dam engineers had warned of the breach risk for years, engineers said.",
    "Bridge bridge bridge: a long, long text about bridges and their repairs and more repairs.",
]
IDS = [10, 11, 12, 13, 14, 15]
QUERIES = ["dam breach", "strike pay harbour", "bridge repairs", "velmora engineers warned", "nothing matches xyzzy"]


def build() -> KeywordIndex:
    index = KeywordIndex()
    index.add(IDS, TEXTS)
    return index


def test_scores_are_bm25s_scores() -> None:
    reference = bm25s.BM25()
    reference.index([tokenize(t) for t in TEXTS], show_progress=False)
    index = build()
    for q in QUERIES:
        scores, ids = index.search(q, 6)
        want = reference.get_scores(tokenize(q)) if reference.get_tokens_ids(tokenize(q)) else np.zeros(len(TEXTS))
        got = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        for pid, s in zip(IDS, want, strict=True):
            assert got.get(pid, 0.0) == pytest.approx(float(s), rel=1e-5, abs=1e-6)


def test_save_load_round_trip_and_changes_after_load(tmp_path: Path) -> None:
    index = build()
    index.save(tmp_path / "k.npz")
    loaded = KeywordIndex.load(tmp_path / "k.npz")
    for q in QUERIES:
        assert loaded.search(q, 4)[1].tolist() == index.search(q, 4)[1].tolist()
    assert len(loaded) == 6 and 12 in loaded and 99 not in loaded
    # changes after a load read the counts back from the file and rebuild
    loaded.remove([12])
    loaded.add([20], ["A new strike at the harbour over pay"])
    index.remove([12])
    index.add([20], ["A new strike at the harbour over pay"])
    assert loaded.search("strike pay", 3)[1].tolist() == index.search("strike pay", 3)[1].tolist()
    assert 12 not in loaded.search("dock workers", 6)[1]
    assert sorted(loaded.ids().tolist()) == [10, 11, 13, 14, 15, 20]
    loaded.save(tmp_path / "k2.npz")
    again = KeywordIndex.load(tmp_path / "k2.npz")
    assert again.search("strike pay", 3)[1].tolist() == index.search("strike pay", 3)[1].tolist()


def test_legacy_token_lists_still_load(tmp_path: Path) -> None:
    legacy = tmp_path / "keyword.json"
    legacy.write_text(json.dumps({"version": 1, "tokens": {str(i): tokenize(t) for i, t in zip(IDS, TEXTS, strict=True)}}))
    loaded = KeywordIndex.load(legacy)
    for q in QUERIES:
        assert loaded.search(q, 4)[1].tolist() == build().search(q, 4)[1].tolist()


def test_adding_removing_before_any_search_and_empty_index() -> None:
    index = KeywordIndex()
    assert index.search("anything", 3)[1].tolist() == []
    index.add([1, 2], ["red apples", "green pears"])
    index.remove([1])
    index.add([1], ["blue plums"])
    assert index.search("apples", 3)[1].tolist() == []
    assert index.search("plums", 3)[1].tolist() == [1]
    assert len(index) == 2


@pytest.mark.parametrize("content", [b"{truncated", b"PK\x03\x04garbage", b""])
def test_damaged_file_is_reported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k.npz"
    path.write_bytes(content)
    with pytest.raises(IndexCorrupt):
        KeywordIndex.load(path)


def test_top_k_of_a_large_index_equals_a_full_sort() -> None:
    """Above 64 k passages the search selects among sampled candidates; it must still find the true top k."""
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(300)]
    probs = 1.0 / np.arange(1, 301)
    probs /= probs.sum()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(3, 30)), p=probs)) for _ in range(5000)]
    index = KeywordIndex()
    index.add(list(range(1, 5001)), texts)
    query = "w0 w3 w17 w150 w299"
    scores_matrix = index._built()
    cols = [index._vocab[t] for t in tokenize(query) if t in index._vocab]
    full = np.asarray(scores_matrix[:, cols].sum(axis=1)).ravel()
    for k in (1, 10, 50):
        scores, ids = index.search(query, k)
        want = np.sort(full)[::-1][:k]
        np.testing.assert_allclose(scores, want, rtol=1e-5)
        np.testing.assert_allclose(full[ids - 1], scores, rtol=1e-5)  # ids are row + 1 here
        assert list(scores) == sorted(scores, reverse=True)
