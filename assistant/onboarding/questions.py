"""A policy folder's own evaluation questions (`questions.jsonl`), asked through the real engine.

Each line is a question an enterprise would ask, with the outcome computed by hand from the text
(`expect`: program → status and amount, and a `note` with the arithmetic). They live in the policy's
folder, beside its rules, so a policy brings its own evaluation and no shared file grows with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

QUESTIONS_FILE = "questions.jsonl"


class _Answer(Protocol):
    answer: str  # the text shown to the user

    def dumps(self) -> str: ...


class Asks(Protocol):
    """What is asked: assistant.answering.engine.Engine (typed here so onboarding needs only its shape)."""

    def ask(self, question: str, as_of: date | None) -> _Answer: ...


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str
    amount: Decimal | None = None


class FolderQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    as_of: date
    expect: dict[str, Expected]
    note: str


@dataclass
class Outcome:
    question: FolderQuestion
    wrong: list[str]  # empty when the answer gives every expected status and figure

    @property
    def right(self) -> bool:
        return not self.wrong


def load_questions(folder: Path) -> list[FolderQuestion]:
    path = Path(folder) / QUESTIONS_FILE
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [FolderQuestion.model_validate(json.loads(line)) for line in lines if line.strip()]


def _compare(answer: dict[str, Any], question: FolderQuestion) -> list[str]:
    got = {p["program_id"]: p for p in answer.get("programs") or []}
    wrong = []
    for program_id, want in question.expect.items():
        p = got.get(program_id)
        if p is None:
            wrong.append(f"{program_id}：答复中没有这个项目")
            continue
        if p["status"] != want.status:
            wrong.append(f"{program_id}：状态应为 {want.status}，答复为 {p['status']}")
        amount = p.get("amount_yuan")
        if want.amount is not None and (amount is None or Decimal(str(amount)) != want.amount):
            wrong.append(f"{program_id}：金额应为 {want.amount}，答复为 {amount}")
    return wrong


def ask_questions(engine: Asks, questions: list[FolderQuestion]) -> list[Outcome]:
    out = []
    for q in questions:
        answer = json.loads(engine.ask(q.question, q.as_of).dumps())
        out.append(Outcome(q, _compare(answer, q)))
    return out
