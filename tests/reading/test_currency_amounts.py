"""Amounts a policy states in US dollars (实缴注册外资1000万美元以上), as a table: read as dollars only when the
question says dollars, asked otherwise, never converted. The phrasings are the team's own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from policy_folders import vocabulary_with

from assistant.reading.amount_facts import read_amounts
from assistant.rules.rulebook import AmountRole

IN_DOLLARS = {
    "paid_in_usd": AmountRole(label="实缴注册外资（美元）", cues=["实缴注册外资", "实缴外资"], unit="美元"),
    "ipo_raised_usd": AmountRole(label="境外上市融资额（美元）", cues=["上市融资", "融资"], unit="美元"),
}
VOCAB = vocabulary_with(IN_DOLLARS)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("实缴注册外资1500万美元", {"paid_in_usd": 15_000_000}),
        ("实缴外资2000万美金，设备投资800万", {"paid_in_usd": 20_000_000, "equipment_investment": 8_000_000}),
        ("实缴注册外资 USD 3,000,000", {"paid_in_usd": 3_000_000}),
        # the currency said decides between two amounts named alike (融资 is also a loan's word)
        ("境外上市，融资1200万美元", {"ipo_raised_usd": 12_000_000}),
    ],
)
def test_an_amount_said_in_its_currency_is_read_as_it_is(question: str, expected: dict[str, int]) -> None:
    read = read_amounts(question, VOCAB)
    assert read.amounts == {role: Decimal(v) for role, v in expected.items()}
    assert not read.unsettled


@pytest.mark.parametrize(
    ("question", "role", "ask"),
    [
        # no currency: dollars or yuan is asked, not presumed
        ("实缴注册外资1500万", "paid_in_usd", "您说的“1500万”是美元吗？"),
        # another currency: converting would be a guess about the rate
        ("实缴注册外资1500万欧元", "paid_in_usd", "您说的“1500万欧元”请换算为美元后告诉我"),
        ("实缴注册外资约1500万美元", "paid_in_usd", "您说的“约1500万”具体是多少？"),
        # a yuan amount said in dollars is still asked, as before
        ("技改设备投资100万美元", "equipment_investment", "请换算为人民币金额"),
    ],
)
def test_an_amount_not_said_in_its_currency_is_asked(question: str, role: str, ask: str) -> None:
    read = read_amounts(question, VOCAB)
    assert role not in read.amounts
    assert read.unsettled[role].ask.startswith(ask) or ask in read.unsettled[role].ask
