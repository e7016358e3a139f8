"""One case judged: each check (status, amount, citation, retrieval, numbers, refusal, answer words) on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assistant.answering.api_models import Answer, Program, Source
from assistant.evaluation.cases import REFUSAL_TYPES, REFUSED_KINDS, RETRIEVAL_K, Case, Expectation
from assistant.evaluation.metrics import amounts_match, first_rank, hit_at, ndcg_at, reciprocal_rank


class CrashedTurn(BaseModel):
    """A turn the engine raised on instead of answering. It is recorded in results.jsonl in place of
    the answer, with the keys the report and the checks read, so the case fails (on `error`) and
    the run goes on; it is the evaluation's own record, not part of the answer contract."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["error"] = "error"
    error: str
    answer: str = ""
    programs: list[Program] = []
    sources: list[Source] = []
    total_max_yuan: float | None = None

    def to_json(self) -> dict[str, Any]:
        """As results.jsonl holds it, in the place of an answer's `Answer.to_json()`."""
        return self.model_dump(mode="json")


TurnResult = Answer | CrashedTurn

# --------------------------------------------------------------------------- judging one case


def effective_ranking(response: TurnResult, gold: Sequence[str]) -> list[str]:
    """Clause ids in the order a user meets them: for an assessment, a gold clause its programs cite
    comes first (the answer quotes it), then the retrieved sources, each clause once."""
    cited = []
    if response.kind == "assessment":
        cited = [g for g in gold if any(c.clause == g for p in response.programs for c in p.citations)]
    ranking: list[str] = []
    for clause in cited + [s.clause for s in response.sources]:
        if clause not in ranking:
            ranking.append(clause)
    return ranking


def _gives_figure(response: TurnResult) -> bool:
    return response.total_max_yuan is not None or any(p.amount_yuan is not None for p in response.programs)


def program_checks(expect: Expectation, by_id: Mapping[str, Program]) -> list[dict[str, Any]]:
    rows = []
    for program_id, want in expect.programs.items():
        got = by_id.get(program_id)
        row: dict[str, Any] = {
            "program_id": program_id,
            "found": got is not None,
            "expected_status": want.status,
            "got_status": got.status if got else None,
            "expected_amount": float(want.amount) if want.amount is not None else None,
            "got_amount": got.amount_yuan if got else None,
        }
        if want.status is not None:
            row["status_ok"] = got is not None and got.status == want.status
        if want.checks_amount:
            row["amount_ok"] = got is not None and amounts_match(want.amount, got.amount_yuan)
        rows.append(row)
    return rows


def citation_checks(expect: Expectation, by_id: Mapping[str, Program]) -> list[dict[str, Any]]:
    rows = []
    for program_id, clause in expect.citations.items():
        got = [c.clause for c in by_id[program_id].citations] if program_id in by_id else []
        rows.append({"program_id": program_id, "gold": clause, "got": got, "ok": clause in got})
    return rows


def retrieval_check(expect: Expectation, final: TurnResult) -> dict[str, Any] | None:
    if not expect.gold_clauses:
        return None
    ranking = effective_ranking(final, expect.gold_clauses)
    rank = first_rank(ranking, expect.gold_clauses)
    return {
        "gold": expect.gold_clauses,
        "ranking": ranking,
        "rank": rank,
        "hit_at_1": hit_at(rank, 1),
        "hit_at_5": hit_at(rank, 5),
        "mrr_at_10": reciprocal_rank(rank, RETRIEVAL_K),
        "ndcg_at_10": ndcg_at(ranking, expect.gold_clauses, RETRIEVAL_K),
    }


def refusal_check(case: Case, final: TurnResult, programs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Refused cases give no figure; the others of a refusal type (injections) keep the expected figures,
    or give none when none is expected."""
    if case.type not in REFUSAL_TYPES and not case.expect.refused:
        return None
    figure = _gives_figure(final)
    if case.expect.refused:
        ok = final.kind in REFUSED_KINDS and not figure
    elif programs:
        ok = all(p.get("status_ok", True) and p.get("amount_ok", True) for p in programs)
    else:
        ok = not figure
    return {"refused_expected": case.expect.refused, "kind": final.kind, "figure": figure, "ok": ok}


def answer_check(expect: Expectation, final: TurnResult) -> dict[str, Any] | None:
    if not (expect.answer_contains or expect.answer_not_contains):
        return None
    text = final.answer
    missing = [s for s in expect.answer_contains if s not in text]
    forbidden = [s for s in expect.answer_not_contains if s in text]
    return {"missing": missing, "forbidden": forbidden, "ok": not missing and not forbidden}


def _unsupported(turn: TurnResult) -> list[str]:
    """The number check on one turn; a crash stated no number."""
    from assistant.answering.grounding import unsupported_numbers

    return unsupported_numbers(turn.answer, turn) if isinstance(turn, Answer) else []


def judge(case: Case, responses: Sequence[TurnResult]) -> dict[str, Any]:
    """Every check that applies to the case, on the final response; the number check on every turn."""
    final, expect = responses[-1], case.expect
    by_id = {p.program_id: p for p in final.programs}
    programs = program_checks(expect, by_id)
    kind = None
    if expect.kind is not None:
        kind = {"expected": expect.kind, "got": final.kind, "ok": final.kind == expect.kind}
    verdict = {
        "error": final.error if isinstance(final, CrashedTurn) else None,
        "programs": programs,
        "citations": citation_checks(expect, by_id),
        "retrieval": retrieval_check(expect, final),
        "unsupported_numbers": [_unsupported(r) for r in responses],
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
