"""One question in, one answer out: understanding → program selection → calculator → sources → text.

The JSON this produces is the contract shared by the CLI (`ask --json`), the web page's `/ask` API
and the evaluation. Everything in it that is a figure comes from the calculator or the user.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.amounts import format_wan, format_yuan
from assistant.answer import render, render_assessment
from assistant.calculator import Assessment, ProgramResult, Status, assess
from assistant.facts import EnterpriseFacts
from assistant.lpr import LprTable, load_lpr_table
from assistant.rulebook import Rulebook, load_rulebook
from assistant.rules import AmountKind
from assistant.selection import covering_policies, relevant_programs
from assistant.settings import Settings
from assistant.understanding import Understanding, consistency_errors, understand

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
SOURCES_K = 5
STATUS_LABEL = {
    Status.ELIGIBLE: "符合条件，可以申请",
    Status.INELIGIBLE: "不符合条件",
    Status.NEEDS_INFO: "需补充信息",
    Status.EXPIRED: "政策已不在有效期内",
}
# Answers list what the user can act on first.
STATUS_ORDER = [Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE, Status.EXPIRED]
SPECIAL_FACTS = {"place": "企业所在地区（省、市或区县）", "level": "认定级别（国家级、省级或市级）",
                 "lpr_rate": "一年期LPR利率"}


def _money(value: Decimal | None) -> float | None:
    """JSON number for a Decimal of at most 2 places; below 10^13 yuan the float prints it exactly."""
    return float(value) if value is not None else None


@dataclass
class Engine:
    settings: Settings
    book: Rulebook
    lpr: LprTable

    @classmethod
    def load(cls, settings: Settings | None = None) -> "Engine":
        settings = settings or Settings.from_env()
        book = load_rulebook(settings)
        lpr = load_lpr_table(Path(settings.policies_dir).parent / "lpr.yaml")
        return cls(settings, book, lpr)

    # --- pieces of the response --------------------------------------------------------------

    def fact_label(self, name: str) -> str:
        roles = self.book.vocabulary.amount_roles
        if name in roles:
            return roles[name].label
        if name in self.book.vocabulary.tags:
            return f"是否{self.book.vocabulary.tags[name].label}"
        return SPECIAL_FACTS.get(name, name)

    def _program_json(self, r: ProgramResult) -> dict[str, Any]:
        meta = self.book.corpus.policies[r.policy_id].meta
        p = r.program
        procedure = self.book.procedures.get(p.how_to_apply) if p.how_to_apply else None
        return {
            "program_id": p.id,
            "title": p.title,
            "policy": {
                "doc_number": meta.doc_number,
                "title": meta.title,
                "issuer": meta.issuer,
                "valid_from": meta.valid_from.isoformat(),
                "valid_to": (p.valid_to or meta.valid_to).isoformat() if (p.valid_to or meta.valid_to) else None,
                "in_force": r.validity.in_force,
                "label": meta.label,
            },
            "status": r.status.value,
            "status_label": STATUS_LABEL[r.status],
            "amount_yuan": _money(r.amount),
            "amount_text": format_yuan(r.amount) if r.amount is not None else None,
            "amount_wan": format_wan(r.amount) if r.amount is not None else None,
            "amount_prefix": "最高 " if p.amount_kind is AmountKind.MAX else "",
            "amount_kind": p.amount_kind.value,
            "benefit": p.benefit.value,
            "formula": r.formula,
            "lpr_used": r.rate_note,
            "reasons": r.reasons,
            "missing": r.missing,
            "failed": r.failed,
            "choose_one_group": p.choose_one_group,
            "departments": p.departments,
            "how_to_apply": procedure.describe if procedure else None,
            "validity": r.validity.explanation,
            "warnings": r.warnings,
            "citations": [
                {"doc_number": c.doc_number, "clause": c.clause, "heading_path": list(c.heading_path),
                 "quote": c.quote, "start": c.start, "end": c.end}
                for c in r.citations
            ],
        }

    def _sources(self, question: str, facts: EnterpriseFacts) -> list[dict[str, Any]]:
        from assistant.retrieval import default_retriever  # heavy: loaded on the first question only

        policy_ids = {p.id for p in covering_policies(self.book, facts.place)}
        try:
            hits = default_retriever(self.settings).search(question, k=SOURCES_K, policy_ids=policy_ids or None)
        except Exception:  # retrieval is supporting evidence; a broken index must not lose the figure
            logger.exception("检索失败，答案不附检索来源")
            return []
        out = []
        for hit in hits:
            u = hit.unit
            meta = self.book.corpus.policies[u.policy_id].meta
            out.append({"doc_number": u.doc_number, "policy_id": u.policy_id, "clause": u.clause_id,
                        "heading_path": list(u.heading_path), "text": u.text, "score": round(hit.score, 6),
                        "label": meta.label, "heading": " › ".join(u.heading_path)})
        return out

    def _missing(self, programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        order: dict[str, list[str]] = {}
        for p in programs:
            if p["status"] == Status.NEEDS_INFO.value:
                for name in p["missing"]:
                    order.setdefault(name, []).append(p["title"])
        return [{"fact": name, "label": self.fact_label(name), "used_for": used} for name, used in order.items()]

    def _alternatives(self, assessment: Assessment, programs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for p in programs:
            if p["choose_one_group"] and p["amount_text"] and p["status"] == Status.ELIGIBLE.value:
                groups.setdefault(p["choose_one_group"], []).append(p)
        out = []
        for group, options in groups.items():
            if len(options) > 1:
                best = assessment.recommended(group)
                out.append({"group": group, "options": options, "best": best.program.title if best else None})
        return out

    # --- the question ---------------------------------------------------------------------------

    def ask(self, question: str, as_of: date | None = None, prior: EnterpriseFacts | None = None,
            request_id: str | None = None) -> dict[str, Any]:
        started = time.perf_counter()
        as_of = as_of or date.today()
        response: dict[str, Any] = {"id": request_id, "question": question, "as_of": as_of.isoformat()}
        text = (question or "").strip()
        if not text:
            errors = ["问题为空，请描述企业所在地区和项目情况，例如“河口区技改项目总投资500万，设备投资300万，能拿多少？”"]
        elif len(text) > MAX_QUESTION_CHARS:
            errors = [f"问题过长（{len(text)}字），请控制在{MAX_QUESTION_CHARS}字以内"]
        else:
            errors = []
        understanding = understand(text, self.book.vocabulary) if not errors else Understanding(EnterpriseFacts())
        facts = prior.merged(understanding.facts) if prior else understanding.facts
        errors += understanding.errors
        if prior:
            errors += [e for e in consistency_errors(facts) if e not in errors]
        response.update(self._respond(text, facts, understanding, errors, as_of))
        response["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return response

    def _respond(self, text: str, facts: EnterpriseFacts, understanding: Understanding, errors: list[str],
                 as_of: date) -> dict[str, Any]:
        base = {
            "region": facts.place,
            "facts": {
                "place": facts.place,
                "place_mention": facts.place_mention,
                "amounts": {k: _money(v) for k, v in facts.amounts.items()},
                "approximate": facts.approximate,
                "tags": facts.tags,
                "level": facts.level.value if facts.level else None,
                "lpr_rate": _money(facts.lpr_rate) if facts.lpr_rate is not None else None,
            },
            "facts_state": facts.model_dump(mode="json"),
            "open_amounts": [o.raw for o in understanding.open_amounts],
            "notes": understanding.notes,
        }
        if errors:
            return {**base, "kind": "bad_input", "missing_facts": [], "programs": [], "total_max_yuan": None,
                    "answer": render("bad_input.j2", {"errors": errors}), "sources": [], "warnings": errors}
        covered = covering_policies(self.book, facts.place)
        if not covered:
            sources = self._sources(text, EnterpriseFacts())
            what = f"“{facts.place_mention}”所在地区" if facts.place_mention else "该地区"
            return {**base, "kind": "out_of_scope", "missing_facts": [], "programs": [], "total_max_yuan": None,
                    "answer": render("out_of_scope.j2", {"what": what, "sources": sources[:3]}),
                    "sources": sources, "warnings": []}
        program_ids = relevant_programs(self.book, text, facts)
        sources = self._sources(text, facts)
        if not program_ids:
            kind = "fact" if sources else "out_of_scope"
            template = "extractive.j2" if sources else "out_of_scope.j2"
            answer = render(template, {"sources": sources[:3], "what": "该问题"})
            return {**base, "kind": kind, "missing_facts": [], "programs": [], "total_max_yuan": None,
                    "answer": answer, "sources": sources, "warnings": []}
        assessment = assess(self.book, facts, as_of, program_ids, self.lpr)
        ordered = sorted(assessment.results, key=lambda r: STATUS_ORDER.index(r.status))
        programs = [self._program_json(r) for r in ordered]
        missing = self._missing(programs)
        total = assessment.total_max
        context = self._answer_context(assessment, programs, missing, understanding, as_of, total)
        warnings = sorted({w for p in programs for w in p["warnings"]})
        return {**base, "kind": "assessment", "missing_facts": [m["fact"] for m in missing], "programs": programs,
                "total_max_yuan": _money(total) if total else None, "answer": render_assessment(context),
                "sources": sources, "warnings": warnings}

    def _answer_context(self, assessment: Assessment, programs: list[dict[str, Any]], missing: list[dict[str, Any]],
                        understanding: Understanding, as_of: date, total: Decimal) -> dict[str, Any]:
        by_status = {s: [p for p in programs if p["status"] == s.value] for s in Status}
        alternatives = self._alternatives(assessment, programs)
        policies = {}
        citations = []
        for p in programs:
            policies[p["policy"]["label"]] = {"label": p["policy"]["label"], "validity": p["validity"]}
            for c in p["citations"]:
                citations.append({"label": p["policy"]["label"], "heading": " › ".join(c["heading_path"]),
                                  "quote": c["quote"]})
        unique_citations = list({(c["label"], c["quote"]): c for c in citations}.values())
        return {
            "place_note": "；".join(understanding.notes),
            "eligible": by_status[Status.ELIGIBLE],
            "expired": by_status[Status.EXPIRED],
            "needs_info": by_status[Status.NEEDS_INFO],
            "total_text": format_yuan(total) if total else None,
            "total_wan": format_wan(total) if total else None,
            "has_alternatives": bool(alternatives),
            "as_of": as_of.isoformat(),
            "programs": programs,
            "alternatives": alternatives,
            "missing": missing,
            "open_amounts": [o.raw for o in understanding.open_amounts],
            "policies": list(policies.values()),
            "citations": unique_citations,
        }


@lru_cache(maxsize=2)
def default_engine(settings: Settings | None = None) -> Engine:
    return Engine.load(settings)
