"""A small synthetic Chinese policy corpus and a counting, deterministic embedder.

The corpus stands in for `assistant.retrieval.corpus.load_units` so retrieval and the index store can be
tested without the real policy files; the hashing embedder makes cache behaviour observable
without loading a model. (A module of its own, not conftest, so tests import it by a name no
other conftest shadows.)
"""

from __future__ import annotations

import zlib

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.retrieval.chunks import RetrievalUnit

# (policy_id, short_title, doc_number, region, [(clause_id, heading, text), ...])
POLICIES = [
    (
        "hk-jigai",
        "河口区技改意见",
        "东河政发〔2020〕5号",
        "山东省东营市河口区",
        [
            (
                "2.1",
                "技术改造奖补",
                "对企业实施的技术改造项目，设备投资额在500万元以上的，按照设备投资额的10%给予奖补，单个项目最高不超过200万元。",
            ),
            ("2.2", "贷款贴息", "对企业技术改造项目使用银行贷款的，按照实际贷款利息的50%给予贴息，贴息期限不超过2年。"),
            (
                "2.3",
                "首台（套）奖励",
                "对企业研制的首台（套）重大技术装备，经认定后按照产品销售价格的20%给予一次性奖励。",
            ),
            ("3.1", "申报程序", "企业应于每年3月底前向区工业和信息化局提交申报材料，经审核公示后拨付资金。"),
        ],
    ),
    (
        "jy-zhizao",
        "济源制造业意见",
        "济政〔2021〕12号",
        "河南省济源市",
        [
            ("1", "僵尸企业处置", "对长期停产、资不抵债的僵尸企业，依法依规实施破产重整或清算退出，妥善安置职工。"),
            ("2", "智能化改造", "支持企业建设智能工厂和数字化车间，对认定为省级智能工厂的给予100万元奖励。"),
            ("3", "人才引进", "对企业引进的高层次人才，按照年薪的30%给予补贴，连续补贴3年。"),
            ("4", "绿色制造", "对通过清洁生产审核的企业，给予一次性奖励20万元。"),
        ],
    ),
    (
        "hn-zhongxiao",
        "河南中小企业措施",
        None,
        "河南省",
        [
            ("一", "专精特新", "对新认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元。"),
            ("二", "融资担保", "对为中小企业提供融资担保的机构，按照担保额的1%给予风险补偿。"),
            ("三", "上市奖励", "对在境内外资本市场首发上市的企业，分阶段给予总额不超过500万元的奖励。"),
            ("四", "研发后补助", "企业研发费用按照实际发生额的10%给予后补助，最高不超过100万元。"),
        ],
    ),
    (
        "dy-shuzi",
        "东营数字经济政策",
        "东政办发〔2022〕8号",
        "山东省东营市",
        [
            ("1", "企业上云", "对企业购买云服务的，按照实际支出的30%给予补助，最高10万元。"),
            ("2", "工业互联网", "对建设5G基站和工业互联网平台的项目，按照投资额的15%给予补助。"),
            ("3", "数据中心", "对新建数据中心项目，按照用电量给予电价补贴每千瓦时0.1元。"),
            ("4", "首版次软件", "对首次入选省级首版次高端软件产品的，给予30万元奖励。"),
        ],
    ),
]


def make_units(edits: dict[str, str] | None = None) -> list[RetrievalUnit]:
    """The synthetic corpus; `edits` maps unit_id to replacement text (to simulate a policy change)."""
    edits = edits or {}
    units = []
    for policy_id, title, doc_number, region, clauses in POLICIES:
        offset = 0
        for clause_id, heading, text in clauses:
            unit_id = f"{policy_id}:{clause_id}"
            text = edits.get(unit_id, text)
            units.append(
                RetrievalUnit(
                    unit_id=unit_id,
                    policy_id=policy_id,
                    doc_number=doc_number,
                    short_title=title,
                    clause_id=clause_id,
                    heading_path=(f"第{clause_id}条", heading),
                    start=offset,
                    end=offset + len(text),
                    text=text,
                    region=region,
                )
            )
            offset += len(text) + 1
    return units


class HashingEmbeddings(Embeddings):
    """Deterministic character-bigram hashing vectors; counts every text it embeds."""

    def __init__(self, dim: int = 128, model_id: str = "hashing-test-128") -> None:
        self.dim = dim
        self.model_id = model_id
        self.embedded: list[str] = []

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        for i in range(len(text) - 1):
            v[zlib.crc32(text[i : i + 2].encode()) % self.dim] += 1.0
        return v.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)
