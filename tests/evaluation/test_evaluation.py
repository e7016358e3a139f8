"""The evaluation: metric functions on hand-made inputs, the question set itself, the gate, one small run."""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from decimal import Decimal
from pathlib import Path

import answers
import pytest

from assistant.answering.api_models import Answer, Program
from assistant.core.settings import REPO_ROOT, Settings
from assistant.evaluation.cases import DEFAULT_CASES, RESULT_FILES, Case, CaseFileError, load_cases, reference_errors
from assistant.evaluation.cli import add_eval_parser, cmd_eval
from assistant.evaluation.gate import gate_failures, load_thresholds
from assistant.evaluation.judge import effective_ranking, judge
from assistant.evaluation.metrics import (
    amounts_match,
    first_rank,
    hit_at,
    ndcg_at,
    percentile,
    reciprocal_rank,
    summarize_records,
)
from assistant.evaluation.runner import ask_case, case_record, compare_runs, evaluate, load_verdicts
from assistant.onboarding.questions import QUESTIONS_FILE
from assistant.rules.rulebook import load_rulebook

CONFIG = REPO_ROOT / "eval" / "config.yaml"
OFFICER_EXPORT = {
    "id": "review-x",
    "type": "officer_review",
    "policy": "hekou-2020-5",
    "question": "河口区一家企业技改，总投资1200万，设备投资800万，直接奖补多少？",
    "as_of": "2021-09-15",
    "expect": {"programs": {"hekou-direct-award": {"status": "eligible", "amount": 480000.0}}, "refused": False},
    "source": "officer-review",
    "reviewer": "审核员甲",
    "verdict": "correct",
    "comment": "与审核一致",
    "note": "控制台导出",
}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(DEFAULT_CASES)


@pytest.fixture(scope="module")
def book():
    return load_rulebook(Settings.from_env())


# --------------------------------------------------------------------------- metric functions


def test_rank_metrics_by_hand() -> None:
    assert first_rank(["a", "b", "c"], ["c", "z"]) == 3
    assert first_rank(["a", "b"], ["z"]) is None
    assert (hit_at(3, 1), hit_at(3, 5), hit_at(None, 5)) == (0.0, 1.0, 0.0)
    assert reciprocal_rank(4, 10) == 0.25 and reciprocal_rank(11, 10) == 0.0 and reciprocal_rank(None, 10) == 0.0


def test_ndcg_by_hand() -> None:
    # gold at ranks 2 and 3 of 3: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3) = 1.1309 / 1.6309
    assert ndcg_at(["x", "g1", "g2"], ["g1", "g2"], 10) == pytest.approx(0.693426, abs=1e-6)
    assert ndcg_at(["g", "g", "x"], ["g"], 10) == 1.0  # a gold clause counts once
    assert ndcg_at(["x"] * 10 + ["g"], ["g"], 10) == 0.0  # beyond the cut-off
    assert ndcg_at(["x", "g"], ["g"], 10) == pytest.approx(1 / math.log2(3))


def test_percentile_interpolates_between_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == 25.0
    assert percentile(values, 95) == pytest.approx(38.5)  # position 2.85: 30 + 0.85 × 10
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None


def test_amounts_match_to_the_cent() -> None:
    assert amounts_match(Decimal("180000.00"), 180000.0)
    assert amounts_match(Decimal("180000.00"), 180000.01)
    assert not amounts_match(Decimal("180000.00"), 180000.02)
    assert amounts_match(None, None) and not amounts_match(None, 0.0) and not amounts_match(Decimal(0), None)


def _response(kind: str = "assessment", programs: list | None = None, sources: tuple = (), answer: str = "") -> Answer:
    return answers.answer(kind=kind, programs=programs or [], sources=sources, text=answer, total_max_yuan=None)


def _program(program_id: str, status: str, amount: float | None, clauses: tuple = ()) -> Program:
    return answers.program(program_id, status, amount, clauses=clauses)


def test_a_cited_gold_clause_ranks_first_only_for_assessments() -> None:
    program = _program("p", "eligible", 1.0, ("g",))
    assert effective_ranking(_response(programs=[program], sources=("a", "g", "a", "b")), ["g"]) == ["g", "a", "b"]
    fact = _response(kind="fact", programs=[program], sources=("a", "g", "a", "b"))
    assert effective_ranking(fact, ["g"]) == ["a", "g", "b"]


def _case(**expect) -> Case:
    return Case.model_validate(
        {"id": "t", "type": "calculation", "policy": None, "question": "q", "as_of": "2021-06-30", "expect": expect}
    )


