"""What the assistant covers, said before any question: each document, its region and whether it is in
force on a given day, and a day inside each document's validity for the one-click date buttons.

All of it comes from the library's policy metadata (index/policies/*/policy.yaml), so adding or
correcting a document changes the panel without touching the page. Today all five documents are out of
force or of unknown validity; a user who is not told so up front reads a figure as an offer.
"""

from __future__ import annotations

from datetime import date, timedelta

from assistant.answering.engine import Engine
from assistant.texts.policies import PolicyMeta, Validity, validity_on
from assistant.web.cards import VALIDITY_LABEL, _e

# What each state means for someone who wants to apply, in plain words.
WHAT_IT_MEANS = {
    Validity.IN_FORCE: "可按此政策申报",
    Validity.NOT_YET: "尚未施行，暂不能申报",
    Validity.EXPIRED: "目前不能按此政策申报，测算结果仅供参考",
    Validity.REPEALED: "目前不能按此政策申报，测算结果仅供参考",
    Validity.MAYBE_REPEALED: "可能已失效，申报前请向主管部门核实",
    Validity.UNKNOWN: "原文未写明有效期，申报前请向主管部门核实",
}
# Without a stated end, a day this long after the start stands for "while it was surely meant to apply".
OPEN_ENDED_SPAN = timedelta(days=2 * 365)


def day_in_force(meta: PolicyMeta) -> date:
    """A day inside the document's validity: the first 30 June in it (mid-year, like the annual plans'
    application rounds), else its middle. Before a repeal known only to a year, the day before that year;
    without any end, within two years of the start."""
    start = meta.valid_from or meta.issue_date or (meta.valid_to - OPEN_ENDED_SPAN if meta.valid_to else None)
    if start is None:  # nothing dated at all: any day is as good, so the day it is answered for
        return date.today()
    if meta.valid_to:
        last = meta.valid_to
    elif meta.repealed_between:
        last = meta.repealed_between[0] - timedelta(days=1)
    else:
        last = start + OPEN_ENDED_SPAN
    for year in range(start.year, last.year + 1):
        mid_year = date(year, 6, 30)
        if start <= mid_year <= last:
            return mid_year
    return start + (last - start) / 2


def coverage_html(engine: Engine, today: date) -> str:
    """The coverage panel: one row per document with its region and validity on `today`."""
    rows = []
    for policy in engine.book.library.policies.values():
        meta = policy.meta
        status = validity_on(meta, today)
        rows.append(
            "<tr>"
            f"<td>{_e(meta.short_title)}</td>"
            f"<td>{_e(meta.region_name)}</td>"
            f"<td class='state {status.state.value}'><b>{_e(VALIDITY_LABEL[status.state])}</b>：{_e(WHAT_IT_MEANS[status.state])}"
            f"<div class='why'>{_e(status.explanation)}</div></td>"
            "</tr>"
        )
    return (
        "<div class='coverage'><h2>收录范围：以下政策文件（按今天 "
        f"{_e(today.isoformat())} 的效力）</h2>"
        "<table><thead><tr><th scope='col'>政策文件</th><th scope='col'>适用地区</th>"
        "<th scope='col'>按今天的效力</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<p>其他地区的企业请向所在地的工业和信息化主管部门（工信局）或发展改革部门（发改委）咨询当地政策。"
        "想了解某项政策在有效期内时的测算，可点击下方“政策有效期内的某天”按钮选择日期。</p></div>"
    )
