"""The Retriever: question -> ranked, filtered, attributed passages, or the reason there are none.

It owns every ranking decision past the index's fused scores: search depth, the parts of a many-part
question, the speaker, outlet and date boosts, the similarity threshold and abstention, the filters, the
per-article cap and syndicated copies shown once. It reads the index and the held articles through two
small protocols, so it is tested with an in-memory index and a dict of articles as easily as with the
live ones.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from operator import itemgetter
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from corpus.models import Article, Passage
from corpus.syndication import is_copy
from index.hybrid import Hit, Keyword, SearchParams
from index.threads import Held, ThreadChoice, keep_off, question_threads
from retrieval.answer import Answer, AnswerPassage, Reason
from retrieval.boosts import Mentions, Meta, boost_mentions, boost_speaker, find_mentions, mention_scores, merge_parts
from retrieval.copies import mark_disagreements
from retrieval.outlets import OutletMatcher, TitleIndex, unheld_outlets
from retrieval.precision import PRECISION_DEPTH, PrecisionParams, refine, unknown_words, unmentioned
from retrieval.question import Query, article_filter, clean_question, cut, parse_query, question_parts, speaker_matches

Rows = Mapping[int, tuple[Passage, Article]]

UNKNOWN_SHARE = 0.1
"""A question is declined for words no passage holds only when they are at least this share of its terms."""

ROWS_AHEAD = PRECISION_DEPTH
"""Passages an answer reads from the catalog at a time (see _Rows)."""

HANDOFF_SECONDS = 0.005
"""How long a question waits, at most, for the worker that embeds it to start."""


class _Words(NamedTuple):
    """A question's words against what is held: outlets it names that are not held; its terms as (word,
    token, passages holding it) and the passages indexed (index.hybrid.HybridIndex.term_counts)."""

    unheld: list[str]
    terms: list[tuple[str, str, int]]
    held: int


@runtime_checkable
class RankingParams(SearchParams, PrecisionParams, Protocol):
    """How answers are ranked: config `retrieval:` (bot.config.RetrievalConfig, which holds the defaults)."""

    @property
    def top_k(self) -> int: ...
    @property
    def max_k(self) -> int: ...
    @property
    def max_per_article(self) -> int: ...
    @property
    def outlet_boost(self) -> float: ...
    @property
    def date_boost(self) -> float: ...
    @property
    def part_weight(self) -> float: ...
    @property
    def embed_parts(self) -> bool: ...
    @property
    def abstain_unheld_outlets(self) -> bool: ...
    @property
    def min_similarity(self) -> float | None: ...
    @property
    def max_question_chars(self) -> int: ...
    @property
    def question_threads(self) -> int | str: ...
    @property
    def unknown_terms_below(self) -> float | None: ...
    @property
    def unknown_terms_min_passages(self) -> int: ...


class Searchable(Protocol):
    """The index as the Retriever uses it (index.hybrid.HybridIndex, or the application's live index)."""

    def search(self, query_vector: np.ndarray, query_text: str, k: int, params: SearchParams) -> list[Hit]: ...

    def keyword_hits(self, texts: Sequence[str], ks: Sequence[int], params: SearchParams) -> list[Keyword]: ...

    def search_texts(self, query_vector: np.ndarray, texts: Sequence[str], ks: Sequence[int],
                     params: SearchParams, keyword: Sequence[Keyword] | None = None,
                     beside: Executor | None = None) -> list[list[Hit]]: ...

    def term_counts(self, text: str) -> tuple[list[tuple[str, str, int]], int]: ...


class Catalog(Protocol):
    """The held articles as the Retriever reads them (corpus.store.ArticleStore)."""

    def article_count(self) -> int: ...

    def passage_articles(self, ids: Sequence[int]) -> dict[int, Article]:
        """The held article of each passage (one removed since may still be named)."""
        ...

    def passages_with_articles(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Article]]:
        """The passages still held, with their articles."""
        ...

    def passage_speakers(self, ids: Sequence[int]) -> dict[int, str]:
        """The quoted speaker of each passage that has one."""
        ...

    def sources(self) -> list[tuple[str, int]]: ...

    def titles_and_origins(self) -> list[tuple[str, str | None]]: ...

    def copies(self, article_id: int) -> list[tuple[Article, list[Passage]]]: ...

    def carriers(self, article_id: int) -> list[dict[str, str | None]]: ...


