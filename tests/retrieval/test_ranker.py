"""The Retriever on its own: an in-memory index and a dict of articles, no store, no service."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from bot.config import IndexConfig, RetrievalConfig
from corpus.models import Article, Passage
from index.embedder import HashEmbedder, QueryCache
from index.hybrid import HybridIndex
from retrieval.answer import Reason
from retrieval.errors import BadFilter, EmptyQuestion
from retrieval.ranker import Retriever

# (outlet, published, origin, paragraphs as (text, speaker))
ARTICLES = [
    ("Harbour Watch", "2026-03-04", None, [
        ("Dam breach: 1,200 residents of the riverside quarter were evacuated overnight.", None),
        ("The dam's spillway failed after a week of rain, engineers said.", "engineers"),
        ("Residents of the riverside quarter may return next week.", None)]),
    ("Northwire", "2026-03-05", "Reuters", [
        ("Evacuated residents of the riverside quarter spent the night in the sports hall.", None),
        ("We will rebuild the dam within a year, Mayor Ilse Varga said.", "Ilse Varga (mayor)")]),
    ("Coastal Ledger", "2026-03-12", None, [
        ("Dock workers at the harbour began a strike over night-shift pay.", None)]),
]


class Catalog:
    """The held articles as a dict: what the Retriever reads from the store."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[Passage, Article]] = {}
        self.read: list[int] = []  # passages read with their text, in order
        pid = 0
        for aid, (source, day, origin, paragraphs) in enumerate(ARTICLES, 1):
            article = Article(aid, f"{source} story", f"https://{aid}.example/", source, None, day, "en", origin,
                              str(aid), day, len(paragraphs))
            for position, (text, speaker) in enumerate(paragraphs):
                pid += 1
                self.rows[pid] = (Passage(pid, aid, position, text, speaker), article)

    def article_count(self) -> int:
        return len({a.id for _, a in self.rows.values()})

    def passage_articles(self, ids: Sequence[int]) -> dict[int, Article]:
        return {i: self.rows[i][1] for i in ids if i in self.rows}

    def passages_with_articles(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Article]]:
        self.read.extend(ids)
        return {i: self.rows[i] for i in ids if i in self.rows}

    def passage_speakers(self, ids: Sequence[int]) -> dict[int, str]:
        return {i: p.speaker for i in ids if i in self.rows and (p := self.rows[i][0]).speaker}

    def sources(self) -> list[tuple[str, int]]:
        return [(s, 1) for s, *_ in ARTICLES]

    def titles_and_origins(self) -> list[tuple[str, str | None]]:
        return list({(a.title, a.origin) for _, a in self.rows.values()})

    def copies(self, article_id: int) -> list:
        return []

    def carriers(self, article_id: int) -> list:
        return []


class Refuses:
    """An encoder that must not be called."""

    default_min_similarity = 0.2
    default_unknown_terms_below = -1.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("nothing should be embedded")


@pytest.fixture
def retriever() -> Retriever:
    catalog = Catalog()
    embedder = HashEmbedder()
    index = HybridIndex(embedder, IndexConfig(), RetrievalConfig())
    ids = list(catalog.rows)
    texts = [p.text for p, _ in catalog.rows.values()]
    index.add(ids, texts, [f"{a.title} {a.source} {p.text}" for p, a in catalog.rows.values()])
    return Retriever(index, catalog, QueryCache(embedder), RetrievalConfig(top_k=3))


def tune(retriever: Retriever, **params: object) -> None:
    retriever.params = retriever.params.model_copy(update=params)


def test_one_passage_per_article_unless_allowed_more(retriever: Retriever) -> None:
    tune(retriever, max_per_article=1)
    answer = retriever.ask("evacuated residents of the riverside quarter")
    assert answer.answered and answer.reason is None
    assert len({p.article_id for p in answer.passages}) == len(answer.passages) == 2
    assert {p.source for p in answer.passages} == {"Harbour Watch", "Northwire"}
    tune(retriever, max_per_article=3)
    texts = [p.text for p in retriever.ask("evacuated residents of the riverside quarter").passages]
    assert len(texts) == 3 and any("return next week" in t for t in texts)


