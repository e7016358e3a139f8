"""Thousands of random questions through `Engine.ask`: whatever comes in, the contract holds.

Questions are built from what enterprises type and what breaks parsers: place names and policy
words, amounts in every notation (500万, 1,200万元, 0.3亿, 伍佰万, 300多万, absurd ones), punctuation,
control characters, lone surrogates, emoji, other scripts, arbitrary Unicode and strings far over
the length limit; with as-of dates from 2010 to 2035. For every answer:

* no exception escapes, and the answer (assistant.answering.api_models, which declares every key
  of every kind) comes back unchanged from its own JSON;
* bad input gets no figure at all;
* every number in the answer text is backed (assistant.answering.grounding, as for real answers);
* a figure is only given for an eligible (or expired, for reference) program whose formula's facts
  the user actually stated, with values a calculation can rest on.

Most examples run without retrieval (no index for the engine's settings, `wait_for_index=False`):
retrieval adds ~30 ms per question and decides no figure. One run keeps retrieval on, since
sources feed the fact answers and the numbers an answer may quote.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.answering.api_models import Answer, Facts, Program
from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.answering.grounding import unsupported_numbers
from assistant.core.settings import Settings
from assistant.rules.schema import FormulaKind

pytestmark = pytest.mark.slow

FIGURE_STATUSES = {"eligible", "expired"}

WORDS = [
    "河口区",
    "河口",
    "东营",
    "济源市",
    "济源",
    "河南省",
    "河南",
    "郑州",
    "洛阳",
    "上海",
    "北京",
    "山东",
    "技改",
    "技术改造",
    "项目",
    "企业",
    "总投资",
    "设备投资",
    "设备",
    "当年完成投资",
    "软硬件投资",
    "研发投入",
    "银行贷款",
    "项目贷款",
    "贷款",
    "保费",
    "保险金额",
    "销售价格",
    "首台套",
    "高新技术企业",
    "首次认定",
    "数字化车间",
    "智能工厂",
    "国家级",
    "省级",
    "市级",
    "已竣工投产",
    "已投产",
    "统计入库",
    "僵尸企业",
    "能拿多少",
    "有什么补贴",
    "奖励多少",
    "怎么申报",
    "有效期",
    "改成",
    "没有",
    "不是",
    "以上",
    "超过",
    "不满",
    "约",
    "大概",
    "LPR",
    "一年期LPR为3.85%",
    "已获得",
    "我们",
    "今年",
    "2021年",
    "〔2020〕5号",
]
UNITS = ["万", "亿", "元", "万元", "亿元", "块", "块钱", "多万", "余万", "", "%", "万人", "吨"]
CN_NUMERALS = ["伍佰万", "三百多万", "一千二百万", "两亿", "十万", "零", "壹仟万元", "三点五万", "五百万万"]
PUNCTUATION = list("，。？！、；：（）()—…·%％ ,.!?\n\t\r-－+") + ["\u3000"]
GARBLE = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\ufffd",
    "\ufffe",
    "\ufdd0",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\udcff",
    "\ud800",
]
EMOJI = ["😀", "🚀", "💰", "🏭", "👍🏽", "🇨🇳", "👨‍👩‍👧", "🤖", "📈"]
SCRIPTS = ["Привет", "مرحبا", "こんにちは", "안녕하세요", "שלום", "Ελληνικά", "subsidy", "how much", "ＡＢＣ"]


def _amount(number: Decimal | int, unit: str, commas: bool) -> str:
    text = f"{number:,}" if commas and isinstance(number, int) else str(number)
    return text + unit


amounts = st.builds(
    _amount,
    st.one_of(
        st.integers(min_value=-(10**6), max_value=10**16),
        st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1e9"), places=3, allow_nan=False),
        st.integers(min_value=10**20, max_value=10**90),
    ),
    st.sampled_from(UNITS),
    st.booleans(),
)
pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    amounts,
    amounts,
    st.sampled_from(CN_NUMERALS),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(GARBLE),
    st.sampled_from(EMOJI),
    st.sampled_from(SCRIPTS),
    st.text(max_size=12),
    st.integers().map(str),
)
short_questions = st.lists(pieces, max_size=30).map("".join)
long_questions = st.builds(lambda piece, times: piece * times, pieces.filter(bool), st.integers(1, 700))
questions = st.one_of(short_questions, short_questions, short_questions, long_questions)
as_of_dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31))


def problems(engine: Engine, r: Answer) -> list[str]:
    """Every way the answer breaks the contract; empty when it holds. Its keys and kinds are the
    model's to enforce (an answer without one cannot be made); what it says is checked here."""
    found = [] if Answer.model_validate(r.to_json()) == r else ["the answer does not survive its own JSON"]
    if not r.answer.strip():
        found.append("empty answer")
    if "Traceback" in r.answer:
        found.append("a traceback in the answer")
    figures = [p for p in r.programs if p.amount_yuan is not None]
    if r.kind == "bad_input" and (figures or r.total_max_yuan is not None):
        found.append("bad input was given a figure")
    unbacked = unsupported_numbers(r.answer, r)
    if unbacked:
        found.append(f"numbers in the answer nothing backs: {unbacked}")
    for p in figures:
        found += [f"{p.program_id}: {x}" for x in figure_problems(engine, p, r.facts)]
    if r.total_max_yuan is not None and not figures:
        found.append("a total without any program figure")
    return found


