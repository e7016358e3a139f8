"""The formula kinds real local policies need, as data tables: boundaries first, every figure by hand.

Each program is written as a maintainer writes it in programs.yaml; the rows give the facts and the
figure the calculator must give (or the note it must carry).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from assistant.calculator.facts import EnterpriseFacts
from assistant.calculator.formulas import compute_amount
from assistant.core.settings import Settings
from assistant.rules.lpr import load_lpr_table
from assistant.rules.schema import Program

LPR = load_lpr_table(Path(Settings.from_env().policies_dir).parent / "lpr.yaml")
LABELS = {"land_area": "用地面积", "tax_paid": "年度纳税额", "rent": "年租金", "equipment_investment": "设备投资"}
CITE = '{clause: "x:1", quote: "原文一句话"}'


def program(formula: str, caps: str = "[]", amount_kind: str = "max") -> Program:
    text = f"""
id: demo
title: 示例
clause: "x:1"
topics: [示例]
benefit: cash
formula: {formula}
caps: {caps}
amount_kind: {amount_kind}
citations: [{CITE}]
"""
    return Program.model_validate(yaml.safe_load(text))


def run(p: Program, **amounts: str):
    facts = EnterpriseFacts(amounts={k: Decimal(v) for k, v in amounts.items()})
    return compute_amount(p, facts, LABELS, LPR, date(2024, 6, 30))


PER_MU = program(f'{{kind: per_unit, rate: {{value: "500", unit: 元/亩, citation: {CITE}}}, base: [land_area]}}')
BANDS = program(
    "{kind: rate_bands, base: [equipment_investment], tiers: ["
    f'{{upper: {{fact: equipment_investment, word: 以下, number: 5000000}}, rate: {{value: "0.7", unit: 比例, citation: {CITE}}}}},'
    f'{{lower: {{fact: equipment_investment, word: 超过, number: 5000000}}, upper: {{fact: equipment_investment, word: 以下, number: 10000000}}, rate: {{value: "0.8", unit: 比例, citation: {CITE}}}}},'
    f'{{lower: {{fact: equipment_investment, word: 超过, number: 10000000}}, rate: {{value: "0.9", unit: 比例, citation: {CITE}}}}}]}}'
)
ABOVE = program(
    f'{{kind: rate_above, base: [tax_paid], rate: {{value: "0.005", unit: 比例, citation: {CITE}}},'
    f' above: {{value: "10000000", unit: 元, citation: {CITE}}}}}'
)
SCHEDULE = program(
    f'{{kind: year_schedule, base: [rent], schedule: [{{years: 2, rate: {{value: "0.8", unit: 比例, citation: {CITE}}}}},'
    f' {{years: 3, rate: {{value: "0.5", unit: 比例, citation: {CITE}}}}}]}}'
)
# 超额累进: 500万以下的部分1%，500万至1000万的部分2%，1000万以上的部分3%，最高100万
STEPS = program(
    "{kind: rate_steps, base: [equipment_investment], tiers: ["
    f'{{upper: {{fact: equipment_investment, word: 以下, number: 5000000}}, rate: {{value: "0.01", unit: 比例, citation: {CITE}}}}},'
    f'{{lower: {{fact: equipment_investment, word: 超过, number: 5000000}}, upper: {{fact: equipment_investment, word: 以下, number: 10000000}}, rate: {{value: "0.02", unit: 比例, citation: {CITE}}}}},'
    f'{{lower: {{fact: equipment_investment, word: 超过, number: 10000000}}, rate: {{value: "0.03", unit: 比例, citation: {CITE}}}}}]}}',
    caps=f'[{{scope: project, amount: {{value: "1000000", unit: 元, citation: {CITE}}}}}]',
)
RANGE = program(
    f'{{kind: rate, base: [equipment_investment], rate: {{value: "0.20", range_from: "0.05", unit: 比例, citation: {CITE}}}}}',
    caps=f'[{{scope: project, amount: {{value: "500000", unit: 元, citation: {CITE}}}}}]',
)


@pytest.mark.parametrize(
    "p,amounts,figure",
    [
        (PER_MU, {"land_area": "0"}, "0.00"),
        (PER_MU, {"land_area": "1"}, "500.00"),
        (PER_MU, {"land_area": "120.5"}, "60250.00"),
        # bands: 500万 itself is in the first band (以下 includes it), one cent above is in the second
        (BANDS, {"equipment_investment": "5000000"}, "3500000.00"),
        (BANDS, {"equipment_investment": "5000000.01"}, "4000000.01"),
        (BANDS, {"equipment_investment": "10000000"}, "8000000.00"),
        (BANDS, {"equipment_investment": "10000000.01"}, "9000000.01"),
        # rate above: nothing at or below the threshold, 0.5% of the excess above it
        (ABOVE, {"tax_paid": "10000000"}, "0.00"),
        (ABOVE, {"tax_paid": "9000000"}, "0.00"),
        (ABOVE, {"tax_paid": "10000001"}, "0.01"),
        (ABOVE, {"tax_paid": "30000000"}, "100000.00"),
        # schedule: 2 × 80% + 3 × 50% = 3.1 years' rent
        (SCHEDULE, {"rent": "100000"}, "310000.00"),
        (SCHEDULE, {"rent": "0.01"}, "0.03"),
        # progressive: each band's rate on the part inside it; 500万 → 5万; one yuan more adds 2%
        (STEPS, {"equipment_investment": "4000000"}, "40000.00"),
        (STEPS, {"equipment_investment": "5000000"}, "50000.00"),
        (STEPS, {"equipment_investment": "5000001"}, "50000.02"),
        (STEPS, {"equipment_investment": "10000000"}, "150000.00"),  # 5万 + 2% × 500万
        (STEPS, {"equipment_investment": "20000000"}, "450000.00"),  # 15万 + 3% × 1000万
        (STEPS, {"equipment_investment": "50000000"}, "1000000.00"),  # 15万 + 120万 = 135万 → 100万
        # a range at its maximum: 20% × 200万 = 40万, under the 50万 cap; 20% × 300万 = 60万 → 50万
        (RANGE, {"equipment_investment": "2000000"}, "400000.00"),
        (RANGE, {"equipment_investment": "3000000"}, "500000.00"),
    ],
)
def test_figures(p: Program, amounts: dict[str, str], figure: str) -> None:
    assert run(p, **amounts).amount == Decimal(figure)


def test_traces_are_in_the_users_numbers_with_units() -> None:
    assert run(PER_MU, land_area="120").steps == ["每亩 500.00 元 × 用地面积 120 亩 = 60,000.00 元"]
    assert run(BANDS, equipment_investment="8000000").steps[0] == (
        "设备投资 8,000,000.00 元，属于“5,000,000.00 元超过，10,000,000.00 元以下”档：比例 80%"
    )
    assert run(ABOVE, tax_paid="30000000").steps == [
        "超出部分 = 年度纳税额 30,000,000.00 元 − 10,000,000.00 元 = 20,000,000.00 元；0.5% × 20,000,000.00 元 = 100,000.00 元"
    ]
    assert run(STEPS, equipment_investment="20000000").steps[:4] == [
        "设备投资 20,000,000.00 元，分段累进计算：",
        "  0.00 元—5,000,000.00 元的部分 5,000,000.00 元 × 1% = 50,000.00 元",
        "  5,000,000.00 元—10,000,000.00 元的部分 5,000,000.00 元 × 2% = 100,000.00 元",
        "  10,000,000.00 元以上的部分 10,000,000.00 元 × 3% = 300,000.00 元",
    ]
    assert run(SCHEDULE, rent="100000").steps == [
        "第1—2年：80% × 年租金 100,000.00 元 × 2 年 = 160,000.00 元",
        "第3—5年：50% × 年租金 100,000.00 元 × 3 年 = 150,000.00 元",
        "5 年合计 310,000.00 元",
    ]


def test_a_range_is_computed_at_its_maximum_and_says_so() -> None:
    result = run(RANGE, equipment_investment="1000000")
    assert result.amount == Decimal("200000.00")
    assert result.warnings == ["原文为区间 5%—20%，按最高 20% 测算，实际以主管部门核定为准"]


def test_missing_facts_are_asked_not_guessed() -> None:
    assert run(BANDS).missing == ["equipment_investment"]
    assert run(ABOVE).amount is None and run(ABOVE).missing == ["tax_paid"]
    assert run(PER_MU).missing == ["land_area"]


def test_not_modelled_gives_no_figure_and_its_reason() -> None:
    p = program("{kind: not_modelled, reason: 按企业贡献一事一议，原文未给出计算方法}")
    result = run(p, equipment_investment="1000000")
    assert result.amount is None and result.missing == []
    assert result.steps == ["本项金额暂未纳入测算：按企业贡献一事一议，原文未给出计算方法"]
    assert "按企业贡献一事一议" in result.warnings[0]


@pytest.mark.parametrize(
    "formula,message",
    [
        ("{kind: not_modelled}", "reason"),
        (f'{{kind: per_unit, rate: {{value: "500", unit: 比例, citation: {CITE}}}, base: [land_area]}}', "元/亩"),
        (f'{{kind: rate_above, base: [tax_paid], rate: {{value: "0.005", unit: 比例, citation: {CITE}}}}}', "above"),
        (
            f'{{kind: rate, base: [x], rate: {{value: "0.05", range_from: "0.2", unit: 比例, citation: {CITE}}}}}',
            "区间下限",
        ),
        (f'{{kind: fixed, amount: {{value: "5", unit: 元/公顷, citation: {CITE}}}}}', "单位“元/公顷”不可用"),
        # a progressive band bounded on something other than the base
        (
            "{kind: rate_steps, base: [equipment_investment], tiers: ["
            f'{{upper: {{fact: tax_paid, word: 以下, number: 5}}, rate: {{value: "0.01", unit: 比例, citation: {CITE}}}}}]}}',
            "缺少参数",
        ),
    ],
)
def test_an_incomplete_formula_is_refused_with_what_it_lacks(formula: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        program(formula)


def test_an_amount_below_the_lowest_band_is_outside_every_band() -> None:
    """ "设备购置50万元以上至100万元以下…": 40万 is in no band, so the text gives it nothing (the program is
    then not eligible, unless a condition has said why already)."""
    bands = program(
        "{kind: rate_bands, base: [equipment_investment], tiers: ["
        f'{{lower: {{fact: equipment_investment, word: 以上, number: 500000}}, rate: {{value: "0.05", unit: 比例, citation: {CITE}}}}}]}}'
    )
    below = run(bands, equipment_investment="400000")
    assert below.amount is None and below.missing == [] and below.outside == "所述金额不在政策所列任何档次之内"
    assert run(bands, equipment_investment="500000").amount == Decimal("25000.00")
    assert run(bands, equipment_investment="500000").outside is None


# 鹿城区 技改: 6% of the investment, "省级“三名”企业…再提高2个百分点；工业50强企业补助比例再提高1个百分点…可累计享受"
ADDED = program(
    f'{{kind: rate, base: [equipment_investment], rate: {{value: "0.06", unit: 比例, citation: {CITE}}},'
    f' rate_additions: [{{tag: sanming, describe: 省级“三名”企业, points: {{value: "0.02", unit: 比例, citation: {CITE}}}}},'
    f' {{tag: top50, describe: 工业50强企业, points: {{value: "0.01", unit: 比例, citation: {CITE}}}}}]}}'
)


@pytest.mark.parametrize(
    ("tags", "figure", "unsaid"),
    [
        ({"sanming": True, "top50": True}, "90000.00", []),  # (6% + 2% + 1%) × 100万, the points add up
        ({"sanming": True, "top50": False}, "80000.00", []),
        ({"sanming": False, "top50": False}, "60000.00", []),
        # not said: not counted, and the answer says what it would add (the figure is the least)
        ({"sanming": True}, "80000.00", ["如属工业50强企业，补助比例再提高1%，本测算未计入"]),
    ],
)
def test_points_added_to_the_rate_for_recognitions_held(tags: dict[str, bool], figure: str, unsaid: list[str]) -> None:
    facts = EnterpriseFacts(amounts={"equipment_investment": Decimal("1000000")}, tags=tags)
    result = compute_amount(ADDED, facts, LABELS, LPR, date(2024, 6, 30))
    assert result.amount == Decimal(figure)
    assert result.warnings == unsaid


def test_points_are_only_for_a_rate() -> None:
    with pytest.raises(ValidationError, match="rate_additions 只用于 rate 和 rate_bands"):
        program(
            f'{{kind: fixed, amount: {{value: "5", unit: 元, citation: {CITE}}},'
            f' rate_additions: [{{tag: x, describe: x, points: {{value: "0.01", unit: 比例, citation: {CITE}}}}}]}}'
        )


# 大连: 20% of the investment, "…最多不超过企业对我市当年新增经济贡献量的20％"
SHARE_CAP = program(
    f'{{kind: rate, base: [equipment_investment], rate: {{value: "0.2", unit: 比例, citation: {CITE}}}}}',
    caps=f'[{{scope: enterprise, amount: {{value: "0.2", unit: 比例, citation: {CITE}}}, of: tax_paid}}]',
)


@pytest.mark.parametrize(
    ("amounts", "figure", "missing"),
    [
        # 20% × 100万 = 20万 under 20% × 200万 = 40万; over 20% × 50万 = 10万
        ({"equipment_investment": "1000000", "tax_paid": "2000000"}, "200000.00", []),
        ({"equipment_investment": "1000000", "tax_paid": "500000"}, "100000.00", []),
        ({"equipment_investment": "1000000", "tax_paid": "1000000"}, "200000.00", []),  # at the ceiling
        # the amount the ceiling is a share of, not given: asked, no figure
        ({"equipment_investment": "1000000"}, None, ["tax_paid"]),
    ],
)
def test_a_ceiling_that_is_a_share_of_another_amount(
    amounts: dict[str, str], figure: str | None, missing: list[str]
) -> None:
    result = run(SHARE_CAP, **amounts)
    assert result.amount == (Decimal(figure) if figure else None)
    assert result.missing == missing


def test_a_share_ceiling_names_its_amount_and_a_sum_ceiling_its_unit() -> None:
    assert run(SHARE_CAP, equipment_investment="1000000", tax_paid="500000").steps[-2] == (
        "超过单个企业上限 100,000.00 元（年度纳税额 500,000.00 元 × 20%），按上限计 100,000.00 元"
    )
    assert SHARE_CAP.caps[0].describe(LABELS) == "单个企业上限 年度纳税额的20%"
    assert "tax_paid" in SHARE_CAP.amount_facts()
    with pytest.raises(ValidationError, match="上限写金额"):
        program(
            f'{{kind: fixed, amount: {{value: "5", unit: 元, citation: {CITE}}}}}',
            caps=f'[{{scope: project, amount: {{value: "0.2", unit: 比例, citation: {CITE}}}}}]',
        )


# 鹿城区: "年零售额每实现2000万元，给予奖励2万元"; "达到1亿元…每增加1亿元，另给予10万元奖励"
PER_STEP = program(
    f'{{kind: per_step, base: [rent], amount: {{value: "20000", unit: 元, citation: {CITE}}},'
    f' step: {{value: "20000000", unit: 元, citation: {CITE}}}}}'
)
EACH_MORE = program(
    f'{{kind: per_step, base: [rent], amount: {{value: "100000", unit: 元, citation: {CITE}}},'
    f' step: {{value: "100000000", unit: 元, citation: {CITE}}}, above: {{value: "100000000", unit: 元, citation: {CITE}}}}}'
)


@pytest.mark.parametrize(
    ("p", "base", "figure"),
    [
        (PER_STEP, "19999999.99", "0.00"),  # not one whole step
        (PER_STEP, "20000000", "20000.00"),
        (PER_STEP, "59999999", "40000.00"),  # two whole steps, the rest earns nothing
        (PER_STEP, "60000000", "60000.00"),
        (EACH_MORE, "100000000", "0.00"),  # the first 1亿 is another program's
        (EACH_MORE, "199999999", "0.00"),
        (EACH_MORE, "200000000", "100000.00"),
        (EACH_MORE, "350000000", "200000.00"),
    ],
)
def test_a_sum_for_every_whole_step(p: Program, base: str, figure: str) -> None:
    assert run(p, rent=base).amount == Decimal(figure)


def test_a_step_trace_counts_the_whole_steps() -> None:
    assert run(EACH_MORE, rent="350000000").steps == [
        "年租金 350,000,000.00 元，超过 100,000,000.00 元 的部分 250,000,000.00 元，每满 100,000,000.00 元 给 "
        "100,000.00 元：2 × 100,000.00 元 = 200,000.00 元"
    ]
