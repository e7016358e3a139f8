"""The calculator's results as the JSON the CLI, the web page and the evaluation share.

Figures are formatted here, from Decimals, once; templates and the optional language model only
ever see these strings, which is what lets the number check hold every answer to them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assistant.calculator.assessment import Assessment, ProgramResult, Status
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan, format_yuan
from assistant.rules.rulebook import Rulebook
from assistant.rules.schema import CAP_LABEL, AmountKind

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


def facts_json(facts: EnterpriseFacts) -> dict[str, Any]:
    return {
        "place": facts.place,
        "place_mention": facts.place_mention,
        "amounts": {k: money(v) for k, v in facts.amounts.items()},
        "unsettled": {role: {"said": u.said, "ask": u.ask} for role, u in facts.unsettled.items()},
        "tags": facts.tags,
        "level": facts.level.value if facts.level else None,
        "lpr_rate": money(facts.lpr_rate),
    }


def program_json(book: Rulebook, r: ProgramResult) -> dict[str, Any]:
    meta = book.library.policies[r.policy_id].meta
    p = r.program
    procedure = book.procedures.get(p.how_to_apply) if p.how_to_apply else None
    valid_to = p.valid_to or meta.valid_to
    return {
        "program_id": p.id,
        "title": p.title,
        "policy": {
            "id": meta.id,
            "doc_number": meta.doc_number,
            "title": meta.title,
            "issuer": meta.issuer,
            "valid_from": (p.valid_from or meta.valid_from).isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
            "in_force": r.validity.in_force,
            "label": meta.label,
        },
        "status": r.status.value,
        "status_label": STATUS_LABEL[r.status],
        "amount_yuan": money(r.amount),
        "amount_text": format_yuan(r.amount) if r.amount is not None else None,
        "amount_wan": format_wan(r.amount) if r.amount is not None else None,
        "amount_prefix": "最高 " if p.amount_kind is AmountKind.MAX else "",
        "amount_kind": p.amount_kind.value,
        "benefit": p.benefit.value,
        "formula": r.formula,
        "caps": [f"{CAP_LABEL[c.scope]} {format_yuan(c.amount.value)} 元" for c in p.caps],
        "lpr_used": r.rate_note,
        "reasons": r.reasons,
        "missing": r.missing,
        "failed": r.failed,
        "choose_one_group": p.choose_one_group,
        "departments": p.departments,
        "how_to_apply": procedure.describe if procedure else None,
        "validity": r.validity.explanation,
        "warnings": r.warnings,
        "citations": [
            {
                "doc_number": c.doc_number,
                "clause": c.clause,
                "heading_path": list(c.heading_path),
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
            }
            for c in r.citations
        ],
    }


def programs_json(book: Rulebook, assessment: Assessment) -> list[dict[str, Any]]:
    ordered = sorted(assessment.results, key=lambda r: STATUS_ORDER.index(r.status))
    return [program_json(book, r) for r in ordered]


def missing_facts(book: Rulebook, programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each fact still needed, with the programs that need it, most needed first."""
    needed: dict[str, list[str]] = {}
    for p in programs:
        if p["status"] == Status.NEEDS_INFO.value:
            for name in p["missing"]:
                needed.setdefault(name, []).append(p["title"])
    ranked = sorted(needed.items(), key=lambda item: -len(item[1]))
    return [{"fact": name, "label": fact_label(book, name), "used_for": used} for name, used in ranked]


def alternatives(assessment: Assessment, programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sets of eligible programs of which only one may be chosen, with the larger named."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in programs:
        if p["choose_one_group"] and p["amount_text"] and p["status"] == Status.ELIGIBLE.value:
            groups.setdefault(p["choose_one_group"], []).append(p)
    out = []
    for group, options in groups.items():
        if len(options) > 1:
            best = assessment.recommended(group)
            out.append({"group": group, "options": options, "best": best.program.title if best else None})
    return out


def citations(programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every quote the programs rest on, once, numbered in the answer's order."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for p in programs:
        for c in p["citations"]:
            key = (p["policy"]["label"], c["quote"])
            seen.setdefault(
                key,
                {
                    "label": p["policy"]["label"],
                    "heading": " › ".join(c["heading_path"]),
                    "quote": c["quote"],
                    "clause": c["clause"],
                },
            )
    return list(seen.values())