class Encoder(Protocol):
    """Embeds questions (index.embedder.QueryCache); knows its model's calibrated answer threshold."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def holds(self, text: str) -> bool:
        """Whether `text`'s vector is at hand without the model."""
        ...

    @property
    def releases_gil(self) -> bool:
        """Whether the model runs outside Python's interpreter lock (index.embedder.Embedder)."""
        ...

    @property
    def default_min_similarity(self) -> float: ...

    @property
    def default_unknown_terms_below(self) -> float: ...


class Retriever:
    """Answers questions from an index of passages and the catalog of the articles they belong to.

    Args:
        index: where passages are searched.
        catalog: the held articles and passages, looked up by id.
        queries: embeds questions (index.embedder.QueryCache); only used once an article is held.
        params: the ranking parameters (config `retrieval:`); read on every question.
    """

    def __init__(self, index: Searchable, catalog: Catalog, queries: Encoder, params: RankingParams) -> None:
        self.index, self.catalog, self.queries, self.params = index, catalog, queries, params
        # (articles held, matcher of their outlets, matcher of their outlets and wire agencies, their titles)
        self._outlets: tuple[int, OutletMatcher, OutletMatcher, TitleIndex] | None = None
        self._threads = ThreadChoice()  # question_threads: auto
        # Embeds questions beside the thread that asks them (see _embed_meanwhile).
        self._embedding = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="embed-question")
        # (text, articles held) -> the outlets and days it names: asked for up to three times per question
        self._mentioned: dict[tuple[str, int], Mentions] = {}

    @property
    def min_similarity(self) -> float:
        """The cosine the best passage must reach for a question to count as answered: the configured one,
        else the model's calibrated default. Passages below half of it are never shown."""
        configured = self.params.min_similarity
        return self.queries.default_min_similarity if configured is None else configured

    @property
    def unknown_terms_below(self) -> float:
        """The cosine under which a question with words no held passage has is declined: the configured
        one, else the model's calibrated default (the test embedder has none: the check is off)."""
        configured = self.params.unknown_terms_below
        return self.queries.default_unknown_terms_below if configured is None else configured

    def ask(self, question: str, k: int | None = None, **filters: str | None) -> Answer:
        """The passages that best answer `question`, or `answered=False` with the reason.

        Filters (all optional): `source` (part of the outlet's or wire agency's name), `speaker` (part of
        the quoted speaker's name or role), `since` and `until` (ISO dates, inclusive). The same filters
        typed in the question (`source:Reuters`, see retrieval.question) apply to it and win over these.

        Raises:
            EmptyQuestion: the question has no words.
            BadFilter: a date filter is no date.
        """
        return self.ask_many([question], k, **filters)[0]

    def ask_many(self, questions: Sequence[str], k: int | None = None, *, source: str | None = None,
                 since: str | None = None, until: str | None = None, speaker: str | None = None) -> list[Answer]:
        """Answer several questions, embedding them in one batch."""
        p = self.params
        k = max(1, min(k or p.top_k, p.max_k))
        queries = [parse_query(cut(q, p.max_question_chars)) for q in questions]
        cleaned = [clean_question(q.text, p.max_question_chars) for q in queries]
        filters = [q.filters(source=source, since=since, until=until, speaker=speaker) for q in queries]
        keeps = [article_filter(f.get("source"), f.get("since"), f.get("until")) for f in filters]
        articles = self.catalog.article_count()
        if articles == 0:
            return [Answer(q, False, [], 0, Reason.NO_ARTICLES, f) for q, f in zip(cleaned, filters, strict=True)]
        parts = [question_parts(q) if p.part_weight > 0 else [] for q in cleaned]
        texts = cleaned + ([part for ps in parts for part in ps] if p.embed_parts else [])  # one batch to embed
        cached = all(self.queries.holds(t) for t in texts)
        chars = sum(map(len, cleaned)) // len(questions)
        if cached:  # no model runs: a repeat is no measure of a thread count, and has no threads to hold apart
            threads, timed, idle = 1, False, False
        else:
            threads, timed, idle = self._threads.choose(p.question_threads, chars)
        started = time.perf_counter()
        with question_threads(threads, pin=idle) as core:
            answers = self._ask_held(cleaned, queries, filters, keeps, parts, texts, cached, articles, k, threads, core)
        if timed:
            self._threads.record(threads, (time.perf_counter() - started) / len(questions), chars)
        return answers

    def _ask_held(self, cleaned: list[str], queries: list[Query], filters: list[dict[str, str]],
                  keeps: list[Callable[[Article], bool] | None], parts: list[list[str]], texts: list[str],
                  cached: bool, articles: int, k: int, threads: int, core: Held | None = None) -> list[Answer]:
        p = self.params
        flat = texts[len(cleaned):]  # the parts, when they are embedded
        # `texts`: the questions, then their parts. While the model runs in a worker, this thread does the
        # keyword search and the checks of each question's words. When no model ran (all cached), the keyword
        # search runs in a worker beside the dense one (search_texts' `beside`). After a model run here it
        # does not: torch's two threads, spinning a while after the model, left the searches less than a core
        # each (dense 2.2 against 1.2 ms at 100k, bench/README.md).
        vectors, meanwhile = self._embed_meanwhile(texts, threads, cached, core)
        plans = []
        for question, query, f, keep, ps in zip(cleaned, queries, filters, keeps, parts, strict=True):
            # Extra depth, so that the per-article cap, the filters and the speaker, outlet and date boosts
            # still find k passages.
            narrowed = keep is not None or "speaker" in f or query.speaker_hint or self._mentions(question, articles)
            depth = max(k * 3, 3 * p.candidates) if narrowed else k * 3
            ks = [depth] + [max(k * 3, p.candidates)] * len(ps)
            keyword = self.index.keyword_hits([question, *ps], ks, p) if meanwhile and not flat else None
            plans.append((ks, keyword, self._words(question, articles)))
        found = vectors()
        part_vectors = iter(found[len(cleaned):])
        answers = []
        for question, vector, query, f, keep, ps, (ks, keyword, words) in zip(
                cleaned, found[:len(cleaned)], queries, filters, keeps, parts, plans, strict=True):
            if flat:
                hits = self.index.search(vector, question, ks[0], p)
                part_hits = [(part, self.index.search(next(part_vectors), part, ks[1], p)) for part in ps]
            else:  # parts searched by the question's vector, in one search with it
                hits, *by_part = self.index.search_texts(vector, [question, *ps], ks, p, keyword,
                                                         beside=self._embedding if cached else None)
                part_hits = list(zip(ps, by_part, strict=True))
            answers.append(self._answer(question, hits, articles, k, keep, speaker=f.get("speaker"),
                                        hint=query.speaker_hint, filters=f, parts=part_hits, words=words))
        return answers

    def _embed_meanwhile(self, texts: list[str], threads: int, cached: bool,
                         core: Held | None = None) -> tuple[Callable[[], np.ndarray], bool]:
        """The texts' vectors, as a call to make once they are needed, and whether the model is running
        meanwhile (else it has run, or `cached`: all were at hand). On one thread, the model runs in a worker
        thread meanwhile (torch releases the GIL), so the keyword search and the checks that need no vector
        take none of the question's time: 2-3 ms of 20 on a 2-core AVX2 machine (bench/README.md, issue 19).
        On more, the model has the cores to itself (a parallel region waits for its slowest thread); a model
        that holds the interpreter lock (the test embedder) gains nothing beside other Python work. The worker
        keeps off the `core` this thread is held on (index.threads.pinned), so the two never take turns on one."""
        if threads != 1 or not self.queries.releases_gil or cached:
            vectors = self.queries.encode(texts)
            return (lambda: vectors), False
        started = threading.Event()

        def embed() -> np.ndarray:
            started.set()
            with question_threads(1), keep_off(core):
                return self.queries.encode(texts)

        future = self._embedding.submit(embed)
        # Until the worker has the GIL and is on its way into the model; otherwise this thread's Python
        # work could keep it waiting for the interpreter's switch interval (5 ms).
        started.wait(HANDOFF_SECONDS)
        return future.result, True

    def _words(self, question: str, articles: int) -> _Words:
        """What the question's words say before any passage is read: the outlets it names that are not
        held, and its terms with how many passages hold each."""
        unheld = unheld_outlets(question, *self._matchers(articles)[1:]) if self.params.abstain_unheld_outlets else []
        terms, held = self.index.term_counts(question)
        return _Words(unheld, terms, held)

    # -- one question --------------------------------------------------------------------------------

    def _answer(self, question: str, hits: list[Hit], articles: int, k: int,
                keep: Callable[[Article], bool] | None, speaker: str | None, hint: str | None,
                filters: dict[str, str], parts: list[tuple[str, list[Hit]]], words: _Words) -> Answer:
        threshold = self.min_similarity
        best = max((h.similarity for h in hits), default=-1.0)
        if best < threshold:
            return Answer(question, False, [], articles, Reason.NOTHING_RELEVANT, filters)
        if words.unheld and "source" not in filters:
            return Answer(question, False, [], articles, Reason.UNHELD_OUTLET, filters, unheld=tuple(words.unheld))
        terms, held = words.terms, words.held
        # In a small corpus a word's absence says little: the check needs enough passages to mean something.
        # One unknown word among a long question's thirty is a detail; among a short one's five, the subject.
        unknown = unknown_words(terms) if held >= self.params.unknown_terms_min_passages else ()
        if unknown and len(unknown) >= UNKNOWN_SHARE * len(terms) and best < self.unknown_terms_below:
            return Answer(question, False, [], articles, Reason.UNKNOWN_TERMS, filters, missing=unknown)
        # A passage far below the answer threshold is unrelated to the question: never show it.
        candidates = hits + [h for _, ph in parts for h in ph]
        # Ranked by their articles (outlet, date) first; only the passages an answer may show are read.
        owners = self.catalog.passage_articles(list({h.id for h in candidates if h.similarity >= threshold / 2}))
        if hint:  # every candidate's speaker (not its text)
            hits = boost_speaker(hits, self.catalog.passage_speakers(list(owners)), hint)
        if parts or self._mentions(question, articles):
            meta = {i: (a.source, a.origin, a.published_at) for i, a in owners.items()}
            hits = self._boost_mentions(question, hits, meta, articles)
            if parts:
                hits = self._merge_parts(question, hits, parts, meta, articles)
        rows = _Rows(self.catalog, owners, [h.id for h in hits])
        hits = refine(question, hits, rows, self.params)
        stories = _Stories(self.catalog)  # each shown article's copies and carriers, read once per answer
        passages = mark_disagreements(self._select(hits, owners, rows, k, keep, speaker, stories), stories)
        if not passages:
            return Answer(question, False, [], articles, Reason.NO_MATCH, filters)
        missing = unmentioned(question, terms, held, passages, self.params.short_question_words)
        return Answer(question, True, passages, articles, filters=filters, missing=missing, partial=bool(missing))

    def _select(self, hits: Iterable[Hit], owners: Mapping[int, Article], rows: Rows, k: int,
                keep: Callable[[Article], bool] | None, speaker: str | None, stories: _Stories) -> list[AnswerPassage]:
        """The first `k` hits that pass the filters and the per-article cap, each shown once with its copies."""
        passages: list[AnswerPassage] = []
        per_article: dict[int, int] = {}
        shown: set[int] = set()  # passages already shown, as themselves or as a copy of another
        for hit in hits:
            owner = owners.get(hit.id)
            if owner is None or hit.id in shown:  # unrelated, or a copy shown
                continue
            if keep is not None and not keep(owner):
                continue
            # Several articles' views beat one article's every paragraph.
            if per_article.get(owner.id, 0) >= self.params.max_per_article:
                continue
            row = rows.get(hit.id)
            if row is None:  # removed since the search
                continue
            p, a = row
            if speaker and not speaker_matches(p.speaker, speaker):
                continue
            per_article[a.id] = per_article.get(a.id, 0) + 1
            # A copy of this passage in another outlet's article is not shown again; that copy's other
            # paragraphs still may be (measured on the demo questions, capping the whole story instead
            # lost an answer: 16/22 found against 17/22).
            carried = self._also_carried(p, shown, stories)
            passages.append(AnswerPassage(
                text=p.text, title=a.title, url=a.url, source=a.source, author=a.author, published_at=a.published_at,
                score=round(hit.score, 6), similarity=round(hit.similarity, 4), article_id=a.id, passage_id=p.id,
                origin=a.origin, speaker=p.speaker, also_carried_by=carried, heading=p.heading,
            ))
            if len(passages) == k:
                break
        return passages

    @staticmethod
    def _also_carried(passage: Passage, shown: set[int], stories: _Stories) -> list[dict[str, str | None]]:
        """The other outlets carrying this passage's text: held copies of its article (whose copy of the
        passage joins `shown`), then pages with exactly the article's text, which were not stored twice."""
        carried = []
        for other, others in stories.copies(passage.article_id):
            copy = next((q for q in others if is_copy(q.text, passage.text)), None)
            if copy is not None:
                shown.add(copy.id)
                carried.append({"source": other.source, "url": other.url, "title": other.title})
        return carried + stories.carriers(passage.article_id)

    # -- boosts ----------------------------------------------------------------------------------------

    def _mentions(self, question: str, articles: int) -> Mentions:
        """The held outlets and the days `question` names; none when both boosts are off."""
        p = self.params
        if not (p.outlet_boost or p.date_boost):
            return Mentions()
        found = self._mentioned.get((question, articles))
        if found is None:
            if len(self._mentioned) > 4096:
                self._mentioned.clear()
            found = self._mentioned[question, articles] = find_mentions(question, self._matchers(articles)[0])
        return Mentions(found.outlets if p.outlet_boost else frozenset(), found.days if p.date_boost else ())

    def _matchers(self, articles: int) -> tuple[OutletMatcher, OutletMatcher, TitleIndex]:
        """Matchers of the held outlets, and of the held outlets and wire agencies; the held titles
        (rebuilt as the number of articles changes)."""
        if self._outlets is None or self._outlets[0] != articles:
            sources = [name for name, _ in self.catalog.sources()]
            held = self.catalog.titles_and_origins()
            origins = {origin for _, origin in held if origin}
            titles = TitleIndex(title for title, _ in held)
            self._outlets = (articles, OutletMatcher(sources), OutletMatcher([*sources, *origins]), titles)
        return self._outlets[1:]

    def _boost_mentions(self, question: str, hits: list[Hit], meta: Meta, articles: int) -> list[Hit]:
        """The hits re-ranked by the outlets and days the question names."""
        mentions = self._mentions(question, articles)
        if not mentions:
            return hits
        return boost_mentions(hits, meta, mentions, self.params.outlet_boost, self.params.date_boost)

    def _merge_parts(self, question: str, hits: list[Hit], parts: list[tuple[str, list[Hit]]], meta: Meta,
                     articles: int) -> list[Hit]:
        """The question's hits merged with its parts' (boosts.merge_parts); each part boosted by the
        outlets and days it names, else by those the whole question names."""
        whole = self._mentions(question, articles)
        by_id = {h.id: h for _, ph in parts for h in ph} | {h.id: h for h in hits}
        scores = []
        for text, part in parts:
            m = self._mentions(text, articles)
            m = Mentions(m.outlets or whole.outlets, m.days or whole.days)
            scores.append(mention_scores(part, meta, m, self.params.outlet_boost, self.params.date_boost))
        merged = merge_parts({h.id: h.score for h in hits}, scores, self.params.part_weight)
        ranked = sorted(merged.items(), key=itemgetter(1), reverse=True)
        # (A Hit is a tuple: id, score, similarity, dense rank, keyword rank.)
        return [Hit(i, score, (h := by_id[i])[2], h[3], h[4]) for i, score in ranked]