def test_scores_come_best_first_with_their_attribution(retriever: Retriever) -> None:
    answer = retriever.ask("mayor rebuild the dam", k=3)
    assert [p.score for p in answer.passages] == sorted((p.score for p in answer.passages), reverse=True)
    top = answer.passages[0]
    assert (top.source, top.origin, top.speaker) == ("Northwire", "Reuters", "Ilse Varga (mayor)")
    assert top.url == "https://2.example/"


def test_below_the_threshold_is_not_answered(retriever: Retriever) -> None:
    answer = retriever.ask("banana bread recipe with walnuts")
    assert (answer.answered, answer.reason, answer.articles_held) == (False, Reason.NOTHING_RELEVANT, 3)
    tune(retriever, min_similarity=-1.0)  # everything counts as relevant; far-off passages still never shown
    assert retriever.ask("dock strike pay").answered


def test_nothing_held_is_said_without_embedding_the_question() -> None:
    empty = Retriever(HybridIndex(HashEmbedder(), IndexConfig(), RetrievalConfig()), _Empty(), Refuses(),
                      RetrievalConfig())
    answer = empty.ask("what happened at the dam?")
    assert (answer.answered, answer.reason) == (False, Reason.NO_ARTICLES)


def test_filters_narrow_and_say_when_nothing_passes(retriever: Retriever) -> None:
    only = retriever.ask("residents riverside quarter", source="reuters")  # the wire origin counts
    assert {p.source for p in only.passages} == {"Northwire"}
    late = retriever.ask("residents riverside quarter", since="2026-03-10")
    assert (late.answered, late.reason, late.filters) == (False, Reason.NO_MATCH, {"since": "2026-03-10"})
    typed = retriever.ask("residents riverside quarter until:2026-03-04")
    assert {p.published_at for p in typed.passages} == {"2026-03-04"}
    with pytest.raises(BadFilter):
        retriever.ask("dam", until="soon")
    with pytest.raises(EmptyQuestion):
        retriever.ask(" ?! ")


def test_a_speaker_filter_keeps_only_their_passages(retriever: Retriever) -> None:
    answer = retriever.ask("dam", speaker="Varga")
    assert [p.speaker for p in answer.passages] == ["Ilse Varga (mayor)"]


def test_a_report_by_an_outlet_not_held_is_declined_unless_configured(retriever: Retriever) -> None:
    q = "what did the Bloomberg report say about the evacuated residents of the riverside quarter?"
    answer = retriever.ask(q)
    assert (answer.reason, answer.unheld) == (Reason.UNHELD_OUTLET, ("Bloomberg",))
    tune(retriever, abstain_unheld_outlets=False)
    assert retriever.ask(q).answered


def test_a_named_outlet_moves_its_passages_up(retriever: Retriever) -> None:
    plain = retriever.ask("evacuated residents riverside quarter")
    assert plain.passages[0].source == "Northwire"
    named = retriever.ask("evacuated residents riverside quarter, as Harbour Watch reported")
    assert named.passages[0].source == "Harbour Watch"
    tune(retriever, outlet_boost=0.0)
    unboosted = retriever.ask("evacuated residents riverside quarter, as Harbour Watch reported").passages[0]
    assert named.passages[0].score == pytest.approx(unboosted.score + RetrievalConfig().outlet_boost, abs=1e-5)


class _Empty(Catalog):
    def __init__(self) -> None:
        self.rows = {}


def test_a_word_no_held_passage_mentions_is_said_once_the_corpus_is_large_enough(retriever: Retriever) -> None:
    q = "how many residents of the riverside quarter were evacuated to tbilisi?"
    assert retriever.ask(q).answered  # 6 passages: too few for a missing word to mean anything
    tune(retriever, unknown_terms_min_passages=1)
    assert retriever.ask(q).answered  # the test embedder has no calibrated cosine for the check: off
    tune(retriever, unknown_terms_below=0.99)
    answer = retriever.ask(q)
    assert (answer.answered, answer.reason, answer.missing) == (False, Reason.UNKNOWN_TERMS, ("tbilisi",))
    tune(retriever, unknown_terms_below=-1.0)  # a close enough passage is shown whatever words it lacks
    assert retriever.ask(q).answered


def test_a_short_question_whose_specific_word_no_shown_passage_mentions_is_marked_partial(retriever: Retriever) -> None:
    answer = retriever.ask("how tall is the dam spillway?")
    assert answer.answered and answer.partial and answer.missing == ("tall",)
    assert not retriever.ask("why did the dam spillway fail?").partial


