"""The live index: the one HybridIndex questions are answered from, kept in step with the store.

It opens the current generation (repairing it against the store: the store is the source of truth),
adds and removes passages as articles come and go, writes its files on a cadence rather than on every
change, and rebuilds a fresh generation beside itself, swapping it in when done. Thread-safe: searches,
writers and a rebuild may run at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bot.errors import RebuildRunning
from corpus.models import Article, Passage
from corpus.store import ArticleStore
from index.dense import DenseParams
from index.embedder import Embedder
from index.errors import IndexCorrupt
from index.hybrid import Generations, Hit, HybridIndex, SearchParams

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Rows = Sequence[tuple[Passage, Article]]


def dense_text(passage: Passage, article: Article) -> str:
    """What is embedded for a passage."""
    return passage.text


def keyword_text(passage: Passage, article: Article) -> str:
    """Title and outlet count as words of every passage on the keyword side."""
    return f"{article.title} {article.source or ''} {passage.text}"


class LiveIndex:
    """The index of the passages in `store`, under `folder` (generations), loaded on first use.

    Args:
        folder: where the index generations live.
        store: the articles; the index is repaired to hold exactly its passages.
        embedder: gives the embedding model (called when first needed; it may load lazily).
        dense_params, search_params: config `index:` and `retrieval:`.
        batch_size: passages embedded per batch.
    """

    def __init__(self, folder: Path, store: ArticleStore, embedder: Callable[[], Embedder], dense_params: DenseParams,
                 search_params: SearchParams, batch_size: int) -> None:
        self.store = store
        self.generations = Generations(folder)
        self._embedder = embedder
        self._dense_params, self._search_params, self._batch_size = dense_params, search_params, batch_size
        self._index: HybridIndex | None = None
        self._lock = threading.RLock()  # guards the live index and its files
        self._rebuilding = threading.Lock()
        self._unsaved = 0  # passages added or removed since the index files were last written
        self._saved_at = time.monotonic()

    # -- opening and saving ------------------------------------------------------------------------

    def current(self) -> HybridIndex:
        """The live index, loaded (and repaired against the store) on first use."""
        with self._lock:
            if self._index is None:
                self._index = self._open()
            return self._index

    def _fresh(self) -> HybridIndex:
        return HybridIndex(self._embedder(), self._dense_params, self._search_params)

    def _open(self) -> HybridIndex:
        folder = self.generations.current()
        if folder is None:
            index = self._fresh()
            folder = self.generations.new()
            self.generations.activate(folder)
        else:
            try:
                index = HybridIndex.load(folder, self._embedder(), self._dense_params, self._search_params)
            except IndexCorrupt as e:
                log.warning("index damaged (%s); rebuilding it from the stored articles", e)
                index = self._fresh()
        self._repair(index)
        self.store.set_meta("index_generation", folder.name)
        return index

    def _repair(self, index: HybridIndex) -> None:
        """Make the index hold exactly the stored passages: embed what is missing, drop what is gone."""
        stored = set(self.store.passage_ids())
        held = index.ids()
        extra = held - stored
        missing = stored - held
        changed = False
        if extra:
            log.warning("index holds %d passages no longer stored; removing them", len(extra))
            index.remove(sorted(extra))
            changed = True
        if not index.consistent():
            log.warning("keyword index out of step with the dense index; rebuilding it")
            index.keyword.remove(index.keyword.ids().tolist())
            self._add(index, self._stored(sorted(index.ids())), vectors_known=True)
            changed = True
        if missing:
            log.warning("index lacks %d stored passages; embedding them", len(missing))
            self._add(index, self._stored(sorted(missing)))
            changed = True
        if changed or not (self.generations.current() / "meta.json").exists():
            self._save(index)

    def _stored(self, ids: list[int]) -> list[tuple[Passage, Article]]:
        out = []
        for start in range(0, len(ids), 900):
            found = self.store.passages_with_articles(ids[start:start + 900])
            out.extend(found[i] for i in ids[start:start + 900] if i in found)
        return out

    def _add(self, index: HybridIndex, rows: Rows, vectors: np.ndarray | None = None,
             vectors_known: bool = False) -> None:
        if not rows:
            return
        ids = [p.id for p, _ in rows]
        kw = [keyword_text(p, a) for p, a in rows]
        if vectors_known:  # dense side already holds them
            index.keyword.add(ids, kw)
            return
        index.add(ids, [dense_text(p, a) for p, a in rows], kw, vectors=vectors, batch_size=self._batch_size)

    def _changed(self, index: HybridIndex, passages: int) -> None:
        """Count a change and write the index when enough has changed (call with the lock held).

        Writing the whole index on every add would cost O(size) per add. Unsaved changes are not at
        risk: the store is the source of truth, and opening the index repairs it from the store.
        """
        self._unsaved += passages
        due = self._unsaved >= max(1, len(index) // 20) or time.monotonic() - self._saved_at > 30
        if due:
            self._save(index)

    def _save(self, index: HybridIndex) -> None:
        self._unsaved = 0
        self._saved_at = time.monotonic()
        folder = self.generations.current()
        if folder is None:
            folder = self.generations.new()
            index.save(folder)
            self.generations.activate(folder)
        else:
            index.save(folder)

    def flush(self) -> None:
        """Write the index files if they lag behind the live index."""
        with self._lock:
            if self._index is not None and self._unsaved:
                self._save(self._index)

    # -- searching ----------------------------------------------------------------------------------

    def dense_search(self, query_vector: np.ndarray, k: int, params: SearchParams) -> tuple[np.ndarray, np.ndarray]:
        index = self.current()
        with self._lock:
            return (self._index or index).dense_search(query_vector, k, params)

    def search(self, query_vector: np.ndarray, query_text: str, k: int, params: SearchParams,
               dense: tuple[np.ndarray, np.ndarray] | None = None) -> list[Hit]:
        index = self.current()
        with self._lock:
            return (self._index or index).search(query_vector, query_text, k, params, dense=dense)

    def term_counts(self, text: str) -> tuple[list[tuple[str, str, int]], int]:
        index = self.current()
        with self._lock:
            return (self._index or index).term_counts(text)

    # -- changes ------------------------------------------------------------------------------------

    def embed(self, rows: Rows) -> np.ndarray:
        """The vectors of new passages (computed without holding the lock)."""
        return self._embedder().encode([dense_text(p, a) for p, a in rows], batch_size=self._batch_size)

    def add(self, rows: Rows, vectors: np.ndarray | None = None, save: bool = True) -> None:
        """Add stored passages (embedding them first unless `vectors` are given). `save=False` leaves the
        files to `finish_bulk`, for a bulk import."""
        index = self.current()
        if vectors is None:
            vectors = self.embed(rows)
        with self._lock:
            index = self._index or index
            self._add(index, rows, vectors=vectors)
            if save:
                self._changed(index, len(rows))

    def finish_bulk(self) -> None:
        """After adds with `save=False`: build the keyword scores and write the files."""
        index = self.current()
        with self._lock:
            index = self._index or index
            index.keyword.prepare()
            self._save(index)

    def remove(self, ids: Sequence[int]) -> None:
        index = self.current()
        with self._lock:
            index = self._index or index
            index.remove(ids)
            self._changed(index, len(ids))

    # -- rebuilding ---------------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> None:
        """Build a fresh index from the stored articles beside the live one, then swap it in.

        `progress(articles_done, articles_total)` is called from this thread as the work goes.
        Questions keep being answered from the live index meanwhile.

        Raises:
            RebuildRunning: another rebuild is in progress.
        """
        if not self._rebuilding.acquire(blocking=False):
            raise RebuildRunning("a rebuild is already running; try again when it is done")
        try:
            total, _ = self.store.counts()
            fresh = self._fresh()
            seen: set[int] = set()
            for batch in self.store.iter_passages(batch_size=256):
                self._add(fresh, batch)
                seen.update(a.id for _, a in batch)
                if progress:  # articles whose passages are (mostly) done; passages come in id order
                    progress(min(len(seen), total), total)
            with self._lock:
                self._catch_up(fresh)
                fresh.keyword.prepare()
                folder = self.generations.new()
                fresh.save(folder)
                self.generations.activate(folder)
                self.store.set_meta("index_generation", folder.name)
                self._index = fresh
                self._unsaved, self._saved_at = 0, time.monotonic()
        finally:
            self._rebuilding.release()

    def _catch_up(self, fresh: HybridIndex) -> None:
        """Apply the adds and removals made while `fresh` was being built."""
        stored = set(self.store.passage_ids())
        held = fresh.ids()
        if held - stored:
            fresh.remove(sorted(held - stored))
        self._add(fresh, self._stored(sorted(stored - held)))

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding.locked()

    # -- figures --------------------------------------------------------------------------------------

    def count(self) -> int:
        """Passages indexed: the live index's, or the saved one's when it is not loaded."""
        if self._index is not None:
            return len(self._index)
        folder = self.generations.current()
        try:
            return int(json.loads((folder / "meta.json").read_text())["count"]) if folder else 0
        except (OSError, ValueError, KeyError):
            return 0

    def size_bytes(self) -> int:
        folder = self.generations.current()
        return sum(f.stat().st_size for f in folder.iterdir()) if folder else 0
