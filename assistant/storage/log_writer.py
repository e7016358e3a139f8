"""Writing the conversation log without letting the database hold answers back.

Why: an external write lock on the SQLite file (a backup, a second process, a stuck disk) used to
stall every answer for the 30 s busy timeout, and a write that failed was swallowed, so an answer
that was shown could be missing from the log. Now one background thread writes the turns, in
batches, and the thread answering a user waits for it at most `WRITE_TIMEOUT_S`. A turn not
committed by then (or whose write failed) goes to the local spool (assistant.storage.spool), which
is fsync'd before the answer goes out; from then on turns go straight to the spool, without
waiting, until the writer has replayed it into the database. Either way the turn is on disk before
the user sees the answer, so a kill loses none.

Free disk space is checked before every write: below `LogSettings.min_free_mb` nothing is written
(neither database nor spool would be safe), and `submit` returns the Chinese sentence to show.
`status()` says which state the log is in, for the officer console.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.api_models import Answer
from assistant.storage.logbook import Logbook, LogRecord, prepare
from assistant.storage.spool import Spool

logger = logging.getLogger(__name__)

WRITE_TIMEOUT_S = 0.5  # the longest an answer waits for the database before its turn is spooled
RETRY_S = 1.0  # how often the writer tries the database again while turns are spooled
WRITER_BUSY_TIMEOUT_S = 5.0  # the writer's own connection: a locked database fails in 5 s, not 30
QUEUE_SIZE = 1000
BATCH = 64

NO_SPACE = "磁盘剩余空间不足（剩余 {free} MB，至少需要 {need} MB），本次问答未能保存到服务记录；回答本身不受影响，请告知管理员。"
CANNOT_WRITE = (
    "问答记录暂时无法写入（数据库和本地暂存文件都不可用），本次问答未能保存；回答本身不受影响，请告知管理员。"
)


@dataclass
class _Pending:
    record: LogRecord
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


@dataclass(frozen=True)
class LogStatus:
    """What the console shows about the log: `state` is ok, spooling, no_space or off."""

    state: str
    pending: int  # turns in the spool, waiting for the database
    replayed: int  # turns replayed from the spool since start
    lost: int  # turns that could not be written anywhere since start
    message: str


class LogWriter:
    """The background writer of one logbook, with its spool in the same data folder."""

    def __init__(self, logbook: Logbook, spool: Spool, timeout_s: float = WRITE_TIMEOUT_S) -> None:
        self.logbook = logbook
        self.spool = spool
        self.timeout_s = timeout_s
        self._queue: queue.Queue[_Pending | None] = queue.Queue(QUEUE_SIZE)
        self._spooling = spool.pending() > 0  # turns left from before: replay them first
        self._replayed = 0
        self._lost = 0
        self._low_space: str | None = None
        self._counts = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, path: Path, logbook: Logbook) -> LogWriter:
        """The writer for the database at `path`, on a connection of its own (a stalled write never
        holds the lock the console reads under), with the spool next to the database."""
        own = Logbook(path, logbook.settings, busy_timeout_s=WRITER_BUSY_TIMEOUT_S, purge_at_open=False)
        return cls(own, Spool(Path(path).parent))

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout=30)
        self.logbook.close()

    # --- the answering side ----------------------------------------------------------------------

    def submit(self, session_id: str, response: Answer) -> str | None:
        """Log one turn before its answer is shown. None when it is on disk (database or spool) or
        logging is off; otherwise the Chinese sentence that says it could not be logged."""
        if not self.logbook.settings.enabled:
            return None
        record = prepare(session_id, response)
        problem = self._space_problem()
        if problem:
            return self._lost_one(problem)
        if not self._spooling:
            pending = _Pending(record)
            try:
                self._queue.put_nowait(pending)
            except queue.Full:
                pending.done.set()
            if pending.done.wait(self.timeout_s) and pending.ok:
                return None
            if not self._spooling:
                logger.error("问答日志写入数据库超时或失败，改为写入本地暂存文件 %s", self.spool.path)
            self._spooling = True
        try:
            self.spool.append(record)
        except OSError:
            logger.exception("问答日志无法写入本地暂存文件 %s", self.spool.path)
            return self._lost_one(CANNOT_WRITE)
        return None

    def _space_problem(self) -> str | None:
        need = self.logbook.settings.min_free_mb
        free = shutil.disk_usage(self.spool.folder).free // (1024 * 1024)
        if free >= need:
            self._low_space = None
            return None
        if self._low_space is None:
            logger.error("数据目录 %s 剩余空间 %d MB，低于 %d MB：问答记录暂停写入", self.spool.folder, free, need)
        self._low_space = NO_SPACE.format(free=free, need=need)
        return self._low_space

    def _lost_one(self, message: str) -> str:
        with self._counts:
            self._lost += 1
        return message

    # --- the writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        if self._spooling:  # turns a stopped process left in the spool: into the database first
            self._replay()
        while True:
            batch, stop = self._next_batch()
            if batch:
                self._write(batch)
            if self._spooling or self.spool.pending():
                self._replay()
            if stop:
                return

    def _next_batch(self) -> tuple[list[_Pending], bool]:
        """Up to BATCH queued turns (waiting up to RETRY_S for the first); whether `close` was asked."""
        try:
            item = self._queue.get(timeout=RETRY_S)
        except queue.Empty:
            return [], False
        batch: list[_Pending] = []
        while item is not None:
            batch.append(item)
            if len(batch) >= BATCH:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _write(self, batch: list[_Pending]) -> None:
        try:
            self.logbook.store([p.record for p in batch])
        except Exception:  # locked, full, damaged: the waiting answers spool their turns
            logger.exception("问答日志写入数据库失败")
            self._spooling = True
        else:
            for p in batch:
                p.ok = True
        for p in batch:
            p.done.set()

    def _replay(self) -> None:
        try:
            replayed = self.spool.replay(self.logbook.store)
        except Exception as err:  # still locked or failing: try again in RETRY_S
            logger.debug("暂存的问答日志暂时无法补写：%s", err)
            return
        with self._counts:
            self._replayed += replayed
        if replayed:
            logger.warning("已将本地暂存的 %d 条问答日志补写进数据库", replayed)
        # A turn spooled just after this check is replayed next round: the loop looks at pending() too.
        self._spooling = self.spool.pending() > 0

    # --- the console side ------------------------------------------------------------------------

    def status(self) -> LogStatus:
        pending = self.spool.pending()
        with self._counts:
            replayed, lost = self._replayed, self._lost
        if not self.logbook.settings.enabled:
            return LogStatus("off", pending, replayed, lost, "问答记录已关闭（ASSISTANT_LOG_ENABLED=0）")
        lost_note = f"；自启动以来有 {lost} 条问答未能保存" if lost else ""
        replayed_note = f"；已从暂存文件补写 {replayed} 条" if replayed else ""
        if self._low_space:
            return LogStatus("no_space", pending, replayed, lost, f"⚠ {self._low_space}{lost_note}")
        if pending:
            return LogStatus(
                "spooling",
                pending,
                replayed,
                lost,
                f"⚠ 数据库暂时无法写入：{pending} 条问答已暂存在本地文件 {self.spool.path}，"
                f"数据库恢复后自动补写{replayed_note}{lost_note}",
            )
        return LogStatus("ok", pending, replayed, lost, f"问答记录正常写入{replayed_note}{lost_note}")
