"""A plain JSON HTTP API beside the Gradio one, mounted at /api/v1 (after OpenFisca's web API).

Why a second API: Gradio's `/ask` needs its client library (a queue, then a stream of events); a
help desk's integration wants one POST and one JSON reply, and a document that says what to send.
`POST /api/v1/ask` answers a question (alone or as the next turn of a conversation this server
started), `POST /api/v1/assess` assesses facts given as JSON, and `GET /api/v1/openapi.json`
describes both (generated from assistant.web.http_models). Both reply with the `Answer` contract and
log every answer as the page does (the page's `Recorder`), before the reply leaves.

A conversation id is issued by the server (random, 128 bits) and only ids it issued are accepted,
so no caller can continue or read another's conversation by guessing one.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.answering.api_models import Answer
from assistant.answering.engine import Engine
from assistant.calculator.facts import EnterpriseFacts
from assistant.reading.amounts import InputError
from assistant.storage.log_writer import LogWriter
from assistant.web.api_conversations import DEFAULT_TTL_S, ApiConversations
from assistant.web.facts_form import form_place
from assistant.web.http_models import AskReply, AskRequest, AssessRequest, ErrorReply, FactsIn, chinese_problems
from assistant.web.page import Recorder

PREFIX = "/api/v1"
# As many answers at once as the page's queue computes (server.py: default_concurrency_limit=8); a
# request that cannot start within BUSY_WAIT_S is refused rather than queued without bound.
CONCURRENCY = 8
BUSY_WAIT_S = 20.0
BUSY = "服务繁忙，请稍后再试"
LOG_PREFIX = "api:"  # how the log's session ids tell API conversations from page tabs

_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorReply, "description": "请求有误（中文说明）"},
    404: {"model": ErrorReply, "description": "会话编号不存在或已过期"},
    503: {"model": ErrorReply, "description": BUSY},
}


def refused(problems: list[str], status_code: int = 422) -> JSONResponse:
    body = ErrorReply(error=problems[0], problems=problems)
    return JSONResponse(body.model_dump(), status_code=status_code, headers={"Cache-Control": "no-store"})


class Busy(Exception):
    """No computing slot came free in time."""


@contextmanager
def slot(gate: threading.BoundedSemaphore, wait_s: float) -> Iterator[None]:
    if not gate.acquire(timeout=wait_s):
        raise Busy
    try:
        yield
    finally:
        gate.release()


def enterprise_facts(given: FactsIn, engine: Engine) -> EnterpriseFacts:
    """The calculator's facts from the request's, names checked against the vocabulary; raises
    InputError (Chinese) for a name nobody declared, so a misspelt role cannot silently drop out."""
    vocab = engine.book.vocabulary
    unknown = [r for r in given.amounts if r not in vocab.amount_roles]
    if unknown:
        raise InputError(
            f"金额（amounts）中有不认识的名称：{'、'.join(unknown)}；可用的名称见 /api/v1/openapi.json 的说明"
        )
    unknown = [t for t in given.tags if t not in vocab.tags]
    if unknown:
        raise InputError(f"是否类信息（tags）中有不认识的名称：{'、'.join(unknown)}")
    place = form_place(given.place, None, vocab) if given.place else None
    return EnterpriseFacts(
        place=place,
        amounts=dict(given.amounts),
        tags=dict(given.tags),
        level=given.level,
        lpr_rate=given.lpr_rate,
    )


def build_api(
    engine: Engine,
    log: LogWriter | None,
    gate: threading.BoundedSemaphore | None = None,
    busy_wait_s: float = BUSY_WAIT_S,
) -> FastAPI:
    """The API as an ASGI app of its own, to mount at PREFIX (its OpenAPI document stays its own);
    an answer is computed only while holding `gate` (default: CONCURRENCY at once)."""
    record = Recorder(log)
    gate = gate or threading.BoundedSemaphore(CONCURRENCY)
    conversations = ApiConversations(engine, ttl_s=DEFAULT_TTL_S)
    vocab = engine.book.vocabulary
    roles = "；".join(f"{name}＝{role.label}" for name, role in vocab.amount_roles.items())
    tags = "；".join(f"{name}＝{tag.label}" for name, tag in vocab.tags.items())
    api = FastAPI(
        title="政策自评估助手 JSON API",
        version="1",
        description=(
            "提问或直接提交企业信息，得到按政策原文测算的结果（与 `python -m assistant ask --json` 相同的 JSON）。"
            f"\n\n金额名称（amounts）：{roles}\n\n是否类信息（tags）：{tags}"
        ),
        docs_url=None,  # Swagger's page loads its scripts from a CDN, which this service never reaches
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    @api.exception_handler(RequestValidationError)
    async def _chinese_422(request: Request, exc: RequestValidationError) -> JSONResponse:
        return refused(chinese_problems(list(exc.errors())))

    @api.post("/ask", response_model=AskReply, responses=_REFUSED, summary="提问（可多轮）")
    def ask(body: AskRequest) -> Any:
        """Answer one question; with `conversation_id`, as the next turn of that conversation."""
        if body.conversation_id is None:
            conversation_id = secrets.token_hex(16)
        elif conversations.knows(body.conversation_id):
            conversation_id = body.conversation_id
        else:
            return refused(["会话编号（conversation_id）不存在或已过期，请不带会话编号重新开始"], 404)
        return computed(
            lambda: conversations.turn(conversation_id, body.question, body.as_of), body.id, conversation_id
        )

    @api.post("/assess", response_model=AskReply, responses=_REFUSED, summary="按企业信息测算")
    def assess(body: AssessRequest) -> Any:
        """Assess the given facts: every program they bring into play, with figures, formula and reasons."""
        try:
            facts = enterprise_facts(body.facts, engine)
        except InputError as err:
            return refused([err.message])
        return computed(lambda: engine.recompute(facts, body.as_of or date.today()), body.id, secrets.token_hex(16))

    def computed(answer_of: Callable[[], Answer], request_id: str | int | None, conversation_id: str) -> JSONResponse:
        """The answer, logged, as the reply; 503 when every computing slot stays taken."""
        try:
            with slot(gate, busy_wait_s):
                answer = answer_of()
        except Busy:
            return refused([BUSY], 503)
        answer.id = request_id if request_id is not None else secrets.token_hex(6)
        record(LOG_PREFIX + conversation_id, answer)
        reply = {"conversation_id": conversation_id, "answer": answer.to_json()}
        return JSONResponse(reply, headers={"Cache-Control": "no-store"})

    return api