def test_an_answer_reads_the_text_of_the_passages_it_may_show_not_of_every_candidate(
        retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval import ranker

    tune(retriever, heading_penalty=0.0, cue_weight=0.0)  # no precision stage: it reads its whole window
    question = "evacuated residents of the riverside quarter"
    everything = retriever.ask(question, k=1)
    assert len(retriever.catalog.read) > 2  # every candidate, when they all fit in one read
    retriever.catalog.read.clear()
    monkeypatch.setattr(ranker, "ROWS_AHEAD", 2)
    fewer = retriever.ask(question, k=1)
    assert fewer.passages == everything.passages and len(retriever.catalog.read) == 2


def test_a_passage_removed_after_the_search_is_skipped_for_the_next(retriever: Retriever) -> None:
    question = "evacuated residents of the riverside quarter"
    before = retriever.ask(question)
    gone = before.passages[0].passage_id
    held = retriever.catalog.passages_with_articles
    retriever.catalog.passages_with_articles = lambda ids: {i: r for i, r in held(ids).items() if i != gone}
    after = retriever.ask(question)
    assert gone not in [p.passage_id for p in after.passages]
    assert [p.passage_id for p in after.passages][:2] == [p.passage_id for p in before.passages][1:3]


def test_a_question_runs_on_its_configured_threads_and_leaves_others_as_they_were(retriever: Retriever) -> None:
    """One question's embedding runs on `question_threads` threads and its dense search on one (busy shared cores stall
    wider OpenMP regions); imports and rebuilds, asked nothing of, keep their thread counts."""
    import faiss
    import torch

    seen = []

    class Counting(HashEmbedder):
        def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
            seen.append((torch.get_num_threads(), faiss.omp_get_max_threads()))
            return super().encode(texts, batch_size)

    retriever.queries = QueryCache(Counting())
    before = (torch.get_num_threads(), faiss.omp_get_max_threads())
    torch.set_num_threads(2)
    faiss.omp_set_num_threads(2)
    try:
        tune(retriever, question_threads=1)
        assert retriever.ask("evacuated residents of the riverside quarter").answered
        assert seen == [(1, 1)]
        assert (torch.get_num_threads(), faiss.omp_get_max_threads()) == (2, 2)
        tune(retriever, question_threads=0)  # 0: as the libraries are set
        retriever.ask("dock workers strike")
        assert seen[-1] == (2, 2)
    finally:
        torch.set_num_threads(before[0])
        faiss.omp_set_num_threads(before[1])


def test_auto_threads_follow_the_idle_cores_and_a_one_thread_model_runs_beside_the_keyword_search(
        retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto`: with a core idle, the question's model takes two threads in the asking thread; with the other
    core busy, one thread in a worker, while the asking thread searches by keyword. Answers are the same."""
    import faiss
    import torch

    from index import threads

    seen = []

    class Counting(HashEmbedder):
        releases_gil = True  # as a torch model does

        def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
            seen.append((torch.get_num_threads(), faiss.omp_get_max_threads(), threading.current_thread().name))
            return super().encode(texts, batch_size)

    retriever.queries = QueryCache(Counting())
    tune(retriever, question_threads="auto")
    keyword_on = []
    keyword_hits = retriever.index.keyword_hits
    retriever.index.keyword_hits = lambda *a: keyword_on.append(threading.current_thread().name) or keyword_hits(*a)
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(threads, "spare_cores", lambda: 1)  # a core idle: two threads tried first
        idle = retriever.ask("evacuated residents of the riverside quarter")
        assert seen[-1] == (2, 1, threading.current_thread().name)
        assert keyword_on[-1] == threading.current_thread().name  # after the model, in turn with the dense search
        monkeypatch.setattr(threads, "spare_cores", lambda: 0)  # the other core busy
        busy = retriever.ask("residents of the riverside quarter spent the night")
        assert seen[-1][:2] == (1, 1) and seen[-1][2].startswith("embed-question")
        assert keyword_on[-1] == threading.current_thread().name  # beside the model
        assert idle.answered and busy.answered
        again = retriever.ask("evacuated residents of the riverside quarter")  # cached: no model to wait for
        assert len(seen) == 2 and again.passages == idle.passages
        assert keyword_on[-1].startswith("embed-question")  # no model ran: beside the dense search
        Counting.releases_gil = False  # a model holding the interpreter lock gains nothing beside Python work
        retriever.ask("dock workers strike")
        assert seen[-1] == (1, 1, threading.current_thread().name)
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two cores to hold threads apart")
def test_with_a_core_idle_the_model_never_shares_the_asking_thread_s_core(retriever: Retriever,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After a pause the kernel often woke the model's thread on the asking thread's own core, and the two
    took turns on it (a 2-thread model call 30-60 ms instead of 8). With a core idle, the asking thread is
    held on its core and the model kept off it; on a busy machine nothing is held; afterwards each thread
    may run anywhere again."""
    from index import threads

    model_on = []

    class Gil(HashEmbedder):
        releases_gil = True

        def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
            model_on.append((threading.current_thread().name, os.sched_getaffinity(0)))
            return super().encode(texts, batch_size)

    retriever.queries = QueryCache(Gil())
    tune(retriever, question_threads="auto")
    asker_on = []
    keyword_hits = retriever.index.keyword_hits
    retriever.index.keyword_hits = lambda *a: asker_on.append(os.sched_getaffinity(0)) or keyword_hits(*a)
    allowed = os.sched_getaffinity(0)

    def choose(threads_: int, idle: bool) -> None:
        monkeypatch.setattr(retriever._threads, "choose", lambda *a, **kw: threads.Choice(threads_, False, idle))

    choose(1, idle=True)  # the model in a worker, beside the keyword search in the asking thread
    assert retriever.ask("evacuated residents of the riverside quarter").answered
    worker, worker_cores = model_on[-1]
    assert worker.startswith("embed-question") and len(asker_on[-1]) == 1 and not worker_cores & asker_on[-1]
    assert os.sched_getaffinity(0) == allowed
    choose(2, idle=True)  # the model on two threads, in the asking thread, held on its core
    retriever.ask("residents of the riverside quarter spent the night")
    assert model_on[-1][0] == threading.current_thread().name and len(model_on[-1][1]) == 1
    assert os.sched_getaffinity(0) == allowed
    choose(1, idle=False)  # no core idle: nothing held, and the worker let go after its last question
    retriever.ask("dock workers strike over night shift pay")
    assert model_on[-1][1] == allowed and asker_on[-1] == allowed


def test_a_repeated_question_leaves_the_thread_count_choice_alone(retriever: Retriever,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto` learns which thread count runs the model faster; a cached question runs no model, so its time
    (a third of a fresh one's) would only make whichever count it got look fast."""
    from index import threads

    class Gil(HashEmbedder):
        releases_gil = True

    retriever.queries = QueryCache(Gil())
    tune(retriever, question_threads="auto")
    monkeypatch.setattr(threads, "spare_cores", lambda: 1)
    choice = retriever._threads
    retriever.ask("evacuated residents of the riverside quarter")
    recorded = {n: len(t) for n, t in choice._times.items()}
    assert sum(recorded.values()) == 1
    for _ in range(5):
        retriever.ask("evacuated residents of the riverside quarter")
    assert {n: len(t) for n, t in choice._times.items()} == recorded


def test_a_model_failure_in_the_worker_reaches_the_asker(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import threads

    class Broken(HashEmbedder):
        releases_gil = True

        def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
            raise RuntimeError("model file unreadable")

    retriever.queries = QueryCache(Broken())
    monkeypatch.setattr(threads, "spare_cores", lambda: 0)
    with pytest.raises(RuntimeError, match="model file unreadable"):
        retriever.ask("evacuated residents of the riverside quarter")


def test_a_what_did_x_say_question_boosts_their_passages_without_reading_every_candidate_s_text(
        retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval import ranker

    tune(retriever, heading_penalty=0.0, cue_weight=0.0)  # no precision stage: it reads its whole window
    monkeypatch.setattr(ranker, "ROWS_AHEAD", 1)
    assert retriever.ask("what about the dam?", k=1).passages[0].speaker == "Ilse Varga (mayor)"
    retriever.catalog.read.clear()
    answer = retriever.ask("what did the engineers say about the dam?", k=1)
    assert [p.speaker for p in answer.passages] == ["engineers"]  # boosted past the mayor
    assert len(retriever.catalog.read) == 1  # the passage shown, not every candidate's text
