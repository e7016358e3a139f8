"""Amounts said vaguely: what they surely are, and the question that settles them.

Bound words (不到/超过/以内/多), approximations (约/左右/大概), ranges (400到600万, 五六百万) and foreign
currencies make an amount `Unsettled`: the calculator may still decide a threshold from what is known
("2000多万" is above 500万) but asks before computing anything. Counts (10多人, 近20名) are read the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.calculator.facts import Unsettled
from assistant.reading.amounts import AmountMention
from assistant.rules.rulebook import Vocabulary

# "400到600万", "400-600万元": a bare number joined to the amount is the low end of a range in its unit.
RANGE_START = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:到|至|-|－|~|～|—)\s*$")
# "五六百万", "三四百万": two neighbouring digits say a range; the reader takes the second as the amount.
CN_DIGITS = "一二三四五六七八九"
# A range's low end is in the unit of the amount it is joined to ("400到600万").
UNIT_VALUE = {"万": Decimal(10**4), "亿": Decimal(10**8)}


def vague_amount(text: str, mention: AmountMention, vocab: Vocabulary) -> Unsettled | None:
    """What a vague amount (or count) surely is, with the question to ask; None if it is exact."""
    said = mention.raw
    if mention.currency:
        said = f"{mention.raw}{mention.currency}" if not mention.raw.endswith(mention.currency) else said
        return Unsettled(said=said, ask=f"您说的“{said}”请换算为人民币金额后告诉我，按人民币计算")
    before = text[max(0, mention.start - 4) : mention.start]
    after = text[mention.end : mention.end + 3]
    previous = text[mention.start - 1 : mention.start] if mention.start else ""
    if (
        previous
        and previous in CN_DIGITS
        and mention.raw[0] in CN_DIGITS
        and CN_DIGITS.index(previous) == CN_DIGITS.index(mention.raw[0]) - 1
    ):
        said = previous + mention.raw
        low = mention.value / (CN_DIGITS.find(mention.raw[0]) + 1) * (CN_DIGITS.find(previous) + 1)
        return Unsettled(said=said, ask=f"您说的“{said}”具体是多少？", low=low, high=mention.value)
    start = RANGE_START.search(text, max(0, mention.start - 12), mention.start)
    if start:
        unit = next((u for ch, u in UNIT_VALUE.items() if ch in mention.raw), Decimal(1))
        low = Decimal(start[1]) * unit
        said = text[start.start() : mention.end]
        return Unsettled(said=said, ask=f"您说的“{said}”具体是多少？", low=low, high=mention.value)
    for sense in vocab.vague_amounts:
        for word in sense.before:
            if before.endswith(word):
                return _vague(f"{word}{mention.raw}", mention.value, sense.bound)
        for word in sense.after:
            if after.startswith(word):
                return _vague(f"{mention.raw}{word}", mention.value, sense.bound)
    if mention.approximate:
        return _vague(mention.raw, mention.value, "at_least")
    return None


def _vague(said: str, value: Decimal, bound: str) -> Unsettled:
    ask = f"您说的“{said}”具体是多少？"
    if bound == "below":
        return Unsettled(said=said, ask=ask, high=value, high_inclusive=False)
    if bound == "at_most":
        return Unsettled(said=said, ask=ask, high=value)
    if bound == "above":
        return Unsettled(said=said, ask=ask, low=value, low_inclusive=False)
    if bound == "at_least":
        return Unsettled(said=said, ask=ask, low=value)
    return Unsettled(said=said, ask=ask)
