"""Which sentences promise money: each must be drafted as a program or set aside, so a missed one is
a promise nobody reviews (甘井子区's 瞪羚 award was missed: it says 支持, none of the money words)."""

from __future__ import annotations

import pytest

from assistant.onboarding.sentences import is_money_sentence


@pytest.mark.parametrize(
    ("sentence", "promises"),
    [
        ("对新认定的高新技术企业给予一次性奖励20万元。", True),
        ("对于经认定评为甘井子区瞪羚企业和科技小巨人企业的，分两批最高给予50万元的支持。", True),
        ("区财政每年安排专项资金3000万元，用于支持科技创新。", True),
        ("对新建孵化器给予100万元扶持。", True),
        ("对符合条件的项目给予30万元支持", True),
        ("与银行共同设立风险池资金，由银行提供至少6000万元的贷款授信。", False),  # a bank's credit, not a grant
        ("大力支持科技创新，营造良好环境。", False),
        ("研发投入在600万元以上的企业。", False),
        ("同一单位每年最高不超过100万元。", False),  # a cap alone: part of the sentence it limits
    ],
)
def test_what_promises_money(sentence: str, promises: bool) -> None:
    assert is_money_sentence(sentence) is promises
