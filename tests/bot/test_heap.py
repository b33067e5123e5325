"""Full garbage collections off the question path: what loading and importing made is collected then, and
frozen, so that no collection inside a question walks it."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from bot import heap
from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from index.embedder import HashEmbedder
from tests.articles import ALL, write_json


@pytest.fixture(autouse=True)
def _unfrozen():  # noqa: ANN202
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_settle_collects_garbage_cycles_and_freezes_what_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_last_full", None)
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    kept = [[i] for i in range(50_000)]  # a loaded index's many small objects
    heap.settle()
    assert gone() is None
    assert gc.get_freeze_count() > len(kept)
    assert len(gc.get_objects()) < len(kept)  # what a later full collection walks


def test_a_frozen_cycle_waits_for_the_next_full_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(heap.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(heap, "_last_full", None)
    heap.settle()
    frozen = Node()
    frozen.other = frozen
    frozen_ref = weakref.ref(frozen)
    heap.settle()  # soon after a full one: walks only what is new, and freezes it
    del frozen
    gc.collect()
    assert frozen_ref() is not None
    clock[0] += heap.FULL_EVERY / 2
    young = Node()
    young.other = young
    young_ref = weakref.ref(young)
    del young
    heap.settle()  # a cycle made and dropped since the last freeze: collected, though this is no full settle
    assert young_ref() is None and frozen_ref() is not None
    clock[0] += heap.FULL_EVERY
    heap.settle()
    assert frozen_ref() is None


def test_an_import_opening_the_index_and_a_rebuild_each_leave_the_heap_settled(service: EventService,
                                                                              tmp_path: Path) -> None:
    gc.unfreeze()
    assert service.import_file(write_json(tmp_path / "a.json", ALL)).added == 3
    assert gc.get_freeze_count() > 0
    service.close()
    gc.unfreeze()
    reopened = EventService(service.data_dir, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())
    try:
        assert gc.get_freeze_count() == 0
        reopened.ask("what happened at the dam?")  # opens the index
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        reopened.reindex()
        assert gc.get_freeze_count() > 0
    finally:
        reopened.close()
