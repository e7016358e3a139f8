"""The on-disk index: round trip, staleness and damage detection, and the per-text embedding cache."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from synthetic import HashingEmbeddings, make_units

from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.index_store import (
    CACHE_DIR,
    DENSE_FILE,
    MANIFEST,
    IndexStale,
    build_index,
    ensure_index,
    index_key,
    load_index,
)

FP = "corpus-v1"
QUERIES = ["技术改造项目设备投资奖补", "僵尸企业破产重整", "贷款利息贴息", "云服务补助"]


def _results(index, emb):
    r = HybridRetriever(index, emb)
    return [[(h.unit.unit_id, round(h.score, 6)) for h in r.search(q, k=5)] for q in QUERIES]


def test_build_then_load_gives_identical_results(units, settings):
    emb = HashingEmbeddings()
    built = build_index(units, emb, settings, FP, progress=False)
    loaded = load_index(settings, FP, emb)
    assert loaded.folder == built.folder and loaded.folder.parent == settings.build_dir
    assert loaded.units == units
    assert {p.name for p in loaded.folder.iterdir()} == {MANIFEST, "units.jsonl", "bm25.npz", DENSE_FILE}
    manifest = json.loads((loaded.folder / MANIFEST).read_text())
    assert manifest["unit_count"] == len(units) and manifest["dimension"] == emb.dim
    assert manifest["model_id"] == emb.model_id and manifest["tokenizer"] == "jieba"
    assert _results(loaded, emb) == _results(built, emb)
    assert (settings.build_dir / CACHE_DIR / f"{emb.model_id}.npz").is_file()


def test_changed_unit_changes_key_and_reembeds_only_that_unit(units, settings, caplog):
    emb = HashingEmbeddings()
    first = ensure_index(settings, lambda: units, FP, emb, progress=False)
    assert len(emb.embedded) == len(units)

    edited = make_units({"jy-zhizao:3": "对企业引进的高层次人才，按照年薪的40%给予补贴，连续补贴5年。"})
    emb.embedded.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.index_store"):
        second = ensure_index(settings, lambda: edited, "corpus-v2", emb, progress=False)
    assert second.folder != first.folder
    assert emb.embedded == [edited[6].indexed_text]
    assert "policy corpus" in caplog.text
    hit = HybridRetriever(second, emb).search("高层次人才年薪补贴", k=1)[0]
    assert "40%" in hit.unit.text

    emb.embedded.clear()
    assert ensure_index(settings, lambda: pytest.fail("must not rebuild"), "corpus-v2", emb).folder == second.folder
    assert emb.embedded == []


def test_truncated_dense_file_is_detected_and_rebuilt(units, settings, caplog):
    emb = HashingEmbeddings()
    built = build_index(units, emb, settings, FP, progress=False)
    dense = built.folder / DENSE_FILE
    dense.write_bytes(dense.read_bytes()[:100])
    with pytest.raises(IndexStale, match="truncated"):
        load_index(settings, FP, emb)

    emb.embedded.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.index_store"):
        rebuilt = ensure_index(settings, lambda: units, FP, emb, progress=False)
    assert "dense.faiss" in caplog.text
    assert emb.embedded == []  # vectors came from the cache
    assert rebuilt.dense.ntotal == len(units)
    assert load_index(settings, FP, emb).dense.ntotal == len(units)


def test_unit_count_mismatch_is_stale(units, settings):
    built = build_index(units, None, settings, FP, progress=False)
    manifest = json.loads((built.folder / MANIFEST).read_text())
    manifest["unit_count"] += 1
    (built.folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexStale, match="units"):
        load_index(settings, FP, None)


def test_key_depends_on_model_tokenizer_and_corpus(units, settings, monkeypatch):
    keys = {
        index_key(FP, "jieba", "model-a"),
        index_key(FP, "jieba", "model-b"),
        index_key(FP, "char", "model-a"),
        index_key("other", "jieba", "model-a"),
        index_key(FP, "jieba", None),
    }
    assert len(keys) == 5
    assert "bm25only" in index_key(FP, "jieba", None)

    a = build_index(units, HashingEmbeddings(model_id="hash-a"), settings, FP, progress=False)
    b = build_index(units, HashingEmbeddings(model_id="hash-b"), settings, FP, progress=False)
    assert a.folder != b.folder
    with pytest.raises(IndexStale, match="tokenizer"):
        load_index(replace(settings, tokenizer="char"), FP, HashingEmbeddings(model_id="hash-a"))


def test_bm25_only_index(units, settings):
    index = ensure_index(settings, lambda: units, FP, None, progress=False)
    assert index.dense is None and not (index.folder / DENSE_FILE).exists()
    assert "bm25only" in index.folder.name
    loaded = load_index(settings, FP, None)
    hits = HybridRetriever(loaded, None).search("僵尸企业", k=3)
    assert hits[0].unit.unit_id == "jy-zhizao:1"
