"""The real server's memory per page session and over one long conversation, read from outside it.

Why from outside: tracemalloc in a test process sees the objects built there, not what the served
process holds for a tab (Gradio's per-session store, the queue's and the session binding's records,
the allocator's overhead). Here tabs are opened through the page's own events
(assistant.bench.page_protocol), as browsers do, each browser (its own visitor cookie) holding as
many tabs as the per-browser cap allows, and the server's resident memory (VmRSS in /proc) is read
before and after. Used by the hardening benchmark and by tests/web/test_memory.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.bench.appprocess import AppProcess
from assistant.bench.page_protocol import PageSession, value
from assistant.web.binding import MAX_SESSIONS_PER_CLIENT
from assistant.web.visitors import VISITOR_COOKIE

AS_OF = "2021-06-30"
QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
WARMUP_TABS = 2 * MAX_SESSIONS_PER_CLIENT  # first tabs: lazily built caches, the allocator's first arenas


def rss_kb(pid: int) -> int:
    """The resident memory of process `pid` in KB (0 when /proc does not say)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class SessionsMemory:
    """What `sessions` tabs, each sent one question, added to the server's resident memory."""

    sessions: int
    seconds: float
    rss_before_kb: int
    rss_after_kb: int

    @property
    def per_session_kb(self) -> float:
        return (self.rss_after_kb - self.rss_before_kb) / self.sessions

    @property
    def per_1000_sessions_mb(self) -> float:
        return self.per_session_kb * 1000 / 1024


@dataclass
class ConversationMemory:
    """One tab's conversation of `len(times_ms)` turns: each turn's time, the chat it got back, and the
    server's RSS before the first turn and after each."""

    times_ms: list[float] = field(default_factory=list)
    chat_lengths: list[int] = field(default_factory=list)
    rss_before_kb: int = 0
    rss_after_turn_kb: list[int] = field(default_factory=list)

    @property
    def rss_after_kb(self) -> int:
        return self.rss_after_turn_kb[-1] if self.rss_after_turn_kb else self.rss_before_kb

    def rss_growth_kb(self, after_turn: int) -> int:
        """What the turns after turn `after_turn` (1-based) added to the server's RSS."""
        return self.rss_after_kb - self.rss_after_turn_kb[after_turn - 1]

    def p50_ms(self, first: int, last: int) -> float:
        """Median time of turns `first`..`last` (1-based, inclusive)."""
        times = sorted(self.times_ms[first - 1 : last])
        middle = len(times) // 2
        return times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2


def open_tabs(url: str, count: int, question: str, prefix: str) -> None:
    """`count` tabs, each sending `question` once with the 提问 button, in browsers of at most the
    per-browser cap of tabs (more would only replace that browser's oldest)."""
    for first in range(0, count, MAX_SESSIONS_PER_CLIENT):
        browser = PageSession(url)
        try:
            if VISITOR_COOKIE not in browser.http.cookies:  # its tabs would share the address's cap
                raise RuntimeError("the server gave no visitor cookie: this address had its share of browsers")
            for n in range(first, min(count, first + MAX_SESSIONS_PER_CLIENT)):
                browser.session_hash = f"{prefix}{n:06d}"
                browser.run("send", "click", [question, AS_OF, None])
        finally:
            browser.close()


def sessions_memory(app: AppProcess, sessions: int, question: str = QUESTION) -> SessionsMemory:
    """The server's RSS before and after `sessions` new tabs (after WARMUP_TABS first ones)."""
    open_tabs(app.url, WARMUP_TABS, question, "warm")
    before = rss_kb(app.pid)
    began = time.monotonic()
    open_tabs(app.url, sessions, question, "tab")
    return SessionsMemory(sessions, time.monotonic() - began, before, rss_kb(app.pid))


def long_conversation(app: AppProcess, turns: int) -> ConversationMemory:
    """One tab asking a question, then giving `turns - 1` new figures, one per turn."""
    questions = [QUESTION, *(f"项目贷款实际发生额是{100 + n}万" for n in range(turns - 1))]
    tab = PageSession(app.url)
    measured = ConversationMemory(rss_before_kb=rss_kb(app.pid))
    try:
        for text in questions:
            began = time.perf_counter()
            outputs = tab.run("send", "click", [text, AS_OF, None])
            measured.times_ms.append((time.perf_counter() - began) * 1000)
            measured.chat_lengths.append(len(value(outputs[1]) or []))
            measured.rss_after_turn_kb.append(rss_kb(app.pid))
    finally:
        tab.close()
    return measured