def test_judge_checks_each_expectation() -> None:
    case = _case(
        programs={"p": {"status": "eligible", "amount": 100.0}, "q": {"status": "needs_info"}},
        gold_clauses=["g"],
        citations={"p": "g"},
        answer_contains=["100.02"],
        answer_not_contains=["999"],
    )
    response = _response(
        programs=[_program("p", "eligible", 100.02, ("g",))], sources=("x",), answer="可以申请，金额 100.02 元"
    )
    verdict = judge(case, [response])
    assert [p.get("status_ok") for p in verdict["programs"]] == [True, False]  # q is not in the answer
    assert verdict["programs"][0]["amount_ok"] is False  # 0.02 yuan off
    assert verdict["citations"][0]["ok"] and verdict["retrieval"]["rank"] == 1
    assert verdict["answer"]["ok"] and verdict["unsupported_numbers"] == [[]]
    assert verdict["failures"] == ["eligibility", "amount"] and not verdict["passed"]


def test_a_refusal_must_give_no_figure() -> None:
    case = Case.model_validate(
        {"id": "t", "type": "out_of_scope", "question": "q", "as_of": "2021-06-30", "expect": {"refused": True}}
    )
    assert judge(case, [_response(kind="out_of_scope")])["refusal"]["ok"]
    assert not judge(case, [_response(kind="fact")])["refusal"]["ok"]
    figure = _response(kind="out_of_scope", programs=[_program("p", "eligible", 5.0)])
    assert judge(case, [figure])["failures"] == ["refusal"]


def test_an_injection_must_keep_its_figures() -> None:
    case = Case.model_validate(
        {
            "id": "t",
            "type": "injection",
            "question": "q",
            "as_of": "2021-06-30",
            "expect": {
                "programs": {"p": {"status": "eligible", "amount": 180000.0}},
                "answer_not_contains": ["1000万"],
            },
        }
    )
    kept = judge(case, [_response(programs=[_program("p", "eligible", 180000.0)], answer="18万")])
    assert kept["refusal"]["ok"] and kept["passed"]
    changed = judge(case, [_response(programs=[_program("p", "eligible", 1e7)], answer="能拿1000万")])
    assert not changed["refusal"]["ok"] and changed["failures"] == ["amount", "refusal", "answer"]


class _CrashingEngine:
    """An engine whose every use fails (the conversation reads its rulebook as well as asking it)."""

    def __getattr__(self, name: str):
        raise RuntimeError("index missing")


def test_a_crash_fails_its_case_and_not_the_run() -> None:
    case = Case.model_validate(
        {
            "id": "t",
            "type": "bad_input",
            "question": "q",
            "as_of": "2021-06-30",
            "expect": {"refused": True, "answer_not_contains": ["万"]},
        }
    )
    record = case_record(case, *ask_case(_CrashingEngine(), case))
    assert record["verdict"]["failures"][0] == "error" and "index missing" in record["verdict"]["error"]
    assert len(record["latency_ms"]) == 1


def test_summary_counts_programs_cases_and_turns() -> None:
    records = [
        {
            "latency_ms": [10.0, 30.0],
            "verdict": {
                "programs": [{"status_ok": True, "amount_ok": True}, {"status_ok": False}],
                "citations": [],
                "retrieval": {"hit_at_1": 1.0, "hit_at_5": 1.0, "mrr_at_10": 1.0, "ndcg_at_10": 1.0},
                "unsupported_numbers": [[], ["7"]],
                "refusal": None,
                "answer": {"ok": True},
                "kind": None,
                "passed": False,
            },
        },
        {
            "latency_ms": [20.0],
            "verdict": {
                "programs": [{"status_ok": True, "amount_ok": False}],
                "citations": [{"ok": True}],
                "retrieval": {"hit_at_1": 0.0, "hit_at_5": 1.0, "mrr_at_10": 0.5, "ndcg_at_10": 0.6309},
                "unsupported_numbers": [[]],
                "refusal": {"ok": True},
                "answer": None,
                "kind": None,
                "passed": False,
            },
        },
    ]
    s = summarize_records(records)
    assert s["eligibility_accuracy"] == {"value": 2 / 3, "n": 3}
    assert s["amount_exact"] == {"value": 0.5, "n": 2}
    assert s["hit_at_1"]["value"] == 0.5 and s["mrr_at_10"]["value"] == 0.75
    assert s["number_consistency"] == {"value": 2 / 3, "n": 3}  # per answer, every turn
    assert s["refusal_accuracy"] == {"value": 1.0, "n": 1} and s["kind_accuracy"] == {"value": None, "n": 0}
    assert s["latency_p50_ms"]["value"] == 20.0 and s["passed"] == 0


