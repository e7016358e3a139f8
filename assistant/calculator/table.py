"""A policy's test table (`cases.yaml`): facts, a date and the outcome each program must give.

Tests are data, so the maintainer who adds a policy writes rows, not Python: the test suite and
`assistant policy check` run the same rows through the same calculator, and say which differ.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from assistant.calculator.assessment import Status, evaluate_program
from assistant.calculator.facts import EnterpriseFacts
from assistant.rules.lpr import LprTable
from assistant.rules.rulebook import Rulebook

TABLE_FILE = "cases.yaml"


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


def load_table(path: Path) -> list[Case]:
    """The rows of one cases.yaml (pydantic errors for a bad row, yaml errors for a bad file)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Case.model_validate(raw) for raw in data.get("cases") or []]


def mismatches(book: Rulebook, lpr: LprTable, case: Case) -> list[str]:
    """What the calculator gives that differs from the row, one Chinese line per program; [] when all agree."""
    out = []
    for program_id, expect in case.expect.items():
        if program_id not in book.programs:
            out.append(f"{program_id}：没有这个项目（programs.yaml 中无此 id，或尚未审核通过）")
            continue
        result = evaluate_program(book, program_id, case.facts, case.as_of, lpr)
        wrong = []
        if result.status is not expect.status:
            wrong.append(f"状态应为 {expect.status.value}，算得 {result.status.value}")
        if (expect.status in (Status.ELIGIBLE, Status.EXPIRED) or expect.amount is not None) and (
            result.amount != expect.amount
        ):
            wrong.append(f"金额应为 {expect.amount}，算得 {result.amount}")
        if expect.missing is not None and result.missing != expect.missing:
            wrong.append(f"缺少的信息应为 {expect.missing}，算得 {result.missing}")
        if expect.failed is not None and result.failed != expect.failed:
            wrong.append(f"不满足的条件应为 {expect.failed}，算得 {result.failed}")
        if wrong:
            detail = "；".join(result.reasons[:3] + ([result.formula] if result.formula else []))
            out.append(f"{program_id}：{'；'.join(wrong)}（{detail}）")
    return out
