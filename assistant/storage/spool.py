"""The local spool: turns the database could not take in time, kept on disk until it can.

Why a file of its own: an answer the user has seen must be reviewable even when the SQLite file is
locked by another process, stalled or failing. Appending one line to a local file and fsync-ing it
takes milliseconds and does not depend on the database, so the turn is durable before the answer
goes out; the log writer (assistant.storage.log_writer) replays the spool into the database once it
works again. Each record carries its own key, so a turn that reached the database as well (a write
that finished after its wait ran out) is stored once.

Replaying renames the spool to a second file first, so new turns keep going to a fresh spool while
the old ones are stored, and nothing appended meanwhile can be lost when the replayed file is
deleted. A line cut short by a kill mid-append belongs to an answer never shown (the append had not
returned) and is skipped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.storage.logbook import LogRecord

logger = logging.getLogger(__name__)

SPOOL_FILENAME = "log-spool.jsonl"
REPLAYING_FILENAME = "log-spool.replaying.jsonl"
REPLAY_BATCH = 200  # records per database transaction while replaying


def _fsync_dir(folder: Path) -> None:
    """Make a file's creation, rename or removal itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


class Spool:
    """Append-only JSONL of `LogRecord`s in `folder`, fsync'd per record, readable by the owner only."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / SPOOL_FILENAME
        self.replaying = self.folder / REPLAYING_FILENAME
        self._lock = threading.Lock()
        self._pending = _lines(self.path) + _lines(self.replaying)

    def pending(self) -> int:
        """How many records wait to be replayed."""
        with self._lock:
            return self._pending

    def append(self, record: LogRecord) -> None:
        """Write one record and fsync it: when this returns, the record survives a kill or a power cut."""
        line = (json.dumps(dataclasses.asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if not created and os.fstat(fd).st_size and _last_byte(self.path) != b"\n":
                    line = b"\n" + line  # after a line a kill cut short: start on a line of its own
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.folder)
            self._pending += 1

    def replay(self, store: Callable[[list[LogRecord]], object]) -> int:
        """Hand every spooled record to `store` (in batches), then forget them; how many were stored.

        If `store` raises, the records stay spooled (those already stored are stored once, by key)."""
        with self._lock:
            if not self.replaying.exists():
                if not self.path.exists():
                    return 0
                os.replace(self.path, self.replaying)
                _fsync_dir(self.folder)
        stored, lines = 0, _lines(self.replaying)
        batch: list[LogRecord] = []
        for record in self._records(self.replaying):
            batch.append(record)
            if len(batch) >= REPLAY_BATCH:
                store(batch)
                stored, batch = stored + len(batch), []
        if batch:
            store(batch)
            stored += len(batch)
        with self._lock:
            self.replaying.unlink()
            _fsync_dir(self.folder)
            self._pending -= lines
        return stored

    @staticmethod
    def _records(path: Path) -> Iterator[LogRecord]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield LogRecord(**json.loads(line))
                except (ValueError, TypeError):
                    logger.warning("暂存文件 %s 第%d行不完整，已跳过（写入时进程被中止，该回答未曾发出）", path, number)


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)
