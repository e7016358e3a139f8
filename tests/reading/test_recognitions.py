"""Recognitions, negations, pending states, exclusions and choices as people say them, as tables.

Each row is a question and what it must state (True / False), leave unstated (None), ask to confirm
(a tag in `confirm`), or the level said with the recognition. The phrasings are new ones, not the
blind set's: they test the classes (a word more or less, everyday words, 正在申报 / 还在公示, 不是…,
上级 money said as 省里/东营市/中央, 已经选了 …) rather than sentences.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.core.settings import Settings
from assistant.reading.recognitions import read_recognitions
from assistant.reading.understanding import understand
from assistant.reading.wording import align, normalize, with_ranks
from assistant.rules.rulebook import RuleWords, Vocabulary, load_rulebook
from assistant.rules.schema import TagDef

HEKOU = "山东省东营市河口区"
JIYUAN = "河南省济源市"
HENAN = "河南省"


def _vocab() -> Vocabulary:
    return load_rulebook(Settings.from_env()).vocabulary


# (question, place, tags that must be stated so: True / False / None for "not stated")
RECOGNITIONS: list[tuple[str, str, dict[str, bool | None]]] = [
    # the rule's words with a word more or less
    ("我们车间去年入选了东营市数字化车间名单", HEKOU, {"smart_demo": True}),
    ("拿到了国家工信部的智能工厂试点示范称号", HEKOU, {"smart_demo": True}),
    ("被省工信厅评为工业大数据试点示范企业", JIYUAN, {"jy_industrial_cloud_demo": True}),
    ("获得了国家级服务型制造领域试点示范", JIYUAN, {"jy_service_manufacturing_demo": True}),
    ("今年新当选了一位中国科学院院士", HENAN, {"hn17_academician": True}),
    ("已被认定为省级制造业创新中心", HENAN, {"hn17_innovation_center_recognised": True}),
    ("创新龙头企业年度评估结果为优秀", HENAN, {"hn17_innovation_leader_excellent": True}),
    ("我们的仿制药是全国同品种第一家通过一致性评价的", HENAN, {"hn17_generic_drug_first3": True}),
    ("仿制药在同品种里第5家通过一致性评价", HENAN, {"hn17_generic_drug_first3": None}),
    ("济源企业，列入了市级创新中心培育名单", JIYUAN, {"jy_city_innovation_center_cultivation": True}),
    # the rule's words name only what they are about
    ("去年列入了省制造业创新中心培育名单", HENAN, {"hn17_innovation_center_recognised": None}),
    ("我们是国家级工业品牌培育示范企业", JIYUAN, {"jy_brand_demo": True, "jy_quality_benchmark": None}),
    ("获得了省级工业云试点示范", JIYUAN, {"jy_industrial_cloud_demo": True, "jy_smart_manufacturing_demo": None}),
    ("我们的省创新中心还在培育期内", JIYUAN, {"jy_city_innovation_center_cultivation": None}),
    ("这个技术改造项目节能减排效果好", HENAN, {"hn16_non_coal_upgrade_project": None}),
    # negations, before, after, and in a clause of their own
    ("我们的智能工厂还没有被认定", HEKOU, {"smart_demo": False}),
    ("我们没被列入省创新中心培育名单", HENAN, {"hn17_innovation_center_cultivation": False}),
    ("设备不属于节能节水、环境保护专用设备优惠目录", HENAN, {"hn12_listed_special_equipment": False}),
    ("目前是省创新中心，还没有晋升为国家制造业创新中心", HENAN, {"hn17_innovation_center_national": False}),
    ("是省级认定的创新中心，但还没晋升国家级", HENAN, {"hn17_innovation_center_national": False}),
    ("我们是国家单项冠军培育企业，不是示范企业", HENAN, {"hn17_single_champion_demo": False}),
    ("两化融合贯标做完了，可还没通过评定", JIYUAN, {"jy_two_integration_certified": False}),
    # what is not passed is the 评定 said two clauses before, not the 贯标 under way just before
    ("是两化融合贯标试点企业，正在做贯标，评定还没通过", JIYUAN, {"jy_two_integration_certified": False}),
    # a quoted item that is only a verb and a level ("认定为国家级、省级技术创新示范企业") names nothing
    ("被认定为国家知识产权运用示范企业", JIYUAN, {"jy_ip_demo": True, "jy_tech_innovation_demo": None}),
    ("项目已经竣工投产了，不过没有做统计入库，也不打算入统计库", HEKOU, {"statistics_registered": False}),  # intent
    # a negation of something else does not reach a recognition said after it
    ("项目还没投产就被认定为市级智能工厂了", HEKOU, {"smart_demo": True, "production_started": False}),
    ("没有拿过上级资金的这个项目被评为数字化车间", HEKOU, {"smart_demo": True, "higher_level_funding": False}),
    ("数字化车间申报了但是没评上", HEKOU, {"smart_demo": False}),
    # the rule's qualifier said otherwise (首次 / 重新认定, 全职 / 兼职, 实际使用 / 闲置, 不改变用途 / 改为)
    ("高企是2020年重新认定的，省里首次认定高企的配套奖补", HENAN, {"hn17_first_hte": False}),
    ("院士是兼职引进的，每年来一个月", HENAN, {"hn17_academician": False}),
    ("列入环保专用设备目录的设备买回来一直闲置", HENAN, {"hn12_equipment_in_use": False}),
    ("打算把自有土地的一部分改为商业用途", HENAN, {"hn12_plan_conforming_same_use": False}),
    ("利用自有土地技改，不改变用途", HENAN, {"hn12_plan_conforming_same_use": True}),
    # pending: not yet
    ("我们准备申报省级工业云试点示范", JIYUAN, {"jy_industrial_cloud_demo": False}),
    # what a later clause says takes up the nearest earlier clause it can speak of, not only the last one
    ("济源公司是两化融合管理体系贯标试点企业，正在贯标，还没通过评定", JIYUAN, {"jy_two_integration_certified": False}),
    # the user does not know: neither true nor false (asked)
    ("新乡的企业，不确定我们算不算重点企业，智能车间软硬件投资2000万", HENAN, {"hn17_smart_key_enterprise": None}),
    # money from above said with a long name of who gave it
    ("技改项目拿了中央预算内投资补助（国家发改委下达的专项）", HEKOU, {"higher_level_funding": True}),
    # in process, the outcome awaited: neither had nor refused (asked: see CONFIRMATIONS)
    ("河口区企业，数字化车间正在申报中", HEKOU, {"smart_demo": None}),
    ("我们申报的省级双创基地目前还在公示", JIYUAN, {"jy_shuangchuang_base": None}),
    ("两化融合管理体系评定已经交了材料，结果还没出", JIYUAN, {"jy_two_integration_certified": None}),
    ("两化融合管理体系评定还在走流程，没通过", JIYUAN, {"jy_two_integration_certified": None}),
    # an application under way, before the recognition; a bare "还没认定下来" after it only restates that
    ("正在申请认定高新技术企业", HENAN, {"hn17_high_tech_enterprise": None}),
    ("正在申报高新技术企业，还没认定下来", HENAN, {"hn17_high_tech_enterprise": None}),
    ("我们研发的成套装备还在申请省首台（套）认定", HENAN, {"hn17_first_set_equipment": None}),
    ("新产品还在省工业新产品认定公示期", JIYUAN, {"jy_provincial_new_product": None}),
    ("报了市级数字化车间，还没公示", HEKOU, {"smart_demo": None}),
    ("两化融合管理体系贯标我们还在做，证书还没下来", JIYUAN, {"jy_two_integration_certified": None}),
    # the asker said not to be on the list; a later clause that it only plans to apply
    ("省创新中心培育名单里还没有我们公司", HENAN, {"hn17_innovation_center_cultivation": False}),
    ("创新中心的事，我们只是打算申报省创新中心培育名单", HENAN, {"hn17_innovation_center_cultivation": False}),
    # applied for, outcome not said: not stated (asked); said later: stated
    ("申报了市级数字化车间", HEKOU, {"smart_demo": None}),
    ("申报了市级数字化车间，上个月已经批下来了", HEKOU, {"smart_demo": True}),
    ("我们申报的双创基地获得了省级认定", JIYUAN, {"jy_shuangchuang_base": True}),
    # signed up, or the evaluation not yet begun: under way, so not stated (asked), never true
    ("刚报名参加两化融合贯标试点，咨询机构还在辅导", JIYUAN, {"jy_two_integration_certified": None}),
    ("两化融合管理体系评定还没做", JIYUAN, {"jy_two_integration_certified": None}),
    ("两化融合管理体系评定还没开始", JIYUAN, {"jy_two_integration_certified": None}),
    # a business that is not industry has no 工业技术改造项目, whatever it renovates
    ("我在河口区开了一家火锅店，今年装修加换厨房设备花了80万", HEKOU, {"tech_transformation": False}),
    ("河口区一家二手车经销店，买了两台洗车设备", HEKOU, {"tech_transformation": False}),
    # the local award, in a reply's everyday words
    ("市里给了奖补，具体多少不清楚", HENAN, {"hn17_hte_local_award": True}),
    # the money denied is named by its kind; the project's being one is not denied
    ("没拿过上级技改资金", HEKOU, {"tech_transformation": None}),
    # a clause that only asks names a program; it does not undo what was said
    ("还没有纳入统计入库，纳统奖励能拿吗", HEKOU, {"statistics_registered": False}),
    ("想问问智能工厂的奖励有多少", HEKOU, {"smart_demo": True}),
    ("省创新中心从列入培育名单起连续支持几年？", HENAN, {"hn17_innovation_center_cultivation": None}),
]


@pytest.mark.parametrize("question,place,expect", RECOGNITIONS, ids=[r[0] for r in RECOGNITIONS])
def test_recognitions_as_said(question: str, place: str, expect: dict[str, bool | None]) -> None:
    got = read_recognitions(question, _vocab(), place).tags
    for tag, value in expect.items():
        assert got.get(tag) is value, (tag, got)


# (question, place, the level said with the recognition)
LEVELS = [
    ("入选了东营市智能工厂名单", HEKOU, "市级"),
    ("拿到了工信部服务型制造示范企业称号", JIYUAN, "国家级"),
    ("被省工信厅评为工业云试点示范", JIYUAN, "省级"),
    ("济源市企业第一次被认定为国家知识产权运用示范企业", JIYUAN, "国家级"),  # inserted after the name's verb
    ("东营市河口区企业，数字化车间被认定了", HEKOU, None),  # the enterprise's place, not the level
    # the office that grants, as the clause's subject or after a verb further back
    ("东营市工信局上个月认定了我们的“数字化车间”", HEKOU, "市级"),
    ("区工信局给我们发了数字化车间的牌子", HEKOU, "区县级"),
    ("刚拿到省工信厅“河南省智能车间”的牌子", JIYUAN, "省级"),
    ("我们河口区企业认定了数字化车间", HEKOU, None),  # a place, no office
]


@pytest.mark.parametrize("question,place,level", LEVELS, ids=[r[0] for r in LEVELS])
def test_the_level_said_with_a_recognition(question: str, place: str, level: str | None) -> None:
    got = understand(question, _vocab()).facts.level
    assert (got.value if got else None) == level


# Two recognitions said with different levels: each keeps its own (never the first one's for both).
OWN_LEVELS = [
    (
        "济源企业，我们分别拿到了国家级服务型制造示范企业和省级工业大数据试点示范",
        {"jy_service_manufacturing_demo": "国家级", "jy_industrial_cloud_demo": "省级"},
    ),
    (
        "获得省级服务型制造示范企业，还有国家级工业大数据试点示范",
        {"jy_service_manufacturing_demo": "省级", "jy_industrial_cloud_demo": "国家级"},
    ),
    ("济源市服务型制造示范企业，国家级的", {}),  # one level only: the fact-wide level is enough
    # the level, then 认定的, then the name
    (
        "我们有国家级认定的服务型制造示范企业，还有省级认定的工业大数据试点示范",
        {"jy_service_manufacturing_demo": "国家级", "jy_industrial_cloud_demo": "省级"},
    ),
]


@pytest.mark.parametrize("question,levels", OWN_LEVELS, ids=[r[0] for r in OWN_LEVELS])
def test_each_recognition_keeps_the_level_said_with_it(question: str, levels: dict[str, str]) -> None:
    got = understand(question, _vocab()).facts.levels
    assert {tag: level.value for tag, level in got.items()} == levels


# (question, place, tag asked about, words the question must hold)
CONFIRMATIONS = [
    ("我们是国家制造业单项冠军培育企业", HENAN, "hn17_single_champion_demo", ["单项冠军培育企业", "单项冠军示范企业"]),
    ("我们是单项冠军培育企业", HENAN, "hn17_single_champion_demo", ["单项冠军培育企业", "单项冠军示范企业"]),
    ("申报了市级数字化车间", HEKOU, "smart_demo", ["申报了市级数字化车间", "是否已经获得"]),
    ("之前申请过省里的技改专项资金", HEKOU, "higher_level_funding", ["省里的技改专项资金"]),
    ("工业互联网示范平台正在申报市级，还没公布结果", HEKOU, "smart_demo", ["工业互联网示范平台", "结果出来了吗"]),
    ("上个月申请了省里的技改专项，还在评审中", HEKOU, "higher_level_funding", ["省里的技改专项", "结果出来了吗"]),
]


@pytest.mark.parametrize("question,place,tag,words", CONFIRMATIONS, ids=[r[0] for r in CONFIRMATIONS])
def test_a_half_said_fact_is_asked_in_the_texts_words(question: str, place: str, tag: str, words: list[str]) -> None:
    got = read_recognitions(question, _vocab(), place)
    assert tag not in got.tags
    assert all(w in got.confirmations[tag] for w in words), got.confirmations


# The year said with a recognition, for rules that count years from it (连续支持3年).
YEARS: list[tuple[str, str, dict[str, int]]] = [
    ("2016年就列入了市级创新中心培育名单", JIYUAN, {"jy_city_innovation_center_cultivation": 2016}),
    ("我们是2019年列入省创新中心培育名单的", HENAN, {"hn17_innovation_center_cultivation": 2019}),
    ("今年列入了市级创新中心培育名单", JIYUAN, {}),  # this year is inside every window
    ("2016年没有列入市级创新中心培育名单", JIYUAN, {}),
]


@pytest.mark.parametrize("question,place,since", YEARS, ids=[r[0] for r in YEARS])
def test_the_year_a_status_began(question: str, place: str, since: dict[str, int]) -> None:
    got = read_recognitions(question, _vocab(), place).since
    assert {t: y for t, y in got.items() if t in since or not since} == since


def test_a_level_said_otherwise_is_no_candidate() -> None:
    got = read_recognitions("列入了市级制造业创新中心培育名单", _vocab(), JIYUAN)
    assert got.tags == {"jy_city_innovation_center_cultivation": True}
    assert "jy_provincial_innovation_center_cultivation" not in got.confirmations


# Higher-level money for 河口 (上级专项资金): who gave it, the money, and whether it was had.
FUNDING: list[tuple[str, str, bool | None]] = [
    ("技改项目去年获得了山东省的技改专项资金", HEKOU, True),
    ("项目拿过东营市的技改奖补", HEKOU, True),
    ("这个项目享受了中央财政的专项资金支持", HEKOU, True),
    ("没有拿过省市两级的专项资金", HEKOU, False),
    ("从来没享受过上级资金", HEKOU, False),
    ("申请过市里的资金，但是没批", HEKOU, False),
    ("申请过市里的资金，还没批下来", HEKOU, False),
    ("区里的技改奖补已经拿到了", HEKOU, None),  # the district's own money is not 上级
    ("能拿省里的奖补吗", HEKOU, None),  # hoped for, not had
    ("省里的专项资金怎么申请", HEKOU, None),
]


@pytest.mark.parametrize("question,place,expect", FUNDING, ids=[r[0] for r in FUNDING])
def test_higher_level_money_in_everyday_words(question: str, place: str, expect: bool | None) -> None:
    assert read_recognitions(question, _vocab(), place).tags.get("higher_level_funding") is expect


# Choose-one (河口 直接奖补 / 贷款贴息): the option already had, for this project.
CHOICES: list[tuple[str, dict[str, str]]] = [
    ("这个项目已经选择了贷款贴息方式", {"hekou-tech-award": "hekou-loan-interest"}),
    ("我们已经拿到了直接奖补的钱", {"hekou-tech-award": "hekou-direct-award"}),
    ("这个技改项目去年已经拿过区里的贷款贴息了", {"hekou-tech-award": "hekou-loan-interest"}),
    ("前年已经按6%领过区里的直接奖补了", {"hekou-tech-award": "hekou-direct-award"}),
    ("我们打算选直接奖补", {}),
    ("已经拿到了银行贷款2000万", {}),  # 贷款 names the loan, not the subsidy
    ("另一个项目已经选了贴息，这个项目呢", {}),
    ("之前几个技改项目一共已经拿了区里贷款贴息280万，这个新项目呢", {}),  # other projects, words between
    ("没有选贷款贴息", {}),
]


@pytest.mark.parametrize("question,expect", CHOICES, ids=[r[0] for r in CHOICES])
def test_an_option_already_chosen(question: str, expect: dict[str, str]) -> None:
    assert read_recognitions(question, _vocab(), HEKOU).chosen == expect


@pytest.mark.parametrize(
    ("question", "had"),
    [
        ("前年已经按6%领过区里的直接奖补了", ["hekou-direct-award"]),  # had: not offered again
        ("这个技改项目去年已经拿过区里的贷款贴息了", ["hekou-loan-interest"]),
        ("这个项目已经选择了贷款贴息方式", []),  # chosen, not yet had: still computed
        # had for other projects: several payments, a later project, a new one
        ("今年已经拿了两笔贴息共280万，第三个项目贷款4000万", []),
        ("已经拿了三笔直接奖补：100万、100万、80万。第四个技改项目设备投资900万", []),
        ("去年领过区里的直接奖补，现在又有个新项目", []),
    ],
)
def test_an_option_already_had(question: str, had: list[str]) -> None:
    assert read_recognitions(question, _vocab(), HEKOU).had == had


# Roles around a recognised item: the buyer and the developer of a 首台（套）, and where it was made.
ROLES: list[tuple[str, str, dict[str, bool | None]]] = [
    (
        "南阳企业采购了一套经省认定的首台（套）重大技术装备",
        HENAN,
        {"hn17_first_set_buyer": True, "hn17_first_set_developer": None},
    ),
    (
        "我们研制的盾构机经省认定为首台（套）装备",
        HENAN,
        {"hn17_first_set_developer": True, "hn17_first_set_buyer": None},
    ),
    ("首台（套）装备买回来以后投了保险", HENAN, {"hn17_first_set_buyer": None}),
    ("买了一套新乡企业制造的首台（套）装备", JIYUAN, {"jy_made_in_jiyuan": False, "hn17_first_set_buyer": True}),
    ("购入了济源市企业制造的首台（套）关键部件", JIYUAN, {"jy_made_in_jiyuan": True}),
    ("买的是本地企业生产的首台（套）设备", JIYUAN, {"jy_made_in_jiyuan": True}),
    ("买了洛阳一家厂生产的省认定首台套装备", JIYUAN, {"jy_made_in_jiyuan": False, "hn17_first_set_buyer": True}),
    ("买的是济源这家公司制造的首台（套）设备", JIYUAN, {"jy_made_in_jiyuan": True}),
    # the maker named inside what was bought: its action is not the asker's
    (
        "济源企业买了郑州一家公司研发的首台（套）装备",
        JIYUAN,
        {"jy_made_in_jiyuan": False, "hn17_first_set_buyer": True, "hn17_first_set_developer": None},
    ),
    ("采购了洛阳产的首台（套）重大技术装备", JIYUAN, {"jy_made_in_jiyuan": False, "hn17_first_set_buyer": True}),
    ("买了本市一家装备厂研制的首台（套）装备", JIYUAN, {"jy_made_in_jiyuan": True, "hn17_first_set_developer": None}),
    (
        "购买省内企业研发并经省认定的首台（套）关键部件",
        HENAN,
        {"hn17_first_set_buyer": True, "hn17_first_set_developer": None},
    ),
    ("我公司研发的首台套装备经省认定", HENAN, {"hn17_first_set_developer": True}),
]


@pytest.mark.parametrize("question,place,expect", ROLES, ids=[r[0] for r in ROLES])
def test_roles_around_a_recognised_item(question: str, place: str, expect: dict[str, bool | None]) -> None:
    got = read_recognitions(question, _vocab(), place).tags
    for tag, value in expect.items():
        assert got.get(tag) is value, (tag, got)


def test_a_new_rule_is_read_in_its_own_words() -> None:
    """A tag whose phrases do not hold the user's words is still read from its condition's describe."""
    vocab = _vocab()
    tag = TagDef(label="绿色供应链示范", phrases=["某某示范"])
    rule = RuleWords(
        describes=["被认定为省级绿色供应链管理示范企业"], quotes=["对认定的绿色供应链管理示范企业,给予奖励"]
    )
    extended = vocab.model_copy(
        update={"tags": {**vocab.tags, "x_supply_chain": tag}, "tag_texts": {**vocab.tag_texts, "x_supply_chain": rule}}
    )
    said: dict[str, Any] = read_recognitions("今年入选了省绿色供应链管理示范企业名单", extended, HENAN).tags
    assert said.get("x_supply_chain") is True
    denied = read_recognitions("我们还不是绿色供应链管理示范企业", extended, HENAN).tags
    assert denied.get("x_supply_chain") is False


# (name, clause, how it is found: "whole" (sure), "part" (a candidate) or None): the matching itself.
ALIGNMENTS: list[tuple[str, str, str | None]] = [
    ("全职引进院士", "全职引进一位中国工程院院士", "whole"),
    ("工业云试点示范", "省工业云平台试点示范", "whole"),
    ("单项冠军示范企业", "单项冠军培育企业", "part"),
    ("智能工厂", "智能化改造工厂", "part"),
    ("同品种前3家", with_ranks("同品种第2家通过", "同品种前3家"), "whole"),
    ("同品种前3家", with_ranks("同品种第4家通过", "同品种前3家"), None),
]


@pytest.mark.parametrize("name,clause,found", ALIGNMENTS, ids=[f"{r[0]}~{r[1]}" for r in ALIGNMENTS])
def test_names_are_found_with_words_inserted(name: str, clause: str, found: str | None) -> None:
    got = align(name, clause)
    assert (("whole" if got.whole else "part") if got else None) == found


def test_question_forms_hold_no_negation() -> None:
    vocab = _vocab()
    norm = normalize(
        "有没有认定为智能工厂的奖励", vocab.recognition.same_as, vocab.recognition.fillers, vocab.recognition.questions
    )
    assert "没有" not in norm.text
    assert read_recognitions("被认定为智能工厂的有没有奖励", vocab, HEKOU).tags.get("smart_demo") is True


# (question, place, tag, whether it is stated as not reached yet): "not yet" awaits the condition, a flat
# negation fails it; None: the tag is had, the negation was of something else.
NOT_YET = [
    ("设备还在调试，预计明年3月才投产", HEKOU, "production_started", True),
    ("项目尚未竣工投产", HEKOU, "production_started", True),
    ("新产品还没被认定为省工业新产品，只做了内部鉴定", JIYUAN, "jy_provincial_new_product", True),
    ("我们的创新中心还没有列入市培育名单，正在申报", JIYUAN, "jy_city_innovation_center_cultivation", True),
    ("省创新中心培育名单里还没有我们，只是打算申报", HENAN, "hn17_innovation_center_cultivation", True),
    ("项目没有投产", HEKOU, "production_started", False),
    # a clause of the money, not of the recognition before it, says nothing of the recognition
    ("买了一台经省认定的首台（套）单台设备。没买保险，也不打算申请保费补贴", HENAN, "hn17_first_set_equipment", None),
    ("不是单项冠军示范企业", HENAN, "hn17_single_champion_demo", False),
]


@pytest.mark.parametrize("question,place,tag,not_yet", NOT_YET, ids=[r[0] for r in NOT_YET])
def test_a_negation_said_as_not_yet_awaits_the_condition(
    question: str, place: str, tag: str, not_yet: bool | None
) -> None:
    got = read_recognitions(question, _vocab(), place)
    if not_yet is None:
        assert got.tags.get(tag) is True and tag not in got.not_yet
        return
    assert got.tags.get(tag) is False
    assert (tag in got.not_yet) is not_yet
