"""Load benchmark: many enterprises asking at once, measured at the door they use.

`python -m assistant bench load [--url URL] [--levels 1,8,32] [--seconds 60] [--json OUT]`

Each simulated user is a thread with its own `gradio_client.Client`, asking back to back for N
seconds; the script is `bench_ask`'s mix: calculations and fact questions on /ask, one at a time,
and a four-turn conversation on /chat whose turns build on each other (a correction included), as
a user of the page does. Latency is the time the client waits for the whole answer, so it includes
Gradio's queue, the engine, the SQLite log write and the HTTP round trip: what a user waits, not
what the engine spends.

Why answers are compared with a reference taken before the clock starts: a server that stays fast
under load but mixes up answers between concurrent users would pass a latency-only benchmark. An
exception, a timeout or an answer that differs from the reference all count as errors.

Without --url the benchmark starts `python app.py` itself (free loopback port, temp data dir),
waits until answers carry retrieved sources, and stops it by its PID at the end.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.answering.api_models import Answer
from assistant.bench.appprocess import running_app
from assistant.bench.ask import QUESTIONS, TURNS
from assistant.bench.gold import percentile

DEFAULT_LEVELS = (1, 8, 32)
DEFAULT_SECONDS = 60.0
AS_OF = "2021-06-30"
REQUEST_TIMEOUT_S = 60.0  # a request slower than this is an error, and the run still ends on time
TARGET_USERS, TARGET_P95_MS = 8, 1000.0
KEPT_ERRORS = 5  # error messages kept per level, for the report


@dataclass(frozen=True)
class Step:
    """One request of the script: a lone question on /ask, or a turn of a /chat conversation."""

    api: str
    question: str
    new_conversation: bool = False

    def send(self, client: Any) -> Any:
        """The pending request (a gradio_client Job)."""
        if self.api == "/chat":
            return client.submit(self.question, AS_OF, self.new_conversation, api_name="/chat")
        return client.submit(self.question, AS_OF, api_name="/ask")


def load_script() -> list[tuple[Step, ...]]:
    """What every user cycles through, in blocks that are never split: each question alone, and the
    conversation whole (its later turns mean something only after its first)."""
    dialogue = tuple(Step("/chat", turn, new_conversation=(i == 0)) for i, turn in enumerate(TURNS))
    return [*((Step("/ask", q),) for q in QUESTIONS), dialogue]


def fingerprint(response: Any) -> tuple[Any, ...] | None:
    """What must not change under load: kind, total, and every program's status and figure; None for
    anything that is not a whole, valid answer (a reply cut short or mixed up is not one)."""
    try:
        answer = Answer.model_validate(response)
    except ValidationError:
        return None
    figures = tuple((p.program_id, p.status, p.amount_yuan) for p in answer.programs)
    return answer.kind, answer.total_max_yuan, figures


@dataclass
class LevelResult:
    """One concurrency level: what was served, how fast, and what went wrong."""

    users: int
    seconds: float
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.p(50), 1),
            "p95_ms": round(self.p(95), 1),
            "p99_ms": round(self.p(99), 1),
            "throughput_rps": round(self.throughput, 1),
            "error_samples": self.error_samples,
        }


def _client(url: str) -> Any:
    from gradio_client import Client

    # gradio_client opens a fresh httpx connection per call, and httpx loads the CA bundle for each one
    # (~30 ms of CPU) even for plain http. On loopback http no TLS takes place, so skipping that load
    # changes nothing but keeps the load generator from starving the server it measures on 2 cores.
    plain_http = url.startswith("http://")
    return Client(
        url.rstrip("/") + "/", verbose=False, analytics_enabled=False, download_files=False, ssl_verify=not plain_http
    )


Reference = dict[tuple[int, int], tuple[Any, ...] | None]


def reference_answers(url: str, script: list[tuple[Step, ...]]) -> Reference:
    """Each step answered once by a lone user, keyed (block, step): what every later answer must
    match (also a warm-up)."""
    client = _client(url)
    try:
        return {
            (b, i): fingerprint(step.send(client).result(timeout=REQUEST_TIMEOUT_S))
            for b, block in enumerate(script)
            for i, step in enumerate(block)
        }
    finally:
        client.close()


def run_level(
    url: str, users: int, seconds: float, script: list[tuple[Step, ...]], reference: Reference
) -> LevelResult:
    """`users` threads asking back to back for `seconds`; requests started before the end are counted.

    Every user connects first; the clock starts when the last one has (the barrier's action), and
    the level's duration runs to the last answer, not including closing the clients."""
    result = LevelResult(users, seconds)
    lock = threading.Lock()
    window = {"start": 0.0, "end": 0.0, "last": 0.0}

    def open_window() -> None:
        window["start"] = window["last"] = time.monotonic()
        window["end"] = window["start"] + seconds

    start = threading.Barrier(users, action=open_window)

    def user(n: int) -> None:
        try:
            client = _client(url)
        except Exception as exc:  # noqa: BLE001 - a user that cannot connect fails the level, loudly
            with lock:
                result.errors += 1
                result.error_samples.append(f"could not connect: {type(exc).__name__}: {exc}"[:300])
            start.abort()
            return
        try:
            start.wait()
            ask_until_the_end(client, n)
        except threading.BrokenBarrierError:  # another user could not connect: nothing is measured
            pass
        finally:
            client.close()  # here, in parallel: each close waits up to a second for its heartbeat thread

    def ask_until_the_end(client: Any, block: int) -> None:
        while time.monotonic() < window["end"]:
            b = block % len(script)  # users start at different blocks
            block += 1
            for i, step in enumerate(script[b]):
                if time.monotonic() >= window["end"]:
                    return
                ask(client, step, reference[(b, i)])

    def ask(client: Any, step: Step, expected: tuple[Any, ...] | None) -> None:
        began = time.perf_counter()
        error = None
        try:
            got = fingerprint(step.send(client).result(timeout=REQUEST_TIMEOUT_S))
            if got is None or got != expected:
                error = f"answer differs from the reference for {step.api} {step.question!r}"
        except Exception as exc:  # noqa: BLE001 - every failure is counted and a few are reported
            error = f"{type(exc).__name__}: {exc}"[:300]
        elapsed_ms = (time.perf_counter() - began) * 1000
        with lock:
            window["last"] = max(window["last"], time.monotonic())
            result.requests += 1
            if error is None:
                result.latencies_ms.append(elapsed_ms)
            else:
                result.errors += 1
                if len(result.error_samples) < KEPT_ERRORS:
                    result.error_samples.append(error)

    threads = [threading.Thread(target=user, args=(n,), name=f"load-user-{n}", daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 30)
    result.seconds = window["last"] - window["start"]
    return result


def targets(levels: list[LevelResult]) -> list[dict[str, Any]]:
    """Zero errors at every level; p95 ≤ 1 s with 8 users (not met when that level was not run)."""
    at_target = next((r for r in levels if r.users == TARGET_USERS), None)
    return [
        {
            "target": "zero errors at every level",
            "value": sum(r.errors for r in levels),
            "met": all(r.errors == 0 for r in levels),
        },
        {
            "target": f"p95 ≤ {TARGET_P95_MS:.0f} ms at {TARGET_USERS} users",
            "value": round(at_target.p(95), 1) if at_target else None,
            "met": bool(at_target and at_target.latencies_ms and at_target.p(95) <= TARGET_P95_MS),
        },
    ]


def run_load_benchmark(
    url: str | None = None, levels: tuple[int, ...] = DEFAULT_LEVELS, seconds: float = DEFAULT_SECONDS
) -> dict[str, Any]:
    """Every level against `url`, or against an app this function starts and stops itself."""
    if url is None:
        with running_app() as app:
            return _run(app.url, levels, seconds, started_here=True)
    return _run(url, levels, seconds, started_here=False)


def _run(url: str, levels: tuple[int, ...], seconds: float, started_here: bool) -> dict[str, Any]:
    script = load_script()
    reference = reference_answers(url, script)
    results = [run_level(url, users, seconds, script, reference) for users in levels]
    return {
        "url": url,
        "started_here": started_here,
        "seconds_per_level": seconds,
        "as_of": AS_OF,
        "single_questions": sum(len(b) == 1 for b in script),
        "dialogue_turns": sum(len(b) for b in script if len(b) > 1),
        "levels": [r.summary() for r in results],
        "targets": targets(results),
    }


def format_load_report(result: dict[str, Any]) -> str:
    origin = "started by the benchmark" if result["started_here"] else "given"
    lines = [
        f"load benchmark: gradio_client users at {result['url']} ({origin}), {result['seconds_per_level']:g} s "
        f"per level; each cycles through {result['single_questions']} questions on /ask and a "
        f"{result['dialogue_turns']}-turn conversation on /chat",
        "",
        f"{'users':>5} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}",
    ]
    for r in result["levels"]:
        lines.append(
            f"{r['users']:>5} {r['requests']:>9} {r['errors']:>7} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['throughput_rps']:>7.1f}"
        )
    for r in result["levels"]:
        for sample in r["error_samples"]:
            lines.append(f"  error at {r['users']} users: {sample}")
    lines += ["", "targets:"]
    for t in result["targets"]:
        value = "not measured" if t["value"] is None else t["value"]
        lines.append(f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {value}")
    return "\n".join(lines)


def parse_levels(text: str) -> tuple[int, ...]:
    """ "1,8,32" → (1, 8, 32); ValueError with the reason otherwise."""
    try:
        levels = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"--levels should be comma-separated user counts such as 1,8,32, not {text!r}") from None
    if not levels or any(n < 1 for n in levels):
        raise ValueError(f"--levels needs at least one user count of 1 or more, not {text!r}")
    return levels


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
