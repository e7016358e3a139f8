"""`python -m assistant eval`: the question set run end to end, scored, and held to a release gate.

Every case goes through the web page's own code path — one `Engine` for the run, a fresh
`Conversation` per case — so what is scored is what a user would see, including multi-turn state.
Expected figures in eval/cases.jsonl are computed by hand from the policy texts; a case that fails
is a finding about the code or about the case, never something to tune away.

Per case the runner records each check (status, amount, citation, retrieval rank, the number check,
refusal, answer words, kind) so that a summary, a per-policy or per-type breakdown, the HTML report
and a comparison of two runs are all computed from the same verdicts in results.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.settings import REPO_ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time

DEFAULT_CASES = REPO_ROOT / "eval" / "cases.jsonl"
DEFAULT_CONFIG = REPO_ROOT / "eval" / "config.yaml"
DEFAULT_OUT = REPO_ROOT / "eval" / "results"
RESULT_FILES = ("config.json", "results.jsonl", "summary.json", "report.html")

CASE_TYPES = ("calculation", "threshold", "cap", "missing_fact", "expired", "alternative", "exclusion", "fact",
              "multi_turn", "number_format", "out_of_scope", "bad_input", "injection", "officer_review")
# Cases of these types are scored on refusal: refused ones give no figure, injected ones keep theirs.
REFUSAL_TYPES = ("out_of_scope", "bad_input", "injection")
REFUSED_KINDS = ("bad_input", "out_of_scope")
AMOUNT_TOLERANCE = Decimal("0.01")  # yuan: figures are exact to the cent
RETRIEVAL_K = 10
NO_POLICY = "(none)"
# A question asked once before timing starts: loading the index and the model is start-up, not a turn.
WARM_UP = "河口区技改项目总投资500万，设备投资300万，能拿多少？"

Status = Literal["eligible", "ineligible", "needs_info", "expired"]
Kind = Literal["assessment", "fact", "out_of_scope", "bad_input"]
CaseType = Literal[CASE_TYPES]  # type: ignore[valid-type]


class CaseFileError(ValueError):
    """The case file is unreadable or inconsistent; the message names the line or the case."""


# --------------------------------------------------------------------------- the case file


class ProgramExpectation(BaseModel):
    """What one program must show. `amount` absent: not checked; `amount: null`: no figure at all."""

    model_config = ConfigDict(extra="forbid")
    status: Status | None = None
    amount: Decimal | None = None

    @model_validator(mode="after")
    def _says_something(self) -> "ProgramExpectation":
        if self.status is None and "amount" not in self.model_fields_set:
            raise ValueError("give a status, an amount, or both")
        return self

    @property
    def checks_amount(self) -> bool:
        return "amount" in self.model_fields_set


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programs: dict[str, ProgramExpectation] = {}
    gold_clauses: list[str] = []  # clause ids retrieval should find
    citations: dict[str, str] = {}  # program id -> the clause its citation must come from
    answer_contains: list[str] = []
    answer_not_contains: list[str] = []
    refused: bool = False  # True: no figure (kind bad_input or out_of_scope, no program with an amount)
    kind: Kind | None = None


class Case(BaseModel):
    """One line of eval/cases.jsonl. Officer reviews exported by the console load as they are."""

    model_config = ConfigDict(extra="forbid")
    id: str
    type: CaseType
    policy: str | None = None  # the policy the case is about; None for places and subjects none covers
    question: str | None = None
    turns: list[str] | None = None  # multi_turn: the expectations apply to the last turn
    as_of: date
    expect: Expectation
    note: str = ""
    source: str | None = None  # officer_review: "officer-review"
    reviewer: str | None = None
    verdict: str | None = None
    comment: str | None = None

    @model_validator(mode="after")
    def _one_way_to_ask(self) -> "Case":
        if (self.question is None) == (self.turns is None):
            raise ValueError("give exactly one of question and turns")
        if (self.type == "multi_turn") != (self.turns is not None):
            raise ValueError("turns are for multi_turn cases, and multi_turn cases need turns")
        if self.turns is not None and len(self.turns) < 2:
            raise ValueError("a multi_turn case needs at least two turns")
        if self.type == "officer_review" and not (self.source and self.reviewer and self.verdict):
            raise ValueError("an officer review needs source, reviewer and verdict")
        return self

    @property
    def asked(self) -> list[str]:
        return self.turns if self.turns is not None else [self.question or ""]


def load_cases(path: Path) -> list[Case]:
    """Every non-blank line as a Case; raises CaseFileError naming the first bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise CaseFileError(f"无法读取用例文件 {path}：{err.strerror}") from None
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = Case.model_validate_json(line)
        except ValidationError as err:
            raise CaseFileError(f"{path} 第{number}行不合格式 / line {number} is invalid: {err}") from None
        if case.id in seen:
            raise CaseFileError(f"{path} 第{number}行：用例编号 {case.id} 重复 / duplicate case id")
        seen.add(case.id)
        cases.append(case)
    return cases


