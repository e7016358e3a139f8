"""The one question to ask next, when an answer is held back by something the user has not said.

Ambiguity is asked about, not guessed: an amount with no role (while some amount is still wanted), a
missing place, then the fact the programs in focus are waiting for. One short question at a time, naming
the fact it asks for, so that the reply can be bound to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answering.presenter import MissingFact, fact_label
from assistant.calculator.facts import EnterpriseFacts
from assistant.rules.rulebook import Rulebook

PLACE_FACT = "place"  # the fact the place question asks; a reply to it is the enterprise's own place

ASK_LEVEL = "请问认定级别是国家级、省级还是市级？"
GENERIC_ROLES = ["总投资", "设备投资", "贷款"]  # no amount is wanted yet: the common ones, as examples
MAX_ROLES_NAMED = 3
ASK_PROJECT = "请问是什么项目（例如技术改造、智能化改造、首台套装备），设备、研发等投入各是多少？"


@dataclass(frozen=True)
class Question:
    """The question to ask next, and the fact it asks for, so that a short reply ("300万", "是",
    "不清楚") can be bound to it; `fact` is None for an amount whose role is asked ("500万是…？")."""

    text: str
    fact: str | None


def follow_up(
    book: Rulebook,
    facts: EnterpriseFacts,
    open_amounts: list[str],
    missing: list[MissingFact],
    confirmations: Mapping[str, str] | None = None,
) -> Question | None:
    """The question to ask, or None when nothing holds the answer back; `missing` is ranked, most needed first.

    `confirmations`: for facts the user half-said ("单项冠军培育企业" for 单项冠军示范企业, "申报了…"),
    the question that names the text's words; asked before any other missing yes/no fact."""
    if open_amounts and (not missing or any(m.fact in book.vocabulary.amount_roles for m in missing)):
        # Only while an amount is still wanted: one that no program waiting on facts computes from (a grant
        # already had, a budget that names the program: "每年2亿的那个专项") does not hold the answer back.
        return _ask_role(book, open_amounts, [m.fact for m in missing if m.fact in book.vocabulary.amount_roles])
    if facts.place is None or (missing and missing[0].fact == PLACE_FACT):
        return Question(ask_place(book), PLACE_FACT)
    if not missing:
        return None
    half_said = [m.fact for m in missing if m.fact in (confirmations or {})]
    if half_said and confirmations:
        return Question(confirmations[half_said[0]], half_said[0])
    name = missing[0].fact
    if name in facts.unsettled:  # "您说的总投资“不到500万”具体是多少？": the user's own words, asked back
        return Question(f"您说的{fact_label(book, name)}“{facts.unsettled[name].said}”具体是多少？", name)
    if name == "level":
        return Question(ASK_LEVEL, name)
    if name in book.vocabulary.amount_roles:
        return Question(f"请问{book.vocabulary.amount_roles[name].label}是多少？", name)
    if name in book.vocabulary.tags:
        return Question(f"请问是否{book.vocabulary.tags[name].label}？", name)
    return Question(f"请补充：{missing[0].label}", name)


def _ask_role(book: Rulebook, open_amounts: list[str], wanted: list[str]) -> Question:
    """Which fact an amount is: named by the amounts the programs asked about still want (a new
    policy's own "活动实际发生的费用", not only the shared 总投资/设备投资), so that the user can say
    "是"; bound to that fact when there is one amount and one candidate."""
    shown = "、".join(f"“{a}”" for a in open_amounts)
    labels = [book.vocabulary.amount_roles[r].label for r in dict.fromkeys(wanted)][:MAX_ROLES_NAMED]
    if len(open_amounts) == 1 and len(labels) == 1:
        return Question(f"您说的{shown}是{labels[0]}吗？", wanted[0])
    return Question(f"您说的{shown}是{'、'.join(labels or GENERIC_ROLES)}，还是其他金额？", None)


def ask_place(book: Rulebook) -> str:
    """The question for the enterprise's place, with the regions the policies cover as examples."""
    regions = "、".join(book.vocabulary.covered_regions)
    return f"请问企业在哪个地区？（本助手收录的政策适用于：{regions}）"
