"""The one web server: the enterprise page at /, the officer console at /console behind a login.

Why a FastAPI app of our own around the two Gradio apps: the console must not serve anything, not
its page, config, queue, API or files, to a visitor without an officer session. Gradio's
`auth_dependency` covers most of its routes but not all (static assets, theme.css, …), so every
request under /console is checked here by `ConsoleGuard` before it reaches any route, and the
console is mounted with `auth_dependency` as well, which is what gives its handlers the officer's
name as `gr.Request.username`. The login itself is a plain HTML form; the session token goes into
an HttpOnly, SameSite=Strict cookie scoped to /console. On the enterprise side, `DownloadGuard`
(assistant.web.downloads) serves a report file only to the browser it was made for. In front of
everything, `Gate` (assistant.web.gate) closes unused routes, limits request bodies and keeps one
client's flood from delaying everyone else.

The retrieval index can take minutes to build on a first start, so it is built in a background
thread while the server already answers; the page shows the state and calculator answers work
meanwhile.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import gradio as gr
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from assistant.answering.engine import Engine
from assistant.core.settings import Settings
from assistant.storage.log_writer import LogWriter
from assistant.storage.logbook import Logbook, LogSettings, database_path
from assistant.storage.officers import LoginError, Officers
from assistant.web import console as console_page
from assistant.web import http_api
from assistant.web import page as web
from assistant.web.api_conversations import ApiConversations
from assistant.web.binding import Bindings, SessionBinding
from assistant.web.console_export import add_export_routes
from assistant.web.console_review import DraftReview
from assistant.web.downloads import DownloadGuard, ReportOwners
from assistant.web.gate import MAX_IN_FLIGHT, Gate
from assistant.web.heap import freeze_startup_heap
from assistant.web.session_store import use_lean_sessions
from assistant.web.visitors import Visitors, cookie_value, load_secret

logger = logging.getLogger(__name__)
MAX_UPLOAD = "64kb"

COOKIE = "assistant_officer"
CONSOLE = "/console"
CONSOLE_APP = "/console/app"
LOGIN = "/console/login"
LOGOUT = "/console/logout"
OPEN_CONSOLE_PATHS = {LOGIN, LOGIN + "/", LOGOUT, LOGOUT + "/"}  # the only /console paths served anonymously

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


# --- first start: the retrieval index ------------------------------------------------------------


class IndexWarmup:
    """Builds (or loads) the retrieval index in a background thread and reports its state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ready = threading.Event()
        self._error: str | None = None
        self._warning: str | None = None  # the index works, but degraded (BM25 only)
        self._thread: threading.Thread | None = None

    def start(self) -> IndexWarmup:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-warmup", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        from assistant.retrieval.hybrid import default_retriever, dense_warning  # heavy: off the startup path

        try:
            self._warning = dense_warning(self.settings, default_retriever(self.settings))
        except Exception:  # the calculator still answers; the page says retrieval is unavailable
            logger.exception("建立检索索引失败")
            self._error = "检索索引建立失败：回答仍会给出测算结果，但暂时无法附上检索到的政策原文。请联系管理员。"
        finally:
            freeze_startup_heap()  # the index is loaded: out of the collector's scans from now on
            self._ready.set()

    def status(self) -> tuple[bool, str]:
        """(finished, message): message is empty when the index is ready and whole, else what to show."""
        if not self._ready.is_set():
            return False, "正在建立检索索引…（仅首次启动需要，约几分钟；此时提问的回答会在索引建好后给出）"
        return True, self._error or self._warning or ""


# --- the console's gate --------------------------------------------------------------------------


def is_console_path(path: str) -> bool:
    return path == CONSOLE or path.startswith(CONSOLE + "/")


