"""The release gate and the table printed after a run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.evaluation.cases import CaseFileError
from assistant.evaluation.metrics import METRIC_BY_KEY, METRICS

# --------------------------------------------------------------------------- the gate


def load_thresholds(path: Path) -> dict[str, float]:
    """eval/config.yaml `thresholds`: metric key -> the least value a release accepts."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    thresholds = data.get("thresholds") or {}
    unknown = [k for k in thresholds if k not in METRIC_BY_KEY]
    if unknown:
        raise CaseFileError(f"{path}: 未知指标 / unknown metrics {unknown}")
    return {k: float(v) for k, v in thresholds.items()}


def gate_failures(overall: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """One Chinese+English line per missed threshold; a metric with nothing to measure is a miss."""
    failures = []
    for key, least in thresholds.items():
        metric = METRIC_BY_KEY[key]
        value = overall[key]["value"]
        if value is None:
            failures.append(f"未达标：{metric.zh} 无可评测的用例 / gate failed: {metric.en} ({key}) was not measured")
        elif value < least:
            failures.append(
                f"未达标：{metric.zh} {value:.4f} < {least:.4f} / "
                f"gate failed: {metric.en} ({key}) {value:.4f} < {least:.4f}"
            )
    return failures


# --------------------------------------------------------------------------- console output


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if unit == "ms" else f"{value * 100:.1f}%"


TABLE_METRICS = [m for m in METRICS if m.key != "kind_accuracy"]
SHORT = {
    "eligibility_accuracy": "elig",
    "amount_exact": "amount",
    "citation_accuracy": "cite",
    "hit_at_1": "hit@1",
    "hit_at_5": "hit@5",
    "mrr_at_10": "MRR@10",
    "ndcg_at_10": "nDCG@10",
    "number_consistency": "numbers",
    "refusal_accuracy": "refusal",
    "answer_pass_rate": "answer",
    "latency_p50_ms": "p50ms",
    "latency_p95_ms": "p95ms",
}


def format_table(summary: Mapping[str, Any]) -> str:
    """The summary as a fixed-width table: overall, then per policy, then per case type."""
    header = f"{'':<26}{'cases':>6}{'pass':>6}" + "".join(f"{SHORT[m.key]:>9}" for m in TABLE_METRICS)
    lines = [header, "-" * len(header)]

    def row(label: str, s: Mapping[str, Any]) -> str:
        cells = "".join(f"{_cell(s[m.key]['value'], m.unit):>9}" for m in TABLE_METRICS)
        return f"{label:<26}{s['cases']:>6}{s['passed']:>6}{cells}"

    lines.append(row("ALL", summary["overall"]))
    for title, section in (("policy", "by_policy"), ("type", "by_type")):
        lines.append(f"-- by {title}")
        lines += [row(f"  {name}", s) for name, s in summary[section].items()]
    return "\n".join(lines)
