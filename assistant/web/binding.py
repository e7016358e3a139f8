"""Sessions belong to the browser, not to whoever knows a session hash.

Gradio keys a tab's state (its conversation, facts, report) by the `session_hash` the client sends,
a short string the page's JavaScript picks, that travels in URLs (`/gradio_api/queue/data?
session_hash=…`, `/gradio_api/heartbeat/…`) and so in proxy logs: anyone who knows it could read
that tab's answers or add turns to it. This middleware replaces every session hash a request carries
(JSON body, query string, heartbeat path) by a keyed digest of (client, hash) before Gradio sees it,
where the client is the signed visitor cookie (assistant.web.visitors; the address when there is
none). The same tab in the same browser always gets the same internal id; the same hash sent by
another browser is another, fresh session; and the id Gradio stores, logs and the console shows is
a digest no request can present, since whatever it sends is digested again.

It also caps the sessions one client holds (`MAX_SESSIONS_PER_CLIENT`): beyond it the client's
least recently used session is forgotten (`forget(internal_id)`), so one client cannot fill the
server's memory with tabs, nor push other users' sessions out of Gradio's global store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from assistant.web.gate import read_body, replaying, route_path
from assistant.web.visitors import MAX_TRACKED, Visitors

MAX_SESSIONS_PER_CLIENT = 16  # tabs (or API conversations) one browser keeps at once
DIGEST_CHARS = 32
HEARTBEAT = re.compile(r"^(.*/gradio_api/heartbeat/)([^/]+)$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Bindings:
    """(client, session hash) → internal id, and per client its ids, least recently used first."""

    def __init__(self, secret: bytes, forget: Callable[[str], None], per_client: int = MAX_SESSIONS_PER_CLIENT) -> None:
        self._key = hmac.new(secret, b"session-binding", hashlib.sha256).digest()
        self._forget = forget
        self.per_client = per_client
        self._held: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    def internal_id(self, client: str, session_hash: str) -> str:
        digest = hmac.new(self._key, f"{client}\0{session_hash}".encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]
        held = self._held.pop(client, None) or OrderedDict()
        held[digest] = None
        held.move_to_end(digest)
        self._held[client] = held
        while len(held) > self.per_client:
            oldest, _ = held.popitem(last=False)
            self._forget(oldest)
        while len(self._held) > MAX_TRACKED:
            self._held.popitem(last=False)
        return digest

    def held(self, client: str) -> int:
        return len(self._held.get(client, ()))


class SessionBinding:
    """ASGI middleware: every session hash in a request to Gradio becomes the client's internal id."""

    def __init__(self, app: App, visitors: Visitors, bindings: Bindings) -> None:
        self.app, self.visitors, self.bindings = app, visitors, bindings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "/gradio_api/" not in route_path(scope["path"]) + "/":
            await self.app(scope, receive, send)
            return
        client = self.visitors.client(scope)

        def bind(session_hash: str) -> str:
            return self.bindings.internal_id(client, session_hash)

        scope = dict(scope)
        heartbeat = HEARTBEAT.match(scope["path"])
        if heartbeat:
            scope["path"] = heartbeat[1] + bind(heartbeat[2])
            scope["raw_path"] = scope["path"].encode()
        query = scope.get("query_string", b"").decode("latin-1")
        if "session_hash" in query:
            pairs = [(k, bind(v) if k == "session_hash" else v) for k, v in parse_qsl(query, keep_blank_values=True)]
            scope["query_string"] = urlencode(pairs).encode("latin-1")
        if scope.get("method") == "POST":
            body = await read_body(receive, 1 << 30)  # bounded already: the Gate read it first
            rebound = self._rebound_body(body or b"", bind)
            if rebound is not None:
                body = rebound
                scope["headers"] = [
                    *((k, v) for k, v in scope.get("headers") or [] if k != b"content-length"),
                    (b"content-length", str(len(body)).encode()),
                ]
            receive = replaying(body or b"", receive)
        await self.app(scope, receive, send)

    @staticmethod
    def _rebound_body(body: bytes, bind: Callable[[str], str]) -> bytes | None:
        """The JSON body with its session_hash bound; None when there is none to bind (left as sent)."""
        if b"session_hash" not in body:
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("session_hash"), str):
            return None
        payload["session_hash"] = bind(payload["session_hash"])
        return json.dumps(payload, ensure_ascii=False).encode()
