"""The benchmarks' count of thread choices: what each question got, and whether `auto` learnt it."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package

from bench import perf  # noqa: E402
from index import threads  # noqa: E402


def test_each_question_s_threads_are_counted_and_the_choice_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    choice = threads.ThreadChoice()
    service = SimpleNamespace(retriever=SimpleNamespace(_threads=choice))
    idle = iter([1, 0])
    monkeypatch.setattr(threads, "spare_cores", lambda: next(idle))
    with perf.thread_choices(service) as chosen:
        assert choice.choose("auto", 120) == (2, True, True)  # a core idle: the first try, two threads
        assert choice.choose("auto", 80).threads == 1  # no core idle
        assert choice.choose(2).threads == 2  # a number
    assert chosen == [(2, True), (1, False), (2, False)]
    monkeypatch.setattr(threads, "spare_cores", lambda: 1)
    choice.choose("auto", 100)
    assert len(chosen) == 3  # no longer counted
