"""The keyword index: BM25 (bm25s) over stemmed, stop-word-filtered tokens, keyed by passage id."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from index.errors import IndexCorrupt

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, Snowball-stemmed word tokens."""
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]


class KeywordIndex:
    """BM25 over passages. bm25s has no incremental add, so the matrix is rebuilt lazily from the
    kept token lists on the first search after a change (one rebuild per batch of changes)."""

    def __init__(self) -> None:
        self._tokens: dict[int, list[str]] = {}
        self._bm25: bm25s.BM25 | None = None
        self._ids = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, pid: object) -> bool:
        return pid in self._tokens

    def add(self, ids: list[int], texts: list[str]) -> None:
        for pid, text in zip(ids, texts, strict=True):
            self._tokens[int(pid)] = tokenize(text)
        self._bm25 = None

    def remove(self, ids: list[int]) -> int:
        removed = sum(self._tokens.pop(int(pid), None) is not None for pid in ids)
        if removed:
            self._bm25 = None
        return removed

    def ids(self) -> np.ndarray:
        return np.fromiter(self._tokens, dtype=np.int64, count=len(self._tokens))

    def _built(self) -> bm25s.BM25 | None:
        if self._bm25 is None and self._tokens:
            bm25 = bm25s.BM25()
            self._ids = self.ids()
            bm25.index([self._tokens[int(i)] for i in self._ids], show_progress=False)
            self._bm25 = bm25
        return self._bm25

    def prepare(self) -> None:
        """Build the BM25 matrix now rather than on the first search."""
        self._built()

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids), best first; only passages sharing a term with the query."""
        bm25 = self._built()
        empty = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if bm25 is None:
            return empty
        token_ids = bm25.get_tokens_ids(tokenize(query))
        if not token_ids:
            return empty
        scores = bm25.get_scores(token_ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top].astype(np.float32), self._ids[top]

    def save(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as f:
            json.dump({"version": 1, "tokens": {str(k): v for k, v in self._tokens.items()}}, f, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        try:
            with path.open(encoding="utf-8") as f:
                data = json.load(f)
            tokens = {int(k): v for k, v in data["tokens"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexCorrupt(f"keyword index {path.name} is unreadable: {e}") from e
        index = cls()
        index._tokens = tokens
        return index
