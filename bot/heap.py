"""Python's full garbage collections kept off the question path.

A full collection walks every object the collector tracks. After an import of 100 articles a process held
about 240,000, and the collection that came due a few dozen questions later took 112 ms inside one of them
(the slowest answer of every `bench/peer.py --turns` run: 120-160 ms against a p99 of 20-30; bench/README.md,
issue 19). So once the index is opened, an import is done or a rebuild swapped in, `settle` collects
everything then, and freezes what survives (`gc.freeze`): later collections skip it, and it is still freed
as usual when nothing refers to it any more. Garbage cycles among frozen objects wait for the next `settle`,
which unfreezes first."""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)
_lock = threading.Lock()


def settle() -> float:
    """Collect every generation now and freeze the survivors; the seconds it took."""
    with _lock:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        seconds = time.perf_counter() - started
    log.debug("garbage collected and %d objects frozen in %.0f ms", gc.get_freeze_count(), seconds * 1000)
    return seconds
