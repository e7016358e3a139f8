"""The console's exports: reviewed cases as JSONL (for the evaluation set), and as CSV and Excel
(for the officers' own spreadsheets), served by routes under /console so the console's login guards
them and no file passes through Gradio's shared cache.

Why CSV and Excel beside JSONL: officers report their week's checks in a spreadsheet; the JSONL
is the evaluation runner's format and unreadable there. The spreadsheet columns are the console's
words (program titles, 北京时间, figures as 万元 with the exact 元), not the log's internal names. The
CSV starts with a byte-order mark because Excel opens UTF-8 without one as mojibake.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal

import xlsxwriter
from fastapi import FastAPI
from fastapi.responses import Response

from assistant.answering.engine import Engine
from assistant.core.money import format_amount
from assistant.storage.logbook import VERDICTS, Logbook, LogEntry
from assistant.web.console_views import KIND_LABEL, REVIEW_LABEL, conversation_label, total_text, verdict_text
from assistant.web.display import amount_text, beijing
from assistant.web.fact_text import facts_lines

EXPORT_PATH = "/console/export.jsonl"
CSV_PATH = "/console/export.csv"
XLSX_PATH = "/console/export.xlsx"
MAX_ROWS = 100_000
COLUMNS = [
    "编号",
    "时间（北京时间）",
    "会话",
    "评估日期",
    "地区",
    "类型",
    "问题",
    "企业信息",
    "结论",
    "各项目（状态、金额）",
    "合计最高金额",
    "审核结论",
    "审核人",
    "审核时间（北京时间）",
    "审核意见",
    "正确金额",
]


def reviewed(logbook: Logbook, review: str | None) -> list[LogEntry]:
    """The reviewed entries (all, or of one verdict), oldest first; ValueError for another filter."""
    if review and review not in VERDICTS:
        raise ValueError(f"只能导出已审核的记录：审核结论应为 correct 或 wrong，而不是“{review}”")
    found = [e for v in ([review] if review else VERDICTS) for e in logbook.entries(review=v, limit=MAX_ROWS)]
    return sorted(found, key=lambda e: e.id)


def table_rows(engine: Engine, entries: list[LogEntry]) -> list[list[str]]:
    """One row per entry under COLUMNS, every cell text."""
    rows = []
    for e in entries:
        r = e.response
        programs = "\n".join(f"{p.title}（{p.policy.label}）：{p.status_label}，{amount_text(p)}" for p in r.programs)
        rows.append(
            [
                str(e.id),
                beijing(e.created_at, seconds=True),
                conversation_label(e.session_id),
                e.as_of,
                e.region or "未说明",
                KIND_LABEL.get(e.kind, e.kind),
                e.question,
                "\n".join(facts_lines(engine, r.facts)),
                verdict_text(r),
                programs,
                total_text(r),
                REVIEW_LABEL.get(e.review, ""),
                e.reviewer or "",
                beijing(e.reviewed_at),
                e.review_comment or "",
                format_amount(Decimal(e.correct_amount)) if e.correct_amount is not None else "",
            ]
        )
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_safe(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(row: list[str]) -> list[str]:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first: CSV injection) is kept as text."""
    return ["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in row]


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("已审核记录")
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    widths = [7, 19, 14, 11, 22, 10, 40, 36, 16, 50, 24, 8, 12, 17, 30, 22]
    for col, (name, width) in enumerate(zip(COLUMNS, widths)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, name, head)
    for n, row in enumerate(rows, start=1):
        for col, cell in enumerate(row):
            sheet.write_string(n, col, cell, wrap)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    book.close()
    return out.getvalue()


def _file(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )


def _refused(err: ValueError) -> Response:
    body = json.dumps({"error": str(err)}, ensure_ascii=False)
    return Response(body, status_code=400, media_type="application/json")


def add_export_routes(app: FastAPI, logbook: Logbook, engine: Engine) -> None:
    """The three export routes; mount under /console only (the console's guard is what protects them)."""
    policy_of: Callable[[str], str | None] = engine.book.program_policy.get

    @app.get(EXPORT_PATH, include_in_schema=False)
    def export_jsonl(review: str = "") -> Response:
        try:
            cases = logbook.export_cases(review or None, policy_of=policy_of)
        except ValueError as err:
            return _refused(err)
        body = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
        return _file(body.encode("utf-8"), "application/x-ndjson; charset=utf-8", "reviewed-cases.jsonl")

    @app.get(CSV_PATH, include_in_schema=False)
    def export_csv(review: str = "") -> Response:
        try:
            rows = table_rows(engine, reviewed(logbook, review or None))
        except ValueError as err:
            return _refused(err)
        return _file(csv_bytes(rows), "text/csv; charset=utf-8", "reviewed-cases.csv")

    @app.get(XLSX_PATH, include_in_schema=False)
    def export_xlsx(review: str = "") -> Response:
        try:
            rows = table_rows(engine, reviewed(logbook, review or None))
        except ValueError as err:
            return _refused(err)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _file(xlsx_bytes(rows), media, "reviewed-cases.xlsx")
