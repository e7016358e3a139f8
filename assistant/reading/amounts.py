"""Amounts, percentages and dates as enterprise staff write them, read exactly.

Questions mix every notation ("总投资500万", "一千二百万", "叁佰万元", "1.2亿元", "¥3,000,000",
"300多万"), and a subsidy is computed from these numbers, so reading must be exact: every value
is a Decimal built with Decimal arithmetic only, and anything that cannot be read with certainty
is refused with an `InputError` whose message tells the user, in Chinese, how to write it instead.

The `find_*` functions scan free text and return spans, so that the caller can look at the words
around a number to decide its role (总投资 or 设备投资); they skip what they cannot read. The
`parse_*` functions read one value the user typed on its own and raise `InputError` instead.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from decimal import (
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from typing import Any, Literal, TypeVar

from assistant.core.money import CENT as _CENT
from assistant.core.money import ROUNDING as _ROUNDING
from assistant.core.money import WAN as _WAN

# Reading fails rather than rounds: an input too long for 60 digits is refused, not truncated.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])

_CN_DIGITS = {
    **dict.fromkeys("〇零", 0),
    **dict.fromkeys("一壹", 1),
    **dict.fromkeys("二两贰", 2),
    **dict.fromkeys("三叁", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
_CN_SMALL_UNITS = {**dict.fromkeys("十拾", 10), **dict.fromkeys("百佰", 100), **dict.fromkeys("千仟", 1000)}
_CN_BIG_UNITS = {**dict.fromkeys("万萬", 10**4), **dict.fromkeys("亿億", 10**8)}
_CN_UNITS = {**_CN_SMALL_UNITS, **_CN_BIG_UNITS}
_DIGIT_CHARS = "".join(_CN_DIGITS)
_SMALL_UNIT_CHARS = "".join(_CN_SMALL_UNITS)
_UNIT_CHARS = "".join(_CN_UNITS)
_NUMERAL_CHARS = _DIGIT_CHARS + _UNIT_CHARS + "点"

# Arabic numbers: thousands separators only in well-formed groups, so "1,2000" is not 12000. A group
# may also be set off by a space, as print and spreadsheets do ("13 800 000 元", "1 300万"), and digits
# typed one by one ("3 5 0 万") are one number before a unit; an
# invisible separator pasted from a web page is read as such a space (see _HALFWIDTH).
_GROUP_SPACE = " \u00a0\u2009\u202f"
_ARABIC = (
    r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
    rf"|[0-9]{{1,3}}(?:[{_GROUP_SPACE}][0-9]{{3}})+(?![0-9])(?:\.[0-9]+)?"
    # Digits typed one by one with spaces ("3 5 0 万"), read as one number only right before a unit.
    rf"|[0-9](?:[{_GROUP_SPACE}][0-9])+(?=[{_GROUP_SPACE}]?[万亿萬億千百元])"
    r"|[0-9]+(?:\.[0-9]+)?"
)
_GROUP_SEPARATORS_RE = re.compile(rf"[,{_GROUP_SPACE}]")
# 300多万, 1万余元: the amount is a lower bound. Not 多少 (how much) nor 余额 (balance).
_APPROX = r"多(?!少)|余(?!额)"
_YUAN = r"元|块钱|(?<=[万亿萬億])块"  # a bare 块 is money only after 万/亿: 三块地 is three plots
# Words after "3万"/"2亿" that make it a count, not money: 3万人, 5万吨, 2万平方米, 1万个.
_COUNT_WORDS = "人个项亩吨台套户家名次件株头只辆平米方瓦度条张间所座栋层份批种位"
# …unless the word goes on as another word: "6000万项目贷款", "3000万批下来了", "900万所得税".
_NOT_COUNTS = "项目|批了|批下|批给|批复|批准|所得|方案|条件|位于|名下|次年"
# "6个亿", "3个亿": spoken, the 个 between an Arabic number and its unit; read as a space (same length).
_SPOKEN_UNIT_RE = re.compile(r"(?<=[0-9])个(?=[万亿])")
# Fullwidth digits, full stop and percent sign, one for one so that spans stay valid. Not "，":
# that is the Chinese comma between clauses ("总投资500万，设备300万"), never a digit separator.
_HALFWIDTH = str.maketrans("０１２３４５６７８９．％\u200b\u200c\u200d\u2060\ufeff", "0123456789.%     ")

# After 万/亿, a numeral that opens a count or a span is the next word's, not the amount's ("奖励50万一次性
# 拨付", "500万三年内", "300万五台"); a single digit that ends the amount is the unit's tenth, as people say
# it ("一亿五" is 1.5亿, "三万五" 35000; `_remainder` reads it so).
_WORD_AFTER_UNIT = _COUNT_WORDS + "年月天周季"
_NOT_THE_AMOUNTS = rf"(?!(?<=[万亿萬億])(?:[{_DIGIT_CHARS}]|[0-9]+)[{_WORD_AFTER_UNIT}])"
_SPOKEN_TENTH = r"[万亿萬億][一二两三四五六七八九壹贰叁肆伍陆柒捌玖1-9]"
_AMOUNT_RE = re.compile(
    rf"(?<![0-9])(?<![0-9][.,])"  # never start inside a longer Arabic number
    rf"(?<![0-9][eE])(?<![0-9][eE][+-])"  # nor in the exponent of 1e20 (not a notation read here)
    rf"(?:[¥￥]\s*)?"
    # Atomic: a number followed by a count word is not retried as a shorter number (3万人 is not 3).
    # One space may separate Arabic digits from their unit: "500 万元".
    rf"(?>(?:{_NOT_THE_AMOUNTS}(?:(?:{_ARABIC})(?:\s(?=[{_UNIT_CHARS}元]))?|[{_NUMERAL_CHARS}]))+"
    rf"(?:(?:{_APPROX})[{_UNIT_CHARS}]*)?)"
    rf"(?:(?:{_YUAN})?人民币|{_YUAN}|(?!(?!{_NOT_COUNTS})[{_COUNT_WORDS}]))"
)
# A foreign currency after an amount ("150万美元") or its sign before it ("$2,000", "€500万"): the
# value is not yuan, and converting it would be a guess about the rate, so the reader asks instead.
_FOREIGN_AFTER_RE = re.compile(
    r"\s*(美元|美金|欧元|日元|日币|港元|港币|英镑|澳元|加元|韩元|卢布|新台币|泰铢|新加坡元|瑞士法郎"
    r"|(?i:dollars?|usd|eur|euros?|jpy|hkd|gbp|aud|cad))"
)
_FOREIGN_BEFORE_RE = re.compile(r"(US\$|HK\$|\$|€|£|(?i:usd|eur)\s?)$")
_MONEY_ENDING_RE = re.compile(rf"(?:{_YUAN}|[万亿萬億](?:{_APPROX})?|{_SPOKEN_TENTH})(?:人民币)?$")
_AMOUNT_AFFIXES_RE = re.compile(r"(?:[¥￥]|人民币)?(?P<number>.*?)(?:元整?|块钱?)?(?:人民币)?", re.S)
_SPACES_RE = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")
_APPROX_RE = re.compile(rf"(?<=[0-9{_NUMERAL_CHARS}])(?:{_APPROX})")
# 三点五 -> 3.5 before the unit grammar runs: 点 is a decimal point, its digits are read one by one.
_CN_DECIMAL_RE = re.compile(rf"([0-9{_DIGIT_CHARS}{_SMALL_UNIT_CHARS}]+)点([0-9{_DIGIT_CHARS}]+)")
_TOKEN_RE = re.compile(rf"{_ARABIC}|.", re.S)
_MAX_WORD_TAIL = 4  # numeral characters a word may end in before an amount: 统一, 十一五, 万一

_PERCENT_RE = re.compile(
    rf"(?<![0-9.])(?P<digits>[0-9]+(?:\.[0-9]+)?)\s*%"
    rf"|百分之(?P<words>(?:[0-9]+(?:\.[0-9]+)?|[{_DIGIT_CHARS}{_SMALL_UNIT_CHARS}点])+)"
)

_DATE_RE = re.compile(
    r"(?<![0-9])(?P<year>[0-9]{4})"
    r"(?:(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})"  # 2021-06-30, 2021/6/30, 2021.6.30
    r"|年(?P<cn_month>[0-9]{1,2})月(?P<cn_day>[0-9]{1,2})[日号])"  # 2021年6月30日
    r"(?![0-9])"
)
_DATE_FORM = "请按 YYYY-MM-DD 格式填写，如 2021-06-30"


class InputError(ValueError):
    """Input the assistant cannot read; `message` is Chinese and is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Unreadable(Exception):
    """Internal: the numeral grammar failed; public functions turn it into an `InputError`."""


