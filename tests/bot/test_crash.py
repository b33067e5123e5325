"""Kill the process (SIGKILL) at many points during adds and rebuilds; nothing reported done is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from tests.bot.crash_driver import PASSAGES, article

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 120


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.bot.crash_driver", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def kill_after(proc: subprocess.Popen, seconds: float) -> list[str]:
    """SIGKILL the child `seconds` after it says it is ready to work (its start-up time varies with load)."""
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return out.split("\n")


def kill_during_rebuild(proc: subprocess.Popen, nth: int, delay: float) -> list[str]:
    """SIGKILL the rebuilding child `delay` seconds after its `nth` progress line (or its last line before
    that), so that the kill lands inside the rebuild whatever the machine's speed."""
    assert proc.stdout.readline().strip() == "ready"
    lines, seen = [], 0
    while seen < nth:
        line = proc.stdout.readline()
        if not line or line.startswith("reindexed"):
            lines.append(line.strip())
            break
        lines.append(line.strip())
        seen += line.startswith("progress ")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return lines + out.split("\n")


def check(data_dir: Path, reported: set[str]) -> int:
    """Every article reported done is whole and answerable; the index holds exactly the stored passages."""
    service = EventService(data_dir, Config(embedding=EmbeddingConfig(model="hash")))
    try:
        held = {a.url: a for a in service.articles()}
        for a in held.values():
            assert a.passage_count == PASSAGES, f"half article {a.url}: {a.passage_count} passages"
        for n in range(ARTICLES):
            url = article(n).url
            if url in reported:
                assert url in held, f"{url} was reported added but is gone"
                answer = service.ask(article(n).title, k=1)
                assert answer.answered and answer.passages[0].url == url
        index = service.index.current()
        assert index.ids() == set(service.store.passage_ids()) and index.consistent()
        return len(held)
    finally:
        service.close()


def test_sigkill_during_adds_and_rebuilds_loses_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    reported: set[str] = set()
    mid_add = mid_rebuild = 0
    for i in range(26):
        if i % 3 == 2:
            lines = kill_during_rebuild(start("reindex", str(data_dir)), 1 + (i // 3) % 2, 0.0)
            mid_rebuild += "reindexed" not in lines
        else:
            lines = kill_after(start("add", str(data_dir), str(ARTICLES)), 0.05 + 0.02 * i)
            added = {line.split(" ", 1)[1] for line in lines if line.startswith("added ")}
            mid_add += bool(added) and len(reported | added) < ARTICLES
            reported |= added | {line.split(" ", 1)[1] for line in lines if line.startswith("duplicate ")}
        check(data_dir, reported)
    proc = start("add", str(data_dir), str(ARTICLES))
    proc.wait(timeout=120)
    assert check(data_dir, reported) == ARTICLES
    print(f"survived {mid_add + mid_rebuild} kill points inside work ({mid_add} mid-import, {mid_rebuild} mid-rebuild)")
    assert mid_add >= 10 and mid_rebuild >= 5 and mid_add + mid_rebuild >= 20
