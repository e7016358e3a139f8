"""Build, persist, validate and load the retrieval index (BM25 + optional dense FAISS).

Why a keyed folder per build: the index depends on the corpus, the tokenizer and the embedding
model, and a stale index silently returns wrong clauses. The folder name is a hash of all three,
so a change in any of them simply finds no index and builds a new one; a folder whose files do
not match its manifest (interrupted copy, truncated file) is rebuilt too, with a logged reason.

Layout under `settings.build_dir`:

    <key>/manifest.json    key, corpus fingerprint, tokenizer, model id, unit count, dimension,
                           created time, byte size of every other file (written last)
    <key>/units.jsonl      one RetrievalUnit per line, in index row order
    <key>/bm25.npz         BM25Index arrays (no pickle)
    <key>/dense.faiss      faiss.IndexFlatIP over unit-length vectors (absent when BM25-only)
    embedding-cache/<model id>.npz   vectors by sha256(model id + text), shared by all builds,
                                     so editing one policy re-embeds only its changed units

Embedding is the only slow step (tens of ms per unit on CPU), hence the cache and progress bar.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from assistant.core.settings import Settings
from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.chunks import RetrievalUnit
from assistant.retrieval.embeddings import model_id as get_model_id
from assistant.retrieval.embeddings import passage_matrix
from assistant.retrieval.tokens import TOKENIZER_REVISION, get_tokenizer, tokenizer_name

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1  # bump when the on-disk layout changes: old folders then get a different key
MANIFEST, UNITS, BM25_FILE, DENSE_FILE = "manifest.json", "units.jsonl", "bm25.npz", "dense.faiss"
CACHE_DIR = "embedding-cache"
BM25_ONLY = "bm25only"
EMBED_BATCH = 32


class IndexStale(Exception):
    """The index on disk is missing or unusable; the message says why (it is logged on rebuild)."""


@dataclass(frozen=True)
class LoadedIndex:
    """An index ready to search: units in row order, their BM25 postings and dense vectors."""

    folder: Path
    manifest: dict[str, Any]
    units: list[RetrievalUnit]
    bm25: BM25Index
    dense: faiss.Index | None

    @property
    def tokenizer(self) -> str:
        return self.manifest["tokenizer"]

    @property
    def model_id(self) -> str | None:
        return self.manifest["model_id"]


def index_key(fingerprint: str, tokenizer: str, model_id: str | None) -> str:
    """Folder name of the index for this corpus, tokenizer and model; readable prefix, hashed tail."""
    material = json.dumps([FORMAT_VERSION, fingerprint, tokenizer, TOKENIZER_REVISION, model_id])
    digest = hashlib.sha256(material.encode()).hexdigest()[:16]
    return _slug(f"{tokenizer}-{model_id or BM25_ONLY}-{digest}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


# --------------------------------------------------------------------------- embedding cache


class EmbeddingCache:
    """Passage vectors of one model, keyed by sha256 of model id + text, in one `.npz` file."""

    def __init__(self, build_dir: Path, model_id: str) -> None:
        self.model_id = model_id
        self.path = Path(build_dir) / CACHE_DIR / f"{_slug(model_id)}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self.embedded = 0  # texts sent to the model by this object, for logs and tests
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as z:
                    self._vectors = dict(zip(z["keys"].tolist(), z["vectors"]))
            except Exception as exc:
                logger.warning("embedding cache %s unreadable, starting empty: %s", self.path, exc)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\n{text}".encode()).hexdigest()

    def vectors_for(self, texts: Sequence[str], embeddings: Embeddings, progress: bool = True) -> np.ndarray:
        """Vectors of `texts` in order, embedding (in batches, with a progress bar) only unseen texts."""
        keys = [self._key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in self._vectors))
        if missing:
            logger.info("embedding %d of %d units with %s", len(missing), len(texts), self.model_id)
            with tqdm(total=len(missing), desc="embedding units", unit="unit", disable=not progress) as bar:
                for i in range(0, len(missing), EMBED_BATCH):
                    batch = missing[i : i + EMBED_BATCH]
                    for text, vec in zip(batch, passage_matrix(embeddings, batch)):
                        self._vectors[self._key(text)] = vec
                    self.embedded += len(batch)
                    bar.update(len(batch))
            self.save()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.ascontiguousarray(np.stack([self._vectors[k] for k in keys]), dtype=np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "wb") as f:
            np.savez(
                f, keys=np.array(list(self._vectors), dtype=np.str_), vectors=np.stack(list(self._vectors.values()))
            )
        os.replace(tmp, self.path)


# --------------------------------------------------------------------------- build


def build_index(
    units: Sequence[RetrievalUnit],
    embeddings: Embeddings | None,
    settings: Settings,
    fingerprint: str,
    progress: bool = True,
) -> LoadedIndex:
    """Tokenize and embed `units`, write the keyed folder atomically, and return it loaded."""
    started = time.perf_counter()
    tokenizer = tokenizer_name(settings)
    mid = get_model_id(embeddings)
    key = index_key(fingerprint, tokenizer, mid)
    texts = [u.indexed_text for u in units]

    tokenize = get_tokenizer(tokenizer)
    bm25 = BM25Index.build([tokenize(t) for t in texts])
    dense = None
    if embeddings is not None and mid is not None:
        vectors = EmbeddingCache(settings.build_dir, mid).vectors_for(texts, embeddings, progress)
        dense = faiss.IndexFlatIP(vectors.shape[1]) if len(units) else None
        if dense is not None:
            dense.add(vectors)

    build_dir = Path(settings.build_dir)
    tmp = build_dir / f".{key}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir(parents=True)
    try:
        with open(tmp / UNITS, "w", encoding="utf-8") as f:
            for u in units:
                f.write(json.dumps(dataclasses.asdict(u), ensure_ascii=False) + "\n")
        bm25.save(tmp / BM25_FILE)
        if dense is not None:
            faiss.write_index(dense, str(tmp / DENSE_FILE))
        manifest = {
            "key": key,
            "format": FORMAT_VERSION,
            "corpus_fingerprint": fingerprint,
            "tokenizer": tokenizer,
            "model_id": mid,
            "unit_count": len(units),
            "dimension": int(dense.d) if dense is not None else None,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "files": {p.name: p.stat().st_size for p in sorted(tmp.iterdir())},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        final = build_dir / key
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:  # another process finished the same build first: identical content
            logger.info("index %s was built concurrently by another process; using it", key)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("built index %s: %d units in %.1f s", key, len(units), manifest["build_seconds"])
    return LoadedIndex(final, manifest, list(units), bm25, dense)


# --------------------------------------------------------------------------- load


def load_index(settings: Settings, fingerprint: str, embeddings: Embeddings | None) -> LoadedIndex:
    """The built index for this corpus/tokenizer/model; raises IndexStale if missing or damaged.

    Checks the manifest's key, every file's recorded byte size and the unit count of each part,
    so a truncated or half-copied folder is never searched. Loads no model and tokenizes nothing.
    """
    tokenizer = tokenizer_name(settings)
    mid = get_model_id(embeddings)
    key = index_key(fingerprint, tokenizer, mid)
    folder = Path(settings.build_dir) / key
    if not (folder / MANIFEST).is_file():
        raise IndexStale(_why_missing(Path(settings.build_dir), key, fingerprint, tokenizer, mid))
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        _check_files(folder, manifest, key)
        units = _read_units(folder / UNITS)
        bm25 = BM25Index.load(folder / BM25_FILE)
        dense = faiss.read_index(str(folder / DENSE_FILE)) if DENSE_FILE in manifest["files"] else None
    except IndexStale:
        raise
    except Exception as exc:
        raise IndexStale(f"index {key} is unreadable: {type(exc).__name__}: {exc}") from exc
    n = manifest["unit_count"]
    if mid is not None and n and dense is None:
        raise IndexStale(f"index {key}: manifest lists no {DENSE_FILE} although model {mid} was used")
    counts = {"units.jsonl": len(units), "bm25": bm25.n_docs}
    if dense is not None:
        counts["dense.faiss"] = dense.ntotal
        if dense.d != manifest["dimension"]:
            raise IndexStale(f"index {key}: dense dimension {dense.d} != manifest {manifest['dimension']}")
    wrong = {name: c for name, c in counts.items() if c != n}
    if wrong:
        raise IndexStale(f"index {key}: manifest says {n} units but found {wrong}")
    return LoadedIndex(folder, manifest, units, bm25, dense)


def _check_files(folder: Path, manifest: dict[str, Any], key: str) -> None:
    if manifest.get("key") != key or manifest.get("format") != FORMAT_VERSION:
        raise IndexStale(f"index {key}: manifest is for {manifest.get('key')!r} (format {manifest.get('format')})")
    for name, size in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise IndexStale(f"index {key}: {name} is missing")
        actual = path.stat().st_size
        if actual != size:
            raise IndexStale(f"index {key}: {name} is {actual} bytes, manifest recorded {size} (truncated)")


def _read_units(path: Path) -> list[RetrievalUnit]:
    units = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            d["heading_path"] = tuple(d["heading_path"])
            units.append(RetrievalUnit(**d))
    return units


def _why_missing(build_dir: Path, key: str, fingerprint: str, tokenizer: str, mid: str | None) -> str:
    """Name what changed since the newest existing index, so the rebuild log is informative."""
    newest: dict[str, Any] | None = None
    for m in build_dir.glob(f"*/{MANIFEST}"):
        try:
            cand = json.loads(m.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if newest is None or cand.get("created", "") > newest.get("created", ""):
            newest = cand
    if newest is None:
        return f"no index built yet in {build_dir} (key {key})"
    changed = [
        label
        for label, field, want in (
            ("policy corpus or chunking", "corpus_fingerprint", fingerprint),
            ("tokenizer", "tokenizer", tokenizer),
            ("embedding model", "model_id", mid),
            ("index format", "format", FORMAT_VERSION),
        )
        if newest.get(field) != want
    ]
    return (
        f"no index for key {key}; since the last build ({newest.get('key')}) changed: {', '.join(changed) or 'unknown'}"
    )


def ensure_index(
    settings: Settings,
    units_fn: Callable[[], Sequence[RetrievalUnit]],
    fingerprint: str,
    embeddings: Embeddings | None,
    progress: bool = True,
) -> LoadedIndex:
    """Load the current index, or (re)build it from `units_fn()` and say why in the log."""
    try:
        return load_index(settings, fingerprint, embeddings)
    except IndexStale as why:
        logger.warning("重建检索索引 / rebuilding retrieval index: %s", why)
    return build_index(units_fn(), embeddings, settings, fingerprint, progress=progress)
