"""The door every request passes first: closed routes, a body limit, and per-client fairness.

Why an ASGI middleware on the outer app rather than Gradio's queue settings alone: Gradio's queue
is one FIFO for everyone, so 1,000 jobs from one client delay every other user by the time it takes
to run them; its `max_size` refuses everyone alike once full; and it has no body limit (a 200 MB
POST is read into memory) and serves routes no page here uses. Here, in front of every route of
both Gradio apps and of any route added later (`/api/v1/...` included by construction):

- routes no page uses are closed: uploads, deep links (`/?deep_link=`), monitoring;
- a request body over `MAX_BODY_BYTES` is refused with 413 before any route sees it;
- a *computing* request (a job for Gradio's queue, a direct API call) is admitted only while its
  client (assistant.web.visitors: the signed cookie, else the address) has fewer than
  `PER_CLIENT_IN_FLIGHT` jobs not yet finished (`PER_CLIENT_WHEN_BUSY` while other clients' jobs
  are waiting too) and tokens left in its bucket, and while fewer than
  `MAX_IN_FLIGHT` jobs are pending overall; otherwise 429 with a Chinese message (not 503, which Gradio's page shows as its own English "busy") and
  Retry-After. One client therefore holds at most a few of the workers, whatever it sends;
- a client refused again and again is barred from computing for a while, and its refusals are sent
  slowly (assistant.web.penalty), so a flood neither keeps a few workers busy nor costs the server
  hundreds of refusals a second.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response

from assistant.web.penalty import HOLD_S, PenaltyBox
from assistant.web.tally import Tally
from assistant.web.visitors import MAX_TRACKED, TokenBucket, Visitors

MAX_BODY_BYTES = 256 * 1024  # a question is at most a few thousand characters; the largest page event is far below
PER_CLIENT_IN_FLIGHT = 3  # jobs of one client queued or running at once (a page load starts one, the rest chained) …
PER_CLIENT_WHEN_BUSY = 2  # … and while at least BUSY_OTHERS jobs of other clients are pending
BUSY_OTHERS = 2
MAX_IN_FLIGHT = 64  # jobs of all clients queued or running at once
RATE_PER_S, BURST = 30.0, 60.0  # computing requests per client: sustained and at once

CONSOLE_PREFIX = "/console/app"
COMPUTING_PREFIXES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/", "/api/v1/")
QUEUE_PREFIXES = ("/gradio_api/queue/join", "/gradio_api/call/")  # answered with an event id, run later
CLOSED_PATHS = ("/gradio_api/upload", "/gradio_api/upload_progress", "/gradio_api/deep_link", "/monitoring")
CLOSED_PREFIXES = ("/monitoring/", "/gradio_api/monitoring", "/gradio_api/stream/", "/gradio_api/process_recording")

CLOSED = "此功能未开放。"
TOO_LARGE = f"请求内容过大（上限 {MAX_BODY_BYTES // 1024} KB），请缩短问题后再试。"
TOO_MANY_AT_ONCE = "您已有 {n} 个请求正在计算，请等上一个回答返回后再提问。"
TOO_FAST = "请求过于频繁，请稍后再试。"
BARRED = "请求过于频繁，已暂停受理 {s} 秒，请稍后再试。"
BUSY = "服务繁忙：正在计算的请求已达上限，请稍后再试。"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
EVENT_ID = re.compile(rb'"event_id"\s*:\s*"([0-9a-zA-Z_-]{1,64})"')


def route_path(path: str) -> str:
    """The path as the routes see it, both apps alike: slashes collapsed, dots resolved, no trailing
    slash, and the console's mount prefix removed (its Gradio routes are the page's own)."""
    path = posixpath.normpath(re.sub("/+", "/", "/" + path))
    return path.removeprefix(CONSOLE_PREFIX) or "/"


def is_closed(path: str, query: bytes) -> bool:
    if path in CLOSED_PATHS or path.startswith(CLOSED_PREFIXES):
        return True
    return "deep_link" in parse_qs(query.decode("latin-1"), keep_blank_values=True)


def is_computing(method: str, path: str) -> bool:
    return method == "POST" and path.startswith(COMPUTING_PREFIXES)


def refusal(status: int, message: str, retry_after_s: float | None = None) -> Response:
    """A JSON refusal Gradio's clients show: `detail` is what its page and gradio_client read."""
    headers = {"Cache-Control": "no-store"}
    if retry_after_s is not None:
        headers["Retry-After"] = str(max(1, round(retry_after_s)))
    body = json.dumps({"error": message, "detail": message}, ensure_ascii=False)
    return Response(body, status_code=status, media_type="application/json; charset=utf-8", headers=headers)


