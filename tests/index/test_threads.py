"""How many threads a question gets: `auto` takes a second core only when one is idle as it arrives."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import faiss
import pytest

from index import threads


@pytest.fixture
def loadavg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Point the runnable-thread count at a file the test writes, on a 2-core affinity."""
    path = tmp_path / "loadavg"
    monkeypatch.setattr(threads, "LOADAVG", str(path))
    monkeypatch.setattr(threads, "TASKS", str(tmp_path / "task"))  # none of this process's threads running
    (tmp_path / "task").mkdir()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})

    def runnable(n: int) -> None:
        path.write_text(f"0.52 0.31 0.20 {n}/412 31337\n", encoding="ascii")

    return runnable


def test_a_core_counts_as_spare_only_when_nothing_else_runs(loadavg, tmp_path: Path,  # noqa: ANN001
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    loadavg(1)  # the asking thread alone
    assert threads.spare_cores() == 1
    loadavg(2)  # another program (or an import in this one) holds the other core
    assert threads.spare_cores() == 0
    loadavg(7)
    assert threads.spare_cores() == 0
    monkeypatch.setattr(threads, "LOADAVG", str(tmp_path / "missing"))
    assert threads.spare_cores() == 0
    (tmp_path / "garbled").write_text("no numbers here\n", encoding="ascii")
    monkeypatch.setattr(threads, "LOADAVG", str(tmp_path / "garbled"))
    assert threads.spare_cores() == 0


def test_a_thread_running_for_a_moment_is_no_busy_core(loadavg, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """One read of /proc/loadavg saw a core busy for 13-20 % of questions on an idle VM: a thread that ran
    for a moment. A core counts as busy only when every look, a moment apart, finds it so."""
    loadavg(2)
    monkeypatch.setattr(threads.time, "sleep", lambda seconds: loadavg(1))  # gone by the next look
    assert threads.spare_cores() == 1
    loadavg(2)
    monkeypatch.setattr(threads.time, "sleep", lambda seconds: None)  # still there: a busy core
    assert threads.spare_cores() == 0


def test_auto_takes_one_thread_when_busy_and_else_the_way_that_answered_faster(loadavg) -> None:  # noqa: ANN001
    choice = threads.ThreadChoice()
    assert choice.choose(1) == (1, False, False) and choice.choose(0) == (0, False, False)  # kept, not learnt
    loadavg(2)
    assert choice.choose("auto") == (1, False, False)  # no core idle: one thread, nothing learnt
    loadavg(1)
    tried = []
    for _ in range(2 * threads.ThreadChoice.TRIES):  # each way a few times first
        n, timed, learnt = choice.choose("auto")
        assert timed and learnt
        tried.append(n)
        choice.record(n, 0.010 if n == 2 else 0.011)
    assert tried == [2, 1] * threads.ThreadChoice.TRIES  # in turns: a quiet or busy spell falls on both
    explore = threads.ThreadChoice.EXPLORE

    def run(questions: int, two: float, one: float) -> list[int]:
        picks = []
        for _ in range(questions):
            n = choice.choose("auto").threads
            picks.append(n)
            choice.record(n, two if n == 2 else one)
        return picks

    picks = run(3 * explore, 0.010, 0.011)
    assert picks.count(1) == 3 and picks.count(2) == len(picks) - 3  # the slower way, tried now and then
    run(12 * explore, 0.030, 0.020)  # the index grows: one thread beside BM25 wins
    assert choice.medians()[1] < choice.medians()[2]
    later = run(explore, 0.030, 0.020)
    assert later.count(1) == explore - 1


def test_the_slower_way_is_tried_on_short_questions_only(loadavg) -> None:  # noqa: ANN001
    """A try of the slower way costs in proportion to the question's length: on long questions those tries
    were among the slowest answers. So the ways are tried on questions no longer than the recent median; a
    longer one takes two threads while the tries go on (untimed), then the faster way."""
    loadavg(1)
    choice = threads.ThreadChoice()

    def run(questions: int, two: float, one: float) -> list[tuple[int, threads.Choice]]:
        picks = []
        for n in range(questions):
            chars = 100 if n % 2 else 400  # short and long questions in turns
            pick = choice.choose("auto", chars)
            assert pick.learnt
            picks.append((chars, pick))
            if pick.record:
                choice.record(pick.threads, (two if pick.threads == 2 else one) * (chars + 250) / 250, chars)
        return picks

    picks = run(8 * threads.ThreadChoice.EXPLORE, 0.020, 0.030)
    long, short = [p for c, p in picks[1:] if c == 400], [p for c, p in picks if c == 100]
    tries = 2 * threads.ThreadChoice.TRIES
    assert [p.threads for p in short[:tries]] == [1, 2] * threads.ThreadChoice.TRIES  # (the first, 400, took 2)
    assert all(p.threads == 2 for p in long)  # never the slower way
    assert not any(p.record for p in long[:threads.ThreadChoice.TRIES])  # while the tries go on: untimed
    later = [p.threads for p in short[tries:]]
    assert 1 <= later.count(1) <= len(picks) // threads.ThreadChoice.EXPLORE  # the slower way, now and then
    # One thread turns faster (a bigger index): short questions find it out, then long ones take it too.
    run(8 * threads.ThreadChoice.EXPLORE, 0.030, 0.020)
    assert choice.choose("auto", 400) == (1, True, True)


def test_long_questions_on_one_way_do_not_make_it_look_slower(loadavg) -> None:  # noqa: ANN001
    """A question's time grows with its length: times are compared per length, so two threads, given the
    long questions of the first tries, still win (12 ms for 600 characters against 10 ms for 100)."""
    loadavg(1)
    choice = threads.ThreadChoice()
    for _ in range(2 * threads.ThreadChoice.TRIES):
        n = choice.choose("auto")[0]
        choice.record(n, *((0.012, 600) if n == 2 else (0.010, 100)))
    assert [choice.choose("auto")[0] for _ in range(5)] == [2] * 5


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


def test_one_slow_first_question_does_not_decide_for_good(loadavg) -> None:  # noqa: ANN001
    """The first question runs with cold caches (187 ms against ~17 after, measured): one such time must
    not keep `auto` off the faster way."""
    loadavg(1)
    choice = threads.ThreadChoice()
    two = iter([0.187] + [0.017] * (threads.ThreadChoice.TRIES - 1))
    for _ in range(2 * threads.ThreadChoice.TRIES):
        n = choice.choose("auto")[0]
        choice.record(n, next(two) if n == 2 else 0.020)
    assert [choice.choose("auto")[0] for _ in range(5)] == [2] * 5


def test_an_unlucky_start_is_undone(loadavg) -> None:  # noqa: ANN001
    """Two threads looked slower in their first tries (long questions, a busy spell), but are faster: the
    slower way's later tries bring them back within a few hundred questions (an unlucky start is rare: the
    ways take turns for eight tries each)."""
    loadavg(1)
    choice = threads.ThreadChoice()
    for _ in range(2 * threads.ThreadChoice.TRIES):
        n = choice.choose("auto")[0]
        choice.record(n, 0.030 if n == 2 else 0.020)
    picks = []
    for _ in range(12 * threads.ThreadChoice.EXPLORE):
        n = choice.choose("auto")[0]
        picks.append(n)
        choice.record(n, 0.015 if n == 2 else 0.020)
    assert picks[-threads.ThreadChoice.EXPLORE:].count(2) == threads.ThreadChoice.EXPLORE - 1


def test_this_process_s_own_spinning_openmp_workers_do_not_make_the_machine_look_busy(
        loadavg, tmp_path: Path) -> None:  # noqa: ANN001
    """After a two-thread question torch's OpenMP worker spins a few ms, ready for the next region: it is
    counted runnable, but the next question uses it rather than competes with it. A Python thread of this
    process running (another question, an import) does compete."""
    tasks = tmp_path / "task"

    def thread(tid: int, state: str) -> None:
        (tasks / str(tid)).mkdir()
        (tasks / str(tid) / "stat").write_text(f"{tid} (python3 (w)) {state} 1 2 3\n", encoding="ascii")

    loadavg(2)
    thread(999_001, "S")
    assert threads.spare_cores() == 0  # someone else runs
    thread(999_002, "R")  # an OpenMP worker of ours
    assert threads.own_workers_running() == 1
    assert threads.spare_cores() == 1
    python_thread = threading.get_native_id()  # a Python thread of ours running competes
    thread(python_thread, "R")
    assert threads.own_workers_running() == 1
    loadavg(3)
    assert threads.spare_cores() == 0


def test_own_spinning_workers_are_seen_at_the_first_look_with_no_wait(loadavg, tmp_path: Path,  # noqa: ANN001
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Back-to-back questions find the last one's worker still spinning: five looks 0.4 ms apart, before its
    threads were read, cost such a question 1.6 ms (~40 % of questions in bench/query.py)."""
    naps = []
    monkeypatch.setattr(threads.time, "sleep", naps.append)
    (tmp_path / "task" / "999003").mkdir()
    (tmp_path / "task" / "999003" / "stat").write_text("999003 (python3) R 1 2 3\n", encoding="ascii")
    loadavg(2)  # the caller and our own spinning worker
    assert threads.spare_cores() == 1 and naps == []
    loadavg(3)  # and someone else: every look is made
    assert threads.spare_cores() == 0 and len(naps) == threads.LOOKS - 1


def test_a_torch_still_being_imported_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model loads in a background thread: a question asked meanwhile on a busy machine found torch in
    sys.modules half imported (no set_num_threads yet), and failed."""
    import sys
    import types

    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    with threads.question_threads(1):
        pass


@pytest.fixture
def cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Two cores, the asking thread (0) on core 1, and the affinity of each thread id as a dict the test reads."""
    masks = {0: {0, 1}, 111: {0, 1}, 112: {0, 1}}
    tasks = tmp_path / "task"
    tasks.mkdir()
    for tid in ("111", "112", str(threading.get_native_id())):  # two native threads, and this Python one
        (tasks / tid).mkdir()
    monkeypatch.setattr(threads, "TASKS", str(tasks))
    monkeypatch.setattr(threads, "_current_cpu", lambda: 1)

    def get(tid: int) -> set[int]:
        if tid not in masks:
            raise ProcessLookupError(tid)
        return set(masks[tid])

    def put(tid: int, mask: set[int]) -> None:
        if tid not in masks:
            raise ProcessLookupError(tid)
        masks[tid] = set(mask)

    monkeypatch.setattr(os, "sched_getaffinity", get)
    monkeypatch.setattr(os, "sched_setaffinity", put)
    return masks, tasks


def test_pinned_holds_the_asker_on_its_core_and_torch_s_workers_off_it_then_lets_all_go(cores) -> None:  # noqa: ANN001
    masks, tasks = cores
    with threads.pinned() as held:
        assert held == threads.Held(1, frozenset({0, 1}))
        assert masks == {0: {1}, 111: {0}, 112: {0}}
        (tasks / "113").mkdir()  # a thread started meanwhile inherits the held core
        masks[113] = {1}
    assert masks == {0: {0, 1}, 111: {0, 1}, 112: {0, 1}, 113: {0, 1}}
    with threads.pinned(native=False):  # the one-thread way: its model runs in a Python worker, which keeps off
        assert masks[0] == {1} and masks[111] == {0, 1}
        with threads.keep_off(threads.Held(1, frozenset({0, 1}))):
            assert masks[0] == {0}
        assert masks[0] == {0, 1}  # let go (the test's one thread plays both parts)


def test_pinned_survives_a_thread_that_ends_and_pins_nothing_on_one_core(cores, tmp_path: Path,  # noqa: ANN001
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    masks, tasks = cores
    (tasks / "114").mkdir()  # listed, but ended before it could be moved
    with threads.pinned() as held:
        assert held is not None and masks[111] == {0}
    assert masks[111] == {0, 1} and 114 not in masks
    masks[0] = {1}  # a container with one core
    with threads.pinned() as held, threads.keep_off(held):
        assert held is None and masks == {0: {1}, 111: {0, 1}, 112: {0, 1}}
    monkeypatch.setattr(threads, "_current_cpu", lambda: -1)  # no sched_getcpu (not glibc)
    masks[0] = {0, 1}
    with threads.pinned() as held:
        assert held is None and masks[0] == {0, 1}


def test_a_second_question_at_once_pins_nothing(cores) -> None:  # noqa: ANN001
    """Two questions pinning at once would each restore what the other had set, leaving workers held."""
    masks, _ = cores
    with threads.pinned() as first, threads.pinned() as second:
        assert first is not None and second is None and masks[111] == {0}
    assert masks == {0: {0, 1}, 111: {0, 1}, 112: {0, 1}}
    with threads.pinned() as again:
        assert again is not None


def test_a_machine_that_refuses_to_pin_answers_all_the_same(cores, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    def refuse(tid: int, mask: set[int]) -> None:
        raise PermissionError("sched_setaffinity: operation not permitted")

    monkeypatch.setattr(os, "sched_setaffinity", refuse)
    with threads.pinned() as held, threads.keep_off(threads.Held(1, frozenset({0, 1}))):
        assert held is None
    with threads.pinned() as held:  # and the next question may try again
        assert held is None
    monkeypatch.delattr(os, "sched_setaffinity")  # not Linux
    with threads.pinned() as held:
        assert held is None
