"""The headline total: what the programs asked about add up to, counting only what may be combined.

Of a choose-one group (河口: 直接奖补 or 贷款贴息) only the larger counts, as the text says. Two
programs that count the same expense (济源's 30% of 设备+研发 and 30% of 研发 for a 省工业新产品) may or
may not stack; no text here says they do, so they are not added: the headline counts the larger,
and the answer shows both and says the text leaves it open. Programs the question did not ask
about are never in the headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assistant.answering.api_models import Overlap, Program
from assistant.rules.rulebook import Rulebook
from assistant.rules.schema import COUNTED_BENEFITS, Benefit

OVERLAP_NOTE = "{titles}都按{shared}计算，政策原文未写明能否同时享受，合计只计较大者，申报前请向主管部门确认。"


@dataclass(frozen=True)
class Headline:
    total: Decimal | None
    overlaps: list[Overlap]


def _expenses(book: Rulebook, program_id: str) -> set[str]:
    """The amounts a program's figure is computed from, with the parts a composite amount includes."""
    roles = book.vocabulary.amount_roles
    base = set(book.programs[program_id].formula.base)
    return base | {part for role in base if role in roles for part in roles[role].includes}


def _counted(p: Program) -> bool:
    return p.status == "eligible" and bool(p.amount_yuan) and Benefit(p.benefit) in COUNTED_BENEFITS


def _best_of_each_group(programs: list[Program]) -> list[Program]:
    best: dict[str, Program] = {}
    out = []
    for p in programs:
        if not p.choose_one_group:
            out.append(p)
        elif p.choose_one_group not in best or (p.amount_yuan or 0) > (best[p.choose_one_group].amount_yuan or 0):
            best[p.choose_one_group] = p
    return out + list(best.values())


def headline(book: Rulebook, asked: list[Program]) -> Headline:
    """The total of the eligible programs asked about, and the overlaps left out of it."""
    counted = _best_of_each_group([p for p in asked if _counted(p)])
    clusters: list[list[Program]] = []
    for p in counted:
        touching = [
            c for c in clusters if any(_expenses(book, p.program_id) & _expenses(book, q.program_id) for q in c)
        ]
        merged = [p] + [q for c in touching for q in c]
        clusters = [c for c in clusters if c not in touching] + [merged]
    total = Decimal(0)
    overlaps = []
    for cluster in clusters:
        total += max(Decimal(str(p.amount_yuan)) for p in cluster)
        if len(cluster) > 1:
            ordered = [p for p in counted if p in cluster]
            shared = set.intersection(*(_expenses(book, p.program_id) for p in ordered))
            labels = [
                book.vocabulary.amount_roles[r].label for r in sorted(shared) if r in book.vocabulary.amount_roles
            ]
            titles = "、".join(f"“{p.title}”" for p in ordered)
            overlaps.append(
                Overlap(
                    program_ids=[p.program_id for p in ordered],
                    shared=labels,
                    note=OVERLAP_NOTE.format(titles=titles, shared="、".join(labels) or "同一笔投入"),
                )
            )
    return Headline(total if counted else None, overlaps)
