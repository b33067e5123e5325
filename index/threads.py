"""How many threads one question's work uses: its embedding (torch) and its dense search (FAISS).

Each library runs its own OpenMP pool (torch and faiss-cpu ship separate copies of libgomp), and a
parallel region ends only when its slowest thread does. One question's work is small (a 60-token
question, a few dozen IVF buckets), so two threads save little on a quiet machine, and on a shared
2-core machine, where a core is often busy (an import, a feed poll, another program), every region
waits for a descheduled thread: ask p50 grew from 22 ms to 150-240 ms (bench/README.md, issue 19).
OpenMP thread counts are per calling thread, so setting them here leaves imports and rebuilds, which
run in other threads with large batches, on every core.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import faiss


def thread_counts() -> tuple[int, int]:
    """The calling thread's torch and FAISS thread counts (torch's 0 when it is not imported)."""
    torch = sys.modules.get("torch")
    return (torch.get_num_threads() if torch is not None else 0), faiss.omp_get_max_threads()


@contextlib.contextmanager
def question_threads(threads: int, otherwise: tuple[int, int] | None = None) -> Iterator[None]:
    """Run the block's torch and FAISS work on at most `threads` threads. With 0: on the counts `otherwise`
    gives (`thread_counts` of the thread whose work this is), else leave them as they are."""
    counts = (threads, threads) if threads > 0 else otherwise
    if counts is None:
        yield
        return
    torch = sys.modules.get("torch")  # not imported by the test embedder: nothing to set
    before = thread_counts()
    change_torch = torch is not None and counts[0] > 0 and before[0] != counts[0]
    change_faiss = counts[1] > 0 and before[1] != counts[1]
    if change_torch:
        torch.set_num_threads(counts[0])
    if change_faiss:
        faiss.omp_set_num_threads(counts[1])
    try:
        yield
    finally:
        if change_torch:
            torch.set_num_threads(before[0])
        if change_faiss:
            faiss.omp_set_num_threads(before[1])
