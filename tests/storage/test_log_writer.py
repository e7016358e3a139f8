"""The background log writer and its spool, on a real SQLite file with a real external write lock.

Another connection's BEGIN IMMEDIATE holds the file's write lock, as a backup tool or a second
process would; the writer must answer within its timeout, keep every turn on disk (the spool), and
replay them into the database once the lock is gone, each exactly once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import answers
import pytest

from assistant.storage.log_writer import WRITE_TIMEOUT_S, LogWriter
from assistant.storage.logbook import DB_FILENAME, Logbook, LogSettings, prepare
from assistant.storage.spool import SPOOL_FILENAME, Spool


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / DB_FILENAME


@contextmanager
def writer_for(db: Path, settings: LogSettings | None = None) -> Iterator[LogWriter]:
    writer = LogWriter.open(db, Logbook(db, settings or LogSettings()))
    try:
        yield writer
    finally:
        writer.close()


@contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """The file's write lock, held by another connection until the block ends."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def logged_questions(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT question FROM log_entries ORDER BY id")]


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_turn_is_in_the_database_when_submit_returns(db: Path) -> None:
    with writer_for(db) as writer:
        assert writer.submit("s", answers.answer("问题一")) is None
        assert logged_questions(db) == ["问题一"]
        assert writer.status().state == "ok" and writer.spool.pending() == 0


def test_under_a_held_write_lock_turns_are_spooled_at_once_and_replayed_once_each(db: Path) -> None:
    questions = [f"锁定期间的问题{n}" for n in range(20)]
    with writer_for(db) as writer:
        writer.submit("s", answers.answer("锁定之前"))
        with write_lock(db):
            waits = []
            for question in questions:
                started = time.perf_counter()
                assert writer.submit("s", answers.answer(question)) is None
                waits.append(time.perf_counter() - started)
            assert max(waits) < WRITE_TIMEOUT_S + 0.5  # the first waits for the writer, then none
            assert sorted(waits)[len(waits) // 2] < 0.1, waits
            assert writer.spool.pending() == 20 and writer.status().state == "spooling"
            assert "暂存" in writer.status().message
            assert logged_questions(db) == ["锁定之前"]
            spooled = [json.loads(line)["question"] for line in (db.parent / SPOOL_FILENAME).read_text().splitlines()]
            assert spooled == questions  # on disk before submit returned
        assert wait_for(lambda: writer.spool.pending() == 0)
        assert sorted(logged_questions(db)) == sorted(["锁定之前", *questions])  # each once
        status = writer.status()
        assert status.state == "ok" and status.replayed == 20 and "补写 20 条" in status.message
        assert writer.submit("s", answers.answer("恢复之后")) is None
        # to the database again (on a loaded machine it may first wait past the timeout and be spooled)
        assert wait_for(lambda: logged_questions(db)[-1:] == ["恢复之后"] and writer.spool.pending() == 0)


def test_a_spool_left_by_a_stopped_process_is_replayed_at_the_next_start(db: Path) -> None:
    Logbook(db).close()
    spool = Spool(db.parent)  # what a process stopped while the database was locked leaves behind
    for n in range(3):
        spool.append(prepare("s", answers.answer(f"问题{n}")))
    assert Spool(db.parent).pending() == 3
    with writer_for(db) as writer:
        assert wait_for(lambda: len(logged_questions(db)) == 3)
        assert writer.spool.pending() == 0 and not (db.parent / SPOOL_FILENAME).exists()


def test_a_line_cut_short_by_a_kill_is_skipped_and_the_next_starts_afresh(db: Path) -> None:
    Logbook(db).close()
    spool = Spool(db.parent)
    spool.append(prepare("s", answers.answer("完整的问题")))
    with open(spool.path, "ab") as handle:
        handle.write(b'{"key": "half-writ')  # a kill mid-append: that answer was never shown
    spool.append(prepare("s", answers.answer("之后的问题")))
    assert len(spool.path.read_text().splitlines()) == 3
    with writer_for(db) as writer:
        assert wait_for(lambda: writer.spool.pending() == 0)
    assert sorted(logged_questions(db)) == ["之后的问题", "完整的问题"]


def test_without_enough_free_disk_nothing_is_written_and_the_user_is_told(db: Path) -> None:
    with writer_for(db, LogSettings(min_free_mb=10**12)) as writer:
        message = writer.submit("s", answers.answer("问题"))
        assert message is not None and "磁盘剩余空间不足" in message and "未能保存" in message
        status = writer.status()
        assert status.state == "no_space" and status.lost == 1 and "1 条问答未能保存" in status.message
    assert logged_questions(db) == [] and not (db.parent / SPOOL_FILENAME).exists()


def test_logging_off_writes_nothing(db: Path) -> None:
    with writer_for(db, LogSettings(enabled=False)) as writer:
        assert writer.submit("s", answers.answer("问题")) is None
        assert writer.status().state == "off"
    assert logged_questions(db) == []


def test_the_log_opens_and_spools_while_another_process_holds_the_write_lock(db: Path) -> None:
    """A restart while the lock is still held: an up-to-date file is only read when opened, the
    retention purge waits for the next start, and turns go to the spool until the lock is gone."""
    Logbook(db).close()
    lock = write_lock(db)
    lock.__enter__()
    started = time.perf_counter()
    book = Logbook(db, busy_timeout_s=0.2)  # the console's; the server's waits as long as BUSY_TIMEOUT_S
    writer = LogWriter.open(db, book)
    try:
        assert time.perf_counter() - started < 2.0
        assert writer.submit("s", answers.answer("重启后锁定期间")) is None
        assert writer.spool.pending() == 1 and logged_questions(db) == []
        lock.__exit__(None, None, None)
        assert wait_for(lambda: logged_questions(db) == ["重启后锁定期间"])
    finally:
        writer.close()
        book.close()
