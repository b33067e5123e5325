"""MultiHop-RAG retrieval benchmark: eventbot's ranking scored the paper's way.

Usage (from the repository root):

    .venv/bin/python bench/retrieval.py                  # import if needed, ask all 2,556 questions, print
    .venv/bin/python bench/retrieval.py --limit 300      # a quick, stratified subset
    .venv/bin/python bench/retrieval.py --config my.yaml # an experiment's config (default: the shipped config.yaml)

1. Imports /work/shared/eval/multihop-rag/corpus.json with `eventbot import` into its own data folder
   (default bench/out/multihop/data, git-ignored). A stamp file there records the corpus sha256 and the
   settings the index depends on; the folder is reused while they are unchanged, rebuilt otherwise.
2. Asks every question through ONE `eventbot ask --batch FILE --json --k 10` subprocess (JSON Lines).
3. Prints Hits@10, Hits@4, MRR@10, MAP@10 over the answerable questions (bench/scoring.py, the paper's
   scorer) beside the published figures, by question type and on two fixed random halves of the
   questions (A, for tuning; B, held out), then abstention: the share of the 301 null questions
   answered with `answered: false`, and the share of answerable questions that got passages; and the
   wall time of the ask step.

The eval data is read in place (never copied into the repository); the answers are kept in
bench/out/multihop/answers.jsonl for analysis.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import Metrics, QuestionScore, aggregate, score_question  # noqa: E402
from bot.config import Config, load_config  # noqa: E402

EVAL = Path("/work/shared/eval/multihop-rag")
OUT = ROOT / "bench" / "out" / "multihop"
DEFAULT_CONFIG = ROOT / "config.yaml"  # the shipped defaults: what a user gets
STAMP = "bench-stamp.json"
K = 10
SPLIT_SEED = 8  # fixes halves A and B once and for all

# Published figures and the earlier measurements (Hits@10, Hits@4, MRR@10, MAP@10).
REFERENCE = [
    ("paper: voyage-02 + bge-reranker-large", 0.7467, 0.6625, 0.5860, 0.4795),
    ("paper: bge-large-en-v1.5 + bge-reranker-large", 0.7183, 0.6364, 0.5630, 0.4759),
    ("paper: bge-large-en-v1.5, no rerank", 0.6718, 0.5221, 0.4298, 0.3423),
    ("issue 8: MiniLM dense only", 0.648, 0.467, 0.349, 0.161),
    ("issue 8: BM25 only", 0.722, 0.597, 0.490, 0.234),
    ("issue 8: RRF k=60", 0.768, 0.613, 0.492, 0.233),
    ("issue 8: RRF, title and outlet on the BM25 side", 0.800, 0.649, 0.515, None),
    ("issue 8: ... and named outlets' passages first", 0.841, 0.691, 0.543, None),
    ("target", 0.90, 0.78, 0.65, None),
]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Embedding settings that only change speed or memory, not the vectors held.
RUNTIME_ONLY = ("batch_size", "threads", "query_cache_size", "load_in_background")


def index_stamp(corpus: Path, cfg: Config) -> dict:
    """What the imported folder depends on: the corpus bytes and the settings that shape its passages,
    their vectors and the dense index built from them."""
    embedding = {k: v for k, v in cfg.embedding.model_dump(mode="json").items() if k not in RUNTIME_ONLY}
    if embedding.get("quantize") == "auto":  # what auto takes depends on the CPU (and the AVX2 emulation)
        from index.embedder import auto_quantize

        embedding["quantize"] = f"auto: {auto_quantize()[0]}"
    index = getattr(cfg, "index", None)
    return {"corpus_sha256": sha256(corpus), "embedding": embedding, "corpus": cfg.corpus.model_dump(mode="json"),
            "index": index.model_dump(mode="json") if index is not None else None}


def eventbot_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "eventbot"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]


def ensure_imported(data_dir: Path, corpus: Path, cfg: Config, config_args: list[str], env: dict) -> None:
    """Import the corpus into `data_dir` unless its stamp shows it holds this corpus with these settings."""
    stamp = index_stamp(corpus, cfg)
    stamp_file = data_dir / STAMP
    try:
        if json.loads(stamp_file.read_text()) == stamp and (data_dir / "corpus.sqlite3").exists():
            print(f"reusing {data_dir} (corpus and index settings unchanged)", file=sys.stderr)
            return
    except (OSError, ValueError):
        pass
    if data_dir.exists():
        if any(data_dir.iterdir()) and not (stamp_file.exists() or (data_dir / "corpus.sqlite3").exists()):
            sys.exit(f"{data_dir} is not empty and not an eventbot data folder: refusing to replace it")
        print(f"{data_dir}: stale or incomplete; importing afresh", file=sys.stderr)
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run([*eventbot_cmd(), "import", str(corpus), *config_args], env=env, check=True)
    print(f"import took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    stamp_file.write_text(json.dumps(stamp, indent=1))


def select(questions: list[dict], limit: int | None) -> list[int]:
    """Indexes of the questions to ask: all, or a fixed random subset (every type represented)."""
    if not limit or limit >= len(questions):
        return list(range(len(questions)))
    return sorted(random.Random(0).sample(range(len(questions)), limit))


def prepare(config: Path, data_dir: Path, no_import: bool) -> tuple[Config, list[str], dict]:
    """The config, the `--config` arguments and the environment to run eventbot on `data_dir` with; the
    corpus imported there first unless `no_import` (then it must already hold one)."""
    cfg = load_config(config)
    config_args = ["--config", str(config)]
    env = {**os.environ, "EVENTBOT_DATA_DIR": str(data_dir)}
    env.pop("EVENTBOT_CONFIG", None)
    if no_import:
        if not (data_dir / "corpus.sqlite3").exists():
            sys.exit(f"--no-import: {data_dir} holds no corpus")
    else:
        ensure_imported(data_dir, EVAL / "corpus.json", cfg, config_args, env)
    return cfg, config_args, env


def ask_all(texts: list[str], config_args: list[str], env: dict, k: int = K) -> tuple[list[dict], float, float]:
    """Answers (one per question, in order), wall seconds of the ask step, seconds to the first answer."""
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "questions.txt"
        batch.write_text("".join(" ".join(t.split()) + "\n" for t in texts), encoding="utf-8")
        cmd = [*eventbot_cmd(), "ask", "--batch", str(batch), "--json", "--k", str(k), *config_args]
        started = time.perf_counter()
        first = None
        answers = []
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True, encoding="utf-8") as proc:
            for line in proc.stdout:
                if line.strip():
                    first = first or time.perf_counter() - started
                    answers.append(json.loads(line))
        wall = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"eventbot ask failed with exit code {proc.returncode}")
    if len(answers) != len(texts):
        sys.exit(f"asked {len(texts)} questions, got {len(answers)} answers")
    return answers, wall, first or wall


def fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def row(name: str, m: Metrics) -> str:
    return f"| {name} | {m.n} | {fmt(m.hits10)} | {fmt(m.hits4)} | {fmt(m.mrr10)} | {fmt(m.map10)} |"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="config.yaml for eventbot (default %(default)s)")
    ap.add_argument("--data-dir", type=Path, default=OUT / "data", help="data folder (default %(default)s)")
    ap.add_argument("--limit", type=int, help="ask only this many questions (a fixed random subset)")
    ap.add_argument("--no-import", action="store_true", help="use --data-dir as it is (no stamp check, no import)")
    ap.add_argument("--answers", type=Path, default=OUT / "answers.jsonl", help="where to keep the raw answers")
    ap.add_argument("--label", default="eventbot", help="name of our row in the table")
    args = ap.parse_args(argv)

    qa_file = EVAL / "MultiHopRAG.json"
    _, config_args, env = prepare(args.config, args.data_dir.resolve(), args.no_import)

    questions = json.loads(qa_file.read_text(encoding="utf-8"))
    chosen = select(questions, args.limit)
    answers, wall, first = ask_all([questions[i]["query"] for i in chosen], config_args, env)
    args.answers.parent.mkdir(parents=True, exist_ok=True)
    with args.answers.open("w", encoding="utf-8") as f:
        for i, a in zip(chosen, answers, strict=True):
            f.write(json.dumps({"n": i, "question_type": questions[i]["question_type"], **a}, ensure_ascii=False) + "\n")

    half_a = set(random.Random(SPLIT_SEED).sample(range(len(questions)), len(questions) // 2))
    scores: dict[str, list[QuestionScore]] = defaultdict(list)
    # per group ("all", "A", "B"): [null questions, of them answered=false, answerable, of them with passages]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for i, a in zip(chosen, answers, strict=True):
        q = questions[i]
        half = "half A (tuning)" if i in half_a else "half B (held out)"
        for group in ("all", half):
            c = counts[group]
            if not q["evidence_list"]:
                c[0] += 1
                c[1] += not a["answered"]
            else:
                c[2] += 1
                c[3] += bool(a["answered"] and a["passages"])
        if not q["evidence_list"]:
            continue
        s = score_question([p["text"] for p in a["passages"]], [e["fact"] for e in q["evidence_list"]])
        for key in ("all", q["question_type"], half):
            scores[key].append(s)
    nulls, abstained, answerable, answered = counts["all"]

    print(f"\nMultiHop-RAG retrieval, {len(chosen)} questions ({answerable} with evidence, {nulls} null), "
          f"k={K}, config {args.config}")
    print("\n| retriever | questions | Hits@10 | Hits@4 | MRR@10 | MAP@10 |\n|---|---|---|---|---|---|")
    for name, h10, h4, mrr, map_ in REFERENCE:
        print(f"| {name} | 2255 | {fmt(h10)} | {fmt(h4)} | {fmt(mrr)} | {fmt(map_)} |")
    print(row(f"**{args.label}**", aggregate(scores["all"])))
    print("\n| subset | questions | Hits@10 | Hits@4 | MRR@10 | MAP@10 |\n|---|---|---|---|---|---|")
    for key in ("inference_query", "comparison_query", "temporal_query", "half A (tuning)", "half B (held out)"):
        print(row(key, aggregate(scores[key])))
    print(f"\nabstention: {abstained}/{nulls} null questions answered=false "
          f"({abstained / max(nulls, 1):.1%}; target >= 80%); "
          f"{answered}/{answerable} answerable got passages ({answered / max(answerable, 1):.1%}; target >= 95%)")
    for half in ("half A (tuning)", "half B (held out)"):
        n, ab, m, an = counts[half]
        print(f"  {half}: nulls answered=false {ab / max(n, 1):.1%} of {n}; answerable with passages "
              f"{an / max(m, 1):.1%} of {m}")
    print(f"ask step: {wall:.1f} s wall for {len(chosen)} questions ({len(chosen) / wall:.1f} questions/s; "
          f"first answer after {first:.1f} s, including start-up)")


if __name__ == "__main__":
    main()