@dataclass
class InFlight:
    """Jobs admitted and not finished, per client: queue events (finished when Gradio drops their id,
    which `pending` tells) and direct calls (finished when their request ends)."""

    pending: Callable[[str], bool]
    events: OrderedDict[str, list[str]] = field(default_factory=OrderedDict)
    calls: Tally = field(default_factory=Tally)

    def count(self, client: str) -> int:
        alive = [e for e in self.events.get(client, []) if self.pending(e)]
        if alive:
            self.events[client] = alive
        else:
            self.events.pop(client, None)
        return len(alive) + self.calls.get(client)

    def total(self) -> int:
        return sum(self.count(c) for c in list(self.events)) + self.calls.total

    def add_event(self, client: str, event_id: str) -> None:
        self.events.setdefault(client, []).append(event_id)
        self.events.move_to_end(client)
        while len(self.events) > MAX_TRACKED:
            self.events.popitem(last=False)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it exceeds `limit` bytes (the rest is not read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away; the route sees an empty body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive() that hands out `body` once, then whatever the connection says (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class Gate:
    """ASGI middleware: see the module docstring. `pending(event_id)` says whether a job Gradio's
    queue accepted is still queued or running."""

    def __init__(
        self,
        app: App,
        visitors: Visitors,
        pending: Callable[[str], bool],
        per_client: int = PER_CLIENT_IN_FLIGHT,
        max_in_flight: int = MAX_IN_FLIGHT,
        rate_per_s: float = RATE_PER_S,
        burst: float = BURST,
    ) -> None:
        self.app, self.visitors = app, visitors
        self.per_client, self.max_in_flight = per_client, max_in_flight
        self.in_flight = InFlight(pending)
        self.rates = TokenBucket(rate_per_s, burst)
        self.penalties = PenaltyBox()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket" and is_closed(route_path(scope["path"]), scope.get("query_string", b"")):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        path = route_path(scope["path"])
        if is_closed(path, scope.get("query_string", b"")):
            await refusal(404, CLOSED)(scope, receive, send)
            return
        if self._declared_length(scope) > MAX_BODY_BYTES:
            await refusal(413, TOO_LARGE)(scope, receive, send)
            return
        body = await read_body(receive, MAX_BODY_BYTES)
        if body is None:
            await refusal(413, TOO_LARGE)(scope, receive, send)
            return
        receive = replaying(body, receive)
        if not is_computing(scope.get("method", ""), path):
            await self.app(scope, receive, send)
            return
        client = self.visitors.client(scope)
        refused = self._refusal(client)
        if refused is not None:
            await self._refuse(client, refused, scope, receive, send)
            return
        if path.startswith(QUEUE_PREFIXES):
            await self.app(scope, receive, self._recording_event(client, send))
            return
        self.in_flight.calls.up(client)
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight.calls.down(client)

    def _refusal(self, client: str) -> Response | None:
        """Why this client's computing request may not start now, as the response to send; None if it may."""
        barred_s = self.penalties.barred_s(client)
        if barred_s:
            return refusal(429, BARRED.format(s=max(1, round(barred_s))), retry_after_s=barred_s)
        held, total = self.in_flight.count(client), self.in_flight.total()
        if held >= (self.per_client if total - held < BUSY_OTHERS else min(self.per_client, PER_CLIENT_WHEN_BUSY)):
            return refusal(429, TOO_MANY_AT_ONCE.format(n=held), retry_after_s=1)
        if total >= self.max_in_flight:
            return refusal(429, BUSY, retry_after_s=2)
        if not self.rates.take(client):
            return refusal(429, TOO_FAST, retry_after_s=self.rates.wait_s(client))
        return None

    async def _refuse(self, client: str, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """Sends the refusal, counting it; to a barred client only after HOLD_S while holds are left."""
        self.penalties.refused(client)
        if self.penalties.barred_s(client) and self.penalties.may_hold(client):
            self.penalties.held.up(client)
            try:
                await asyncio.sleep(HOLD_S)
            finally:
                self.penalties.held.down(client)
        await response(scope, receive, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for key, value in scope.get("headers") or []:
            if key == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return MAX_BODY_BYTES + 1  # unparsable: refused, never guessed
        return 0

    def _recording_event(self, client: str, send: Send) -> Send:
        """Passes the response through and records the job's event id (from its small JSON body)."""
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body" and status[0] == 200:
                found = EVENT_ID.search(message.get("body", b""))
                if found:
                    self.in_flight.add_event(client, found[1].decode())
            await send(message)

        return sending
