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

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from assistant.core.settings import REPO_ROOT, Settings
from assistant.evaluation.cases import (
    DEFAULT_CONFIG,
    WARM_UP,
    Case,
    CaseFileError,
    file_sha256,
    load_cases,
    reference_errors,
)
from assistant.evaluation.gate import gate_failures, load_thresholds
from assistant.evaluation.judge import CrashedTurn, TurnResult, judge
from assistant.evaluation.metrics import summarize

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time

# --------------------------------------------------------------------------- running


def ask_case(engine: Any, case: Case) -> tuple[list[TurnResult], list[float]]:
    """The case's turns through a fresh Conversation, as the web page runs them; wall time per turn."""
    from assistant.answering.conversation import Conversation

    chat = Conversation(engine, case.as_of)
    responses: list[TurnResult] = []
    latencies: list[float] = []
    for text in case.asked:
        started = time.perf_counter()
        try:
            responses.append(chat.ask(text))
        except Exception as err:  # a crash is a finding about this case; the run goes on
            responses.append(CrashedTurn(error=f"{type(err).__name__}: {err}"))
            latencies.append((time.perf_counter() - started) * 1000)
            break
        latencies.append((time.perf_counter() - started) * 1000)
    return responses, latencies


def case_record(case: Case, responses: list[TurnResult], latencies: list[float]) -> dict[str, Any]:
    """One line of results.jsonl: the case, its answers as JSON, their timings and the verdict."""
    return {
        "id": case.id,
        "type": case.type,
        "policy": case.policy,
        "as_of": case.as_of.isoformat(),
        "asked": case.asked,
        "expect": case.expect.model_dump(mode="json", exclude_unset=True),
        "note": case.note,
        "latency_ms": [round(x, 2) for x in latencies],
        "responses": [r.to_json() for r in responses],
        "verdict": judge(case, responses),
    }


def run_cases(engine: Any, cases: Sequence[Case], progress: bool = True) -> list[dict[str, Any]]:
    from tqdm import tqdm

    records = []
    for case in tqdm(cases, desc="eval", unit="case", disable=not progress, file=sys.stderr):
        records.append(case_record(case, *ask_case(engine, case)))
    return records


# --------------------------------------------------------------------------- a run on disk


def git_hash() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def new_run_id(now: datetime, commit: str | None) -> str:
    return now.strftime("%Y%m%d-%H%M%S") + (f"-{commit}" if commit else "")


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()}


def evaluate(
    cases_path: Path, out_dir: Path, settings: Settings, config_path: Path = DEFAULT_CONFIG, progress: bool = True
) -> tuple[Path, dict[str, Any]]:
    """Run every case, write the four result files under out_dir/<run id>, return (run dir, summary)."""
    from assistant.answering.engine import Engine
    from assistant.evaluation.html_report import render_report

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
    summary.update(
        run_id=run_id,
        gate=gate_failures(summary["overall"], thresholds),
        runtime_s=round(time.perf_counter() - started, 2),
        startup_ms=round(startup_ms, 1),
    )
    run_dir = Path(out_dir) / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "run_id": run_id,
        "started_at": now.isoformat(timespec="seconds"),
        "git_commit": commit,
        "cases_file": str(cases_path),
        "cases_sha256": file_sha256(cases_path),
        "case_count": len(cases),
        "config_file": str(config_path),
        "thresholds": thresholds,
        "settings": _settings_json(settings),
        "python": platform.python_version(),
    }
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
    raise CaseFileError(
        f"找不到评测结果 {name}（应为含 results.jsonl 的目录或 {out_dir} 下的运行编号） / no run {name}"
    )


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
