"""Hardening benchmark: a flood from one client, an oversized body, memory per session and per turn.

`python -m assistant bench hardening [--users 4] [--seconds 20] [--server-sessions 200] [--turns 100]
[--sessions 1000]`

Against the real server (`python app.py` started on a free loopback port, stopped by its PID):
- *flood*: `users` gradio_client users (each its own cookie, as browsers) ask one question every
  THINK_S for `seconds`, first alone (quiet), then while one client without cookies (a process of
  its own) posts /ask jobs from FLOOD_THREADS threads as fast as it can and never reads a result; printed: the users'
  p95 in both phases and their ratio (target ≤ 2), the flood's admitted and refused (429) counts;
- *body limit*: a 2 MB POST, its status, and the server's RSS before and after;
- *sessions*: the server's RSS growth over `server_sessions` page tabs, each answering one question
  (assistant.bench.memory), per 1,000;
- *turns*: one tab's conversation of `turns` turns: p50 time of turns 11–20 (its context is full by
  then) and of the last ten, the chat it is sent back, the server's RSS growth over them.
In-process, with the real engine, the split of a session's memory (tracemalloc): `sessions` copies of
a tab that answered one question in the page's Gradio session store (assistant.web.session_store),
and how much of it is that store's own per-session part.
"""

from __future__ import annotations

import copy
import multiprocessing
import threading
import time
import tracemalloc
from datetime import date
from typing import Any

import httpx

from assistant.bench.appprocess import running_app
from assistant.bench.gold import percentile
from assistant.bench.memory import long_conversation, rss_kb, sessions_memory

AS_OF = "2021-06-30"
QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
THINK_S = 0.3
FLOOD_THREADS = 8  # more than a barred client's refusals held at once (assistant.web.penalty)
BODY_BYTES = 2 * 1024 * 1024
TARGET_RATIO = 2.0


def users_p95(url: str, users: int, seconds: float) -> tuple[float, int, int]:
    """(p95 ms, answers, errors) of `users` gradio_client users asking every THINK_S for `seconds`."""
    from gradio_client import Client

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def user() -> None:
        client = Client(url + "/", verbose=False, analytics_enabled=False, download_files=False, ssl_verify=False)
        try:
            while time.monotonic() < end:
                began = time.perf_counter()
                try:
                    ok = client.predict(QUESTION, AS_OF, api_name="/ask")["total_max_yuan"] == 180000.0
                except Exception:  # noqa: BLE001 - counted
                    ok = False
                with lock:
                    if ok:
                        latencies.append((time.perf_counter() - began) * 1000)
                    else:
                        errors[0] += 1
                time.sleep(THINK_S)
        finally:
            client.close()

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return percentile(latencies, 95), len(latencies), errors[0]


