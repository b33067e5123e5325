"""The dense index's switch from exact to IVF search by size, on small random data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import IndexConfig
from index.dense import DenseIndex
from index.errors import IndexCorrupt

DIM = 32


def unit(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_stays_exact_up_to_the_threshold_then_switches_to_ivf() -> None:
    index = DenseIndex(DIM, IndexConfig(dense_flat_max=500, dense_nlist=8, dense_nprobe=8))
    x = unit(900)
    index.add(np.arange(500), x[:500])
    assert index.kind == "flat"
    index.add(np.arange(500, 900), x[500:])
    assert index.kind.startswith("ivf-sq8") and len(index) == 900
    assert sorted(index.ids().tolist()) == list(range(900))
    # every bucket scanned: the nearest vector of each stored vector is itself
    _, ids = index.search(x[:50], 1)
    assert ids[:, 0].tolist() == list(range(50))


@pytest.mark.parametrize("codec", ["flat", "sq8"])
def test_ivf_removes_reconstructs_and_round_trips(tmp_path: Path, codec: str) -> None:
    index = DenseIndex(DIM, IndexConfig(dense_flat_max=100, dense_codec=codec, dense_nlist=4, dense_nprobe=4))
    x = unit(400, seed=1)
    index.add(np.arange(1000, 1400), x)
    assert index.remove(np.array([1000, 1001, 99999])) == 2
    assert len(index) == 398 and 1000 not in index.ids()
    assert index.similarity(x[5], [1005, 1000]) == {1005: pytest.approx(1.0, abs=0.01)}
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", DIM, IndexConfig(dense_nprobe=4))
    assert loaded.kind == index.kind
    assert loaded.search(x[10:20], 3)[1].tolist() == index.search(x[10:20], 3)[1].tolist()
    loaded.add(np.array([5000]), x[:1])  # the vector of removed 1000, under a new id
    assert loaded.search(x[:1], 1)[1][0, 0] == 5000
    assert 5000 in loaded.ids()


def test_flat_index_still_loads_and_wrong_dimension_is_refused(tmp_path: Path) -> None:
    index = DenseIndex(DIM, IndexConfig())
    index.add(np.array([1, 2]), unit(2))
    index.save(tmp_path / "d.faiss")
    assert DenseIndex.load(tmp_path / "d.faiss", DIM, IndexConfig()).kind == "flat"
    with pytest.raises(IndexCorrupt):
        DenseIndex.load(tmp_path / "d.faiss", DIM * 2, IndexConfig())


def test_grows_its_buckets_when_it_outgrows_them() -> None:
    index = DenseIndex(DIM, IndexConfig(dense_flat_max=100))
    index.add(np.arange(200), unit(200))
    first = int(index.kind.split("nlist=")[1].split()[0])
    index.add(np.arange(200, 6000), unit(5800, seed=3))
    assert int(index.kind.split("nlist=")[1].split()[0]) >= 2 * first
    assert len(index) == 6000


def test_an_exact_index_saved_larger_than_the_threshold_is_switched_on_load(tmp_path: Path) -> None:
    exact = DenseIndex(DIM, IndexConfig(dense_flat_max=10_000))
    x = unit(600, seed=4)
    exact.add(np.arange(600), x)
    exact.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", DIM, IndexConfig(dense_flat_max=500, dense_nlist=8, dense_nprobe=8))
    assert loaded.kind.startswith("ivf") and len(loaded) == 600
    assert loaded.search(x[:5], 1)[1][:, 0].tolist() == [0, 1, 2, 3, 4]
    again = DenseIndex.load(tmp_path / "dense.faiss", DIM, IndexConfig(dense_flat_max=500))  # the file was rewritten
    assert again.kind.startswith("ivf")


def test_ivf_splits_one_query_across_threads_when_built_and_when_loaded(tmp_path: Path) -> None:
    index = DenseIndex(DIM, IndexConfig(dense_flat_max=100, dense_nlist=4, dense_nprobe=4))
    x = unit(300, seed=5)
    index.add(np.arange(300), x)
    assert index._ivf.parallel_mode == 1
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", DIM, IndexConfig(dense_nprobe=4))
    assert loaded._ivf.parallel_mode == 1
    assert loaded.search(x[:3], 1)[1][:, 0].tolist() == [0, 1, 2]