def figure_problems(engine: Engine, p: Program, facts: Facts) -> list[str]:
    """A figure must rest on a program that applies and on facts the user gave for its formula."""
    stated = facts.amounts
    out = [] if p.status in FIGURE_STATUSES else [f"a figure with status {p.status}"]
    formula = engine.book.programs[p.program_id].formula
    needed = list(formula.base) + ([formula.base_limit.of] if formula.base_limit else [])
    needed += [t.fact for tier in formula.tiers for t in (tier.lower, tier.upper) if t is not None]
    for fact in dict.fromkeys(needed):
        value = stated.get(fact)
        if value is None or value < 0:
            out.append(f"formula fact {fact} is {value!r}")
    if formula.base and p.amount_yuan > 0 and not sum(stated.get(f) or 0 for f in formula.base) > 0:
        out.append("a positive figure from a base of zero")
    if formula.kind is FormulaKind.BY_LEVEL and not facts.level:
        out.append("a figure by level without a stated level")
    if p.amount_yuan < 0:
        out.append("a negative figure")
    return out


@pytest.fixture(scope="module")
def offline_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real rules and calculator, without retrieval: no index exists for these settings and the
    engine does not wait for one."""
    empty = Path(tmp_path_factory.mktemp("no-index"))
    return dataclasses.replace(Engine.load(Settings(build_dir=empty)), wait_for_index=False)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(question=questions, as_of=as_of_dates)
def test_any_question_keeps_the_contract(offline_engine: Engine, question: str, as_of: date) -> None:
    r = offline_engine.ask(question, as_of)
    assert problems(offline_engine, r) == [], (question, r.answer)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=short_questions, second=questions, as_of=as_of_dates)
def test_a_second_turn_keeps_the_contract(offline_engine: Engine, first: str, second: str, as_of: date) -> None:
    """Facts carried over from an earlier turn (merged, corrected, contradicted) obey the same rules."""
    chat = Conversation(offline_engine, as_of)
    chat.ask(first)
    r = chat.ask(second)
    assert problems(offline_engine, r) == [], (first, second, r.answer)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(question=questions, as_of=as_of_dates)
def test_any_question_keeps_the_contract_with_retrieval(question: str, as_of: date) -> None:
    engine = default_engine()  # the real index; sources feed fact answers and the numbers they may quote
    r = engine.ask(question, as_of)
    assert problems(engine, r) == [], (question, r.answer)
