"""Amounts read into roles, as a table: who governs each amount, what adds up, what stays unsettled.

Phrasings here are the team's own, not the blind sets'; each row is one mechanism of
assistant/reading/amount_facts.py. Amounts in 万 for reading's sake.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.core.settings import Settings
from assistant.reading.amount_facts import read_amounts
from assistant.rules.rulebook import load_rulebook

VOCAB = load_rulebook(Settings.from_env()).vocabulary
WAN = Decimal(10_000)


def wan(**roles: float) -> dict[str, Decimal]:
    return {role: Decimal(str(value)) * WAN for role, value in roles.items()}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the nearest noun since the previous amount governs: 厂房 is not 研发
        ("当年完成投资900万（设备500万、研发100万、厂房300万）", dict(year_investment=900, rd_investment=100)),
        # itemized parts add up to the role that includes them (设备投资 含工艺包和软件)
        ("技改明细：设备200万；工艺包30万；软件20万；土建100万", dict(equipment_investment=250)),
        # a part inside the role's own amount is not added again
        ("设备投资600万（含软件80万）", dict(equipment_investment=600)),
        ("设备投资600万，其中软件80万", dict(equipment_investment=600)),
        # 分别 pairs the nouns with the amounts in order
        ("研发和设备分别投入50万和300万", dict(rd_investment=50, equipment_investment=300)),
        # a noun after the amount names it ("…万元的技改项目"), and is no cue before one
        ("我们有一个800万元的技改项目，设备投资500万", dict(total_investment=800, equipment_investment=500)),
        ("技改项目贷款1600万", dict(loan_amount=1600)),
        # verbs of a loan drawn; a credit line is not the loan
        ("银行授信3000万，实际放款1200万", dict(loan_amount=1200)),
        ("项目上贷了900万", dict(loan_amount=900)),
        # history: what was already received this year
        ("今年已经拿了这项补贴80万，设备投资500万", dict(received_same_program=80, equipment_investment=500)),
        # a noun names the amount before a verb does; a bare 投资额 is the investment in what the clause
        # before named
        ("买设备花了200万，软件又买了30万", dict(equipment_investment=230, software_investment=30)),
        ("购置了列入目录的节能专用设备，投资额500万", dict(environmental_equipment_investment=500)),
        # a cue followed by a benefit noun names the benefit: this is the 贴息 received, not a loan
        ("今年已经拿了贷款贴息共60万，新项目贷款2000万", dict(received_same_program=60, loan_amount=2000)),
        # a total's word right after another amount's noun totals that amount
        ("建智能车间，软硬件总投资1.35亿", dict(software_hardware_investment=13500)),
        ("研发总投入200万，项目总投资900万", dict(rd_investment=200, total_investment=900)),
        # one amount for listed parts goes to the narrowest role made of them
        ("设备加软件一共500万", dict(equipment_investment=500)),
        # a role joined right to a part of its own is the role, not the part nearest the number
        ("设备含软件是400万", dict(equipment_investment=400)),
        ("设备加软件650万", dict(equipment_investment=650)),
        ("设备400万，软件100万", dict(equipment_investment=500, software_investment=100, tech_import_investment=500)),
        ("软件和设备400万", dict(equipment_investment=400)),  # 设备 nearest: its own sum
        # what was already received adds up; a total said after the amounts replaces their sum
        ("去年拿了区里奖补60万、40万，今年又拿了30万，新项目设备投资500万", dict(received_same_program=130)),
        ("三个项目已经各拿了50万的奖补，一共150万，设备投资500万", dict(received_same_program=150)),
        ("上半年已经按前一批设备拿了200万补助", dict(received_same_program=200)),
        # 投资完成 is the year's completed investment, the words of 济源's "当年投资完成在500万元以上"
        ("今年技改投资完成了499万，已经投产", dict(year_investment=499)),
        # the sum in the next clause of what was received; "没拿过上级的钱" is another level's money
        (
            "今年已经有两个技改项目拿到了区里的贷款贴息，合计270万。新项目贷款4000万，没拿过上级的钱",
            dict(received_same_program=270, loan_amount=4000),
        ),
        # of two figures for one amount, the one said to be 实际 is the one the rules count, in either order
        ("贷款合同签了2000万，实际放款1500万", dict(loan_amount=1500)),
        ("实际用款700万，贷款合同是1000万", dict(loan_amount=700)),
        ("设备合同额500万，其中20万的设备退回了，实际设备投资480万", dict(equipment_investment=480)),
        # the noun after a title ends with the title's kind; a bare or generic noun after it is the same thing
        (
            "买了列入《安全生产专用设备企业所得税优惠目录》的防爆监测设备，设备投资额300万",
            dict(environmental_equipment_investment=300),
        ),
        ("硬件设备1800万，软件200万", dict(hardware_investment=1800, software_hardware_investment=2000)),
        # 已拿 + who gave it + the benefit noun: money received
        ("今年已拿市里补助120万，又买研发设备300万", dict(received_same_program=120, rd_equipment_investment=300)),
        # one noun before 分别 and its parts listed after it: they add up
        ("研发投入分别是：材料费30万、人工60万、测试费10万", dict(rd_investment=100)),
        # "没有研发投入" reads as zero; a figure said after it is the figure (no second figure to ask about)
        ("没有研发投入。设备投资500万，研发投入50万", dict(equipment_investment=500, rd_investment=50)),
        # a higher level named right after in the clause makes it that level's money; every occurrence counts
        ("没拿过上级的钱，没有贷款", dict(loan_amount=0)),
        ("没有贷款，市里给了奖励", dict(loan_amount=0)),
        # a verb of buying between the amount and its noun
        ("今年花了300万买研发设备", dict(rd_equipment_investment=300)),
        # a word before 的 qualifies a thing and names no amount: the verb then does
        ("自己研发的数控机床经过省里认定，卖了900万", dict(sales_price=900)),
        # one part alone is not the whole of a composite (软硬件投资)
        ("智能车间软件投资40万", dict(software_investment=40)),
        ("智能车间软件投资40万、硬件投资360万", dict(software_investment=40, hardware_investment=360)),
    ],
)
def test_roles_and_sums(question: str, expected: dict[str, float]) -> None:
    got = read_amounts(question, VOCAB)
    for role, value in wan(**expected).items():
        assert got.amounts.get(role) == value, (role, got.amounts)
    if "软件投资40万、硬件" in question:
        assert got.amounts["software_hardware_investment"] == 400 * WAN
    if question.startswith("智能车间软件投资40万") and "硬件" not in question:
        assert "software_hardware_investment" not in got.amounts


@pytest.mark.parametrize(
    ("question", "role", "said", "low", "high"),
    [
        ("总投资不足600万", "total_investment", "不足600万", None, 600),
        ("设备约200万", "equipment_investment", "约200万", None, None),
        ("设备投资200万左右", "equipment_investment", "200万左右", None, None),
        ("总投资3000多万", "total_investment", "3000多万", 3000, None),
        ("总投资在800到1000万之间", "total_investment", "800到1000万", 800, 1000),
        ("总投资超过2000万", "total_investment", "超过2000万", 2000, None),
        ("设备投资120万美元", "equipment_investment", "120万美元", None, None),
        # two neighbouring digits are a range; two figures for one amount must be asked about
        ("设备投资大概七八百万", "equipment_investment", "七八百万", 700, 800),
        ("设备投资200万、300万", "equipment_investment", "200万、300万", None, None),
        # two projects' figures in one message: asked, neither taken silently
        ("一号项目设备投资400万，二号项目设备投资250万", "equipment_investment", "“400万”和“250万”", None, None),
        # the parts of a project bound its total from below when the total is not given
        ("设备300万、软件50万、土建400万", "total_investment", None, 750, None),
    ],
)
def test_amounts_not_given_exactly_are_unsettled(
    question: str, role: str, said: str | None, low: float | None, high: float | None
) -> None:
    got = read_amounts(question, VOCAB)
    assert role not in got.amounts
    vague = got.unsettled[role]
    if said is not None:
        assert vague.said == said and said in vague.ask
    assert vague.low == (None if low is None else Decimal(low) * WAN)
    assert vague.high == (None if high is None else Decimal(high) * WAN)


def test_a_foreign_amount_asks_for_yuan() -> None:
    vague = read_amounts("技改总投资150万美元", VOCAB).unsettled["total_investment"]
    assert "人民币" in vague.ask and "150万美元" in vague.ask


def test_an_amount_pointing_at_the_award_is_no_fact() -> None:
    """ "能先算上那5万吗", "30万能拿吗": the figure hoped for, neither a fact nor an amount to ask about."""
    for question in ("数字化车间还没批，能先算上那5万吗", "贯标通过了，30万能拿吗"):
        got = read_amounts(question, VOCAB)
        assert not got.amounts and not got.open_amounts, question


@pytest.mark.parametrize(
    ("question", "expected", "open_amounts"),
    [
        ("我们去年营收3个亿左右，今年上了条新线", {}, []),
        ("主营业务收入2亿，技改总投资800万", dict(total_investment=800), []),
        ("注册资本5000万，设备投资300万", dict(equipment_investment=300), []),
        (
            "购置研发、中试设备1,200万，另外厂房改造300万、人员工资200万",
            dict(rd_equipment_investment=1200, construction_investment=300),
            [],
        ),
        # a figure its clause does not call the business's is still asked about
        ("营收不错，另外有一笔500万", {}, ["500万"]),
    ],
)
def test_a_figure_of_the_enterprises_business_is_neither_a_fact_nor_asked(
    question: str, expected: dict[str, float], open_amounts: list[str]
) -> None:
    got = read_amounts(question, VOCAB)
    assert got.amounts == wan(**expected) and not got.unsettled
    assert [o.raw for o in got.open_amounts] == open_amounts


@pytest.mark.parametrize(
    ("question", "exact", "unsettled", "open_values"),
    [
        # a vague amount, then what it came to: the exact figure settles it
        ("总投资超过1000万，实际是1200万，设备800万", dict(total_investment=1200, equipment_investment=800), [], []),
        ("设备投资突破300万，具体是320万", dict(equipment_investment=320), [], []),
        # with no word saying so, the bare figure may be another amount: asked, not taken
        ("总投资不到500万，300万", {}, ["total_investment"], [300]),
        # a figure outside what the vague one surely is does not settle it
        ("总投资超过1000万，实际是800万", {}, ["total_investment"], [800]),
        # a sum asked for ("能拿那个20万吗") is not the amount named in the clause before
        ("设备投资300万，研发投入排名靠前，能拿那个20万吗", dict(equipment_investment=300), [], []),
    ],
)
def test_a_vague_amount_settled_and_a_sum_asked_for(
    question: str, exact: dict[str, float], unsettled: list[str], open_values: list[float]
) -> None:
    read = read_amounts(question, VOCAB)
    assert read.amounts == wan(**exact)
    assert sorted(read.unsettled) == unsettled
    assert [o.value for o in read.open_amounts] == [Decimal(v) * WAN for v in open_values]
