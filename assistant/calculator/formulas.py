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
from assistant.core.money import format_quantity
from assistant.rules.bounds import bound_for
from assistant.rules.lpr import ChosenRate, LprTable
from assistant.rules.schema import CAP_LABEL, BaseLimit, CapScope, Formula, FormulaKind, Param, Program, Tier

CENT = Decimal("0.01")


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def yuan(value: Decimal) -> str:
    return format_quantity(value)


@dataclass
class AmountResult:
    amount: Decimal | None  # None: not computable (missing facts) or unspecified
    steps: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rate_used: ChosenRate | None = None
    exhausted: str | None = None  # the cap that what was already received has used up, if any
    outside: str | None = None  # why the fact falls in none of the text's bands (below the lowest)

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
    lim = formula.base_limit
    if lim and lim.of not in facts.amounts and (lim.rate_fact or "") not in facts.rates:
        missing.append(lim.of)
    if missing:
        out.missing += missing
        return None
    base = sum((facts.amounts[f] for f in formula.base), Decimal(0))
    label = formula.base_describe or "＋".join(labels[f] for f in formula.base)
    unit = formula.rate.unit.split("/", 1)[1] if formula.rate and "/" in formula.rate.unit else "元"
    parts = " ＋ ".join(f"{labels[f]} {format_quantity(facts.amounts[f], unit)}" for f in formula.base)
    if len(formula.base) > 1:
        out.steps.append(f"{label} = {parts} = {format_quantity(base, unit)}")
    if lim and lim.of not in facts.amounts and lim.rate_fact:
        return _limited_by_stated_rate(lim, facts.rates[lim.rate_fact], base, label, out)
    if lim:
        ceiling = lim.rate.value * facts.amounts[lim.of]
        used = min(base, ceiling)
        out.steps.append(
            f"{lim.describe}：{percent(lim.rate.value)} × {labels[lim.of]} {yuan(facts.amounts[lim.of])} = "
            f"{yuan(ceiling)}，计算基数取 {label} {yuan(base)} 与之较小者 {yuan(used)}"
        )
        return used
    return base


def _limited_by_stated_rate(lim: BaseLimit, said: Decimal, base: Decimal, label: str, out: AmountResult) -> Decimal:
    """The base is `said` × the fact the limit names, so it counts whole while `said` is within the
    limit's rate, else scaled down to it (保费 × 3% ÷ 所述费率 = 3% × 保险金额)."""
    if said <= lim.rate.value:
        out.steps.append(
            f"{lim.describe}：所述费率 {percent(said)} 未超过 {percent(lim.rate.value)}，计算基数取 {label} {yuan(base)}"
        )
        return base
    used = base * lim.rate.value / said
    out.steps.append(
        f"{lim.describe}：所述费率 {percent(said)} 超过 {percent(lim.rate.value)}，计算基数取 {label} {yuan(base)} × "
        f"{percent(lim.rate.value)} ÷ {percent(said)} = {yuan(used)}"
    )
    return used


def _pick_tier(f: Formula, facts: EnterpriseFacts, labels: dict[str, str], out: AmountResult) -> Tier | None:
    """The first row whose bounds admit the fact's value (tiers and rate bands alike)."""
    bound_facts = {b.fact for t in f.tiers for b in (t.lower, t.upper) if b}
    lacking = sorted(x for x in bound_facts if x not in facts.amounts)
    if lacking:
        out.missing += lacking
        return None
    for tier in f.tiers:
        bounds = [b for b in (tier.lower, tier.upper) if b]
        if all(bound_for(b.word).admits(facts.amounts[b.fact], b.number) for b in bounds):
            value = facts.amounts[bounds[0].fact]
            words = "，".join(f"{format_quantity(b.number, b.unit)}{b.word}" for b in bounds)
            figure = yuan(tier.param.value) if tier.amount else f"比例 {percent(tier.param.value)}"
            out.steps.append(
                f"{labels[bounds[0].fact]} {format_quantity(value, bounds[0].unit)}，属于“{words}”档：{figure}"
            )
            return tier
    out.outside = "所述金额不在政策所列任何档次之内"
    out.steps.append(out.outside)
    return None


def _noted(param: Param, out: AmountResult) -> Decimal:
    """The param's value; for a range in the text, its maximum, with a note saying so."""
    if param.range_from is not None:
        shown = percent if param.unit == "比例" else yuan
        out.warnings.append(
            f"原文为区间 {shown(param.range_from)}—{shown(param.value)}，按最高 {shown(param.value)} 测算，"
            f"实际以主管部门核定为准"
        )
    return param.value


