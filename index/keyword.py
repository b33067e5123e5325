"""The keyword index: BM25 over stemmed, stop-word-filtered tokens, keyed by passage id.

Scores are bm25s' default (the Lucene variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
tf part = tf / (tf + k1 (1 - b + b dl / avgdl)), k1 = 1.5, b = 0.75), computed here with numpy
and scipy so that the index can be saved and loaded as arrays: loading a saved index reads its
score matrix instead of re-tokenising and re-indexing every passage.

Layout: a document-term matrix of token counts (CSR, one row per passage) is the source of truth;
the BM25 score matrix (CSC, one column per term, so a query reads only its terms' columns) is
derived from it on the first search after a change (one vectorised rebuild per batch of changes).
A saved index holds both; the counts are read from the file only when a change needs them.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from scipy import sparse

from index.errors import IndexCorrupt

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_stemmer = Stemmer.Stemmer("english")
FORMAT = 2


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, Snowball-stemmed word tokens."""
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]


def terms(text: str) -> list[tuple[str, str]]:
    """The distinct tokens of `text` with the word each first came from: ("Tbilisi", "tbilisi")."""
    found: dict[str, str] = {}
    for word in _TOKEN.findall(text):
        lowered = word.lower()
        if lowered not in _STOPWORDS:
            found.setdefault(_stem(lowered), word)
    return [(word, token) for token, word in found.items()]


