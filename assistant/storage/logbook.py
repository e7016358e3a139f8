"""The conversation log help-desk officers review: every answer shown, kept in one SQLite file.

Why a commit before `record` returns (the database is in WAL mode with `synchronous=FULL`, see
assistant.storage.database): an answer the user has seen must be reviewable even if the process is
killed the next instant, while the officer console reads as the web page writes.

Amounts are TEXT holding a Decimal and times are UTC ISO strings of fixed width, so nothing is
rounded through a float and times sort as text. A conversation's full answer is stored as its JSON
(`Answer.to_json()`) and read back as an `Answer`, so a reviewer sees the formulas, trace and sources
the user was given, not a re-computation.
Because rows are read back through the model, a change to `Answer` must keep the rows already
logged readable (a new key with a default, or a migration of `response_json`). Every stored turn is
bounded in size (assistant.storage.bounds): a question keeps its first 2,000 characters and its
length, the other texts and lists are cut with a marker, and `truncated` says so.
The same file holds the officer accounts (assistant.storage.officers); `schema_version` records, per
component, which migrations have run.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from assistant.answering.api_models import Answer, Program
from assistant.core.settings import Settings
from assistant.storage.bounds import QUESTION_CHARS, REGION_CHARS, SESSION_CHARS, bounded_json, cut
from assistant.storage.database import Database, iso, parse_iso, to_utc, utc_now

logger = logging.getLogger(__name__)

DB_FILENAME = "assistant.sqlite3"
VERDICTS = ("correct", "wrong")
REVIEW_FILTERS = (*VERDICTS, "unreviewed")
REFUSED_KINDS = ("bad_input", "out_of_scope")


def database_path(settings: Settings) -> Path:
    """Where the log and the officer accounts live: `data_dir/assistant.sqlite3`."""
    return Path(settings.data_dir) / DB_FILENAME


LOG_SCHEMA: list[list[str]] = [
    [  # 1
        """CREATE TABLE log_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            question TEXT NOT NULL,
            as_of TEXT NOT NULL,
            region TEXT,
            kind TEXT NOT NULL,
            answer TEXT NOT NULL,
            response_json TEXT NOT NULL,
            review TEXT CHECK (review IN ('correct', 'wrong')),
            reviewer TEXT,
            review_comment TEXT,
            correct_amount TEXT,
            reviewed_at TEXT
        )""",
        """CREATE TABLE log_entry_programs (
            entry_id INTEGER NOT NULL REFERENCES log_entries(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            program_id TEXT NOT NULL,
            PRIMARY KEY (entry_id, position)
        )""",
        "CREATE INDEX log_entries_created ON log_entries(created_at)",
        "CREATE INDEX log_entries_session ON log_entries(session_id)",
        "CREATE INDEX log_entries_review ON log_entries(review)",
        "CREATE INDEX log_entry_programs_program ON log_entry_programs(program_id)",
    ],
    [  # 2: bounded turns; NULL question_chars (rows from before) = the stored question is whole
        "ALTER TABLE log_entries ADD COLUMN question_chars INTEGER",
        "ALTER TABLE log_entries ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0",
    ],
    [  # 3: each turn's own key, so a turn written twice (the database and the spool) is stored once
        "ALTER TABLE log_entries ADD COLUMN record_key TEXT",
        "CREATE UNIQUE INDEX log_entries_record_key ON log_entries(record_key)",
    ],
]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"环境变量 {name} 应为 1 或 0，而不是“{value}”")


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"环境变量 {name} 应为整数，而不是“{raw}”") from None
    if value < 0:
        raise ValueError(f"环境变量 {name} 不能为负数")
    return value


@dataclass(frozen=True)
class LogSettings:
    enabled: bool = True  # env ASSISTANT_LOG_ENABLED=0 turns logging off entirely
    retention_days: int | None = 180  # env ASSISTANT_LOG_RETENTION_DAYS; None/0 = keep forever
    min_free_mb: int = 100  # env ASSISTANT_LOG_MIN_FREE_MB: below this much free disk, nothing is written

    @classmethod
    def from_env(cls) -> LogSettings:
        base = cls()
        raw = os.environ.get("ASSISTANT_LOG_RETENTION_DAYS", "").strip()
        retention = base.retention_days
        if raw:
            try:
                retention = int(raw)
            except ValueError:
                raise ValueError(f"环境变量 ASSISTANT_LOG_RETENTION_DAYS 应为天数（整数），而不是“{raw}”") from None
            if retention < 0:
                raise ValueError("环境变量 ASSISTANT_LOG_RETENTION_DAYS 不能为负数")
        return cls(
            enabled=_env_flag("ASSISTANT_LOG_ENABLED", base.enabled),
            retention_days=retention or None,
            min_free_mb=_env_count("ASSISTANT_LOG_MIN_FREE_MB", base.min_free_mb),
        )


@dataclass(frozen=True)
class LogEntry:
    id: int
    session_id: str
    created_at: datetime
    question: str  # its first QUESTION_CHARS characters
    question_chars: int  # how long the question was (longer than `question` when cut)
    as_of: str
    region: str | None
    program_ids: list[str]
    kind: str
    answer: str
    response: Answer  # the full answer as shown (facts, programs with formulas/trace, sources)
    review: str | None  # None (unreviewed) | "correct" | "wrong"
    reviewer: str | None
    review_comment: str | None
    correct_amount: Decimal | None
    reviewed_at: datetime | None
    truncated: bool  # some text or list of the stored turn was cut to its bound (assistant.storage.bounds)


@dataclass(frozen=True)
class LogRecord:
    """One answered turn as it will be stored: bounded, storable text, its time fixed when it was
    shown, and its own random key (a turn that reaches the database twice is stored once)."""

    key: str
    session_id: str
    created_at: str
    question: str
    question_chars: int
    as_of: str
    region: str | None
    kind: str
    answer: str
    response_json: str
    truncated: bool
    program_ids: list[str]


def _storable(text: str) -> str:
    """Text SQLite can store: a lone surrogate (mangled input an API caller may send) cannot be
    encoded as UTF-8 and would lose the whole entry, so it is stored as "?" instead."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _amount(value: Decimal | int | str | None) -> Decimal | None:
    """An officer's figure as an exact, finite, non-negative Decimal; floats are refused (rounding)."""
    if value is None:
        return None
    if isinstance(value, (float, bool)):
        raise ValueError("正确金额请以 Decimal 或文字给出（不接受浮点数，以免舍入误差）")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"正确金额“{value}”不是有效的数字") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"正确金额“{value}”应为不小于零的数字")
    return amount


