"""The question log's cost: `ask_logged` against `ask` on the same questions (interleaved rounds, so the shared
CPU slows both alike), and `find_gaps` over a large synthetic log.

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/asklog.py [--questions 600] [--rounds 3] [--log 20000]

Uses the hash embedder on the demo corpus: what is measured is the logging around a question, not the model.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the packages, not bench/retrieval.py

from bot.asklog import Entry, Origin
from bot.config import Config, EmbeddingConfig
from bot.gaps import find_gaps
from bot.service import EventService
from corpus import demo_corpus


def _percentiles(ask: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    times = []
    for q in questions:
        started = time.perf_counter()
        ask(q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def _synthetic_log(n: int, rng: random.Random) -> list[Entry]:
    """Questions of 3-8 words drawn from a Zipf-like vocabulary of 3,000; 30% declined."""
    vocab = [f"word{i}" for i in range(3000)]
    weights = [1 / (i + 1) for i in range(3000)]
    out = []
    for i in range(n):
        question = " ".join(rng.choices(vocab, weights, k=rng.randint(3, 8))) + "?"
        answered = rng.random() < 0.7
        out.append(Entry(i, float(i), "slash", 1, 2, question, answered, None if answered else "nothing_relevant",
                         10.0, [], 0, 0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--log", type=int, default=20000, help="entries in the synthetic log for find_gaps")
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        service = EventService(Path(folder), Config(embedding=EmbeddingConfig(model="hash")))
        try:
            for item in demo_corpus.load():
                service.add_document(item.content, item.filename, url=item.url)
            samples = demo_corpus.sample_questions()
            questions = [f"{rng.choice(samples)} {i}" for i in range(args.questions)]
            service.ask(questions[0])
            origin = Origin("slash", 1, 2, 3)
            for n in range(args.rounds):
                plain = _percentiles(service.ask, questions)
                logged = _percentiles(lambda q: service.ask_logged(origin, q), questions)
                print(f"round {n + 1}: ask p50 {plain[0]:.2f} ms p95 {plain[1]:.2f}; ask_logged p50 {logged[0]:.2f} "
                      f"p95 {logged[1]:.2f}; ratio p50 {logged[0] / plain[0]:.2f} p95 {logged[1] / plain[1]:.2f}")
        finally:
            service.close()
    entries = _synthetic_log(args.log, rng)
    started = time.perf_counter()
    gaps = find_gaps(entries)
    print(f"find_gaps over {args.log} questions: {time.perf_counter() - started:.2f} s, {len(gaps)} groups")


if __name__ == "__main__":
    main()