class KeywordIndex:
    """BM25 over passages, with adds and removals applied lazily on the next search."""

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._vocab: dict[str, int] = {}
        self._terms: list[str] = []
        self._ids = np.zeros(0, dtype=np.int64)  # row -> passage id, for the committed rows
        self._counts: sparse.csr_matrix | None = _empty_counts(0)  # None: still in the file (see _loader)
        self._loader = None  # reads the counts from the saved file, when first needed
        self._pending_ids: list[int] = []
        self._pending: list[sparse.csr_matrix] = []
        self._removed: set[int] = set()
        self._members: set[int] | None = None  # ids held, built on first need (adds and removals)
        self._scores: sparse.csc_matrix | None = _empty_scores(0, 0)
        self._score_ids = self._ids

    # -- contents -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids) - len(self._removed) + len(self._pending_ids)

    def __contains__(self, pid: object) -> bool:
        return int(pid) in self._held()  # type: ignore[call-overload]

    def _held(self) -> set[int]:
        if self._members is None:
            self._members = set(self._ids.tolist()) - self._removed
            self._members.update(self._pending_ids)
        return self._members

    def ids(self) -> np.ndarray:
        committed = self._ids if not self._removed else self._ids[~np.isin(self._ids, list(self._removed))]
        return np.concatenate([committed, np.asarray(self._pending_ids, dtype=np.int64)])

    def add(self, ids: list[int], texts: list[str]) -> None:
        """Index passages (an id already held is replaced)."""
        ids = [int(i) for i in ids]
        if not ids:
            return
        held = self._held()
        again = [i for i in ids if i in held]
        if again:
            self.remove(again)
            held = self._held()
        rows, cols = [], []
        vocab, terms = self._vocab, self._terms
        for row, text in enumerate(texts):
            for token in tokenize(text):
                col = vocab.get(token)
                if col is None:
                    col = vocab[token] = len(terms)
                    terms.append(token)
                rows.append(row)
                cols.append(col)
        data = np.ones(len(rows), dtype=np.float32)
        batch = sparse.csr_matrix((data, (np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.int32))),
                                  shape=(len(ids), 1 + max(cols, default=0)))
        batch.sum_duplicates()  # repeated tokens -> counts
        self._pending.append(batch)
        self._pending_ids.extend(ids)
        held.update(ids)
        self._scores = None

    def remove(self, ids: list[int]) -> int:
        held = self._held()
        gone = {int(i) for i in ids} & held
        if not gone:
            return 0
        pending = gone.intersection(self._pending_ids)
        if pending:  # not yet committed: rebuild the pending batches without them
            self._commit()
        self._removed |= gone
        held -= gone
        self._scores = None
        return len(gone)

    # -- building ---------------------------------------------------------------------------------

    def _load_counts(self) -> sparse.csr_matrix:
        if self._counts is None:
            self._counts = self._loader()
            self._loader = None
        return self._counts

    def _commit(self) -> None:
        """Fold pending additions and removals into the committed count matrix."""
        counts = self._load_counts()
        width = len(self._terms)
        if self._removed:
            keep = ~np.isin(self._ids, np.fromiter(self._removed, dtype=np.int64, count=len(self._removed)))
            counts, self._ids = counts[keep], self._ids[keep]
            self._removed = set()
        if self._pending:
            parts = [_widen(counts, width)] + [_widen(p, width) for p in self._pending]
            counts = sparse.vstack(parts, format="csr", dtype=np.float32)
            self._ids = np.concatenate([self._ids, np.asarray(self._pending_ids, dtype=np.int64)])
            self._pending, self._pending_ids = [], []
        self._counts = _widen(counts, width)

    def _built(self) -> sparse.csc_matrix:
        if self._scores is None:
            self._commit()
            self._scores = _bm25_scores(self._counts, self.k1, self.b)
            self._score_ids = self._ids
        return self._scores

    def prepare(self) -> None:
        """Build the BM25 score matrix now rather than on the first search."""
        self._built()

    def set_bm25(self, k1: float, b: float) -> None:
        """Score with these BM25 parameters from now on (the score matrix is rebuilt once if they change)."""
        if (k1, b) != (self.k1, self.b):
            self.k1, self.b = k1, b
            self._scores = None

    def document_frequencies(self, tokens: list[str]) -> list[int]:
        """How many passages hold each token (0 for a token no passage holds)."""
        scores = self._built()
        indptr, width = scores.indptr, scores.shape[1]
        out = []
        for token in tokens:
            col = self._vocab.get(token)
            out.append(int(indptr[col + 1] - indptr[col]) if col is not None and col < width else 0)
        return out

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids), best first; only passages sharing a term with the query."""
        return self.search_many([query], [k])[0]

    def search_many(self, queries: Sequence[str], ks: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        """`search` of each query with its own k: the score columns of all their terms are read once (a
        question and its parts share most terms), each query's scores summed in one sparse product."""
        scores_matrix = self._built()
        n, width = scores_matrix.shape
        empty = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        # A repeated query word counts again, as in bm25s: a term's weight is how often the query holds it.
        wanted = [Counter(c for c in map(self._vocab.get, tokenize(q)) if c is not None and c < width) for q in queries]
        union = sorted(set().union(*wanted))
        if not n or not union:
            return [empty] * len(queries)
        columns = scores_matrix[:, union]  # CSC: a copy of just these terms' columns
        where = {c: i for i, c in enumerate(union)}
        out = []
        for counts, k in zip(wanted, ks, strict=True):
            if not counts or k <= 0:
                out.append(empty)
                continue
            weights = np.zeros(len(union), dtype=np.float32)
            for c, times in counts.items():
                weights[where[c]] = times
            out.append(self._top(columns @ weights, k))
        return out

    def _top(self, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (scores, ids) of a score per row, best first, ties in the order passages were added."""
        n = len(scores)
        # Select among a few candidates, not all N (a partition of 1M scores took 11 ms): the k-th best
        # of every 16th score is at most the k-th best of all, so no top-k passage scores below it.
        floor = 0.0
        if n >= 64 * k:
            sample = -scores[::16]  # negated: numpy's introselect is slow on the many ties at 0
            floor = -float(np.partition(sample, k - 1)[k - 1])
        top = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores)
        if len(top) > k:
            top = top[np.argpartition(-scores[top], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]
        return scores[top], self._score_ids[top]

    # -- persistence --------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the counts, the score matrix and the vocabulary as one uncompressed .npz file."""
        scores = self._built()
        counts = self._load_counts()
        vocab = "\n".join(self._terms).encode("utf-8")
        with open(path, "wb") as f:
            np.savez(
                f, format=np.array(FORMAT), k1=np.array(self.k1), b=np.array(self.b), ids=self._ids,
                vocab=np.frombuffer(vocab, dtype=np.uint8), n_terms=np.array(len(self._terms)),
                score_data=scores.data.astype(np.float32, copy=False), score_indices=scores.indices.astype(np.int32),
                score_indptr=scores.indptr.astype(np.int64),
                count_data=np.minimum(counts.data, 65535).astype(np.uint16), count_indices=counts.indices.astype(np.int32),
                count_indptr=counts.indptr.astype(np.int64),
            )

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        """Read a saved index (or a legacy `keyword.json` of token lists, re-indexed on load).

        Raises:
            IndexCorrupt: the file is missing, unreadable or inconsistent.
        """
        try:
            with open(path, "rb") as f:
                head = f.read(2)
        except OSError as e:
            raise IndexCorrupt(f"keyword index {path.name} is unreadable: {e}") from e
        if head != b"PK":
            return cls._load_json(path)
        try:
            z = np.load(path, allow_pickle=False)
            if int(z["format"]) != FORMAT:
                raise ValueError(f"format {int(z['format'])}, expected {FORMAT}")
            index = cls(float(z["k1"]), float(z["b"]))
            vocab = z["vocab"].tobytes().decode("utf-8")
            index._terms = vocab.split("\n") if vocab else []
            if len(index._terms) != int(z["n_terms"]):
                raise ValueError("vocabulary size does not match")
            index._vocab = {t: i for i, t in enumerate(index._terms)}
            index._ids = z["ids"].astype(np.int64, copy=False)
            n, width = len(index._ids), len(index._terms)
            scores = sparse.csc_matrix((z["score_data"], z["score_indices"], z["score_indptr"]), shape=(n, width))
            scores.check_format(full_check=False)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as e:
            raise IndexCorrupt(f"keyword index {path.name} is unreadable: {e}") from e
        index._scores, index._score_ids = scores, index._ids
        index._counts = None

        def counts() -> sparse.csr_matrix:
            try:
                m = sparse.csr_matrix((z["count_data"].astype(np.float32), z["count_indices"], z["count_indptr"]),
                                      shape=(n, width))
                m.check_format(full_check=False)
            except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as e:
                raise IndexCorrupt(f"keyword index {path.name} is unreadable: {e}") from e
            return m

        index._loader = counts
        return index

    @classmethod
    def _load_json(cls, path: Path) -> KeywordIndex:
        import json

        try:
            with path.open(encoding="utf-8") as f:
                data = json.load(f)
            tokens = {int(k): v for k, v in data["tokens"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexCorrupt(f"keyword index {path.name} is unreadable: {e}") from e
        index = cls()
        index._add_tokens(list(tokens), list(tokens.values()))
        return index

    def _add_tokens(self, ids: list[int], token_lists: list[list[str]]) -> None:
        """Add passages already tokenised (the legacy file's token lists)."""
        rows, cols = [], []
        for row, tokens in enumerate(token_lists):
            for token in tokens:
                col = self._vocab.get(token)
                if col is None:
                    col = self._vocab[token] = len(self._terms)
                    self._terms.append(token)
                rows.append(row)
                cols.append(col)
        batch = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                  shape=(len(ids), max(len(self._terms), 1)))
        batch.sum_duplicates()
        self._pending.append(batch)
        self._pending_ids.extend(int(i) for i in ids)
        self._members = None
        self._scores = None


def _empty_counts(width: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((0, width), dtype=np.float32)


def _empty_scores(n: int, width: int) -> sparse.csc_matrix:
    return sparse.csc_matrix((n, width), dtype=np.float32)


def _widen(m: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """The same matrix with `width` columns (new terms have none of its counts)."""
    if m.shape[1] == width:
        return m
    return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))


def _bm25_scores(counts: sparse.csr_matrix, k1: float, b: float) -> sparse.csc_matrix:
    """Per (passage, term) BM25 scores from token counts, as bm25s' Lucene variant computes them."""
    n, width = counts.shape
    if not n or not counts.nnz:
        return _empty_scores(n, width)
    tf = counts.data.astype(np.float32)
    doc_len = np.asarray(counts.sum(axis=1)).ravel()
    avg = doc_len.mean()
    df = np.bincount(counts.indices, minlength=width)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))
    norm = (k1 * ((1 - b) + b * doc_len / avg)).astype(np.float32)
    data = idf[counts.indices] * (tf / (norm[rows] + tf))
    scores = sparse.csr_matrix((data.astype(np.float32), counts.indices, counts.indptr), shape=(n, width)).tocsc()
    scores.sort_indices()
    return scores
