"""Focus: the programs the question is about lead the answer, the rest are folded, the first
follow-up asks for what the program asked about is missing, and expired programs stay out unless asked."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from assistant.answering.api_models import Answer
from assistant.answering.engine import Engine, default_engine
from assistant.answering.focus import (
    declined_by_name,
    issuer_level,
    mention_counts,
    names_policy,
    naming_words,
    quotes_its_figure,
)
from assistant.calculator.facts import EnterpriseFacts
from assistant.rules.schema import Level


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def _ids(answer: Answer) -> list[str]:
    return [p.program_id for p in answer.programs]


def _unfolded(answer: Answer) -> list[str]:
    folded = set(answer.other_programs.program_ids) if answer.other_programs else set()
    return [i for i in _ids(answer) if i not in folded]


def test_the_matching_award_the_question_asks_for_leads_and_its_fact_is_asked(engine: Engine) -> None:
    """The issue's example: six programs, the matching award fourth, a question about another program."""
    answer = engine.ask("郑州企业，首次认定为高新技术企业，省里配套奖补最多多少？", as_of=date(2021, 5, 1))
    assert _unfolded(answer) == ["hn17-first-hte-matching-award"]
    assert answer.other_programs is not None
    assert answer.other_programs.title == f"其他可能适用的政策（{len(answer.other_programs.program_ids)}）"
    assert _ids(answer)[1:] == answer.other_programs.program_ids
    assert answer.follow_up_fact in answer.programs[0].missing


def test_a_benefit_word_picks_the_loan_subsidy_over_the_direct_award(engine: Engine) -> None:
    answer = engine.ask("河口区技改项目，设备投资300万，贷款800万，贴息能拿多少？", as_of=date(2021, 6, 30))
    assert _unfolded(answer) == ["hekou-loan-interest"]
    assert "hekou-direct-award" in answer.other_programs.program_ids  # type: ignore[union-attr]
    assert "其他可能适用的政策（" in answer.answer


def test_a_level_word_is_the_level_of_the_policy_that_pays() -> None:
    book = default_engine().book
    assert issuer_level(book, "hekou-direct-award") is Level.DISTRICT
    assert issuer_level(book, "jy-tech-transformation-post-subsidy") is Level.CITY
    assert issuer_level(book, "hn17-first-hte-matching-award") is Level.PROVINCIAL


def test_a_policy_is_named_by_a_long_span_of_its_title_not_by_a_short_word() -> None:
    meta = default_engine().book.library.policies["henan-2012-tech-opinions"].meta
    assert names_policy(meta, "河南省那个加快推进企业技术改造的意见里，研发费用加计扣除比例是多少？")
    assert not names_policy(meta, "河南企业技术改造能拿多少？")


def test_expired_programs_stay_out_unless_the_question_is_about_them(engine: Engine) -> None:
    """On 2025-05-01 豫政〔2017〕22号 is void and 济源's policy in force: a question about 济源's figures
    shows no program of the void one; one that names the void one's program gets it, folded."""
    day = date(2025, 5, 1)
    generic = engine.ask("济源企业，技改项目设备投资500万，研发投入200万，已投产，能拿多少？", as_of=day)
    assert generic.programs and all(p.status != "expired" for p in generic.programs)
    named = engine.ask("济源企业，首台(套)重大技术装备保险保费补贴和首台套奖励能拿多少？", as_of=day)
    expired = [p.program_id for p in named.programs if p.status == "expired"]
    assert "hn17-first-set-insurance-subsidy" in expired
    assert named.programs[0].status != "expired"  # in force and asked about leads
    assert set(expired) <= set(named.other_programs.program_ids)  # type: ignore[union-attr]


def test_a_declined_option_is_not_in_the_answer(engine: Engine) -> None:
    answer = engine.ask("河口区技改项目，设备投资300万，我们没有贷款，能拿多少？", as_of=date(2021, 6, 30))
    assert "hekou-loan-interest" not in _ids(answer)
    assert not re.search(r"(?<![0-9,])0\.00 元", answer.answer)


