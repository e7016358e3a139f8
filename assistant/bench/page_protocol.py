"""Drive the enterprise page's own (private) events over HTTP, the way its JavaScript does.

The page's handlers are not callable through gradio_client (api_visibility="private"), yet they are
what a browser runs: the status line on load, a question sent with the 提问 button, the download it
produces. Tests that need those without starting Chromium speak Gradio's queue protocol directly:
read /config, POST /gradio_api/queue/join for an event, read the answer from the SSE stream.
Each `PageSession` is one browser tab: its own session hash and its own cookie jar. Here rather than
under tests/ because the hardening benchmark measures the real server through the same events.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

EVENT_TIMEOUT_S = 30.0


class PageSession:
    """One tab of the enterprise page; `cookies` are shared with `http` like a browser's."""

    def __init__(self, url: str, http: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = http or httpx.Client(timeout=EVENT_TIMEOUT_S)
        self.page = self.http.get(self.url + "/")  # what a browser loads first (and gets cookies from)
        self.config = self.http.get(self.url + "/config").json()
        self.session_hash = uuid.uuid4().hex[:12]
        self.notices: list[str] = []  # what gr.Info / gr.Warning showed during the events run, in order

    def component_id(self, elem_id: str) -> int:
        return next(c["id"] for c in self.config["components"] if c.get("props", {}).get("elem_id") == elem_id)

    def dependency(self, elem_id: str, trigger: str, output: str | None = None) -> dict[str, Any]:
        """The event bound to `trigger` ("click", "load", …) of the component with `elem_id` ("" = the
        page) or chained after it with `.then`, and when several are, the one that updates the component
        with elem_id `output`."""
        target = 0 if not elem_id else self.component_id(elem_id)
        wanted = self.component_id(output) if output else None
        dependencies = self.config["dependencies"]
        chain = {d["id"] for d in dependencies if [target, trigger] in d["targets"]}
        while followers := {d["id"] for d in dependencies if d.get("trigger_after") in chain} - chain:
            chain |= followers
        return next(d for d in dependencies if d["id"] in chain and (wanted is None or wanted in d["outputs"]))

    def run(self, elem_id: str, trigger: str, data: list[Any], output: str | None = None) -> list[Any]:
        """Fire one event and return its output values (the last message for a generator)."""
        dep = self.dependency(elem_id, trigger, output)
        joined = self.http.post(
            self.url + "/gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": dep["id"],
                "session_hash": self.session_hash,
                "event_data": None,
                "trigger_id": 0 if not elem_id else self.component_id(elem_id),
            },
        )
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self.http.stream(
            "GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.session_hash}
        ) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event_id and message.get("msg") == "log":
                    self.notices.append(message.get("log", ""))
                if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                    continue
                if not message.get("success"):
                    raise RuntimeError(f"event failed: {message}")
                return message["output"]["data"]
        raise RuntimeError("the event stream ended without a result")

    def close(self) -> None:
        self.http.close()


def value(update: Any) -> Any:
    """The value of a component update ({"__type__": "update", "value": …}) or a plain value."""
    return update.get("value") if isinstance(update, dict) and update.get("__type__") == "update" else update