class _TooManyDigits(_Unreadable):
    """Internal: more significant digits than `_EXACT` holds, i.e. far beyond any real amount."""


@dataclass(frozen=True)
class AmountMention:
    """A money amount in a sentence; `text[start:end] == raw`, `value` in yuan."""

    start: int
    end: int
    raw: str
    value: Decimal
    approximate: bool  # written as a lower bound: 300多万, 1万余元
    currency: str | None = None  # a foreign currency written with it ("150万美元", "$2 000"): not yuan


@dataclass(frozen=True)
class PercentMention:
    """A percentage in a sentence; `value` is a fraction (3.85% -> 0.0385)."""

    start: int
    end: int
    raw: str
    value: Decimal


@dataclass(frozen=True)
class DateMention:
    """A full calendar date in a sentence (year, month and day all written)."""

    start: int
    end: int
    raw: str
    value: date


_M = TypeVar("_M", PercentMention, DateMention)


# --- amounts -------------------------------------------------------------------------------


def parse_amount(text: str) -> Decimal:
    """One amount the user typed (500万, 叁佰万元, ¥3,000,000, 6000000), in yuan."""
    try:
        value, _approximate = _read_amount(text)
    except _Unreadable:
        shown = text.strip()
        if not shown:
            raise InputError("请填写金额，如“500万元”") from None
        raise InputError(f"无法识别金额“{shown}”，请用如“500万元”的写法") from None
    return value


