"""The deterministic question reader, driven by tests/data/understanding.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from assistant.core.settings import Settings
from assistant.reading.script import simplified
from assistant.reading.understanding import understand
from assistant.rules.rulebook import load_vocabulary

DATA = yaml.safe_load((Path(__file__).parent / "data" / "understanding.yaml").read_text(encoding="utf-8"))
VOCAB = load_vocabulary(Settings.from_env())


def _vocab():
    """The vocabulary with every rules file's tags, as the engine uses it."""
    from assistant.rules.rulebook import load_rulebook

    return load_rulebook(Settings.from_env()).vocabulary


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["q"] for c in DATA["cases"]])
def test_reads_the_facts(case: dict) -> None:
    got = understand(simplified(case["q"]), _vocab())  # as the engine reads it
    assert got.errors == []
    facts = got.facts
    assert facts.amounts == {k: Decimal(v) for k, v in case.get("amounts", {}).items()}
    if "place" in case:
        assert facts.place == case["place"]
    for tag, value in case.get("tags", {}).items():
        assert facts.tags.get(tag) is value, tag
    assert {role: vague.said for role, vague in facts.unsettled.items()} == case.get("unsettled", {})
    if "level" in case:
        assert facts.level is not None and facts.level.value == case["level"]
    assert facts.lpr_rate == (Decimal(case["lpr_rate"]) if "lpr_rate" in case else None)
    assert facts.rates == {k: Decimal(v) for k, v in case.get("rates", {}).items()}
    assert [o.raw for o in got.open_amounts] == case.get("open", [])


@pytest.mark.parametrize("case", DATA["errors"], ids=[c["q"] for c in DATA["errors"]])
def test_bad_input_is_named_in_chinese(case: dict) -> None:
    got = understand(case["q"], VOCAB)
    assert any(case["says"] in e for e in got.errors), got.errors


def test_a_negated_recognition_is_false_not_true() -> None:
    got = understand("我们还没有被认定为智能工厂", _vocab())
    assert got.facts.tags.get("smart_demo") is False
