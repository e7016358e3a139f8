"""Conversations for API callers: the `/chat` endpoint's memory of earlier turns, per client session.

Why not gr.State: an API endpoint made with `gr.api` takes and returns plain values, yet a caller
such as a help-desk integration (or the load benchmark) needs what the page has, turns that build on
each other ("设备投资改成400万"). `gradio_client` keeps one session id per `Client`, so that id is
the key. The store is bounded in time and size because an API caller never says goodbye: an idle
conversation is dropped after the page's own session lifetime, and beyond `max_sessions` the least
recently used goes first, so no caller can grow the server's memory without limit.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine

DEFAULT_TTL_S = 8 * 3600
DEFAULT_MAX_SESSIONS = 10_000


class ApiConversations:
    """session id → its `Conversation`; each conversation answers one turn at a time."""

    def __init__(
        self,
        engine: Engine,
        ttl_s: float = DEFAULT_TTL_S,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, tuple[Conversation, threading.Lock, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def knows(self, session_id: str) -> bool:
        """Whether `session_id` names a live conversation (one not yet expired or evicted)."""
        with self._lock:
            self._expire(self._clock())
            return session_id in self._sessions

    def forget(self, session_id: str) -> None:
        """Drop one conversation (its client opened too many: assistant.web.binding)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def turn(self, session_id: str, question: str, as_of: date | None, new_conversation: bool = False) -> Answer:
        """Answer `question` as the next turn of `session_id`'s conversation (a fresh one if asked)."""
        conversation, turn_lock = self._checkout(session_id, new_conversation)
        with turn_lock:  # two calls racing in one session would interleave its facts
            conversation.as_of = as_of
            return conversation.ask(question)

    def _checkout(self, session_id: str, new_conversation: bool) -> tuple[Conversation, threading.Lock]:
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._sessions.pop(session_id, None)
            if new_conversation:
                entry = None
            conversation, turn_lock = (entry[0], entry[1]) if entry else (Conversation(self.engine), threading.Lock())
            self._sessions[session_id] = (conversation, turn_lock, now)  # most recently used last
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
            return conversation, turn_lock

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest[2] <= self.ttl_s:
                return
            self._sessions.popitem(last=False)
