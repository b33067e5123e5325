"""A BERT sentence encoder in plain torch: the packaged MiniLM without sentence-transformers.

sentence-transformers imports transformers, scikit-learn and more (about 5 s here) before it can
encode anything; this module needs only torch, tokenizers and safetensors (about 2 s), and gives the
same vectors (cosine >= 0.9999 to sentence-transformers' on the same texts). It handles the one model
shape the project uses, a sentence-transformers folder holding a BERT `Transformer` -> mean `Pooling`
-> `Normalize` (`index.embedder.native_shape` tells whether a folder has it).

It also offers the faster paths issue 7 asks for: torch dynamic int8 quantisation of the Linear layers,
and bfloat16 (autocast for passages, a bf16 copy for questions) on CPUs with bf16 units.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)  # query, key and value in one matrix product
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.ff_in = nn.Linear(hidden, intermediate)
        self.ff_out = nn.Linear(intermediate, hidden)
        self.ff_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, n, h = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = self.attn_norm(x + self.attn_out(a.transpose(1, 2).reshape(b, n, h)))
        return self.ff_norm(x + self.ff_out(F.gelu(self.ff_in(x))))


class BertEncoder(nn.Module):
    """BERT body + mean pooling + L2 normalisation, inference only."""

    def __init__(self, config: dict) -> None:
        super().__init__()
        h, eps = config["hidden_size"], config.get("layer_norm_eps", 1e-12)
        self.word = nn.Embedding(config["vocab_size"], h)
        self.position = nn.Embedding(config["max_position_embeddings"], h)
        self.token_type = nn.Embedding(config.get("type_vocab_size", 2), h)
        self.norm = nn.LayerNorm(h, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(h, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"])
        )

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Vectors of a batch of token ids; `mask` marks real tokens (None: nothing is padded)."""
        n = ids.shape[1]
        x = self.word(ids) + self.position.weight[:n] + self.token_type.weight[0]
        x = self.norm(x)
        if mask is not None and bool(mask.all()):
            mask = None
        # Additive mask over keys; none at all when nothing in the batch is padded.
        attn = None if mask is None else ((1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min)
        for layer in self.layers:
            x = layer(x, attn)
        if mask is None:
            return F.normalize(x.mean(1), p=2, dim=1)
        m = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1)

    def load_bert_weights(self, tensors: dict[str, torch.Tensor]) -> None:
        """Copy the weights of a transformers `BertModel` state dict (with or without a `bert.` prefix)."""
        t = {k.removeprefix("bert."): v for k, v in tensors.items()}
        own = {"word.weight": t["embeddings.word_embeddings.weight"],
               "position.weight": t["embeddings.position_embeddings.weight"],
               "token_type.weight": t["embeddings.token_type_embeddings.weight"],
               "norm.weight": t["embeddings.LayerNorm.weight"], "norm.bias": t["embeddings.LayerNorm.bias"]}
        for i in range(len(self.layers)):
            p, q = f"encoder.layer.{i}.", f"layers.{i}."
            for part in ("weight", "bias"):
                own[q + "qkv." + part] = torch.cat([t[f"{p}attention.self.{n}.{part}"] for n in ("query", "key", "value")])
                own[q + "attn_out." + part] = t[f"{p}attention.output.dense.{part}"]
                own[q + "attn_norm." + part] = t[f"{p}attention.output.LayerNorm.{part}"]
                own[q + "ff_in." + part] = t[f"{p}intermediate.dense.{part}"]
                own[q + "ff_out." + part] = t[f"{p}output.dense.{part}"]
                own[q + "ff_norm." + part] = t[f"{p}output.LayerNorm.{part}"]
        self.load_state_dict(own, strict=True)


def quantize_int8(model: nn.Module) -> nn.Module:
    """A copy of `model` with every Linear layer torch-dynamic int8 (weights int8 per output channel,
    activations quantised per batch), for fbgemm on x86."""
    import copy
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # the torch.ao API is deprecated in favour of torchao, which is not installed
        warnings.simplefilter("ignore")
        return quantize_dynamic(copy.deepcopy(model), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


class _Unpadded(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.model(ids, None)


def traced_unpadded(model: nn.Module, probe: list[int]) -> torch.jit.ScriptModule | None:
    """`model` for one unpadded text (ids of shape 1 x n, any n), traced and frozen by TorchScript: the
    same vectors without Python's per-operation cost (one question: 0.75x the eager time, int8 on one
    AVX2 thread). None when tracing fails or the traced model's vector of `probe` differs from eager's."""
    import warnings

    single = _Unpadded(model).eval()
    ids = torch.tensor([probe], dtype=torch.int64)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings: shapes are read as the trace runs, not fixed
            traced = torch.jit.freeze(torch.jit.trace(single, (ids,), check_trace=False))
            longer = torch.tensor([probe + probe[1:-1]], dtype=torch.int64)
            same = all(torch.allclose(traced(x), single(x), atol=1e-5) for x in (ids, longer))
    except Exception:  # noqa: BLE001 - an optimisation: eager works whatever tracing made of this model
        return None
    return traced if same else None


class Autocast(nn.Module):
    """Runs `model` under CPU bfloat16 autocast (matrix products in bf16, reductions and norms in
    fp32); float32 vectors out. Fast only where the CPU has bf16 units (AMX / AVX512-BF16)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self.model(ids, mask).float()


class Bf16(nn.Module):
    """A bfloat16 copy of `model` (every weight bf16): less per-call overhead than autocast, so
    faster for one short question, a little less exact; float32 vectors out."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        import copy

        self.model = copy.deepcopy(model).to(torch.bfloat16)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.model(ids, mask).float()


class NativeSentenceEncoder:
    """Tokenizer + `BertEncoder` loaded from a sentence-transformers folder (see `supports`)."""

    def __init__(self, folder: Path, max_seq_length: int = 0) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        try:
            st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            st_config = {}
        limit = min(config["max_position_embeddings"], st_config.get("max_seq_length") or 512)
        self.max_seq_length = min(limit, max_seq_length) if max_seq_length else limit
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.no_padding()
        self.model = BertEncoder(config)
        self.model.load_bert_weights(load_file(str(folder / "model.safetensors")))
        self.model.eval()
        self.dim = int(config["hidden_size"])

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text, with [CLS] and [SEP], truncated to `max_seq_length`."""
        return [e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=True)]

    def encode_ids(self, token_ids: list[list[int]], model: nn.Module | None = None, pad_multiple: int = 1) -> np.ndarray:
        """L2-normalised vectors of tokenised texts, run as one batch padded to its longest (rounded up
        to a multiple of `pad_multiple`: fewer distinct shapes, so fewer kernels to compile)."""
        if not token_ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        n = max(len(t) for t in token_ids)
        n = min(-(-n // pad_multiple) * pad_multiple, self.max_seq_length) if pad_multiple > 1 else n
        ids = np.zeros((len(token_ids), n), dtype=np.int64)
        mask = np.zeros((len(token_ids), n), dtype=np.int64)
        for row, t in enumerate(token_ids):
            ids[row, :len(t)] = t
            mask[row, :len(t)] = 1
        with torch.inference_mode():
            out = (model or self.model)(torch.from_numpy(ids), torch.from_numpy(mask))
        return out.numpy().astype(np.float32, copy=False)

    def encode(self, texts: list[str], model: nn.Module | None = None) -> np.ndarray:
        return self.encode_ids(self.tokenize(texts), model)