def find_amounts(text: str) -> list[AmountMention]:
    """Every money amount in a sentence, left to right, not overlapping.

    Money means a number with a money unit (元, 万, 亿, 块 ...) or a ¥ sign, so years, dates,
    percentages, counts and document numbers (〔2020〕5号) are left alone.
    """
    normalized = _SPOKEN_UNIT_RE.sub(" ", _halfwidth(text))
    found = (_amount_at(text, normalized, m.start(), m.end()) for m in _AMOUNT_RE.finditer(normalized))
    return [_with_currency(normalized, mention) for mention in found if mention is not None]


def _with_currency(normalized: str, mention: AmountMention) -> AmountMention:
    after = _FOREIGN_AFTER_RE.match(normalized, mention.end)
    before = _FOREIGN_BEFORE_RE.search(normalized, max(0, mention.start - 4), mention.start)
    currency = after[1] if after else before[1].strip() if before else None
    return dataclasses.replace(mention, currency=currency) if currency else mention


def _amount_at(text: str, normalized: str, start: int, end: int) -> AmountMention | None:
    """Read a candidate, dropping leading numeral characters that belong to a word (统一500万).

    At most `_MAX_WORD_TAIL` of them: every drop re-reads the rest, so trying them all made a pasted
    run of numerals (伍佰万伍佰万…, 2,000 characters) cost seconds of CPU; no word ends in more."""
    foreign_sign = _FOREIGN_BEFORE_RE.search(normalized, max(0, start - 4), start)
    if not (normalized[start] in "¥￥" or foreign_sign or _MONEY_ENDING_RE.search(normalized, start, end)):
        return None
    for first in range(start, min(end, start + _MAX_WORD_TAIL + 1)):
        try:
            value, approximate = _read_amount(normalized[first:end])
        except _TooManyDigits:
            # Not dropped: read to `_ROUNDING`'s precision, its size alone is what matters, so that
            # the reader can say the amount is implausible instead of asking for it again.
            try:
                value, approximate = _read_amount(normalized[first:end], _ROUNDING)
            except _Unreadable:
                return None
        except _Unreadable:
            if normalized[first] not in _NUMERAL_CHARS:
                return None
            continue
        return AmountMention(first, end, text[first:end], value, approximate)
    return None


def _read_amount(text: str, context: Context = _EXACT) -> tuple[Decimal, bool]:
    """(yuan, approximate) of one amount with its currency signs and words."""
    # Spaces go ("500 万元", "¥ 3,000"), except between digits: "500 100万" is two numbers, not one.
    compact = _SPACES_RE.sub("", _halfwidth(text))
    number = _AMOUNT_AFFIXES_RE.fullmatch(compact)["number"]  # type: ignore[index]  # always matches
    number, approx_markers = _APPROX_RE.subn("", number)
    if approx_markers > 1:
        raise _Unreadable
    return _tidy(_number_value(number, context)), approx_markers == 1


