"""The assessment a user downloads: the conversation's last answer as a Markdown document."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from assistant.answering.engine import Engine
from assistant.core.money import format_wan, format_yuan
from assistant.web.cards import amount_cell
from assistant.web.downloads import new_report_name
from assistant.web.fact_text import facts_lines
from assistant.web.session import Session


def report_markdown(engine: Engine, session: Session) -> str:
    """The downloadable record of this session's assessment: questions, facts, figures, formulas, citations."""
    response = session.last
    questions = session.conversation.questions
    out = [
        "# 政策自评估结果",
        "",
        f"- 生成时间：{datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- 评估日期（判断政策是否有效的日期）：{response.as_of.isoformat() if response else '—'}",
        "",
        "> 本结果由政策自评估助手按政策原文测算，仅供参考，最终以主管部门审核为准。",
        "",
        "## 提问",
        "",
    ]
    out += [f"{n}. {q}" for n, q in enumerate(questions, start=1)] or ["（无）"]
    out += ["", "## 企业信息", ""]
    out += [f"- {line}" for line in facts_lines(engine, response.facts if response else None)] or ["（无）"]
    out += ["", "## 测算结果", ""]
    programs = response.programs if response else []
    if response and programs:
        if response.total_max_yuan:
            total = Decimal(str(response.total_max_yuan))
            out += [f"**合计最高约 {format_wan(total)}（{format_yuan(total)} 元）**", ""]
        out += ["| 政策（文号） | 项目 | 状态 | 金额 | 计算公式 |", "|---|---|---|---|---|"]
        for p in programs:
            cells = [p.policy.label, p.title, p.status_label, amount_cell(p), p.formula or "—"]
            out.append("| " + " | ".join(c.replace("|", "｜") for c in cells) + " |")
        out += ["", "### 条件核对与政策效力", ""]
        for p in programs:
            out.append(f"**{p.title}**（{p.policy.label}，{p.validity}）")
            out += [f"- {r}" for r in p.reasons] + [f"- ⚠ {w}" for w in p.warnings] + [""]
    else:
        out += ["本次回答未涉及奖补测算。", ""]
    out += ["## 依据（政策原文）", ""]
    for n, c in enumerate(session.citations, start=1):
        out.append(f"{n}. {c['label']} {c['heading']}：“{' '.join(c['quote'].split())}”（{c['origin']}）")
    out += ["", "## 助手的回答", "", "```text", response.answer if response else "", "```", ""]
    return "\n".join(out)


def write_report(engine: Engine, session: Session) -> Path:
    """The session's report file, replacing the previous one: the folder holds only the latest, and
    only the session's visitor may fetch it."""
    folder = session.download_folder()
    session.forget_reports()
    path = folder / new_report_name(datetime.now().strftime("%Y%m%d-%H%M%S"))
    path.write_text(report_markdown(engine, session), encoding="utf-8")
    if session.reports is not None:
        session.reports.register(path.name, session.visitor)
    return path
