"""Startup benchmark: process start to "ready to answer" with 100k passages held.

Usage (from the repository root; heavy, so under the shared CPU lock):

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/startup.py              # 100k passages, 3 runs
    ... bench/startup.py --passages 1000000 --runs 5 --config my.yaml

Uses the synthetic corpus of bench/synthetic.py (built once, cached under bench/out/synthetic/). Each
run starts a fresh `python` process that does what the bot does at start: load the config, build
`EventService.from_config`, open the live index (`ready`: indexes loaded; the model may still be
loading in the background, when the config allows), then answer one question (`first answer`:
the model is loaded and the question embedded, searched, fused and joined). The parent times each
moment from just before it starts the process. The same run also times, for scale, a bare
`python -c pass` and `python -c "import torch"`. The median of the runs is printed (target: ready and
first answer both within 5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402

CHILD = """
import sys, time
from pathlib import Path
from bot.config import load_config
from bot.service import EventService
cfg = load_config(Path(sys.argv[1]) if sys.argv[1] else None)
service = EventService.from_config(cfg)
service.index.current()
print("ready", flush=True)
answer = service.ask(sys.argv[2])
print("answered", answer.answered, len(answer.passages), flush=True)
"""
TORCH = "python -c 'import torch'"
QUESTION = "Which company announced layoffs after its quarterly earnings report?"


def timed_lines(cmd: list[str], env: dict) -> dict[str, float]:
    """Seconds from just before starting `cmd` to each line it prints (keyed by the line's first word) and to exit."""
    marks: dict[str, float] = {}
    started = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=perf.ROOT) as proc:
        for line in proc.stdout:
            if line.strip():
                marks.setdefault(line.split()[0], time.perf_counter() - started)
    marks["exit"] = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"{cmd[:3]} failed with exit code {proc.returncode}")
    return marks


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--config", type=Path, help="eventbot config (default: config.yaml's settings)")
    args = ap.parse_args(argv)
    config = str(args.config.resolve()) if args.config else ""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("EVENTBOT_CONFIG", None)
    perf.run_child([sys.executable, str(perf.ROOT / "bench" / "query.py"), "--prepare", str(args.passages),
                    *(["--config", config] if config else [])], env=env, label="prepare")
    sys.path.insert(0, str(perf.ROOT))
    from bench import synthetic
    from bench.query import _settings

    data = synthetic.ensure(args.passages, getattr(_settings(config or None), "dense", None))
    env["EVENTBOT_DATA_DIR"] = str(data)
    print(f"startup benchmark: {args.passages:,} passages in {data}; {args.runs} runs; {perf.machine_note()}", flush=True)

    runs: dict[str, list[float]] = {"python -c pass": [], TORCH: [], "ready": [], "first answer": []}
    for _ in range(args.runs):
        runs["python -c pass"].append(timed_lines([sys.executable, "-c", "print('x')"], env)["exit"])
        runs[TORCH].append(timed_lines([sys.executable, "-c", "import torch; print('x')"], env)["exit"])
        marks = timed_lines([sys.executable, "-c", CHILD, config, QUESTION], env)
        runs["ready"].append(marks["ready"])
        runs["first answer"].append(marks["answered"])
        print(f"  ready {marks['ready']:.2f} s, first answer {marks['answered']:.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    print("\n| moment (from process start) | median s | runs |\n|---|---|---|")
    for k, v in runs.items():
        print(f"| {k} | {med[k]:.2f} | {', '.join(f'{x:.2f}' for x in v)} |")
    torch_s = med[TORCH]
    print(f"\nready / import torch: {perf.ratio(med['ready'], torch_s)}; "
          f"first answer / import torch: {perf.ratio(med['first answer'], torch_s)}; "
          f"target: ready and first answer <= 5 s with {args.passages:,} passages. {perf.machine_note()}")


if __name__ == "__main__":
    main()
