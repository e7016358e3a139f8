"""The app when things go wrong: killed mid-answer, a damaged index at start, no dense model, a dead
language-model endpoint, secrets that must stay out of every log, and a SQLite file another process
holds the write lock of (then a kill while it is held).

The kill and the degraded configuration run the real server (`python app.py`, assistant.bench.appprocess)
on a free loopback port with its own data dir, driven through gradio_client and the page's own HTTP
protocol; the damaged index goes through the start-up path itself (the app's IndexWarmup).
(A down, slow or garbage LLM endpoint inside the engine is tests/test_llm.py's.)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from page_protocol import PageSession, value

from assistant.answering.engine import Engine
from assistant.bench.appprocess import AppProcess, free_port, running_app
from assistant.core.settings import Settings
from assistant.retrieval.hybrid import DENSE_UNAVAILABLE, build_retriever
from assistant.retrieval.index_store import CACHE_DIR, DENSE_FILE, MANIFEST, UNITS
from assistant.web.server import IndexWarmup

pytestmark = pytest.mark.slow

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
AS_OF = "2021-06-30"
USERS, KILL_AFTER, PER_USER_MAX = 4, 30, 100


def gradio_client(url: str):
    from gradio_client import Client

    return Client(url + "/", verbose=False, analytics_enabled=False, download_files=False, ssl_verify=False)


# --- SIGKILL while answers are in flight ------------------------------------------------------------


def test_sigkill_mid_answer_loses_no_answer_a_user_received(tmp_path: Path) -> None:
    """Users ask back to back; the server is SIGKILLed (by its PID) while some wait for answers. Every
    answer a client received must be in the SQLite log, whole: question, answer, programs, figures."""
    received: dict[str, dict] = {}
    in_flight = [0]
    lock, stop = threading.Lock(), threading.Event()

    def user(app: AppProcess, n: int) -> None:
        client = gradio_client(app.url)
        try:
            for k in range(PER_USER_MAX):
                if stop.is_set():
                    return
                question = f"河口区技改项目总投资{1000 * (n + 1) + k}万，设备投资300万，能拿多少？"  # unique
                with lock:
                    in_flight[0] += 1
                try:
                    answer = client.submit(question, AS_OF, api_name="/ask").result(timeout=20)
                except Exception:  # the server is gone: this user stops
                    return
                finally:
                    with lock:
                        in_flight[0] -= 1
                with lock:
                    received[question] = answer
        finally:
            client.close()

    with running_app(data_dir=tmp_path / "data") as app:
        threads = [threading.Thread(target=user, args=(app, n), daemon=True) for n in range(USERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(received) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.02)
        with lock:
            waiting = in_flight[0]
            os.kill(app.pid, signal.SIGKILL)  # under the lock: no answer is counted after this instant
        app.process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert app.process.returncode == -signal.SIGKILL
    assert len(received) >= KILL_AFTER and waiting >= 1, (len(received), waiting)

    with sqlite3.connect(app.db) as conn:  # opening recovers the WAL, as the next start would
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for question, answer in received.items():
            rows = conn.execute(
                "SELECT id, answer, response_json FROM log_entries WHERE question = ?", (question,)
            ).fetchall()
            assert len(rows) == 1, f"received but not logged: {question}"
            entry_id, logged_answer, payload = rows[0]
            programs = [
                r[0]
                for r in conn.execute(
                    "SELECT program_id FROM log_entry_programs WHERE entry_id = ? ORDER BY position", (entry_id,)
                )
            ]
            logged = json.loads(payload)
            assert logged_answer == answer["answer"]
            assert programs == [p["program_id"] for p in answer["programs"]]
            assert [(p["status"], p["amount_yuan"]) for p in logged["programs"]] == [
                (p["status"], p["amount_yuan"]) for p in answer["programs"]
            ]
            assert logged["total_max_yuan"] == answer["total_max_yuan"] == 180000.0


# --- a damaged or stale index at start ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_index() -> Path:
    """The current index folder of the policy corpus (`make test` builds it first; built here if not)."""
    return build_retriever(Settings.from_env(), progress=False).index.folder


def _damage(build: Path, folder: Path, how: str) -> None:
    if how == "truncated":
        dense = folder / DENSE_FILE
        dense.write_bytes(dense.read_bytes()[: dense.stat().st_size // 2])
    elif how == "units-deleted":
        (folder / UNITS).unlink()
    elif how == "missing":
        shutil.rmtree(folder)
    else:  # stale: the only index on disk was built from an older version of the policy texts
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        manifest["corpus_fingerprint"], manifest["key"] = "an-older-corpus", folder.name + "-older"
        (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        folder.rename(build / manifest["key"])


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("truncated", "dense.faiss is"),
        ("units-deleted", "units.jsonl is missing"),
        ("missing", "no index built yet"),
        ("stale", "changed: policy corpus"),
    ],
)
def test_a_damaged_or_stale_index_is_rebuilt_at_start_with_a_message(
    real_index: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str, reason: str
) -> None:
    build = tmp_path / "build"
    shutil.copytree(real_index, build / real_index.name)
    shutil.copytree(real_index.parent / CACHE_DIR, build / CACHE_DIR)  # vectors are reused, not recomputed
    _damage(build, build / real_index.name, how)
    settings = dataclasses.replace(Settings.from_env(), build_dir=build)

    with caplog.at_level(logging.INFO, logger="assistant.retrieval.index_store"):
        warmup = IndexWarmup(settings).start()  # what create_app runs at start
        deadline = time.monotonic() + 120
        while not warmup.status()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert warmup.status() == (True, "")  # rebuilt, whole (dense included): nothing to warn about
    rebuilt = [r.getMessage() for r in caplog.records if "重建检索索引" in r.getMessage()]
    assert len(rebuilt) == 1 and reason in rebuilt[0], caplog.text
    assert not any(r.getMessage().startswith("embedding ") for r in caplog.records)  # from the cache
    assert json.loads((build / real_index.name / MANIFEST).read_text(encoding="utf-8"))["unit_count"] > 500

    engine = dataclasses.replace(Engine.load(settings), wait_for_index=False)  # as create_app makes it
    r = engine.ask(HEKOU, date(2021, 6, 30))
    assert next(p for p in r.programs if p.program_id == "hekou-direct-award").amount_yuan == 180000.0
    assert r.sources and r.sources[0].doc_number == "东河政发〔2020〕5号"
    assert r.retrieval_warning is None


# --- no dense model and a dead language model: the degraded app ---------------------------------------

LLM_KEY = "sk-test-4f9c2a7e1b8d6035aa11"
OFFICER, PASSWORD, WRONG_PASSWORD = "wang.officer", "officer-pass-7Qz!x9", "guess-pass-3Kd#w2"


@pytest.fixture(scope="module")
def degraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The app with a dense model that cannot load and an LLM endpoint where nothing listens."""
    data = tmp_path_factory.mktemp("degraded")
    env = {
        "ASSISTANT_EMBEDDING_MODEL": "/nonexistent",
        "ASSISTANT_BUILD_DIR": str(data / "build"),
        "ASSISTANT_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        "ASSISTANT_LLM_MODEL": "test-model",
        "ASSISTANT_LLM_API_KEY": LLM_KEY,
        "ASSISTANT_LLM_TIMEOUT": "2",
    }
    with running_app(data_dir=data, env=env, officers={OFFICER: PASSWORD}) as app:
        yield app