def reference_errors(cases: Iterable[Case], book: Any) -> list[str]:
    """Policy, program and clause ids the cases name that the rulebook does not know."""
    errors = []
    for case in cases:
        if case.policy is not None and case.policy not in book.corpus.policies:
            errors.append(f"{case.id}: unknown policy {case.policy}")
        named = list(case.expect.programs) + list(case.expect.citations)
        errors += [f"{case.id}: unknown program {p}" for p in named if p not in book.programs]
        clauses = list(case.expect.gold_clauses) + list(case.expect.citations.values())
        errors += [f"{case.id}: unknown clause {c}" for c in clauses if c not in book.corpus.clauses]
    return errors


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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


# --------------------------------------------------------------------------- judging one case


def effective_ranking(response: Mapping[str, Any], gold: Sequence[str]) -> list[str]:
    """Clause ids in the order a user meets them: for an assessment, a gold clause its programs cite
    comes first (the answer quotes it), then the retrieved sources, each clause once."""
    cited = []
    if response.get("kind") == "assessment":
        cited = [g for g in gold if any(c["clause"] == g for p in response["programs"] for c in p["citations"])]
    ranking: list[str] = []
    for clause in cited + [s["clause"] for s in response.get("sources", [])]:
        if clause not in ranking:
            ranking.append(clause)
    return ranking


def _gives_figure(response: Mapping[str, Any]) -> bool:
    return response.get("total_max_yuan") is not None or any(
        p.get("amount_yuan") is not None for p in response.get("programs", []))


