"""Whether a program's conditions hold for the facts given: met, failed, or not yet known.

Kept apart from the amount (assistant.calculator.formulas), after OpenFisca: eligibility never looks at money
formulas, and the amount never decides eligibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_quantity
from assistant.rules.bounds import bound_for
from assistant.rules.schema import LEVEL_RANK, Condition, Exclusion, Program

ALREADY_HAD = "option-already-had"  # the id of the check that this option was already had for the project
CHOSEN_OTHER = "chosen-other-option"  # the id of the check that another option was already chosen


class Outcome(str, Enum):
    MET = "met"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    """One condition or exclusion as checked, with the sentence the answer shows."""

    id: str
    outcome: Outcome
    text: str
    missing: tuple[str, ...] = ()  # fact names the user has not given
    presumed: bool = False


@dataclass
class Eligibility:
    checks: list[Check] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)  # exclusions the user did not rule out

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.outcome is Outcome.FAILED]

    @property
    def missing(self) -> list[str]:
        names: list[str] = []
        for check in self.checks:
            names += [m for m in check.missing if m not in names]
        return names


def _check_window(cond: Condition, facts: EnterpriseFacts, as_of: date | None) -> Check | None:
    """从列入名单年度起连续支持N年: the year the user stated against the as-of date (N years: the
    first and the N-1 after it); None when either is unknown, and the tag alone decides."""
    began = facts.since.get(cond.tag or "")
    if cond.within is None or began is None or as_of is None:
        return None
    years = cond.within.years
    ok = 0 <= as_of.year - began < years
    text = (
        f"{cond.describe}：所述{began}年起连续{years}年（{began}—{began + years - 1}年），"
        f"{as_of.year}年{'在' if ok else '不在'}此期间内，原文：“{cond.within.citation.quote}”"
    )
    return Check(cond.id, Outcome.MET if ok else Outcome.FAILED, text)


def _check_condition(cond: Condition, facts: EnterpriseFacts, labels: dict[str, str], as_of: date | None) -> Check:
    if cond.threshold:
        t = cond.threshold
        value = facts.amounts.get(t.fact)
        bound = bound_for(t.word)
        if value is None:
            return _check_unsettled(cond, facts, labels)
        ok = bound.admits(value, t.number)
        verdict = "满足" if ok else "不满足"
        text = (
            f"{cond.describe}：{labels[t.fact]} {format_quantity(value, t.unit)} {bound.symbol} "
            f"{format_quantity(t.number, t.unit)}，{verdict}（“{t.word}”{'含' if bound.inclusive else '不含'}本数）"
        )
        return Check(cond.id, Outcome.MET if ok else Outcome.FAILED, text)
    if cond.min_level:
        if facts.level is None:
            return Check(cond.id, Outcome.UNKNOWN, f"{cond.describe}：尚不知道认定级别", ("level",))
        ok = LEVEL_RANK[facts.level] >= LEVEL_RANK[cond.min_level]
        return Check(
            cond.id,
            Outcome.MET if ok else Outcome.FAILED,
            f"{cond.describe}：所述级别为{facts.level.value}，{'满足' if ok else '不满足'}",
        )
    tags = [cond.tag] if cond.tag else list(cond.any_tags or [])
    stated = [facts.tags.get(t) for t in tags]
    if any(v is True for v in stated):
        return _check_window(cond, facts, as_of) or Check(cond.id, Outcome.MET, f"{cond.describe}：满足")
    if stated and all(v is False for v in stated):
        if any(t in facts.not_yet for t in tags):  # 还没投产: awaited, the figure given once it holds
            return Check(cond.id, Outcome.UNKNOWN, f"{cond.describe}：您说目前尚未达到，达到后方可申请", tuple(tags))
        return Check(cond.id, Outcome.FAILED, f"{cond.describe}：不满足")
    if cond.presumed:
        return Check(cond.id, Outcome.MET, f"{cond.describe}：按所述情况推定满足，如不属实请告知", presumed=True)
    return Check(
        cond.id, Outcome.UNKNOWN, f"{cond.describe}：尚不确定", tuple(t for t, v in zip(tags, stated) if v is None)
    )


def _check_unsettled(cond: Condition, facts: EnterpriseFacts, labels: dict[str, str]) -> Check:
    """A threshold on an amount not given exactly: decided only if all it may be lies on one side."""
    t = cond.threshold
    assert t is not None
    vague = facts.unsettled.get(t.fact)
    verdict = vague.interval.surely(bound_for(t.word), t.number) if vague else None
    if vague is None:
        return Check(cond.id, Outcome.UNKNOWN, f"{cond.describe}：尚不知道{labels[t.fact]}", (t.fact,))
    if verdict is None:
        return Check(
            cond.id, Outcome.UNKNOWN, f"{cond.describe}：{labels[t.fact]}“{vague.said}”不能确定是否满足", (t.fact,)
        )
    text = f"{cond.describe}：{labels[t.fact]}“{vague.said}”，{'满足' if verdict else '不满足'}（“{t.word}”{'含' if bound_for(t.word).inclusive else '不含'}本数）"
    return Check(cond.id, Outcome.MET if verdict else Outcome.FAILED, text)


def _check_exclusion(excl: Exclusion, facts: EnterpriseFacts) -> Check | str | None:
    """A Check when the exclusion holds or is awaited (applied for, not decided: asked); a caveat when
    the user has not said; None when ruled out."""
    stated = facts.tags.get(excl.tag)
    if stated is True:
        return Check(excl.id, Outcome.FAILED, f"不符合：{excl.describe}")
    if stated is None and excl.tag in facts.to_confirm:
        return Check(excl.id, Outcome.UNKNOWN, f"尚不确定：{excl.describe}", missing=(excl.tag,))
    if stated is None:
        return f"注意：{excl.describe}"
    return None


def _check_choice(program: Program, facts: EnterpriseFacts) -> Check | None:
    """Ruled out when the user already chose another option of a group the text says is choose-one."""
    chosen = facts.chosen.get(program.choose_one_group or "")
    if program.choose_one_citation is None:
        return None
    quote = program.choose_one_citation.quote
    if program.id in facts.had:  # the project had it already: one option, once, per project
        return Check(
            ALREADY_HAD, Outcome.FAILED, f"不符合：所述项目已享受过这一奖补方式，不再重复给予，原文：“{quote}”"
        )
    if chosen in (None, program.id):
        return None
    return Check(CHOSEN_OTHER, Outcome.FAILED, f"不符合：所述项目已选择并享受了另一种奖补方式，原文：“{quote}”")


def check_eligibility(
    program: Program, facts: EnterpriseFacts, labels: dict[str, str], as_of: date | None = None
) -> Eligibility:
    """`labels` names each fact in Chinese (from the vocabulary) so the checks read as sentences;
    `as_of` is the date that year windows are counted to."""
    result = Eligibility()
    for cond in program.conditions:
        result.checks.append(_check_condition(cond, facts, labels, as_of))
    for excl in program.exclusions:
        outcome = _check_exclusion(excl, facts)
        if isinstance(outcome, Check):
            result.checks.append(outcome)
        elif outcome:
            result.caveats.append(outcome)
    choice = _check_choice(program, facts)
    if choice:
        result.checks.append(choice)
    return result
