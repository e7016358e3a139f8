"""Counts read into facts: "聘用了8名本科毕业生", "获得发明专利3件", for the amounts a policy counts in
a unit other than money (`AmountRole.unit`: 人, 件, 亩 …), which a per-unit rule multiplies.

A count belongs to an amount only when that amount's noun stands right beside it: just after its measure
word ("8名本科毕业生", "3件国内发明专利") or just before the number ("毕业生8人", "发明专利一共3件"). Counts are
everywhere in questions ("一个项目", "3个月", "5家企业"), so a noun a few words away says nothing, and
the fact is asked for instead. A vague count (10多人, 近20名, 8到10人) is asked the way a vague amount is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assistant.calculator.facts import Unsettled
from assistant.reading.amounts import CountMention, find_counts
from assistant.reading.vague import vague_amount
from assistant.reading.wording import CLAUSE_BREAK
from assistant.rules.rulebook import Vocabulary
from assistant.rules.schema import MONEY_UNITS, WHOLE_UNITS

# How people count what each unit of a rule counts: "8名毕业生" and "8个毕业生" count 人; "3项专利" counts 件.
SAID_AS = {
    "人": ("人", "名", "位", "个"),
    "件": ("件", "项", "个"),
    "项": ("项", "件", "个"),
    "家": ("家", "户", "个"),
    "平方米": ("平方米", "平米", "㎡"),
    "千瓦时": ("千瓦时", "度"),
}
# characters of modifier between the measure word and the noun: "3件国内发明专利", not "3个项目招了毕业生"
NOUN_AFTER = 3
NOUN_BEFORE = 6  # characters between the noun and the number ("本科毕业生共聘用了8人")


def said_as(unit: str) -> tuple[str, ...]:
    """The measure words that count `unit` (the unit itself first)."""
    return SAID_AS.get(unit, (unit,))


@dataclass
class ReadCounts:
    """The counts of a question by role: exact ones, vague ones (asked), and slips (errors)."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    unsettled: dict[str, Unsettled] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def counted_roles(vocab: Vocabulary) -> dict[str, str]:
    """role → unit, for every amount counted in something other than money (人, 件, 亩 …)."""
    return {role: spec.unit for role, spec in vocab.amount_roles.items() if spec.unit not in MONEY_UNITS}


def read_counts(text: str, vocab: Vocabulary) -> ReadCounts:
    """Every count of `text` that stands beside the noun of a counted amount."""
    out = ReadCounts()
    roles = counted_roles(vocab)
    if not roles:
        return out
    words = {word for unit in roles.values() for word in said_as(unit)}
    for mention in find_counts(text, words):
        role = _role_of(text, mention, roles, vocab)
        if role is None:
            continue
        spec = vocab.amount_roles[role]
        unsettled = vague_amount(text, mention, vocab)
        if unsettled:
            out.unsettled[role] = unsettled
            out.amounts.pop(role, None)
        elif mention.value <= 0 or (spec.unit in WHOLE_UNITS and mention.value != mention.value.to_integral_value()):
            out.errors.append(f"{spec.label}“{mention.raw}”应为大于零的整数，请核对后重新输入")
        elif role in out.amounts and out.amounts[role] != mention.value:
            said = f"“{_said(out, role)}”和“{mention.raw}”"
            out.unsettled[role] = Unsettled(said=said, ask=f"您说的{said}，{spec.label}是哪一个？")
            out.amounts.pop(role)
        elif role not in out.unsettled:
            out.amounts[role] = mention.value
    return out


def _said(out: ReadCounts, role: str) -> str:
    return f"{out.amounts[role].normalize():f}"


def _role_of(text: str, mention: CountMention, roles: dict[str, str], vocab: Vocabulary) -> str | None:
    """The counted amount whose noun stands right after the measure word, else right before the number,
    and whose unit the measure word counts."""
    fitting = [role for role, unit in roles.items() if mention.word in said_as(unit)]
    after = _clause(text[mention.end : mention.end + NOUN_AFTER + 12], forward=True)
    before = _clause(text[max(0, mention.start - NOUN_BEFORE - 12) : mention.start], forward=False)
    nearest_after = [
        (at, -len(cue), role)
        for role in fitting
        for cue in vocab.amount_roles[role].cues
        for at in [after.find(cue)]
        if 0 <= at <= NOUN_AFTER
    ]
    if nearest_after:
        return min(nearest_after)[2]
    nearest_before = [
        (len(before) - at - len(cue), -len(cue), role)
        for role in fitting
        for cue in vocab.amount_roles[role].cues
        for at in [before.rfind(cue)]
        if at >= 0 and len(before) - at - len(cue) <= NOUN_BEFORE
    ]
    return min(nearest_before)[2] if nearest_before else None


def _clause(words: str, *, forward: bool) -> str:
    """`words` cut at the first clause break away from the number."""
    return CLAUSE_BREAK.split(words)[0 if forward else -1]
