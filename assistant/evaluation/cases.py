"""The evaluation's case file: one question (or dialogue) per line with what a correct answer must show."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.core.settings import REPO_ROOT

DEFAULT_CASES = REPO_ROOT / "eval" / "cases.jsonl"
DEFAULT_CONFIG = REPO_ROOT / "eval" / "config.yaml"
DEFAULT_OUT = REPO_ROOT / "eval" / "results"
RESULT_FILES = ("config.json", "results.jsonl", "summary.json", "report.html")

CASE_TYPES = (
    "calculation",
    "threshold",
    "cap",
    "missing_fact",
    "expired",
    "alternative",
    "exclusion",
    "fact",
    "multi_turn",
    "number_format",
    "out_of_scope",
    "bad_input",
    "injection",
    "officer_review",
)
# Cases of these types are scored on refusal: refused ones give no figure, injected ones keep theirs.
REFUSAL_TYPES = ("out_of_scope", "bad_input", "injection")
REFUSED_KINDS = ("bad_input", "out_of_scope")
AMOUNT_TOLERANCE = Decimal("0.01")  # yuan: figures are exact to the cent
RETRIEVAL_K = 10
NO_POLICY = "(none)"
# A question asked once before timing starts: loading the index and the model is start-up, not a turn.
WARM_UP = "河口区技改项目总投资500万，设备投资300万，能拿多少？"

Status = Literal["eligible", "ineligible", "needs_info", "expired"]
Kind = Literal["assessment", "fact", "out_of_scope", "bad_input"]
CaseType = Literal[CASE_TYPES]  # type: ignore[valid-type]


class CaseFileError(ValueError):
    """The case file is unreadable or inconsistent; the message names the line or the case."""


# --------------------------------------------------------------------------- the case file


class ProgramExpectation(BaseModel):
    """What one program must show. `amount` absent: not checked; `amount: null`: no figure at all."""

    model_config = ConfigDict(extra="forbid")
    status: Status | None = None
    amount: Decimal | None = None

    @model_validator(mode="after")
    def _says_something(self) -> ProgramExpectation:
        if self.status is None and "amount" not in self.model_fields_set:
            raise ValueError("give a status, an amount, or both")
        return self

    @property
    def checks_amount(self) -> bool:
        return "amount" in self.model_fields_set


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programs: dict[str, ProgramExpectation] = {}
    gold_clauses: list[str] = []  # clause ids retrieval should find
    citations: dict[str, str] = {}  # program id -> the clause its citation must come from
    answer_contains: list[str] = []
    answer_not_contains: list[str] = []
    refused: bool = False  # True: no figure (kind bad_input or out_of_scope, no program with an amount)
    kind: Kind | None = None


class Case(BaseModel):
    """One line of eval/cases.jsonl. Officer reviews exported by the console load as they are."""

    model_config = ConfigDict(extra="forbid")
    id: str
    type: CaseType
    policy: str | None = None  # the policy the case is about; None for places and subjects none covers
    question: str | None = None
    turns: list[str] | None = None  # multi_turn: the expectations apply to the last turn
    as_of: date
    expect: Expectation
    note: str = ""
    source: str | None = None  # officer_review: "officer-review"
    reviewer: str | None = None
    verdict: str | None = None
    comment: str | None = None

    @model_validator(mode="after")
    def _one_way_to_ask(self) -> Case:
        if (self.question is None) == (self.turns is None):
            raise ValueError("give exactly one of question and turns")
        if (self.type == "multi_turn") != (self.turns is not None):
            raise ValueError("turns are for multi_turn cases, and multi_turn cases need turns")
        if self.turns is not None and len(self.turns) < 2:
            raise ValueError("a multi_turn case needs at least two turns")
        if self.type == "officer_review" and not (self.source and self.reviewer and self.verdict):
            raise ValueError("an officer review needs source, reviewer and verdict")
        return self

    @property
    def asked(self) -> list[str]:
        return self.turns if self.turns is not None else [self.question or ""]


def load_cases(path: Path) -> list[Case]:
    """Every non-blank line as a Case; raises CaseFileError naming the first bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise CaseFileError(f"无法读取用例文件 {path}：{err.strerror}") from None
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate_json(line)
        except ValidationError as err:
            raise CaseFileError(f"{path} 第{number}行不合格式 / line {number} is invalid: {err}") from None
        if case.id in seen:
            raise CaseFileError(f"{path} 第{number}行：用例编号 {case.id} 重复 / duplicate case id")
        seen.add(case.id)
        cases.append(case)
    return cases


def reference_errors(cases: Iterable[Case], book: Any) -> list[str]:
    """Policy, program and clause ids the cases name that the rulebook does not know."""
    errors = []
    for case in cases:
        if case.policy is not None and case.policy not in book.library.policies:
            errors.append(f"{case.id}: unknown policy {case.policy}")
        named = list(case.expect.programs) + list(case.expect.citations)
        errors += [f"{case.id}: unknown program {p}" for p in named if p not in book.programs]
        clauses = list(case.expect.gold_clauses) + list(case.expect.citations.values())
        errors += [f"{case.id}: unknown clause {c}" for c in clauses if c not in book.library.clauses]
    return errors


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
