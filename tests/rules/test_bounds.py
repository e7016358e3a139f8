"""民法典 第1259条 as code: which bound words include the number itself."""

from decimal import Decimal

import pytest

from assistant.rules.bounds import BOUND_WORDS, admits, bound_for

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
    with pytest.raises(ValueError, match="unknown bound word"):
        bound_for("左右")
