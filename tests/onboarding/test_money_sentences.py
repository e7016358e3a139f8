"""Which sentences promise money: each must be drafted as a program or set aside, so a missed one is
a promise nobody reviews (甘井子区's 瞪羚 award was missed: it says 支持, none of the money words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_folders import write_folder

from assistant.onboarding.folder import open_policy
from assistant.onboarding.sentences import is_money_sentence, money_sentences
from assistant.texts.clauses import parse_clauses


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
        # 抵用 and 补偿 with a figure are money; without one, a means or a worker's due
        ("全年低于5000元的服务可全额抵用，超过5000元部分抵用50%。", True),
        ("补偿标准为实际收取贷款利息的10%，每户每年不超过30万元。", True),
        ("鼓励各地政府通过资本注入、风险补偿等多种方式支持信用担保机构。", False),
        ("企业与职工解除劳动合同，应依法支付经济补偿金。", False),
    ],
)
def test_what_promises_money(sentence: str, promises: bool) -> None:
    assert is_money_sentence(sentence) is promises


def test_a_sentence_said_twice_in_a_clause_is_covered_by_one_quote(tmp_path: Path) -> None:
    text = "示范意见\n一、投资奖励\n500万元以下的部分按4%给予奖励；超过500万元的部分按2%给予奖励；超过500万元的部分按2%给予奖励。对新认定的企业给予奖励20万元。\n"
    policy = open_policy(write_folder(tmp_path, text)).policy
    said = money_sentences(parse_clauses(policy))
    twice = [s for s in said if s.text.startswith("超过500万元")]
    assert len(twice) == 2
    quoted = [(twice[0].start, twice[0].end)]
    assert all(s.covered(quoted, policy.text) for s in twice)
    assert not next(s for s in said if "20万元" in s.text).covered(quoted, policy.text)
