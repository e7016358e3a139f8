"""Fact answers: the kind of answer asked for is preferred, and its absence said — end to end from
tests/answering/data/fact_answers.yaml, and on small sources for the choice itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.answering.api_models import Source
from assistant.answering.engine import Engine, default_engine
from assistant.answering.extractive import PairStats, asked_kinds, best_sentences, unstated
from assistant.core.settings import Settings
from assistant.rules.rulebook import load_vocabulary

CASES = yaml.safe_load((Path(__file__).parent / "data" / "fact_answers.yaml").read_text(encoding="utf-8"))
KINDS = load_vocabulary(Settings.from_env()).answer_kinds


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


@pytest.mark.parametrize("case", CASES, ids=[c["q"] for c in CASES])
def test_a_fact_question_gets_the_sentence_or_is_told_the_text_does_not_say(engine: Engine, case: dict) -> None:
    r = engine.ask(case["q"], case["as_of"])
    assert r.kind == "fact" and r.programs == [] and r.follow_up is None
    if "quoted" in case:
        assert case["quoted"] in r.answer and "未载明" not in r.answer
    if "first" in case:
        assert case["first"] in r.quotes[0].text and "未载明" not in r.answer
    for label in case.get("unstated", []):
        assert f"政策原文未载明{label}" in r.answer or f"、{label}" in r.answer


@pytest.mark.parametrize(
    "question,kinds",
    [
        ("这项补助由哪个单位负责？", ["body"]),
        ("连续支持几年？", ["span"]),
        ("申报截止是哪天？要交哪些材料？", ["deadline", "materials"]),
        ("我们总投资800万。区里每年安排多少钱？", ["budget"]),
        ("智能工厂是什么？", []),
        ("哪个单位负责我们不管，能拿多少？", []),  # only the asking clause says what is asked
    ],
)
def test_the_kind_of_answer_asked_for(question: str, kinds: list[str]) -> None:
    assert [k for k, v in KINDS.items() if v in asked_kinds(question, KINDS)] == kinds


CLAUSE = "智能工厂补助资金实行专款专用，加强绩效评价。智能工厂补助由省工业和信息化委、财政厅负责。"
OTHERS = ["首台套保险补贴按保费的80%给予补助。", "技术改造项目库实行动态管理。", "两化融合贯标给予奖励。"] * 3


def test_a_sentence_giving_the_asked_kind_comes_first() -> None:
    """Both sentences of the clause are about 智能工厂补助; only one names a body."""
    question = "智能工厂补助由哪个单位负责？"
    stats = PairStats.of([CLAUSE, *OTHERS])
    kinds = asked_kinds(question, KINDS)
    sources = [
        Source(
            doc_number=None,
            policy_id="demo",
            clause="demo:1",
            heading_path=["保障措施"],
            text=CLAUSE,
            score=1.0,
            start=0,
            end=len(CLAUSE),
            label="甲",
            heading="保障措施",
        )
    ]
    chosen = best_sentences(question, sources, stats, {"智能", "能工", "工厂", "补助"}, kinds=kinds)
    assert chosen[0].text == "智能工厂补助由省工业和信息化委、财政厅负责。"
    assert unstated(kinds, chosen) == []
    assert unstated(asked_kinds("智能工厂补助申报截止是哪天？", KINDS), chosen) == ["截止时间"]
