"""The assessment as a printable document: one self-contained HTML page with a print stylesheet.

Why HTML and not the Markdown download: opened by enterprise staff it showed raw `|---|` and `**`,
had no place for the enterprise's and the project's names, and printed badly. This page opens in any
browser, prints on A4 (the print stylesheet drops the buttons and keeps each program on its page),
and is what the PDF is rendered from (assistant.web.report_pdf), so both look the same.

It holds, per program, the verdict and the figure, the formula in the user's numbers, the conditions
as checked, the validity on the as-of date and the application guide from the rule data
(assistant.web.application_guide), then the citations the answer numbered [n], the questions, the
as-of date and a disclaimer. Every figure is the calculator's, in the one format of
core.money.format_amount. Nothing is loaded from elsewhere (no script, font or image URL): the file
is read offline, archived, and printed years later.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from assistant.answering.api_models import Answer, Program
from assistant.answering.engine import Engine
from assistant.answering.presenter import citations
from assistant.core.money import format_amount
from assistant.web.application_guide import guide
from assistant.web.chart import chart_svg, subsidy_curve
from assistant.web.display import BEIJING, amount_text
from assistant.web.fact_text import facts_lines, readable_facts

DISCLAIMER = (
    "本报告由政策自评估助手按政策原文和企业自行填报的信息测算，仅供企业自我评估参考，不构成申报结果或资金承诺；"
    "能否获得支持及具体金额，以主管部门审核为准。政策效力按上述评估日期判断，请在申报前向受理部门核实政策是否仍在执行。"
)
EXPIRED_ADVICE = (
    "该政策在评估日期已不在有效期内，目前不能按此申报；如需了解现行政策，请咨询企业所在地的工业和信息化主管部门。"
)
STATUS_CLASS = {"eligible": "ok", "needs_info": "info", "ineligible": "no", "expired": "old"}

CSS = """
:root {color-scheme: light}
body {font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
  sans-serif; color:#1a1a1a; max-width:210mm; margin:0 auto; padding:16px 20px; line-height:1.6; font-size:14px}
h1 {font-size:24px; margin:8px 0 4px; text-align:center}
h2 {font-size:18px; border-bottom:2px solid #1565c0; padding-bottom:2px; margin:22px 0 8px}
h3 {font-size:16px; margin:14px 0 6px}
table {border-collapse:collapse; width:100%} th, td {border:1px solid #9e9e9e; padding:5px 8px; vertical-align:top;
  text-align:left} th {background:#eef2f7; width:8em; font-weight:600}
.fill {display:inline-block; min-width:18em; border-bottom:1px solid #333; min-height:1.4em}
.fill:empty::before {content:"\\00a0"}
.summary {font-size:16px; font-weight:700; margin:8px 0}
.program {border:1px solid #bdbdbd; border-radius:6px; padding:8px 12px; margin:12px 0; break-inside:avoid}
.ok {color:#1b5e20; font-weight:700} .info {color:#6d4c00; font-weight:700} .no {color:#424242; font-weight:700}
.old {color:#b71c1c; font-weight:700}
.advice {background:#fdecea; border-left:4px solid #b71c1c; padding:6px 10px; margin:6px 0}
.chart {text-align:center; margin:10px 0} .chart svg, .chart img {max-width:100%; height:auto}
ol.citations li {margin-bottom:4px} .quote {color:#333}
.disclaimer {font-size:12px; color:#424242; border-top:1px solid #9e9e9e; margin-top:20px; padding-top:8px}
.toolbar {text-align:right; margin-bottom:8px}
.toolbar button {font-size:14px; padding:6px 16px; border:1px solid #1565c0; background:#1565c0; color:#fff;
  border-radius:6px; cursor:pointer}
.toolbar button:focus-visible {outline:3px solid #ff9800; outline-offset:2px}
@page {size:A4; margin:16mm 14mm 18mm}
@media print {
  body {max-width:none; padding:0; font-size:11pt}
  .toolbar {display:none}
  h2 {break-after:avoid}
  a {color:inherit; text-decoration:none}
  .fill {border-bottom:1px solid #000}
}
"""


@dataclass(frozen=True)
class ReportHeader:
    """What the user may fill in before printing; empty fields print as lines to write on."""

    enterprise: str = ""
    project: str = ""
    contact: str = ""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _fill(value: str, name: str) -> str:
    """A field the user can type into in the browser (and that prints as a line when empty)."""
    return f"<span class='fill' contenteditable='true' role='textbox' data-field='{name}' aria-label='{name}'>{_e(value)}</span>"


def _program(engine: Engine, p: Program, numbers: dict[str, int]) -> str:
    g = guide(engine.book, p.program_id)
    refs = "".join(f"[{numbers[c.quote]}]" for c in p.citations if c.quote in numbers)
    checks = "".join(f"<li>{_e(r)}</li>" for r in p.reasons) + "".join(f"<li>⚠ {_e(w)}</li>" for w in p.warnings)
    missing = "、".join(readable_facts(engine, p.missing))
    expired = p.status == "expired"
    conditions = "".join(f"<li>{_e(c)}</li>" for c in g.conditions)
    rows = [
        ("结论", f"<span class='{STATUS_CLASS.get(p.status, '')}'>{_e(p.status_label)}</span>"),
        ("金额", _e(amount_text(p)) + ("（按原政策口径测算，仅供参考）" if expired and p.amount_yuan else "")),
        ("计算公式", _e(p.formula or "—")),
        ("条件核对", f"<ul>{checks}</ul>" + (f"还需补充：{_e(missing)}" if missing else "")),
        ("政策效力", _e(p.validity)),
    ]
    guide_rows = [
        ("惠及对象", _e(g.beneficiaries)),
        ("申报条件", f"<ul>{conditions}</ul>"),
        ("申报时间", _e(g.timing) if not expired else "—"),
        ("受理部门", _e(g.departments)),
        ("申报程序", _e(g.procedure) if not expired else "—"),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    guide_table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in guide_rows)
    advice = f"<div class='advice'>{_e(EXPIRED_ADVICE)}</div>" if expired else ""
    return (
        f"<section class='program' data-program='{_e(p.program_id)}'><h3>{_e(p.title)}</h3>"
        f"<div>{_e(p.policy.label)} · {_e(p.policy.title)}（{_e(p.policy.issuer)}）依据 {refs}</div>{advice}"
        f"<table>{table}</table><h3>申报指南</h3><table>{guide_table}</table></section>"
    )


def assessment_html(
    engine: Engine,
    answer: Answer | None,
    questions: list[str],
    header: ReportHeader = ReportHeader(),
    generated: datetime | None = None,
) -> str:
    """The whole document for the conversation's latest `answer`, with the chart of the program in
    focus (assistant.web.chart) where its figure depends on an amount."""
    made = (generated or datetime.now(BEIJING)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    as_of = answer.as_of.isoformat() if answer else "—"
    programs = answer.programs if answer else []
    lines = citations(programs)
    numbers = {c.quote: n for n, c in enumerate(lines, start=1)}
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>政策自评估报告 · {_e(header.enterprise or '未填写企业名称')}</title><style>{CSS}</style></head><body>",
        "<div class='toolbar'><button type='button' onclick='window.print()' aria-label='打印或保存为PDF'>打印 / 保存为 PDF</button></div>",
        "<h1>政策自评估报告</h1>",
        "<h2>基本信息</h2><table>",
        f"<tr><th>企业名称</th><td>{_fill(header.enterprise, '企业名称')}</td></tr>",
        f"<tr><th>项目名称</th><td>{_fill(header.project, '项目名称')}</td></tr>",
        f"<tr><th>联系人及电话</th><td>{_fill(header.contact, '联系人及电话')}</td></tr>",
        f"<tr><th>企业所在地区</th><td>{_e((answer.region if answer else None) or '未说明')}</td></tr>",
        f"<tr><th>评估日期</th><td>{_e(as_of)}（按这一天的政策判断是否有效）</td></tr>",
        f"<tr><th>生成时间</th><td>{_e(made)}（北京时间）</td></tr></table>",
        "<h2>企业填报的信息</h2>",
    ]
    facts = facts_lines(engine, answer.facts if answer else None)
    parts.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in facts) + "</ul>" if facts else "<p>（未填报）</p>")
    parts.append("<h2>评估结论</h2>")
    if programs:
        total = answer.total_max_yuan if answer else None
        if total:
            parts.append(f"<div class='summary'>可申请项目合计最高约 {_e(format_amount(Decimal(str(total))))}</div>")
        curve = subsidy_curve(engine, answer) if answer else None
        if curve:  # beside the result; the project's own drawing, not user text: put in as it is
            parts.append(f"<h3>奖补金额随投资额的变化</h3><div class='chart'>{chart_svg(curve)}</div>")
        parts += [_program(engine, p, numbers) for p in programs]
    else:
        parts.append("<p>本次回答未涉及奖补测算。</p>")
    if lines:
        items = "".join(
            f"<li>{_e(c.label)} {_e(c.heading)}：<span class='quote'>“{_e(' '.join(c.quote.split()))}”</span></li>"
            for c in lines
        )
        parts.append(f"<h2>依据（政策原文）</h2><ol class='citations'>{items}</ol>")
    if answer and answer.quotes:
        items = "".join(f"<li>{_e(' '.join(q.text.split()))}</li>" for q in answer.quotes)
        parts.append(f"<h2>引用的政策原文</h2><ol class='citations'>{items}</ol>")
    parts.append("<h2>提问记录</h2>")
    parts.append("<ol>" + "".join(f"<li>{_e(q)}</li>" for q in questions) + "</ol>" if questions else "<p>（无）</p>")
    parts.append(f"<div class='disclaimer'><b>声明：</b>{_e(DISCLAIMER)}</div></body></html>")
    return "".join(parts)
