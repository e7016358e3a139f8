"""The facts form on the page: what the reader understood, as editable fields, and back into facts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import (  # the form shows amounts in 万元, the way enterprises state them
    CENT,
    WAN,
    implausible,
)
from assistant.reading.amounts import InputError
from assistant.reading.places import read_place
from assistant.rules.rulebook import Vocabulary
from assistant.rules.schema import Level

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
) -> EnterpriseFacts:
    """The facts the user sees in the form; roles the form does not show, tags, the option already chosen
    and the years said with recognitions are kept from `base`.

    An amount the user typed is exact, so it settles a vague one of the same role; a changed place drops
    the word the user originally wrote for it.
    """
    base = base or EnterpriseFacts()
    new_amounts = {r: v for r, v in base.amounts.items() if r not in FORM_ROLES}
    for role, value in zip(FORM_ROLES, amounts):
        wan = _decimal(value)
        if wan is None:
            continue
        yuan = (wan * WAN).quantize(CENT)
        problem = implausible(yuan)
        if problem:
            raise InputError(f"{labels.get(role, role)}{problem}")
        new_amounts[role] = yuan
    rate = _decimal(lpr_percent)
    if rate is not None and not Decimal(0) < rate < Decimal(100):
        raise InputError("一年期LPR请填写百分数，例如 3.85")
    place = place or None
    return EnterpriseFacts(
        place=place,
        place_mention=base.place_mention if place == base.place else None,
        amounts=new_amounts,
        unsettled={r: u for r, u in base.unsettled.items() if r not in new_amounts},
        tags=dict(base.tags),
        level=Level(level) if level else None,
        lpr_rate=(rate / 100) if rate is not None else None,
        chosen=dict(base.chosen),
        had=list(base.had),
        since=dict(base.since),
    )
