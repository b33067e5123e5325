"""How many threads one question's work uses: its embedding (torch) and its dense search (FAISS).

Each library runs its own OpenMP pool (torch and faiss-cpu ship separate copies of libgomp), and a
parallel region ends only when its slowest thread does. On a 2-core machine where a core is busy (an
import, a feed poll, another program), every region of a two-thread question waits for a descheduled
thread: ask p50 grew from 22 ms to 150-240 ms (bench/README.md, issue 19). With both cores idle, two
threads cut the question's embedding by a third. So `auto` looks, as each question arrives, for a core
with nothing to run. OpenMP thread counts are per calling thread, so setting them here leaves imports and
rebuilds, which run in other threads with large batches, on every core."""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

import faiss

AUTO = "auto"
LOADAVG = "/proc/loadavg"
TASKS = "/proc/self/task"
LOOKS, LOOK_GAP = 5, 0.0004
"""Reads of /proc/loadavg (~11 us each), LOOK_GAP seconds apart, before a core counts as busy: a single
read found one busy for 13-20 % of questions on an idle VM (a thread running for a moment), three reads
0.2 ms apart 10-13 of 300, these five 2-5 of 300; with `while True: pass` on the other core, 300 of 300."""
AUTO_MOST = 2
"""Threads `auto` gives one question at most: two cut an int8 question's embedding from 12.0 to 7.4-8.3 ms
on an emulated AVX2 core pair (bench/README.md, issue 19); more were not measured. A busy core stalls every
parallel region of a wider question (see above), so `auto` takes a second only when one is idle."""


def spare_cores() -> int:
    """Cores with nothing to run right now besides the calling thread: the usable cores less the threads
    the kernel has runnable (/proc/loadavg counts the caller among them), not counting this process's
    OpenMP workers (`own_workers_running`). 0 when it cannot be told. In a container /proc/loadavg may
    count the whole host's threads, which errs towards fewer."""
    try:
        cores = len(os.sched_getaffinity(0))
        spare = 0
        for look in range(LOOKS):  # the most seen: a thread that ran for a moment is no busy core
            if look:
                time.sleep(LOOK_GAP)
            with open(LOADAVG, encoding="ascii") as f:
                others = int(f.read().split()[3].split("/")[0]) - 1
            if others >= 1 and cores - 1 - others < 1:  # only then worth reading this process's threads
                # Read at each look, not once: a worker spinning at the first has stopped by a later one.
                others -= own_workers_running()
            spare = max(spare, cores - 1 - others)
            if spare >= 1:
                break
    except (OSError, ValueError, IndexError, AttributeError):
        return 0
    return spare