def _raw_amount(
    program: Program, facts: EnterpriseFacts, labels: dict[str, str], lpr: LprTable, as_of: date, out: AmountResult
) -> Decimal | None:
    f = program.formula
    if f.kind is FormulaKind.UNSPECIFIED:
        out.steps.append("政策原文未规定具体金额或比例")
        return None
    if f.kind is FormulaKind.NOT_MODELLED:
        out.steps.append(f"本项金额暂未纳入测算：{f.reason}")
        out.warnings.append(f"本项金额暂未纳入测算（{f.reason}），请以政策原文和主管部门核定为准")
        return None
    if f.kind is FormulaKind.FIXED:
        assert f.amount is not None  # Formula._complete: a fixed formula has its amount
        value = _noted(f.amount, out)
        out.steps.append(f"定额 {yuan(value)}")
        return value
    if f.kind is FormulaKind.BY_LEVEL:
        if facts.level is None:
            out.missing.append("level")
            return None
        row = f.by_level.get(facts.level)
        if row is None:
            levels = "、".join(level.value for level in f.by_level)
            out.steps.append(f"所述级别{facts.level.value}不在政策所列级别（{levels}）之内")
            return None
        value = _noted(row, out)
        out.steps.append(f"{facts.level.value}：{yuan(value)}")
        return value
    if f.kind is FormulaKind.TIERS:
        tier = _pick_tier(f, facts, labels, out)
        return _noted(tier.param, out) if tier else None
    if f.kind is FormulaKind.RATE_BANDS:
        tier = _pick_tier(f, facts, labels, out)
        base = _base(f, facts, labels, out)
        if tier is None or base is None:
            return None
        rate = _with_additions(f, facts, _noted(tier.param, out), out)
        raw = rate * base
        out.steps.append(f"{percent(rate)} × {_base_label(f, labels)} {yuan(base)} = {yuan(raw)}")
        return raw
    base = _base(f, facts, labels, out)
    if base is None:
        return None
    label = _base_label(f, labels)
    if f.kind is FormulaKind.YEAR_SCHEDULE:
        return _schedule(f, base, label, out)
    if f.kind is FormulaKind.RATE_STEPS:
        return _steps(f, base, label, out)
    if f.kind is FormulaKind.PER_STEP:
        return _per_step(f, base, label, out)
    assert f.rate is not None  # Formula._complete: every remaining kind has its rate
    rate = _noted(f.rate, out)
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
        raw = base * chosen.rate * rate
        out.steps.append(f"{label} {yuan(base)} × {chosen.describe()} × {percent(rate)} = {yuan(raw)}")
        return raw
    if f.kind is FormulaKind.PER_UNIT:
        per = f.rate.unit.split("/", 1)[1]
        raw = rate * base
        out.steps.append(f"每{per} {yuan(rate)} × {label} {format_quantity(base, per)} = {yuan(raw)}")
        return raw
    if f.kind is FormulaKind.RATE_ABOVE:
        assert f.above is not None  # Formula._complete
        excess = max(base - f.above.value, Decimal(0))
        raw = rate * excess
        out.steps.append(
            f"超出部分 = {label} {yuan(base)} − {yuan(f.above.value)} = {yuan(excess)}；"
            f"{percent(rate)} × {yuan(excess)} = {yuan(raw)}"
        )
        return raw
    rate = _with_additions(f, facts, rate, out)
    raw = rate * base
    out.steps.append(f"{percent(rate)} × {label} {yuan(base)} = {yuan(raw)}")
    return raw


def _with_additions(f: Formula, facts: EnterpriseFacts, rate: Decimal, out: AmountResult) -> Decimal:
    """The rate with the points of every recognition the enterprise holds. One not known to be held is not
    counted, and the answer says what it would add: the figure is then the least, never a guess upward."""
    for add in f.rate_additions:
        held = facts.tags.get(add.tag)
        points = _noted(add.points, out)
        if held:
            out.steps.append(
                f"{add.describe}：比例 {percent(rate)} 再提高 {percent(points)}，为 {percent(rate + points)}"
            )
            rate += points
        elif held is None:
            out.warnings.append(f"如属{add.describe}，补助比例再提高{percent(points)}，本测算未计入")
    return rate


def _base_label(f: Formula, labels: dict[str, str]) -> str:
    return f.base_describe or "＋".join(labels[x] for x in f.base)


