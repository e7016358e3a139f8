"""The JSON API at /api/v1 on the real server (`python app.py` on loopback): answers as the CLI's
JSON, conversations only by the ids the server issued, every answer logged, bad input refused in
Chinese (422), and an OpenAPI document that describes what the server really takes."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.answering.api_models import Answer
from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app
from assistant.web.http_api import build_api

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    try:
        with running_app(tmp_path_factory.mktemp("http-api-data"), ready=None) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def api(app: AppProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app.url + "/api/v1", timeout=60) as client:
        yield client


def logged_sessions(app: AppProcess, question: str) -> list[str]:
    with sqlite3.connect(f"file:{app.db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT session_id FROM log_entries WHERE question = ? ORDER BY id", (question,))
        return [r[0] for r in rows]


def award(answer: dict) -> dict:
    return next(p for p in answer["programs"] if p["program_id"] == "hekou-direct-award")


def test_ask_answers_logs_and_continues_only_its_own_conversation(app: AppProcess, api: httpx.Client) -> None:
    first = api.post("/ask", json={"question": QUESTION, "as_of": "2021-06-30", "id": "req-1"})
    assert first.status_code == 200, first.text
    body = first.json()
    answer = Answer.model_validate(body["answer"])
    assert answer.to_json() == body["answer"] and answer.id == "req-1"  # the contract, whole
    assert award(body["answer"])["amount_yuan"] == 180000
    conversation = body["conversation_id"]
    assert len(conversation) == 32  # 128 random bits, issued by the server
    assert logged_sessions(app, QUESTION) == ["api:" + conversation]  # logged before the reply left

    turn = api.post(
        "/ask", json={"question": "设备投资改成400万", "conversation_id": conversation, "as_of": "2021-06-30"}
    )
    assert turn.status_code == 200 and turn.json()["conversation_id"] == conversation
    assert turn.json()["answer"]["total_max_yuan"] == 240000  # the facts of the first turn carried over
    assert "api:" + conversation in logged_sessions(app, "设备投资改成400万")

    guessed = api.post("/ask", json={"question": "设备投资改成400万", "conversation_id": "0" * 32})
    assert guessed.status_code == 404 and "会话编号" in guessed.json()["error"]


def test_assess_takes_facts_as_json_in_yuan_or_chinese_notation(api: httpx.Client) -> None:
    facts = {"place": "河口区", "amounts": {"total_investment": "500万", "equipment_investment": 3000000}}
    reply = api.post("/assess", json={"facts": facts, "as_of": "2021-06-30"})
    assert reply.status_code == 200, reply.text
    answer = reply.json()["answer"]
    Answer.model_validate(answer)
    assert answer["region"] == "山东省东营市河口区"
    got = award(answer)
    assert got["status"] == "eligible" and got["amount_yuan"] == 180000 and "6%" in got["formula"]
    assert got["reasons"], "the trace: each condition as checked"
    # just below the threshold (以上 includes the number): no longer eligible
    below = {**facts, "amounts": {"total_investment": "4999999.99", "equipment_investment": 3000000}}
    answer = api.post("/assess", json={"facts": below, "as_of": "2021-06-30"}).json()["answer"]
    assert award(answer)["status"] == "ineligible"


@pytest.mark.parametrize(
    ("path", "body", "said"),
    [
        ("/ask", {"question": QUESTION, "as_of": "2021-13-45"}, "评估日期（as_of）"),
        ("/ask", {"question": 5}, "问题（question）：应为文字"),
        ("/ask", {"question": QUESTION, "asof": "2021-06-30"}, "不认识的字段"),
        ("/assess", {"facts": {"amounts": {"equipment": 1}}}, "不认识的名称：equipment"),
        ("/assess", {"facts": {"amounts": {"total_investment": "很多"}}}, "无法识别金额“很多”"),
        ("/assess", {"facts": {"level": "部级"}}, "认定级别（level）"),
    ],
)
def test_bad_input_is_a_chinese_422(api: httpx.Client, path: str, body: dict, said: str) -> None:
    reply = api.post(path, json=body)
    assert reply.status_code == 422
    assert said in reply.json()["error"], reply.json()
    assert "Traceback" not in reply.text and "Field required" not in reply.text


def test_not_json_is_a_chinese_422(api: httpx.Client) -> None:
    reply = api.post("/ask", content=b"{question:", headers={"Content-Type": "application/json"})
    assert reply.status_code == 422 and reply.json()["error"] == "请求体：请求体不是有效的 JSON"


def test_openapi_documents_both_routes_with_the_answer_contract(api: httpx.Client) -> None:
    doc = api.get("/openapi.json").json()
    assert set(doc["paths"]) == {"/ask", "/assess"}
    schemas = doc["components"]["schemas"]
    assert {"AskRequest", "AssessRequest", "AskReply", "Answer", "ErrorReply"} <= set(schemas)
    assert "conversation_id" in schemas["AskRequest"]["properties"]
    assert "422" in doc["paths"]["/assess"]["post"]["responses"]
    assert "equipment_investment" in doc["info"]["description"]  # the names a caller may use
    json.dumps(doc)


def test_when_every_computing_slot_stays_taken_the_reply_is_a_chinese_503(tmp_path: Path) -> None:
    """In-process (the wait is what is tested, not the transport): with the one slot held, a request
    waits its bounded time and is refused, and nothing is logged; freed, the same request is answered."""
    from fastapi.testclient import TestClient

    from assistant.answering.engine import default_engine
    from assistant.storage.log_writer import LogWriter
    from assistant.storage.logbook import Logbook

    gate = threading.BoundedSemaphore(1)
    logbook = Logbook(tmp_path / "log.sqlite3")
    writer = LogWriter.open(tmp_path / "log.sqlite3", logbook)
    client = TestClient(build_api(default_engine(), writer, gate=gate, busy_wait_s=0.2))
    body = {"facts": {"place": "河口区", "amounts": {"total_investment": "500万", "equipment_investment": "300万"}}}
    assert gate.acquire(timeout=1)
    try:
        busy = client.post("/assess", json=body)
    finally:
        gate.release()
    assert busy.status_code == 503 and busy.json()["error"] == "服务繁忙，请稍后再试"
    assert logbook.entries() == []
    assert client.post("/assess", json=body).status_code == 200
    assert len(logbook.entries()) == 1
