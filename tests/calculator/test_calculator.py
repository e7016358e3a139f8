"""Every policy's test table (index/policies/<id>/cases.yaml) run through the calculator.

Tests are data: each row gives facts, a date and the outcome by program; this file only runs them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from assistant.calculator.assessment import Status, evaluate_program
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.settings import Settings
from assistant.rules.lpr import load_lpr_table
from assistant.rules.rulebook import Rulebook, build_rulebook

SETTINGS = Settings.from_env()


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status
    amount: Decimal | None = None
    missing: list[str] | None = None
    failed: list[str] | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    as_of: date
    facts: EnterpriseFacts
    expect: dict[str, Expect]


def load_cases() -> list[tuple[str, Case]]:
    rows = []
    for path in sorted(Path(SETTINGS.policies_dir).glob("*/cases.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            rows.append((path.parent.name, Case.model_validate(raw)))
    return rows


CASES = load_cases()


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return build_rulebook(SETTINGS)


@pytest.fixture(scope="module")
def lpr():
    return load_lpr_table(Path(SETTINGS.policies_dir).parent / "lpr.yaml")


@pytest.mark.parametrize("policy_id,case", CASES, ids=[f"{p}:{c.name}" for p, c in CASES])
def test_case(book: Rulebook, lpr, policy_id: str, case: Case) -> None:
    for program_id, expect in case.expect.items():
        result = evaluate_program(book, program_id, case.facts, case.as_of, lpr)
        got = (result.status, result.amount)
        assert result.status is expect.status, f"{program_id}: {got}\n{result.reasons}\n{result.formula}"
        if expect.status in (Status.ELIGIBLE, Status.EXPIRED) or expect.amount is not None:
            assert result.amount == expect.amount, f"{program_id}: {got}\n{result.formula}"
        if expect.missing is not None:
            assert result.missing == expect.missing, program_id
        if expect.failed is not None:
            assert result.failed == expect.failed, program_id


def test_every_program_has_rows_in_its_table(book: Rulebook) -> None:
    tested = {pid for _, case in CASES for pid in case.expect}
    assert set(book.programs) <= tested, f"programs without test rows: {sorted(set(book.programs) - tested)}"


def test_every_table_row_names_a_known_program(book: Rulebook) -> None:
    unknown = {pid for _, case in CASES for pid in case.expect} - set(book.programs)
    assert not unknown
