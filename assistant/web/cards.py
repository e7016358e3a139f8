"""The answer made visible as HTML: the result table and the validity banner (the citations: assistant.web.citations)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from assistant.answering import presenter
from assistant.answering.api_models import Answer, Program
from assistant.answering.engine import Engine
from assistant.core.money import format_wan, format_yuan
from assistant.texts.policies import Validity, validity_on
from assistant.web.display import no_figure_text

VALIDITY_LABEL = {
    Validity.IN_FORCE: "现行有效",
    Validity.NOT_YET: "尚未施行",
    Validity.EXPIRED: "已失效（有效期届满）",
    Validity.REPEALED: "已废止",
    Validity.MAYBE_REPEALED: "可能已失效（失效日期未载明）",
    Validity.UNKNOWN: "效力无法确定",
}
STATUS_CLASS = {"eligible": "ok", "needs_info": "info", "ineligible": "no", "expired": "old"}


# --- rendering --------------------------------------------------------------------------------------


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def amount_cell(p: Program) -> str:
    """ "最高 18万（180,000.00 元）", or why there is no figure."""
    if p.amount_text:
        return f"{p.amount_prefix}{p.amount_wan}（{p.amount_text} 元）"
    if p.status == "needs_info":
        caps = "；".join(p.caps)
        return f"待补充信息后测算{('（' + caps + '）') if caps else ''}"
    return no_figure_text(p)


def _row(p: Program) -> str:
    warn = "".join(f"<div class='warn'>⚠ {_e(w)}</div>" for w in p.warnings)
    return (
        f"<tr data-program='{_e(p.program_id)}'><td>{_e(p.policy.label)}</td><td>{_e(p.title)}</td>"
        f"<td class='{STATUS_CLASS.get(p.status, '')}'>{_e(p.status_label)}</td>"
        f"<td>{_e(amount_cell(p))}</td><td class='formula'>{_e(p.formula or '—')}{warn}</td></tr>"
    )


def _table(rows: list[str]) -> str:
    return (
        "<table><thead><tr><th>政策（文号）</th><th>项目</th><th>状态</th><th>金额</th><th>计算公式</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def result_card(engine: Engine, response: Answer | None) -> str:
    """The programs asked about, one row each (policy, status, amount, formula); the headline total of
    what may be combined; the others folded under 其他可能适用的政策（N）."""
    if not response:
        return "<div class='result-card'><p>提问后，这里列出可申请的政策、金额和计算公式。</p></div>"
    folded = set(response.other_programs.program_ids) if response.other_programs else set()
    rows = [_row(p) for p in response.programs if p.program_id not in folded]
    others = [_row(p) for p in response.programs if p.program_id in folded]
    parts = ["<div class='result-card'>"]
    if response.total_max_yuan:
        total = Decimal(str(response.total_max_yuan))
        parts.append(
            f"<div class='total'>合计最高约 {format_wan(total)}（{format_yuan(total)} 元）"
            f"<span style='font-weight:400;font-size:13px'>，评估日期 {_e(response.as_of.isoformat())}</span></div>"
        )
    if rows:
        parts.append(_table(rows))
    for o in response.overlaps:
        parts.append(f"<div class='warn'>⚠ {_e(o.note)}</div>")
    if others and response.other_programs:
        parts.append(
            f"<details class='other-programs'><summary>{_e(response.other_programs.title)}</summary>"
            f"{_table(others)}</details>"
        )
    elif response.kind == "bad_input":
        parts.append("<p>输入有误：" + "；".join(_e(w) for w in response.warnings) + "</p>")
    else:
        parts.append("<p>本次回答未涉及奖补测算，请看左侧回答和下方引用的政策原文。</p>")
    if response.missing_facts:
        needed = "、".join(presenter.fact_label(engine.book, m) for m in response.missing_facts)
        parts.append(f"<p>还需补充：{_e(needed)}（可在上方表单中填写，或在对话中告诉助手）</p>")
    parts.append("</div>")
    return "".join(parts)


def validity_banner(engine: Engine, response: Answer | None) -> str:
    """A clear warning when a policy the answer rests on is not in force on the as-of date."""
    if not response:
        return ""
    as_of = response.as_of
    gone: dict[str, str] = {}
    unsure: dict[str, str] = {}
    for p in response.programs:
        label = p.policy.label
        if p.policy.in_force is False:
            gone.setdefault(label, p.validity)
        elif p.policy.in_force is None:
            unsure.setdefault(label, p.validity)
    clauses = engine.book.library.clauses
    for q in response.quotes or []:
        clause = clauses.get(q.clause)
        if clause is None:
            continue
        meta = engine.book.library.policies[clause.policy_id].meta
        status = validity_on(meta, as_of)
        if status.in_force is False:
            gone.setdefault(meta.label, status.explanation)
        elif status.in_force is None:
            unsure.setdefault(meta.label, status.explanation)
    parts = []
    if gone:
        listed = "；".join(f"{_e(k)}（{_e(v)}）" for k, v in gone.items())
        parts.append(
            f"<div class='banner'>⚠ 注意：按评估日期 {_e(as_of.isoformat())}，本次评估所用的以下政策已不在有效期内，"
            f"相关金额仅按原政策口径测算、仅供参考：{listed}</div>"
        )
    if unsure:
        listed = "；".join(f"{_e(k)}（{_e(v)}）" for k, v in unsure.items())
        parts.append(
            f"<div class='banner unknown'>⚠ 以下政策在 {_e(as_of.isoformat())} 是否仍有效无法确定，"
            f"申报前请向主管部门核实：{listed}</div>"
        )
    return "".join(parts)
