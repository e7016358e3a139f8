"""The console's views and exports on a real SQLite log filled by real answers of the engine:
readable names, 北京时间, the whole conversation with what each turn changed, text search, the
review form's figures in 万 or 元, and the CSV and Excel exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.reading.amounts import InputError
from assistant.storage.logbook import Logbook
from assistant.web.console import correct_amount, next_id, review_form
from assistant.web.console_export import COLUMNS, csv_bytes, reviewed, table_rows, xlsx_bytes
from assistant.web.console_views import beijing_day_end, beijing_day_start, entry_html, entry_rows, shortened
from assistant.web.display import beijing

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


@pytest.fixture
def logbook(tmp_path: Path, engine: Engine) -> Logbook:
    """Two turns of one conversation (the second corrects the equipment), and one other question."""
    book = Logbook(tmp_path / "log.sqlite3")
    talk = Conversation(engine, as_of=date(2021, 6, 30))
    at = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 01:30 on 12-01 in Beijing
    book.record("tab-1", talk.ask(HEKOU), now=at)
    book.record("tab-1", talk.ask("设备投资改成400万"), now=at.replace(minute=31))
    book.record("tab-2", engine.ask("什么样的企业算僵尸企业？", date(2021, 6, 30)), now=at.replace(minute=32))
    return book


def test_list_rows_are_readable_and_in_beijing_time(logbook: Logbook) -> None:
    rows = entry_rows(logbook.entries())
    first = rows[-1]  # oldest last
    assert first[1] == "2026-12-01 01:30"  # 17:30 UTC is the next morning in Beijing
    assert first[2] == "河口区" and first[3] == HEKOU
    assert first[4].startswith("可申请 1") and first[5] == "18万元（180,000.00 元）"
    assert rows[0][4] == "政策问答" and rows[0][5] == "—"
    assert all(r[6] == "未审核" for r in rows)


def test_beijing_days_bound_the_filters(logbook: Logbook) -> None:
    day = date(2026, 12, 1)
    assert len(logbook.entries(since=beijing_day_start(day), until=beijing_day_end(day))) == 3
    assert logbook.entries(until=beijing_day_end(date(2026, 11, 30))) == []  # UTC's 11-30 is Beijing's 12-01


def test_the_detail_names_programs_and_facts_and_shows_the_whole_conversation(engine: Engine, logbook: Logbook) -> None:
    second = logbook.entries(text="改成400万")[0]
    turns = logbook.entries(session_id=second.session_id)
    shown = entry_html(engine, second, turns)
    assert "hekou-direct-award" not in shown and "equipment_investment" not in shown and "tab-1" not in shown
    assert "技术改造项目直接奖补" in shown and "设备投资（含工艺包和软件）" in shown
    assert "本会话全部轮次（共 2 轮）" in shown and "本会话共 2 轮，这是第 2 轮" in shown
    assert "更正 设备投资（含工艺包和软件）：300万元（3,000,000.00 元） → 400万元（4,000,000.00 元）" in shown
    assert "时间（北京时间）：2026-12-01 01:31:00" in shown
    assert "项目贷款实际发生额" in shown  # what is still missing, by its label, not loan_amount


def test_text_search_finds_question_or_answer_literally(logbook: Logbook) -> None:
    assert [e.question for e in logbook.entries(text="僵尸")] == ["什么样的企业算僵尸企业？"]
    assert len(logbook.entries(text="东河政发")) == 2  # in both answers of the 河口 conversation
    assert logbook.entries(text="东%政") == []  # not a LIKE pattern


def test_long_fields_are_cut_with_a_way_to_read_them_whole() -> None:
    long = "设备" * 400
    cut = shortened(long, 200)
    assert cut.startswith("<details") and "共 800 字，展开全文" in cut and long in cut
    assert shortened("短", 200) == "短"


def test_correct_amounts_in_wan_or_yuan() -> None:
    assert correct_amount("18万") == correct_amount("180000") == correct_amount("18万元") == Decimal(180000)
    assert correct_amount(" ") is None
    with pytest.raises(InputError, match="正确金额：无法识别金额"):
        correct_amount("很多")


def test_the_review_form_is_reset_per_record_and_next_follows_the_list(logbook: Logbook) -> None:
    first, second = sorted(logbook.entries(), key=lambda e: e.id)[:2]
    logbook.mark(first.id, "li", "wrong", "应为15万", Decimal(150000))
    assert review_form(logbook.get(first.id)) == ("wrong", "应为15万", "150000.00", "")
    assert review_form(logbook.get(second.id)) == (None, "", "", "")  # nothing carried over
    assert correct_amount(review_form(logbook.get(first.id))[2]) == Decimal(150000)
    assert next_id([5, 4, 3], 4) == 3 and next_id([5, 4, 3], 3) == 4 and next_id([5], 5) is None
    assert next_id([5, 4], 9) == 5


def test_csv_and_excel_export_the_reviewed_records_readably(engine: Engine, logbook: Logbook) -> None:
    entry = sorted(logbook.entries(), key=lambda e: e.id)[0]
    logbook.mark(entry.id, "li", "wrong", "=1+1 应为15万", Decimal(150000))
    rows = table_rows(engine, reviewed(logbook, None))
    assert len(rows) == 1
    parsed = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"))))
    assert parsed[0] == COLUMNS
    row = dict(zip(COLUMNS, parsed[1]))
    assert row["时间（北京时间）"] == "2026-12-01 01:30:00" and row["审核结论"] == "错误"
    assert "技术改造项目直接奖补" in row["各项目（状态、金额）"] and "18万元（180,000.00 元）" in row["合计最高金额"]
    assert row["正确金额"] == "15万元（150,000.00 元）"
    assert row["审核意见"] == "'=1+1 应为15万"  # never run as a formula
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows))) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "技术改造项目直接奖补" in strings and "审核结论" in strings
    with pytest.raises(ValueError, match="只能导出已审核"):
        reviewed(logbook, "unreviewed")


def test_beijing_of_none_is_empty() -> None:
    assert beijing(None) == ""
