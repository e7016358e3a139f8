"""The facts of an answer as readable lines, and what changed between two turns.

Why one module: the officer console, the printed report and the CSV export all show the facts an
answer rested on, with the rule data's labels (设备投资（含工艺包和软件）, 是否项目已竣工投产) instead of
internal names, and the console shows what each turn of a conversation changed.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.answering.api_models import Facts
from assistant.answering.engine import Engine
from assistant.answering.presenter import fact_label
from assistant.core.money import format_amount


def fact_values(engine: Engine, facts: Facts | None) -> dict[str, str]:
    """label → value, in the order a reader expects: place, amounts, vague amounts, yes/no facts, level, LPR."""
    if not facts:
        return {}
    book = engine.book
    out = {"企业所在地区": facts.place or "未说明"}
    for role, value in facts.amounts.items():
        out[fact_label(book, role)] = format_amount(Decimal(str(value)))
    for role, vague in facts.unsettled.items():
        out[fact_label(book, role)] = f"“{vague.said}”（待确认具体金额）"
    for tag, value in facts.tags.items():
        out[fact_label(book, tag)] = "是" if value else "否"
    if facts.level:
        out["认定级别"] = facts.level
    if facts.lpr_rate is not None:
        out["一年期LPR"] = f"{Decimal(str(facts.lpr_rate)) * 100:f}%"
    return out


def facts_lines(engine: Engine, facts: Facts | None) -> list[str]:
    """The facts as "label：value" lines."""
    return [f"{label}：{value}" for label, value in fact_values(engine, facts).items()]


def fact_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What a turn added, corrected or dropped, against the turn before ("设备投资：300万元 → 400万元")."""
    out = []
    for label, value in after.items():
        old = before.get(label)
        if old is None:
            out.append(f"新增 {label}：{value}")
        elif old != value:
            out.append(f"更正 {label}：{old} → {value}")
    out += [f"不再提及 {label}（原为 {value}）" for label, value in before.items() if label not in after]
    return out


def readable_facts(engine: Engine, names: list[str]) -> list[str]:
    """Fact names (missing_facts, a program's `missing`) as the rule data labels them."""
    return [fact_label(engine.book, name) for name in names]
