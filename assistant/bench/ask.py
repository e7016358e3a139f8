"""How fast `ask` answers once started, without a language model: the figure the product promises
(p95 under 100 ms) measured, not assumed. Start-up (rules, index, model) is timed separately.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from typing import Any

from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine
from assistant.bench.gold import percentile
from assistant.core.settings import Settings

AS_OF = date(2021, 6, 30)
QUESTIONS = [
    "河口区技改项目总投资500万，设备投资300万，能拿多少？",
    "河口区技改，总投资3000万，设备投资1000万，项目贷款2000万",
    "河口企业新增统计入库技改项目，已竣工投产，投资2500万",
    "济源的企业，当年完成投资800万，设备投资500万，研发投入100万，已投产",
    "河南洛阳，首台套保险，保费60万元，保险金额3000万",
    "郑州企业首次认定为高新技术企业，有什么奖励",
    "什么样的企业算僵尸企业？",
    "河口区技改政策有效期到什么时候？",
    "河南省2017年化解煤炭过剩产能目标是多少？",
    "我们在上海做技改，总投资1000万",
]
TURNS = ["河口区技改项目，总投资500万", "设备300万", "设备投资改成400万", "项目贷款2000万"]
TARGET_P95_MS = 100.0


def run_ask_benchmark(settings: Settings, rounds: int = 5) -> dict[str, Any]:
    started = time.perf_counter()
    engine = Engine.load(settings)
    engine.ask(QUESTIONS[0], AS_OF)  # loads the index and the embedding model
    startup_s = time.perf_counter() - started
    timings: list[float] = []
    for _ in range(rounds):
        for question in QUESTIONS:
            t = time.perf_counter()
            engine.ask(question, AS_OF)
            timings.append((time.perf_counter() - t) * 1000)
        chat = Conversation(engine, AS_OF)
        for turn in TURNS:
            t = time.perf_counter()
            chat.ask(turn)
            timings.append((time.perf_counter() - t) * 1000)
    return {
        "startup_s": round(startup_s, 2),
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "max_ms": round(max(timings), 1),
        "target_p95_ms": TARGET_P95_MS,
        "met": percentile(timings, 95) <= TARGET_P95_MS,
        "llm": engine.llm is not None,
    }


def print_ask_benchmark(result: dict[str, Any]) -> None:
    print("ask latency after start-up (no language model)" if not result["llm"] else "ask latency (language model on)")
    print(f"  start-up: {result['startup_s']} s   requests: {result['requests']}")
    print(f"  p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms   max {result['max_ms']} ms")
    print(f"  target p95 ≤ {result['target_p95_ms']:.0f} ms: {'met' if result['met'] else 'NOT met'}")