def test_the_card_comes_first_with_the_verdict_and_figure_of_the_program_asked_about(engine: Engine) -> None:
    answer = engine.ask("河口区技改项目总投资500万，设备投资300万，能拿多少？", as_of=date(2021, 6, 30))
    card, details = answer.answer.split("【1】", 1)
    assert "【技术改造项目直接奖补（设备投资的6%）】" in card
    assert "结论：符合条件，可以申请，最高 18万（180,000.00 元）" in card
    assert "原因：6% × 实际设备投资额（含工艺包和软件） 3,000,000.00 元 = 180,000.00 元" in card
    assert "依据：" not in card and "依据：" in details  # quotations after the card


def test_a_figure_waiting_only_on_a_yes_no_fact_is_given_as_conditional(engine: Engine) -> None:
    answer = engine.ask(
        "济源技改项目当年完成投资5000万，设备投资2000万，研发投入1500万，能拿多少？", as_of=date(2025, 6, 30)
    )
    program = next(p for p in answer.programs if p.program_id == "jy-tech-transformation-post-subsidy")
    assert program.status == "needs_info" and program.conditional_yuan == 10_000_000
    assert "结论：若项目已竣工投产，最高 1000万" in answer.answer.split("【1】")[0]
    assert answer.total_max_yuan is None  # a conditional figure is never counted


def test_a_conditional_figure_joins_the_facts_of_an_any_of_condition_with_or(engine: Engine) -> None:
    """One of 中国驰名商标, 中国工业大奖 … is enough: the card said all of them (且) were needed."""
    answer = engine.ask(
        "平顶山企业，我们是省级质量标杆企业（不是国家级），省财政那100万能拿吗？", as_of=date(2019, 1, 15)
    )
    card = answer.answer.split("【1】")[0]
    assert "若获得中国驰名商标或获得中国工业大奖或" in card and "且" not in card.split("结论：")[1].split("\n")[0]


def test_programs_counting_the_same_expense_are_both_shown_and_not_added(engine: Engine) -> None:
    """济源's 30% of 设备+研发 and 30% of 研发 for a 省工业新产品: no text says they stack."""
    answer = engine.ask(
        "济源技改项目当年完成投资5000万，设备投资2000万，研发投入1500万，是省工业新产品，已投产，能拿多少？",
        as_of=date(2025, 6, 30),
    )
    both = {"jy-tech-transformation-post-subsidy", "jy-provincial-new-product-subsidy"}
    assert both <= set(_unfolded(answer))
    assert [set(o.program_ids) for o in answer.overlaps] == [both] and answer.overlaps[0].shared == ["研发投入"]
    assert answer.total_max_yuan == 10_000_000  # the larger, not 1100万
    assert "政策原文未写明能否同时享受" in answer.answer.split("【1】")[0]


def test_alternatives_both_named_are_both_asked_about_and_only_the_larger_counts(engine: Engine) -> None:
    answer = engine.ask(
        "河口区技改项目总投资5000万，设备投资300万，项目贷款4000万，直接奖补和贴息选哪个？", as_of=date(2021, 6, 30)
    )
    assert _unfolded(answer) == ["hekou-direct-award", "hekou-loan-interest"]
    assert answer.total_max_yuan == 385_000


# Classes of focus failure found on the fresh dialogue set (eval/blind/dialogues2); sentences of our own.


def test_a_sum_or_rate_the_program_pays_names_it() -> None:
    """ "那笔5万元的奖励": the user names a program by what it pays, not by its title; an amount given as a
    fact (设备投资5万) names nothing."""
    book = default_engine().book
    award = book.programs["hekou-smart-demo-award"]  # a fixed 5万 award
    assert quotes_its_figure(award, "数字化车间那笔5万元的奖励怎么拿？", EnterpriseFacts())
    given = EnterpriseFacts(amounts={"equipment_investment": Decimal(50_000)})
    assert not quotes_its_figure(award, "设备投资5万元", given)
    assert not quotes_its_figure(
        book.programs["jy-smart-manufacturing-demo-award"], "那笔5万元的奖励", EnterpriseFacts()
    )


def test_a_program_named_by_the_sum_it_pays_leads(engine: Engine) -> None:
    answer = engine.ask("数字化车间那笔5万元的奖励怎么拿？", as_of=date(2021, 6, 1))
    assert _ids(answer)[0] == "hekou-smart-demo-award"


