"""Which browser may fetch which assessment report: each download is bound to the visitor it was made for.

Why this is needed on top of Gradio: a DownloadButton's file is served from Gradio's cache to anyone
who presents its URL. The URL is hard to guess (a hash under a secret seed), but it is a bearer
capability: it stays valid until the cache is cleaned, hours after the tab is gone, and it travels in
browser history and logs. A report holds what an enterprise told the assistant about its projects.

So every browser gets a signed visitor cookie (assistant.web.visitors; HttpOnly, SameSite=Lax) when it
loads the page or, as `gradio_client` does, its `/config`; every
report file gets a unique name recorded with the visitor that asked for it; and `DownloadGuard`
serves a report only to that visitor and only while its session lives. Every other path on the file
routes goes on to Gradio's own checks (files of its cache only, no traversal).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.responses import Response

from assistant.web.visitors import VISITOR_COOKIE, VISITOR_COOKIE_MAX_AGE_S, Visitors, cookie_value

__all__ = ["VISITOR_COOKIE", "DownloadGuard", "ReportOwners", "new_report_name"]
# Every report the page writes is named like this; any file so named needs its visitor to be served.
# ".md" stays guarded after the page stopped writing Markdown: an old link gets the guard's 404.
REPORT_SUFFIXES = (".html", ".pdf")
GUARDED_SUFFIXES = (*REPORT_SUFFIXES, ".md")
REPORT_NAME = re.compile(r"assessment-.*(?:" + "|".join(map(re.escape, GUARDED_SUFFIXES)) + ")", re.IGNORECASE)
FILE_MARKERS = ("file=", "/file/")
PAGE_PATHS = {"/", "", "/config", "/config/"}  # where a browser or a gradio_client starts

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def new_report_name(stamp: str, suffix: str) -> str:
    """A report file name no other session shares: the time it was made plus 64 random bits. Only
    the suffixes the guard knows (REPORT_SUFFIXES), so no report is ever named past the guard."""
    if suffix not in REPORT_SUFFIXES:
        raise ValueError(f"a report is never written as {suffix!r}: the DownloadGuard would not cover it")
    return f"assessment-{stamp}-{secrets.token_hex(8)}{suffix}"


class ReportOwners:
    """report file name → the visitor id it was written for; forgotten when its session ends."""

    def __init__(self) -> None:
        self._owners: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def register(self, name: str, visitor: str | None) -> None:
        with self._lock:
            self._owners[name] = visitor

    def forget(self, name: str) -> None:
        with self._lock:
            self._owners.pop(name, None)

    def may_fetch(self, name: str, visitor: str | None) -> bool:
        """Only the visitor the report was made for; a report made without a visitor is never served."""
        with self._lock:
            owner = self._owners.get(name)
        return owner is not None and visitor is not None and secrets.compare_digest(owner, visitor)


def requested_file_names(path: str) -> set[str]:
    """The names any path can end up serving, whatever route it is for (the page's and the
    console's /gradio_api/file=, /file=, /gradio_api/file/ and routes added later): what follows the
    last file marker, else the whole path, lexically normalised as Gradio does (os.path.abspath, so
    "x.md/." is "x.md"), and with symlinks resolved."""
    cut = max(path.rfind(marker) + len(marker) if marker in path else -1 for marker in FILE_MARKERS)
    target = os.path.abspath(path[cut:] if cut >= 0 else path or "/")
    names = {os.path.basename(target)}
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        names.add(Path(target).resolve().name)
    return names


class DownloadGuard:
    """ASGI middleware for the enterprise page: hands out visitor cookies with the page and refuses
    (404, as if absent) a report file to anyone but the visitor it was made for."""

    def __init__(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]], owners: ReportOwners, visitors: Visitors
    ) -> None:
        self.app = app
        self.owners = owners
        self.visitors = visitors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        visitor = cookie_value(scope.get("headers") or [], VISITOR_COOKIE)
        reports = {n for n in requested_file_names(path) if REPORT_NAME.fullmatch(n)}
        if any(not self.owners.may_fetch(name, visitor) for name in reports):
            refused = Response("Not Found", status_code=404, headers={"Cache-Control": "no-store"})
            await refused(scope, receive, send)
            return
        if path in PAGE_PATHS and scope.get("method") in ("GET", "HEAD") and self.visitors.verified(scope) is None:
            issued = self.visitors.issue(scope)
            if issued is not None:
                await self.app(scope, receive, self._with_cookie(send, issued, scope.get("scheme") == "https"))
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _with_cookie(send: Send, value: str, secure: bool) -> Send:
        cookie = f"{VISITOR_COOKIE}={value}; Path=/; Max-Age={VISITOR_COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax" + (
            "; Secure" if secure else ""
        )

        async def sending(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        return sending