class ConsoleGuard:
    """ASGI middleware: no request under /console except the login and logout pages gets past
    without a live officer session. Browsers asking for a page are sent to the login (303);
    everything else (API, config, queue, assets, downloads, websockets) gets 401."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], officers: Officers) -> None:
        self.app = app
        self.officers = officers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] in ("http", "websocket")
            and is_console_path(scope["path"])
            and scope["path"] not in OPEN_CONSOLE_PATHS
        ):
            token = cookie_value(scope.get("headers") or [], COOKIE)
            officer = await run_in_threadpool(self.officers.session_user, token) if token else None
            if officer is None:
                await self._refuse(scope, receive, send)
                return
            scope.setdefault("state", {})["officer"] = officer
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
        if scope.get("method") in ("GET", "HEAD") and "text/html" in accept:
            response: Response = RedirectResponse(LOGIN, status_code=303)
        else:
            response = Response(
                '{"error":"未登录或登录已失效"}',
                status_code=401,
                media_type="application/json",
                headers={"WWW-Authenticate": 'Cookie realm="console"'},
            )
        response.headers["Cache-Control"] = "no-store"
        await response(scope, receive, send)


# --- login pages ---------------------------------------------------------------------------------


def login_page(message: str = "", name: str = "") -> str:
    error = f"<p class='error' id='login-error'>{html.escape(message)}</p>" if message else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>审核台登录 · 政策自评估助手</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{font-family: system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
  background:#f5f6f8; display:flex; justify-content:center; padding-top:10vh}}
form {{background:#fff; padding:28px 32px; border-radius:10px; box-shadow:0 2px 10px rgba(0,0,0,.08); width:320px}}
h1 {{font-size:20px; margin:0 0 18px}} label {{display:block; margin:12px 0 4px; font-size:14px}}
input {{width:100%; box-sizing:border-box; padding:8px; font-size:15px; border:1px solid #bbb; border-radius:6px}}
button {{margin-top:18px; width:100%; padding:9px; font-size:15px; background:#1976d2; color:#fff; border:0;
  border-radius:6px; cursor:pointer}} .error {{color:#b71c1c; font-size:14px}}
</style></head><body>
<form method="post" action="{LOGIN}">
<h1>政策自评估助手 · 审核台</h1>{error}
<label for="name">用户名</label><input id="name" name="name" autocomplete="username" required
 value="{html.escape(name)}">
<label for="password">密码</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit" id="login">登录</button>
</form></body></html>"""


def _page(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        content,
        status_code=status_code,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "frame-ancestors 'none'",
        },
    )


def add_console_routes(app: FastAPI, officers: Officers, logbook: Logbook, engine: Engine) -> None:
    @app.get(LOGIN, include_in_schema=False)
    def show_login() -> HTMLResponse:
        return _page(login_page())

    @app.post(LOGIN, include_in_schema=False)
    def do_login(request: Request, name: str = Form(""), password: str = Form("")) -> Response:
        try:
            # Throttled per (name, client address): a guesser slows only itself, never locks the officer out.
            token = officers.login(name.strip(), password, client=request.client.host if request.client else "-")
        except LoginError as err:
            return _page(login_page(str(err), name), status_code=401)
        response = RedirectResponse(CONSOLE_APP + "/", status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            path=CONSOLE,
            secure=request.url.scheme == "https",
            max_age=int(officers.session_length.total_seconds()),
        )
        return response

    @app.post(LOGOUT, include_in_schema=False)
    def do_logout(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            officers.logout(token)
        response = RedirectResponse(LOGIN, status_code=303)
        response.delete_cookie(COOKIE, path=CONSOLE, httponly=True, samesite="strict")
        return response

    @app.get(CONSOLE, include_in_schema=False)
    @app.get(CONSOLE + "/", include_in_schema=False)
    @app.get(CONSOLE_APP, include_in_schema=False)
    def console_home() -> Response:  # only reached with a session: ConsoleGuard refused everyone else
        return RedirectResponse(CONSOLE_APP + "/", status_code=303)

    add_export_routes(app, logbook, engine)


# --- the app ---------------------------------------------------------------------------------------

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "0.0.0.0", "::", "::1")


def own_origins(server_name: str, server_port: int) -> list[str]:
    """The origins a browser may call the API from: this app's own (ASSISTANT_PUBLIC_ORIGIN, comma-
    separated, when it is served under another name, e.g. behind a proxy). Gradio's own CORS allowed
    any localhost origin with credentials, and every origin when the Host was not localhost."""
    configured = [o.strip().rstrip("/") for o in os.environ.get("ASSISTANT_PUBLIC_ORIGIN", "").split(",") if o.strip()]
    if configured:
        return configured
    names = ["127.0.0.1", "localhost"] if server_name in LOOPBACK_NAMES else [server_name]
    return [f"http://{name}:{server_port}" for name in names]


