"""The retrieval benchmark's gold questions, and how a ranking is scored against them by character span."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_K = 10
KINDS = ("lexical", "paraphrase")


# --------------------------------------------------------------------------- gold set


class GoldError(ValueError):
    """The gold file is unreadable or inconsistent with the corpus; the message says where."""


@dataclass(frozen=True)
class GoldQuestion:
    """One benchmark question and the clause ids that answer it."""

    id: str
    question: str
    gold: tuple[str, ...]
    policy: str
    kind: str
    note: str = ""
    # Clauses a blind judge found also answer the question, from a pool of every system's top 5
    # (TREC-style pooling), so a system is not marked wrong for citing an equally good clause.
    also_relevant: tuple[str, ...] = ()

    @property
    def relevant(self) -> tuple[str, ...]:
        return self.gold + tuple(c for c in self.also_relevant if c not in self.gold)


def parse_gold_line(line: str, where: str) -> GoldQuestion:
    """One JSONL record, checked field by field so a typo fails loudly instead of scoring zero."""
    try:
        d = json.loads(line)
    except json.JSONDecodeError as err:
        raise GoldError(f"{where}: not valid JSON: {err.msg}") from None
    if not isinstance(d, dict):
        raise GoldError(f"{where}: expected a JSON object")
    gold = d.get("gold")
    if not isinstance(gold, list) or not gold or not all(isinstance(g, str) and g for g in gold):
        raise GoldError(f"{where}: 'gold' must be a non-empty list of clause ids")
    for name in ("id", "question", "policy", "kind"):
        if not isinstance(d.get(name), str) or not d[name].strip():
            raise GoldError(f"{where}: missing string field {name!r}")
    if d["kind"] not in KINDS:
        raise GoldError(f"{where}: kind must be one of {KINDS}, got {d['kind']!r}")
    also = d.get("also_relevant", [])
    if not isinstance(also, list) or not all(isinstance(c, str) and c for c in also):
        raise GoldError(f"{where}: 'also_relevant' must be a list of clause ids")
    return GoldQuestion(
        d["id"], d["question"], tuple(gold), d["policy"], d["kind"], str(d.get("note", "")), tuple(also)
    )


def load_gold(path: Path) -> list[GoldQuestion]:
    """Every non-blank line of the gold file as a question; ids must be unique."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GoldError(f"cannot read gold file {path}: {err.strerror}") from None
    questions = [parse_gold_line(line, f"{path}:{n}") for n, line in enumerate(lines, 1) if line.strip()]
    duplicates = [i for i, c in Counter(q.id for q in questions).items() if c > 1]
    if duplicates:
        raise GoldError(f"{path}: duplicate question ids {duplicates}")
    if not questions:
        raise GoldError(f"{path}: no questions")
    return questions


# --------------------------------------------------------------------------- spans and metrics


@dataclass(frozen=True)
class Span:
    """A piece of one policy's source.txt, [start, end); `label` names it in reports only."""

    policy_id: str
    start: int
    end: int
    label: str = field(default="", compare=False)

    def overlaps(self, other: Span) -> bool:
        """Same policy and at least one character in common: the relevance judge for every system."""
        return self.policy_id == other.policy_id and self.start < other.end and other.start < self.end


def gold_spans(questions: Sequence[GoldQuestion], clauses: Mapping[str, Any]) -> dict[str, list[Span]]:
    """Each question's gold clauses as spans; an id missing from the corpus is an error, not a miss."""
    missing = sorted({g for q in questions for g in q.relevant if g not in clauses})
    if missing:
        raise GoldError(f"gold clause ids not in the corpus: {missing}")
    spans = {}
    for q in questions:
        spans[q.id] = [Span(clauses[g].policy_id, clauses[g].start, clauses[g].end, g) for g in q.relevant]
    return spans


def first_relevant_rank(ranked: Sequence[Span], gold: Sequence[Span], k: int) -> int | None:
    """1-based rank of the first result in the top k overlapping any gold span, or None."""
    for rank, result in enumerate(ranked[:k], start=1):
        if any(result.overlaps(g) for g in gold):
            return rank
    return None


def hit_at(ranked: Sequence[Span], gold: Sequence[Span], k: int) -> float:
    """1.0 when some relevant result is in the top k: did the reader get the answer on screen?"""
    return 0.0 if first_relevant_rank(ranked, gold, k) is None else 1.0


def mrr_at(ranked: Sequence[Span], gold: Sequence[Span], k: int = DEFAULT_K) -> float:
    """Reciprocal rank of the first relevant result in the top k (0 when none): how far one reads."""
    rank = first_relevant_rank(ranked, gold, k)
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at(ranked: Sequence[Span], gold: Sequence[Span], k: int = DEFAULT_K) -> float:
    """Binary-gain nDCG@k where each gold clause is credited at most once.

    Why a matching rather than "any overlap scores": a clause split into several units, or several
    overlapping chunks of one clause, must not earn more than the clause itself. Results are
    credited in rank order, re-assigning earlier results along augmenting paths when that frees a
    clause, which gives the best DCG any one-to-one crediting allows. The ideal DCG assumes
    min(len(gold), k) relevant results at the top.
    """
    top = list(ranked[:k])
    edges = [[g for g, span in enumerate(gold) if result.overlaps(span)] for result in top]
    owner: dict[int, int] = {}  # gold index -> result index credited with it
    dcg = sum(1.0 / math.log2(i + 2) for i in range(len(top)) if _credit(i, edges, owner, set()))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal if ideal else 0.0


def _credit(result: int, edges: list[list[int]], owner: dict[int, int], seen: set[int]) -> bool:
    """Kuhn's augmenting path: give `result` a gold clause, moving earlier results if needed."""
    for g in edges[result]:
        if g in seen:
            continue
        seen.add(g)
        if g not in owner or _credit(owner[g], edges, owner, seen):
            owner[g] = result
            return True
    return False


def score_question(ranked: Sequence[Span], gold: Sequence[Span], k: int) -> dict[str, float]:
    """All per-question metrics; averaged over questions they give the table's figures."""
    return {
        "hit@1": hit_at(ranked, gold, 1),
        "hit@5": hit_at(ranked, gold, 5),
        f"mrr@{k}": mrr_at(ranked, gold, k),
        f"ndcg@{k}": ndcg_at(ranked, gold, k),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), 0.0 for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0
