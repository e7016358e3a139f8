"""What the officer console shows of logged answers: list rows, one record, its whole conversation.

Why apart from the Gradio wiring (assistant.web.console): these are plain functions of log entries,
shared with the export (assistant.web.console_export) and testable without a server. Everything is
in the words the enterprise saw or the rule data's labels (program titles, fact labels, 北京时间),
never internal ids; figures in the one format of core.money.format_amount; long texts cut with a
"展开全文" to read them whole, so one oversized question cannot make the page unusable.
"""

from __future__ import annotations

import hashlib
import html
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from assistant.answering.api_models import Answer
from assistant.answering.engine import Engine
from assistant.core.money import format_amount, format_yuan
from assistant.storage.logbook import LogEntry
from assistant.web.display import BEIJING, amount_text, beijing
from assistant.web.fact_text import fact_changes, fact_values, facts_lines, readable_facts

REVIEW_LABEL = {None: "未审核", "correct": "正确", "wrong": "错误"}
KIND_LABEL = {"assessment": "测算", "fact": "政策问答", "out_of_scope": "不在收录范围", "bad_input": "输入有误"}
STATUS_SHORT = {"eligible": "可申请", "needs_info": "待补充", "ineligible": "不符合", "expired": "已失效"}
HEADERS = ["编号", "时间（北京）", "地区", "问题", "结论", "合计最高金额", "审核"]
COLUMN_WIDTHS = ["56px", "112px", "84px", "34%", "150px", "190px", "64px"]
SHORT = 200  # characters of a long field shown before "展开全文"
LIST_QUESTION = 60


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def beijing_day_start(day: date) -> datetime:
    """The instant a Beijing calendar day begins, for the log's UTC filters."""
    return datetime.combine(day, time(), BEIJING)


def beijing_day_end(day: date) -> datetime:
    """The last instant of a Beijing calendar day (the log's `until` includes it)."""
    return datetime.combine(day + timedelta(days=1), time(), BEIJING) - timedelta(microseconds=1)


def conversation_label(session_id: str) -> str:
    """A short name for the conversation, from which its session id cannot be read back."""
    return "会话 " + hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:8]


def shortened(text: str, limit: int = SHORT) -> str:
    """Escaped text; past `limit` characters the rest behind a "展开全文" (a <details>)."""
    if len(text) <= limit:
        return _e(text)
    return (
        f"<details class='long'><summary>{_e(text[:limit])}…（共 {len(text)} 字，展开全文）</summary>"
        f"<div class='full'>{_e(text)}</div></details>"
    )


def verdict_text(r: Answer) -> str:
    """The answer in a few words: the kind, and for an assessment how many programs stand where."""
    if r.kind != "assessment" or not r.programs:
        return KIND_LABEL.get(r.kind, r.kind) + ("（追问）" if r.follow_up and not r.programs else "")
    counts: dict[str, int] = {}
    for p in r.programs:
        counts[p.status] = counts.get(p.status, 0) + 1
    return "、".join(f"{STATUS_SHORT[s]} {counts[s]}" for s in STATUS_SHORT if s in counts)


def total_text(r: Answer) -> str:
    return format_amount(Decimal(str(r.total_max_yuan))) if r.total_max_yuan else "—"


def short_region(region: str | None) -> str:
    """The last level of the region path (河口区 of 山东省东营市河口区), which is what tells entries apart."""
    if not region:
        return "未说明"
    for cut in ("市", "省"):
        head, sep, tail = region.rpartition(cut)
        if sep and tail:
            return tail
    return region


def entry_rows(entries: list[LogEntry]) -> list[list[Any]]:
    return [
        [
            e.id,
            beijing(e.created_at),
            short_region(e.region),
            e.question[:LIST_QUESTION] + ("…" if len(e.question) > LIST_QUESTION else ""),
            verdict_text(e.response),
            total_text(e.response),
            REVIEW_LABEL.get(e.review, e.review or ""),
        ]
        for e in entries
    ]


