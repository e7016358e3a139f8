"""How figures and times are written wherever the web layer shows them (console, exports, report).

One place, so that a figure reads the same on every page and file: 万元 with the exact 元 in
brackets (core.money.format_amount), and times in 北京时间, the users' clock, not the log's UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from assistant.answering.api_models import Program
from assistant.core.money import format_amount

BEIJING = timezone(timedelta(hours=8), "北京时间")  # China keeps no daylight saving time


def beijing(moment: datetime | None, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def amount_text(p: Program) -> str:
    """A program's figure ("最高 18万元（180,000.00 元）"), or why there is none, in readable words."""
    if p.amount_yuan is not None:
        return f"{p.amount_prefix}{format_amount(Decimal(str(p.amount_yuan)))}"
    if p.status == "needs_info":
        return "待补充信息后测算" + (f"（{'；'.join(p.caps)}）" if p.caps else "")
    return no_figure_text(p)


def no_figure_text(p: Program) -> str:
    """Why a program that is not waiting for facts shows no figure: not eligible, no sum in the text, or a
    sum the calculator does not compute yet (never "the text states none" for that one)."""
    if p.status != "eligible":
        return "—"
    return "金额暂未纳入测算" if p.not_modelled else "政策未规定具体金额"
