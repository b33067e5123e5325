"""Helpers shared by the performance benchmarks (bench/ingest.py, query.py, startup.py, peer.py).

Not a benchmark itself. Each benchmark runs its measured parts in child processes of one invocation
(same machine state, each with its own peak RSS) and prints ratios between them, because absolute
times drift by 10 % or more on this shared 2-core machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path("/work/shared/eval/multihop-rag")
CORPUS = EVAL / "corpus.json"
QUESTIONS = EVAL / "MultiHopRAG.json"
OUT = ROOT / "bench" / "out"
PEER_PYTHON = ROOT / "bench" / ".venv-peer" / "bin" / "python"
CHILD_MARK = "@@RESULT@@ "


def offline() -> None:
    """Never reach the hub, whatever a library tries."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def rss_mb() -> float:
    """Resident set size of this process now, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # ru_maxrss is in KiB


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    a = np.asarray(ms, dtype=np.float64)
    return {"n": len(a), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "mean": float(a.mean())}


def questions(limit: int | None = None) -> list[str]:
    """The MultiHop-RAG questions (`query` field), in file order; the first `limit` if given."""
    qs = [q["query"] for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))]
    return qs[:limit] if limit else qs


def corpus_records(limit: int | None = None) -> list[dict]:
    records = json.loads(CORPUS.read_text(encoding="utf-8"))
    return records[:limit] if limit else records


def passage_texts(records: list[dict], max_paragraph_chars: int) -> list[str]:
    """The passage texts `EventService.import_file` stores and embeds for these records, in order."""
    from corpus.importer import record_to_draft

    return [p for r in records for p in record_to_draft(r, max_paragraph_chars).paragraphs]


def machine_note() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


AVX2_ENV = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "FBGEMM_ENABLE_INSTRUCTIONS": "AVX2",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2", "FAISS_OPT_LEVEL": "avx2"}
"""What caps this machine's libraries at AVX2, to stand in for an AVX2-only CPU: torch's own kernels (ATen),
oneDNN, fbgemm (torch's int8 matrix products: without the cap they use AVX512-VNNI, 1.9x faster than
its AVX2 kernels), MKL (float32 matrix products) and faiss. ONNX Runtime and OpenVINO follow CPUID and
have no such cap."""


def cpu_note() -> str:
    """The CPU by name (lscpu's "Model name"), and the AVX2 emulation when it is on: which of `AVX2_ENV`
    are set, and which are missing (a partial cap measures a machine that does not exist)."""
    name = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            name = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), name)
    except OSError:
        pass
    capped = {k: os.environ[k] for k in AVX2_ENV if os.environ.get(k)}
    if not capped:
        return name + ", native"
    missing = [k for k in AVX2_ENV if k not in capped]
    return (name + " emulating AVX2 (" + " ".join(f"{k}={v}" for k, v in capped.items()) + ")"
            + (f"; NOT capped: {', '.join(missing)}" if missing else ""))


def emit(result: dict) -> None:
    """A child's result, as the last marked line of its stdout."""
    sys.stdout.write(CHILD_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()


def run_child(cmd: list[str], env: dict | None = None, label: str = "") -> dict:
    """Run a child process (stderr passes through) and return the JSON it `emit`ted."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    result = child_result(proc.stdout)
    if proc.returncode or result is None:
        sys.stdout.write(proc.stdout)
        sys.exit(f"{label or cmd[:3]} failed (exit code {proc.returncode})")
    result.setdefault("wall_seconds", time.perf_counter() - started)
    return result


def child_result(stdout: str) -> dict | None:
    """The JSON a child `emit`ted last in its stdout, or None."""
    lines = [line for line in stdout.splitlines() if line.startswith(CHILD_MARK)]
    return json.loads(lines[-1][len(CHILD_MARK):]) if lines else None


@contextlib.contextmanager
def thread_choices(service) -> Iterator[list[tuple[int, bool]]]:  # noqa: ANN001 - an EventService
    """The threads each question asked in the block got (`question_threads: auto` chooses per question), and
    whether by what it learnt (True) or because no core was idle or the setting is a number (False). A
    question whose vectors are cached chooses nothing."""
    choice = service.retriever._threads
    choose, chosen = choice.choose, []

    def spy(setting: int | str, chars: int = 0) -> tuple[int, bool, bool]:
        pick = choose(setting, chars)
        chosen.append((pick.threads, pick.learnt))
        return pick

    choice.choose = spy
    try:
        yield chosen
    finally:
        choice.choose = choose


def fmt_ms(x: float) -> str:
    return f"{x:.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"
