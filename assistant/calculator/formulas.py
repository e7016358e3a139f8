"""The amount a program gives, with the formula written out in the user's own numbers.

Everything is Decimal; rounding to 0.01 yuan (half-up) happens once, on the final figure. Caps apply
after the formula, in the order the rules file lists them; the enterprise and yearly caps first
subtract what the user says was already received under the same program.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_yuan
from assistant.rules.bounds import bound_for
from assistant.rules.lpr import ChosenRate, LprTable
from assistant.rules.schema import CAP_LABEL, CapScope, Formula, FormulaKind, Program

CENT = Decimal("0.01")


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def yuan(value: Decimal) -> str:
    return f"{format_yuan(value)} 元"


@dataclass
class AmountResult:
    amount: Decimal | None  # None: not computable (missing facts) or unspecified
    steps: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rate_used: ChosenRate | None = None
    exhausted: str | None = None  # the cap that what was already received has used up, if any

    @property
    def formula_text(self) -> str:
        return "；".join(self.steps)


def choose_lpr(facts: EnterpriseFacts, table: LprTable, as_of: date) -> ChosenRate | None:
    """The user's rate wins over the table; a rate they stated that could not be right ("385%")
    blocks the table too, since the user evidently meant a rate of their own."""
    if "lpr_rate" in facts.unsettled:
        return None
    if facts.lpr_rate is not None:
        return ChosenRate(facts.lpr_rate, None, True)
    row = table.latest_on(as_of)
    return ChosenRate(row.rate, row.date, False) if row else None


def _base(formula: Formula, facts: EnterpriseFacts, labels: dict[str, str], out: AmountResult) -> Decimal | None:
    missing = [f for f in formula.base if f not in facts.amounts]
    if formula.base_limit and formula.base_limit.of not in facts.amounts:
        missing.append(formula.base_limit.of)
    if missing:
        out.missing += missing
        return None
    base = sum((facts.amounts[f] for f in formula.base), Decimal(0))
    label = formula.base_describe or "＋".join(labels[f] for f in formula.base)
    parts = " ＋ ".join(f"{labels[f]} {yuan(facts.amounts[f])}" for f in formula.base)
    if len(formula.base) > 1:
        out.steps.append(f"{label} = {parts} = {yuan(base)}")
    if formula.base_limit:
        lim = formula.base_limit
        ceiling = lim.rate.value * facts.amounts[lim.of]
        used = min(base, ceiling)
        out.steps.append(
            f"{lim.describe}：{percent(lim.rate.value)} × {labels[lim.of]} {yuan(facts.amounts[lim.of])} = "
            f"{yuan(ceiling)}，计算基数取 {label} {yuan(base)} 与之较小者 {yuan(used)}"
        )
        return used
    return base


def _raw_amount(
    program: Program, facts: EnterpriseFacts, labels: dict[str, str], lpr: LprTable, as_of: date, out: AmountResult
) -> Decimal | None:
    f = program.formula
    if f.kind is FormulaKind.UNSPECIFIED:
        out.steps.append("政策原文未规定具体金额或比例")
        return None
    if f.kind is FormulaKind.FIXED:
        assert f.amount is not None  # Formula._complete: a fixed formula has its amount
        out.steps.append(f"定额 {yuan(f.amount.value)}")
        return f.amount.value
    if f.kind is FormulaKind.BY_LEVEL:
        if facts.level is None:
            out.missing.append("level")
            return None
        row = f.by_level.get(facts.level)
        if row is None:
            levels = "、".join(level.value for level in f.by_level)
            out.steps.append(f"所述级别{facts.level.value}不在政策所列级别（{levels}）之内")
            return None
        out.steps.append(f"{facts.level.value}：{yuan(row.value)}")
        return row.value
    if f.kind is FormulaKind.TIERS:
        lacking = sorted(x for x in f.amount_facts() if x not in facts.amounts)
        if lacking:
            out.missing += lacking
            return None
        for tier in f.tiers:
            bounds = [b for b in (tier.lower, tier.upper) if b]
            if all(bound_for(b.word).admits(facts.amounts[b.fact], b.number) for b in bounds):
                value = facts.amounts[bounds[0].fact]
                words = "，".join(f"{format_yuan(b.number)} 元{b.word}" for b in bounds)
                out.steps.append(f"{labels[bounds[0].fact]} {yuan(value)}，属于“{words}”档：{yuan(tier.amount.value)}")
                return tier.amount.value
        out.steps.append("金额不在政策所列任何档次之内")
        return None
    base = _base(f, facts, labels, out)
    if base is None:
        return None
    label = f.base_describe or "＋".join(labels[x] for x in f.base)
    if f.kind is FormulaKind.LPR_INTEREST:
        chosen = choose_lpr(facts, lpr, as_of)
        if chosen is None:
            out.missing.append("lpr_rate")
            return None
        out.rate_used = chosen
        if not chosen.stated_by_user and as_of > lpr.last_row.date:
            out.warnings.append(
                f"利率表最新一条为{lpr.last_row.date.isoformat()}公布的{percent(lpr.last_row.rate)}；"
                f"如此后有新公布的一年期LPR，请提供实际利率重新测算"
            )
        assert f.rate is not None  # Formula._complete: a rate formula has its rate
        raw = base * chosen.rate * f.rate.value
        out.steps.append(f"{label} {yuan(base)} × {chosen.describe()} × {percent(f.rate.value)} = {yuan(raw)}")
        return raw
    assert f.rate is not None
    raw = f.rate.value * base
    out.steps.append(f"{percent(f.rate.value)} × {label} {yuan(base)} = {yuan(raw)}")
    return raw


def _apply_caps(program: Program, facts: EnterpriseFacts, raw: Decimal, out: AmountResult) -> Decimal:
    amount = raw
    received = facts.amounts.get("received_same_program", Decimal(0))
    for cap in program.caps:
        limit = cap.amount.value
        label = f"{CAP_LABEL[cap.scope]} {yuan(limit)}"
        if cap.scope in (CapScope.ENTERPRISE, CapScope.YEAR) and received:
            left = max(limit - received, Decimal(0))
            label += f"（已获得 {yuan(received)}，尚余 {yuan(left)}）"
            limit = left
            if left == 0:
                out.exhausted = (
                    f"已获得 {yuan(received)}，已达{CAP_LABEL[cap.scope]} {yuan(cap.amount.value)}，不能再获奖补"
                )
        if amount > limit:
            out.steps.append(f"超过{label}，按上限计 {yuan(limit)}")
            amount = limit
        else:
            out.steps.append(f"未超过{label}")
        if cap.note:
            out.warnings.append(cap.note)
    return amount


def compute_amount(
    program: Program, facts: EnterpriseFacts, labels: dict[str, str], lpr: LprTable, as_of: date
) -> AmountResult:
    out = AmountResult(amount=None)
    raw = _raw_amount(program, facts, labels, lpr, as_of, out)
    if raw is None:
        return out
    out.amount = _apply_caps(program, facts, raw, out).quantize(CENT, rounding=ROUND_HALF_UP)
    if out.amount != raw:
        out.steps.append(f"结果 {yuan(out.amount)}")
    return out
