"""The dense index: FAISS inner product over normalised vectors, keyed by passage id.

Exact search (`IndexIDMap2(IndexFlatIP)`) up to `dense_flat_max` vectors; above that, an
inverted-file index (IVF: vectors bucketed by their nearest of `dense_nlist` k-means centroids, a query
scanning the `dense_nprobe` nearest buckets), which is approximate but many times faster at 100k+ passages.
Both delete by id (HNSW cannot, which is why it is not offered). The IVF index stores either the
float32 vectors (`codec: flat`) or 8-bit scalar-quantised ones (`codec: sq8`, a quarter of the
memory; cosine error about 0.001).

The switch happens once, in `add`, when the index grows past the threshold: the held vectors are
read back, the centroids trained on them, and all are moved over (an exact index saved larger than
the threshold is switched when loaded, and its file rewritten). When the index later grows to four
times the size its centroids were trained for, they are retrained the same way.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import faiss
import numpy as np

from index.errors import IndexCorrupt

log = logging.getLogger(__name__)

CODECS = ("flat", "sq8")
# IVF threads split one query's buckets (1) rather than the queries (0, FAISS's default, which runs a
# single question on one core): half the latency of one question at 1M passages, the same results.
PARALLEL_MODE = 1


@runtime_checkable
class DenseParams(Protocol):
    """How the dense index is built and searched: config `index:` (bot.config.IndexConfig, which holds the defaults)."""

    @property
    def dense_flat_max(self) -> int: ...  # exact search up to this many vectors, IVF above
    @property
    def dense_codec(self) -> str: ...  # IVF vector storage: "flat" (float32) or "sq8" (8-bit)
    @property
    def dense_nlist(self) -> int: ...  # IVF buckets; 0: about 2 * sqrt(N)
    @property
    def dense_nprobe(self) -> int: ...  # buckets scanned per query; 0: about nlist / 8, at least 16


def lists_for(params: DenseParams, n: int) -> int:
    return params.dense_nlist or max(16, int(2 * math.sqrt(max(n, 1))))


def probes_for(params: DenseParams, nlist: int) -> int:
    return min(nlist, params.dense_nprobe or max(16, nlist // 8))


class DenseIndex:
    """Inner-product search over passage vectors, with deletion by id; exact or IVF by size."""

    def __init__(self, dim: int, params: DenseParams) -> None:
        self.dim = dim
        self.params = params
        if self.params.dense_codec not in CODECS:
            raise ValueError(f"dense codec must be one of {CODECS}, not {self.params.dense_codec!r}")
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ivf: faiss.IndexIVF | None = None

    @property
    def kind(self) -> str:
        """`flat`, or `ivf-flat` / `ivf-sq8` with its bucket count."""
        if self._ivf is None:
            return "flat"
        codec = "sq8" if isinstance(self._ivf, faiss.IndexIVFScalarQuantizer) else "flat"
        return f"ivf-{codec} nlist={self._ivf.nlist} nprobe={self._ivf.nprobe}"

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        n = len(self)
        if self._ivf is None and n > self.params.dense_flat_max:
            self._rebuild_ivf()
        elif self._ivf is not None and lists_for(self.params, n) >= 2 * self._ivf.nlist and not self.params.dense_nlist:
            self._rebuild_ivf()  # grown far past what the centroids were trained for

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if self._ivf is not None:  # the IVF's id hashtable removes exactly these ids
            return int(self._index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))))
        return int(self._index.remove_ids(ids))

    def ids(self) -> np.ndarray:
        if self._ivf is None:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        lists = self._ivf.invlists
        parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                 for i in range(self._ivf.nlist) if lists.list_size(i)]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; ids are -1 where fewer than k are held (or found)."""
        k = max(1, min(k, len(self)))
        if not len(self):
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def similarity(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Inner product of one query with the stored vectors of `ids` (those held)."""
        if not ids:
            return {}
        try:  # one call for all (the common case: every id is held)
            sims = self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64)) @ query
            return {pid: float(s) for pid, s in zip(ids, sims.tolist(), strict=True)}
        except RuntimeError:  # some id is not held: one at a time
            pass
        out = {}
        for pid in ids:
            try:
                out[pid] = float(self._index.reconstruct(int(pid)) @ query)
            except RuntimeError:  # not held
                continue
        return out

    def similarities(self, query: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`similarity` as arrays: (the ids held, in the given order; their inner products with `query`)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return ids, np.zeros(0, dtype=np.float32)
        try:  # one call for all (the common case: every id is held)
            return ids, self._index.reconstruct_batch(ids) @ query
        except RuntimeError:  # some id is not held: one at a time
            found = self.similarity(query, ids.tolist())
            return np.fromiter(found, np.int64, len(found)), np.fromiter(found.values(), np.float32, len(found))

    def vectors_of(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of `ids`, all held (IVF-sq8 vectors come back decoded, approximately)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything held (IVF-sq8 vectors come back decoded, approximately)."""
        ids = self.ids()
        if self._ivf is None:
            flat = faiss.downcast_index(self._index.index)
            return ids, faiss.rev_swig_ptr(flat.get_xb(), len(ids) * self.dim).reshape(len(ids), self.dim).copy()
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for start in range(0, len(ids), 65536):
            chunk = ids[start:start + 65536]
            out[start:start + len(chunk)] = self._index.reconstruct_batch(chunk)
        return ids, out

    def _rebuild_ivf(self) -> None:
        ids, x = self.vectors()
        n = len(ids)
        nlist = min(lists_for(self.params, n), max(1, n // 39))
        quantizer = faiss.IndexFlatIP(self.dim)
        if self.params.dense_codec == "sq8":
            ivf = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                                faiss.METRIC_INNER_PRODUCT)
        else:
            ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.own_fields = True
        quantizer.this.disown()
        ivf.cp.niter = 10  # k-means iterations: 10 trains as well as 25 here, in 40 % of the time
        sample = min(n, 40 * nlist)
        rows = np.random.default_rng(n).choice(n, size=sample, replace=False) if sample < n else slice(None)
        ivf.train(np.ascontiguousarray(x[rows]))
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct and remove by id
        for start in range(0, n, 65536):
            ivf.add_with_ids(x[start:start + 65536], ids[start:start + 65536])
        ivf.nprobe = probes_for(self.params, nlist)
        ivf.parallel_mode = PARALLEL_MODE
        self._index = self._ivf = ivf

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def _migrate(self, path: Path) -> None:
        """Turn a loaded exact index larger than `flat_max` into IVF, and rewrite its file (once)."""
        started = time.perf_counter()
        self._rebuild_ivf()
        # A name of its own: other processes may be loading (and converting) the same file.
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            self.save(tmp)
            os.replace(tmp, path)
        except (OSError, RuntimeError) as e:
            tmp.unlink(missing_ok=True)
            log.warning("dense index converted to %s in memory but not saved (%s)", self.kind, e)
            return
        log.info("dense index of %d vectors converted to %s in %.1f s", len(self), self.kind,
                 time.perf_counter() - started)

    @classmethod
    def load(cls, path: Path, dim: int, params: DenseParams) -> DenseIndex:
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as e:
            raise IndexCorrupt(f"dense index {path.name} is unreadable: {e}") from e
        index = cls(dim, params)
        if isinstance(raw, faiss.IndexIDMap2) and raw.d == dim:
            index._index = raw
            if len(index) > index.params.dense_flat_max:  # saved before the threshold applied, or with another
                index._migrate(path)
            return index
        if isinstance(raw, faiss.IndexIVF) and raw.d == dim and raw.metric_type == faiss.METRIC_INNER_PRODUCT:
            if raw.direct_map.type != faiss.DirectMap.Hashtable:
                raw.set_direct_map_type(faiss.DirectMap.Hashtable)
            raw.nprobe = probes_for(index.params, raw.nlist)
            raw.parallel_mode = PARALLEL_MODE
            index._index = index._ivf = raw
            return index
        raise IndexCorrupt(f"dense index {path.name} has dimension {raw.d} or type {type(raw).__name__}, "
                           f"expected {dim}-d inner product")