class _Rows(Mapping[int, tuple[Passage, Article]]):
    """Passages with their articles, read from the catalog as an answer reaches them, best first: the first
    ROWS_AHEAD of `order` at the first look (the precision stage reads that many), the next as many at each
    look past them. An answer ranks a few hundred passages and shows ten; reading them all took 1 ms of a
    15 ms answer (bench/README.md, issue 19). Only passages with an article in `owners` are read."""

    def __init__(self, catalog: Catalog, owners: Mapping[int, Article], order: Iterable[int]) -> None:
        self._catalog = catalog
        ranked = dict.fromkeys(i for i in order if i in owners)
        self._order = [*ranked, *(i for i in owners if i not in ranked)]
        self._place = {pid: n for n, pid in enumerate(self._order)}
        self._rows: dict[int, tuple[Passage, Article]] = {}
        self._read_to = 0  # order[:_read_to] has been read (misses in it are passages removed since)

    def _read(self, end: int) -> None:
        if end > self._read_to:
            self._rows.update(self._catalog.passages_with_articles(self._order[self._read_to:end]))
            self._read_to = end

    def get(self, pid: int, default: tuple[Passage, Article] | None = None) -> tuple[Passage, Article] | None:
        place = self._place.get(pid)
        if place is None:
            return default
        if place >= self._read_to:
            self._read(place + ROWS_AHEAD)
        return self._rows.get(pid, default)

    def __getitem__(self, pid: int) -> tuple[Passage, Article]:
        row = self.get(pid)
        if row is None:
            raise KeyError(pid)
        return row

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, int) and self.get(pid) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class _Stories:
    """The catalog's copies and carriers of articles, each read once: one answer asks for them per shown
    passage (up to three per article), then again to mark copies that disagree."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._copies: dict[int, list[tuple[Article, list[Passage]]]] = {}
        self._carriers: dict[int, list[dict[str, str | None]]] = {}

    def copies(self, article_id: int) -> list[tuple[Article, list[Passage]]]:
        if article_id not in self._copies:
            self._copies[article_id] = self._catalog.copies(article_id)
        return self._copies[article_id]

    def carriers(self, article_id: int) -> list[dict[str, str | None]]:
        if article_id not in self._carriers:
            self._carriers[article_id] = self._catalog.carriers(article_id)
        return self._carriers[article_id]
