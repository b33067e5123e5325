"""Python's full garbage collections kept off the question path.

A full collection walks every object the collector tracks. After an import of 100 articles a process held
about 240,000, and the collection that came due a few dozen questions later took 112 ms inside one of them
(the slowest answer of every `bench/peer.py --turns` run: 120-160 ms against a p99 of 20-30; bench/README.md,
issue 19). So once the index is opened, an import is done or a rebuild swapped in, `settle` collects then,
and freezes what survives (`gc.freeze`): later collections skip it, and it is still freed as usual when
nothing refers to it any more. A garbage cycle among frozen objects waits for the next full settle, which
unfreezes first: at most one every FULL_EVERY seconds (each walks the whole heap, ~0.1-0.2 s in a bot and
0.6 s in the test suite's process, which settled 392 times); the others walk only what is new since."""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)
FULL_EVERY = 60.0
_lock = threading.Lock()
_last_full: float | None = None


def settle() -> float:
    """Collect (everything, or what is new since the last freeze) and freeze the survivors; the seconds it took."""
    global _last_full
    with _lock:
        started = time.perf_counter()
        full = _last_full is None or time.monotonic() - _last_full >= FULL_EVERY
        if full:
            gc.unfreeze()
            _last_full = time.monotonic()
        gc.collect()
        gc.freeze()
        seconds = time.perf_counter() - started
    log.debug("garbage collected (%s) and %d objects frozen in %.0f ms", "full" if full else "new objects",
              gc.get_freeze_count(), seconds * 1000)
    return seconds
