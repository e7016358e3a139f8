"""Hand-made answers for tests that need one without running the engine (the judge, the logbook).

Every key the model requires is filled with a plausible value, so a test names only what it is
about; the kind-only keys follow the kind (`covered_policies` for out_of_scope, `quotes` for fact),
as the model insists. (A module of its own, imported as `answers`, like `synthetic`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from assistant.answering.api_models import Answer, Citation, Facts, PolicyRef, Program, Source
from assistant.calculator.facts import EnterpriseFacts

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
HEKOU_DOC = "东河政发〔2020〕5号"


def program(
    program_id: str = "hekou-direct-award",
    status: str = "eligible",
    amount: float | None = 180000.0,
    *,
    doc_number: str = HEKOU_DOC,
    policy_id: str = "hekou-2020-5",
    clauses: Iterable[str] = ("hekou-2020-5:3.1.p1",),
) -> Program:
    """A program result; `clauses` are the clause ids its citations name."""
    return Program(
        program_id=program_id,
        title=f"{program_id} 的标题",
        policy=PolicyRef(
            id=policy_id,
            doc_number=doc_number,
            title="某政策",
            issuer="某区人民政府",
            valid_from=date(2020, 1, 1),
            valid_to=date(2022, 12, 31),
            in_force=True,
            label=doc_number,
        ),
        status=status,
        status_label="符合条件，可以申请" if status == "eligible" else "需补充信息",
        amount_yuan=amount,
        amount_text=f"{amount:,.2f}" if amount is not None else None,
        amount_wan=f"{amount / 10000:g}万" if amount is not None else None,
        amount_prefix="最高 ",
        amount_kind="max",
        benefit="cash",
        formula="6% × 设备投资 3,000,000.00 元 = 180,000.00 元",
        caps=[],
        lpr_used=None,
        reasons=["项目总投资500万元以上：满足"],
        missing=[],
        failed=[],
        choose_one_group=None,
        departments=[],
        how_to_apply=None,
        validity="现行有效",
        warnings=[],
        citations=[
            Citation(
                doc_number=doc_number, clause=c, heading_path=["三", "奖补"], quote="按设备投资的6%", start=0, end=7
            )
            for c in clauses
        ],
    )


def source(clause: str, text: str = "……") -> Source:
    """A retrieved clause."""
    return Source(
        doc_number=HEKOU_DOC,
        policy_id=clause.split(":")[0],
        clause=clause,
        heading_path=["二", "技术改造"],
        text=text,
        score=0.5,
        start=0,
        end=len(text),
        label=HEKOU_DOC,
        heading="二 › 技术改造",
    )


def answer(
    question: str = HEKOU,
    *,
    kind: str = "assessment",
    region: str | None = "山东省东营市河口区",
    programs: list[Program] | None = None,
    sources: Iterable[str] = ("hekou-2020-5:3.1",),
    as_of: str = "2021-06-30",
    text: str | None = None,
    **fields: Any,
) -> Answer:
    """An answer of `kind`; by default the 河口 assessment (an award of 180,000 and a loan subsidy
    waiting for a fact). `sources` are the clause ids retrieved; `text` is the answer text."""
    if programs is None:
        programs = [program(), program("hekou-loan-interest", "needs_info", None)] if kind == "assessment" else []
    eligible = [p.amount_yuan for p in programs if p.status == "eligible" and p.amount_yuan is not None]
    given: dict[str, Any] = {
        "total_max_yuan": max(eligible) if eligible and kind != "bad_input" else None,
        "covered_policies": ["山东省 › 东营市 › 河口区：东河政发〔2020〕5号"] if kind == "out_of_scope" else None,
        "quotes": [] if kind == "fact" else None,
        **fields,
    }
    return Answer(
        id=None,
        question=question,
        as_of=date.fromisoformat(as_of),
        region=region,
        facts=Facts(
            place=region,
            place_mention=None,
            amounts={"total_investment": 5000000.0},
            unsettled={},
            tags={},
            level=None,
            lpr_rate=None,
        ),
        facts_state=EnterpriseFacts(place=region, amounts={"total_investment": 5000000}),
        open_amounts=[],
        notes=[],
        missing_facts=[],
        programs=programs,
        sources=[source(c) for c in sources],
        warnings=[],
        follow_up=None,
        kind=kind,
        answer=f"答：{question}" if text is None else text,
        retrieval_warning=None,
        elapsed_ms=12.5,
        **given,
    )
