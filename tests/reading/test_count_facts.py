"""Counts read into the amounts a policy counts in people, items or area, as a table.

A policy folder may count an amount in 人, 件, 亩 … (`AmountRole.unit`); the phrasings here are the team's
own. What matters most: money is never read as a count, and a count is taken only beside its noun.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from policy_folders import vocabulary_with

from assistant.core.settings import Settings
from assistant.reading.amount_facts import read_amounts
from assistant.reading.amounts import find_counts
from assistant.rules.rulebook import AmountRole, load_rulebook

SHARED = load_rulebook(Settings.from_env()).vocabulary
COUNTED = {
    "graduates": AmountRole(label="聘用的本科以上毕业生人数", cues=["本科毕业生", "毕业生", "大学生"], unit="人"),
    "patents": AmountRole(label="授权发明专利件数", cues=["发明专利", "专利"], unit="件"),
    "land": AmountRole(label="新建厂房用地面积", cues=["用地", "占地"], unit="亩"),
}
VOCAB = vocabulary_with(COUNTED)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the noun right after the measure word, or right before the number
        ("聘用了8名本科毕业生，住房补贴多少", {"graduates": 8}),
        ("本科毕业生共聘用了12人", {"graduates": 12}),
        ("招了十二个大学生", {"graduates": 12}),
        ("今年获得3件国内发明专利", {"patents": 3}),
        ("发明专利两项", {"patents": 2}),
        ("新厂房占地12.5亩", {"land": Decimal("12.5")}),
        # the measure words people use for the unit: 名/位/个 count 人, 项 counts 件
        ("引进3位毕业生", {"graduates": 3}),
        # a count whose noun stands further off is nobody's: asked, not guessed
        ("我们有3个项目招了毕业生", {}),
        ("一个项目获得发明专利", {}),
        ("毕业生补贴发了3个月", {}),  # a span of time
        ("第3名毕业生", {}),  # an ordinal
        # money is never a count, however near the count's noun
        ("毕业生工资一年5万", {}),
        ("发明专利代理费花了2万", {}),
        # both in one question, each to its own
        ("设备投资500万，聘用毕业生8人", {"equipment_investment": 5_000_000, "graduates": 8}),
    ],
)
def test_a_count_is_read_beside_its_noun_and_money_never_is(question: str, expected: dict[str, float]) -> None:
    read = read_amounts(question, VOCAB)
    assert read.amounts == {role: Decimal(str(v)) for role, v in expected.items()}
    assert not read.unsettled and not read.errors


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("聘用了10多名本科毕业生", "10多名"),
        ("招了近20名毕业生", "近20名"),
        ("毕业生8到10人", "8到10人"),
        ("毕业生五六个", "五六个"),
        ("招了毕业生8人，又招了毕业生10人", "“8”和“10人”"),
    ],
)
def test_a_vague_or_doubled_count_is_asked(question: str, said: str) -> None:
    read = read_amounts(question, VOCAB)
    assert "graduates" not in read.amounts
    assert read.unsettled["graduates"].said == said


def test_a_count_that_cannot_be_a_head_count_is_an_error_in_chinese() -> None:
    read = read_amounts("聘用了2.5名毕业生", VOCAB)
    assert read.amounts == {} and read.errors == ["聘用的本科以上毕业生人数“2.5名”应为大于零的整数，请核对后重新输入"]


def test_without_counted_amounts_nothing_changes() -> None:
    """The served vocabulary counts everything in 元: counts there are not read at all."""
    assert read_amounts("聘用了8名本科毕业生，设备投资500万", SHARED).amounts == {
        "equipment_investment": Decimal(5_000_000)
    }
    assert [m.raw for m in find_counts("聘用了8名毕业生，3个月，第2名", ["名", "个"])] == ["8名"]
