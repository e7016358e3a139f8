"""The conversation log: round trip, filters, reviews, evaluation cases, retention, durability, threads.

Real SQLite files in tmp_path throughout; the durability test kills a real child process with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import answers
import pytest

from assistant.answering.api_models import Answer, Program
from assistant.core.settings import REPO_ROOT, Settings
from assistant.storage import bounds
from assistant.storage.database import iso, utc_now
from assistant.storage.logbook import DB_FILENAME, LOG_SCHEMA, Logbook, LogSettings, database_path


def program(program_id: str, status: str, amount: float | None, doc_number: str = "东河政发〔2020〕5号") -> Program:
    return answers.program(program_id, status, amount, doc_number=doc_number)


def response(
    question: str = "河口区技改项目总投资500万，设备投资300万，能拿多少？",
    *,
    kind: str = "assessment",
    region: str | None = "山东省东营市河口区",
    programs: list[Program] | None = None,
    as_of: str = "2021-06-30",
) -> Answer:
    if programs is None:
        programs = [
            program("hekou-direct-award", "eligible", 180000.0),
            program("hekou-loan-interest", "needs_info", None),
        ]
    return answers.answer(question, kind=kind, region=region, programs=programs, as_of=as_of)


HEKOU = response()
JIYUAN = response(
    "济源市智能工厂能奖励多少？",
    region="河南省济源市",
    programs=[program("jy-smart-manufacturing-demo-award", "eligible", 1000000.0, "济政〔2017〕27号")],
)
HENAN = response(
    "河南省首台套保险补偿",
    region="河南省",
    programs=[program("hn17-first-set-insurance-subsidy", "eligible", 500000.0, "豫政〔2017〕22号")],
)
REFUSED = response("北京市有什么补贴？", kind="out_of_scope", region="北京市", programs=[])


@pytest.fixture
def book(tmp_path: Path) -> Logbook:
    return Logbook(tmp_path / DB_FILENAME)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def test_record_round_trip_keeps_the_full_response(book: Logbook) -> None:
    entry_id = book.record("session-1", HEKOU)
    assert isinstance(entry_id, int)
    entry = book.get(entry_id)
    assert entry is not None
    assert entry.response == HEKOU  # formulas, reasons, citations and sources exactly as shown
    assert (entry.session_id, entry.question, entry.as_of, entry.region, entry.kind, entry.answer) == (
        "session-1",
        HEKOU.question,
        "2021-06-30",
        "山东省东营市河口区",
        "assessment",
        HEKOU.answer,
    )
    assert entry.program_ids == ["hekou-direct-award", "hekou-loan-interest"]
    with book.db.reading() as conn:
        stored = conn.execute("SELECT response_json FROM log_entries WHERE id = ?", (entry_id,)).fetchone()[0]
    assert json.loads(stored) == HEKOU.to_json()  # the answer's own JSON, which the model reads back
    assert entry.created_at.tzinfo is not None and entry.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - entry.created_at) < timedelta(minutes=1)
    assert (entry.review, entry.reviewer, entry.review_comment, entry.correct_amount, entry.reviewed_at) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert book.get(entry_id + 1000) is None
    assert [e.id for e in book.entries()] == [entry_id]


def test_stored_as_utc_iso_text(book: Logbook, tmp_path: Path) -> None:
    beijing = timezone(timedelta(hours=8))
    book.record("s", HEKOU, now=datetime(2024, 3, 2, 4, 30, tzinfo=beijing))  # stored as the same instant in UTC
    raw = sqlite3.connect(tmp_path / DB_FILENAME).execute("SELECT created_at FROM log_entries").fetchone()[0]
    assert raw == "2024-03-01T20:30:00.000000+00:00"


def test_entries_newest_first_and_filtered_by_date_range(book: Logbook) -> None:
    ids = {day: book.record("s", HEKOU, now=at(day)) for day in (1, 2, 3, 4)}
    assert [e.id for e in book.entries()] == [ids[4], ids[3], ids[2], ids[1]]
    assert [e.id for e in book.entries(since=date(2024, 3, 2), until=date(2024, 3, 3))] == [ids[3], ids[2]]
    assert [e.id for e in book.entries(since=date(2024, 3, 4))] == [ids[4]]
    assert [e.id for e in book.entries(until=date(2024, 3, 1))] == [ids[1]]
    assert [e.id for e in book.entries(limit=2)] == [ids[4], ids[3]]
    # the last microsecond of a day is still that day
    late = book.record("s", HEKOU, now=datetime(2024, 3, 5, 23, 59, 59, 999999, tzinfo=UTC))
    assert [e.id for e in book.entries(since=date(2024, 3, 5), until=date(2024, 3, 5))] == [late]


def test_region_filter_by_prefix_or_equality(book: Logbook) -> None:
    hekou, jiyuan, henan, beijing = (book.record("s", r) for r in (HEKOU, JIYUAN, HENAN, REFUSED))
    book.record("s", response(region=None, programs=[]))
    assert {e.id for e in book.entries(region="河南省")} == {jiyuan, henan}
    assert [e.id for e in book.entries(region="河南省济源市")] == [jiyuan]
    assert [e.id for e in book.entries(region="山东省")] == [hekou]
    assert [e.id for e in book.entries(region="山东省东营市河口区")] == [hekou]
    assert [e.id for e in book.entries(region="北京市")] == [beijing]
    assert book.entries(region="济源市") == []  # a prefix, not a substring
    assert book.entries(region="河南%") == []  # no LIKE wildcards


def test_program_filter_matches_any_listed_program(book: Logbook) -> None:
    hekou, jiyuan = book.record("s", HEKOU), book.record("s", JIYUAN)
    assert [e.id for e in book.entries(program_id="hekou-loan-interest")] == [hekou]
    assert [e.id for e in book.entries(program_id="jy-smart-manufacturing-demo-award")] == [jiyuan]
    assert book.entries(program_id="hekou") == []  # exact ids only


def test_review_filter_and_session_filter(book: Logbook) -> None:
    a, b, c = book.record("s1", HEKOU), book.record("s1", JIYUAN), book.record("s2", HENAN)
    book.mark(a, "zhang", "correct")
    book.mark(b, "li", "wrong", "应为50万")
    assert [e.id for e in book.entries(review="unreviewed")] == [c]
    assert [e.id for e in book.entries(review="correct")] == [a]
    assert [e.id for e in book.entries(review="wrong")] == [b]
    assert [e.id for e in book.entries(session_id="s1")] == [b, a]
    assert [e.id for e in book.entries(region="河南省", review="wrong")] == [b]
    with pytest.raises(ValueError, match="评审状态"):
        book.entries(review="maybe")


def test_mark_correct_and_wrong_with_exact_amount(book: Logbook) -> None:
    a, b = book.record("s", HEKOU), book.record("s", JIYUAN)
    ok = book.mark(a, "zhang", "correct", "与手算一致")
    assert (ok.review, ok.reviewer, ok.review_comment, ok.correct_amount) == ("correct", "zhang", "与手算一致", None)
    assert ok.reviewed_at is not None and ok.reviewed_at.utcoffset() == timedelta(0)
    wrong = book.mark(b, "li", "wrong", "上限应按单个企业计", correct_amount=Decimal("123456789012.34"))
    assert wrong.correct_amount == Decimal("123456789012.34")
    assert book.get(b).correct_amount == Decimal("123456789012.34")
    again = book.mark(b, "wang", "wrong", "复核", correct_amount=Decimal("0.10"))
    assert (again.reviewer, again.correct_amount, str(again.correct_amount)) == ("wang", Decimal("0.10"), "0.10")


def test_mark_rejects_bad_input_in_chinese(book: Logbook) -> None:
    a = book.record("s", HEKOU)
    for call, message in [
        (lambda: book.mark(a, "zhang", "maybe"), "评审结论"),
        (lambda: book.mark(a + 99, "zhang", "correct"), "找不到编号"),
        (lambda: book.mark(a, "  ", "correct"), "评审人"),
        (lambda: book.mark(a, "zhang", "wrong", correct_amount=0.1), "浮点"),
        (lambda: book.mark(a, "zhang", "wrong", correct_amount=Decimal("-1")), "不小于零"),
        (lambda: book.mark(a, "zhang", "wrong", correct_amount=Decimal("NaN")), "不小于零"),
        (lambda: book.mark(a, "zhang", "correct", correct_amount=Decimal("1")), "无需填写"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
    assert book.get(a).review is None


def test_amounts_are_stored_as_text(book: Logbook, tmp_path: Path) -> None:
    a = book.record("s", HEKOU)
    book.mark(a, "li", "wrong", correct_amount=Decimal("180000.10"))
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    assert conn.execute("SELECT correct_amount, typeof(correct_amount) FROM log_entries").fetchone() == (
        "180000.10",
        "text",
    )


def test_export_cases_correct_verdict(book: Logbook) -> None:
    a = book.record("s", HEKOU)
    book.mark(a, "zhang", "correct", "与手算一致")
    policies = {"hekou-direct-award": "hekou-2020-5", "hekou-loan-interest": "hekou-2020-5"}
    assert book.export_cases(policy_of=policies.get) == [
        {
            "id": f"review-{a}",
            "type": "officer_review",
            "policy": "hekou-2020-5",
            "question": HEKOU.question,
            "as_of": "2021-06-30",
            "expect": {
                "programs": {
                    "hekou-direct-award": {"status": "eligible", "amount": 180000.0},
                    "hekou-loan-interest": {"status": "needs_info", "amount": None},
                },
                "refused": False,
            },
            "source": "officer-review",
            "reviewer": "zhang",
            "verdict": "correct",
            "comment": "与手算一致",
            "note": "与手算一致",
        }
    ]


def test_export_cases_wrong_with_amount_replaces_the_first_figure(book: Logbook) -> None:
    later_figure = response(
        programs=[
            program("hekou-loan-interest", "needs_info", None),
            program("hekou-direct-award", "eligible", 180000.0),
            program("hekou-statistics-award", "eligible", 100000.0),
        ]
    )
    a = book.record("s", later_figure)
    book.mark(a, "li", "wrong", "设备投资应含软件，应为24万", correct_amount=Decimal("240000.50"))
    [case] = book.export_cases()
    assert case == {
        "id": f"review-{a}",
        "type": "officer_review",
        "policy": "hekou-2020-5",  # no resolver: the policy the logged answer names
        "question": later_figure.question,
        "as_of": "2021-06-30",
        "expect": {"programs": {"hekou-direct-award": {"status": "eligible", "amount": 240000.5}}, "refused": False},
        "source": "officer-review",
        "reviewer": "li",
        "verdict": "wrong",
        "comment": "设备投资应含软件，应为24万",
        "note": "设备投资应含软件，应为24万",
    }
    assert json.loads(json.dumps(case)) == case  # plain JSON, numbers as numbers


def test_export_cases_wrong_without_amount_and_refusals(book: Logbook) -> None:
    a, b = book.record("s", HEKOU), book.record("s", REFUSED)
    book.record("s", JIYUAN)  # unreviewed: not a case
    book.mark(a, "li", "wrong", "应提示已过期")
    book.mark(b, "zhang", "correct", "确实不在范围内")
    cases = book.export_cases()
    assert [c["id"] for c in cases] == [f"review-{a}", f"review-{b}"]
    wrong, refused = cases
    assert wrong["expect"] == {"programs": {}, "refused": False}
    assert (wrong["verdict"], wrong["comment"], wrong["note"]) == ("wrong", "应提示已过期", "应提示已过期")
    assert refused["expect"] == {"programs": {}, "refused": True} and refused["policy"] is None
    assert [c["id"] for c in book.export_cases(review="correct")] == [f"review-{b}"]
    assert [c["id"] for c in book.export_cases(review="wrong")] == [f"review-{a}"]
    with pytest.raises(ValueError):
        book.export_cases(review="unreviewed")


def test_a_resolver_names_the_policy_as_the_rules_are_now(book: Logbook) -> None:
    moved = answers.program("hekou-direct-award", "eligible", 180000.0, policy_id="hekou-2019-old")
    book.mark(book.record("s", response(programs=[moved])), "zhang", "correct")
    assert book.export_cases()[0]["policy"] == "hekou-2019-old"  # as logged
    assert book.export_cases(policy_of={"hekou-direct-award": "hekou-2020-5"}.get)[0]["policy"] == "hekou-2020-5"


def test_disabled_logging_records_nothing(tmp_path: Path) -> None:
    off = Logbook(tmp_path / DB_FILENAME, LogSettings(enabled=False))
    assert off.record("s", HEKOU) is None
    assert off.entries() == []
    assert sqlite3.connect(tmp_path / DB_FILENAME).execute("SELECT count(*) FROM log_entries").fetchone() == (0,)


def test_log_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_LOG_ENABLED", raising=False)
    monkeypatch.delenv("ASSISTANT_LOG_RETENTION_DAYS", raising=False)
    assert LogSettings.from_env() == LogSettings(enabled=True, retention_days=180)
    monkeypatch.setenv("ASSISTANT_LOG_ENABLED", "0")
    monkeypatch.setenv("ASSISTANT_LOG_RETENTION_DAYS", "0")
    assert LogSettings.from_env() == LogSettings(enabled=False, retention_days=None)
    monkeypatch.setenv("ASSISTANT_LOG_RETENTION_DAYS", "30")
    assert LogSettings.from_env().retention_days == 30
    monkeypatch.setenv("ASSISTANT_LOG_RETENTION_DAYS", "半年")
    with pytest.raises(ValueError, match="ASSISTANT_LOG_RETENTION_DAYS"):
        LogSettings.from_env()


def test_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    assert database_path(Settings(data_dir=tmp_path / "data")) == tmp_path / "data" / "assistant.sqlite3"
    Logbook(database_path(Settings(data_dir=tmp_path / "data")))  # creates the folder
    assert (tmp_path / "data" / "assistant.sqlite3").is_file()
    assert (tmp_path / "data" / "assistant.sqlite3").stat().st_mode & 0o077 == 0  # owner only


def test_retention_purge_deletes_only_old_entries(tmp_path: Path) -> None:
    book = Logbook(tmp_path / DB_FILENAME, LogSettings(retention_days=30))
    now = datetime(2024, 6, 30, tzinfo=UTC)
    old = book.record("s", HEKOU, now=now - timedelta(days=31))
    reviewed_old = book.record("s", HEKOU, now=now - timedelta(days=40))
    book.mark(reviewed_old, "zhang", "correct")
    edge = book.record("s", HEKOU, now=now - timedelta(days=30))  # exactly at the limit: kept
    fresh = book.record("s", JIYUAN, now=now - timedelta(days=1))
    assert book.purge_expired(now=now) == 2
    assert {e.id for e in book.entries()} == {edge, fresh}
    assert book.get(old) is None and book.get(reviewed_old) is None
    assert book.entries(program_id="hekou-direct-award")[0].id == edge  # program rows went with them
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    assert conn.execute("SELECT count(*) FROM log_entry_programs").fetchone() == (3,)
    assert book.purge_expired(now=now) == 0


def test_keep_forever_purges_nothing(tmp_path: Path) -> None:
    book = Logbook(tmp_path / DB_FILENAME, LogSettings(retention_days=None))
    book.record("s", HEKOU, now=datetime(2000, 1, 1, tzinfo=UTC))
    assert book.purge_expired() == 0 and len(book.entries()) == 1


def test_opening_applies_retention(tmp_path: Path) -> None:
    Logbook(tmp_path / DB_FILENAME).record("s", HEKOU, now=datetime.now(UTC) - timedelta(days=400))
    assert Logbook(tmp_path / DB_FILENAME).entries() == []


def test_wal_mode_and_schema_version(book: Logbook, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version WHERE component = 'logbook'").fetchone() == (
        len(LOG_SCHEMA),
    )
    with book.db.reading() as own:
        assert own.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    Logbook(tmp_path / DB_FILENAME)  # reopening migrates nothing twice
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


CHILD = """
import sys
from pathlib import Path
sys.path[:0] = [{repo!r}, {tests!r}]
from answers import answer, program
from assistant.storage.logbook import Logbook
book = Logbook(Path({path!r}))
for n in range(1_000_000):
    r = answer(f"问题{{n}}", region="河南省济源市", programs=[program(f"p-{{n}}", "eligible", n + 0.5)],
               text="答" * 500 + str(n))
    r.sources[0].text = "条款" * 200
    entry_id = book.record("child", r)
    print(n, entry_id, flush=True)
