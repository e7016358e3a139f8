"""民法典 第1259条 as code: which bound words include the number itself."""

from decimal import Decimal

import pytest

from assistant.rules.bounds import BOUND_WORDS, Interval, admits, bound_for

D = Decimal
# (word, value, number, admitted) — boundary values first.
TABLE = [
    ("以上", D("5000000"), D("5000000"), True),
    ("以上", D("4999999.99"), D("5000000"), False),
    ("以上", D("4999999"), D("5000000"), False),
    ("超过", D("5000000"), D("5000000"), False),
    ("超过", D("5000000.01"), D("5000000"), True),
    ("以下", D("20000000"), D("20000000"), True),
    ("以内", D("20000000"), D("20000000"), True),
    ("不超过", D("1000000"), D("1000000"), True),
    ("不超过", D("1000000.01"), D("1000000"), False),
    ("最高", D("5000000"), D("5000000"), True),
    ("不满", D("20000000"), D("20000000"), False),
    ("不满", D("19999999.99"), D("20000000"), True),
    ("低于", D("20000000"), D("20000000"), False),
    ("低于", D("19999999.99"), D("20000000"), True),
]


@pytest.mark.parametrize("word,value,number,expected", TABLE)
def test_bound_words(word: str, value: Decimal, number: Decimal, expected: bool) -> None:
    assert admits(word, value, number) is expected


def test_inclusive_and_exclusive_words_are_the_ones_the_code_says() -> None:
    inclusive = {w for w, b in BOUND_WORDS.items() if b.inclusive}
    assert {"以上", "以下", "以内", "不超过", "最高"} <= inclusive
    assert not {"超过", "不满", "低于"} & inclusive


def test_an_unknown_word_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="门槛词“.*”不可用"):
        bound_for("左右")


# --- amounts the user did not give exactly: decided only when the whole interval is on one side -----
N = Decimal(5_000_000)


@pytest.mark.parametrize(
    ("interval", "word", "expected"),
    [
        # "不到500万" against 500万元以上: surely not
        (Interval(high=N, high_inclusive=False), "以上", False),
        # "500万以内" (≤ 500万) against 500万以上: 500万 itself may meet it, so undecided
        (Interval(high=N), "以上", None),
        # "500多万" (≥ 500万) against 以上: surely; against 超过 (> 500万): not sure (exactly 500万?)
        (Interval(low=N), "以上", True),
        (Interval(low=N), "超过", None),
        # "超过500万" (> 500万) against 超过: surely
        (Interval(low=N, low_inclusive=False), "超过", True),
        # a range across the threshold, and one wholly above it
        (Interval(low=Decimal(4_000_000), high=Decimal(6_000_000)), "以上", None),
        (Interval(low=Decimal(6_000_000), high=Decimal(8_000_000)), "以上", True),
        # "约500万": nothing known
        (Interval(), "以上", None),
        # upper thresholds mirror them
        (Interval(high=N, high_inclusive=False), "不超过", True),
        (Interval(low=N, low_inclusive=False), "不超过", False),
        (Interval(high=N), "低于", None),
    ],
)
def test_an_interval_decides_a_threshold_only_when_wholly_on_one_side(
    interval: Interval, word: str, expected: bool | None
) -> None:
    assert interval.surely(bound_for(word), N) is expected
