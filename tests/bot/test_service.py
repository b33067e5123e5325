"""The service end to end on the hash embedder: import, ask, duplicates, remove, persistence, repair."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config import Config, EmbeddingConfig
from bot.errors import RebuildRunning
from bot.present import why_unanswered
from bot.results import Reason
from bot.service import EventService
from corpus.errors import ArticleNotFound
from index.embedder import HashEmbedder
from index.errors import ModelMismatch
from retrieval.errors import EmptyQuestion
from tests.articles import ALL, CEASEFIRE, DAM, STRIKE, write_json


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    report = service.import_file(write_json(tmp_path / "a.json", ALL))
    assert (report.added, report.failed) == (3, [])
    return service


def reopen(service: EventService, embedder=None) -> EventService:  # noqa: ANN001
    service.close()
    return EventService(service.data_dir, Config(embedding=EmbeddingConfig(model="hash")), embedder=embedder or HashEmbedder())


def test_asking_before_anything_is_held_says_how_to_add(service: EventService) -> None:
    answer = service.ask("what happened at the dam?")
    assert not answer.answered and answer.passages == []
    assert answer.reason == Reason.NO_ARTICLES and "eventbot add" in why_unanswered(answer)


def test_answer_is_the_relevant_passage_with_attribution(loaded: EventService) -> None:
    answer = loaded.ask("how many residents were evacuated from the riverside quarter", k=3)
    assert answer.answered
    top = answer.passages[0]
    assert "1,200 residents" in top.text
    assert (top.title, top.source, top.author) == (DAM["title"], "Harbour Watch", "Tomas Reyes")
    assert top.url == DAM["url"].rstrip("/")
    assert top.published_at.startswith("2026-03-04")
    assert [p.score for p in answer.passages] == sorted((p.score for p in answer.passages), reverse=True)


def test_unrelated_question_is_not_answered(loaded: EventService) -> None:
    answer = loaded.ask("best recipe for banana bread with walnuts")
    assert not answer.answered and answer.passages == []
    assert answer.reason == Reason.NOTHING_RELEVANT
    assert why_unanswered(answer) == "I found nothing about that in the 3 articles I hold."


def test_empty_and_huge_questions(loaded: EventService) -> None:
    with pytest.raises(EmptyQuestion):
        loaded.ask("   ?! ")
    huge = "What did Halvik say about prisoner exchanges on Wednesday? " * 90
    assert len(huge) > 5000
    answer = loaded.ask(huge)
    assert len(answer.question) <= 1000
    assert any("prisoner exchanges" in p.text for p in answer.passages)


def test_same_article_twice_is_stored_once(loaded: EventService, tmp_path: Path) -> None:
    same_url = {**DAM, "body": DAM["body"] + "\n\nA new last paragraph."}  # a new version: updates it
    same_text = {**STRIKE, "url": "https://mirror.example/strike?utm_source=x"}
    report = loaded.import_file(write_json(tmp_path / "b.json", [same_url, same_text]))
    assert (report.added, report.updated, report.duplicates) == (0, 1, 1)
    assert loaded.stats().articles == 3


def test_bad_records_are_reported_by_position_and_the_rest_imported(service: EventService, tmp_path: Path) -> None:
    lines = [json.dumps(DAM), "{not json", json.dumps({"title": "no body", "url": "https://x.example/a"}),
             json.dumps({**STRIKE, "published_at": "last Tuesday"}), json.dumps(CEASEFIRE), json.dumps([1, 2])]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = service.import_file(path)
    assert report.added == 2
    assert [pos for pos, _ in report.failed] == [2, 3, 4, 6]
    assert "body" in report.failed[1][1] and "ISO 8601" in report.failed[2][1]


def test_removed_article_leaves_every_index(loaded: EventService) -> None:
    article = loaded.remove(DAM["url"])
    assert article.title == DAM["title"]
    answer = loaded.ask("evacuated residents riverside quarter Verlinde", k=10)
    assert all(p.article_id != article.id for p in answer.passages)
    index = loaded.index.current()
    assert len(index) == 5 and index.consistent()
    with pytest.raises(ArticleNotFound):
        loaded.remove(str(article.id))


def test_index_survives_a_restart(loaded: EventService) -> None:
    before = loaded.ask("artillery fire near the bridge").passages
    service = reopen(loaded)
    after = service.ask("artillery fire near the bridge").passages
    assert [p.passage_id for p in after] == [p.passage_id for p in before]
    service.close()


def test_corrupt_index_file_is_rebuilt_from_the_store(loaded: EventService, caplog: pytest.LogCaptureFixture) -> None:
    folder = loaded.index.generations.current()
    loaded.close()
    (folder / "dense.faiss").write_bytes(b"not a faiss index")
    service = reopen(loaded)
    with caplog.at_level(logging.WARNING):
        answer = service.ask("night-shift pay strike at the harbour")
    assert answer.answered and "strike" in answer.passages[0].text
    assert "rebuilding" in caplog.text
    assert service.stats().indexed == 8
    service.close()


def test_passages_stored_but_not_indexed_are_indexed_on_open(loaded: EventService, tmp_path: Path) -> None:
    # As after a crash between the store's commit and the index write.
    loaded.store.add_many([loaded.ingester.prepare(__import__("corpus.importer").importer.record_to_draft(
        {"title": "Wildfire near Orrin", "url": "https://x.example/fire", "body": "A wildfire burned 40 hectares of pine forest near Orrin."}))])
    service = reopen(loaded)
    answer = service.ask("wildfire pine forest hectares")
    assert answer.answered and "wildfire" in answer.passages[0].text.lower()
    service.close()


def test_index_built_with_another_model_is_refused(loaded: EventService) -> None:
    service = reopen(loaded, embedder=HashEmbedder(dim=128))
    with pytest.raises(ModelMismatch, match="eventbot reindex"):
        service.ask("dam")
    service.reindex()
    assert service.ask("evacuated residents riverside").answered
    service.close()


def test_reindex_swaps_in_a_new_generation(loaded: EventService) -> None:
    before = loaded.index.generations.current()
    stats = loaded.reindex()
    assert stats.indexed == stats.passages == 8
    assert loaded.index.generations.current() != before and not before.exists()
    assert loaded.ask("ceasefire talks border city").answered


def test_one_rebuild_at_a_time(loaded: EventService) -> None:
    loaded.index._rebuilding.acquire()
    try:
        with pytest.raises(RebuildRunning):
            loaded.reindex()
    finally:
        loaded.index._rebuilding.release()


def test_filters_by_source_and_date(loaded: EventService) -> None:
    question = "what happened at Velmora, Kastro and Lindqvist harbour"
    only = loaded.ask(question, k=5, source="northwire")
    assert only.answered and {p.source for p in only.passages} == {"Northwire"}
    dated = loaded.ask(question, k=5, since="2026-03-11")
    assert dated.answered and {p.source for p in dated.passages} == {"Coastal Ledger"}
    none = loaded.ask(question, until="2026-01-01")
    assert not none.answered and none.reason == Reason.NO_MATCH


def test_bad_date_filter_is_a_clear_error(loaded: EventService) -> None:
    from retrieval.errors import BadFilter

    with pytest.raises(BadFilter, match="since must be a date"):
        loaded.ask("dam", since="last week")


def test_first_add_to_a_fresh_folder_indexes_each_passage_once(service: EventService) -> None:
    from corpus.importer import record_to_draft

    result = service.add_draft(record_to_draft(DAM), "dam")
    assert result.status == "added"
    assert len(service.index.current()) == 3 and service.index.current().consistent()
    top = service.ask("evacuated residents riverside quarter", k=1).passages[0]
    # best in both indexes, counted once: its cosine plus the keyword weight times 1 (linear fusion)
    assert top.score == pytest.approx(top.similarity + service.config.retrieval.keyword_weight, abs=1e-3)


def test_reindex_reports_progress_in_articles(loaded: EventService) -> None:
    seen: list[tuple[int, int]] = []
    loaded.reindex(progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3, 3) and all(t == 3 for _, t in seen)
