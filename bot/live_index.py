"""The live index: the one HybridIndex questions are answered from, kept in step with the store.

It opens the current generation (repairing it against the store: the store is the source of truth),
adds and removes passages as articles come and go, publishes a new generation on a cadence rather than
on every change, and rebuilds a fresh generation beside itself, swapping it in when done. Thread-safe:
searches, writers and a rebuild may run at once; and processes sharing the data folder follow each
other (see `LiveIndex`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from bot import heap
from bot.errors import RebuildRunning
from corpus.errors import CorpusError
from corpus.models import Article, Passage
from corpus.store import ArticleStore
from index.dense import DenseParams
from index.embedder import Embedder
from index.errors import IndexCorrupt, IndexError_, ModelMismatch, RebuildLocked
from index.hybrid import Generations, Hit, HybridIndex, Keyword, SearchParams

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Rows = Sequence[tuple[Passage, Article]]


def dense_text(passage: Passage, article: Article) -> str:
    """What is embedded for a passage: its section's heading (an interview question, a topic), then its text."""
    return f"{passage.heading}\n{passage.text}" if passage.heading else passage.text


def keyword_text(passage: Passage, article: Article) -> str:
    """Title, outlet and the section's heading count as words of every passage on the keyword side."""
    return f"{article.title} {article.source or ''} {passage.heading or ''} {passage.text}"


