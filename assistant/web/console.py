"""The officer console (mounted at /console/app, behind the login of assistant.web.server).

Help-desk officers read what enterprises were told and judge it, about fifty records a day: they
filter the logged answers (by default those not yet reviewed) or search their text, open one to see
the question, the answer, the facts, every program's status, figure, formula and the calculator's
reasons, the sources, and every turn of the same conversation with the facts as they stood at each
turn; then mark it correct or wrong with a comment and the right figure (500万 or 5000000 元 alike),
and go on to the next with "保存并下一条". The review form is set from each record as it opens, so a
verdict never carries over from the record before. Reviewed cases are exported by the server's
routes (assistant.web.console_export) as JSONL for the evaluation set, CSV or Excel.

The reviewer's name is the officer the login session belongs to (`gr.Request.username`, which the
server's auth dependency supplies), never a field the officer types. What is shown is rendered by
assistant.web.console_views. A second tab, 政策审核 (assistant.web.console_review), is where a draft
policy folder is reviewed, tried and approved before it is served.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import gradio as gr

from assistant.answering.engine import Engine
from assistant.reading.amounts import InputError, parse_amount, parse_date
from assistant.storage.logbook import Logbook, LogEntry
from assistant.web.console_export import CSV_PATH, EXPORT_PATH, XLSX_PATH
from assistant.web.console_review import DraftReview, review_tab
from assistant.web.console_views import (
    COLUMN_WIDTHS,
    HEADERS,
    REVIEW_LABEL,
    beijing_day_end,
    beijing_day_start,
    entry_html,
    entry_rows,
    form_amount,
)

REVIEW_CHOICES = [("未审核", "unreviewed"), ("全部", ""), ("已标记正确", "correct"), ("已标记错误", "wrong")]
DEFAULT_REVIEW = "unreviewed"
VERDICT_CHOICES = [("正确", "correct"), ("错误", "wrong")]
EXPORT_CHOICES = [("全部已审核", ""), ("仅正确", "correct"), ("仅错误", "wrong")]
LIST_LIMIT = 200
TURNS_LIMIT = 200
LOGOUT_PATH = "/console/logout"

CSS = """
.entry h3 {margin:10px 0 4px} .entry table {width:100%;border-collapse:collapse;font-size:13px}
.entry th, .entry td {border:1px solid #ddd;padding:5px;vertical-align:top;text-align:left}
.entry th {background:#f5f5f5} .entry .text {white-space:pre-wrap;background:#fafafa;padding:8px;font-size:13px}
.entry ul {margin:2px 0 2px 18px;padding:0} .entry tr.current td {background:#fff8e1}
.entry details.long summary {cursor:pointer} .entry details.long .full {white-space:pre-wrap;margin-top:4px}
.export-link a, .logout button {display:inline-block;padding:6px 14px;border:1px solid #999;border-radius:6px;
  background:#f5f5f5;color:#222;text-decoration:none;cursor:pointer;font-size:14px;margin:2px 4px 2px 0}
#entries table {table-layout:fixed}
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


def correct_amount(text: str | None) -> Any:
    """The officer's figure as typed ("18万", "180000", "18万元"), read like a question's amounts; None if empty."""
    if not text or not text.strip():
        return None
    try:
        return parse_amount(text)
    except InputError as err:
        raise InputError(f"正确金额：{err.message}") from None


def export_link(review: str | None) -> str:
    query = f"?review={review}" if review else ""
    return (
        f"<div class='export-link'>导出已审核案例："
        f"<a href='{EXPORT_PATH}{query}' download='reviewed-cases.jsonl' id='export-link'>JSONL（评测用）</a>"
        f"<a href='{CSV_PATH}{query}' download='reviewed-cases.csv' id='export-csv'>CSV</a>"
        f"<a href='{XLSX_PATH}{query}' download='reviewed-cases.xlsx' id='export-xlsx'>Excel</a></div>"
    )


def review_form(entry: LogEntry | None) -> tuple[Any, str, str, str]:
    """The review form as `entry` stands: its saved verdict, comment and figure, or empty."""
    if entry is None or entry.review is None:
        return None, "", "", ""
    return entry.review, entry.review_comment or "", form_amount(entry), ""


def next_id(ids: list[int], current: int) -> int | None:
    """The record after `current` in the list as shown (the one before it if it was the last)."""
    if current in ids:
        at = ids.index(current)
        rest = ids[at + 1 :] or ids[:at][-1:]
        return rest[0] if rest else None
    return ids[0] if ids else None


def build_console(
    engine: Engine,
    logbook: Logbook,
    log_status: Callable[[], str] | None = None,
    drafts: DraftReview | None = None,
) -> gr.Blocks:
    """The console Blocks; mount it only behind the officer login. `log_status()` is a line on the
    state of the log (written, spooled while the database is locked, or not written for lack of disk);
    with `drafts`, the 政策审核 tab reviews the draft policy folders it lists."""
    places = list(engine.book.vocabulary.places)
    programs = sorted(engine.book.programs.items(), key=lambda item: (engine.book.program_policy[item[0]], item[0]))

    def shown(entry_id: int | None) -> tuple[str, Any, str, str, str]:
        """The record's detail (with its whole conversation) and its review form, reset to the record."""
        entry = logbook.get(entry_id) if entry_id is not None else None
        if entry_id is not None and entry is None:
            return f"<p>找不到编号为 {int(entry_id)} 的记录</p>", None, "", "", ""
        turns = logbook.entries(session_id=entry.session_id, limit=TURNS_LIMIT) if entry else None
        return (entry_html(engine, entry, turns), *review_form(entry))

    def listing(
        since: str, until: str, region: str, program_id: str, review: str, text: str
    ) -> tuple[Any, str, list[int]]:
        try:
            first, last = _date(since, "起始日期"), _date(until, "截止日期")
            entries = logbook.entries(
                since=beijing_day_start(first) if first else None,
                until=beijing_day_end(last) if last else None,
                region=region or None,
                program_id=program_id or None,
                review=review or None,
                text=(text or "").strip() or None,
                limit=LIST_LIMIT,
            )
        except (InputError, ValueError) as err:
            return gr.skip(), f"⚠ {getattr(err, 'message', str(err))}", gr.skip()
        note = f"共 {len(entries)} 条" + (f"（只显示最新的 {LIST_LIMIT} 条）" if len(entries) >= LIST_LIMIT else "")
        return gr.Dataframe(value=entry_rows(entries), headers=HEADERS), note, [e.id for e in entries]

    def on_select(evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        if not row:
            return tuple(gr.skip() for _ in range(6))
        entry_id = int(row[0])
        return (entry_id, *shown(entry_id))

    def on_open(entry_id: float | None) -> tuple[Any, ...]:
        return shown(int(entry_id) if entry_id is not None else None)

    def save(entry_id: float | None, verdict: str | None, comment: str, amount: str, request: gr.Request) -> Any:
        """The saved entry, or the Chinese reason it was not saved."""
        officer = getattr(request, "username", None)
        if not officer:
            return "⚠ 登录已失效，请重新登录"
        if entry_id is None:
            return "⚠ 请先在列表中选择一条记录"
        if verdict not in ("correct", "wrong"):
            return "⚠ 请选择“正确”或“错误”"
        try:
            return logbook.mark(int(entry_id), officer, verdict, (comment or "").strip(), correct_amount(amount))
        except InputError as err:
            return f"⚠ {err.message}"
        except ValueError as err:
            return f"⚠ {err}"

    def saved_message(entry: LogEntry, request: gr.Request) -> str:
        return f"✔ 已将记录 {entry.id} 标记为“{REVIEW_LABEL[entry.review]}”（审核人：{request.username}）"

    def on_mark(
        entry_id: float | None, verdict: str | None, comment: str, amount: str, request: gr.Request
    ) -> tuple[Any, ...]:
        result = save(entry_id, verdict, comment, amount, request)
        if isinstance(result, str):
            return result, gr.skip()
        return saved_message(result, request), shown(result.id)[0]

    def on_mark_next(
        entry_id: float | None, verdict: str | None, comment: str, amount: str, ids: list[int], request: gr.Request
    ) -> tuple[Any, ...]:
        result = save(entry_id, verdict, comment, amount, request)
        if isinstance(result, str):
            return (result, *(gr.skip() for _ in range(5)))
        following = next_id(ids or [], result.id)
        message = saved_message(result, request) + ("" if following else "；列表中已没有下一条")
        shown_id = following or result.id
        return (message, shown_id, *shown(shown_id)[:4])

    def on_load(request: gr.Request) -> str:
        officer = getattr(request, "username", None) or "？"
        return (
            f"<div style='display:flex;justify-content:space-between;align-items:center'>"
            f"<h1 style='margin:4px 0;font-size:22px'>政策自评估助手 · 审核台</h1>"
            f"<form class='logout' method='post' action='{LOGOUT_PATH}'>当前登录：<b id='officer'>{_e(officer)}</b> "
            f"<button type='submit' id='logout'>退出登录</button></form></div>"
        )

    with gr.Blocks(title="政策自评估助手 · 审核台", analytics_enabled=False) as console:
        review_on_load: Callable[[Any], Any] | None = None
        header = gr.HTML("<h1 style='font-size:22px'>政策自评估助手 · 审核台</h1>")
        with gr.Tabs():
            with gr.Tab("对话审核", elem_id="log-tab"):
                ids = gr.State([])
                with gr.Row():
                    since = gr.Textbox(
                        label="起始日期（北京时间）", placeholder="YYYY-MM-DD", elem_id="since", min_width=130
                    )
                    until = gr.Textbox(
                        label="截止日期（北京时间）", placeholder="YYYY-MM-DD", elem_id="until", min_width=130
                    )
                    region = gr.Dropdown(
                        choices=[("全部地区", "")] + [(p, p) for p in places], value="", label="地区", elem_id="region"
                    )
                    program = gr.Dropdown(
                        choices=[("全部项目", "")]
                        + [(f"{p.title}（{engine.book.policy_of(pid).meta.label}）", pid) for pid, p in programs],
                        value="",
                        label="项目",
                        elem_id="program",
                    )
                    review = gr.Dropdown(
                        choices=REVIEW_CHOICES, value=DEFAULT_REVIEW, label="审核状态", elem_id="review"
                    )
                with gr.Row():
                    text = gr.Textbox(
                        label="搜索问题或回答中的文字", placeholder="例如：河口 设备", elem_id="search", scale=4
                    )
                    refresh = gr.Button("查询", variant="primary", elem_id="refresh", scale=1)
                count = gr.Markdown(elem_id="count")
                log_line = gr.Markdown(elem_id="log-status")
                table = gr.Dataframe(
                    headers=HEADERS,
                    value=[],
                    interactive=False,
                    wrap=True,
                    column_widths=COLUMN_WIDTHS,
                    elem_id="entries",
                    label="对话记录（点击一行查看）",
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
                        amount = gr.Textbox(
                            label="正确金额（回答有误时填写，如 18万 或 180000 元）", elem_id="correct-amount"
                        )
                        with gr.Row():
                            mark = gr.Button("提交审核", elem_id="mark")
                            mark_next = gr.Button("保存并下一条", variant="primary", elem_id="mark-next")
                        marked = gr.Markdown(elem_id="mark-status")
                        export_review = gr.Dropdown(
                            choices=EXPORT_CHOICES, value="", label="导出范围", elem_id="export-review"
                        )
                        link = gr.HTML(export_link(None), elem_id="export")
            if drafts is not None:
                with gr.Tab("政策审核", elem_id="policy-review-tab"):
                    review_on_load = review_tab(drafts)

        private = {"api_visibility": "private"}
        filters = [since, until, region, program, review, text]
        shown_outputs = [detail, verdict, comment, amount, marked]
        # A page load starts one job and chains the rest after it: the Gate admits only a few jobs of
        # one client at once (assistant.web.gate), and jobs a load fired together were refused beyond them.
        loaded = console.load(on_load, None, header, **private).then(listing, filters, [table, count, ids], **private)
        searched = refresh.click(listing, filters, [table, count, ids], **private)
        text.submit(listing, filters, [table, count, ids], **private)
        if log_status is not None:
            loaded = loaded.then(log_status, None, log_line, **private)
            searched.then(log_status, None, log_line, **private)
        if review_on_load is not None:
            review_on_load(loaded)
        table.select(on_select, None, [entry_id, *shown_outputs], **private)
        open_btn.click(on_open, entry_id, shown_outputs, **private)
        entry_id.submit(on_open, entry_id, shown_outputs, **private)
        mark.click(on_mark, [entry_id, verdict, comment, amount], [marked, detail], **private).then(
            listing, filters, [table, count, ids], **private
        )
        mark_next.click(
            on_mark_next, [entry_id, verdict, comment, amount, ids], [marked, entry_id, *shown_outputs[:-1]], **private
        ).then(listing, filters, [table, count, ids], **private)
        export_review.change(export_link, export_review, link, **private)
    return console