def test_at_equal_score_a_program_open_to_the_project_leads_one_reserved_for_an_unstated_recognition(
    engine: Engine,
) -> None:
    """济源's 技改后补助 and the province's 技改示范项目后补助 both pay 30% of 设备+研发; the user did not say
    the project is a 示范项目."""
    answer = engine.ask("技改项目后补助按30%算的那种，我们能拿多少？", as_of=date(2019, 6, 1))
    assert _ids(answer)[:2] == ["jy-tech-transformation-post-subsidy", "hn17-tech-demo-post-subsidy"]


def test_the_kind_of_support_asked_for_outweighs_a_recognition_the_scene_states(engine: Engine) -> None:
    """Stating 研发投入 makes the R&D deduction relevant; "后补助有多少" asks for a post-subsidy."""
    answer = engine.ask(
        "济源企业，研发投入大约五百万，技改项目今年完成投资三千万，已投产，后补助有多少？", as_of=date(2019, 6, 1)
    )
    assert _ids(answer)[0] == "jy-tech-transformation-post-subsidy"
    assert "jy-rd-super-deduction" in answer.other_programs.program_ids  # type: ignore[union-attr]


def test_a_program_named_only_to_say_its_recognition_is_lacking_does_not_lead(engine: Engine) -> None:
    answer = engine.ask(
        "济源企业，产品没有被认定为省工业新产品；技改项目当年完成投资1000万，设备600万，研发100万，已投产，后补助多少？",
        as_of=date(2019, 6, 1),
    )
    assert _ids(answer)[0] == "jy-tech-transformation-post-subsidy"


def test_a_program_declined_by_name_or_by_its_kind_of_support_is_left_out(engine: Engine) -> None:
    answer = engine.ask(
        "河口区技改项目总投资3000万，设备1500万，贷款1000万已放款，贴息我们不申请，只要直接奖补，能拿多少？",
        as_of=date(2021, 6, 1),
    )
    assert _ids(answer) == ["hekou-direct-award"]


def test_asking_whether_to_take_a_program_or_refusing_a_cap_declines_nothing() -> None:
    book = default_engine().book
    counts = mention_counts(book)
    loan, new_product = book.programs["hekou-loan-interest"], book.programs["jy-provincial-new-product-subsidy"]
    assert declined_by_name(book, loan, "贷款贴息我们不考虑了，直接奖补多少？", counts)
    assert not declined_by_name(book, loan, "贴息要不要另外申请？", counts)
    assert not declined_by_name(book, new_product, "别设上限，不要封顶：省工业新产品研发投入300万", counts)


def test_a_decline_of_another_levels_kind_of_support_or_after_the_name_in_a_clause_of_its_own() -> None:
    """ "省里的技改示范后补助我们不报了": 后补助 of the province's policy, not the city's; "平台那个双创平台奖励
    由合作单位去申报，我们不报": the clause that only declines declines what the clause before named."""
    book = default_engine().book
    counts = mention_counts(book)
    provincial, city = (
        book.programs["hn17-tech-demo-post-subsidy"],
        book.programs["jy-tech-transformation-post-subsidy"],
    )
    question = "济源的企业，项目也列入了省技改示范项目，不过省里的技改示范后补助我们不报了，只报市里的。"
    assert declined_by_name(book, provincial, question, counts)
    assert not declined_by_name(book, city, question, counts)
    platform, base = book.programs["jy-shuangchuang-platform-award"], book.programs["jy-shuangchuang-base-award"]
    question = "双创平台那个奖励由合作单位去申报，我们不报，只报基地的。给多少？"
    assert declined_by_name(book, platform, question, counts)
    assert not declined_by_name(book, base, question, counts)