def test_without_the_dense_model_answers_come_with_a_visible_warning(degraded: AppProcess) -> None:
    client = gradio_client(degraded.url)
    try:
        r = client.predict(HEKOU, AS_OF, api_name="/ask")
    finally:
        client.close()
    award = next(p for p in r["programs"] if p["program_id"] == "hekou-direct-award")
    assert award["status"] == "eligible" and award["amount_yuan"] == 180000.0
    assert r["sources"] and r["sources"][0]["doc_number"] == "东河政发〔2020〕5号"  # BM25 still finds the clause
    assert r["retrieval_warning"] == DENSE_UNAVAILABLE
    assert r["answer_source"] == "template"  # the LLM endpoint is down: the deterministic answer
    # What the page shows: its status line, filled by the page's own load event.
    page = PageSession(degraded.url)
    try:
        status, _timer = page.run("", "load", [], output="index-status")
    finally:
        page.close()
    assert status["visible"] is True and DENSE_UNAVAILABLE in value(status)
    assert "falling back to BM25" in degraded.output()  # and the log says why


def test_no_secret_reaches_a_log_or_the_database(degraded: AppProcess) -> None:
    """The LLM key, an officer's password (right or wrong) and a session token appear nowhere: not in
    the server's output (INFO level) and not in the SQLite file, after a login, asks that try the
    (down) LLM endpoint with the key, and a logout."""
    with httpx.Client(base_url=degraded.url, follow_redirects=False) as http:
        assert http.post("/console/login", data={"name": OFFICER, "password": WRONG_PASSWORD}).status_code == 401
        assert http.post("/console/login", data={"name": OFFICER, "password": PASSWORD}).status_code == 303
        token = http.cookies["assistant_officer"]
        assert http.get("/console/app/config").status_code == 200
        assert http.get("/console/export.jsonl").status_code == 200
        client = gradio_client(degraded.url)
        try:
            client.predict(HEKOU, AS_OF, api_name="/ask")
        finally:
            client.close()
        page = PageSession(degraded.url)
        try:
            page.run("send", "click", ["济源的企业，当年完成投资800万，设备投资500万", AS_OF, None])
        finally:
            page.close()
        assert http.post("/console/logout").status_code == 303
    time.sleep(0.5)  # let the last log lines reach the file
    output = degraded.output()
    assert "language model call failed" in output or "structured extraction failed" in output  # the LLM was tried
    stored = b"".join(p.read_bytes() for p in degraded.data_dir.glob("assistant.sqlite3*"))
    for secret in (LLM_KEY, PASSWORD, WRONG_PASSWORD, token):
        for form in {secret, quote(secret), quote(secret, safe="")}:
            assert form not in output, f"{secret[:6]}… in the server output"
            assert form.encode() not in stored, f"{secret[:6]}… in the SQLite file"