def own_workers_running() -> int:
    """This process's running threads that are not Python threads: torch's and FAISS's OpenMP workers,
    which spin a few ms after a parallel region, ready for the next (they serve the next question rather
    than compete with it: they made a quarter of back-to-back questions look like a busy machine). A
    Python thread running (another question, an import) is not counted: it competes."""
    running = 0
    try:
        tasks = os.listdir(TASKS)
    except OSError:
        return 0
    for tid in native_threads(tasks):
        try:
            with open(f"{TASKS}/{tid}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:  # ended meanwhile
            continue
        name_end = stat.rfind(")")  # the state follows the thread's name, which may hold ") "
        if stat[name_end + 2:name_end + 3] == "R":
            running += 1
    return running


def native_threads(tasks: list[str] | set[str]) -> list[int]:
    """The ids among `tasks` (names in /proc/self/task) of this process's threads that are not Python threads:
    torch's and FAISS's OpenMP workers, the tokenizer's."""
    python = {t.native_id for t in threading.enumerate()}
    return [int(tid) for tid in tasks if tid.isdigit() and int(tid) not in python]


class Choice(NamedTuple):
    """What `ThreadChoice.choose` gave a question."""

    threads: int
    record: bool  # its time is to be `record`ed
    learnt: bool  # chosen by what was learnt (a core was idle), not by the setting or a busy machine


class ThreadChoice:
    """`question_threads: auto`, learnt per retriever. With no core idle as a question arrives, one thread.
    With one idle, the faster lately of two ways: the model on two threads, or on one beside the keyword
    search (retrieval.ranker). Which wins depends on the CPU and the index: two threads on an AVX2 core pair
    at 100k passages, one at 1M natively, where BM25 takes ~10 ms (23.8 against 26.2 ms p50;
    bench/README.md, issue 19).

    Each way is judged by the median of its last WINDOW times (a median: the first question, with cold
    caches, took 10x the next), scaled by the question's length, which drives the model's. The ways take
    turns for their first TRIES each, so a quiet or busy spell of the host falls on both; then the slower is
    tried again after EXPLORE questions, so a change (a bigger index, a busier host) is followed, and an
    unlucky start is undone. Tries are made on short questions only (no longer than the median of the
    LENGTHS before; a longer one takes two threads while the tries go on, untimed): a try of the slower way
    costs in proportion to the question's length, and on long questions those tries were among the slowest
    answers (in one process, the two policies in turns: p95 24.9-28.4 against 24.9-29.6 ms; bench/README.md).
    """

    TRIES = 8  # three each, one way after the other, unscaled, once locked 221 of 300 questions on the slower way
    EXPLORE = 64  # the slower way's questions are the slowest answers: the 1/16 first tried showed in p95
    WINDOW = 15
    LENGTHS = 64
    SIZE_OFFSET = 250
    """A question's time grows with its length (the model) from a floor (the rest of an answer, about as long
    as the model takes for 250 characters on two AVX2 threads): a time is divided by (chars + this)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[int, deque[float]] = {n: deque(maxlen=self.WINDOW) for n in (1, AUTO_MOST)}
        self._lengths: deque[int] = deque(maxlen=self.LENGTHS)
        self._idle = 0  # questions that found a core idle since the slower way's last try

    def choose(self, setting: int | str, chars: int = 0) -> Choice:
        """The threads a question of `chars` characters gets now, and whether its time is to be `record`ed."""
        if setting != AUTO:
            return Choice(int(setting), False, False)
        if spare_cores() < 1:
            return Choice(1, False, False)
        with self._lock:
            short = not self._lengths or chars <= statistics.median(self._lengths)
            self._lengths.append(chars)
            untried = [n for n in (AUTO_MOST, 1) if len(self._times[n]) < self.TRIES]
            if untried:  # in turns, on short questions: the way tried less so far, two threads first
                if not short:
                    return Choice(AUTO_MOST, False, True)
                return Choice(min(untried, key=lambda n: len(self._times[n])), True, True)
            self._idle += 1
            best = min(self._times, key=lambda n: statistics.median(self._times[n]))
            other = 1 if best == AUTO_MOST else AUTO_MOST
            if self._idle >= self.EXPLORE and short:  # the slower way again, on a short question
                self._idle = 0
                return Choice(other, True, True)
            return Choice(best, True, True)

    def record(self, threads: int, seconds: float, chars: int = 0) -> None:
        """How long a question `choose` asked to record took on `threads` threads, and its length: the time
        is kept per (chars + SIZE_OFFSET), so that a run of long questions on one way does not decide."""
        with self._lock:
            self._times[threads].append(seconds * self.SIZE_OFFSET / (chars + self.SIZE_OFFSET))

    def medians(self) -> dict[int, float]:
        """The median recent time per thread count (seconds, scaled to a question of no length), for those
        tried."""
        with self._lock:
            return {n: statistics.median(t) for n, t in self._times.items() if t}


def warm_up_counts(setting: int | str) -> list[int]:
    """The thread counts a question may run on under `setting` (a model's kernels are compiled per count)."""
    return list(range(1, AUTO_MOST + 1)) if setting == AUTO else [int(setting)]


@contextlib.contextmanager
def question_threads(threads: int, pin: bool = False) -> Iterator[Held | None]:
    """Run the block's torch work on at most `threads` threads and its FAISS work on one (0: leave both as
    they are); with `pin` (a core is idle), keep the calling thread on its core and torch's workers off it
    (`pinned`), and yield that core (else None). FAISS can split one question's IVF scan across threads
    (index.dense), but its OpenMP threads, spinning after a region, take the core torch's second thread needs:
    at 100k, 17.1 against 15.4 ms p50 natively; at 1M two FAISS threads helped (28.1 against 31.8) but a
    one-thread model beside BM25 did better still (26.1; bench/README.md, issue 19)."""
    if threads <= 0:
        yield None
        return
    torch = sys.modules.get("torch")  # not imported by the test embedder: nothing to set
    if torch is not None and not hasattr(torch, "set_num_threads"):  # still being imported by the model loader
        torch = None
    before_torch = torch.get_num_threads() if torch is not None else 0
    before_faiss = faiss.omp_get_max_threads()
    if torch is not None and before_torch != threads:
        torch.set_num_threads(threads)
    if before_faiss != 1:
        faiss.omp_set_num_threads(1)
    try:
        with pinned(native=threads > 1) if pin else contextlib.nullcontext() as held:
            yield held
    finally:
        if torch is not None and before_torch != threads:
            torch.set_num_threads(before_torch)
        if before_faiss != 1:
            faiss.omp_set_num_threads(before_faiss)


class Held(NamedTuple):
    """The core `pinned` holds a thread on, and the cores the process's threads may use otherwise."""

    cpu: int
    allowed: frozenset[int]


@contextlib.contextmanager
def pinned(native: bool = True) -> Iterator[Held | None]:
    """For the block, keep the calling thread on the core it is on and (`native`) this process's native
    threads (torch's OpenMP workers) off it; then let each go where it was allowed before, and any thread
    started meanwhile (which inherits its starter's core) anywhere. Yields the core held, for a helper thread
    to `keep_off`; None, and nothing pinned, where this cannot be done (not Linux, one core allowed).

    After a pause between questions the workers sleep, and the kernel often woke torch's worker on the
    asking thread's own core: the two then took turns on it, and a 2-thread model call stalled for 30-60 ms
    (model calls 40 ms apart, emulated AVX2 on an AMD EPYC: p99 33-50 ms, 14 pinned; bench/README.md)."""
    if not _pinning.acquire(blocking=False):  # another question holds its threads: each restores what it moved
        yield None
        return
    try:
        allowed = os.sched_getaffinity(0)
        here = _current_cpu()
        tasks = set(os.listdir(TASKS))
        if here not in allowed or len(allowed) < 2:
            raise OSError("nowhere to pin")
        os.sched_setaffinity(0, {here})
    except (OSError, AttributeError):  # AttributeError: no sched_*affinity (not Linux)
        _pinning.release()
        yield None
        return
    workers = native_threads(tasks) if native else []
    saved: list[tuple[int, set[int]]] = [(0, allowed)]
    try:
        for tid in workers:
            with contextlib.suppress(OSError):  # ended meanwhile, or not ours to move
                before = os.sched_getaffinity(tid)
                os.sched_setaffinity(tid, (before - {here}) or (allowed - {here}))
                saved.append((tid, before))
        yield Held(here, frozenset(allowed))
    finally:
        for tid, mask in saved:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, mask)
        with contextlib.suppress(OSError):
            for tid in set(os.listdir(TASKS)) - tasks:  # started in the block, on the held core
                with contextlib.suppress(OSError, ValueError):
                    os.sched_setaffinity(int(tid), allowed)
        _pinning.release()


@contextlib.contextmanager
def keep_off(held: Held | None) -> Iterator[None]:
    """For the block, keep the calling thread off the core a `pinned` thread holds (None: anywhere)."""
    if held is None:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, held.allowed - {held.cpu})
        yield
    finally:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, held.allowed)


_pinning = threading.Lock()  # one question at a time moves threads


def _current_cpu() -> int:
    """The core the calling thread runs on (glibc's sched_getcpu), or -1."""
    global _sched_getcpu
    if _sched_getcpu is None:
        try:
            import ctypes

            _sched_getcpu = ctypes.CDLL("libc.so.6", use_errno=True).sched_getcpu
        except (OSError, AttributeError):
            _sched_getcpu = False
    return _sched_getcpu() if _sched_getcpu else -1


_sched_getcpu = None