def _json_number(amount: Decimal) -> float:
    """A JSON number written like the engine's `amount_yuan` (presenter.money): exact to the cent below 10^13."""
    return float(amount)


class Logbook:
    """Append-only record of answers shown, plus the officers' verdicts on them."""

    def __init__(
        self,
        path: Path,
        settings: LogSettings = LogSettings(),
        busy_timeout_s: float | None = None,
        purge_at_open: bool = True,
    ) -> None:
        self.path = Path(path)
        self.settings = settings
        self.db = Database(self.path) if busy_timeout_s is None else Database(self.path, busy_timeout_s)
        self.db.migrate("logbook", LOG_SCHEMA)
        if not purge_at_open:
            return
        try:
            self.purge_expired()  # retention holds at least from every start, even if no one schedules it
        except sqlite3.OperationalError as err:  # locked by another process: start anyway, purge next start
            logger.warning("启动时未能删除过期的问答记录（%s），下次启动时再删除", err)

    def close(self) -> None:
        self.db.close()

    # --- writing ---------------------------------------------------------------------------------

    def record(self, session_id: str, response: Answer, now: datetime | None = None) -> int | None:
        """Store one answer as shown; the id returned is committed to disk. None when logging is off.

        `now` is for tests and imports; normally the current time."""
        if not self.settings.enabled:
            return None
        return self.store([prepare(session_id, response, now)])[0]

    def store(self, records: list[LogRecord]) -> list[int]:
        """Store prepared turns in one transaction (one commit, one fsync); their ids. A turn whose
        key is stored already is not stored again (its id is returned)."""
        ids = []
        with self.db.transaction() as conn:
            for r in records:
                cursor = conn.execute(
                    "INSERT INTO log_entries (record_key, session_id, created_at, question, question_chars, as_of, "
                    "region, kind, answer, response_json, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(record_key) DO NOTHING",
                    (
                        r.key,
                        r.session_id,
                        r.created_at,
                        r.question,
                        r.question_chars,
                        r.as_of,
                        r.region,
                        r.kind,
                        r.answer,
                        r.response_json,
                        int(r.truncated),
                    ),
                )
                if not cursor.rowcount:
                    ids.append(conn.execute("SELECT id FROM log_entries WHERE record_key = ?", (r.key,)).fetchone()[0])
                    continue
                entry_id = int(cursor.lastrowid)
                conn.executemany(
                    "INSERT INTO log_entry_programs (entry_id, position, program_id) VALUES (?, ?, ?)",
                    [(entry_id, n, pid) for n, pid in enumerate(r.program_ids)],
                )
                ids.append(entry_id)
        return ids

    def mark(
        self, entry_id: int, reviewer: str, verdict: str, comment: str = "", correct_amount: Decimal | None = None
    ) -> LogEntry:
        """An officer's verdict on one answer; marking again replaces the earlier verdict."""
        if verdict not in VERDICTS:
            raise ValueError(f"评审结论应为 correct（正确）或 wrong（错误），而不是“{verdict}”")
        reviewer = (reviewer or "").strip()
        if not reviewer:
            raise ValueError("请注明评审人")
        amount = _amount(correct_amount)
        if amount is not None and verdict == "correct":
            raise ValueError("结论为“正确”时无需填写正确金额；如金额有误，请选择“错误”")
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE log_entries SET review = ?, reviewer = ?, review_comment = ?, correct_amount = ?, "
                "reviewed_at = ? WHERE id = ?",
                (
                    verdict,
                    reviewer,
                    comment or "",
                    str(amount) if amount is not None else None,
                    iso(utc_now()),
                    int(entry_id),
                ),
            )
            if cursor.rowcount == 0:
                raise ValueError(f"找不到编号为 {entry_id} 的对话记录")
        entry = self.get(entry_id)
        assert entry is not None  # entries are only deleted by retention, never minutes after review
        return entry

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete entries older than the retention period (reviewed or not); returns how many."""
        days = self.settings.retention_days
        if not days:
            return 0
        cutoff = iso(to_utc(now or utc_now()) - timedelta(days=days))
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM log_entries WHERE created_at < ?", (cutoff,)).rowcount

    # --- reading ---------------------------------------------------------------------------------

    def get(self, entry_id: int) -> LogEntry | None:
        found = self._select("WHERE e.id = ?", [int(entry_id)], 1)
        return found[0] if found else None

    def entries(
        self,
        since: date | None = None,
        until: date | None = None,
        region: str | None = None,
        program_id: str | None = None,
        review: str | None = None,
        limit: int = 200,
        session_id: str | None = None,
        text: str | None = None,
    ) -> list[LogEntry]:
        """Newest first. Dates are whole UTC days, both ends included (a datetime is taken as the
        exact instant); `region` matches the stored region or any region under it ("河南省" matches
        "河南省济源市"); `review` is "correct", "wrong" or "unreviewed"."""
        if limit < 1:
            raise ValueError("显示条数应至少为 1")
        where, params = [], []
        if since is not None:
            start = to_utc(since) if isinstance(since, datetime) else datetime.combine(since, time(), UTC)
            where.append("e.created_at >= ?")
            params.append(iso(start))
        if until is not None:
            if isinstance(until, datetime):
                where.append("e.created_at <= ?")
                params.append(iso(until))
            else:
                where.append("e.created_at < ?")
                params.append(iso(datetime.combine(until + timedelta(days=1), time(), UTC)))
        if region:
            where.append("covers(?, e.region)")
            params.append(region)
        if program_id:
            where.append("EXISTS (SELECT 1 FROM log_entry_programs p WHERE p.entry_id = e.id AND p.program_id = ?)")
            params.append(program_id)
        if review is not None:
            if review not in REVIEW_FILTERS:
                raise ValueError(f"评审状态应为 correct、wrong 或 unreviewed，而不是“{review}”")
            if review == "unreviewed":
                where.append("e.review IS NULL")
            else:
                where.append("e.review = ?")
                params.append(review)
        if session_id is not None:
            where.append("e.session_id = ?")
            params.append(session_id)
        if text:
            where.append("(instr(e.question, ?) > 0 OR instr(e.answer, ?) > 0)")
            params += [text, text]
        return self._select(("WHERE " + " AND ".join(where)) if where else "", params, limit)

    def _select(self, where: str, params: list[Any], limit: int | None) -> list[LogEntry]:
        """Entries matching `where`, newest first; `limit` None means all."""
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT e.*, (SELECT json_group_array(program_id) FROM "
                f"(SELECT program_id FROM log_entry_programs WHERE entry_id = e.id ORDER BY position)) "
                f"AS program_ids_json FROM log_entries e {where} "
                f"ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
                [*params, -1 if limit is None else limit],
            ).fetchall()
        return [self._entry(row) for row in rows]

    @staticmethod
    def _entry(row: sqlite3.Row) -> LogEntry:
        return LogEntry(
            id=row["id"],
            session_id=row["session_id"],
            created_at=parse_iso(row["created_at"]),
            question=row["question"],
            question_chars=row["question_chars"] if row["question_chars"] is not None else len(row["question"]),
            as_of=row["as_of"],
            region=row["region"],
            program_ids=json.loads(row["program_ids_json"] or "[]"),
            kind=row["kind"],
            answer=row["answer"],
            response=Answer.model_validate_json(row["response_json"]),
            review=row["review"],
            reviewer=row["reviewer"],
            review_comment=row["review_comment"],
            correct_amount=Decimal(row["correct_amount"]) if row["correct_amount"] is not None else None,
            reviewed_at=parse_iso(row["reviewed_at"]),
            truncated=bool(row["truncated"]),
        )

    # --- evaluation cases --------------------------------------------------------------------------

    def export_cases(
        self, review: str | None = None, policy_of: Callable[[str], str | None] | None = None
    ) -> list[dict]:
        """Reviewed entries (all, or those with verdict `review`) as evaluation cases, oldest first.

        `policy_of` maps a program id to its policy id (e.g. `engine.book.program_policy.get`), the
        rules as they are now; without it the policy is the one the logged answer names."""
        if review is not None and review not in VERDICTS:
            raise ValueError(f"只能导出已评审的记录：评审结论应为 correct 或 wrong，而不是“{review}”")
        where, params = "WHERE e.review IS NOT NULL", []
        if review:
            where, params = "WHERE e.review = ?", [review]
        entries = sorted(self._select(where, params, None), key=lambda e: e.id)
        return [evaluation_case(e, policy_of) for e in entries]


def prepare(session_id: str, response: Answer, now: datetime | None = None) -> LogRecord:
    """The turn as it will be stored: every text bounded (assistant.storage.bounds) and storable.

    The question is kept as its first QUESTION_CHARS characters, in its column and in the stored
    answer alike, and its length beside it."""
    question = response.question
    data = response.to_json()
    data["question"] = question[:QUESTION_CHARS]
    stored, payload, truncated = bounded_json(data)
    region = response.region
    return LogRecord(
        key=uuid.uuid4().hex,
        session_id=_storable(cut(str(session_id), SESSION_CHARS)),
        created_at=iso(now or utc_now()),
        question=_storable(question[:QUESTION_CHARS]),
        question_chars=len(question),
        as_of=response.as_of.isoformat(),
        region=_storable(cut(region, REGION_CHARS)) if region is not None else None,
        kind=response.kind,
        answer=_storable(stored["answer"]),
        response_json=_storable(payload),
        truncated=truncated or len(question) > QUESTION_CHARS,
        program_ids=[p.program_id for p in response.programs],
    )


def _policy_id(program: Program, policy_of: Callable[[str], str | None] | None) -> str | None:
    if policy_of is not None:
        return policy_of(program.program_id)
    return program.policy.id


def evaluation_case(entry: LogEntry, policy_of: Callable[[str], str | None] | None = None) -> dict:
    """One reviewed entry in the evaluation runner's `officer_review` case format."""
    if entry.review not in VERDICTS:
        raise ValueError(f"对话记录 {entry.id} 尚未评审，不能作为评测用例")
    logged = entry.response.programs
    expected: dict[str, dict[str, Any]] = {}
    if entry.review == "correct":
        expected = {p.program_id: {"status": p.status, "amount": p.amount_yuan} for p in logged}
    elif entry.correct_amount is not None:
        first = next((p for p in logged if p.amount_yuan is not None), None)
        if first is not None:
            expected = {first.program_id: {"status": first.status, "amount": _json_number(entry.correct_amount)}}
    comment = entry.review_comment or ""
    return {
        "id": f"review-{entry.id}",
        "type": "officer_review",
        "policy": _policy_id(logged[0], policy_of) if logged else None,
        "question": entry.question,
        "as_of": entry.as_of,
        "expect": {"programs": expected, "refused": entry.kind in REFUSED_KINDS},
        "source": "officer-review",
        "reviewer": entry.reviewer,
        "verdict": entry.review,
        "comment": comment,
        "note": comment,
    }
