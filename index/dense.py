"""The dense index: FAISS inner product over normalised vectors, keyed by passage id."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorrupt


class DenseIndex:
    """Exact inner-product search (`IndexIDMap2(IndexFlatIP)`), with deletion by id."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; ids are -1 where fewer than k are held."""
        k = max(1, min(k, len(self)))
        if not len(self):
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def similarity(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Inner product of one query with the stored vectors of `ids` (those held)."""
        out = {}
        for pid in ids:
            try:
                out[pid] = float(self._index.reconstruct(int(pid)) @ query)
            except RuntimeError:  # not held
                continue
        return out

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> DenseIndex:
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as e:
            raise IndexCorrupt(f"dense index {path.name} is unreadable: {e}") from e
        if raw.d != dim or not isinstance(raw, faiss.IndexIDMap2):
            raise IndexCorrupt(f"dense index {path.name} has dimension {raw.d}, expected {dim}")
        index = cls(dim)
        index._index = raw
        return index
