"""Query benchmark: latency of `EventService.ask` per stage, on the MultiHop-RAG index and synthetic ones.

Usage (from the repository root; heavy, so under the shared CPU lock):

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/query.py                 # multihop, 100k, 1M
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/query.py --sizes multihop,100000 --questions 500
    ... bench/query.py --config my.yaml    # an experiment's settings (encoder, dense index type, ...)

Asks the MultiHop-RAG questions (`query` field of MultiHopRAG.json, in file order, all 2,556 unless
--questions) one at a time through `EventService.ask(question, k)` (default k=10, the benchmark's k)
and prints p50/p95/p99 latency, the share of time per stage, load times and memory, for:

- `multihop`: the imported MultiHop-RAG corpus (609 articles, 26,392 passages): imported once by
  the current code into bench/out/query/multihop/data and reused (or the ready folder named by
  EVENTBOT_MULTIHOP_DATA); copied to a temporary folder first, so it is never modified.
- `100000`, `1000000`: synthetic corpora built by bench/synthetic.py (random unit vectors, text drawn
  from the MultiHop-RAG word frequencies, store filled by bulk SQL, index built through the project's
  own index classes; see that file), cached under bench/out/synthetic/. Their answers are forced
  (`min_similarity` and `unknown_terms_below` -1), since random vectors match no question, so every stage runs.

Each corpus runs in its own child process (so memory figures are its own). Stages are timed by
wrapping, in that child only, the service's and the index's methods with `time.perf_counter`:
embed (the asking thread's time on the question's vector: the model on two threads when a core is idle,
else the wait for the worker that runs it on one beside the keyword search and the word checks; the
model's own time, QueryCache.encode, is printed apart),
dense (FAISS search), keyword (BM25),
fusion, similarity (vectors of keyword-only hits), store counts, attribution join (passages and
articles from SQLite), other (the rest of `ask`: sorting, caps, building the answer). Questions are
all distinct, so each is embedded; a second pass over the last 200 shows the query cache. CPU time
per question (`time.process_time`, all threads) is printed beside the wall time: on a shared machine
it stays near the work done (with OMP_NUM_THREADS=1), where the wall time measures the other sessions.
Memory: RSS after the model and the index are loaded and the questions asked, against the raw float32
vectors (N x 384 x 4 bytes) plus the model (RSS of the process after loading just the model).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402

STAGES = ["embed", "dense", "keyword", "fusion", "similarity", "store counts", "attribution join", "other"]
MULTIHOP_DATA = Path(os.environ.get("EVENTBOT_MULTIHOP_DATA") or "/nonexistent")  # a ready folder, if given
WARM_UP = ["What did the central bank decide about interest rates last week?",
           "Which company announced layoffs after its quarterly earnings report?",
           "Who won the championship game and what did the coach say afterwards?"]


class StageClock:
    """Wraps callables so each call's time is added to a named stage of the current question."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)

    def wrap(self, owner: object, attr: str, stage: str) -> None:
        fn = getattr(owner, attr, None)
        if fn is None:
            return
        clock = self

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                clock.current[stage] += time.perf_counter() - started

        setattr(owner, attr, timed)

    def wrap_result(self, owner: object, attr: str, stage: str) -> None:
        """Time `attr` and the callable it returns first (a deferred result) as one stage."""
        fn = getattr(owner, attr)
        clock = self

        def deferred(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.perf_counter()
            result, meanwhile = fn(*args, **kwargs)
            clock.current[stage] += time.perf_counter() - started

            def timed():  # noqa: ANN202
                started = time.perf_counter()
                try:
                    return result()
                finally:
                    clock.current[stage] += time.perf_counter() - started

            return timed, meanwhile

        setattr(owner, attr, deferred)


def _settings(config: str | None):  # noqa: ANN202
    from bot.config import load_config

    return load_config(Path(config) if config else None)


def multihop_folder(config: str | None) -> Path:
    """A ready MultiHop-RAG data folder: the one named by EVENTBOT_MULTIHOP_DATA, else our own import
    (built once; an older folder of another splitter held 28,757 passages and a stale index format)."""
    if (MULTIHOP_DATA / "corpus.sqlite3").exists():
        return MULTIHOP_DATA
    own = perf.OUT / "query" / "multihop" / "data"
    if (own / "index" / "CURRENT").exists():
        return own
    from bot.service import EventService

    print(f"importing the corpus into {own} (about 2 min, once)", file=sys.stderr)
    if own.exists():
        shutil.rmtree(own)
    service = EventService(own, _settings(config))
    report = service.import_file(perf.CORPUS)
    service.close()
    print(f"imported {report.added} articles, {report.passages} passages in {report.seconds:.0f} s", file=sys.stderr)
    return own


def prepare(name: str, config: str | None) -> Path:
    """The data folder for `name` (built first if needed; run in its own process, so that building
    weighs on no measurement)."""
    if name == "multihop":
        return multihop_folder(config)
    from bench import synthetic

    return synthetic.ensure(int(name), _settings(config),
                            log=lambda m: print(m, file=sys.stderr, flush=True))


def child(args: argparse.Namespace) -> None:
    perf.offline()
    rss_start = perf.rss_mb()
    from bot.service import EventService

    settings = _settings(args.config)
    if args.one != "multihop":
        # Random vectors are unrelated to every question: without this the service would answer
        # "nothing relevant" before the attribution join, and the benchmark would skip that stage.
        settings = settings.model_copy(update={
            "retrieval": settings.retrieval.model_copy(update={"min_similarity": -1.0, "unknown_terms_below": -1.0})})
    qs = perf.questions(args.questions)
    tmp = None
    data = prepare(args.one, args.config)
    if args.one == "multihop":  # never modify the shared folder
        tmp = tempfile.TemporaryDirectory(prefix="eventbot-query-")
        shutil.copytree(data, Path(tmp.name) / "data")
        data = Path(tmp.name) / "data"
    rss_base = perf.rss_mb()
    service = EventService(data, settings)
    t0 = time.perf_counter()
    embedder = service.embedder
    wait = getattr(embedder, "wait", None)
    model = wait() if wait else embedder
    embedder.encode(["warm up"])
    if hasattr(embedder, "warmed"):  # questions measured once the model's background warm-up is done
        embedder.warmed.wait(120)
    model_s = time.perf_counter() - t0
    rss_model = perf.rss_mb()
    t0 = time.perf_counter()
    index = service.index.current()
    index_s = time.perf_counter() - t0
    rss_index = perf.rss_mb()
    for q in WARM_UP:
        service.ask(q, args.k)

    clock, model_clock = StageClock(), StageClock()
    # "embed" is the asking thread's time on the question's vector: the model itself when it runs there (two
    # threads), else the wait for the worker that runs it beside the keyword search (Retriever._embed_meanwhile).
    clock.wrap_result(service.retriever, "_embed_meanwhile", "embed")
    model_clock.wrap(service.retriever.queries, "encode", "model")
    clock.wrap(index.dense, "search", "dense")
    clock.wrap(index.keyword, "search_many", "keyword")  # `search` is one call of it
    clock.wrap(index.dense, "similarity", "similarity")
    clock.wrap(index.dense, "similarities", "similarity")
    clock.wrap(service.store, "counts", "store counts")
    clock.wrap(service.store, "passages_with_articles", "attribution join")
    import index.hybrid as hybrid_module

    for fusion in ("reciprocal_rank_fusion", "linear_fusion_arrays"):
        clock.wrap(hybrid_module, fusion, "fusion")

    totals, cpu, stage_sums = [], [], defaultdict(float)
    answered = 0
    model_ms = []
    with perf.thread_choices(service) as choices:
        for q in qs:
            clock.current.clear()
            model_clock.current.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = service.ask(q, args.k)
            total = time.perf_counter() - started
            cpu.append((time.process_time() - cpu_started) * 1000)
            answered += answer.answered
            totals.append(total * 1000)
            for stage, seconds in clock.current.items():
                stage_sums[stage] += seconds
            stage_sums["other"] += total - sum(clock.current.values())
            model_ms.append(model_clock.current["model"] * 1000)
            stage_sums["total"] += total
    chosen = Counter(choices)  # questions per (threads, learnt)
    cached = []
    for q in qs[-200:]:  # the most recent: still in the query cache (LRU, 1,024 by default)
        started = time.perf_counter()
        service.ask(q, args.k)
        cached.append((time.perf_counter() - started) * 1000)
    import torch

    n = len(index)
    result = {
        "name": args.one, "passages": n, "dense_kind": getattr(index.dense, "kind", "flat"),
        "latency": perf.percentiles(totals), "cpu_ms": perf.percentiles(cpu), "cached": perf.percentiles(cached), "answered": answered,
        "stages": {s: stage_sums[s] / stage_sums["total"] for s in STAGES},
        "stage_ms": {s: 1000 * stage_sums[s] / len(qs) for s in STAGES},
        "model_ms": sum(model_ms) / len(qs),
        "model_load_s": model_s, "index_load_s": index_s,
        "rss_start_mb": rss_start, "rss_base_mb": rss_base, "rss_model_mb": rss_model, "rss_index_mb": rss_index,
        "rss_end_mb": perf.rss_mb(), "peak_rss_mb": perf.peak_rss_mb(), "vectors_mb": n * 384 * 4 / 1e6,
        "torch_threads": torch.get_num_threads(), "cpu": perf.cpu_note(),
        "encoder": getattr(model, "quantize_reason", type(model).__name__)
        + f"; question_threads: {settings.retrieval.question_threads} (questions per thread count: "
        + ", ".join(f"{n or 'all'}{' learnt' if learnt else ''}: {c}" for (n, learnt), c in sorted(chosen.items()))
        + "; median ms per thread count, scaled to a question of no length (ThreadChoice.record): "
        + ", ".join(f"{n}: {1000 * m:.1f}" for n, m in sorted(service.retriever._threads.medians().items())) + ")"
        + (", traced" if getattr(model, "_query_traced", None) is not None else ""),
    }
    service.close()
    if tmp:
        tmp.cleanup()
    perf.emit(result)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="multihop,100000,1000000", help="comma-separated: multihop and/or passage counts")
    ap.add_argument("--questions", type=int, help="ask only the first N questions (default all 2,556)")
    ap.add_argument("--k", type=int, default=10, help="passages per answer (default %(default)s)")
    ap.add_argument("--config", type=Path, help="eventbot config (default: config.yaml's settings)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.config:
        args.config = str(args.config.resolve())
    if args.prepare:
        perf.offline()
        prepare(args.prepare, args.config)
        return perf.emit({"prepared": args.prepare})
    if args.one:
        return child(args)

    print(f"query benchmark: k={args.k}, config {args.config or 'config.yaml'}; {perf.machine_note()}", flush=True)
    env = {**os.environ}
    env.pop("EVENTBOT_DATA_DIR", None)
    results = []
    for name in args.sizes.split(","):
        config = ["--config", args.config] if args.config else []
        perf.run_child([sys.executable, __file__, "--prepare", name.strip(), *config], env=env, label=f"prepare {name}")
        cmd = [sys.executable, __file__, "--one", name.strip(), "--k", str(args.k), *config]
        if args.questions:
            cmd += ["--questions", str(args.questions)]
        r = perf.run_child(cmd, env=env, label=f"query {name}")
        results.append(r)
        lat = r["latency"]
        print(f"  {name}: {r['passages']:,} passages ({r['dense_kind']}), p50 {lat['p50']:.1f} ms, "
              f"p99 {lat['p99']:.1f} ms; CPU time per question p50 {r['cpu_ms']['p50']:.1f} ms, "
              f"p99 {r['cpu_ms']['p99']:.1f} ms", flush=True)
        print(f"    {r['cpu']}; question encoder: {r['encoder']}", flush=True)

    print("\n| index | passages | dense | questions | p50 ms | p95 ms | p99 ms | mean ms | cached p50 ms | "
          "answered |\n|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        lat = r["latency"]
        print(f"| {r['name']} | {r['passages']:,} | {r['dense_kind']} | {lat['n']} | {lat['p50']:.1f} | {lat['p95']:.1f} | "
              f"{lat['p99']:.1f} | {lat['mean']:.1f} | {r['cached']['p50']:.1f} | {r['answered']} |")
    print("\nshare of ask time per stage (mean ms per question in brackets); embed: the asking thread's time on the\n"
          "question's vector (the model, or the wait for it beside the keyword search); model: the model's own time\n")
    print("| index | " + " | ".join(STAGES) + " | model |\n|---|" + "---|" * (len(STAGES) + 1))
    for r in results:
        cells = [f"{100 * r['stages'][s]:.1f}% ({r['stage_ms'][s]:.2f})" for s in STAGES]
        print(f"| {r['name']} | " + " | ".join(cells) + f" | ({r.get('model_ms', 0):.2f}) |")
    print("\nload and memory\n")
    print("| index | model load s | index load s | RSS model only MB | RSS end MB | peak RSS MB | raw vectors MB | "
          "RSS / (vectors + model) |\n|---|---|---|---|---|---|---|---|")
    for r in results:
        base = r["vectors_mb"] + r["rss_model_mb"]
        print(f"| {r['name']} | {r['model_load_s']:.2f} | {r['index_load_s']:.2f} | {r['rss_model_mb']:.0f} | "
              f"{r['rss_end_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['vectors_mb']:.0f} | {r['rss_end_mb'] / base:.2f} |")
    if len(results) > 1:
        ref = results[0]
        print("\nratios to " + ref["name"] + " (same run): " + "; ".join(
            f"{r['name']} p50 {perf.ratio(r['latency']['p50'], ref['latency']['p50'])}, "
            f"p99 {perf.ratio(r['latency']['p99'], ref['latency']['p99'])}" for r in results[1:]))
    print(f"targets: p50 <= 15 ms and p99 <= 40 ms at 100k; p99 <= 60 ms at 1M; RSS <= 1.3x (vectors + model) at 1M. "
          f"{perf.machine_note()}")


if __name__ == "__main__":
    main()
