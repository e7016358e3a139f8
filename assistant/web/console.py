"""The officer console (mounted at /console/app, behind the login of assistant.web.server).

Help-desk officers read what enterprises were told and judge it: they filter the logged
conversations, open one to see the question, the answer, the facts, every program's status, figure,
formula and the calculator's reasons, and the sources; then mark it correct or wrong with a comment
and the right figure. Marked cases are exported (by the server's /console/export.jsonl route, so the
file never passes through Gradio's shared file cache) to grow the evaluation set.

The reviewer's name is the officer the login session belongs to (`gr.Request.username`, which the
server's auth dependency supplies), never a field the officer types.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import gradio as gr

from assistant.answering.engine import Engine
from assistant.core.money import format_wan, format_yuan
from assistant.reading.amounts import InputError, parse_date
from assistant.storage.logbook import Logbook, LogEntry
from assistant.web.assessment_doc import facts_lines
from assistant.web.cards import amount_cell

REVIEW_CHOICES = [("全部", ""), ("未审核", "unreviewed"), ("已标记正确", "correct"), ("已标记错误", "wrong")]
REVIEW_LABEL = {None: "未审核", "correct": "正确", "wrong": "错误"}
VERDICT_CHOICES = [("正确", "correct"), ("错误", "wrong")]
EXPORT_CHOICES = [("全部已审核", ""), ("仅正确", "correct"), ("仅错误", "wrong")]
HEADERS = ["编号", "时间（UTC）", "地区", "问题", "涉及项目", "类型", "审核"]
LIST_LIMIT = 200
EXPORT_PATH = "/console/export.jsonl"
LOGOUT_PATH = "/console/logout"

CSS = """
.entry h3 {margin:10px 0 4px} .entry table {width:100%;border-collapse:collapse;font-size:13px}
.entry th, .entry td {border:1px solid #ddd;padding:5px;vertical-align:top;text-align:left}
.entry th {background:#f5f5f5} .entry pre {white-space:pre-wrap;background:#fafafa;padding:8px;font-size:13px}
.entry ul {margin:2px 0 2px 18px;padding:0}
.export-link a, .logout button {display:inline-block;padding:6px 14px;border:1px solid #999;border-radius:6px;
  background:#f5f5f5;color:#222;text-decoration:none;cursor:pointer;font-size:14px}
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def _date(text: str | None, what: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return parse_date(text)
    except InputError as err:
        raise InputError(f"{what}：{err.message}") from None


def entry_rows(entries: list[LogEntry]) -> list[list[Any]]:
    return [
        [
            e.id,
            e.created_at.strftime("%Y-%m-%d %H:%M"),
            e.region or "",
            e.question[:80],
            "、".join(e.program_ids),
            e.kind,
            REVIEW_LABEL.get(e.review, e.review or ""),
        ]
        for e in entries
    ]


def entry_html(engine: Engine, entry: LogEntry | None) -> str:
    """Everything the user was shown for one turn, laid out for checking."""
    if entry is None:
        return "<div class='entry'><p>在上方列表中点击一条记录查看详情。</p></div>"
    r = entry.response
    parts = [
        "<div class='entry'>",
        f"<h3>记录 {entry.id}</h3><div>时间（UTC）：{_e(entry.created_at.strftime('%Y-%m-%d %H:%M:%S'))}；"
        f"会话：{_e(entry.session_id)}；评估日期：{_e(entry.as_of)}；地区：{_e(entry.region or '未说明')}；"
        f"类型：{_e(entry.kind)}</div>",
        f"<h3>问题</h3><pre>{_e(entry.question)}</pre>",
    ]
    if entry.review:
        amount = f"；正确金额：{_e(format_yuan(entry.correct_amount))} 元" if entry.correct_amount is not None else ""
        parts.append(
            f"<h3>审核</h3><div>{_e(REVIEW_LABEL.get(entry.review))}（{_e(entry.reviewer)}，"
            f"{_e(entry.reviewed_at.strftime('%Y-%m-%d %H:%M') if entry.reviewed_at else '')}）"
            f"{amount}；意见：{_e(entry.review_comment or '—')}</div>"
        )
    facts = facts_lines(engine, r.facts)
    parts.append("<h3>企业信息</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in facts) + "</ul>" if facts else "")
    if r.programs:
        total = r.total_max_yuan
        if total:
            t = Decimal(str(total))
            parts.append(f"<div><b>合计最高约 {_e(format_wan(t))}（{_e(format_yuan(t))} 元）</b></div>")
        rows = []
        for p in r.programs:
            reasons = "".join(f"<li>{_e(x)}</li>" for x in p.reasons)
            warnings = "".join(f"<li>⚠ {_e(x)}</li>" for x in p.warnings)
            missing = "、".join(p.missing)
            rows.append(
                f"<tr><td>{_e(p.program_id)}<br>{_e(p.title)}<br>{_e(p.policy.label)}</td>"
                f"<td>{_e(p.status_label)}<br><small>{_e(p.validity)}</small></td>"
                f"<td>{_e(amount_cell(p))}</td><td>{_e(p.formula or '—')}</td>"
                f"<td><ul>{reasons}{warnings}</ul>{('缺少：' + _e(missing)) if missing else ''}</td></tr>"
            )
        parts.append(
            "<h3>测算（计算器轨迹）</h3><table><thead><tr><th>项目</th><th>状态</th><th>金额</th>"
            "<th>公式</th><th>条件核对与理由</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    parts.append(f"<h3>给用户的回答</h3><pre>{_e(entry.answer)}</pre>")
    if r.sources:
        items = "".join(
            f"<li><b>{_e(s.label or s.doc_number)}</b> {_e(s.heading)}：{_e(' '.join(s.text.split()))}</li>"
            for s in r.sources
        )
        parts.append(f"<h3>检索到的来源</h3><ol>{items}</ol>")
    parts.append("</div>")
    return "".join(parts)


def export_link(review: str | None) -> str:
    query = f"?review={review}" if review else ""
    return (
        f"<div class='export-link'><a href='{EXPORT_PATH}{query}' download='reviewed-cases.jsonl' "
        f"id='export-link'>导出已审核案例（JSONL）</a></div>"
    )


def build_console(engine: Engine, logbook: Logbook, log_status: Callable[[], str] | None = None) -> gr.Blocks:
    """The console Blocks; mount it only behind the officer login. `log_status()` is a line on the
    state of the log (written, spooled while the database is locked, or not written for lack of disk)."""
    places = list(engine.book.vocabulary.places)
    programs = sorted(engine.book.programs.items())

    def listing(since: str, until: str, region: str, program_id: str, review: str) -> tuple[Any, str]:
        try:
            entries = logbook.entries(
                since=_date(since, "起始日期"),
                until=_date(until, "截止日期"),
                region=region or None,
                program_id=program_id or None,
                review=review or None,
                limit=LIST_LIMIT,
            )
        except (InputError, ValueError) as err:
            return gr.skip(), f"⚠ {getattr(err, 'message', str(err))}"
        note = f"共 {len(entries)} 条" + ("（只显示最新的 200 条）" if len(entries) >= LIST_LIMIT else "")
        return gr.Dataframe(value=entry_rows(entries), headers=HEADERS), note

    def on_select(evt: gr.SelectData) -> tuple[Any, str]:
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip()
        entry_id = int(row[0])
        return entry_id, entry_html(engine, logbook.get(entry_id))

    def on_open(entry_id: float | None) -> str:
        if entry_id is None:
            return entry_html(engine, None)
        entry = logbook.get(int(entry_id))
        return entry_html(engine, entry) if entry else f"<p>找不到编号为 {int(entry_id)} 的记录</p>"

    def on_mark(
        entry_id: float | None, verdict: str | None, comment: str, amount: str, request: gr.Request
    ) -> tuple[str, Any]:
        officer = getattr(request, "username", None)
        if not officer:
            return "⚠ 登录已失效，请重新登录", gr.skip()
        if entry_id is None:
            return "⚠ 请先在列表中选择一条记录", gr.skip()
        if verdict not in ("correct", "wrong"):
            return "⚠ 请选择“正确”或“错误”", gr.skip()
        try:
            figure = Decimal(amount.strip().replace(",", "").replace("，", "")) if amount and amount.strip() else None
        except ArithmeticError:
            return f"⚠ 正确金额“{amount}”不是有效的数字（单位：元）", gr.skip()
        try:
            entry = logbook.mark(int(entry_id), officer, verdict, (comment or "").strip(), figure)
        except ValueError as err:
            return f"⚠ {err}", gr.skip()
        return f"✔ 已将记录 {entry.id} 标记为“{REVIEW_LABEL[entry.review]}”（审核人：{officer}）", entry_html(
            engine, entry
        )

    def on_load(request: gr.Request) -> str:
        officer = getattr(request, "username", None) or "？"
        return (
            f"<div style='display:flex;justify-content:space-between;align-items:center'>"
            f"<h2 style='margin:4px 0'>政策自评估助手 · 审核台</h2>"
            f"<form class='logout' method='post' action='{LOGOUT_PATH}'>当前登录：<b id='officer'>{_e(officer)}</b> "
            f"<button type='submit' id='logout'>退出登录</button></form></div>"
        )

    with gr.Blocks(title="政策自评估助手 · 审核台", analytics_enabled=False) as console:
        header = gr.HTML("<h2>政策自评估助手 · 审核台</h2>")
        with gr.Row():
            since = gr.Textbox(label="起始日期", placeholder="YYYY-MM-DD", elem_id="since")
            until = gr.Textbox(label="截止日期", placeholder="YYYY-MM-DD", elem_id="until")
            region = gr.Dropdown(
                choices=[("全部地区", "")] + [(p, p) for p in places], value="", label="地区", elem_id="region"
            )
            program = gr.Dropdown(
                choices=[("全部项目", "")] + [(f"{pid} {p.title}", pid) for pid, p in programs],
                value="",
                label="项目",
                elem_id="program",
            )
            review = gr.Dropdown(choices=REVIEW_CHOICES, value="", label="审核状态", elem_id="review")
            refresh = gr.Button("查询", variant="primary", elem_id="refresh")
        count = gr.Markdown(elem_id="count")
        log_line = gr.Markdown(elem_id="log-status")
        table = gr.Dataframe(
            headers=HEADERS, value=[], interactive=False, wrap=True, elem_id="entries", label="对话记录（点击一行查看）"
        )
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    entry_id = gr.Number(label="记录编号", precision=0, elem_id="entry-id")
                    open_btn = gr.Button("查看", elem_id="open")
                detail = gr.HTML(entry_html(engine, None), elem_id="entry")
            with gr.Column(scale=2):
                verdict = gr.Radio(choices=VERDICT_CHOICES, label="审核结论", elem_id="verdict")
                comment = gr.Textbox(label="审核意见", lines=3, elem_id="comment")
                amount = gr.Textbox(label="正确金额（元，回答有误时填写）", elem_id="correct-amount")
                mark = gr.Button("提交审核", variant="primary", elem_id="mark")
                marked = gr.Markdown(elem_id="mark-status")
                export_review = gr.Dropdown(choices=EXPORT_CHOICES, value="", label="导出范围", elem_id="export-review")
                link = gr.HTML(export_link(None), elem_id="export")

        private = {"api_visibility": "private"}
        filters = [since, until, region, program, review]
        for trigger in (refresh.click, console.load):
            trigger(listing, filters, [table, count], **private)
        console.load(on_load, None, header, **private)
        if log_status is not None:
            for trigger in (refresh.click, console.load):
                trigger(log_status, None, log_line, **private)
        table.select(on_select, None, [entry_id, detail], **private)
        open_btn.click(on_open, entry_id, detail, **private)
        entry_id.submit(on_open, entry_id, detail, **private)
        mark.click(on_mark, [entry_id, verdict, comment, amount], [marked, detail], **private).then(
            listing, filters, [table, count], **private
        )
        export_review.change(export_link, export_review, link, **private)
    return console
