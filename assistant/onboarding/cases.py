"""`assistant policy cases DIR`: boundary rows for cases.yaml and question skeletons, to confirm by hand.

Boundaries are where a rule is most often written wrong: at a threshold and one cent on the other
side of it (以上 includes the number, 超过 does not), where a rate reaches its cap and just past it, the
first and the last day the policy is in force and the day after. The rows' expected outcomes are what
the calculator gives for the folder's rules as they stand: they are a proposal, written to
`cases.draft.yaml`, and become tests only when a maintainer has checked each against the text by
hand and moved it into `cases.yaml`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.calculator.assessment import Status, evaluate_program
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan
from assistant.core.paths import index_file
from assistant.core.settings import Settings
from assistant.onboarding.folder import FolderError, open_policy, read_yaml
from assistant.rules.bounds import Direction, bound_for
from assistant.rules.lpr import load_lpr_table
from assistant.rules.rulebook import RULES_FILE, Rulebook, load_vocabulary, rulebook_from, with_folder_vocabularies
from assistant.rules.schema import MONEY_UNITS, WHOLE_UNITS, FormulaKind, Program, RulesFile
from assistant.texts.library import Library

CENT = Decimal("0.01")
TYPICAL = Decimal(1_000_000)  # yuan
TYPICAL_COUNT = Decimal(10)  # of a quantity (亩, 人)
DRAFT_ROWS = "cases.draft.yaml"
DRAFT_QUESTIONS = "questions.draft.jsonl"


@dataclass
class Row:
    name: str
    as_of: date
    facts: EnterpriseFacts
    program: str
    kind: str  # threshold / cap / validity / level / calculation, for the question skeleton's type


def _book(folder: Path, settings: Settings) -> Rulebook:
    """The folder's rulebook with its draft programs too: rows are proposed before approval."""
    opened = open_policy(folder)
    if opened.problems:
        first = opened.problems[0].render()
        raise FolderError(f"{first}\n请先运行 `assistant policy check {folder}` 改正后再生成测试行")
    data = read_yaml(folder / RULES_FILE) if (folder / RULES_FILE).is_file() else None
    try:
        rules = RulesFile.model_validate(data)
    except ValidationError:
        raise FolderError(f"{folder}/{RULES_FILE} 还有问题，请先运行 `assistant policy check {folder}` 改正") from None
    vocabulary = with_folder_vocabularies(load_vocabulary(settings), [folder])
    return rulebook_from(Library(policies=[opened.policy]), vocabulary, [rules])


def _other_side(word: str, number: Decimal, unit: str = "元") -> tuple[Decimal, Decimal]:
    """(a value the bound admits, the nearest one it does not): a cent apart, or one apart for what is
    counted whole (99 人, not 99.99 人)."""
    bound = bound_for(word)
    gap = Decimal(1) if unit in WHOLE_UNITS else CENT
    step = gap if bound.direction is Direction.AT_LEAST else -gap
    return (number, number - step) if bound.admits(number, number) else (number + step, number)


def _base_facts(book: Rulebook, program: Program, place: str) -> dict[str, Any]:
    """Facts under which every condition holds: each threshold at its number, typical amounts elsewhere."""
    roles = book.vocabulary.amount_roles
    amounts = {fact: TYPICAL if roles[fact].unit in MONEY_UNITS else TYPICAL_COUNT for fact in program.amount_facts()}
    for cond in program.conditions:
        if cond.threshold:
            amounts[cond.threshold.fact] = _other_side(
                cond.threshold.word, cond.threshold.number, roles[cond.threshold.fact].unit
            )[0]
    tags = {c.tag: True for c in program.conditions if c.tag}
    tags |= {c.any_tags[0]: True for c in program.conditions if c.any_tags}
    tags |= {e.tag: False for e in program.exclusions}
    levels = list(program.formula.by_level) or [c.min_level for c in program.conditions if c.min_level]
    facts: dict[str, Any] = {"place": place, "amounts": amounts, "tags": tags}
    if levels:
        facts["level"] = levels[0]
    return facts