def _schedule(f: Formula, base: Decimal, label: str, out: AmountResult) -> Decimal:
    """Σ years × rate × the yearly base, one step per stretch (第1—2年 80%, 第3—5年 50%)."""
    total, first = Decimal(0), 1
    for stretch in f.schedule:
        rate = _noted(stretch.rate, out)
        last = first + stretch.years - 1
        years = f"第{first}年" if first == last else f"第{first}—{last}年"
        part = rate * base * stretch.years
        out.steps.append(f"{years}：{percent(rate)} × {label} {yuan(base)} × {stretch.years} 年 = {yuan(part)}")
        total += part
        first = last + 1
    out.steps.append(f"{first - 1} 年合计 {yuan(total)}")
    return total


def _steps(f: Formula, base: Decimal, label: str, out: AmountResult) -> Decimal:
    """Σ each band's rate × the part of the base inside the band (超额累进), one step per band reached.
    The bands join end to end, so whether a bound itself is 以上 or 以下 changes no sum."""
    total = Decimal(0)
    out.steps.append(f"{label} {yuan(base)}，分段累进计算：")
    for tier in f.tiers:
        low = tier.lower.number if tier.lower else Decimal(0)
        high = tier.upper.number if tier.upper else None
        part = max(min(base, high) if high is not None else base, low) - low
        if part <= 0:
            continue
        rate = _noted(tier.param, out)
        band = f"{yuan(low)}—{yuan(high)}" if high is not None else f"{yuan(low)}以上"
        out.steps.append(f"  {band}的部分 {yuan(part)} × {percent(rate)} = {yuan(rate * part)}")
        total += rate * part
    out.steps.append(f"合计 {yuan(total)}")
    return total


def _per_step(f: Formula, base: Decimal, label: str, out: AmountResult) -> Decimal:
    """`amount` for every whole `step` of the base (above `above`, when given): part of a step earns nothing."""
    assert f.amount is not None and f.step is not None  # Formula._complete
    start = f.above.value if f.above else Decimal(0)
    counted = max(base - start, Decimal(0))
    steps = int(counted // f.step.value)
    raw = steps * f.amount.value
    over = f"超过 {yuan(start)} 的部分 {yuan(counted)}，" if f.above else ""
    out.steps.append(
        f"{label} {yuan(base)}，{over}每满 {yuan(f.step.value)} 给 {yuan(f.amount.value)}："
        f"{steps} × {yuan(f.amount.value)} = {yuan(raw)}"
    )
    return raw


def exhausted(program: Program, facts: EnterpriseFacts) -> str | None:
    """Why what was already received leaves nothing to get (a one-time award had, an enterprise or yearly
    cap reached), whatever the new project's figures: "今年已经拿满300万" settles it even while the new
    equipment figure is only "1000多万"."""
    received = facts.amounts.get("received_same_program", Decimal(0))
    if program.once and received:
        return f"已获得 {yuan(received)}；原文为一次性奖励（“{program.once.quote}”），同一项目不能再获"
    for cap in program.caps:
        limit = cap.limit(facts.amounts)
        if cap.scope in (CapScope.ENTERPRISE, CapScope.YEAR) and received and limit is not None and received >= limit:
            return f"已获得 {yuan(received)}，已达{CAP_LABEL[cap.scope]} {yuan(limit)}，不能再获奖补"
    return None


def _apply_caps(
    program: Program, facts: EnterpriseFacts, labels: dict[str, str], raw: Decimal, out: AmountResult
) -> Decimal:
    amount = raw
    received = facts.amounts.get("received_same_program", Decimal(0))
    if program.once and received:
        return Decimal(0)
    for cap in program.caps:
        limit = cap.limit(facts.amounts)
        assert limit is not None  # compute_amount: the amount a share is of is known
        share = f"（{labels[cap.of]} {yuan(facts.amounts[cap.of])} × {percent(cap.amount.value)}）" if cap.of else ""
        label = f"{CAP_LABEL[cap.scope]} {yuan(limit)}{share}"
        if cap.scope in (CapScope.ENTERPRISE, CapScope.YEAR) and received:
            left = max(limit - received, Decimal(0))
            label += f"（已获得 {yuan(received)}，尚余 {yuan(left)}）"
            limit = left
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
    out.missing = list(dict.fromkeys(out.missing))  # a rate band's fact may also be its base
    out.exhausted = exhausted(program, facts)  # whether or not the new figures are known
    if raw is None:
        return out
    unknown = [cap.of for cap in program.caps if cap.limit(facts.amounts) is None and cap.of]
    if unknown:  # a ceiling that is a share of an amount not given: the figure cannot be known yet
        out.missing += [f for f in unknown if f not in out.missing]
        return out
    out.amount = _apply_caps(program, facts, labels, raw, out).quantize(CENT, rounding=ROUND_HALF_UP)
    if out.amount != raw:
        out.steps.append(f"结果 {yuan(out.amount)}")
    return out