"""


def test_sigkill_loses_no_conversation_whose_answer_was_shown(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO_ROOT), tests=str(REPO_ROOT / "tests"), path=str(path))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    shown: dict[int, int] = {}
    try:
        while len(shown) < 40:
            line = child.stdout.readline()
            if not line:
                pytest.fail(f"child ended early: {child.stderr.read()}")
            n, entry_id = map(int, line.split())
            shown[entry_id] = n
        os.kill(child.pid, signal.SIGKILL)  # mid-run: it is writing the next entries right now
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    book = Logbook(path)
    with book.db.reading() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for entry_id, n in shown.items():
        entry = book.get(entry_id)
        assert entry is not None, f"entry {entry_id} was shown but lost"
        assert entry.question == f"问题{n}" and entry.program_ids == [f"p-{n}"]
        assert entry.response.answer == "答" * 500 + str(n)
        assert entry.response.programs[0].amount_yuan == n + 0.5


def test_threads_record_concurrently(book: Logbook) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(t: int) -> None:
        try:
            start.wait()
            for n in range(50):
                ids.append(book.record(f"thread-{t}", response(f"线程{t}问题{n}")))
                if n % 10 == 0:
                    book.entries(limit=5)  # readers interleaved with writers
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(ids) == len(set(ids)) == 400
    entries = book.entries(limit=1000)
    assert len(entries) == 400
    assert {e.question for e in entries} == {f"线程{t}问题{n}" for t in range(8) for n in range(50)}
    assert all(len(book.entries(session_id=f"thread-{t}", limit=1000)) == 50 for t in range(8))


def test_undecodable_text_is_stored_not_lost(book: Logbook) -> None:
    """A lone surrogate (bytes an API caller failed to decode) cannot be written as UTF-8; the entry,
    which is what the user was shown, is kept with "?" in its place instead of being dropped."""
    garbled = response("河口区\udcff技改", kind="bad_input", programs=[])
    entry = book.get(book.record("session-\ud800", garbled))
    assert entry is not None
    assert entry.question == "河口区?技改" and entry.session_id == "session-?"
    assert entry.response.question == "河口区?技改" and entry.answer == "答：河口区?技改"


# --- bounded turns -----------------------------------------------------------------------------------


def test_a_refused_long_question_is_stored_as_its_first_2000_characters_and_its_length(
    book: Logbook, tmp_path: Path
) -> None:
    question = "河口区技改" + "很长的问题" * 60_000  # 300,005 characters, refused by the engine as too long
    refused = answers.answer(
        question, kind="bad_input", programs=[], text=f"问题过长（{len(question)}字），请控制在2000字以内"
    )
    entry = book.get(book.record("s", refused))
    assert entry.question == question[:2000] and entry.question_chars == len(question) == 300_005
    assert entry.response.question == question[:2000]
    assert entry.answer == refused.answer and entry.truncated
    size = sum(p.stat().st_size for p in tmp_path.glob(DB_FILENAME + "*"))
    assert size < 400_000, size  # the file and its WAL: the question is not in there whole


def test_every_text_and_list_of_a_stored_turn_is_bounded(book: Logbook) -> None:
    huge = answers.answer(text="答" * 50_000)
    huge.notes = [f"说明{n}" for n in range(5_000)]
    huge.sources[0].text = "条款" * 100_000
    huge.programs[0].reasons = ["理由" * 10_000] * 300
    entry = book.get(book.record("s" * 10_000, huge))
    with book.db.reading() as conn:
        stored = conn.execute("SELECT response_json FROM log_entries WHERE id = ?", (entry.id,)).fetchone()[0]
    assert len(stored) <= bounds.TURN_CHARS
    assert entry.truncated and len(entry.session_id) < 200
    assert entry.answer == entry.response.answer and entry.answer.startswith("答" * 100)
    assert entry.answer.endswith("（已截断，原文共50000字）")
    assert len(entry.response.notes) < 5_000 and entry.response.notes[0] == "说明0"
    assert len(entry.response.sources[0].text) < 200_000
    assert [p.program_id for p in entry.response.programs] == ["hekou-direct-award", "hekou-loan-interest"]
    assert entry.response.programs[0].amount_yuan == 180000.0  # figures are never cut


def test_a_normal_turn_is_stored_exactly_and_not_marked_truncated(book: Logbook) -> None:
    entry = book.get(book.record("s", HEKOU))
    assert entry.response == HEKOU and not entry.truncated and entry.question_chars == len(HEKOU.question)


def test_rows_logged_before_the_bounds_are_read_as_whole(tmp_path: Path) -> None:
    """A file written by the version-1 schema is migrated in place; its rows keep their full question."""
    path = tmp_path / DB_FILENAME
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        for statement in LOG_SCHEMA[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES ('logbook', 1)")
        conn.execute(
            "INSERT INTO log_entries (session_id, created_at, question, as_of, region, kind, answer, response_json) "
            "VALUES ('old', ?, ?, '2021-06-30', NULL, 'assessment', ?, ?)",
            (iso(utc_now()), HEKOU.question, HEKOU.answer, HEKOU.dumps()),
        )
    (entry,) = Logbook(path, LogSettings(retention_days=None)).entries()
    assert entry.question == HEKOU.question and entry.question_chars == len(HEKOU.question)
    assert not entry.truncated and entry.response == HEKOU