def test_a_kind_of_support_qualified_by_another_programs_topic_declines_only_that_program() -> None:
    """ "技改后补助不申请": the 技改 program's 后补助, not the 新产品 one's, whose title has 后补助 too."""
    book = default_engine().book
    counts = mention_counts(book)
    tech, product = (
        book.programs["jy-tech-transformation-post-subsidy"],
        book.programs["jy-provincial-new-product-subsidy"],
    )
    question = "济源企业，产品被认定为省工业新产品，研发投入200万；技改后补助不申请。新产品这块给多少？"
    assert declined_by_name(book, tech, question, counts)
    assert not declined_by_name(book, product, question, counts)
    assert declined_by_name(book, product, "后补助我们都不要了，只问贴息", counts)


def test_a_question_naming_an_expired_policy_leads_with_its_program(engine: Engine) -> None:
    """The 2016 plan is void in 2020; the question names it, so its program leads over the one in force."""
    answer = engine.ask("按《河南省重点产业2016年度行动计划》，首台套保险补助现在还能申请吗？", as_of=date(2020, 6, 1))
    assert answer.programs[0].program_id == "hn16-first-set-insurance-subsidy"
    assert answer.programs[0].status == "expired"


def test_an_ended_program_named_when_nothing_in_force_is_named_leads(engine: Engine) -> None:
    """On 2018-06-01 the 2016 plan has ended; the question names its 医药储备 interest subsidy, and the
    programs in force share with it only 补助: the answer leads with the ended one, saying so."""
    answer = engine.ask("省级医药储备企业的贴息补助，我们今年还能申请吗？", as_of=date(2018, 6, 1))
    assert _ids(answer)[0] == "hn16-pharma-reserve-interest"
    assert answer.programs[0].status == "expired"


def test_a_twin_in_force_named_by_the_same_words_keeps_the_lead(engine: Engine) -> None:
    """首台（套）保险 names the 2016 plan's subsidy and the 2017 one's alike: the one in force leads."""
    answer = engine.ask("我们经省里认定的首台套装备投保了，保费80万，保额4000万，省里补多少？", as_of=date(2021, 6, 6))
    assert _ids(answer)[0] == "hn17-first-set-insurance-subsidy"


def test_a_program_not_issued_yet_on_the_day_never_takes_the_lead(engine: Engine) -> None:
    """In 2013 the 2017 plan's 新产品 program does not exist yet; the 2012 deduction in force leads."""
    answer = engine.ask(
        "郑州企业，2013年开发新产品花了研发费用400万，没有形成无形资产，能多扣除多少？", as_of=date(2013, 6, 1)
    )
    assert _ids(answer)[0] == "hn12-rd-super-deduction"


def test_an_amount_no_program_in_focus_waits_for_is_not_asked_about(engine: Engine) -> None:
    """ "区里已经奖励了5万" is a grant already had; the matching award waits on yes/no facts, so those are asked."""
    answer = engine.ask(
        "洛阳企业，今年首次认定为高新技术企业，区里已经奖励了5万，省里配套多少？", as_of=date(2019, 6, 1)
    )
    assert answer.programs[0].program_id == "hn17-first-hte-matching-award"
    assert answer.follow_up_fact in answer.programs[0].missing
    assert "5万" not in (answer.follow_up or "")


def test_an_amount_still_wanted_is_asked_about_when_its_role_is_unclear(engine: Engine) -> None:
    answer = engine.ask("河口区技改项目，总投资900万，另外还有300万，能拿多少？", as_of=date(2021, 6, 1))
    # named by what the programs asked about still want, not a fixed list (总投资 is given already)
    assert answer.follow_up == "您说的“300万”是设备投资（含工艺包和软件）、项目贷款实际发生额，还是其他金额？"
    assert answer.follow_up_fact is None  # two candidates: a "是" would not say which


def test_a_vague_amount_is_asked_back_with_the_fact_it_stands_for(engine: Engine) -> None:
    answer = engine.ask(
        "济源企业，研发投入大约五百万，技改项目今年完成投资三千万，已投产，后补助有多少？", as_of=date(2019, 6, 1)
    )
    assert answer.follow_up == "您说的研发投入“大约五百万”具体是多少？"
    assert answer.follow_up_fact == "rd_investment"