def create_app(
    settings: Settings | None = None, server_name: str = "127.0.0.1", server_port: int = 7860, warm_index: bool = True
) -> FastAPI:
    """Both pages and the login in one ASGI app; `python app.py` serves it with uvicorn."""
    settings = settings or Settings.from_env()
    engine = dataclasses.replace(Engine.load(settings), wait_for_index=not warm_index)
    warmup = IndexWarmup(settings)
    if warm_index:
        warmup.start()
    db = database_path(settings)
    logbook = Logbook(db, LogSettings.from_env())  # the console's reads
    log_writer = LogWriter.open(db, logbook)  # the page's writes, on a connection of their own
    officers = Officers(db)

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="政策自评估助手")
    app.state.engine, app.state.logbook, app.state.officers, app.state.warmup = engine, logbook, officers, warmup
    app.state.log_writer = log_writer
    add_console_routes(app, officers, logbook, engine)
    app.mount(http_api.PREFIX, http_api.build_api(engine, log_writer))  # before "/", which takes every other path

    def officer_of(request: Request) -> str | None:
        return officers.session_user(request.cookies.get(COOKIE))

    # Neither page has an upload component, yet Gradio's /upload route takes anonymous files of any
    # size into its cache unless given a limit: keep it small, so it cannot be used to fill the disk.
    common = {
        "server_name": server_name,
        "server_port": server_port,
        "footer_links": [],
        "run_history": False,
        "ssr_mode": False,
        "mcp_server": False,
        "max_file_size": MAX_UPLOAD,
    }
    reports = ReportOwners()
    conversations = ApiConversations(engine, ttl_s=web.SESSION_TTL_SECONDS)
    enterprise = web.build_enterprise(engine, log_writer, warmup.status if warm_index else None, reports, conversations)
    enterprise.queue(default_concurrency_limit=8, max_size=MAX_IN_FLIGHT * 2)  # the Gate refuses before this
    drafts = DraftReview(settings)  # the 政策审核 tab: draft folders under settings.drafts_dir
    console = console_page.build_console(engine, logbook, lambda: log_writer.status().message, drafts)
    gr.mount_gradio_app(
        app,
        console,
        path=CONSOLE_APP,
        auth_dependency=officer_of,
        css=console_page.CSS,
        **common,
    )
    # Mounted last: "/" takes every path the routes and the console mount above did not.
    gr.mount_gradio_app(app, enterprise, path="/", css=web.CSS, **{**common, "footer_links": ["api"]})
    for blocks in (enterprise, console):
        use_lean_sessions(app, blocks)  # no per-session copy of the page's configuration
    secret = load_secret(settings.data_dir)
    visitors = Visitors(secret)

    def pending(event_id: str) -> bool:  # a job the Gate admitted is still queued or running
        return any(event_id in blocks._queue.event_ids_to_events for blocks in (enterprise, console))

    def forget(session_id: str) -> None:  # a client's least recently used session, beyond its cap
        for blocks in (enterprise, console):
            blocks.state_holder.delete_state(session_id)  # its delete callbacks: the tab's files go too
            with blocks.state_holder.lock:
                blocks.state_holder.session_data.pop(session_id, None)
        conversations.forget(session_id)

    app.add_middleware(SessionBinding, visitors=visitors, bindings=Bindings(secret, forget))
    app.add_middleware(ConsoleGuard, officers=officers)
    app.add_middleware(DownloadGuard, owners=reports, visitors=visitors)
    # A CORSMiddleware on the parent app replaces Gradio's own (see gr.mount_gradio_app).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=own_origins(server_name, server_port),
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    app.add_middleware(Gate, visitors=visitors, pending=pending)  # added last: the outermost, first to see a request
    freeze_startup_heap()  # the rules and both pages are built (the index may still be loading)
    return app
