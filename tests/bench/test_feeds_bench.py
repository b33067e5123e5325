"""bench/feeds.py on a few feeds: the first poll fetches every page, the second only gets 304s."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_run_counts_pages_and_the_304s(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "feeds.py"), "--feeds", "3", "--entries", "4",
                          "--embedder", "hash"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
                         check=True).stdout
    first, second = [line for line in out.splitlines() if line.startswith(("first poll", "second poll"))]
    assert "3 feeds polled, 3 feed requests (0 answered 304), 12 pages fetched, 12 articles added" in first
    assert "3 feed requests (3 answered 304), 0 pages fetched, 0 articles added" in second
    assert "CPU: " in out and "peak" in out
