"""Metrics of the evaluation: the retrieval measures per case and the summaries over many cases."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from assistant.evaluation.cases import AMOUNT_TOLERANCE, NO_POLICY

# --------------------------------------------------------------------------- metric functions


def first_rank(ranking: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first gold item in `ranking`, None when absent."""
    wanted = set(gold)
    return next((i for i, item in enumerate(ranking, start=1) if item in wanted), None)


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def ndcg_at(ranking: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Binary-relevance nDCG: each gold item counts once, at its first position in the top k."""
    wanted = set(gold)
    if not wanted:
        return 0.0
    found: set[str] = set()
    dcg = 0.0
    for i, item in enumerate(ranking[:k], start=1):
        if item in wanted and item not in found:
            found.add(item)
            dcg += 1.0 / math.log2(i + 1)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def amounts_match(expected: Decimal | None, got: float | None) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return abs(Decimal(str(got)) - expected) <= AMOUNT_TOLERANCE


# --------------------------------------------------------------------------- summarising


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Literal["share", "ms"] = "share"


METRICS = (
    Metric("eligibility_accuracy", "资格判定准确率", "eligibility accuracy"),
    Metric("amount_exact", "金额精确匹配", "amount exact-match"),
    Metric("citation_accuracy", "引用准确率", "citation accuracy"),
    Metric("hit_at_1", "检索命中@1", "retrieval hit@1"),
    Metric("hit_at_5", "检索命中@5", "retrieval hit@5"),
    Metric("mrr_at_10", "MRR@10", "MRR@10"),
    Metric("ndcg_at_10", "nDCG@10", "nDCG@10"),
    Metric("number_consistency", "数字一致性", "number consistency"),
    Metric("refusal_accuracy", "拒答准确率", "refusal accuracy"),
    Metric("answer_pass_rate", "答案用语通过率", "answer contains/not-contains"),
    Metric("kind_accuracy", "回答类型准确率", "kind accuracy"),
    Metric("latency_p50_ms", "单轮时延P50", "latency p50 per turn", "ms"),
    Metric("latency_p95_ms", "单轮时延P95", "latency p95 per turn", "ms"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


def summarize_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every metric as {value, n}: n is what the share is over (programs, cases or turns)."""
    verdicts = [r["verdict"] for r in records]
    programs = [p for v in verdicts for p in v["programs"]]
    status = [p["status_ok"] for p in programs if "status_ok" in p]
    amount = [p["amount_ok"] for p in programs if "amount_ok" in p]
    cites = [c["ok"] for v in verdicts for c in v["citations"]]
    retrieval = [v["retrieval"] for v in verdicts if v["retrieval"] is not None]
    turns = [not u for v in verdicts for u in v["unsupported_numbers"]]
    refusal = [v["refusal"]["ok"] for v in verdicts if v["refusal"] is not None]
    answers = [v["answer"]["ok"] for v in verdicts if v["answer"] is not None]
    kinds = [v["kind"]["ok"] for v in verdicts if v["kind"] is not None]
    latencies = [x for r in records for x in r["latency_ms"]]

    def share(flags: list[bool]) -> dict[str, Any]:
        return {"value": ratio(sum(flags), len(flags)), "n": len(flags)}

    def mean(key: str) -> dict[str, Any]:
        values = [r[key] for r in retrieval]
        return {"value": sum(values) / len(values) if values else None, "n": len(values)}

    return {
        "cases": len(records),
        "passed": sum(1 for v in verdicts if v["passed"]),
        "eligibility_accuracy": share(status),
        "amount_exact": share(amount),
        "citation_accuracy": share(cites),
        "hit_at_1": mean("hit_at_1"),
        "hit_at_5": mean("hit_at_5"),
        "mrr_at_10": mean("mrr_at_10"),
        "ndcg_at_10": mean("ndcg_at_10"),
        "number_consistency": share(turns),
        "refusal_accuracy": share(refusal),
        "answer_pass_rate": share(answers),
        "kind_accuracy": share(kinds),
        "latency_p50_ms": {"value": percentile(latencies, 50), "n": len(latencies)},
        "latency_p95_ms": {"value": percentile(latencies, 95), "n": len(latencies)},
    }


def grouped(records: Sequence[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], str]) -> dict[str, Any]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: summarize_records(groups[name]) for name in sorted(groups)}


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "overall": summarize_records(records),
        "by_policy": grouped(records, lambda r: r["policy"] or NO_POLICY),
        "by_type": grouped(records, lambda r: r["type"]),
    }
