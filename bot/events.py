"""The event clusters of the held articles (retrieval.events), kept in step with the store and saved in
the data folder, and the timelines and event lists built from them.

`EventBook.sync` brings the clusters up to date with the store one article at a time: articles added
(by this process or another one sharing the data folder) are clustered from their passages' vectors in the
live index, removed ones leave their event, updated ones (another text under the same id) are clustered
anew. The service calls it after every add, import and removal; a rebuild (`reindex`) clusters everything
again. The clusters are saved to `events.npz`; a missing, damaged or outdated file is rebuilt from the
store with a log line, never an error.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.config import EventsConfig
from bot.live_index import LiveIndex
from corpus.models import Article
from corpus.store import ArticleStore
from retrieval.answer import Answer, Reason
from retrieval.events import Clusters, Event, Signature, article_names, cluster, day_of, mean_vector
from retrieval.question import article_filter
from retrieval.ranker import Retriever
from retrieval.timeline import EventSummary, Member, Timeline, build, choose_event

log = logging.getLogger(__name__)

FORMAT = 1  # of events.npz; another one is rebuilt
SAVE_SECONDS = 30.0  # unsaved changes older than this are saved at the next change (and at close)
EVENT_SIMILARITY = 0.75
"""`events.min_similarity` when the config leaves it to the model and the model names none (the packaged
model's value, measured by bench/events.py)."""


class EventBook:
    """The events of the articles in `store`, clustered from the vectors in `index`, saved at `path`."""

    def __init__(self, path: Path, store: ArticleStore, index: LiveIndex, params: EventsConfig) -> None:
        self.path, self.store, self.index, self.configured = Path(path), store, index, params
        self._clusters: Clusters | None = None
        self._hashes: dict[int, str] = {}  # article id -> content hash, of the clustered articles
        self._lock = threading.RLock()
        self._store_version: int | None = None  # the store's data_version when last synced
        self._unsaved = 0  # changes since the clusters were last saved
        self._saved_at = time.monotonic()

    @property
    def params(self) -> EventsConfig:
        """The configured settings, `min_similarity` taken from the model when the config leaves it (null)."""
        if self.configured.min_similarity is not None:
            return self.configured
        embedder = self.index.current().embedder
        return self.configured.model_copy(
            update={"min_similarity": getattr(embedder, "default_event_similarity", EVENT_SIMILARITY)})

    # -- keeping in step ---------------------------------------------------------------------------

    def current(self) -> Clusters:
        """The clusters, loaded (or rebuilt) on first use and brought up to date with what other processes
        stored since (this process's own changes are synced as it makes them: the service calls `sync`)."""
        with self._lock:
            if self._clusters is None:
                self._clusters = self._load()
            if self._store_version is None or self.store.data_version() != self._store_version:
                self.sync()
            return self._clusters

    def sync(self) -> int:
        """Cluster the articles stored since the last sync, drop the removed ones; returns how many changed."""
        with self._lock:
            if self._clusters is None:
                self._clusters = self._load()
            clusters = self._clusters
            self._store_version = self.store.data_version()  # first: a write made meanwhile is seen next time
            held = self.store.content_hashes()
            gone = [i for i in self._hashes if held.get(i) != self._hashes[i]]
            for article_id in gone:
                clusters.remove(article_id)
                del self._hashes[article_id]
            new = self.store.articles_of([i for i in held if i not in self._hashes])
            signed = self._sign(new)
            if len(signed) < len(new):  # passages the index lacks yet (another process's): retry next time
                self._store_version = None
            for sign in sorted(signed, key=lambda s: (s.day is None, s.day or 0, s.article_id)):
                clusters.add(sign, self.store.copy_ids(sign.article_id))
                self._hashes[sign.article_id] = held[sign.article_id]
            self._changed(len(gone) + len(signed))
            return len(gone) + len(signed)

    def rebuild(self) -> Clusters:
        """Cluster every stored article afresh (after `reindex`, or when the saved clusters are unusable)."""
        with self._lock:
            articles = self.store.articles()
            signed = self._sign(articles)
            self._clusters = cluster(signed, self.params, {s.article_id: self.store.copy_ids(s.article_id) for s in signed})
            hashes = {a.id: a.content_hash for a in articles}
            self._hashes = {s.article_id: hashes[s.article_id] for s in signed}
            self._save()
            return self._clusters

    def _sign(self, articles: Sequence[Article]) -> list[Signature]:
        """The signatures of the articles whose passages the index holds (others wait for a later sync)."""
        if not articles:
            return []
        passages = self.store.passages_of([a.id for a in articles])
        vectors = self.vectors({p.id for ps in passages.values() for p in ps})
        out = []
        for a in articles:
            held = [p for p in passages.get(a.id, []) if p.id in vectors]
            if not held:
                continue
            out.append(Signature(a.id, mean_vector(np.stack([vectors[p.id] for p in held])),
                                 article_names(a.title, [p.text for p in held]), day_of(a.published_at),
                                 a.title, a.source, a.published_at))
        return out

    def vectors(self, passage_ids: set[int] | Sequence[int]) -> dict[int, np.ndarray]:
        """The index's vectors of the given passages (those it holds)."""
        dense = self.index.current().dense
        ids = sorted(passage_ids)
        if not ids:
            return {}
        try:
            return dict(zip(ids, dense.vectors_of(ids), strict=True))
        except RuntimeError:  # some passage is not indexed (yet): one at a time
            out = {}
            for pid in ids:
                try:
                    out[pid] = dense.vectors_of([pid])[0]
                except RuntimeError:
                    continue
            return out

    # -- saving and loading ------------------------------------------------------------------------

    def _model(self) -> str:
        return f"{self.index.current().embedder.name}"

    def _settings(self) -> dict:
        return {"format": FORMAT, "model": self._model(), "params": self.params.model_dump()}

    def _changed(self, count: int) -> None:
        """Save the clusters when enough has changed or a while has passed: not on every add, which would
        rewrite every article's vector. Unsaved changes are not at risk: the next process to open the file
        syncs it with the store, clustering what it lacks."""
        self._unsaved += count
        if self._unsaved and (self._unsaved >= max(1, len(self._hashes) // 20)
                              or time.monotonic() - self._saved_at > SAVE_SECONDS):
            self._save()

    def flush(self) -> None:
        """Save the clusters if changes are unsaved."""
        with self._lock:
            if self._clusters is not None and self._unsaved:
                self._save()

    def _save(self) -> None:
        assert self._clusters is not None
        signs = self._clusters.signatures()
        meta = {**self._settings(), "next_id": self._clusters.next_id,
                "articles": [{"id": s.article_id, "event": self._clusters.event_of(s.article_id),
                              "hash": self._hashes.get(s.article_id), "names": sorted(s.names),
                              "title": s.title, "source": s.source, "published_at": s.published_at}
                             for s in signs]}
        dim = signs[0].vector.shape[0] if signs else 0
        vectors = np.stack([s.vector for s in signs]).astype(np.float32) if signs else np.zeros((0, dim), np.float32)
        self._unsaved, self._saved_at = 0, time.monotonic()
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, vectors=vectors, meta=np.array(json.dumps(meta)))
            os.replace(tmp, self.path)
        except OSError as e:
            log.warning("could not save the event clusters to %s (%s); they are rebuilt when next opened", self.path, e)
        finally:
            tmp.unlink(missing_ok=True)

    def _load(self) -> Clusters:
        """The saved clusters, or fresh ones from the store when the file is missing, damaged or outdated."""
        if not self.path.exists():
            if self.store.article_count():
                log.info("no event clusters saved in %s; clustering the %d stored articles", self.path,
                         self.store.article_count())
            return self.rebuild()
        try:
            with np.load(self.path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                vectors = np.asarray(data["vectors"], dtype=np.float32)
            if {k: meta.get(k) for k in ("format", "model", "params")} != self._settings():
                log.info("the event clusters in %s were made with other settings or another model; rebuilding them",
                         self.path)
                return self.rebuild()
            clusters = Clusters(self.params)
            hashes = {}
            for row, item in enumerate(meta["articles"]):
                sign = Signature(int(item["id"]), vectors[row], frozenset(item["names"]), day_of(item["published_at"]),
                                 item["title"], item["source"], item["published_at"])
                clusters.restore(sign, int(item["event"]))
                hashes[sign.article_id] = item["hash"]
            clusters.restore_next_id(int(meta["next_id"]))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            log.warning("the event clusters in %s are damaged (%s); rebuilding them from the stored articles",
                        self.path, e)
            return self.rebuild()
        self._hashes = hashes
        return clusters

    # -- reading ----------------------------------------------------------------------------------

    def summary(self, event: Event) -> EventSummary:
        return EventSummary(event.id, event.label, event.first_seen, event.last_seen, len(event.members), event.outlets)

    def events(self) -> list[EventSummary]:
        """The events held, most recent activity first (undated ones last)."""
        with self._lock:
            clusters = self.current()
            listed = [self.summary(e) for e in clusters.events.values()]
        listed.sort(key=lambda s: (s.articles, -s.id), reverse=True)
        listed.sort(key=lambda s: s.last_seen or "", reverse=True)  # stable: the most articles first on a tie
        return [s for s in listed if s.last_seen] + [s for s in listed if not s.last_seen]

    def timeline(self, retriever: Retriever, query: str, since: str | None = None, until: str | None = None) -> Timeline:
        """The timeline of the event `query` names, within [since, until]; or why there is none.

        Raises:
            EmptyQuestion, BadFilter: as `Retriever.ask`.
        """
        with self._lock:
            clusters = self.current()
        answer = retriever.ask(query, self.params.passages_voting, since=since, until=until)
        if not answer.answered:
            return Timeline(answer.question, None, [], answer)
        with self._lock:
            event_id = choose_event(answer, {p.article_id: clusters.event_of(p.article_id) for p in answer.passages
                                             if clusters.event_of(p.article_id) is not None})
            event = clusters.events.get(event_id) if event_id is not None else None
            if event is None:
                return Timeline(answer.question, None, [], _unanswered(answer))
            summary = self.summary(event)
            centroid = event.centroid
            ids = list(event.members)
        articles = self.store.articles_of(ids)
        keep = article_filter(None, answer.filters.get("since"), answer.filters.get("until"))
        chosen = [a for a in articles if keep is None or keep(a)]
        passages = self.store.passages_of([a.id for a in chosen])
        vectors = self.vectors({p.id for ps in passages.values() for p in ps})
        members = [Member(a, ps, np.stack([vectors[p.id] for p in ps]), self.store.carriers(a.id),
                          frozenset(self.store.copy_ids(a.id)))
                   for a in chosen if (ps := [p for p in passages.get(a.id, []) if p.id in vectors])]
        query_vector = retriever.queries.encode([answer.question])[0]
        entries = build(members, query_vector, centroid)
        if not entries:
            return Timeline(answer.question, None, [], _unanswered(answer))
        if len(chosen) < len(articles) and summary.first_seen and (entries[0].published_at or "")[:19] > summary.first_seen:
            entries[0].first_report = False  # the period starts after the event's first report
        return Timeline(answer.question, summary, entries, answer)


def _unanswered(answer: Answer) -> Answer:
    """The answer, as one that found nothing matching (its passages belong to no event in the period)."""
    return Answer(answer.question, False, [], answer.articles_held, Reason.NO_MATCH, answer.filters)


