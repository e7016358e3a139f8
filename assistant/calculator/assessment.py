"""The deterministic calculator: for each relevant program, a status, a figure, the formula and why.

No language model takes part. Order of judgement for one program: region → eligibility (conditions,
exclusions) → amount (formula, caps) → validity on the as-of date. A program that is not in force is
`expired` whatever else holds; its figure is kept only as "按原政策口径测算，仅供参考".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from assistant.calculator.eligibility import check_eligibility
from assistant.calculator.facts import EnterpriseFacts
from assistant.calculator.formulas import AmountResult, compute_amount
from assistant.rules.lpr import LprTable
from assistant.rules.rulebook import ResolvedCitation, Rulebook
from assistant.rules.schema import Program
from assistant.texts.policies import Validity, ValidityStatus, validity_on
from assistant.texts.regions import covers

REFERENCE_ONLY = "按原政策口径测算，仅供参考"


class Status(str, Enum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_INFO = "needs_info"
    EXPIRED = "expired"


@dataclass
class ProgramResult:
    program: Program
    policy_id: str
    status: Status
    amount: Decimal | None
    formula: str
    reasons: list[str]
    missing: list[str]
    failed: list[str]  # ids of failed conditions / exclusions
    validity: ValidityStatus
    citations: list[ResolvedCitation]
    warnings: list[str] = field(default_factory=list)
    rate_note: str | None = None  # the LPR used and its date, where one was
    # Needs info, but every amount it reads is known: the figure once the missing yes/no facts are
    # confirmed ("若已投产，最高1000万元"). None otherwise, and never counted in a total.
    conditional_amount: Decimal | None = None


def evaluate_program(
    book: Rulebook, program_id: str, facts: EnterpriseFacts, as_of: date, lpr: LprTable
) -> ProgramResult:
    program = book.programs[program_id]
    policy = book.policy_of(program_id)
    facts = facts.with_level_of(t for c in program.conditions for t in ([c.tag] if c.tag else c.any_tags or []))
    labels = {role: r.label for role, r in book.vocabulary.amount_roles.items()}
    validity = validity_on(policy.meta, as_of, program.valid_from, program.valid_to)
    eligibility = check_eligibility(program, facts, labels, as_of)
    amount: AmountResult = compute_amount(program, facts, labels, lpr, as_of)
    reasons = [c.text for c in eligibility.checks] + eligibility.caveats
    missing = list(eligibility.missing) + [m for m in amount.missing if m not in eligibility.missing]
    failed = [c.id for c in eligibility.failed]
    if facts.place is None:
        missing.insert(0, "place")
    elif not covers(policy.meta.region_name, facts.place):
        failed.insert(0, "region")
        reasons.insert(0, f"本政策适用于{policy.meta.region_path}，所述企业所在地不在其范围内")

    if amount.exhausted:
        failed.append("cap-exhausted")
        reasons.append(amount.exhausted)
    if amount.outside and not failed:  # below the lowest band, no condition said so: the text gives it nothing
        failed.append("outside-tiers")
        reasons.append(amount.outside)
    base = program.formula.base
    if base and all(facts.amounts.get(f) == 0 for f in base):  # "我们没有贷款": nothing to subsidise
        failed.append("declined")
        reasons.append(f"您表示没有{'、'.join(labels[f] for f in base)}，本项不适用")
    if failed:
        status = Status.INELIGIBLE
    elif missing:
        status = Status.NEEDS_INFO
    else:
        status = Status.ELIGIBLE
    figure = amount.amount if status is Status.ELIGIBLE else None
    amounts_known = not any(m in book.vocabulary.amount_roles for m in missing) and "place" not in missing
    conditional = amount.amount if status is Status.NEEDS_INFO and amounts_known else None
    warnings = list(amount.warnings)
    if validity.state in (Validity.EXPIRED, Validity.REPEALED, Validity.MAYBE_REPEALED, Validity.NOT_YET):
        reasons.append(f"政策效力：{validity.explanation}")
        if status is Status.ELIGIBLE:
            reasons.append(f"金额{REFERENCE_ONLY}")
            warnings.append(REFERENCE_ONLY)
        status = Status.EXPIRED
    elif validity.state is Validity.UNKNOWN:
        warnings.append(f"政策效力无法确定：{validity.explanation}")
    if any(c.presumed for c in eligibility.checks):
        warnings.append("部分条件按所述情况推定满足，申报时以主管部门审核为准")
    return ProgramResult(
        program=program,
        policy_id=policy.id,
        status=status,
        amount=figure,
        formula=amount.formula_text,
        reasons=reasons + [f"注：{n}" for n in program.notes],
        missing=missing,
        failed=failed,
        validity=validity,
        citations=[book.resolve(policy.id, c) for c in program.citations],
        warnings=warnings,
        rate_note=amount.rate_used.describe() if amount.rate_used else None,
        conditional_amount=conditional if status is Status.NEEDS_INFO else None,
    )


@dataclass
class Assessment:
    as_of: date
    facts: EnterpriseFacts
    results: list[ProgramResult]

    def recommended(self, group: str) -> ProgramResult | None:
        """The larger of eligible alternatives: the one to choose."""
        options = [
            r
            for r in self.results
            if r.program.choose_one_group == group and r.amount is not None and r.status is Status.ELIGIBLE
        ]
        return max(options, key=lambda r: r.amount or Decimal(0)) if options else None


def assess(book: Rulebook, facts: EnterpriseFacts, as_of: date, program_ids: list[str], lpr: LprTable) -> Assessment:
    results = []
    for program_id in program_ids:
        results.append(evaluate_program(book, program_id, facts, as_of, lpr))
    return Assessment(as_of, facts, results)
