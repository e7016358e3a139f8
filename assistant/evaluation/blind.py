"""Blind sets: questions written from the policy texts alone, by someone who never saw this code.

`python -m assistant eval --blind eval/blind/set1 [--save LABEL]`

The regression cases (eval/cases.jsonl) were written by the people who wrote the reader, so they
measure regressions, not correctness. A blind set is scored here by what a user would be told:
for each program the author expected (named by its document and a phrase of its quote), the status
and figure in the answer; that no figure exceeds what the text allows; the answer's own words for a
fact question. Most important is the count of *confidently wrong* answers: "可以申请" with a figure
the text does not give for the stated facts, or a stated exclusion missed. Its target is zero.

The format is shared/guides/blind-sets.md's; cases are never edited to pass.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.evaluation.runner import git_hash

TOLERANCE = Decimal("0.01")  # yuan


@dataclass
class Verdict:
    """One case's outcome: the checks that failed, and whether a failure is a confident wrong figure."""

    case_id: str
    category: str
    policy: str
    failures: list[str] = field(default_factory=list)
    confident_wrong: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_blind_set(folder: Path) -> list[dict[str, Any]]:
    path = Path(folder) / "cases.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def case_policy(case: Mapping[str, Any]) -> str:
    """The document a case is mainly about: its first expected program's, else "none"."""
    programs = case["expect"].get("programs") or []
    return programs[0]["doc"] if programs else "none"


def _own_quotes(book: Any, program_id: str) -> list[str]:
    """The quotes that state the program itself (its clause, rate, amount, caps), not its conditions,
    which several programs share."""
    program = book.programs.get(program_id)
    if program is None:
        return []
    condition_quotes = {c.citation.quote for c in program.conditions} | {e.citation.quote for e in program.exclusions}
    return [c.quote for c in program.all_citations() if c.quote not in condition_quotes]


def matching_programs(answer: Mapping[str, Any], doc: str, phrase: str, book: Any) -> list[Mapping[str, Any]]:
    """The answer's programs of `doc` whose own quotes hold `phrase`; failing that, any of its quotes."""
    programs = [p for p in answer.get("programs") or [] if p["policy"]["id"] == doc]
    own = [p for p in programs if any(phrase in q for q in _own_quotes(book, p["program_id"]))]
    return own or [p for p in programs if any(phrase in c["quote"] for c in p.get("citations") or [])]


def _eligible_figures(answer: Mapping[str, Any]) -> list[tuple[str, Decimal]]:
    return [
        (p["program_id"], Decimal(str(p["amount_yuan"])))
        for p in answer.get("programs") or []
        if p["status"] == "eligible" and p.get("amount_yuan") is not None and p["amount_yuan"] > 0
    ]


def _amount_equal(expected: float | int, got: float | None) -> bool:
    return got is not None and abs(Decimal(str(expected)) - Decimal(str(got))) <= TOLERANCE


