"""The calculator's results as the answer's models (assistant.answering.api_models), and the pieces of
them the answer templates list (missing facts, alternatives, numbered citations).

Figures are formatted here, from Decimals, once; templates and the optional language model only
ever see these strings, which is what lets the number check hold every answer to them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.answering.api_models import Citation, Facts, PolicyRef, Program, UnsettledAmount
from assistant.calculator.assessment import Assessment, ProgramResult, Status
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan, format_yuan
from assistant.rules.rulebook import Rulebook
from assistant.rules.schema import AmountKind, FormulaKind

STATUS_LABEL = {
    Status.ELIGIBLE: "符合条件，可以申请",
    Status.INELIGIBLE: "不符合条件",
    Status.NEEDS_INFO: "需补充信息",
    Status.EXPIRED: "政策已不在有效期内",
}
# Answers list what the user can act on first.
STATUS_ORDER = [Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE, Status.EXPIRED]
SPECIAL_FACTS = {
    "place": "企业所在地区（省、市或区县）",
    "level": "认定级别（国家级、省级或市级）",
    "lpr_rate": "一年期LPR利率",
}


def money(value: Decimal | None) -> float | None:
    """JSON number for a Decimal of at most 2 places; below 10^13 yuan the float prints it exactly."""
    return float(value) if value is not None else None


def fact_label(book: Rulebook, name: str) -> str:
    roles = book.vocabulary.amount_roles
    if name in roles:
        return roles[name].label
    if name in book.vocabulary.tags:
        return f"是否{book.vocabulary.tags[name].label}"
    return SPECIAL_FACTS.get(name, name)


def shown_facts(facts: EnterpriseFacts) -> Facts:
    """The facts as the answer shows them: Decimals as JSON numbers, the level as its text."""
    return Facts(
        place=facts.place,
        place_mention=facts.place_mention,
        amounts={k: money(v) for k, v in facts.amounts.items()},
        unsettled={role: UnsettledAmount(said=u.said, ask=u.ask) for role, u in facts.unsettled.items()},
        tags=facts.tags,
        level=facts.level.value if facts.level else None,
        lpr_rate=money(facts.lpr_rate),
    )


def program(book: Rulebook, r: ProgramResult) -> Program:
    """One program's result with everything the answer shows of it formatted, its policy and citations."""
    meta = book.library.policies[r.policy_id].meta
    p = r.program
    procedure = book.procedures.get(p.how_to_apply) if p.how_to_apply else None
    valid_to = p.valid_to or meta.valid_to
    return Program(
        program_id=p.id,
        title=p.title,
        policy=PolicyRef(
            id=meta.id,
            doc_number=meta.doc_number,
            title=meta.title,
            issuer=meta.issuer,
            valid_from=p.valid_from or meta.valid_from,
            valid_to=valid_to,
            in_force=r.validity.in_force,
            label=meta.label,
        ),
        status=r.status.value,
        status_label=STATUS_LABEL[r.status],
        amount_yuan=money(r.amount),
        amount_text=format_yuan(r.amount) if r.amount is not None else None,
        amount_wan=format_wan(r.amount) if r.amount is not None else None,
        amount_prefix="最高 " if p.amount_kind is AmountKind.MAX else "",
        conditional_yuan=money(r.conditional_amount),
        conditional_wan=format_wan(r.conditional_amount) if r.conditional_amount is not None else None,
        amount_kind=p.amount_kind.value,
        not_modelled=p.formula.reason if p.formula.kind is FormulaKind.NOT_MODELLED else None,
        benefit=p.benefit.value,
        formula=r.formula,
        caps=[c.describe({r: v.label for r, v in book.vocabulary.amount_roles.items()}) for c in p.caps],
        lpr_used=r.rate_note,
        reasons=r.reasons,
        missing=r.missing,
        failed=r.failed,
        choose_one_group=p.choose_one_group,
        departments=p.departments,
        how_to_apply=procedure.describe if procedure else None,
        validity=r.validity.explanation,
        warnings=r.warnings,
        citations=[
            Citation(
                doc_number=c.doc_number,
                clause=c.clause,
                heading_path=list(c.heading_path),
                quote=c.quote,
                start=c.start,
                end=c.end,
            )
            for c in r.citations
        ],
    )


def programs(book: Rulebook, assessment: Assessment) -> list[Program]:
    """The assessment's programs, those the user can act on first."""
    ordered = sorted(assessment.results, key=lambda r: STATUS_ORDER.index(r.status))
    return [program(book, r) for r in ordered]


@dataclass(frozen=True)
class Card:
    """The first lines about one program asked about: verdict, figure, why, what is missing."""

    program: Program
    verdict: str
    why: str
    missing: list[str]
    awaited: list[str] = field(default_factory=list)  # conditions said not reached yet (还没投产)


CAPPED = "按上限计"  # the formula's step where a cap replaced the computed figure (calculator.formulas)
ASK_LOCALLY = "当地工业和信息化、发展改革主管部门"  # whom to ask where the text names no department
REFUSAL_WORDS = ("不满足", "不符合", "不适用", "不在其范围", "已选择")


def _still_to_hold(book: Rulebook, p: Program) -> str:
    """The missing facts as the condition they make up: facts of one any-of condition ("获得中国驰名商标、
    中国质量奖…之一") joined by 或, separate conditions by 且."""
    rule = book.programs.get(p.program_id)
    groups = [set(c.any_tags) for c in rule.conditions if c.any_tags] if rule else []
    parts: list[str] = []
    done: set[str] = set()
    for name in p.missing:
        if name in done:
            continue
        group = next((g for g in groups if name in g), {name})
        names = [n for n in p.missing if n in group]
        done.update(names)
        parts.append("或".join(fact_label(book, n).removeprefix("是否") for n in names))
    return "且".join(parts)


