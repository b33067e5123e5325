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
import sys
from collections.abc import Iterator

import faiss

AUTO = "auto"
LOADAVG = "/proc/loadavg"
AUTO_MOST = 2
"""Threads `auto` gives one question at most: two cut an int8 question's embedding from 12.0 to 7.4-8.3 ms
on an emulated AVX2 core pair (bench/README.md, issue 19); more were not measured."""


def spare_cores() -> int:
    """Cores with nothing to run right now besides the calling thread: the usable cores less the threads
    the kernel has runnable (/proc/loadavg counts the caller among them). 0 when it cannot be told. In a
    container /proc/loadavg may count the whole host's threads, which errs towards fewer."""
    try:
        with open(LOADAVG, encoding="ascii") as f:
            runnable = int(f.read().split()[3].split("/")[0])
        cores = len(os.sched_getaffinity(0))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0
    return max(0, cores - runnable)


def threads_for(setting: int | str) -> int:
    """The threads one question gets now: `setting` itself, or for `auto` one more than the spare cores,
    up to AUTO_MOST. A busy core stalls every parallel region of a wider question (see above)."""
    if setting != AUTO:
        return int(setting)
    return min(AUTO_MOST, 1 + spare_cores())


def warm_up_counts(setting: int | str) -> list[int]:
    """The thread counts a question may run on under `setting` (a model's kernels are compiled per count)."""
    return list(range(1, AUTO_MOST + 1)) if setting == AUTO else [int(setting)]


@contextlib.contextmanager
def question_threads(threads: int) -> Iterator[None]:
    """Run the block's torch work on at most `threads` threads and its FAISS work on one (0: leave both as
    they are). One question's IVF search gains nothing from more (FAISS parallelises over questions), and
    FAISS's OpenMP threads, spinning after a region, would take the core torch's second thread needs."""
    if threads <= 0:
        yield
        return
    torch = sys.modules.get("torch")  # not imported by the test embedder: nothing to set
    before_torch = torch.get_num_threads() if torch is not None else 0
    before_faiss = faiss.omp_get_max_threads()
    if torch is not None and before_torch != threads:
        torch.set_num_threads(threads)
    if before_faiss != 1:
        faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        if torch is not None and before_torch != threads:
            torch.set_num_threads(before_torch)
        if before_faiss != 1:
            faiss.omp_set_num_threads(before_faiss)
