"""Money as the whole product shows and bounds it: exact Decimal yuan, one display, one sanity check.

Every layer (the calculator's trace, the reader, the page's form) formats and bounds amounts, so the
rules for both live here, below all of them: 3,000,000.00 on a form, "18万" in speech, and at most
10^12 yuan for anything that claims to be a project's figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

# Plausible amounts are at most this many yuan. Reading does not enforce it (a question may quote a
# policy's 5万亿 fund); the facts the calculator uses do, wherever they come from.
MAX_AMOUNT_YUAN = Decimal(10**12)

CENT = Decimal("0.01")
WAN = Decimal(10**4)
YI = Decimal(10**8)
# Deliberate rounding (sub-cent amounts, display) is half-up, as on invoices.
ROUNDING = Context(prec=80, rounding=ROUND_HALF_UP)


def implausible(value: Decimal, *, zero_ok: bool = True) -> str | None:
    """Why `value` cannot be a project's amount, worded to follow its label ("设备投资…"); None if it can.

    Zero is a real answer in a form or a stated "没有贷款", but not as a figure someone wrote in a
    question ("0万"), hence `zero_ok`.
    """
    if value < 0 or (value == 0 and not zero_ok):
        return "应为大于零的金额，请核对后重新输入"
    if value > MAX_AMOUNT_YUAN:
        return "超过一万亿元，不是可信的项目规模，请核对单位"
    return None


def to_cents(value: Decimal) -> Decimal:
    """The one rounding of a figure: half-up to 0.01 yuan."""
    return value.quantize(CENT, context=ROUNDING)


def format_yuan(value: Decimal) -> str:
    """3000000 -> "3,000,000.00": the full amount, to the cent, as on a form."""
    return f"{to_cents(value):,.2f}"


def format_wan(value: Decimal) -> str:
    """The way people say amounts: "18万", "1.5万", "1.2亿", "3,500元" (below 1万, in 元)."""
    cents = to_cents(value)
    for unit, name, places in ((YI, "亿", -8), (WAN, "万", -4)):
        if abs(cents) >= unit:
            return f"{cents.scaleb(places).normalize(ROUNDING):f}{name}"
    if cents == cents.to_integral_value():
        return f"{cents:,.0f}元"
    return f"{cents:,.2f}元"


def format_amount(value: Decimal) -> str:
    """The one way a figure is written on pages, reports and exports: 万元 as people say it, with the
    exact 元 in brackets ("18万元（180,000.00 元）"); below 1万 only the 元 ("3,500.00 元")."""
    wan = format_wan(value)
    if wan.endswith("元"):
        return f"{format_yuan(value)} 元"
    return f"{wan}元（{format_yuan(value)} 元）"


def format_quantity(value: Decimal, unit: str = "元") -> str:
    """As a calculation trace writes it: money to the cent with 元 ("1,000.00 元"), or a quantity as given
    with its unit ("120 亩")."""
    if unit == "元":
        return f"{format_yuan(value)} 元"
    return f"{value.normalize():,f} {unit}"