def card(book: Rulebook, p: Program, as_of: str, not_yet: Collection[str] = ()) -> Card:
    """The verdict with the figure, or the figure once the missing yes/no facts hold ("若已投产，最高
    1000万"); the why is the formula's first step, the reason it fails, or the policy's validity.
    `not_yet`: facts the user said are not reached yet, listed as awaited rather than missing."""
    missing = [fact_label(book, name) for name in p.missing if name not in not_yet]
    awaited = [fact_label(book, name).removeprefix("是否") for name in p.missing if name in not_yet]
    figure = f"{p.amount_prefix}{p.amount_wan}（{p.amount_text} 元）" if p.amount_text else None
    steps = p.formula.split("；") if p.formula and p.amount_kind != AmountKind.UNSPECIFIED.value else []
    rate_steps = [s for s in steps if "×" in s] or steps[:1]
    first_step = "；".join(rate_steps[-1:] + [s for s in steps if CAPPED in s])
    if p.status == Status.ELIGIBLE.value:
        verdict = f"符合条件，可以申请，{figure}" if figure else f"符合条件，可以申请；{no_figure(p)}"
        return Card(p, verdict, first_step, [])
    if p.status == Status.NEEDS_INFO.value:
        if p.conditional_wan:
            verdict = f"若{_still_to_hold(book, p)}，{p.amount_prefix}{p.conditional_wan}"
        else:
            verdict = "需补充信息后才能判断" + ("或测算" if p.amount_kind != AmountKind.UNSPECIFIED.value else "")
        return Card(p, verdict, first_step, missing, awaited)
    if p.status == Status.EXPIRED.value:
        return Card(
            p,
            f"政策已不在有效期内（按 {as_of}），目前不能按此申报"
            f"{'；原口径测算 ' + figure + '，仅供参考' if figure else ''}",
            f"{p.validity}；是否有接续政策，请咨询{'、'.join(p.departments) or ASK_LOCALLY}",
            [],
        )
    refusal = next((r for r in p.reasons if any(w in r for w in REFUSAL_WORDS)), p.reasons[0] if p.reasons else "")
    return Card(p, "不符合条件", refusal, [])


def no_figure(p: Program) -> str:
    """Why an eligible program has no figure: the text states none, or it states one not computed yet."""
    if p.not_modelled:
        return f"原文规定的金额暂未纳入测算（{p.not_modelled}），以政策原文和主管部门核定为准"
    return "政策原文未规定具体金额，以主管部门核定为准"


def next_step(programs: list[Program]) -> str | None:
    """Where to apply for the first eligible program asked about, as the text says."""
    p = next((p for p in programs if p.status == Status.ELIGIBLE.value), None)
    if p is None:
        return None
    if p.how_to_apply:
        return f"申报“{p.title}”：{p.how_to_apply}"
    if p.departments:
        return f"向{'、'.join(p.departments)}咨询申报“{p.title}”"
    return None


@dataclass(frozen=True)
class MissingFact:
    """A fact still needed, and the titles of the programs waiting for it."""

    fact: str
    label: str
    used_for: list[str]


@dataclass(frozen=True)
class Alternative:
    """Eligible programs of which only one may be chosen, and the title of the larger."""

    group: str
    options: list[Program]
    best: str | None


@dataclass(frozen=True)
class CitationLine:
    """One numbered line of the answer's "依据" list."""

    label: str
    heading: str
    quote: str
    clause: str


def missing_facts(book: Rulebook, programs: list[Program], asked: list[Program] | None = None) -> list[MissingFact]:
    """Each fact still needed, with the programs that need it: first those the programs `asked` about
    need, the first of them (the clearest named) before the next, so the follow-up asks what the
    question is waiting for; then by how many programs need it."""
    needed: dict[str, list[str]] = {}
    for p in programs:
        if p.status == Status.NEEDS_INFO.value:
            for name in p.missing:
                needed.setdefault(name, []).append(p.title)
    waiting = [p for p in asked or [] if p.status == Status.NEEDS_INFO.value]
    rank = {name: i for i, p in reversed(list(enumerate(waiting))) for name in p.missing}
    ranked = sorted(needed.items(), key=lambda item: (rank.get(item[0], len(waiting)), -len(item[1])))
    return [MissingFact(name, fact_label(book, name), used) for name, used in ranked]


def alternatives(assessment: Assessment, programs: list[Program]) -> list[Alternative]:
    """Sets of eligible programs of which only one may be chosen, with the larger named."""
    groups: dict[str, list[Program]] = {}
    for p in programs:
        if p.choose_one_group and p.amount_text and p.status == Status.ELIGIBLE.value:
            groups.setdefault(p.choose_one_group, []).append(p)
    out = []
    for group, options in groups.items():
        if len(options) > 1:
            best = assessment.recommended(group)
            out.append(Alternative(group, options, best.program.title if best else None))
    return out


def citations(programs: list[Program]) -> list[CitationLine]:
    """Every quote the programs rest on, once, numbered in the answer's order."""
    seen: dict[tuple[str, str], CitationLine] = {}
    for p in programs:
        for c in p.citations:
            key = (p.policy.label, c.quote)
            seen.setdefault(key, CitationLine(p.policy.label, " › ".join(c.heading_path), c.quote, c.clause))
    return list(seen.values())
