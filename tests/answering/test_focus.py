"""Focus: the programs the question is about lead the answer, the rest are folded, the first
follow-up asks for what the program asked about is missing, and expired programs stay out unless asked."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.answering.api_models import Answer
from assistant.answering.engine import Engine, default_engine
from assistant.answering.focus import issuer_level, names_policy
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
