"""Several processes on one data folder, as operators run them: `eventbot import`, `add`, `remove` and
`reindex` while `eventbot run` is up (issue 15). No stored article is lost or hidden, no process writes
an index older than the one it replaces, none prints a traceback, and the running one answers from the
others' changes within seconds.

Before: the running bot never saw the imports, and its next save wrote the index it held over theirs;
two reindexes at once crashed (`FileNotFoundError: CURRENT.tmp`), and adds and removes beside them
crashed on the other's temporary files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from index.embedder import HashEmbedder
from index.hybrid import Generations, HybridIndex
from tests.bot.process_driver import article

ROOT = Path(__file__).resolve().parents[2]
SEEDED = range(40)


def records(numbers: range) -> list[dict[str, str]]:
    out = []
    for n in numbers:
        draft = article(n)
        out.append({"title": draft.title, "url": draft.url, "source": draft.source,
                    "published_at": draft.published_at, "body": "\n\n".join(draft.paragraphs)})
    return out


class Folder:
    """A data folder and a config on the hash embedder, shared by the test's processes."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / "data"
        self.config = tmp_path / "config.yaml"
        self.config.write_text("embedding:\n  model: hash\n", encoding="utf-8")
        self.env = {**os.environ, "EVENTBOT_CONFIG": str(self.config), "EVENTBOT_DATA_DIR": str(self.data),
                    "PYTHONPATH": str(ROOT)}

    def cli(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def serve(self) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "tests.bot.process_driver", str(self.config)], cwd=ROOT,
                                env=self.env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdout.readline().strip() == "ready"
        return proc

    def service(self) -> EventService:
        return EventService(self.data, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())


def tell(proc: subprocess.Popen, line: str) -> str:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def held(proc: subprocess.Popen, numbers: list[int]) -> set[int]:
    return {int(n) for n in tell(proc, "held " + " ".join(map(str, numbers))).split()[1:]}


def published_ids(data: Path) -> set[int]:
    """The passages of the live generation on disk."""
    folder = Generations(data / "index").current()
    assert folder is not None
    from bot.config import Config as _Config

    cfg = _Config()
    return HybridIndex.load(folder, HashEmbedder(), cfg.index, cfg.retrieval).ids()


def test_import_add_remove_and_reindex_beside_a_running_bot(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    seed = folder.service()
    seed.import_file(_json(tmp_path / "seed.json", records(SEEDED)))
    seed.close()
    bot = folder.serve()
    try:
        assert held(bot, list(SEEDED)) == set(SEEDED)
        assert tell(bot, "add 300") == "added 300"  # unpublished: below the bot's save cadence
        (tmp_path / "a200.txt").write_text(article(200).title + "\n\n" + "\n\n".join(article(200).paragraphs))
        started = time.monotonic()
        others = {
            "import A": folder.cli("import", str(_json(tmp_path / "a.json", records(range(100, 130))))),
            "import B": folder.cli("import", str(_json(tmp_path / "b.json", records(range(130, 160))))),
            "reindex 1": folder.cli("reindex"),
            "reindex 2": folder.cli("reindex"),
            "add": folder.cli("add", str(tmp_path / "a200.txt")),
            "remove": folder.cli("remove", article(5).url),
        }
        assert tell(bot, "add 301") == "added 301"
        outcomes = {}
        for name, proc in others.items():
            out, err = proc.communicate(timeout=120)
            assert "Traceback" not in err and "Traceback" not in out, f"{name}:\n{err}"
            outcomes[name] = (proc.returncode, " ".join(err.split()))  # rich wraps long lines
        finished = time.monotonic()
        for name, (code, last) in outcomes.items():
            refused = name.startswith("reindex") and code == 1 and "another process is rebuilding the index" in last
            assert code == 0 or refused, f"{name}: exit {code}: {last}"

        wanted = [n for n in SEEDED if n != 5] + list(range(100, 160)) + [200, 300, 301]
        found: set[int] = set()
        while time.monotonic() - finished < 10:
            found = held(bot, [*wanted, 5])
            if found == set(wanted):
                break
            time.sleep(0.2)
        caught_up = time.monotonic() - finished
        assert found == set(wanted), f"missing {sorted(set(wanted) - found)}, still held {sorted(found - set(wanted))}"
        print(f"\n{len(others)} other processes in {finished - started:.1f} s "
              f"({', '.join(f'{k}: exit {c}' for k, (c, _) in outcomes.items())}); "
              f"the running one answered from all their changes {caught_up:.1f} s after they ended")

        # The bot publishes what it holds: never an index older than the one on disk.
        assert tell(bot, "add 302") == "added 302"
        assert tell(bot, "flush") == "flushed"
        check = folder.service()
        try:
            stored = set(check.store.passage_ids())
            assert published_ids(folder.data) == stored
        finally:
            check.close()
        assert tell(bot, "quit") == "closed"
        assert bot.wait(timeout=30) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
        err = bot.stderr.read()
        assert "Traceback" not in err, err


def test_a_second_reindex_is_refused_clearly(tmp_path: Path) -> None:
    folder = Folder(tmp_path)
    seed = folder.service()
    seed.import_file(_json(tmp_path / "seed.json", records(range(5))))
    seed.close()
    before = Generations(folder.data / "index").current()
    with Generations(folder.data / "index").rebuilding():  # as a running `eventbot reindex` holds it
        proc = folder.cli("reindex")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "another process is rebuilding the index" in " ".join(err.split())
    assert Generations(folder.data / "index").current() == before and before.is_dir()


def _json(path: Path, items: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps(items), encoding="utf-8")
    return path
