"""Okapi BM25 over pre-tokenized documents, as a compact inverted index in numpy arrays.

Why not `rank_bm25.BM25Okapi`: it scores every document with a Python loop per query term
(milliseconds per term on a few thousand units) and can only be persisted by pickling. Here each
term's postings carry their final BM25 weight, so a query is one vectorised add per query term,
and the whole index is four arrays in one `.npz` (no pickle) that loads without re-tokenising.

Scoring: score(d, q) = sum over query tokens t (repeats count) of
    idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
with the non-negative idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5)) (as in Lucene), so a term found
in most units still counts a little instead of going negative as in the classic formula.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class BM25Index:
    """Postings of term i are doc_ids[indptr[i]:indptr[i+1]], with their precomputed BM25 weights."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab) + 1
    doc_ids: np.ndarray  # int32
    weights: np.ndarray  # float32, same length as doc_ids
    n_docs: int

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> BM25Index:
        """Index token lists; document i of `docs` is row i of every score array."""
        counts = [Counter(doc) for doc in docs]
        lengths = np.array([len(doc) for doc in docs], dtype=np.float64)
        avgdl = float(lengths.mean()) if len(docs) and lengths.sum() else 1.0
        norm = k1 * (1.0 - b + b * lengths / avgdl)

        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, counter in enumerate(counts):
            for term, tf in counter.items():
                postings.setdefault(term, []).append((doc_id, tf))

        terms = sorted(postings)
        sizes = np.array([len(postings[t]) for t in terms], dtype=np.int64)
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        pairs = np.array([p for t in terms for p in postings[t]], dtype=np.int64).reshape(-1, 2)
        doc_ids, tf = pairs[:, 0], pairs[:, 1].astype(np.float64)

        n = len(docs)
        idf = np.log1p((n - sizes + 0.5) / (sizes + 0.5))
        weights = np.repeat(idf, sizes) * tf * (k1 + 1.0) / (tf + norm[doc_ids])
        return cls(
            vocab={t: i for i, t in enumerate(terms)},
            indptr=indptr,
            doc_ids=doc_ids.astype(np.int32),
            weights=weights.astype(np.float32),
            n_docs=n,
        )

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every document (float32, length n_docs); 0 where no query token occurs."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for token in query_tokens:
            i = self.vocab.get(token)
            if i is not None:
                lo, hi = self.indptr[i], self.indptr[i + 1]
                out[self.doc_ids[lo:hi]] += self.weights[lo:hi]
        return out

    def save(self, path: Path) -> None:
        """Write one `.npz`; terms are a fixed-width unicode array, so loading needs no pickle."""
        terms = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=np.str_)
        with open(path, "wb") as f:
            np.savez(
                f,
                terms=terms,
                indptr=self.indptr,
                doc_ids=self.doc_ids,
                weights=self.weights,
                n_docs=np.array(self.n_docs, dtype=np.int64),
            )

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """Read what `save` wrote; raises ValueError if the arrays do not fit together."""
        with np.load(path, allow_pickle=False) as z:
            terms = z["terms"].tolist()
            index = cls(
                vocab={t: i for i, t in enumerate(terms)},
                indptr=z["indptr"],
                doc_ids=z["doc_ids"],
                weights=z["weights"],
                n_docs=int(z["n_docs"]),
            )
        if (
            len(index.indptr) != len(terms) + 1
            or not int(index.indptr[-1]) == len(index.doc_ids) == len(index.weights)
            or (len(index.doc_ids) and int(index.doc_ids.max()) >= index.n_docs)
        ):
            raise ValueError(f"inconsistent BM25 arrays in {path}")
        return index
