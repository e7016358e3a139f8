"""A threshold is in its fact's unit unless it names one: the maintainer writes 人 once, on the amount."""

from __future__ import annotations

import yaml
from policy_folders import vocabulary_with

from assistant.rules.rulebook import AmountRole, in_its_units
from assistant.rules.schema import Program

VOCAB = vocabulary_with({"staff": AmountRole(label="员工人数", cues=["员工"], unit="人")})
CITE = '{clause: "x:1", quote: "员工人数不少于50人的，给予奖励10万元"}'


def program(threshold: str) -> Program:
    return Program.model_validate(
        yaml.safe_load(
            f"""
id: demo
title: 示例
clause: "x:1"
topics: [示例]
benefit: cash
conditions: [{{id: staff-50, describe: 员工人数不少于50人, threshold: {threshold}, citation: {CITE}}}]
formula: {{kind: fixed, amount: {{value: "100000", unit: 元, citation: {CITE}}}}}
amount_kind: exact
citations: [{CITE}]
"""
        )
    )


def test_a_threshold_without_a_unit_takes_its_facts() -> None:
    filled = in_its_units(program("{fact: staff, word: 不少于, number: 50}"), VOCAB)
    assert filled.conditions[0].threshold is not None and filled.conditions[0].threshold.unit == "人"


def test_a_unit_written_on_the_threshold_is_kept() -> None:
    kept = in_its_units(program("{fact: staff, word: 不少于, number: 50, unit: 元}"), VOCAB)
    assert kept.conditions[0].threshold is not None and kept.conditions[0].threshold.unit == "元"
