"""The SQLite file the logbook and the officer accounts share: one connection, WAL, migrations, UTC times.

Why WAL mode with `synchronous=FULL`: a commit is on disk before it returns, so what a user was
shown survives a kill the next instant, and the officer console can read while the web page
writes. Why one connection behind a lock: Gradio answers from a thread pool, and a lock is the
simplest thing that is obviously correct at help-desk load. Times are stored as fixed-width UTC
ISO text, so they sort as text.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from assistant.texts.regions import covers

BUSY_TIMEOUT_S = 30.0  # another process (CLI, a second worker) may hold the write lock briefly


def utc_now() -> datetime:
    """Now, as an aware UTC datetime (what `iso` writes)."""
    return datetime.now(UTC)


def to_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """Fixed-width UTC ISO text (always with microseconds), so string order is time order."""
    return to_utc(moment).isoformat(timespec="microseconds")


def parse_iso(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime; None for an empty column."""
    return datetime.fromisoformat(text) if text else None


class Database:
    """One SQLite connection, shared by threads under a lock; every write is its own committed transaction."""

    def __init__(self, path: Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Conversations and password hashes: readable by the service account only. SQLite gives
            # the -wal and -shm files the main file's permissions.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.RLock()
        # isolation_level=None: no implicit transactions; `transaction()` says BEGIN and COMMIT itself.
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        self._conn.create_function("covers", 2, covers, deterministic=True)  # the filter matches as answers do
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise RuntimeError(f"{self.path}: 无法启用 WAL 日志模式（当前为 {mode}）")
            self._conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it returns
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed on leaving the block and rolled back on an exception.

        BEGIN IMMEDIATE takes the write lock up front, so a read-then-update inside cannot be
        interleaved with another process's write."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (autocommit: each statement sees the latest committed data)."""
        with self._lock:
            yield self._conn

    def migrate(self, component: str, steps: Sequence[Sequence[str]]) -> None:
        """Run the steps (lists of SQL statements) of `component` not yet applied, each step atomically.

        Later migrations are appended to `steps`; never edit one that has shipped. A file already up
        to date is only read, so the service starts while another process holds the write lock."""
        with self.reading() as conn:
            row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
        if row is not None and row["version"] == len(steps):
            return
        with self.transaction() as conn:
            row = conn.execute("SELECT version FROM schema_version WHERE component = ?", (component,)).fetchone()
            current = row["version"] if row else 0
            if current > len(steps):
                raise RuntimeError(
                    f"{self.path}: 数据库中 {component} 的结构版本 {current} 比本程序支持的 "
                    f"{len(steps)} 更新，请升级程序"
                )
            for statements in steps[current:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, len(steps)),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