def _programs_table(engine: Engine, r: Answer) -> str:
    rows = []
    for p in r.programs:
        reasons = "".join(f"<li>{_e(x)}</li>" for x in p.reasons)
        warnings = "".join(f"<li>⚠ {_e(x)}</li>" for x in p.warnings)
        missing = "、".join(readable_facts(engine, p.missing))
        rows.append(
            f"<tr><td><b>{_e(p.title)}</b><br><small>{_e(p.policy.label)}</small></td>"
            f"<td>{_e(p.status_label)}<br><small>{_e(p.validity)}</small></td>"
            f"<td>{_e(amount_text(p))}</td><td>{_e(p.formula or '—')}</td>"
            f"<td><ul>{reasons}{warnings}</ul>{('缺少：' + _e(missing)) if missing else ''}</td></tr>"
        )
    return (
        "<h3>测算（计算器轨迹）</h3><table><thead><tr><th>项目</th><th>状态</th><th>金额</th>"
        "<th>公式</th><th>条件核对与理由</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def entry_html(engine: Engine, entry: LogEntry | None, turns: list[LogEntry] | None = None) -> str:
    """Everything the user was shown for one turn, laid out for checking, then the whole conversation
    it belongs to (`turns`, any order) so a reply like "是" can be judged with what it answered."""
    if entry is None:
        return "<div class='entry'><p>在上方列表中点击一条记录查看详情。</p></div>"
    r = entry.response
    parts = [
        "<div class='entry'>",
        f"<h3>记录 {entry.id}</h3><div>时间（北京时间）：{_e(beijing(entry.created_at, seconds=True))}；"
        f"{_e(conversation_label(entry.session_id))}；评估日期：{_e(entry.as_of)}；"
        f"地区：{_e(entry.region or '未说明')}；类型：{_e(KIND_LABEL.get(entry.kind, entry.kind))}</div>",
        (
            f"<div><a href='#conversation'>本会话共 {len(turns)} 轮，这是第 {_turn_number(turns, entry.id)} 轮："
            "查看全部轮次与每轮的企业信息</a></div>"
            if turns and len(turns) > 1
            else ""
        ),
        f"<h3>问题</h3><div class='text'>{shortened(entry.question) or '（按修改后的企业信息重新测算）'}</div>",
    ]
    if entry.review:
        amount = f"；正确金额：{_e(format_amount(entry.correct_amount))}" if entry.correct_amount is not None else ""
        parts.append(
            f"<h3>审核</h3><div>{_e(REVIEW_LABEL.get(entry.review))}（{_e(entry.reviewer)}，"
            f"{_e(beijing(entry.reviewed_at))}）{amount}；意见：{_e(entry.review_comment or '—')}</div>"
        )
    facts = facts_lines(engine, r.facts)
    if facts:
        parts.append("<h3>企业信息</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in facts) + "</ul>")
    if r.missing_facts:
        parts.append(f"<div>还需补充：{_e('、'.join(readable_facts(engine, r.missing_facts)))}</div>")
    if r.programs:
        if r.total_max_yuan:
            parts.append(f"<div><b>合计最高约 {_e(total_text(r))}</b></div>")
        parts.append(_programs_table(engine, r))
    parts.append(f"<h3>给用户的回答</h3><div class='text'>{shortened(entry.answer, 600)}</div>")
    if r.sources:
        items = "".join(
            f"<li><b>{_e(s.label or s.doc_number)}</b> {_e(s.heading)}：{shortened(' '.join(s.text.split()))}</li>"
            for s in r.sources
        )
        parts.append(f"<h3>检索到的来源</h3><ol>{items}</ol>")
    if turns and len(turns) > 1:
        parts.append(conversation_html(engine, turns, entry.id))
    parts.append("</div>")
    return "".join(parts)


def _in_order(turns: list[LogEntry]) -> list[LogEntry]:
    """A conversation's turns oldest first (the log lists newest first)."""
    return sorted(turns, key=lambda t: (t.created_at, t.id))


def _turn_number(turns: list[LogEntry], entry_id: int) -> int:
    ordered = [t.id for t in _in_order(turns)]
    return ordered.index(entry_id) + 1 if entry_id in ordered else 0


def conversation_html(engine: Engine, turns: list[LogEntry], current: int | None = None) -> str:
    """All turns of one conversation, oldest first: the question, the facts as they stood after it
    and what it changed, and what the user was told."""
    rows = []
    before: dict[str, str] = {}
    for n, turn in enumerate(_in_order(turns), start=1):
        now = fact_values(engine, turn.response.facts)
        changed = fact_changes(before, now) if n > 1 else []
        before = now
        facts = "".join(f"<li>{_e(k)}：{_e(v)}</li>" for k, v in now.items())
        change = "".join(f"<li>{_e(c)}</li>" for c in changed) or ("—" if n > 1 else "（首轮）")
        mark = " class='current'" if turn.id == current else ""
        rows.append(
            f"<tr{mark}><td>{n}<br><small>记录 {turn.id}<br>{_e(beijing(turn.created_at))}</small></td>"
            f"<td>{shortened(turn.question) or '（修改企业信息）'}</td><td><ul>{facts}</ul></td><td><ul>{change}</ul></td>"
            f"<td>{_e(verdict_text(turn.response))}<br>{_e(total_text(turn.response))}<br>"
            f"<small>{_e(REVIEW_LABEL.get(turn.review, ''))}</small></td></tr>"
        )
    return (
        f"<h3 id='conversation'>本会话全部轮次（共 {len(turns)} 轮）</h3><table class='turns'><thead><tr>"
        "<th>轮次</th><th>问题</th><th>此时的企业信息</th><th>本轮变化</th><th>结论与金额</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def form_amount(entry: LogEntry) -> str:
    """The saved correct amount as the review form shows it back: exact yuan, which reads back the same."""
    return format_yuan(entry.correct_amount).replace(",", "") if entry.correct_amount is not None else ""