def program_checks(expect: Expectation, by_id: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for program_id, want in expect.programs.items():
        got = by_id.get(program_id)
        row: dict[str, Any] = {"program_id": program_id, "found": got is not None,
                               "expected_status": want.status, "got_status": got["status"] if got else None,
                               "expected_amount": float(want.amount) if want.amount is not None else None,
                               "got_amount": got["amount_yuan"] if got else None}
        if want.status is not None:
            row["status_ok"] = got is not None and got["status"] == want.status
        if want.checks_amount:
            row["amount_ok"] = got is not None and amounts_match(want.amount, got["amount_yuan"])
        rows.append(row)
    return rows


def citation_checks(expect: Expectation, by_id: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for program_id, clause in expect.citations.items():
        got = [c["clause"] for c in by_id[program_id]["citations"]] if program_id in by_id else []
        rows.append({"program_id": program_id, "gold": clause, "got": got, "ok": clause in got})
    return rows


def retrieval_check(expect: Expectation, final: Mapping[str, Any]) -> dict[str, Any] | None:
    if not expect.gold_clauses:
        return None
    ranking = effective_ranking(final, expect.gold_clauses)
    rank = first_rank(ranking, expect.gold_clauses)
    return {"gold": expect.gold_clauses, "ranking": ranking, "rank": rank,
            "hit_at_1": hit_at(rank, 1), "hit_at_5": hit_at(rank, 5),
            "mrr_at_10": reciprocal_rank(rank, RETRIEVAL_K),
            "ndcg_at_10": ndcg_at(ranking, expect.gold_clauses, RETRIEVAL_K)}


def refusal_check(case: Case, final: Mapping[str, Any], programs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Refused cases give no figure; the others of a refusal type (injections) keep the expected figures,
    or give none when none is expected."""
    if case.type not in REFUSAL_TYPES and not case.expect.refused:
        return None
    figure = _gives_figure(final)
    if case.expect.refused:
        ok = final.get("kind") in REFUSED_KINDS and not figure
    elif programs:
        ok = all(p.get("status_ok", True) and p.get("amount_ok", True) for p in programs)
    else:
        ok = not figure
    return {"refused_expected": case.expect.refused, "kind": final.get("kind"), "figure": figure, "ok": ok}


def answer_check(expect: Expectation, final: Mapping[str, Any]) -> dict[str, Any] | None:
    if not (expect.answer_contains or expect.answer_not_contains):
        return None
    text = final.get("answer", "")
    missing = [s for s in expect.answer_contains if s not in text]
    forbidden = [s for s in expect.answer_not_contains if s in text]
    return {"missing": missing, "forbidden": forbidden, "ok": not missing and not forbidden}


def judge(case: Case, responses: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every check that applies to the case, on the final response; the number check on every turn."""
    from assistant.grounding import unsupported_numbers

    final, expect = responses[-1], case.expect
    by_id = {p["program_id"]: p for p in final.get("programs", [])}
    programs = program_checks(expect, by_id)
    kind = None
    if expect.kind is not None:
        kind = {"expected": expect.kind, "got": final.get("kind"), "ok": final.get("kind") == expect.kind}
    verdict = {
        "error": final.get("error"),
        "programs": programs,
        "citations": citation_checks(expect, by_id),
        "retrieval": retrieval_check(expect, final),
        "unsupported_numbers": [unsupported_numbers(r.get("answer", ""), dict(r)) for r in responses],
        "refusal": refusal_check(case, final, programs),
        "answer": answer_check(expect, final),
        "kind": kind,
    }
    verdict["failures"] = failed_checks(verdict)
    verdict["passed"] = not verdict["failures"]
    return verdict


def failed_checks(verdict: Mapping[str, Any]) -> list[str]:
    """Names of the checks a verdict fails, in a fixed order (used by the report and --compare)."""
    failures = ["error"] if verdict.get("error") else []
    if any(not p.get("status_ok", True) for p in verdict["programs"]):
        failures.append("eligibility")
    if any(not p.get("amount_ok", True) for p in verdict["programs"]):
        failures.append("amount")
    if any(not c["ok"] for c in verdict["citations"]):
        failures.append("citation")
    if verdict["retrieval"] is not None and not verdict["retrieval"]["hit_at_5"]:
        failures.append("retrieval")
    if any(verdict["unsupported_numbers"]):
        failures.append("numbers")
    if verdict["refusal"] is not None and not verdict["refusal"]["ok"]:
        failures.append("refusal")
    if verdict["answer"] is not None and not verdict["answer"]["ok"]:
        failures.append("answer")
    if verdict["kind"] is not None and not verdict["kind"]["ok"]:
        failures.append("kind")
    return failures


# --------------------------------------------------------------------------- running


def ask_case(engine: Any, case: Case) -> tuple[list[dict[str, Any]], list[float]]:
    """The case's turns through a fresh Conversation, as the web page runs them; wall time per turn."""
    from assistant.conversation import Conversation

    chat = Conversation(engine, case.as_of)
    responses, latencies = [], []
    for text in case.asked:
        started = time.perf_counter()
        try:
            responses.append(chat.ask(text))
        except Exception as err:  # a crash is a finding about this case; the run goes on
            responses.append({"kind": "error", "error": f"{type(err).__name__}: {err}", "answer": "",
                              "programs": [], "sources": [], "total_max_yuan": None})
            latencies.append((time.perf_counter() - started) * 1000)
            break
        latencies.append((time.perf_counter() - started) * 1000)
    return responses, latencies


def case_record(case: Case, responses: list[dict[str, Any]], latencies: list[float]) -> dict[str, Any]:
    return {"id": case.id, "type": case.type, "policy": case.policy, "as_of": case.as_of.isoformat(),
            "asked": case.asked, "expect": case.expect.model_dump(mode="json", exclude_unset=True),
            "note": case.note, "latency_ms": [round(x, 2) for x in latencies], "responses": responses,
            "verdict": judge(case, responses)}


def run_cases(engine: Any, cases: Sequence[Case], progress: bool = True) -> list[dict[str, Any]]:
    from tqdm import tqdm

    records = []
    for case in tqdm(cases, desc="eval", unit="case", disable=not progress, file=sys.stderr):
        records.append(case_record(case, *ask_case(engine, case)))
    return records


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
    return {"overall": summarize_records(records),
            "by_policy": grouped(records, lambda r: r["policy"] or NO_POLICY),
            "by_type": grouped(records, lambda r: r["type"])}


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
            failures.append(f"未达标：{metric.zh} {value:.4f} < {least:.4f} / "
                            f"gate failed: {metric.en} ({key}) {value:.4f} < {least:.4f}")
    return failures


# --------------------------------------------------------------------------- console output


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if unit == "ms" else f"{value * 100:.1f}%"


TABLE_METRICS = [m for m in METRICS if m.key != "kind_accuracy"]
SHORT = {"eligibility_accuracy": "elig", "amount_exact": "amount", "citation_accuracy": "cite", "hit_at_1": "hit@1",
         "hit_at_5": "hit@5", "mrr_at_10": "MRR@10", "ndcg_at_10": "nDCG@10", "number_consistency": "numbers",
         "refusal_accuracy": "refusal", "answer_pass_rate": "answer", "latency_p50_ms": "p50ms",
         "latency_p95_ms": "p95ms"}


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


# --------------------------------------------------------------------------- a run on disk


def git_hash() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def new_run_id(now: datetime, commit: str | None) -> str:
    return now.strftime("%Y%m%d-%H%M%S") + (f"-{commit}" if commit else "")


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}


def evaluate(cases_path: Path, out_dir: Path, settings: Settings, config_path: Path = DEFAULT_CONFIG,
             progress: bool = True) -> tuple[Path, dict[str, Any]]:
    """Run every case, write the four result files under out_dir/<run id>, return (run dir, summary)."""
    from assistant.engine import Engine
    from assistant.report import render_report

    started = time.perf_counter()
    cases = load_cases(cases_path)
    thresholds = load_thresholds(config_path)
    engine = Engine.load(settings)
    errors = reference_errors(cases, engine.book)
    if errors:
        raise CaseFileError("用例引用了不存在的政策、项目或条款 / cases name unknown ids:\n  " + "\n  ".join(errors))
    warm = time.perf_counter()
    engine.ask(WARM_UP, date(2021, 6, 30))
    startup_ms = (time.perf_counter() - warm) * 1000
    records = run_cases(engine, cases, progress)
    summary = summarize(records)
    commit = git_hash()
    now = datetime.now()
    run_id = new_run_id(now, commit)
    summary.update(run_id=run_id, gate=gate_failures(summary["overall"], thresholds),
                   runtime_s=round(time.perf_counter() - started, 2), startup_ms=round(startup_ms, 1))
    run_dir = Path(out_dir) / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    config = {"run_id": run_id, "started_at": now.isoformat(timespec="seconds"), "git_commit": commit,
              "cases_file": str(cases_path), "cases_sha256": file_sha256(cases_path), "case_count": len(cases),
              "config_file": str(config_path), "thresholds": thresholds, "settings": _settings_json(settings),
              "python": platform.python_version()}
    _write_json(run_dir / "config.json", config)
    with open(run_dir / "results.jsonl", "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    _write_json(run_dir / "summary.json", summary)
    (run_dir / "report.html").write_text(render_report(config, summary, records, thresholds), encoding="utf-8")
    return run_dir, summary


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- comparing runs


def resolve_run(name: str, out_dir: Path) -> Path:
    """A run given as its directory, or as its id under out_dir."""
    for candidate in (Path(name), Path(out_dir) / name):
        if (candidate / "results.jsonl").is_file():
            return candidate
    raise CaseFileError(f"找不到评测结果 {name}（应为含 results.jsonl 的目录或 {out_dir} 下的运行编号）"
                        f" / no run {name}")


def load_verdicts(run_dir: Path) -> dict[str, list[str]]:
    """case id -> its failed checks (empty: passed)."""
    out = {}
    with open(run_dir / "results.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                out[record["id"]] = record["verdict"]["failures"]
    return out


def compare_runs(a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> list[str]:
    """One line per case whose verdict differs between run a and run b (or that only one of them has)."""
    def show(failures: list[str] | None) -> str:
        if failures is None:
            return "absent"
        return "pass" if not failures else "FAIL(" + ",".join(failures) + ")"

    lines = []
    for case_id in sorted(set(a) | set(b)):
        before, after = a.get(case_id), b.get(case_id)
        if before != after:
            lines.append(f"{case_id}: {show(before)} -> {show(after)}")
    return lines


# --------------------------------------------------------------------------- command line


def add_eval_parser(subparsers: Any) -> None:
    """Register `eval` on an argparse subparsers object; its func takes (args, settings)."""
    parser = subparsers.add_parser("eval", help="run the question set end to end; scores, report, gate")
    configure_parser(parser)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="JSONL question set (eval/cases.jsonl)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (eval/results)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="thresholds (eval/config.yaml)")
    parser.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"),
                        help="print the cases whose verdict changed between two runs (dirs or ids under --out)")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a threshold in --config is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.compare:
            a, b = (resolve_run(name, args.out) for name in args.compare)
            changed = compare_runs(load_verdicts(a), load_verdicts(b))
            print(f"{a.name} -> {b.name}: {len(changed)} case(s) changed")
            print("\n".join(changed))
            return 0
        run_dir, summary = evaluate(args.cases, args.out, settings, args.config, progress=not args.quiet)
    except CaseFileError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    overall = summary["overall"]
    print(format_table(summary))
    print(f"\n{overall['passed']}/{overall['cases']} cases passed; run {summary['run_id']} in "
          f"{summary['runtime_s']:.1f} s (start-up {summary['startup_ms']:.0f} ms); wrote {run_dir}")
    if args.gate:
        for line in summary["gate"]:
            print(line, file=sys.stderr)
        if summary["gate"]:
            return 1
        print("门槛全部达标 / gate passed")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.evaluation [...]`: the same as `python -m assistant eval [...]`."""
    parser = argparse.ArgumentParser(prog="assistant eval", description="端到端评测：用例、指标、报告与门槛")
    configure_parser(parser)
    args = parser.parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
