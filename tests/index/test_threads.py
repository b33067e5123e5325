"""How many threads a question gets: `auto` takes a second core only when one is idle as it arrives."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import pytest

from index import threads


@pytest.fixture
def loadavg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Point the runnable-thread count at a file the test writes, on a 2-core affinity."""
    path = tmp_path / "loadavg"
    monkeypatch.setattr(threads, "LOADAVG", str(path))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})

    def runnable(n: int) -> None:
        path.write_text(f"0.52 0.31 0.20 {n}/412 31337\n", encoding="ascii")

    return runnable


def test_auto_takes_the_second_core_only_when_nothing_else_runs(loadavg) -> None:  # noqa: ANN001
    loadavg(1)  # the asking thread alone
    assert threads.threads_for("auto") == 2
    loadavg(2)  # another program (or an import in this one) holds the other core
    assert threads.threads_for("auto") == 1
    loadavg(7)
    assert threads.threads_for("auto") == 1


def test_a_number_is_kept_and_an_unreadable_count_means_one_thread(loadavg, tmp_path: Path,  # noqa: ANN001
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    loadavg(1)
    assert [threads.threads_for(n) for n in (0, 1, 3)] == [0, 1, 3]
    monkeypatch.setattr(threads, "LOADAVG", str(tmp_path / "missing"))
    assert threads.threads_for("auto") == 1
    (tmp_path / "garbled").write_text("no numbers here\n", encoding="ascii")
    monkeypatch.setattr(threads, "LOADAVG", str(tmp_path / "garbled"))
    assert threads.threads_for("auto") == 1


def test_auto_warms_every_count_it_may_choose() -> None:
    assert threads.warm_up_counts("auto") == [1, 2]
    assert threads.warm_up_counts(1) == [1]


def test_faiss_runs_one_thread_for_a_question_and_is_restored() -> None:
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        with threads.question_threads(2):
            assert faiss.omp_get_max_threads() == 1
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)