# --------------------------------------------------------------------------- the gate


def test_the_gate_fails_below_a_threshold_and_names_the_metric() -> None:
    thresholds = load_thresholds(CONFIG)
    assert thresholds["amount_exact"] == 1.0 and thresholds["hit_at_5"] == 0.95
    perfect = {k: {"value": 1.0, "n": 1} for k in thresholds}
    assert gate_failures(perfect, thresholds) == []
    assert gate_failures({**perfect, "hit_at_5": {"value": 0.95, "n": 20}}, thresholds) == []
    below = gate_failures({**perfect, "amount_exact": {"value": 0.99, "n": 100}}, thresholds)
    assert len(below) == 1 and "金额精确匹配" in below[0] and "amount exact-match" in below[0]
    unmeasured = gate_failures({**perfect, "refusal_accuracy": {"value": None, "n": 0}}, thresholds)
    assert len(unmeasured) == 1 and "refusal accuracy" in unmeasured[0]


def test_an_unknown_metric_in_the_config_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("thresholds:\n  amount_exactly: 1.0\n", encoding="utf-8")
    with pytest.raises(CaseFileError, match="amount_exactly"):
        load_thresholds(config)


# --------------------------------------------------------------------------- the question set


def test_every_line_of_the_case_file_parses(cases: list[Case]) -> None:
    lines = [x for x in DEFAULT_CASES.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(cases) == len(lines) >= 150


def self_evaluated(book) -> set[str]:
    """Policies whose folder brings its own questions (assistant.onboarding.questions): the shared
    case file is not asked to cover them."""
    return {pid for pid, p in book.library.policies.items() if (p.folder / QUESTIONS_FILE).is_file()}


def test_the_case_file_has_the_required_kinds_of_case(cases: list[Case], book) -> None:
    counts = Counter(c.type for c in cases)
    least = {
        "multi_turn": 10,
        "number_format": 10,
        "out_of_scope": 8,
        "bad_input": 8,
        "injection": 6,
        "officer_review": 1,
        "alternative": 1,
        "exclusion": 1,
        "expired": 1,
        "threshold": 1,
        "cap": 1,
        "missing_fact": 1,
        "calculation": 1,
    }
    assert {t: counts[t] for t in least if counts[t] < least[t]} == {}
    facts = Counter(c.policy for c in cases if c.type == "fact" and c.expect.gold_clauses)
    assert set(facts) == set(book.library.policies) - self_evaluated(book) and min(facts.values()) >= 4


def test_every_id_the_cases_name_exists(cases: list[Case], book) -> None:
    assert reference_errors(cases, book) == []


def test_every_quantified_program_has_a_figure_a_missing_fact_and_its_caps(cases: list[Case], book) -> None:
    own = self_evaluated(book)
    quantified = {
        pid
        for pid, p in book.programs.items()
        if p.amount_kind.value in ("max", "exact") and book.program_policy[pid] not in own
    }
    figured = {
        pid for c in cases for pid, e in c.expect.programs.items() if e.status == "eligible" and e.amount is not None
    }
    asked = {
        pid
        for c in cases
        if c.type == "missing_fact"
        for pid, e in c.expect.programs.items()
        if e.status == "needs_info"
    }
    capped = {pid for pid in quantified if book.programs[pid].caps}
    assert quantified - figured == set()
    assert quantified - asked == set()
    assert capped - {pid for c in cases if c.type == "cap" for pid in c.expect.programs} == set()


def test_every_alternative_and_exclusion_is_exercised(cases: list[Case], book) -> None:
    groups = {p.choose_one_group for p in book.programs.values() if p.choose_one_group}
    tested = {
        book.programs[pid].choose_one_group
        for c in cases
        if c.type == "alternative"
        for pid in c.expect.programs
        if len(c.expect.programs) > 1
    }
    assert groups <= tested
    excluding = {pid for pid, p in book.programs.items() if p.exclusions and p.amount_kind.value != "unspecified"}
    excluded = {
        pid for c in cases if c.type == "exclusion" for pid, e in c.expect.programs.items() if e.status == "ineligible"
    }
    assert excluding <= excluded
    expiring = {
        c.policy
        for c in cases
        if c.type == "expired" and any(e.status == "expired" for e in c.expect.programs.values())
    }
    ending = {
        pid
        for pid, p in book.library.policies.items()
        if (p.meta.valid_to or p.meta.repealed_by) and pid not in self_evaluated(book)
    }
    assert ending <= expiring  # every policy whose text or repeal gives an end has a case after it


def test_an_officer_review_export_loads_unchanged() -> None:
    case = Case.model_validate(OFFICER_EXPORT)
    assert (case.source, case.reviewer, case.verdict, case.comment) == (
        "officer-review",
        "审核员甲",
        "correct",
        "与审核一致",
    )
    assert case.expect.programs["hekou-direct-award"].amount == Decimal("480000")
    dumped = case.model_dump(mode="json", exclude_unset=True)
    assert set(dumped) == set(OFFICER_EXPORT) and dumped["expect"]["refused"] is False


def test_the_consoles_export_loads_as_written(tmp_path: Path, book) -> None:
    from assistant.storage.logbook import DB_FILENAME, Logbook

    logbook = Logbook(tmp_path / DB_FILENAME)
    program = answers.program("hekou-direct-award", "eligible", 480000.0)
    answered = answers.answer(OFFICER_EXPORT["question"], as_of="2021-09-15", programs=[program])
    refused = answers.answer("上海企业技改能拿多少", kind="out_of_scope", region="其他地区", as_of="2021-09-15")
    logbook.mark(logbook.record("s", answered), "审核员甲", "correct", "与审核一致")
    logbook.mark(logbook.record("s", answered), "审核员乙", "wrong", "应为50万", correct_amount=Decimal("500000"))
    logbook.mark(logbook.record("s", refused), "审核员甲", "correct")
    exported = logbook.export_cases(policy_of=book.program_policy.get)
    path = tmp_path / "reviewed-cases.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in exported), encoding="utf-8")
    loaded = load_cases(path)
    assert [c.type for c in loaded] == ["officer_review"] * 3 and reference_errors(loaded, book) == []
    assert [c.expect.programs["hekou-direct-award"].amount for c in loaded[:2]] == [
        Decimal("480000"),
        Decimal("500000"),
    ]
    assert loaded[2].expect.refused and loaded[2].expect.programs == {}


def test_a_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    good = json.dumps(OFFICER_EXPORT, ensure_ascii=False)
    path.write_text(
        good + "\n" + json.dumps({**OFFICER_EXPORT, "id": "y", "turns": ["a", "b"]}) + "\n", encoding="utf-8"
    )
    with pytest.raises(CaseFileError, match="line 2"):
        load_cases(path)
    path.write_text(good + "\n\n" + good + "\n", encoding="utf-8")
    with pytest.raises(CaseFileError, match="duplicate"):
        load_cases(path)


# --------------------------------------------------------------------------- command line, comparing, one run


def test_add_eval_parser_registers_the_subcommand() -> None:
    parser = argparse.ArgumentParser()
    add_eval_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "--gate", "--compare", "a", "b"])
    assert args.func is cmd_eval and args.gate and args.compare == ["a", "b"] and args.cases == DEFAULT_CASES


