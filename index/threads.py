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


@contextlib.contextmanager
def question_threads(threads: int) -> Iterator[None]:
    """Run the block's torch and FAISS work on at most `threads` threads (0: leave them as they are)."""
    if threads <= 0:
        yield
        return
    torch = sys.modules.get("torch")  # not imported by the test embedder: nothing to set
    before_torch = torch.get_num_threads() if torch is not None else 0
    before_faiss = faiss.omp_get_max_threads()
    if torch is not None and before_torch != threads:
        torch.set_num_threads(threads)
    if before_faiss != threads:
        faiss.omp_set_num_threads(threads)
    try:
        yield
    finally:
        if torch is not None and before_torch != threads:
            torch.set_num_threads(before_torch)
        if before_faiss != threads:
            faiss.omp_set_num_threads(before_faiss)
