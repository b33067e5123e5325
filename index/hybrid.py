"""Dense + keyword search over passages, fused, persisted as one generation folder."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from index.dense import DenseIndex, DenseParams
from index.embedder import Embedder
from index.errors import IndexCorrupt, ModelMismatch, RebuildLocked
from index.fusion import linear_fusion_arrays, reciprocal_rank_fusion
from index.keyword import KeywordIndex, terms

log = logging.getLogger(__name__)

DENSE_FILE = "dense.faiss"
KEYWORD_FILE = "keyword.npz"
LEGACY_KEYWORD_FILE = "keyword.json"  # token lists, before issue 7: still read
META_FILE = "meta.json"


Keyword = tuple[np.ndarray, np.ndarray]
"""One text's keyword hits: BM25 scores and passage ids, best first."""
_NO_KEYWORD: Keyword = (np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64))


class Hit(NamedTuple):
    """One retrieved passage id with its fused score and its cosine similarity to the question (a tuple:
    a question's ranking makes and re-scores hundreds)."""

    id: int
    score: float
    similarity: float
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def rescored(self, score: float) -> Hit:
        """This hit with another score."""
        return Hit(self.id, score, self.similarity, self.dense_rank, self.keyword_rank)


@runtime_checkable
class SearchParams(Protocol):
    """How a search ranks: config `retrieval:` (bot.config.RetrievalConfig, which holds the defaults).

    `fusion` "linear": dense_weight * cosine + keyword_weight * BM25 / (the question's best BM25), over the
    union of both indexes' `candidates`; "rrf": weighted reciprocal rank fusion with constant `rrf_k`.
    `bm25_k1` and `bm25_b` are BM25's term-frequency saturation and length normalisation (a lower b
    favours short passages less).
    """

    @property
    def candidates(self) -> int: ...
    @property
    def rrf_k(self) -> int: ...
    @property
    def dense_weight(self) -> float: ...
    @property
    def keyword_weight(self) -> float: ...
    @property
    def fusion(self) -> str: ...
    @property
    def bm25_k1(self) -> float: ...
    @property
    def bm25_b(self) -> float: ...


