"""Questions, adds and a rebuild at once, from asyncio tasks and worker threads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from tests.bot.crash_driver import PacedEmbedder, article


@pytest.mark.asyncio
async def test_50_questions_during_adds_and_a_rebuild(tmp_path: Path) -> None:
    service = EventService(tmp_path / "data", Config(embedding=EmbeddingConfig(model="hash")), embedder=PacedEmbedder())
    for n in range(30):
        service.add_draft(article(n))

    during_rebuild = []

    async def ask(n: int) -> None:
        await asyncio.sleep(0.01 * n)
        during_rebuild.append(service.rebuilding)
        answer = await asyncio.to_thread(service.ask, article(n % 30).title, 1)
        assert answer.answered and answer.passages[0].url == article(n % 30).url

    async def add(n: int) -> str:
        return (await asyncio.to_thread(service.add_draft, article(n))).status

    rebuild = asyncio.create_task(asyncio.to_thread(service.reindex))
    results = await asyncio.gather(*(ask(n) for n in range(50)), *(add(n) for n in range(30, 40)), rebuild)
    assert results[50:60] == ["added"] * 10
    assert rebuild.result().articles >= 30
    assert sum(during_rebuild) >= 10  # they really ran while the rebuild did

    for n in range(40):  # every add, including those made during the rebuild, is answerable
        assert service.ask(article(n).title, 1).passages[0].url == article(n).url
    index = service.index.current()
    assert index.ids() == set(service.store.passage_ids()) and index.consistent()
    service.close()
