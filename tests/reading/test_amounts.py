"""Reading amounts, percentages and dates the way enterprise staff write them, exactly."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.money import MAX_AMOUNT_YUAN, format_wan, format_yuan
from assistant.reading import amounts
from assistant.reading.amounts import (
    AmountMention,
    InputError,
    find_amounts,
    find_dates,
    find_percents,
    parse_amount,
    parse_date,
    parse_percent,
)

D = Decimal
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# --- a reference formatter for Chinese numerals, independent of the parser ------------------

LOWER_DIGITS = "零一二三四五六七八九"
PLACE_NAMES = ("千", "百", "十", "")
TO_UPPER = str.maketrans("一二三四五六七八九十百千万亿", "壹贰叁肆伍陆柒捌玖拾佰仟萬億")


def chinese(n: int) -> str:
    """Standard lowercase Chinese for a non-negative integer: 10500000 -> 一千零五十万."""
    if n == 0:
        return "零"
    for unit, name in ((10**8, "亿"), (10**4, "万")):
        if n >= unit:
            head, rest = divmod(n, unit)
            tail = "" if rest == 0 else ("零" if rest < unit // 10 else "") + chinese(rest)
            return chinese(head) + name + tail
    text, gap = "", False
    for digit, place in zip(f"{n:04d}", PLACE_NAMES):
        if digit == "0":
            gap = bool(text)
            continue
        text += ("零" if gap else "") + LOWER_DIGITS[int(digit)] + place
        gap = False
    return text


def chinese_decimal(value: Decimal) -> str:
    integer, _, fraction = f"{value:f}".partition(".")
    return chinese(int(integer)) + ("点" + "".join(LOWER_DIGITS[int(c)] for c in fraction) if fraction else "")


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (10, "一十"),
        (105, "一百零五"),
        (10_500_000, "一千零五十万"),
        (120_000_000, "一亿二千万"),
        (105_000_000, "一亿零五百万"),
        (10**12, "一万亿"),
    ],
)
def test_reference_formatter(n: int, expected: str) -> None:
    assert chinese(n) == expected


# --- parse_amount --------------------------------------------------------------------------

AMOUNTS = [
    # Arabic, with and without units and separators
    ("500万", D(5_000_000)),
    ("500万元", D(5_000_000)),
    ("0.3亿", D(30_000_000)),
    ("1.2亿元", D(120_000_000)),
    ("1,200万元", D(12_000_000)),
    # Digit groups set off by a space (print, spreadsheets) or an invisible separator pasted from a page.
    ("1 300万", D(13_000_000)),
    ("13 800 000 元", D(13_800_000)),
    ("13\u00a0800\u00a0000元", D(13_800_000)),
    ("1\u200b300万", D(13_000_000)),
    ("500 100万", D(5_001_000_000)),
    ("3 5 0 万", D(3_500_000)),  # digits typed one by one, right before the unit
    ("800w", D(8_000_000)),  # 万 as chat shorthand
    ("1.5W元", D(15_000)),
    ("1 2 0 0万元", D(12_000_000)),
    ("6,000,000元", D(6_000_000)),
    ("6000000", D(6_000_000)),
    ("1.5万元", D(15_000)),
    ("3千万", D(30_000_000)),
    ("5百万", D(5_000_000)),
    ("1.5千万", D(15_000_000)),
    ("12000万元", D(120_000_000)),
    ("1亿2000万", D(120_000_000)),
    ("123.4567万元", D(1_234_567)),
    ("500万元人民币", D(5_000_000)),
    ("人民币500万元", D(5_000_000)),
    ("¥3,000,000", D(3_000_000)),
    ("￥3,000,000.50", D("3000000.50")),
    ("30万块", D(300_000)),
    ("5块钱", D(5)),
    (" 500 万元 ", D(5_000_000)),
    ("５００万元", D(5_000_000)),
    ("300多万", D(3_000_000)),
    ("300余万元", D(3_000_000)),
    ("1万多元", D(10_000)),
    # lowercase Chinese numerals
    ("五百万", D(5_000_000)),
    ("一千二百万", D(12_000_000)),
    ("两千万", D(20_000_000)),
    ("二千万", D(20_000_000)),
    ("两百万", D(2_000_000)),
    ("五十万元", D(500_000)),
    ("三千五百万", D(35_000_000)),
    ("一亿二千万", D(120_000_000)),
    ("一亿零五百万", D(105_000_000)),
    ("三亿五千六百七十八万九千", D(356_789_000)),
    ("一千零五十万", D(10_500_000)),
    ("一千零五", D(1005)),
    ("一百零五万", D(1_050_000)),
    ("十万", D(100_000)),
    ("一十万", D(100_000)),
    ("十五万", D(150_000)),
    ("二十万元", D(200_000)),
    ("〇点五万", D(5000)),
    ("零点三亿", D(30_000_000)),
    ("三点五万", D(35_000)),
    ("一点二亿元", D(120_000_000)),
    ("一千二百点五万", D(12_005_000)),
    ("一万五", D(15_000)),  # spoken shorthand: the lone digit is the next place down
    ("三千五", D(3500)),
    ("一亿二", D(120_000_000)),
    ("十多万", D(100_000)),
    ("二十多万元", D(200_000)),
    # financial uppercase, every character
    ("伍佰万", D(5_000_000)),
    ("叁佰万元", D(3_000_000)),
    ("叁佰万元整", D(3_000_000)),
    ("壹拾万", D(100_000)),
    ("贰佰万", D(2_000_000)),
    ("肆仟万", D(40_000_000)),
    ("陆拾万", D(600_000)),
    ("柒佰萬", D(7_000_000)),
    ("捌億", D(800_000_000)),
    ("玖仟玖佰玖拾玖萬", D(99_990_000)),
    ("壹億零伍佰萬", D(105_000_000)),
    ("伍拾万元", D(500_000)),
    # boundaries
    ("1元", D(1)),
    ("0.01元", D("0.01")),
    ("1.005元", D("1.01")),  # a fraction of a cent rounds half up to the cent
    ("1.004元", D("1.00")),
    ("0.001万", D(10)),
    ("一万亿", MAX_AMOUNT_YUAN),
    ("10000亿元", MAX_AMOUNT_YUAN),
    ("999999999999元", MAX_AMOUNT_YUAN - 1),
    ("九千九百九十九亿九千九百九十九万九千九百九十九", MAX_AMOUNT_YUAN - 1),
    ("5万亿", D(5 * 10**12)),  # reading does not enforce limits; the facts layer does
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_parse_amount(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("digits", ["一二三四五六七八九", "壹贰叁肆伍陆柒捌玖"])
def test_every_digit_character(digits: str) -> None:
    for value, digit in enumerate(digits, start=1):
        assert parse_amount(f"{digit}佰萬{digit}仟{digit}拾") == value * 1_001_010


@pytest.mark.parametrize(
    ("text", "expected"),
    [("500万", "5000000"), ("1.5万", "15000"), ("1.23456万", "12345.6"), ("1.2345678万", "12345.68")],
)
def test_parse_amount_keeps_exact_values_and_rounds_only_sub_cent_fractions(text: str, expected: str) -> None:
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        *("五百万万", "abc", "", "   ", "--5万", "-5万", "500 10万", "1,2000万", "5.万", "万", "千万", "万元"),
        *("一万一万", "五百千", "百五", "五五万", "一千零", "300多多万", "1万12000", "2000万元（含）", "1" * 70 + "万"),
    ],
)
def test_parse_amount_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_amount(text)
    message = caught.value.message
    assert message == str(caught.value)
    assert CHINESE.search(message) and "Traceback" not in message
    assert "500万元" in message  # tells the user how to write it


# --- find_amounts --------------------------------------------------------------------------


def check_spans(text: str, mentions: list) -> None:
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.raw
    for before, after in zip(mentions, mentions[1:]):
        assert before.end <= after.start


FOUND = [
    ("我们在河口区做技改，总投资500万，设备300万，能拿多少？", [("500万", D(5_000_000)), ("300万", D(3_000_000))]),
    ("项目贷款2000万元，LPR按3.85%算，2021年6月30日投产", [("2000万元", D(20_000_000))]),
    ("今年已经拿过该项目奖补250万元", [("250万元", D(2_500_000))]),
    ("总投资一千二百万元，其中设备投资伍佰万", [("一千二百万元", D(12_000_000)), ("伍佰万", D(5_000_000))]),
    ("最高不超过2000万元（含），500(含)以下不奖", [("2000万元", D(20_000_000))]),
    ("合同¥3,000,000，已付6,000,000元", [("¥3,000,000", D(3_000_000)), ("6,000,000元", D(6_000_000))]),
    ("拿到30万块，另有5块钱手续费", [("30万块", D(300_000)), ("5块钱", D(5))]),
    ("总投资1.2亿元，贷款0.3亿", [("1.2亿元", D(120_000_000)), ("0.3亿", D(30_000_000))]),
    ("统一500万", [("500万", D(5_000_000))]),  # 一 belongs to 统一
    ("注册资本500万元人民币", [("500万元人民币", D(5_000_000))]),
    ("设备购置三点五万", [("三点五万", D(35_000))]),
    ("500万-1000万之间", [("500万", D(5_000_000)), ("1000万", D(10_000_000))]),
    ("总投资500 万元，设备 300 万", [("500 万元", D(5_000_000)), ("300 万", D(3_000_000))]),
    # a count word that goes on as another word counts nothing; spoken 个 before 亿
    ("实际提款6000万项目贷款", [("6000万", D(60_000_000))]),
    ("贷款3000万批下来了", [("3000万", D(30_000_000))]),
    ("总投资6个亿", [("6个亿", D(600_000_000))]),
    # a numeral after 万/亿 that opens a count or a span is the next word's; one digit ending it, the tenth
    ("奖励20万一次性拨付，项目投资800万两年内完成", [("20万", D(200_000)), ("800万", D(8_000_000))]),
    ("买了400万五台机床", [("400万", D(4_000_000))]),
    ("总投资两亿三，其中设备七万五", [("两亿三", D(230_000_000)), ("七万五", D(75_000))]),
    ("贷款2亿4，利率3.7%", [("2亿4", D(240_000_000))]),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_find_amounts(text: str, expected: list[tuple[str, Decimal]]) -> None:
    mentions = find_amounts(text)
    check_spans(text, mentions)
    assert [(m.raw, m.value) for m in mentions] == expected
    assert not any(m.approximate for m in mentions)


def test_find_amounts_spans_in_a_question() -> None:
    text = "我们在河口区做技改，总投资500万，设备300万，能拿多少？"
    assert find_amounts(text) == [
        AmountMention(13, 17, "500万", D(5_000_000), False),
        AmountMention(20, 24, "300万", D(3_000_000), False),
    ]


def test_find_amounts_flags_approximate_amounts() -> None:
    text = "去年投了300多万元，今年又投了1万多，余额500万"
    assert [(m.raw, m.value, m.approximate) for m in find_amounts(text)] == [
        ("300多万元", D(3_000_000), True),
        ("1万多", D(10_000), True),
        ("500万", D(5_000_000), False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # dates, percentages, counts, document numbers, bare numbers
        *("2021年投产", "2021-06-30", "6月30日", "2021.6.30", "LPR按3.85%算", "百分之三点八五", "25个百分点"),
        *("前3年", "5个项目", "100项专利", "第2次申请", "东河政发〔2020〕5号第3条", "豫政〔2017〕22号"),
        *("共500", "500(含)", "共500 100人"),
        # 万 counting people and things, and words made of numeral characters
        *(
            "新增就业3万人",
            "年产5万吨",
            "厂房2万平方米",
            "1万多人",
            "千万不要",
            "每万元产值",
            "三块地",
            "能拿多少",
            "功率500W的电机",
        ),
        "五百万万",  # unreadable, so not guessed at
    ],
)
def test_find_amounts_leaves_non_money_alone(text: str) -> None:
    assert find_amounts(text) == []


# --- percentages ---------------------------------------------------------------------------

PERCENTS = [
    ("3.85%", D("0.0385")),
    ("3.85％", D("0.0385")),
    ("3.85 %", D("0.0385")),
    ("百分之三点八五", D("0.0385")),
    ("百分之25", D("0.25")),
    ("百分之十五", D("0.15")),
    ("百分之一百", D(1)),
    ("百分之零点五", D("0.005")),
    ("0%", D(0)),
    ("100%", D(1)),
    ("150%", D("1.5")),
]


@pytest.mark.parametrize(("text", "expected"), PERCENTS)
def test_parse_percent(text: str, expected: Decimal) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["25个百分点", "3.85", "百分之", "", "三成", "%"])
def test_parse_percent_refuses(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_percent(text)
    assert CHINESE.search(caught.value.message) and "3.85%" in caught.value.message


def test_find_percents() -> None:
    text = "LPR按3.85%算，补贴比例百分之25，比去年高25个百分点，贴息百分之三点八五"
    mentions = find_percents(text)
    check_spans(text, mentions)
    assert [(m.raw, m.value) for m in mentions] == [
        ("3.85%", D("0.0385")),
        ("百分之25", D("0.25")),
        ("百分之三点八五", D("0.0385")),
    ]


# --- dates ---------------------------------------------------------------------------------

DATES = [
    ("2021-06-30", date(2021, 6, 30)),
    ("2021年6月30日", date(2021, 6, 30)),
    ("2021年06月30日", date(2021, 6, 30)),
    ("2021年6月30号", date(2021, 6, 30)),
    ("2021/6/30", date(2021, 6, 30)),
    ("2021/06/30", date(2021, 6, 30)),
    ("2021.6.30", date(2021, 6, 30)),
    (" 2020-02-29 ", date(2020, 2, 29)),
    ("２０２１－06－30".replace("－", "-"), date(2021, 6, 30)),
    ("0001-01-01", date(1, 1, 1)),
    ("9999-12-31", date(9999, 12, 31)),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2021-13-45", "月份"),
        ("2021-00-10", "月份"),
        ("2021-02-30", "2021年2月只有28天"),
        ("2021-04-31", "2021年4月只有30天"),
        ("2021-06-00", "只有30天"),
        ("0000-01-01", "年份"),
        ("明天", "无法识别"),
        ("2021-6/30", "无法识别"),
        ("2021年6月", "无法识别"),
        ("20210630", "无法识别"),
        ("", "请填写日期"),
    ],
)
def test_parse_date_explains_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(text)
    assert problem in caught.value.message
    assert "YYYY-MM-DD" in caught.value.message


def test_find_dates() -> None:
    text = "2021年6月30日投产，2021-02-30这种日期不存在，6月30日缺年份，验收于2022/1/5"
    mentions = find_dates(text)
    check_spans(text, mentions)
    assert [(m.raw, m.value) for m in mentions] == [
        ("2021年6月30日", date(2021, 6, 30)),
        ("2022/1/5", date(2022, 1, 5)),
    ]


def test_one_sentence_with_an_amount_a_percent_and_a_date() -> None:
    text = "项目贷款2000万元，LPR按3.85%算，2021年6月30日投产"
    assert [m.value for m in find_amounts(text)] == [D(20_000_000)]
    assert [m.value for m in find_percents(text)] == [D("0.0385")]
    assert [m.value for m in find_dates(text)] == [date(2021, 6, 30)]


# --- display -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D(3_000_000), "3,000,000.00"), (D("0.005"), "0.01"), (D("1234.565"), "1,234.57"), (D(0), "0.00")],
)
def test_format_yuan(value: Decimal, expected: str) -> None:
    assert format_yuan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(180_000), "18万"),
        (D(15_000), "1.5万"),
        (D(10_000), "1万"),
        (D(120_000_000), "1.2亿"),
        (D(100_000_000), "1亿"),
        (D(99_990_000), "9999万"),
        (D(3500), "3,500元"),
        (D("3500.5"), "3,500.50元"),
        (D(9999), "9,999元"),
        (D("123456.785"), "12.345679万"),
        (MAX_AMOUNT_YUAN, "10000亿"),
    ],
)
def test_format_wan(value: Decimal, expected: str) -> None:
    assert format_wan(value) == expected


# --- round trips ---------------------------------------------------------------------------

whole_yuan = st.integers(min_value=1, max_value=10**12).map(Decimal)
to_the_cent = st.integers(min_value=1, max_value=10**14).map(lambda cents: Decimal(cents).scaleb(-2))


def written_forms(value: Decimal) -> list[str]:
    forms = [f"{value:,f}元", f"{value.scaleb(-4):f}万元"]
    if value == value.to_integral_value():
        lower = chinese(int(value))
        upper = lower.translate(TO_UPPER)
        forms += [lower, f"{lower}元", f"{upper}元", upper.replace("萬", "万").replace("億", "亿")]
    return forms


@settings(max_examples=200, deadline=None)
@given(st.one_of(whole_yuan, to_the_cent))
def test_amount_round_trip(value: Decimal) -> None:
    for form in written_forms(value):
        parsed = parse_amount(form)
        assert parsed == value, form
        assert parsed.as_tuple().exponent >= -2  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(st.one_of(whole_yuan, to_the_cent))
def test_amount_found_in_a_sentence(value: Decimal) -> None:
    for form in written_forms(value):
        if not form.endswith(("元", "万", "亿", "萬", "億")):
            continue  # a bare number is not money in free text
        text = f"我们总投资{form}，能拿多少？"
        assert find_amounts(text) == [AmountMention(5, 5 + len(form), form, value, False)], form


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**6).map(lambda n: Decimal(n).scaleb(-4)))
def test_percent_round_trip(percent: Decimal) -> None:
    for form in (f"{percent:f}%", f"{percent:f}％", f"百分之{percent:f}", f"百分之{chinese_decimal(percent)}"):
        assert parse_percent(form) == percent / 100, form
        [mention] = find_percents(f"利率按{form}算")
        assert mention.raw == form and mention.value == percent / 100


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_date_round_trip(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    forms = (
        f"{day:%Y-%m-%d}",
        f"{y}年{m}月{d}日",
        f"{day:%Y年%m月%d日}",
        f"{y}/{m}/{d}",
        f"{day:%Y/%m/%d}",
        f"{y}.{m}.{d}",
    )
    for form in forms:
        assert parse_date(form) == day, form
        [mention] = find_dates(f"于{form}投产")
        assert mention.raw == form and mention.value == day


def test_a_pasted_run_of_numerals_is_read_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-reading the run once per dropped leading character made 2,000 characters cost seconds of
    CPU, all of it under the GIL, i.e. every other user's wait. Counted in characters read, not timed:
    doubling the run may at most double the work."""
    reads = 0
    read = amounts._read_amount

    def counted(text: str, *args, **kwargs):
        nonlocal reads
        reads += len(text)
        return read(text, *args, **kwargs)

    monkeypatch.setattr(amounts, "_read_amount", counted)

    def work(text: str) -> int:
        nonlocal reads
        reads = 0
        find_amounts(text)
        return reads

    for unit in ("伍佰万", "一千二百万", "十万"):
        short, long = work(unit * 300), work(unit * 600)
        assert 0 < long <= 2 * short + 10, (unit, short, long)


@pytest.mark.parametrize("digits", [61, 80, 500])
def test_amounts_with_more_digits_than_any_real_one_are_read_as_huge_not_dropped(digits: int) -> None:
    [mention] = find_amounts("总投资" + "9" * digits + "万")
    assert mention.value > Decimal(10) ** 60  # the reader then says it is no credible amount
    with pytest.raises(InputError):
        parse_amount("9" * digits + "万")  # where an exact value is required, it is still refused


def test_scientific_notation_is_not_misread_as_its_exponent() -> None:
    assert find_amounts("总投资1e20元") == [] and find_amounts("总投资1E+20元") == []


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("总投资150万美元", "美元"),
        ("软硬件投资500万欧元", "欧元"),
        ("设备$2,000,000", "$"),
        ("USD 300万", "USD"),
        ("设备投资80万美金", "美金"),
        ("总投资500万元人民币", None),
        ("总投资500万", None),
    ],
)
def test_find_amounts_marks_a_foreign_currency(text: str, currency: str | None) -> None:
    """A foreign amount is found, so the reader can ask for it in 人民币 instead of reading it as yuan."""
    assert [m.currency for m in find_amounts(text)] == [currency]
