"""Every policy's test table (index/policies/<id>/cases.yaml) run through the calculator.

Tests are data: each row gives facts, a date and the outcome by program; this file only runs them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.calculator.table import Case, load_table, mismatches
from assistant.core.settings import Settings
from assistant.rules.lpr import load_lpr_table
from assistant.rules.rulebook import Rulebook, build_rulebook

SETTINGS = Settings.from_env()


def load_cases() -> list[tuple[str, Case]]:
    return [
        (path.parent.name, case)
        for path in sorted(SETTINGS.policies_dir.glob("*/cases.yaml"))
        for case in load_table(path)
    ]


CASES = load_cases()


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return build_rulebook(SETTINGS)


@pytest.fixture(scope="module")
def lpr():
    return load_lpr_table(Path(SETTINGS.policies_dir).parent / "lpr.yaml")


@pytest.mark.parametrize("policy_id,case", CASES, ids=[f"{p}:{c.name}" for p, c in CASES])
def test_case(book: Rulebook, lpr, policy_id: str, case: Case) -> None:
    assert mismatches(book, lpr, case) == []


def test_every_program_has_rows_in_its_table(book: Rulebook) -> None:
    tested = {pid for _, case in CASES for pid in case.expect}
    assert set(book.programs) <= tested, f"programs without test rows: {sorted(set(book.programs) - tested)}"


def test_every_table_row_names_a_known_program(book: Rulebook) -> None:
    unknown = {pid for _, case in CASES for pid in case.expect} - set(book.programs)
    assert not unknown


def test_a_row_the_calculator_disagrees_with_is_reported(book: Rulebook, lpr) -> None:
    policy_id, case = next((p, c) for p, c in CASES if any(e.amount for e in c.expect.values()))
    program_id, expect = next((k, e) for k, e in case.expect.items() if e.amount)
    wrong = case.model_copy(update={"expect": {program_id: expect.model_copy(update={"amount": expect.amount + 1})}})
    [line] = mismatches(book, lpr, wrong)
    assert line.startswith(f"{program_id}：金额应为 {expect.amount + 1}，算得 {expect.amount}")