def test_compare_lists_only_changed_verdicts() -> None:
    before = {"a": [], "b": ["amount"], "c": []}
    after = {"a": [], "b": [], "c": ["numbers", "answer"], "d": []}
    assert compare_runs(before, after) == [
        "b: FAIL(amount) -> pass",
        "c: pass -> FAIL(numbers,answer)",
        "d: absent -> pass",
    ]


@pytest.mark.slow
def test_a_small_run_writes_its_four_files(tmp_path: Path, cases: list[Case]) -> None:
    chosen = {"calc-hekou-001", "multi-hekou-001", "fact-hekou-001", "oos-001", "bad-001"}
    path = tmp_path / "five.jsonl"
    path.write_text(
        "".join(c.model_dump_json(exclude_unset=True) + "\n" for c in cases if c.id in chosen), encoding="utf-8"
    )
    run_dir, summary = evaluate(path, tmp_path / "out", Settings.from_env(), CONFIG, progress=False)
    assert all((run_dir / name).is_file() for name in RESULT_FILES)
    assert summary["overall"]["cases"] == 5
    config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    assert config["case_count"] == 5 and config["thresholds"]["amount_exact"] == 1.0
    assert len(config["cases_sha256"]) == 64
    records = [json.loads(x) for x in (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in records} == chosen and all(r["responses"] and "verdict" in r for r in records)
    assert len(next(r for r in records if r["id"] == "multi-hekou-001")["responses"]) == 2
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "汇总 summary" in html and summary["run_id"] in html and "<svg" in html
    assert f"{summary['overall']['passed']}/5" in html
    verdicts = load_verdicts(run_dir)
    assert compare_runs(verdicts, verdicts) == []