# --- an external write lock on the SQLite file, then SIGKILL while it is still held -----------------

LOCK_USERS, LOCK_HELD_S = 3, 6.0


@contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """The SQLite file's write lock, held by another process's connection (as a backup tool would)."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def logged(db: Path, questions: Iterable[str]) -> set[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        stored = {row[0] for row in conn.execute("SELECT question FROM log_entries")}
    return stored & set(questions)


def wait_until_logged(db: Path, questions: set[str], seconds: float = 30.0) -> set[str]:
    """The questions still missing from the log after waiting up to `seconds` for the replay."""
    deadline = time.monotonic() + seconds
    while (missing := questions - logged(db, questions)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return missing


def ms(values: list[float], q: float) -> float:
    return 1000 * sorted(values)[min(len(values) - 1, int(q * len(values)))]


def test_a_held_write_lock_stalls_no_answer_and_sigkill_under_it_loses_none(tmp_path: Path) -> None:
    """While another process holds the SQLite file's write lock, answers keep coming without the
    30 s stall (their turns go to the fsync'd spool); after the lock goes the spool is replayed.
    Then the lock is taken again, more answers are shown, and the server is SIGKILLed while it is
    held: the next start replays the spool. Every answer a client received is in the log, once."""
    data = tmp_path / "data"
    received: dict[str, float] = {}
    lock = threading.Lock()
    serial = iter(range(10**6))

    def ask(client, latencies: list[float]) -> None:
        with lock:
            question = f"河口区技改项目总投资{5000 + next(serial)}万，设备投资300万，能拿多少？"
        started = time.perf_counter()
        answer = client.predict(question, AS_OF, api_name="/ask")
        seconds = time.perf_counter() - started
        assert answer["total_max_yuan"] == 180000.0
        with lock:
            received[question] = seconds
            latencies.append(seconds)

    quiet: list[float] = []
    locked: list[float] = []
    with running_app(data_dir=data) as app:

        def users_for(seconds: float, latencies: list[float]) -> None:
            """LOCK_USERS clients asking back to back for `seconds`."""
            stop = threading.Event()

            def user() -> None:
                own = gradio_client(app.url)
                try:
                    while not stop.is_set():
                        ask(own, latencies)
                finally:
                    own.close()

            users = [threading.Thread(target=user, daemon=True) for _ in range(LOCK_USERS)]
            for thread in users:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in users:
                thread.join(timeout=30)

        users_for(LOCK_HELD_S / 2, quiet)  # the same load without the lock: what an answer takes anyway
        before_lock = set(received)
        with write_lock(app.db):
            users_for(LOCK_HELD_S, locked)
            assert not logged(app.db, received) - before_lock  # the lock really held them out
            spooled = sum(f.read_text(encoding="utf-8").count("\n") for f in data.glob("log-spool*.jsonl"))
        missing_after_release = wait_until_logged(app.db, set(received))
        assert not (data / "log-spool.jsonl").exists()

        with write_lock(app.db):  # again, and the server dies while it is held
            before_kill = len(received)
            client = gradio_client(app.url)
            for _ in range(10):
                ask(client, [])
            client.close()
            app.kill()
    assert app.process.returncode == -signal.SIGKILL
    output = app.output()  # before the next start writes its own server.log
    with running_app(data_dir=data, ready=None) as again:
        missing_after_kill = wait_until_logged(again.db, set(received))
        with sqlite3.connect(again.db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = conn.execute("SELECT count(*), count(DISTINCT question) FROM log_entries").fetchone()
    output += again.output()
    print(
        f"\nheld write lock: {len(locked)} answers under the lock by {LOCK_USERS} users in {LOCK_HELD_S:.0f} s "
        f"({spooled} spooled), answer latency p50 {ms(locked, 0.5):.0f} ms, p95 {ms(locked, 0.95):.0f} ms, "
        f"max {ms(locked, 1):.0f} ms (same load unlocked: p50 {ms(quiet, 0.5):.0f}, p95 {ms(quiet, 0.95):.0f}, "
        f"max {ms(quiet, 1):.0f} ms); lost after release "
        f"{len(missing_after_release)}; SIGKILL under the lock after {len(received) - before_kill} more: "
        f"lost {len(missing_after_kill)} of {len(received)}"
    )
    assert not missing_after_release and not missing_after_kill
    assert counts[0] == counts[1] >= len(received)  # each turn once, though some reached both database and spool
    # The log's share of an answer's time is at most its 0.5 s wait (only the turns in flight when the
    # lock was found, then none), on top of what the answer takes anyway under the same load.
    assert ms(locked, 0.5) < ms(quiet, 0.5) + 250 and ms(locked, 1) < ms(quiet, 1) + 1000, (locked, quiet)
    assert "改为写入本地暂存文件" in output and "补写进数据库" in output


def test_without_free_disk_the_page_says_plainly_that_the_turn_was_not_logged(tmp_path: Path) -> None:
    """Below ASSISTANT_LOG_MIN_FREE_MB of free disk nothing is written; the user still gets the answer
    and a notice in Chinese that it was not saved (here the bound is set above any real disk)."""
    env = {"ASSISTANT_LOG_MIN_FREE_MB": str(10**12)}
    with running_app(data_dir=tmp_path / "data", env=env, ready=None) as app:
        page = PageSession(app.url)
        try:
            outputs = page.run("send", "click", [HEKOU, AS_OF, None])
        finally:
            page.close()
        chat = value(outputs[1])
        assert "180,000.00 元" in chat[-1]["content"][0]["text"]  # the answer is given all the same
        assert any("磁盘剩余空间不足" in n and "未能保存" in n for n in page.notices), page.notices
        with sqlite3.connect(app.db) as conn:
            assert conn.execute("SELECT count(*) FROM log_entries").fetchone() == (0,)
        assert "问答记录暂停写入" in app.output()
