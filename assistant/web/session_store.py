"""Gradio's per-session store, without what this app never reads back.

Why: measured against the real server, a page session cost ~200 KB of the process's memory, most of
it Gradio's own: every `SessionState` keeps a copy of the configuration of every component of the
page (`config_values`), refreshed with each event's inputs and outputs, for one purpose only,
rebuilding the page at a `?deep_link=` URL, a route the Gate closes (assistant.web.gate). And a
session whose `gr.State` has expired, its tab long closed, stays in the store with that copy until
10,000 newer sessions push it out. `LeanStateHolder` keeps each session's state and its own
component updates (what later events read) but no configuration copy, and drops a session from the
store once its tab is closed and its state expired.
"""

from __future__ import annotations

import datetime
from copy import copy
from typing import Any

import gradio as gr
from fastapi import FastAPI
from gradio.state_holder import SessionState, StateHolder

CLOSED_TAB_TTL_S = 3600  # as Gradio: a closed tab's state is kept this long, for the user to come back


class _Discarded(dict[int, Any]):
    """A mapping that keeps nothing written to it: Gradio's writes to the configuration copy."""

    def __setitem__(self, key: int, value: Any) -> None:
        pass


class LeanSessionState(SessionState):
    """A session's state and per-session component updates, without the deep-link configuration copy."""

    def __init__(self, blocks: gr.Blocks) -> None:  # not SessionState's: building the copy took ~30 ms a tab
        self.blocks_config = copy(blocks.default_config)
        self.config_values = _Discarded()
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, tuple[float, datetime.datetime]] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = CLOSED_TAB_TTL_S

    def _update_config(self, key: int) -> None:
        pass

    def _update_value_in_config(self, key: int, value: Any) -> None:
        pass


class LeanStateHolder(StateHolder):
    """Gradio's StateHolder making `LeanSessionState`s, and forgetting closed sessions whose state expired."""

    def __getitem__(self, session_id: str) -> SessionState:
        if session_id not in self.session_data:
            self.session_data[session_id] = LeanSessionState(self.blocks)
        self.update(session_id)
        self.time_last_used[session_id] = datetime.datetime.now()
        return self.session_data[session_id]

    def delete_all_expired_state(self) -> None:
        """Gradio runs this every second: expired states go (their delete callbacks run), and so does
        a closed tab's session once nothing of its state is left."""
        super().delete_all_expired_state()
        with self.lock:
            for session_id, session in list(self.session_data.items()):
                if session.is_closed and not session.state_data:
                    del self.session_data[session_id]
                    self.time_last_used.pop(session_id, None)


def use_lean_sessions(app: FastAPI, blocks: gr.Blocks) -> None:
    """Give the Gradio app mounted in `app` for `blocks` a `LeanStateHolder` (before it serves anything)."""
    mounted = [r.app for r in app.routes if getattr(getattr(r, "app", None), "get_blocks", lambda: None)() is blocks]
    if len(mounted) != 1:
        raise RuntimeError("the Gradio app of these blocks is not mounted here exactly once")
    holder = LeanStateHolder()
    holder.set_blocks(blocks)
    mounted[0].state_holder = holder  # type: ignore[attr-defined]
