"""The systems the retrieval benchmark compares: our retriever in each mode, and the Langchain-Chatchat baseline."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.bench.gold import Span
from assistant.core.settings import Settings

# --------------------------------------------------------------------------- systems

SearchFn = Callable[[str], list[Span]]


# Langchain-Chatchat's splitter settings for Chinese text; the source text is fed as received.
BASELINE_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", " ", ""]
BASELINE_CHUNK_SIZE = 250
BASELINE_CHUNK_OVERLAP = 50
BASELINE_WEIGHTS = [0.5, 0.5]


def our_search(retriever: Any, mode: str, k: int) -> SearchFn:
    """Our retriever in one mode, its units turned into spans (the conversion is timed with it)."""

    def search(query: str) -> list[Span]:
        hits = retriever.search(query, k=k, mode=mode)
        return [Span(h.unit.policy_id, h.unit.start, h.unit.end, h.unit.unit_id) for h in hits]

    return search


def product_search(retriever: Any, k: int, settings: Settings) -> SearchFn:
    """Hybrid search as the product runs it: limited to the policies covering the place the question
    names (河口 → the 河口 text; 济源 → 济源 and 河南省), found by the same deterministic reader."""
    from assistant.answering.selection import covering_policies
    from assistant.reading.understanding import understand
    from assistant.rules.rulebook import load_rulebook

    book = load_rulebook(settings)

    def search(query: str) -> list[Span]:
        place = understand(query, book.vocabulary).facts.place
        policy_ids = {p.id for p in covering_policies(book, place)} if place else None
        hits = retriever.search(query, k=k, mode="hybrid", policy_ids=policy_ids or None)
        return [Span(h.unit.policy_id, h.unit.start, h.unit.end, h.unit.unit_id) for h in hits]

    return search


def chunk_span(doc: Any) -> Span:
    """A baseline chunk's span: splitter start_index .. start_index + len(chunk)."""
    start = int(doc.metadata["start_index"])
    policy_id = doc.metadata["policy_id"]
    return Span(policy_id, start, start + len(doc.page_content), f"{policy_id}@{start}-{start + len(doc.page_content)}")


def chunk_search(retriever: Any, k: int) -> SearchFn:
    """A LangChain retriever (the baseline's) answering through `invoke`, top k as spans."""

    def search(query: str) -> list[Span]:
        return [chunk_span(d) for d in retriever.invoke(query)[:k]]

    return search


def embedding_probe(embeddings: Any) -> SearchFn:
    """The query embedding alone, returning nothing: what share of a dense query the model takes."""

    def probe(query: str) -> list[Span]:
        embeddings.embed_query(query)
        return []

    return probe


def baseline_documents(policies_dir: Path) -> list[Any]:
    """Every source.txt split Chatchat's way; metadata carries the policy id and start_index."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=BASELINE_SEPARATORS,
        chunk_size=BASELINE_CHUNK_SIZE,
        chunk_overlap=BASELINE_CHUNK_OVERLAP,
        add_start_index=True,
    )
    docs: list[Any] = []
    for source in sorted(Path(policies_dir).glob("*/source.txt")):
        text = source.read_bytes().decode("utf-8")  # as received: nothing stripped or cleaned
        docs.extend(splitter.create_documents([text], metadatas=[{"policy_id": source.parent.name}]))
    return docs


@dataclass(frozen=True)
class Baseline:
    """The baseline's retrievers: the ensemble as shipped, and its two halves for diagnosis."""

    bm25: Any
    faiss: Any
    ensemble: Any
    chunks: int


def build_baseline(policies_dir: Path, embeddings: Any, k: int) -> Baseline:
    """jieba BM25 + FAISS (same embedding model as ours) fused 0.5/0.5, k results from each."""
    import jieba
    from langchain_classic.retrievers import EnsembleRetriever

    with warnings.catch_warnings():  # langchain-community announces its sunset on import
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.retrievers import BM25Retriever
        from langchain_community.vectorstores import FAISS

    docs = baseline_documents(policies_dir)
    bm25 = BM25Retriever.from_documents(docs, preprocess_func=jieba.lcut_for_search, k=k)
    faiss_retriever = FAISS.from_documents(docs, embedding=embeddings).as_retriever(search_kwargs={"k": k})
    ensemble = EnsembleRetriever(retrievers=[bm25, faiss_retriever], weights=BASELINE_WEIGHTS)
    return Baseline(bm25, faiss_retriever, ensemble, len(docs))
