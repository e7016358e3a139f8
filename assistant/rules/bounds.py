"""What the texts' bound words mean, as code.

民法典 第一千二百五十九条: "民法所称的'以上''以下''以内''届满'，包括本数；所称的'不满''超过''以外'，
不包括本数." Rules quote the word the text uses; this module alone turns it into a comparison, so
"总投资500万元以上" admits exactly 5,000,000 yuan and "超过500万元" does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Direction(str, Enum):
    AT_LEAST = "at_least"  # the value must reach the number
    AT_MOST = "at_most"  # the value must not pass the number


@dataclass(frozen=True)
class Bound:
    direction: Direction
    inclusive: bool

    def admits(self, value: Decimal, number: Decimal) -> bool:
        if self.direction is Direction.AT_LEAST:
            return value >= number if self.inclusive else value > number
        return value <= number if self.inclusive else value < number

    @property
    def symbol(self) -> str:
        if self.direction is Direction.AT_LEAST:
            return "≥" if self.inclusive else ">"
        return "≤" if self.inclusive else "<"


BOUND_WORDS: dict[str, Bound] = {
    # include the number itself
    "以上": Bound(Direction.AT_LEAST, True),
    "（含）以上": Bound(Direction.AT_LEAST, True),
    "(含)以上": Bound(Direction.AT_LEAST, True),
    "及以上": Bound(Direction.AT_LEAST, True),
    "不低于": Bound(Direction.AT_LEAST, True),
    "不少于": Bound(Direction.AT_LEAST, True),
    "达到": Bound(Direction.AT_LEAST, True),
    "达": Bound(Direction.AT_LEAST, True),  # 上云费用达1万元的
    "以下": Bound(Direction.AT_MOST, True),
    "以内": Bound(Direction.AT_MOST, True),
    "不超过": Bound(Direction.AT_MOST, True),
    "最高": Bound(Direction.AT_MOST, True),
    "最高不超过": Bound(Direction.AT_MOST, True),
    "最高可达": Bound(Direction.AT_MOST, True),
    "可达": Bound(Direction.AT_MOST, True),
    "不高于": Bound(Direction.AT_MOST, True),
    # exclude it
    "超过": Bound(Direction.AT_LEAST, False),
    "高于": Bound(Direction.AT_LEAST, False),
    "多于": Bound(Direction.AT_LEAST, False),
    "不满": Bound(Direction.AT_MOST, False),
    "低于": Bound(Direction.AT_MOST, False),
    "不足": Bound(Direction.AT_MOST, False),
    "少于": Bound(Direction.AT_MOST, False),
}


@dataclass(frozen=True)
class Interval:
    """What an amount is known to lie within when the user did not give it exactly: "不到500万" is
    (-, 5,000,000), "2000多万" is [20,000,000, -), "400到600万" is [4,000,000, 6,000,000], "约700万"
    is unbounded. None on a side means nothing is known there."""

    low: Decimal | None = None
    low_inclusive: bool = True
    high: Decimal | None = None
    high_inclusive: bool = True

    def admits(self, value: Decimal) -> bool:
        """Whether `value` can be the amount: 3,200,000,000 is one "突破30亿" can be."""
        above = self.low is None or value > self.low or (value == self.low and self.low_inclusive)
        below = self.high is None or value < self.high or (value == self.high and self.high_inclusive)
        return above and below

    def surely(self, bound: Bound, number: Decimal) -> bool | None:
        """True if every value in the interval meets "bound number", False if none does, None if
        some do and some do not: then the threshold cannot be decided and the user must be asked."""
        lo, hi = self.low, self.high
        if bound.direction is Direction.AT_LEAST:
            if lo is not None and (lo > number or (lo == number and (bound.inclusive or not self.low_inclusive))):
                return True
            if hi is not None and (hi < number or (hi == number and not (bound.inclusive and self.high_inclusive))):
                return False
            return None
        if hi is not None and (hi < number or (hi == number and (bound.inclusive or not self.high_inclusive))):
            return True
        if lo is not None and (lo > number or (lo == number and not (bound.inclusive and self.low_inclusive))):
            return False
        return None


def bound_for(word: str) -> Bound:
    """The comparison a bound word stands for; an unknown word is a rules-file error, not a guess."""
    try:
        return BOUND_WORDS[word]
    except KeyError:
        raise ValueError(f"门槛词“{word}”不可用，可用的门槛词：{'、'.join(BOUND_WORDS)}") from None


def admits(word: str, value: Decimal, number: Decimal) -> bool:
    return bound_for(word).admits(value, number)