def _tidy(value: Decimal) -> Decimal:
    """Exact amounts stay exact (5000000, 12345.6); only a fraction of a cent is rounded away."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    value = value.normalize(_ROUNDING)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        return value.quantize(_CENT, context=_ROUNDING)
    return value


# --- counts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountMention(AmountMention):
    """A count in a sentence ("8名", "两件", "120亩"): `value` is the number, `word` the measure word."""

    word: str = ""


def find_counts(text: str, words: Collection[str]) -> list[CountMention]:
    """Every count of one of the measure `words`, left to right: a numeral right before its word
    ("8名毕业生", "两项专利", "3万平方米", "10多人").

    Not an ordinal (第3名), nor a number inside a longer Arabic one, nor a numeral of a word before it
    (统一3台 reads 3); a numeral that cannot be read with certainty (十几个) is skipped, so the fact is
    asked for rather than guessed."""
    if not words:
        return []
    normalized = _halfwidth(text)
    found = []
    for match in _count_pattern(tuple(sorted(words, key=len, reverse=True))).finditer(normalized):
        number, word = match["number"], match["word"]
        if normalized.startswith(_SPANS_OF_TIME, match.end()):
            continue  # "3个月", "两个季度": a span of time, not a count
        for first in range(min(len(number), _MAX_WORD_TAIL + 1)):
            try:
                value = _tidy(_number_value(_GROUP_SEPARATORS_RE.sub("", number[first:])))
            except _Unreadable:
                continue
            start = match.start() + first
            approximate = bool(match["approx"])
            found.append(CountMention(start, match.end(), text[start : match.end()], value, approximate, word=word))
            break
    return found


_SPANS_OF_TIME = ("月", "小时", "星期", "季度", "工作日", "年度")


@functools.cache
def _count_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, words))
    return re.compile(
        rf"(?<![0-9第])(?<![0-9][.,])(?P<number>(?:{_ARABIC}|[{_DIGIT_CHARS}{_UNIT_CHARS}])+)"
        rf"(?P<approx>多|余)?\s?(?P<word>{alternatives})"
    )


# --- the numeral grammar -------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "unit", "zero"]
    value: Decimal
    # Written as a single character: after a unit it is shorthand for the next place down,
    # 一万五 = 15000 and 三千五 = 3500 (written out in full they would need 零: 一万零五 = 10005).
    one_char: bool = False


# Units from the biggest down. In front of 亿 and 万 stands a whole smaller number (三千五百万,
# 一万亿); in front of 千, 百, 十 a single number (三千, 1.5千).
_LADDER = tuple(Decimal(u) for u in (10**8, 10**4, 1000, 100, 10))


def _number_value(numeral: str, context: Context = _EXACT) -> Decimal:
    """The value of a numeral in Arabic, Chinese or mixed notation (500, 五百, 1亿2000万, 三点五万)."""
    with localcontext(context):
        try:
            return _evaluate(_tokenize(_CN_DECIMAL_RE.sub(_arabic_decimal, numeral)))
        except DecimalException as exc:  # more digits than `context` holds
            raise _TooManyDigits from exc


def _arabic_decimal(match: re.Match[str]) -> str:
    integer = _evaluate(_tokenize(match[1]))
    fraction = "".join(str(_CN_DIGITS.get(char, char)) for char in match[2])
    return f"{integer:f}.{fraction}"


def _tokenize(numeral: str) -> list[_Token]:
    tokens = []
    for piece in _TOKEN_RE.findall(numeral):
        if piece in _CN_DIGITS:
            digit = _CN_DIGITS[piece]
            tokens.append(_Token("number", Decimal(digit), one_char=True) if digit else _Token("zero", Decimal(0)))
        elif piece in _CN_UNITS:
            tokens.append(_Token("unit", Decimal(_CN_UNITS[piece])))
        elif piece[0] in "0123456789":
            value = getcontext().create_decimal(_GROUP_SEPARATORS_RE.sub("", piece))  # `_EXACT`: never rounds
            tokens.append(_Token("number", value, one_char=len(piece) == 1))
        else:
            raise _Unreadable
    return tokens


def _evaluate(tokens: list[_Token], level: int = 0) -> Decimal:
    """Value of tokens whose biggest unit is at most `_LADDER[level]`."""
    if level == len(_LADDER):
        return _bare(tokens)
    unit = _LADDER[level]
    positions = [i for i, token in enumerate(tokens) if token.kind == "unit" and token.value == unit]
    if not positions:
        return _evaluate(tokens, level + 1)
    if len(positions) > 1:  # 五百万万
        raise _Unreadable
    head, tail = tokens[: positions[0]], tokens[positions[0] + 1 :]
    return _multiplier(head, unit, level) * unit + _remainder(tail, unit, level + 1)


def _multiplier(head: list[_Token], unit: Decimal, level: int) -> Decimal:
    if unit >= _WAN:
        return _evaluate(head, level + 1)
    if not head and unit == 10:  # 十五, 十万
        return Decimal(1)
    return _bare(head)


def _remainder(tail: list[_Token], unit: Decimal, level: int) -> Decimal:
    """What follows a unit; it must be smaller than that unit (not 一万一万)."""
    if not tail:
        return Decimal(0)
    if tail[0].kind == "zero":
        value = _evaluate(tail[1:], level)
    elif len(tail) == 1 and tail[0].one_char:
        value = tail[0].value * unit / 10
    else:
        value = _evaluate(tail, level)
    if value >= unit:
        raise _Unreadable
    return value


def _bare(tokens: list[_Token]) -> Decimal:
    """A number standing alone; an Arabic one may be of any size (12000万, 1.5千)."""
    if len(tokens) == 1 and tokens[0].kind != "unit":
        return tokens[0].value
    raise _Unreadable


# "800w", "480W": 万 as chat shorthand writes it, right after digits and before no other Latin letter;
# not a power in watts ("功率500W").
_WAN_SHORTHAND_RE = re.compile(r"(?<=[0-9])[wW](?![A-Za-z])")
_POWER_WORDS = ("功率", "瓦")


def _halfwidth(text: str) -> str:
    text = text.translate(_HALFWIDTH)

    def wan(m: re.Match[str]) -> str:
        power = any(w in text[max(0, m.start() - 10) : m.start()] for w in _POWER_WORDS)
        return m[0] if power else "万"

    return _WAN_SHORTHAND_RE.sub(wan, text)


# --- percentages ---------------------------------------------------------------------------


def parse_percent(text: str) -> Decimal:
    """One percentage the user typed (3.85%, 百分之三点八五), as a fraction (0.0385)."""
    match = _PERCENT_RE.fullmatch(_halfwidth(text.strip()))
    try:
        if match is not None:
            return _percent_value(match)
    except _Unreadable:
        pass
    raise InputError(f"无法识别百分比“{text.strip()}”，请用如“3.85%”的写法")


def find_percents(text: str) -> list[PercentMention]:
    """Every percentage of a base in a sentence (3.85%, 百分之25); "25个百分点" is a difference, skipped."""
    return _scan(text, _PERCENT_RE, _percent_value, PercentMention)


def _percent_value(match: re.Match[str]) -> Decimal:
    number = Decimal(match["digits"]) if match["digits"] else _number_value(match["words"])
    return number.scaleb(-2)


# --- dates ---------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """One date the user typed (2021-06-30, 2021年6月30日, 2021/6/30), e.g. an `as_of` field."""
    shown = text.strip()
    if not shown:
        raise InputError("请填写日期（YYYY-MM-DD，如 2021-06-30）")
    match = _DATE_RE.fullmatch(_halfwidth(shown))
    if match is None:
        raise InputError(f"无法识别日期“{shown}”，{_DATE_FORM}")
    return _date_of(match)


def find_dates(text: str) -> list[DateMention]:
    """Every full date in a sentence; impossible ones (2021-02-30) are skipped."""
    return _scan(text, _DATE_RE, _date_of, DateMention)


def _scan(text: str, pattern: re.Pattern[str], read: Callable[[re.Match[str]], Any], mention: type[_M]) -> list[_M]:
    """Mentions of `pattern` whose value `read` can make out; the unreadable ones are skipped."""
    found = []
    for match in pattern.finditer(_halfwidth(text)):
        try:
            value = read(match)
        except (_Unreadable, InputError):
            continue
        found.append(mention(match.start(), match.end(), text[match.start() : match.end()], value))
    return found


def _date_of(match: re.Match[str]) -> date:
    year = int(match["year"])
    month = int(match["month"] or match["cn_month"])
    day = int(match["day"] or match["cn_day"])
    if not MINYEAR <= year <= MAXYEAR:
        problem = f"年份应在{MINYEAR}到{MAXYEAR}之间"
    elif not 1 <= month <= 12:
        problem = "月份应在1到12之间"
    else:
        days = calendar.monthrange(year, month)[1]
        if 1 <= day <= days:
            return date(year, month, day)
        problem = f"{year}年{month}月只有{days}天"
    raise InputError(f"日期“{match[0]}”不存在：{problem}。{_DATE_FORM}")