def flood(url: str, seconds: float, out: Any) -> None:
    """One cookieless client posting /ask jobs from FLOOD_THREADS threads for `seconds`; its status
    counts go to `out`. Run in a process of its own, so that its threads do not hold the measuring
    users' interpreter lock (which would slow them and not the server)."""
    counts: dict[str, int] = {}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def sender() -> None:
        with httpx.Client(base_url=url, timeout=10) as http:
            while time.monotonic() < end:
                try:
                    status = str(http.post("/gradio_api/call/ask", json={"data": [QUESTION, AS_OF]}).status_code)
                except httpx.HTTPError:
                    status = "error"
                with lock:
                    counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(FLOOD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    out.put(counts)


def server_part(users: int, seconds: float, server_sessions: int, turns: int) -> dict[str, Any]:
    with running_app() as app:
        quiet = users_p95(app.url, users, seconds)
        spawn = multiprocessing.get_context("spawn")
        results = spawn.Queue()
        flooder = spawn.Process(target=flood, args=(app.url, seconds + 4.0, results), daemon=True)
        flooder.start()
        time.sleep(3.0)  # the flood is on before the users measure
        flooded = users_p95(app.url, users, seconds)
        flood_counts: dict[str, int] = results.get(timeout=120)
        flooder.join(timeout=30)
        before = rss_kb(app.pid)
        big = httpx.post(app.url + "/gradio_api/call/ask", content=b"x" * BODY_BYTES, timeout=30)
        after = rss_kb(app.pid)
        sessions = sessions_memory(app, server_sessions)
        conversation = long_conversation(app, turns)
    return {
        "users": users,
        "seconds": seconds,
        "quiet_p95_ms": round(quiet[0], 1),
        "quiet_answers": quiet[1],
        "quiet_errors": quiet[2],
        "flood_p95_ms": round(flooded[0], 1),
        "flood_answers": flooded[1],
        "flood_errors": flooded[2],
        "flood_requests": flood_counts,
        "body_bytes": BODY_BYTES,
        "body_status": big.status_code,
        "body_rss_growth_kb": after - before,
        "server_sessions": server_sessions,
        "server_memory_per_1000_sessions_mb": round(sessions.per_1000_sessions_mb, 1),
        "turns": turns,
        "turns_11_20_p50_ms": round(conversation.p50_ms(11, 20), 1),
        "last_10_turns_p50_ms": round(conversation.p50_ms(turns - 9, turns), 1),
        "turns_rss_growth_kb": conversation.rss_after_kb - conversation.rss_before_kb,
        "late_turns_rss_growth_kb": conversation.rss_growth_kb(after_turn=turns // 2),
        "longest_chat": max(conversation.chat_lengths),
    }


def in_process_part(sessions: int) -> dict[str, Any]:
    from assistant.answering.conversation import Conversation
    from assistant.answering.engine import default_engine
    from assistant.web.page import build_enterprise
    from assistant.web.session import Session
    from assistant.web.session_store import LeanStateHolder

    engine = default_engine()
    blocks = build_enterprise(engine)
    holder = LeanStateHolder()
    holder.set_blocks(blocks)
    state_id = next(b._id for b in blocks.blocks.values() if type(b).__name__ == "State")
    tab = Session(Conversation(engine, date(2021, 6, 30)))
    answer = tab.conversation.ask(QUESTION)
    tab.chat += [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": answer.answer}]

    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for n in range(sessions):  # what Gradio holds for every session of the page, before any state
        holder[f"bench-{n}"]
    gradio_part = tracemalloc.get_traced_memory()[0]
    for n in range(sessions):
        holder[f"bench-{n}"].state_data[state_id] = copy.deepcopy(tab, memo={id(engine): engine})
    ours = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "sessions": sessions,
        "memory_per_1000_sessions_mb": round((ours - start) / sessions * 1000 / 2**20, 1),
        "gradio_state_per_1000_sessions_mb": round((gradio_part - start) / sessions * 1000 / 2**20, 1),
    }


def run_hardening_benchmark(
    users: int, seconds: float, server_sessions: int, turns: int, sessions: int
) -> dict[str, Any]:
    return {**server_part(users, seconds, server_sessions, turns), **in_process_part(sessions)}


def format_hardening_report(r: dict[str, Any]) -> str:
    ratio = r["flood_p95_ms"] / r["quiet_p95_ms"] if r["quiet_p95_ms"] else float("inf")
    flood = r["flood_requests"]
    sent = sum(flood.values())
    return "\n".join(
        [
            f"hardening benchmark: {r['users']} users asking every {THINK_S:g} s for {r['seconds']:g} s per phase",
            f"  other users' p95, quiet: {r['quiet_p95_ms']:.1f} ms ({r['quiet_answers']} answers, "
            f"{r['quiet_errors']} errors)",
            f"  other users' p95, during a flood: {r['flood_p95_ms']:.1f} ms ({r['flood_answers']} answers, "
            f"{r['flood_errors']} errors); ratio {ratio:.2f} "
            f"[{'met' if ratio <= TARGET_RATIO else 'NOT met'}: ≤ {TARGET_RATIO:g}]",
            f"  flood from one client: {sent} jobs sent, {flood.get('200', 0)} admitted, "
            f"{flood.get('429', 0)} refused with 429, other {sent - flood.get('200', 0) - flood.get('429', 0)}",
            f"  body of {r['body_bytes'] // 1024} KB: status {r['body_status']}, server RSS "
            f"{r['body_rss_growth_kb']:+d} KB",
            f"  server memory per 1,000 sessions (RSS over {r['server_sessions']} tabs, one answered question each): "
            f"{r['server_memory_per_1000_sessions_mb']:.1f} MB",
            f"  in-process (tracemalloc, {r['sessions']} sessions): {r['memory_per_1000_sessions_mb']:.1f} MB per 1,000, "
            f"of which Gradio's own per-session state {r['gradio_state_per_1000_sessions_mb']:.1f} MB",
            f"  {r['turns']} turns of one conversation: p50 {r['turns_11_20_p50_ms']:.1f} ms (turns 11–20), "
            f"{r['last_10_turns_p50_ms']:.1f} ms (last 10); server RSS {r['turns_rss_growth_kb']:+d} KB "
            f"(turns {r['turns'] // 2 + 1}–{r['turns']}: {r['late_turns_rss_growth_kb']:+d} KB); "
            f"chat sent back at most {r['longest_chat']} messages",
        ]
    )
