"""The printable report from real answers: every part the brief of issue #17 item 2 names, the
application guide in the text's words (原文未载明 where it is silent), user text escaped, nothing
loaded from elsewhere."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.web.application_guide import SILENT, guide
from assistant.web.report_html import DISCLAIMER, EXPIRED_ADVICE, ReportHeader, assessment_html

HEKOU = "我们在河口区做技改，总投资500万，设备300万，能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def report(engine: Engine, as_of: date, *questions: str, header: ReportHeader | None = None) -> str:
    talk = Conversation(engine, as_of=as_of)
    for q in questions:
        answer = talk.ask(q)
    return assessment_html(engine, answer, talk.questions, header or ReportHeader())


def test_the_guide_quotes_when_and_where_and_says_when_the_text_is_silent(engine: Engine) -> None:
    hekou = guide(engine.book, "hekou-direct-award")
    assert hekou.timing.startswith("每年11月份各镇街、开发区对上年度竣工项目进行推荐，区工业")  # no folded space
    assert hekou.departments == "区工业和信息化局、区财政局"
    assert "项目总投资500万元以上（含500万元）" in hekou.conditions
    assert any(c.startswith("不适用：享受上级专项资金") for c in hekou.conditions)
    silent = [pid for pid, p in engine.book.programs.items() if not p.how_to_apply]
    assert silent, "some programs' texts say nothing of how to apply"
    assert guide(engine.book, silent[0]).timing == SILENT and guide(engine.book, silent[0]).procedure == SILENT


def test_the_report_holds_each_part_with_the_calculators_figures(engine: Engine) -> None:
    header = ReportHeader(enterprise="东营某机械有限公司", project="数控产线技改")
    page = report(engine, date(2021, 6, 30), HEKOU, header=header)
    for part in (
        "企业名称",
        "东营某机械有限公司",
        "数控产线技改",
        "评估日期",
        "2021-06-30",
        "评估结论",
        "计算公式",
        "条件核对",
        "政策效力",
        "惠及对象",
        "申报条件",
        "申报时间",
        "受理部门",
        "依据（政策原文）",
        DISCLAIMER,
    ):
        assert part in page, part
    assert "可申请项目合计最高约 18万元（180,000.00 元）" in page
    assert "6% × 实际设备投资额（含工艺包和软件） 3,000,000.00 元 = 180,000.00 元" in page
    assert "每年11月份" in page and "区工业和信息化局" in page
    assert "[1]" in page and "给予直接奖补的,按照实际设备投资额" in page  # the citation the answer numbered
    assert "@media print" in page and "@page" in page
    assert "<h3>奖补金额随投资额的变化</h3><div class='chart'><svg" in page  # the chart, drawn inline
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page), "the report must load nothing from elsewhere"


def test_an_expired_program_says_it_cannot_be_applied_for_now(engine: Engine) -> None:
    page = report(engine, date(2024, 6, 30), HEKOU)
    assert EXPIRED_ADVICE in page and "按原政策口径测算，仅供参考" in page
    section = page[page.index("data-program='hekou-direct-award'") :]
    section = section[: section.index("</section>")]
    assert "每年11月份" not in section  # no how-to-apply under an expired policy


def test_user_text_is_escaped(engine: Engine) -> None:
    page = report(engine, date(2021, 6, 30), HEKOU, header=ReportHeader(enterprise="<script>alert(1)</script>"))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