def judge_blind(case: Mapping[str, Any], answer: Mapping[str, Any], book: Any) -> Verdict:
    """Every expectation of the case checked against the answer a user would get."""
    expect = case["expect"]
    verdict = Verdict(case["id"], case.get("category", "?"), case_policy(case))
    fail, wrong = verdict.failures.append, verdict.confident_wrong.append
    for exp in expect.get("programs") or []:
        found = matching_programs(answer, exp["doc"], exp["quote_has"], book)
        what = f"{exp['doc']}「{exp['quote_has']}」"
        if not found:
            if exp["status"] != "ineligible":  # an ineligible program left out misleads no one
                fail(f"{what}: expected {exp['status']}, not in the answer")
            continue
        fits = [p for p in found if p["status"] == exp["status"]]
        if "amount_yuan" in exp:
            fits = [p for p in fits if _amount_equal(exp["amount_yuan"], p.get("amount_yuan"))]
        if fits:
            continue
        got = ", ".join(f"{p['status']} {p.get('amount_yuan')}" for p in found)
        fail(f"{what}: expected {exp['status']} {exp.get('amount_yuan', '')}, got {got}")
        offered = [p for p in found if p["status"] == "eligible" and p.get("amount_yuan")]
        if offered and (exp["status"] != "eligible" or "amount_yuan" in exp):
            wrong(f"{what}: offered {offered[0]['amount_yuan']} where {exp['status']} {exp.get('amount_yuan', '')}")
    figures = _eligible_figures(answer)
    if "max_amount_yuan" in expect:
        over = [(pid, v) for pid, v in figures if v > Decimal(str(expect["max_amount_yuan"])) + TOLERANCE]
        for pid, value in over:
            fail(f"{pid}: {value} above the most the text allows ({expect['max_amount_yuan']})")
            wrong(f"{pid}: {value} above {expect['max_amount_yuan']}")
    if expect.get("no_eligible_amount") and figures:
        fail(f"figures given where none may be: {figures}")
        wrong(f"figures given where none may be: {figures}")
    text = answer.get("answer") or ""
    for item in expect.get("answer_has") or []:
        options = item if isinstance(item, list) else [item]
        if not any(o in text for o in options):
            fail(f"answer lacks {' / '.join(options)}")
    if expect.get("kind") == "fact" and answer.get("kind") == "assessment" and answer.get("follow_up"):
        fail("a fact question answered with a request for project figures")
    return verdict


def run_blind(engine: Any, cases: Sequence[Mapping[str, Any]]) -> list[tuple[Verdict, dict[str, Any]]]:
    """Each case asked once, as a new conversation, on its own as-of date."""
    out = []
    for case in cases:
        answer = engine.ask(case["question"], date.fromisoformat(case["as_of"])).to_json()
        out.append((judge_blind(case, answer, engine.book), answer))
    return out


def _table(verdicts: Iterable[Verdict], key: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for v in verdicts:
        row = rows[getattr(v, key)]
        row["cases"] += 1
        row["right"] += v.ok
        row["confident_wrong"] += bool(v.confident_wrong)
    return {k: {**r, "share_right": round(r["right"] / r["cases"], 3)} for k, r in sorted(rows.items())}


def summarize_blind(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    right = sum(v.ok for v in verdicts)
    return {
        "cases": len(verdicts),
        "right": right,
        "share_right": round(right / len(verdicts), 3) if verdicts else None,
        "confident_wrong": sum(bool(v.confident_wrong) for v in verdicts),
        "by_category": _table(verdicts, "category"),
        "by_policy": _table(verdicts, "policy"),
    }


def format_blind(name: str, summary: Mapping[str, Any]) -> str:
    lines = [
        f"{name}: {summary['right']}/{summary['cases']} right ({summary['share_right']:.1%}), "
        f"confidently wrong {summary['confident_wrong']}",
    ]
    for title in ("by_category", "by_policy"):
        lines.append(f"  {title[3:]:<26} cases  right  share  conf.wrong")
        for key, row in summary[title].items():
            lines.append(
                f"  {key:<26} {row['cases']:>5} {row['right']:>6} {row['share_right']:>6.1%} {row['confident_wrong']:>10}"
            )
    return "\n".join(lines)


def write_blind_run(folder: Path, label: str, results: Sequence[tuple[Verdict, dict[str, Any]]]) -> Path:
    """`<set>/results/<label>.json`: the summary and every failed case, kept with the set as its record."""
    verdicts = [v for v, _ in results]
    record = {
        "label": label,
        "commit": git_hash(),
        "summary": summarize_blind(verdicts),
        "failed": [
            {
                "id": v.case_id,
                "category": v.category,
                "failures": v.failures,
                "confident_wrong": v.confident_wrong,
                "answer_head": (a.get("answer") or "")[:160],
            }
            for v, a in results
            if not v.ok
        ],
    }
    path = Path(folder) / "results" / f"{label}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
