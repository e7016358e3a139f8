"""The facts form on the page: what the reader understood, as editable fields, and back into facts.

Why the form shows only some fields (issue #17 item 5): eleven amount fields before any question
(保费, 保险金额 … for a technical-renovation question) buried the few that mattered, and the yes/no
facts the programs turn on (已投产, 十百千, 省工业新产品) were not there at all. `fields_in_play` lists
what the answer's programs read: their amounts (thresholds, formula bases, what was already received
where a cap or 一次性 counts it), the level and the LPR where a formula reads them, and their yes/no
facts, those of the programs asked about and still open first, in at most TAG_SLOTS 是/否/不清楚
choices. The form recomputes only when the user presses 重新计算.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.answering.api_models import Answer
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import (  # the form shows amounts in 万元, the way enterprises state them
    CENT,
    WAN,
    implausible,
)
from assistant.reading.amounts import InputError
from assistant.reading.places import read_place
from assistant.rules.rulebook import Rulebook, Vocabulary
from assistant.rules.schema import CapScope, FormulaKind, Level, Program
from assistant.web.chat_messages import NO, UNKNOWN, YES

FORM_ROLES = [
    "total_investment",
    "year_investment",
    "equipment_investment",
    "software_hardware_investment",
    "rd_investment",
    "loan_amount",
    "premium",
    "insured_amount",
    "sales_price",
    "national_grant",
    "received_same_program",
]
TAG_SLOTS = 8  # yes/no choices the form has room for; the chat takes any other
TAG_CHOICES = [YES, NO, UNKNOWN]
RECEIVED = "received_same_program"


@dataclass(frozen=True)
class FieldsInPlay:
    """What the form shows for an answer: amount roles (in FORM_ROLES order), yes/no facts (in the
    order of the tag slots), and whether the level and the LPR matter."""

    roles: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    level: bool = False
    lpr: bool = False


def _tags_of(program: Program) -> list[str]:
    tags = [c.tag for c in program.conditions if c.tag] + [t for c in program.conditions for t in c.any_tags or []]
    return tags + [e.tag for e in program.exclusions]


def fields_in_play(book: Rulebook, response: Answer | None) -> FieldsInPlay:
    """The fields that matter for the answer's programs (none before an answer: the place alone)."""
    if response is None:
        return FieldsInPlay()
    folded = set(response.other_programs.program_ids) if response.other_programs else set()
    answered = [p for p in response.programs if p.program_id in book.programs]
    rules = [book.programs[p.program_id] for p in answered]
    roles: set[str] = set()
    for rule in rules:
        roles.update(rule.amount_facts())
        if rule.once or any(c.scope in (CapScope.ENTERPRISE, CapScope.YEAR) for c in rule.caps):
            roles.add(RECEIVED)
    asked = [p for p in answered if p.program_id not in folded]
    ranked = (
        [t for p in asked if p.status == "needs_info" for t in p.missing]
        + [t for p in asked for t in _tags_of(book.programs[p.program_id])]
        + [t for rule in rules for t in _tags_of(rule)]
    )
    tags = [t for t in dict.fromkeys(ranked) if t in book.vocabulary.tags][:TAG_SLOTS]
    return FieldsInPlay(
        roles=[r for r in FORM_ROLES if r in roles],
        tags=tags,
        level=any(r.formula.kind is FormulaKind.BY_LEVEL or any(c.min_level for c in r.conditions) for r in rules),
        lpr=any(r.formula.kind is FormulaKind.LPR_INTEREST for r in rules),
    )


def tag_choice(facts: EnterpriseFacts | None, tag: str) -> str:
    """是 / 否 as stated, 不清楚 when it was not."""
    known = (facts or EnterpriseFacts()).tags.get(tag)
    return UNKNOWN if known is None else (YES if known else NO)


# --- the facts form ---------------------------------------------------------------------------------


def facts_to_form(facts: EnterpriseFacts | None) -> list[Any]:
    """Form values for `facts`: place, one 万元 number per FORM_ROLES role, level, LPR in percent."""
    facts = facts or EnterpriseFacts()
    amounts = [float(facts.amounts[r] / WAN) if r in facts.amounts else None for r in FORM_ROLES]
    lpr = float(facts.lpr_rate * 100) if facts.lpr_rate is not None else None
    return [facts.place, *amounts, facts.level.value if facts.level else None, lpr]


def _decimal(value: float | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InputError(f"无法识别数值“{value}”") from None


def form_place(value: str | None, base: EnterpriseFacts | None, vocab: Vocabulary) -> str | None:
    """The place the form says. A place it offers, or the one already read from the question (a full
    path such as 河南省洛阳市, which the list need not hold), stays as it is; a place typed in is read
    the way a question's place is ("洛阳" → 河南省洛阳市), and one that cannot be read is refused."""
    value = (value or "").strip()
    if not value or value in vocab.places or (base is not None and value == base.place):
        return value or None
    reading = read_place(value, vocab)
    if reading.place is None:
        raise InputError((reading.errors or reading.notes or [f"无法识别地区“{value}”"])[0] + "，请填写省、市或区县")
    return reading.place


def facts_from_form(
    base: EnterpriseFacts | None,
    labels: dict[str, str],
    place: str | None,
    amounts: list[float | None],
    level: str | None,
    lpr_percent: float | None,
    shown: FieldsInPlay | None = None,
    tag_choices: list[str | None] | None = None,
) -> EnterpriseFacts:
    """The facts the user sees in the form: `amounts` by FORM_ROLES, `tag_choices` by `shown.tags`;
    what the form does not show (`shown`: every amount, the level and the LPR when None), other tags,
    the option already chosen and the years said with recognitions are kept from `base`.

    An amount the user typed is exact, so it settles a vague one of the same role; a changed place drops
    the word the user originally wrote for it. 不清楚 takes a yes/no fact back to unknown.
    """
    base = base or EnterpriseFacts()
    editable = set(shown.roles) if shown else set(FORM_ROLES)
    new_amounts = {r: v for r, v in base.amounts.items() if r not in editable}
    for role, value in zip(FORM_ROLES, amounts):
        wan = _decimal(value)
        if role not in editable or wan is None:
            continue
        yuan = (wan * WAN).quantize(CENT)
        problem = implausible(yuan)
        if problem:
            raise InputError(f"{labels.get(role, role)}{problem}")
        new_amounts[role] = yuan
    rate = _decimal(lpr_percent) if shown is None or shown.lpr else None
    if rate is not None and not Decimal(0) < rate < Decimal(100):
        raise InputError("一年期LPR请填写百分数，例如 3.85")
    tags = dict(base.tags)
    for tag, choice in zip(shown.tags if shown else [], tag_choices or []):
        if choice in (YES, NO):
            tags[tag] = choice == YES
        else:
            tags.pop(tag, None)
    place = place or None
    return EnterpriseFacts(
        place=place,
        place_mention=base.place_mention if place == base.place else None,
        amounts=new_amounts,
        unsettled={r: u for r, u in base.unsettled.items() if r not in new_amounts},
        tags=tags,
        level=(Level(level) if level else None) if shown is None or shown.level else base.level,
        lpr_rate=(rate / 100) if rate is not None else (None if shown is None or shown.lpr else base.lpr_rate),
        chosen=dict(base.chosen),
        had=list(base.had),
        since=dict(base.since),
    )