def test_the_first_follow_up_asks_what_the_leading_program_misses_first(engine: Engine) -> None:
    """Both 技改后补助 take 设备+研发; the one that leads (济源's, open to any project) misses 当年完成投资,
    the other a 示范项目 listing: the first is asked."""
    answer = engine.ask("济源技改项目已投产，设备500万，研发80万，后补助多少？", as_of=date(2019, 6, 1))
    assert _ids(answer)[0] == "jy-tech-transformation-post-subsidy"
    assert answer.follow_up_fact == "year_investment"


def test_a_topic_word_inside_another_programs_longer_name_does_not_name_it() -> None:
    """ "是省工业新产品" names the new-product subsidy, not the new-material program that lists 新产品."""
    book = default_engine().book
    counts = mention_counts(book)
    material = book.programs["hn17-new-material-first-batch"]
    assert "新产品" not in naming_words(book, material, "我们的产品是省工业新产品", counts)
    assert "新产品" in naming_words(book, material, "新材料新产品推广应用", counts)


def test_several_programs_named_in_the_asking_sentence_are_all_in_focus(engine: Engine) -> None:
    answer = engine.ask(
        "河口区的企业纳统奖励和直接奖补都能拿吗？总投资1500万，设备900万，已纳统投产", as_of=date(2021, 6, 30)
    )
    assert set(_unfolded(answer)) == {"hekou-direct-award", "hekou-statistics-award"}
    assert answer.programs[0].program_id in {"hekou-direct-award", "hekou-statistics-award"}


def test_a_benefit_word_among_the_topics_is_counted_once_and_a_half_said_recognition_points_at_its_program(
    engine: Engine,
) -> None:
    """ "省里奖励多少" with a recognition said in other words than the text's: the first-set awards list
    奖励 as a topic too, but only the innovation-centre award is about the recognition."""
    answer = engine.ask("郑州企业，新获批国家技术创新中心，省里奖励多少？", as_of=date(2021, 6, 1))
    assert _unfolded(answer) == ["hn17-innovation-center-national"]
    assert answer.follow_up_fact in answer.programs[0].missing


def test_a_recognition_read_only_from_an_amount_name_points_at_no_program(engine: Engine) -> None:
    """ "研发投入1500万" makes the R&D deduction's 开展研发活动 true, but the user gave a figure: the programs
    computed from the figures lead, and what they miss is asked."""
    answer = engine.ask(
        "济源技改项目当年完成投资4000万，设备投资1500万，研发投入900万，能拿多少？", as_of=date(2025, 6, 30)
    )
    assert answer.programs[0].program_id == "jy-tech-transformation-post-subsidy"
    assert answer.follow_up_fact == "production_started"


def test_a_word_for_support_that_many_programs_list_names_none_of_them(engine: Engine) -> None:
    """ "奖励" is in the topics of a dozen programs: on its own it selects none (the 首台套 awards came up
    for any "能奖励多少"); a program named by its own words still is."""
    vague = engine.ask("济源的，我们拿了个省里的牌子，市里能奖励多少？", as_of=date(2021, 6, 1))
    assert not [p for p in vague.programs if "first-set" in p.program_id]
    named = engine.ask("济源的，我们拿了个省级双创基地，市里能奖励多少？", as_of=date(2021, 6, 1))
    assert named.programs[0].program_id == "jy-shuangchuang-base-award"
    assert not [p for p in named.programs if "first-set" in p.program_id]


def test_a_topic_word_that_names_a_few_programs_shows_them_when_no_rule_does(engine: Engine) -> None:
    """ "拿了个省里的“双创”牌子": no recognition is stated, but 双创 names the two 双创 awards, which are
    shown asking what they need (it was a fact answer with no program); a word for support (补贴) never
    names a program this way, however few list it."""
    shuangchuang = engine.ask("济源的，我们拿了个省里的“双创”牌子，市里能奖励多少？", as_of=date(2019, 5, 5))
    assert shuangchuang.kind == "assessment"
    assert {p.program_id for p in shuangchuang.programs} == {
        "jy-shuangchuang-platform-award",
        "jy-shuangchuang-base-award",
    }
    assert all(p.status == "needs_info" for p in shuangchuang.programs)
    unrelated = engine.ask("郑州的企业招用残疾人，有什么补贴？", as_of=date(2019, 6, 30))
    assert not unrelated.programs