class LiveIndex:
    """The index of the passages in `store`, under `folder` (generations), loaded on first use.

    Several processes may share the data folder (`eventbot run` beside `eventbot import`, `add`, `remove`
    or `reindex`). Each keeps its own copy of the index in memory and publishes it as a new generation
    (index.hybrid.Generations); before publishing, it takes in any generation published by another
    process since its own (carrying over its own unpublished changes), so that no process writes an
    index older than the one it replaces. `watch` follows the others as they work: a newer generation is
    loaded, and passages another process stored (or removed) without publishing yet are embedded
    (or dropped) here.

    Args:
        folder: where the index generations live.
        store: the articles; the index is repaired to hold exactly its passages.
        embedder: gives the embedding model (called when first needed; it may load lazily).
        dense_params, search_params: config `index:` and `retrieval:`.
        batch_size: passages embedded per batch.
    """

    # Another process's unpublished passages are embedded here at once up to this many; more (a bulk
    # import at work, which publishes its own index when done) only once its store has been quiet a while.
    EMBED_AT_ONCE = 512
    QUIET_SECONDS = 5.0

    def __init__(self, folder: Path, store: ArticleStore, embedder: Callable[[], Embedder], dense_params: DenseParams,
                 search_params: SearchParams, batch_size: int) -> None:
        self.store = store
        self.generations = Generations(folder)
        self._embedder = embedder
        self._dense_params, self._search_params, self._batch_size = dense_params, search_params, batch_size
        self._index: HybridIndex | None = None
        self._lock = threading.RLock()  # guards the live index, its bookkeeping and this process's publishing
        self._rebuilding = threading.Lock()
        self._unsaved = 0  # passages added or removed since the index was last published
        self._saved_at = time.monotonic()
        # The generation the live index started from (loaded, or published by this process), and the
        # passages added to and removed from it since: what a newer generation from elsewhere lacks.
        self._base: str | None = None
        self._added: set[int] = set()
        self._removed: set[int] = set()
        self._frozen: str | None = None  # why this process must not publish (a newer index it cannot read)
        # Other processes' writes to the store: its data_version when last followed, and since when it is still.
        self._store_version: int | None = None
        self._store_changed_at = 0.0
        self._store_behind = False
        self._refreshing = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    # -- opening and publishing ------------------------------------------------------------------------

    def current(self) -> HybridIndex:
        """The live index, loaded (and repaired against the store) on first use."""
        with self._lock:
            if self._index is not None:
                return self._index
            self._index = index = self._open()
        heap.settle()  # what loading made, out of later collections' way (bot.heap)
        return index

    def _fresh(self) -> HybridIndex:
        return HybridIndex(self._embedder(), self._dense_params, self._search_params)

    def _open(self) -> HybridIndex:
        self._store_version = self.store.data_version()  # first: a change made while opening is seen later
        embedder = self._embedder()
        index = None
        with self.generations.lock(shared=True):
            folder = self.generations.current()
            if folder is not None:
                try:
                    index = HybridIndex.load(folder, embedder, self._dense_params, self._search_params)
                    self._base = folder.name
                except IndexCorrupt as e:
                    log.warning("index damaged (%s); rebuilding it from the stored articles", e)
        if index is None:
            index = self._fresh()
        if self._repair(index) or self._base is None:
            self._publish(index)
        return self._index or index

    def _repair(self, index: HybridIndex) -> bool:
        """Make the index hold exactly the stored passages: embed what is missing, drop what is gone."""
        stored = set(self.store.passage_ids())
        held = index.ids()
        extra = held - stored
        missing = stored - held
        changed = False
        if extra:
            log.warning("index holds %d passages no longer stored; removing them", len(extra))
            self._drop(index, sorted(extra))
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
        return changed

    def _stored(self, ids: list[int]) -> list[tuple[Passage, Article]]:
        out = []
        for start in range(0, len(ids), 900):
            found = self.store.passages_with_articles(ids[start:start + 900])
            out.extend(found[i] for i in ids[start:start + 900] if i in found)
        return out

    def _add(self, index: HybridIndex, rows: Rows, vectors: np.ndarray | None = None,
             vectors_known: bool = False, track: bool = True) -> None:
        """Add rows to `index`; `track`: count them as changes to the live index since its base."""
        if not rows:
            return
        ids = [p.id for p, _ in rows]
        kw = [keyword_text(p, a) for p, a in rows]
        if vectors_known:  # dense side already holds them
            index.keyword.add(ids, kw)
            return
        index.add(ids, [dense_text(p, a) for p, a in rows], kw, vectors=vectors, batch_size=self._batch_size)
        if track:
            self._added.update(ids)
            self._removed.difference_update(ids)

    def _drop(self, index: HybridIndex, ids: Sequence[int]) -> None:
        index.remove(ids)
        self._removed.update(ids)
        self._added.difference_update(ids)

    def _changed(self, index: HybridIndex, passages: int) -> None:
        """Count a change and publish the index when enough has changed (call with the lock held).

        Writing the whole index on every add would cost O(size) per add. Unsaved changes are not at
        risk: the store is the source of truth, and opening the index repairs it from the store.
        """
        self._unsaved += passages
        due = self._unsaved >= max(1, len(index) // 20) or time.monotonic() - self._saved_at > 30
        if due:
            self._publish(index)

    def _publish(self, index: HybridIndex, adopt: bool = True) -> None:
        """Write `index` as the new live generation (call with the lock held).

        If another process published a generation since this one's base, that one is taken in first
        (`adopt`): writing this process's copy over it would drop that process's changes. A rebuild
        (`adopt=False`), made from the store, catches up with the store instead, under the same file
        lock, so that no generation published meanwhile holds anything it lacks.
        """
        self._unsaved, self._saved_at = 0, time.monotonic()
        if self._frozen:
            log.debug("not writing the index: %s", self._frozen)
            return
        with self.generations.lock():
            current = self.generations.current()
            if not adopt:
                self._catch_up(index)
                index.keyword.prepare()
            elif current is not None and current.name != self._base:
                try:
                    index = self._adopt(index, self._load(current, locked=True), current.name)
                except ModelMismatch as e:
                    self._freeze(str(e))
                    return
                except IndexCorrupt as e:
                    log.warning("the index another process wrote is damaged (%s); writing this one", e)
            folder = self.generations.publish(index.save)
        self._index = index
        self._base = folder.name
        self._added.clear()
        self._removed.clear()

    def _load(self, folder: Path, locked: bool = False) -> HybridIndex:
        embedder = self._embedder()  # outside the lock: the first call may load the model
        with contextlib.nullcontext() if locked else self.generations.lock(shared=True):
            return HybridIndex.load(folder, embedder, self._dense_params, self._search_params)

    def _adopt(self, old: HybridIndex, new: HybridIndex, name: str) -> HybridIndex:
        """Make `new` (another process's generation `name`) the live index, with this process's changes
        since its base carried over from `old` (call with the lock held)."""
        gone = [pid for pid in self._removed if pid in new.keyword]
        if gone:
            new.remove(gone)
        held = new.ids()
        rows = self._stored(sorted(pid for pid in self._added if pid not in held))
        old_ids = old.ids()
        known = [(p, a) for p, a in rows if p.id in old_ids]
        if known:
            self._add(new, known, vectors=old.dense.vectors_of([p.id for p, _ in known]))
        self._add(new, [(p, a) for p, a in rows if p.id not in old_ids])
        log.info("took in the index generation %s written by another process (%d passages; %d added and %d "
                 "removed here carried over)", name, len(new), len(rows), len(gone))
        self._index = new
        self._base = name
        return new

    def _freeze(self, why: str) -> None:
        if not self._frozen:
            log.error("another process rebuilt the index with another model; this process keeps answering "
                      "from the index it holds but will not write it. Restart it with the same config: %s", why)
        self._frozen = why

    def flush(self) -> None:
        """Publish the index if it lags behind the live index."""
        with self._lock:
            if self._index is not None and self._unsaved:
                self._publish(self._index)

    # -- following other processes -----------------------------------------------------------------

    def watch(self, interval: float = 1.0) -> None:
        """Follow other processes' changes every `interval` seconds, in a background thread, until `close`."""
        if self._watcher is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.refresh()
                except (CorpusError, IndexError_, OSError) as e:
                    log.warning("could not follow other processes' changes to the index: %s", e)
                except Exception:  # noqa: BLE001 - the thread must live on; the error is logged
                    log.exception("following other processes' changes to the index failed")

        self._watcher = threading.Thread(target=loop, name="eventbot-index-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        """Stop watching, and publish what is unsaved."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join()
        self.flush()

    def refresh(self) -> None:
        """Catch up with other processes: take in a generation one of them published, and embed (or drop)
        passages they stored (or removed) without publishing yet."""
        if self._index is None:
            return  # the first use opens what is there then
        with self._refreshing:
            self._take_newer_generation()
            self._follow_store()

    def _take_newer_generation(self) -> None:
        if self._frozen:
            return
        base = self._base
        embedder = self._embedder()
        with self.generations.lock(shared=True):
            folder = self.generations.current()
            if folder is None or folder.name == base:
                return
            try:
                loaded = HybridIndex.load(folder, embedder, self._dense_params, self._search_params)
            except ModelMismatch as e:
                self._freeze(str(e))
                return
            except IndexCorrupt as e:
                log.warning("the index another process wrote is damaged (%s); keeping this one", e)
                return
        with self._lock:
            if self._base == base and self._index is not None:  # nobody took in or published one meanwhile
                self._adopt(self._index, loaded, folder.name)

    def _follow_store(self) -> None:
        version = self.store.data_version()
        now = time.monotonic()
        if version != self._store_version:  # another process committed since last look
            self._store_version, self._store_changed_at, self._store_behind = version, now, True
        if not self._store_behind:
            return
        with self._lock:
            held = self._index.ids()  # before the store's: a passage stored meanwhile is not taken as gone
        stored = set(self.store.passage_ids())
        extra, missing = held - stored, stored - held
        if len(missing) > self.EMBED_AT_ONCE and now - self._store_changed_at < self.QUIET_SECONDS:
            return  # a bulk import at work: it publishes its index when done
        rows = self._stored(sorted(missing))
        vectors = self.embed(rows) if rows else None
        with self._lock:
            index = self._index
            gone = [pid for pid in extra if pid in index.keyword]
            if gone:
                self._drop(index, gone)
            self._add(index, rows, vectors=vectors)
            if gone or rows:
                log.info("followed other processes' changes to the articles: %d passages added, %d removed",
                         len(rows), len(gone))
                self._changed(index, len(gone) + len(rows))
        self._store_behind = False

    # -- searching ----------------------------------------------------------------------------------

    def search(self, query_vector: np.ndarray, query_text: str, k: int, params: SearchParams) -> list[Hit]:
        index = self.current()
        with self._lock:
            return (self._index or index).search(query_vector, query_text, k, params)

    def keyword_hits(self, texts: Sequence[str], ks: Sequence[int], params: SearchParams) -> list[Keyword]:
        index = self.current()
        with self._lock:
            return (self._index or index).keyword_hits(texts, ks, params)

    def search_texts(self, query_vector: np.ndarray, texts: Sequence[str], ks: Sequence[int],
                     params: SearchParams, keyword: Sequence[Keyword] | None = None,
                     beside: Executor | None = None) -> list[list[Hit]]:
        index = self.current()
        with self._lock:  # held for the keyword search `beside` runs too: it ends before this returns
            return (self._index or index).search_texts(query_vector, texts, ks, params, keyword, beside)

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
        """After adds with `save=False`: build the keyword scores and publish the index."""
        index = self.current()
        with self._lock:
            index = self._index or index
            index.keyword.prepare()
            self._publish(index)
        heap.settle()

    def remove(self, ids: Sequence[int]) -> None:
        index = self.current()
        with self._lock:
            index = self._index or index
            self._drop(index, ids)
            self._changed(index, len(ids))

    # -- rebuilding ---------------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> None:
        """Build a fresh index from the stored articles beside the live one, then swap it in.

        `progress(articles_done, articles_total)` is called from this thread as the work goes.
        Questions keep being answered from the live index meanwhile.

        Raises:
            RebuildRunning: another rebuild is in progress, in this process or another.
        """
        if not self._rebuilding.acquire(blocking=False):
            raise RebuildRunning("a rebuild is already running; try again when it is done")
        try:
            with self.generations.rebuilding():
                self._rebuild(progress)
        except RebuildLocked as e:
            raise RebuildRunning(str(e)) from e
        finally:
            self._rebuilding.release()

    def _rebuild(self, progress: Progress | None) -> None:
        total, _ = self.store.counts()
        fresh = self._fresh()
        seen: set[int] = set()
        for batch in self.store.iter_passages(batch_size=256):
            self._add(fresh, batch, track=False)
            seen.update(a.id for _, a in batch)
            if progress:  # articles whose passages are (mostly) done; passages come in id order
                progress(min(len(seen), total), total)
        with self._lock:
            self._frozen = None  # this process's model, asked for
            self._publish(fresh, adopt=False)
        heap.settle()

    def _catch_up(self, fresh: HybridIndex) -> None:
        """Apply the adds and removals made while `fresh` was being built."""
        stored = set(self.store.passage_ids())
        held = fresh.ids()
        if held - stored:
            fresh.remove(sorted(held - stored))
        self._add(fresh, self._stored(sorted(stored - held)), track=False)

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding.locked()

    # -- figures --------------------------------------------------------------------------------------

    def count(self) -> int:
        """Passages indexed: the live index's, or the saved one's when it is not loaded."""
        if self._index is not None:
            return len(self._index)
        with self.generations.lock(shared=True):
            folder = self.generations.current()
            try:
                return int(json.loads((folder / "meta.json").read_text())["count"]) if folder else 0
            except (OSError, ValueError, KeyError):
                return 0

    def size_bytes(self) -> int:
        with self.generations.lock(shared=True):
            folder = self.generations.current()
            return sum(f.stat().st_size for f in folder.iterdir()) if folder else 0
