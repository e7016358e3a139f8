"""Hybrid clause search: BM25 for exact policy wording, dense vectors for paraphrases, fused by RRF.

Enterprises ask both ways: quoting terms (技术改造, 贷款贴息, 首台套) that BM25 matches exactly, and
describing their situation in their own words, which only embeddings bridge. Reciprocal rank
fusion combines the two rankings without calibrating their incomparable scores.

Filters (policy ids, region) are applied to each side *before* fusion, so a filtered query still
gets k results from the allowed units instead of the allowed remainder of an unfiltered top k.

When no embedding model is available every query is answered by BM25 alone; the reason was
logged once when the model failed to load, so queries stay silent about it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal

import faiss
import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.core.settings import Settings
from assistant.retrieval.chunks import RetrievalUnit
from assistant.retrieval.embeddings import NO_MODEL, load_embeddings, model_id, query_vector
from assistant.retrieval.index_store import LoadedIndex, ensure_index
from assistant.retrieval.query_expansion import expand
from assistant.retrieval.tokens import get_tokenizer

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
# Shown to users (page status line, /ask JSON) when a configured model could not be used. No digits,
# so it can never lend support to a number in an answer (assistant.answering.grounding reads every field).
DENSE_UNAVAILABLE = (
    "语义检索模型未能加载，政策原文检索暂时只按关键词匹配，附上的依据条款可能不如平时准确；"
    "测算金额不受影响。请联系管理员。"
)
RRF_K = 60  # the constant from Cormack et al. (2009); damps the head of each ranking
CANDIDATES = 50  # how deep each side's ranking goes into the fusion
# The dense model's cost grows with the query (~0.8 ms per character on 2 CPU cores, with no cut-off
# of its own), and it runs under one lock: a pasted 2,000-character question, or the joined turns of
# a long conversation, held every other user's search for seconds. Questions are far shorter (the
# gold sets' longest is 52 characters); the dense side reads the head, BM25 still reads everything.
MAX_DENSE_QUERY_CHARS = 200


@dataclass(frozen=True)
class SearchHit:
    """One result. `score` is the RRF score in hybrid mode, BM25 score or cosine otherwise; ranks are 1-based."""

    unit: RetrievalUnit
    score: float
    bm25_rank: int | None
    dense_rank: int | None

    def to_json(self) -> dict[str, Any]:
        """The citation-ready view used by the UI, the LLM prompt and the evaluation."""
        u = self.unit
        return {
            "doc_number": u.doc_number,
            "title": u.short_title,
            "policy_id": u.policy_id,
            "clause_id": u.clause_id,
            "heading_path": list(u.heading_path),
            "start": u.start,
            "end": u.end,
            "text": u.text,
            "score": float(self.score),
        }


class HybridRetriever:
    """Searches one loaded index; holds no model unless given one whose id matches the index."""

    def __init__(self, index: LoadedIndex, embeddings: Embeddings | None = None) -> None:
        self.index = index
        self._tokenize = get_tokenizer(index.tokenizer)
        self._tokenize("预热")  # load the jieba dictionary now rather than during the first query
        self._policy_ids = [u.policy_id for u in index.units]
        self._regions = [u.region for u in index.units]
        self._embeddings = None
        if embeddings is not None and index.dense is not None:
            if model_id(embeddings) == index.model_id:
                self._embeddings = embeddings
            else:
                logger.warning(
                    "向量模型与索引不符，仅用 BM25 / model %s does not match index model %s: BM25 only",
                    model_id(embeddings),
                    index.model_id,
                )

    @property
    def has_dense(self) -> bool:
        return self._embeddings is not None

    def search(
        self,
        query: str,
        k: int = 5,
        policy_ids: set[str] | None = None,
        region: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """Top `k` units for `query` among those passing the filters.

        `policy_ids=None` means all policies; `region` is a name filter for people searching
        (`search --region 济源`): units whose region name contains it ("河南省" matches "河南省济源市").
        It is not the rule for whether a policy applies to a place, which is texts.regions.covers
        (the app filters by the policies covering the place instead). Without a dense model every
        mode is answered by BM25.
        """
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown search mode {mode!r}")
        allowed = self._allowed(policy_ids, region)
        if k <= 0 or (allowed is not None and not allowed.any()):
            return []
        if not self.has_dense:
            mode = "bm25"
        bm25 = self._bm25_ranking(query, allowed, k if mode == "bm25" else CANDIDATES) if mode != "dense" else []
        dense = self._dense_ranking(query, allowed, k if mode == "dense" else CANDIDATES) if mode != "bm25" else []
        if mode == "bm25":
            return [SearchHit(self.index.units[r], s, i, None) for i, (r, s) in enumerate(bm25, 1)]
        if mode == "dense":
            return [SearchHit(self.index.units[r], s, None, i) for i, (r, s) in enumerate(dense, 1)]
        return self._fuse(bm25, dense, k)

    def _allowed(self, policy_ids: set[str] | None, region: str | None) -> np.ndarray | None:
        """Boolean mask of units passing the filters, or None when there is no filter."""
        if policy_ids is None and not region:
            return None
        return np.fromiter(
            (
                (policy_ids is None or p in policy_ids) and (not region or region in r)
                for p, r in zip(self._policy_ids, self._regions)
            ),
            dtype=bool,
            count=len(self._policy_ids),
        )

    def _bm25_ranking(self, query: str, allowed: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        scores = self.index.bm25.scores(self._tokenize(expand(query)))
        if allowed is not None:
            scores[~allowed] = 0.0
        rows = np.flatnonzero(scores > 0)
        rows = rows[np.lexsort((rows, -scores[rows]))][:depth]  # best first, ties by corpus order
        return [(int(r), float(scores[r])) for r in rows]

    def _dense_ranking(self, query: str, allowed: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        assert self._embeddings is not None and self.index.dense is not None
        q = query_vector(self._embeddings, query[:MAX_DENSE_QUERY_CHARS]).reshape(1, -1)
        params = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            depth = min(depth, len(ids))
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        depth = min(depth, self.index.dense.ntotal)
        if depth <= 0:
            return []
        scores, rows = self.index.dense.search(q, depth, params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def _fuse(self, bm25: list[tuple[int, float]], dense: list[tuple[int, float]], k: int) -> list[SearchHit]:
        """Reciprocal rank fusion: score = sum over rankings of 1 / (RRF_K + rank)."""
        bm25_rank = {r: i for i, (r, _) in enumerate(bm25, 1)}
        dense_rank = {r: i for i, (r, _) in enumerate(dense, 1)}
        fused = {
            r: sum(1.0 / (RRF_K + ranks[r]) for ranks in (bm25_rank, dense_rank) if r in ranks)
            for r in bm25_rank.keys() | dense_rank.keys()
        }
        best = sorted(fused, key=lambda r: (-fused[r], min(bm25_rank.get(r, 10**9), dense_rank.get(r, 10**9)), r))
        return [SearchHit(self.index.units[r], fused[r], bm25_rank.get(r), dense_rank.get(r)) for r in best[:k]]


def build_retriever(
    settings: Settings | None = None,
    embeddings: Embeddings | None = None,
    *,
    load_model: bool = True,
    progress: bool = True,
) -> HybridRetriever:
    """A retriever over the policy corpus, building or refreshing the on-disk index as needed.

    Loads the configured embedding model unless one is passed (or `load_model=False`, BM25 only).
    """
    from assistant.retrieval.corpus import corpus_fingerprint, load_units  # the corpus is only needed here

    settings = settings or Settings.from_env()
    if embeddings is None and load_model:
        embeddings = load_embeddings(settings.embedding_model)
    index = ensure_index(settings, lambda: load_units(settings), corpus_fingerprint(settings), embeddings, progress)
    return HybridRetriever(index, embeddings)


_DEFAULT: dict[Settings, HybridRetriever] = {}
_DEFAULT_LOCK = threading.Lock()


def default_retriever(settings: Settings | None = None) -> HybridRetriever:
    """The process-wide retriever for `settings` (from the environment if None), built once.

    Locked so that concurrent first questions (web UI threads) do not build the index twice.
    """
    settings = settings or Settings.from_env()
    with _DEFAULT_LOCK:
        if settings not in _DEFAULT:
            _DEFAULT[settings] = build_retriever(settings)
        return _DEFAULT[settings]


def forget_retriever(settings: Settings) -> None:
    """Drop the process-wide retriever for `settings`: for a trial engine's (a draft policy folder
    tried in the officer console) once its temporary copy is removed, so that trials, each under
    settings of its own, do not pile up in a long-running server."""
    with _DEFAULT_LOCK:
        _DEFAULT.pop(settings, None)


def dense_warning(settings: Settings, retriever: HybridRetriever | None) -> str | None:
    """The user-facing warning when a dense model was configured but searches run on BM25 alone.

    The reason (missing weights, a model not matching the index) is in the log already; users are
    told only that sources may be less precise, because the figures do not depend on retrieval.
    """
    if retriever is None or retriever.has_dense or settings.embedding_model.strip().lower() in NO_MODEL:
        return None
    return DENSE_UNAVAILABLE


def ready_retriever(settings: Settings | None = None) -> HybridRetriever | None:
    """The process-wide retriever if it is already built, without waiting for a build under way."""
    return _DEFAULT.get(settings or Settings.from_env())


def search(
    query: str,
    k: int = 5,
    policy_ids: set[str] | None = None,
    region: str | None = None,
    mode: Mode = "hybrid",
    retriever: HybridRetriever | None = None,
) -> list[SearchHit]:
    """Search without LangChain: on `retriever`, or on the default index built from the policy files."""
    return (retriever or default_retriever()).search(query, k=k, policy_ids=policy_ids, region=region, mode=mode)
