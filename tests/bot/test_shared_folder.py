"""Two services on one data folder, in one process (each with its own store connection and file locks,
as two processes have): the protocol of bot/live_index.py step by step. The processes themselves are in
test_processes.py."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from bot.config import Config, EmbeddingConfig
from bot.live_index import LiveIndex
from bot.service import EventService
from index.embedder import HashEmbedder
from index.hybrid import HybridIndex
from tests.bot.process_driver import article, question


def open_service(data: Path, dim: int = 64) -> EventService:
    return EventService(data, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder(dim=dim))


def answers(service: EventService, n: int) -> bool:
    answer = service.ask(question(n), k=1)
    return answer.answered and answer.passages[0].title == article(n).title


def published(service: EventService) -> set[int]:
    folder = service.index.generations.current()
    return HybridIndex.load(folder, service.embedder, service.config.index, service.config.retrieval).ids()


@pytest.fixture
def pair(tmp_path: Path):  # noqa: ANN201
    bot, cli = open_service(tmp_path / "data"), open_service(tmp_path / "data")
    for n in range(30):
        bot.add_draft(article(n))
    bot.flush()
    yield bot, cli
    cli.close()
    bot.close()


def test_a_save_takes_in_a_newer_generation_first(pair: tuple[EventService, EventService]) -> None:
    bot, cli = pair
    assert answers(bot, 0)  # the bot's index is open
    for n in range(100, 110):
        cli.add_draft(article(n))
    cli.flush()  # another process's generation, with articles 100-109
    bot.add_draft(article(200))  # one of the bot's own, not saved yet
    bot.flush()
    assert published(bot) == set(bot.store.passage_ids())
    assert answers(bot, 105) and answers(bot, 200)


def test_refresh_embeds_a_few_passages_stored_elsewhere_at_once(pair: tuple[EventService, EventService]) -> None:
    bot, cli = pair
    assert answers(bot, 0)
    cli.add_draft(article(100))  # stored, not published (below the save cadence)
    cli.remove(str(cli.find(article(3).url).id))
    assert not answers(bot, 100)
    bot.index.refresh()
    assert answers(bot, 100) and not answers(bot, 3)


def test_a_bulk_import_at_work_is_waited_for(pair: tuple[EventService, EventService],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bot, cli = pair
    assert answers(bot, 0)
    monkeypatch.setattr(LiveIndex, "EMBED_AT_ONCE", 2)
    monkeypatch.setattr(LiveIndex, "QUIET_SECONDS", 0.3)
    cli.add_draft(article(100))
    bot.index.refresh()
    assert not answers(bot, 100)  # more than EMBED_AT_ONCE passages, and the store busy a moment ago
    time.sleep(0.35)
    bot.index.refresh()  # quiet since: the writer is gone or done, its passages are embedded here
    assert answers(bot, 100)


def test_an_index_rebuilt_with_another_model_is_never_written_over(
        pair: tuple[EventService, EventService], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bot, cli = pair
    assert answers(bot, 0)
    other = open_service(tmp_path / "data", dim=128)
    try:
        other.reindex()
        rebuilt = other.index.generations.current()
    finally:
        other.close()
    with caplog.at_level(logging.ERROR):
        bot.index.refresh()
    assert "rebuilt the index with another model" in caplog.text
    bot.add_draft(article(300))
    bot.flush()
    assert bot.index.generations.current() == rebuilt and answers(bot, 300)  # still answering from memory