class HybridIndex:
    """A dense (FAISS) and a keyword (BM25) index over the same passage ids.

    Callers give ids with two texts per passage: the text to embed and the text to index by keyword
    (which may carry extra fields such as the title). Searching returns ids and scores only.
    """

    def __init__(self, embedder: Embedder, dense_params: DenseParams, search_params: SearchParams,
                 dense: DenseIndex | None = None, keyword: KeywordIndex | None = None) -> None:
        self.embedder = embedder
        self.dense = dense or DenseIndex(embedder.dim, dense_params)
        self.keyword = keyword or KeywordIndex(search_params.bm25_k1, search_params.bm25_b)

    def __len__(self) -> int:
        return len(self.dense)

    def add(self, ids: Sequence[int], dense_texts: list[str], keyword_texts: list[str],
            vectors: np.ndarray | None = None, batch_size: int | None = None) -> None:
        # Ids already held are skipped: a passage may reach a fresh index twice during a rebuild
        # (caught up from the store, then added by the writer that stored it).
        fresh = [i for i, pid in enumerate(ids) if pid not in self.keyword]
        if not fresh:
            return
        if len(fresh) < len(ids):
            ids = [ids[i] for i in fresh]
            dense_texts = [dense_texts[i] for i in fresh]
            keyword_texts = [keyword_texts[i] for i in fresh]
            vectors = None if vectors is None else vectors[fresh]
        if vectors is None:
            vectors = self.embedder.encode(dense_texts, batch_size=batch_size)
        self.dense.add(np.asarray(ids, dtype=np.int64), vectors)
        self.keyword.add(list(ids), keyword_texts)

    def remove(self, ids: Sequence[int]) -> None:
        self.dense.remove(np.asarray(ids, dtype=np.int64))
        self.keyword.remove(list(ids))

    def ids(self) -> set[int]:
        return set(self.dense.ids().tolist())

    def consistent(self) -> bool:
        """Both halves hold the same ids."""
        return set(self.keyword.ids().tolist()) == self.ids()

    def search(self, query_vector: np.ndarray, query_text: str, k: int, params: SearchParams) -> list[Hit]:
        """The `k` best passages by fusing the dense and keyword results (see `SearchParams`)."""
        return self.search_texts(query_vector, [query_text], [k], params)[0]

    def keyword_hits(self, texts: Sequence[str], ks: Sequence[int], params: SearchParams) -> list[Keyword]:
        """The keyword side of `search_texts` (it needs no question vector, so it can run while the model
        embeds the question): each text's BM25 (scores, ids), best first, to the depth `search_texts` uses."""
        if not len(self.dense) or not texts:
            return [_NO_KEYWORD for _ in texts]
        self.keyword.set_bm25(params.bm25_k1, params.bm25_b)
        return self.keyword.search_many(texts, _depths(ks, params))

    def search_texts(self, query_vector: np.ndarray, texts: Sequence[str], ks: Sequence[int],
                     params: SearchParams, keyword: Sequence[Keyword] | None = None,
                     beside: Executor | None = None) -> list[list[Hit]]:
        """`search` of several texts with one vector (a question and its parts): one dense search, one
        pass over the texts' keyword columns, and one lookup of the cosines of keyword-only hits.

        `keyword`: the texts' `keyword_hits`, when already found. They may come from an earlier state of a
        live index: a keyword hit whose vector is no longer held is dropped.
        `beside`: where to run the keyword search, and the lookup of its hits' cosines, while the dense search
        runs here (FAISS and scipy's sparse product release the interpreter lock): 1.3 against 2.1 ms for
        the two searches at 100k passages (bench/README.md)."""
        if not len(self.dense) or not texts:
            return [[] for _ in texts]
        found, cosines, pending = keyword, None, None
        if keyword is None and beside is not None:
            pending = beside.submit(self._keyword_beside, query_vector, texts, ks, params)
        elif keyword is None:
            found = self.keyword_hits(texts, ks, params)
        try:
            d_scores, d_ids = self.dense.search(query_vector[None, :], max(_depths(ks, params)))
        finally:  # never leave the keyword search running past this call (a live index's lock ends with it)
            if pending is not None:
                found, cosines = pending.result()
        d_scores, d_ids = d_scores[0], d_ids[0]
        if params.fusion != "linear":
            return [self._rrf(query_vector, d_scores, d_ids, k_scores, k_ids, k, params)
                    for (k_scores, k_ids), k in zip(found, ks, strict=True)]
        held = d_ids >= 0
        dense_ids, dense_sims = d_ids[held].astype(np.int64, copy=False), d_scores[held]
        # The cosines of keyword-only hits, sorted by id (np.unique's order, which `similarities` keeps), to
        # be looked up by id.
        if cosines is None:
            extra = _keyword_ids(found)
            cosines = self.dense.similarities(query_vector, extra[~np.isin(extra, dense_ids)])
        else:  # every keyword hit's, found beside
            only = ~np.isin(cosines[0], dense_ids)
            cosines = cosines[0][only], cosines[1][only]
        return [self._linear(dense_ids, dense_sims, cosines, k_scores, k_ids, k, params)
                for (k_scores, k_ids), k in zip(found, ks, strict=True)]

    def _keyword_beside(self, query_vector: np.ndarray, texts: Sequence[str], ks: Sequence[int],
                        params: SearchParams) -> tuple[list[Keyword], tuple[np.ndarray, np.ndarray] | None]:
        """`keyword_hits`, and (linear fusion) the cosines of all their hits: (ids sorted, cosines)."""
        found = self.keyword_hits(texts, ks, params)
        if params.fusion != "linear":
            return found, None
        return found, self.dense.similarities(query_vector, _keyword_ids(found))

    def _rrf(self, query_vector: np.ndarray, d_scores: np.ndarray, d_ids: np.ndarray, k_scores: np.ndarray,
             k_ids: np.ndarray, k: int, params: SearchParams) -> list[Hit]:
        dense_ranked = [int(i) for i in d_ids if i >= 0]
        similarity = {int(i): float(s) for s, i in zip(d_scores, d_ids, strict=True) if i >= 0}
        keyword_ranked = [int(i) for i in k_ids]
        fused = reciprocal_rank_fusion(
            [dense_ranked, keyword_ranked], [params.dense_weight, params.keyword_weight], k=params.rrf_k
        )
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        missing = [pid for pid, _ in best if pid not in similarity]
        similarity.update(self.dense.similarity(query_vector, missing))
        dense_rank = {pid: r for r, pid in enumerate(dense_ranked, 1)}
        keyword_rank = {pid: r for r, pid in enumerate(keyword_ranked, 1)}
        return [Hit(pid, score, similarity.get(pid, 0.0), dense_rank.get(pid), keyword_rank.get(pid)) for pid, score in best]

    @staticmethod
    def _linear(dense_ids: np.ndarray, dense_sims: np.ndarray, cosines: tuple[np.ndarray, np.ndarray],
                k_scores: np.ndarray, k_ids: np.ndarray, k: int, params: SearchParams) -> list[Hit]:
        """Linear fusion over the candidates as arrays: the dense hits in their order, then the keyword-only
        ones in theirs (each with its cosine from `cosines`: (ids sorted, cosines) of keyword hits the
        dense side missed; one not held is dropped), sorted stably by fused score; the k best as hits."""
        k_ids = np.asarray(k_ids, dtype=np.int64)
        known_ids, known_sims = cosines  # none of them a dense hit: a keyword hit found there is keyword-only
        at, held = _find(known_ids, k_ids)
        ids = np.concatenate([dense_ids, k_ids[held]])
        sims = np.concatenate([dense_sims, np.asarray(known_sims, dtype=np.float32)[at[held]]]).astype(np.float64)
        # Each keyword hit's rank (from 1) and score at its candidate's row (0 where the keyword side missed it).
        keyword_rank = np.zeros(len(ids), dtype=np.int64)
        keyword = np.zeros(len(ids), dtype=np.float64)
        rows, found = _find(ids, k_ids, np.argsort(ids, kind="stable"))
        keyword_rank[rows[found]] = np.flatnonzero(found) + 1
        keyword[rows[found]] = k_scores[found]
        best = float(np.max(k_scores)) if len(k_scores) else 0.0
        fused = linear_fusion_arrays(sims, keyword, best, params.dense_weight, params.keyword_weight)
        order = np.argsort(-fused, kind="stable")[:k]
        n_dense = len(dense_ids)
        return [Hit(pid, score, sim, row + 1 if row < n_dense else None, kr or None)
                for pid, score, sim, row, kr in zip(ids[order].tolist(), fused[order].tolist(), sims[order].tolist(),
                                                    order.tolist(), keyword_rank[order].tolist(), strict=True)]

    def term_counts(self, text: str) -> tuple[list[tuple[str, str, int]], int]:
        """The tokens of `text` as (word, token, passages holding it), and the passages held: what a
        question's terms are worth (a word no passage holds cannot be answered from this index)."""
        pairs = terms(text)
        counts = self.keyword.document_frequencies([token for _, token in pairs])
        return [(w, t, n) for (w, t), n in zip(pairs, counts, strict=True)], len(self.keyword)

    # -- persistence -----------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write both indexes and meta.json, each to a temporary name renamed into place; meta last."""
        folder.mkdir(parents=True, exist_ok=True)
        _atomic(folder / DENSE_FILE, self.dense.save)
        _atomic(folder / KEYWORD_FILE, self.keyword.save)
        meta = {"model": self.embedder.name, "dim": self.embedder.dim, "count": len(self.dense)}
        _atomic(folder / META_FILE, lambda p: p.write_text(json.dumps(meta, indent=1), encoding="utf-8"))
        (folder / LEGACY_KEYWORD_FILE).unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path, embedder: Embedder, dense_params: DenseParams,
             search_params: SearchParams) -> HybridIndex:
        """Load a saved generation.

        Raises:
            ModelMismatch: it was built with another model (run `eventbot reindex`).
            IndexCorrupt: a file is missing or unreadable.
        """
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise IndexCorrupt(f"index metadata in {folder} is missing or unreadable: {e}") from e
        if meta.get("model") != embedder.name or meta.get("dim") != embedder.dim:
            raise ModelMismatch(
                f"the index was built with model {meta.get('model')!r} ({meta.get('dim')}-d) but the configured model is "
                f"{embedder.name!r} ({embedder.dim}-d): run `eventbot reindex` to rebuild it"
            )
        dense = DenseIndex.load(folder / DENSE_FILE, embedder.dim, dense_params)
        keyword_file = folder / KEYWORD_FILE
        if not keyword_file.exists() and (folder / LEGACY_KEYWORD_FILE).exists():
            keyword_file = folder / LEGACY_KEYWORD_FILE
        keyword = KeywordIndex.load(keyword_file)
        if len(dense) != meta.get("count"):
            raise IndexCorrupt(f"dense index in {folder} holds {len(dense)} vectors, its metadata says {meta.get('count')}")
        return cls(embedder, dense_params, search_params, dense, keyword)