def boundary_rows(book: Rulebook, program: Program) -> list[Row]:
    meta = book.policy_of(program.id).meta
    start = program.valid_from or meta.valid_from
    end = program.valid_to or meta.valid_to
    base = _base_facts(book, program, meta.region_name)
    roles = book.vocabulary.amount_roles
    labels = {r: v.label for r, v in roles.items()}
    # the day rows are judged on: the first day; when the text does not say it, its last or its issue date
    day = start or end or meta.issue_date or date.today()

    def row(name: str, kind: str, as_of: date = day, **change: Any) -> Row:
        facts = {**base, **{k: v for k, v in change.items() if k != "amounts"}}
        facts["amounts"] = {**base["amounts"], **change.get("amounts", {})}
        return Row(name, as_of, EnterpriseFacts.model_validate(facts), program.id, kind)

    has_threshold = any(c.threshold for c in program.conditions)
    rows = [] if has_threshold else [row("各项条件满足", "calculation")]
    for cond in program.conditions:
        if cond.threshold:
            t = cond.threshold
            inside, outside = _other_side(t.word, t.number, roles[t.fact].unit)
            rows.append(row(f"{labels[t.fact]} {inside}（“{t.word}”边界上）", "threshold", amounts={t.fact: inside}))
            short = "差一" if roles[t.fact].unit in WHOLE_UNITS else "差一分"
            rows.append(row(f"{labels[t.fact]} {outside}（{short}）", "threshold", amounts={t.fact: outside}))
    f = program.formula
    if f.kind in (FormulaKind.RATE, FormulaKind.PER_UNIT) and f.rate and len(f.base) == 1:
        for cap in (c for c in program.caps if c.of is None):
            at = (cap.amount.value / f.rate.value).quantize(CENT, rounding=ROUND_DOWN)
            rows.append(row(f"{labels[f.base[0]]} {at}：恰好达到上限", "cap", amounts={f.base[0]: at}))
            rows.append(row(f"{labels[f.base[0]]} {at + 1}：超过上限，按上限计", "cap", amounts={f.base[0]: at + 1}))
    for level in list(f.by_level)[1:]:
        rows.append(row(f"{level.value}", "level", level=level))
    for tier in f.tiers:
        for b in (tier.lower, tier.upper):
            if b:
                inside, outside = _other_side(b.word, b.number, roles[b.fact].unit)
                rows.append(row(f"{labels[b.fact]} {inside}（档位边界）", "threshold", amounts={b.fact: inside}))
                rows.append(
                    row(f"{labels[b.fact]} {outside}（档位边界另一侧）", "threshold", amounts={b.fact: outside})
                )
    if end:
        rows.append(row(f"施行最后一天 {end}", "validity", as_of=end))
        rows.append(row(f"期满次日 {end + timedelta(days=1)}", "validity", as_of=end + timedelta(days=1)))
    if start:
        rows.append(row(f"施行前一天 {start - timedelta(days=1)}", "validity", as_of=start - timedelta(days=1)))
    return rows


def _expect(book: Rulebook, row: Row, settings: Settings) -> dict[str, Any]:
    lpr = load_lpr_table(index_file(settings.policies_dir, "lpr.yaml"))
    result = evaluate_program(book, row.program, row.facts, row.as_of, lpr)
    out: dict[str, Any] = {"status": result.status.value}
    if result.amount is not None or result.status in (Status.ELIGIBLE, Status.EXPIRED):
        out["amount"] = None if result.amount is None else f"{result.amount:f}"
    if result.missing:
        out["missing"] = result.missing
    if result.failed:
        out["failed"] = result.failed
    return out


def _question(book: Rulebook, row: Row, expect: dict[str, Any], n: int) -> dict[str, Any]:
    program = book.programs[row.program]
    labels = {r: v.label for r, v in book.vocabulary.amount_roles.items()}
    said = "，".join(f"{labels[k]}{format_wan(v)}" for k, v in row.facts.amounts.items())
    level = f"，{row.facts.level.value}" if row.facts.level else ""
    amount = expect.get("amount")
    return {
        "id": f"{row.program}-q{n}",
        "question": f"我们是{row.facts.place}的企业，{said}{level}，“{program.title}”能拿多少？",
        "as_of": row.as_of.isoformat(),
        "expect": {row.program: {"status": expect["status"], "amount": str(amount) if amount else None}},
        "note": f"待核：{row.name}；问法请改成企业会说的话，期望值请按原文手算核对",
    }


@dataclass
class CasesResult:
    rows: int
    questions: int
    rows_file: Path
    questions_file: Path


def propose_cases(folder: Path, settings: Settings) -> CasesResult:
    book = _book(Path(folder), settings)
    rows: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    for program in book.programs.values():
        for row in boundary_rows(book, program):
            expect = _expect(book, row, settings)
            rows.append(
                {
                    "name": f"{program.id}：{row.name}",
                    "as_of": row.as_of.isoformat(),
                    "facts": row.facts.model_dump(mode="json", exclude_defaults=True),
                    "expect": {row.program: expect},
                }
            )
            questions.append(_question(book, row, expect, len(questions) + 1))
    head = (
        "# 待核的边界测试行：期望值是计算器按当前规则算出的，不是答案。请逐行按原文手算核对，\n"
        "# 无误的行移入 cases.yaml（有误就改规则或改行），`assistant policy check` 会运行 cases.yaml。\n"
    )
    rows_file = Path(folder) / DRAFT_ROWS
    rows_file.write_text(
        head + yaml.safe_dump({"cases": rows}, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )
    questions_file = Path(folder) / DRAFT_QUESTIONS
    questions_file.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return CasesResult(len(rows), len(questions), rows_file, questions_file)