def _keyword_ids(found: Sequence[Keyword]) -> np.ndarray:
    """The ids of the texts' keyword hits, each once, sorted."""
    return np.unique(np.concatenate([np.asarray(i, dtype=np.int64) for _, i in found]))


def _depths(ks: Sequence[int], params: SearchParams) -> list[int]:
    """How deep each side searches for texts wanting `ks` hits: at least `params.candidates`, for fusion."""
    return [max(k, params.candidates) for k in ks]


def _find(keys: np.ndarray, wanted: np.ndarray, sorter: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `wanted` sits in `keys` (sorted, or put in order by `sorter`), and whether it is there
    at all (rows of the missing ones are arbitrary)."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(keys, wanted, sorter=sorter), len(keys) - 1)
    rows = at if sorter is None else sorter[at]
    return rows, keys[rows] == wanted


def temporary_name(path: Path) -> Path:
    """A name beside `path` no other process or thread writes to at the same time."""
    return path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")


def _atomic(path: Path, write) -> None:  # noqa: ANN001 - a callable taking the temporary path
    tmp = temporary_name(path)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class Generations:
    """Index generations under one folder: `gen-000001/`, ...; the file `CURRENT` names the live one.

    Several processes may share the folder (`eventbot run` with `eventbot import` or `reindex`). A
    generation, once named by `CURRENT`, is never written again: `publish` writes a new one beside it
    and switches `CURRENT`, under an exclusive lock on the file `.lock`, and removes the older ones;
    `load` reads one under a shared lock, so that no generation is removed while it is read. A rebuild
    holds `.rebuild.lock` from start to end, so that only one runs at a time (`rebuilding`).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        folder = self.root / name
        return folder if name and folder.is_dir() else None

    def current_name(self) -> str | None:
        folder = self.current()
        return folder.name if folder else None

    @contextlib.contextmanager
    def lock(self, shared: bool = False) -> Iterator[None]:
        """The folder's lock: exclusive to write generations, shared to read one (across processes and
        threads: each call opens the lock file anew)."""
        with _flock(self.root / ".lock", fcntl.LOCK_SH if shared else fcntl.LOCK_EX):
            yield

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Held for a whole rebuild. Raises `RebuildLocked` if another process (or thread) holds it."""
        held = contextlib.ExitStack()
        try:
            held.enter_context(_flock(self.root / ".rebuild.lock", fcntl.LOCK_EX | fcntl.LOCK_NB))
        except BlockingIOError as e:
            raise RebuildLocked("another process is rebuilding the index (eventbot reindex or /reindex); "
                                "try again when it is done") from e
        with held:
            yield

    def publish(self, write: Callable[[Path], None]) -> Path:
        """Write a new generation with `write(folder)` and make it the live one; call with `lock()` held."""
        folder = self.new()
        try:
            write(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self.activate(folder)
        return folder

    def new(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        number = max(numbers, default=0) + 1
        while True:
            folder = self.root / f"gen-{number:06d}"
            try:
                folder.mkdir()
                return folder
            except FileExistsError:  # made by another writer meanwhile (one not holding the lock)
                number += 1

    def activate(self, folder: Path) -> None:
        _atomic(self.root / "CURRENT", lambda p: p.write_text(folder.name, encoding="utf-8"))
        for old in self.root.glob("gen-*"):
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _flock(path: Path, operation: int) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        fcntl.flock(f.fileno(), operation)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
