"""Multi-turn self-assessment: facts added, corrected and contradicted; clarifying questions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.web.api_conversations import ApiConversations


@pytest.fixture
def chat() -> Conversation:
    return Conversation(default_engine(), as_of=date(2021, 6, 30))


def _amount(response: Answer, program_id: str) -> float | None:
    return next(p.amount_yuan for p in response.programs if p.program_id == program_id)


def test_facts_are_added_then_corrected_and_the_figure_follows(chat: Conversation) -> None:
    first = chat.ask("河口区技改项目，总投资500万")
    assert first.follow_up == "请问设备投资（含工艺包和软件）是多少？"
    assert "最高" not in first.answer or "1,000,000.00" in first.answer  # the cap is said already
    assert _amount(chat.ask("设备300万"), "hekou-direct-award") == 180000.0
    corrected = chat.ask("设备投资改成400万")
    assert _amount(corrected, "hekou-direct-award") == 240000.0
    assert any("300万 → 400万" in n for n in corrected.notes)


def test_a_question_about_the_text_mid_assessment_is_answered_from_the_text(chat: Conversation) -> None:
    """The figures given so far do not make "钱打给谁" an assessment; they are kept for the next turn."""
    chat.ask("河口区技改项目，总投资1000万，贷款800万")
    fact = chat.ask("贴息的钱是打给企业还是打给银行？")
    assert fact.kind == "fact" and fact.follow_up is None and "直接拨付给贷款银行" in fact.answer
    assert chat.facts.amounts["loan_amount"] == Decimal(8000000)
    assert chat.ask("那能贴多少？").kind == "assessment"


def test_a_contradiction_is_refused_and_known_facts_kept(chat: Conversation) -> None:
    chat.ask("河口区技改项目，总投资500万，设备300万")
    bad = chat.ask("总投资改成200万")  # now smaller than the equipment: cannot both be true
    assert bad.kind == "bad_input" and "大于总投资" in bad.answer
    assert chat.facts.amounts["total_investment"] == Decimal(5000000)
    assert _amount(chat.ask("能拿多少"), "hekou-direct-award") == 180000.0


def test_moving_the_enterprise_changes_the_policies(chat: Conversation) -> None:
    chat.ask("河口区技改项目，总投资500万，设备300万")
    moved = chat.ask("我们是济源的")
    ids = {p.program_id for p in moved.programs}
    assert ids and not any(i.startswith("hekou") for i in ids)
    assert any("河南省济源市" in n for n in moved.notes)


def test_an_amount_without_a_role_is_asked_about(chat: Conversation) -> None:
    r = chat.ask("我们是济源的，500万")
    assert r.kind == "assessment" and r.follow_up.startswith("您说的“500万”是总投资")
    assert r.total_max_yuan is None


def test_no_place_asks_for_the_place_first(chat: Conversation) -> None:
    r = chat.ask("我们做技改，总投资800万，设备投资300万，能拿多少")
    assert r.follow_up.startswith("请问企业在哪个地区")


def test_a_tiered_award_without_a_level_asks_for_it(chat: Conversation) -> None:
    r = chat.ask("河口区的企业，被认定为数字化车间，能奖多少")
    assert r.follow_up == "请问认定级别是国家级、省级还是市级？"
    assert _amount(chat.ask("市级的"), "hekou-smart-demo-award") == 50000.0


def test_an_edited_form_wins_over_what_was_typed(chat: Conversation) -> None:
    chat.ask("河口区技改项目，总投资500万，设备300万")
    edited = chat.facts.model_copy(update={"amounts": {**chat.facts.amounts, "equipment_investment": Decimal(4000000)}})
    assert _amount(chat.replace_facts(edited), "hekou-direct-award") == 240000.0


def test_sessions_do_not_share_facts() -> None:
    engine: Engine = default_engine()
    a, b = Conversation(engine, date(2021, 6, 30)), Conversation(engine, date(2021, 6, 30))
    a.ask("河口区技改项目，总投资500万，设备300万")
    r = b.ask("能拿多少")
    assert b.facts is not None and b.facts.amounts == {} and r.follow_up.startswith("请问企业在哪个地区")


def test_answering_the_role_question_assigns_the_amount(chat: Conversation) -> None:
    first = chat.ask("我们是济源的技改项目，设备投资200万，已投产，另外有个500万")
    assert first.follow_up.startswith("您说的“500万”")
    second = chat.ask("是当年完成投资")
    assert second.facts.amounts["year_investment"] == 5000000.0 and second.open_amounts == []
    assert second.question == "是当年完成投资"


def test_one_candidate_for_an_amount_is_named_and_a_yes_binds_it() -> None:
    """Where the programs asked about want one amount, the question names it and "是" gives it the
    amount; "不是" leaves that fact unknown and moves on, instead of asking the same again."""
    engine = default_engine()
    question = "我们是济源的企业，技改项目当年完成投资800万，设备投资300万，已投产，另外还有100万，后补助能拿多少？"
    yes = Conversation(engine, date(2021, 6, 30))
    first = yes.ask(question)
    assert first.follow_up == "您说的“100万”是研发投入吗？" and first.follow_up_fact == "rd_investment"
    assert yes.ask("是").facts.amounts["rd_investment"] == Decimal(1_000_000)
    no = Conversation(engine, date(2021, 6, 30))
    no.ask(question)
    second = no.ask("不是")
    assert "rd_investment" not in second.facts.amounts and second.follow_up != first.follow_up


def test_a_correction_names_its_role_in_the_clause_before(chat: Conversation) -> None:
    chat.ask("济源技改项目，当年完成投资800万，设备投资500万，研发投入100万，已投产")
    r = chat.ask("研发投入说错了，应该是200万")
    assert r.facts.amounts["rd_investment"] == 2000000.0 and r.open_amounts == []


def test_a_figure_that_fits_no_program_yet_asks_about_the_project(chat: Conversation) -> None:
    chat.ask("我们是济源的，500万")
    r = chat.ask("是当年完成投资")
    assert r.kind == "assessment" and r.follow_up.startswith("请问是什么项目")
    assert r.facts.amounts == {"year_investment": 5000000.0}


# --- conversations of API callers (the /chat endpoint's store) ---------------------------------------

AS_OF = date(2021, 6, 30)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_api_sessions_keep_their_own_facts_and_start_afresh_on_request() -> None:
    store = ApiConversations(default_engine())
    store.turn("a", "河口区技改项目，总投资500万", AS_OF)
    store.turn("b", "河口区技改项目，总投资500万，设备投资100万", AS_OF)
    assert _amount(store.turn("a", "设备300万", AS_OF), "hekou-direct-award") == 180000
    assert _amount(store.turn("b", "设备投资改成400万", AS_OF), "hekou-direct-award") == 240000
    fresh = store.turn("a", "设备300万", AS_OF, new_conversation=True)
    assert fresh.facts_state.place is None  # the 河口 of the old conversation is gone


def test_idle_api_sessions_expire_and_the_store_stays_bounded() -> None:
    clock = _Clock()
    store = ApiConversations(default_engine(), ttl_s=60, max_sessions=2, clock=clock)
    store.turn("a", "河口区技改项目，总投资500万", AS_OF)
    clock.now = 61
    assert store.turn("a", "设备300万", AS_OF).facts_state.place is None  # expired: a new conversation
    store.turn("b", "你好", AS_OF)
    store.turn("c", "你好", AS_OF)
    assert len(store) == 2  # "a", the least recently used, made room
    assert store.turn("a", "设备300万", AS_OF).facts_state.place is None


def test_a_correction_says_the_figure_it_changed_first() -> None:
    """After "设备投资改成400万" the answer opens with 18万 → 24万, and the figures are in the answer's data."""
    from assistant.answering.engine import default_engine

    conversation = Conversation(default_engine(), date(2021, 6, 30))
    conversation.ask("河口区技改项目总投资500万，设备300万，能拿多少？")
    answer = conversation.ask("设备投资改成400万")
    assert answer.answer.startswith("金额变化：") and "18万 → 24万" in answer.answer.splitlines()[1]
    assert [(c.before_yuan, c.after_yuan) for c in answer.figure_changes] == [(180000.0, 240000.0)]


@pytest.mark.parametrize(
    ("replies", "check"),
    [
        # "300万" fills the amount just asked about; the next question asks for something else
        (["300万"], lambda a, c: c.facts.amounts.get("equipment_investment") == Decimal(3_000_000)),
        # "不清楚" leaves it open and the assistant moves on to another fact
        (["不清楚"], lambda a, c: "equipment_investment" in c.facts.unknown and "设备投资" not in (a.follow_up or "")),
    ],
)
def test_short_replies_fill_the_fact_just_asked(replies: list[str], check) -> None:
    conversation = Conversation(default_engine(), date(2018, 6, 30))
    first = conversation.ask("我们在济源，技改项目投资500万，能拿多少？")
    assert first.follow_up_fact == "equipment_investment"
    for reply in replies:
        answer = conversation.ask(reply)
    assert check(answer, conversation)


def test_a_yes_no_reply_sets_the_fact_asked_and_a_correction_is_not_a_no() -> None:
    conversation = Conversation(default_engine(), date(2018, 6, 30))
    conversation.ask("我们在济源，技改项目当年完成投资800万，设备300万，研发100万，能拿多少？")
    asked = conversation.responses[-1].follow_up_fact
    conversation.ask("是的")
    assert asked in conversation.engine.book.vocabulary.tags and conversation.facts.tags.get(asked) is True
    conversation.ask("不对，设备是400万")  # starts with a 'no' word, but states its own fact
    assert conversation.facts.amounts["equipment_investment"] == Decimal(4_000_000)


def test_a_place_given_in_reply_is_the_enterprises_own_and_the_question_still_stands() -> None:
    """Asked where the enterprise is, after "…的奖励怎么算？我们…", the reply "河口区" is its own place:
    the turn goes on with the assessment (a place said alone would leave "怎么算" asking of the text)."""
    conversation = Conversation(default_engine(), date(2021, 6, 30))
    first = conversation.ask("新增入库那个奖励怎么计算？我们的技改项目刚纳入统计了")
    assert first.kind == "assessment" and first.follow_up_fact == "place"
    answer = conversation.ask("河口区")
    assert answer.kind == "assessment" and answer.facts.place == "山东省东营市河口区"
    assert answer.programs[0].program_id == "hekou-statistics-award"


def test_a_reply_fills_the_fact_asked_even_where_its_label_holds_another_facts_name() -> None:
    """Asked "技术引进及仪器、设备、软件投入是多少？" after "大概一千万左右", the reply "1100万" is that
    fact's, not 软件投入's (the label read back as the other fact): 30% of it, 330万."""
    conversation = Conversation(default_engine(), date(2019, 6, 1))
    first = conversation.ask(
        "我们是洛阳的企业，被认定为省制造业创新中心了，今年技术引进加仪器、设备、软件购置大概一千万左右，能补多少？"
    )
    assert first.follow_up_fact == "tech_import_investment"
    answer = conversation.ask("1100万")
    assert conversation.facts.amounts == {"tech_import_investment": Decimal(11_000_000)}
    assert answer.programs[0].amount_yuan == 3_300_000


def test_a_later_turn_naming_the_city_above_keeps_the_place_and_tells_its_money_as_higher() -> None:
    """A 河口区 enterprise later says it had 东营市's special funds: it has not moved to 东营市 (no place
    asked again), and the money is from above the district, which bars the district's awards."""
    conversation = Conversation(default_engine(), date(2021, 6, 30))
    first = conversation.ask("河口区技改项目总投资600万，设备400万，已竣工，直接奖补能拿多少？")
    assert first.programs[0].status == "eligible"
    answer = conversation.ask("还有，这个项目之前拿过东营市的技改专项资金20万，这样还能拿吗？")
    assert answer.facts.place == "山东省东营市河口区" and not answer.follow_up
    assert not any("所在地区" in note for note in answer.notes)
    assert {p.program_id: p.status for p in answer.programs}["hekou-direct-award"] == "ineligible"


def test_a_long_conversation_keeps_only_what_later_turns_need() -> None:
    """Thirty turns: two answers kept, the engine reads the last few questions only, and a correction
    still says which figure it changed (the latest assessment is kept even after a fact answer)."""
    from assistant.answering.conversation import CONTEXT_QUESTIONS, KEPT_RESPONSES

    conversation = Conversation(default_engine(), date(2021, 6, 30))
    conversation.ask("河口区技改项目总投资500万，设备投资300万，能拿多少？")
    for n in range(28):
        conversation.ask(f"项目贷款实际发生额是{100 + n}万")
    assert len(conversation.responses) == KEPT_RESPONSES
    assert conversation.context.split() == list(conversation.questions)[-CONTEXT_QUESTIONS:]
    assert "设备投资300万" not in conversation.context
    conversation.ask("什么样的企业算僵尸企业？")  # a fact answer in between
    corrected = conversation.ask("设备投资改成400万")
    assert corrected.total_max_yuan and [c.after_yuan for c in corrected.figure_changes] == [240000.0]
    assert len(conversation.responses) == KEPT_RESPONSES


@pytest.mark.parametrize(("reply", "held"), [("我们是的", True), ("本公司没有", False), ("我们企业不清楚", None)])
def test_a_reply_that_opens_with_its_subject_is_bound_to_the_fact_asked(reply: str, held: bool | None) -> None:
    """ "我们是研发制造单位" to a yes/no question is a yes; the subject (我们, 本公司) is read past."""
    conversation = Conversation(default_engine(), date(2018, 6, 30))
    conversation.ask("我们在济源，技改项目当年完成投资800万，设备300万，研发100万，能拿多少？")
    asked = conversation.responses[-1].follow_up_fact
    assert asked in conversation.engine.book.vocabulary.tags
    conversation.ask(reply)
    assert conversation.facts is not None
    assert conversation.facts.tags.get(asked) is held
    assert (asked in conversation.facts.unknown) is (held is None)


@pytest.mark.parametrize(
    "correction",
    ["更正：财务核定的是350万，不是300万，能拿多少？", "不是300万，是350万", "设备是350万，不是300万"],
)
def test_a_correction_that_names_the_old_value_corrects_the_fact_holding_it(correction: str) -> None:
    """ "是350万，不是300万": the amount said to be wrong is the one held for 设备投资, so the other replaces
    it, and the change is said first; the old value is not asked about as an amount without a role."""
    conversation = Conversation(default_engine(), date(2021, 6, 30))
    conversation.ask("河口区技改项目总投资800万，设备投资300万，能拿多少？")
    answer = conversation.ask(correction)
    assert conversation.facts is not None
    assert conversation.facts.amounts == {
        "total_investment": Decimal(8_000_000),
        "equipment_investment": Decimal(3_500_000),
    }
    assert answer.follow_up is None or "300万" not in answer.follow_up
    assert answer.answer.startswith("金额变化：") and "18万 → 21万" in answer.answer


@pytest.mark.parametrize(
    ("correction", "held"),
    [("更正：设备投资额是450万，不是300万。", "environmental_equipment_investment"), ("设备是450万，不是300万", None)],
)
def test_a_correction_by_a_wider_name_corrects_the_narrower_fact_holding_the_old_value(
    correction: str, held: str | None
) -> None:
    """ "设备投资额是450万，不是300万" where 300万 was read as the 环保专用设备's: 设备投资 is the wider name
    of the same fact, so that fact takes 450万 (and is not kept beside a new 设备投资 of 450万)."""
    conversation = Conversation(default_engine(), date(2014, 6, 1))
    conversation.ask("郑州企业，2013年购置并使用了列入《环境保护专用设备企业所得税优惠目录》的设备300万，应纳税额500万")
    conversation.ask(correction)
    assert conversation.facts is not None
    assert conversation.facts.amounts == {
        held or "environmental_equipment_investment": Decimal(4_500_000),
        "tax_payable": Decimal(5_000_000),
    }


def test_a_denied_money_names_its_kind_and_says_nothing_of_the_project() -> None:
    """ "没拿过上级技改资金": the negation is of the money; the project is still a 技改 project."""
    conversation = Conversation(default_engine(), date(2021, 7, 1))
    conversation.ask("我们是河口区企业，技改项目总投资8000万，实际贷款发生额4000万，想申请贷款贴息")
    answer = conversation.ask("另外没拿过上级技改资金，选贷款贴息。")
    assert conversation.facts is not None and conversation.facts.tags.get("tech_transformation") is True
    interest = next(p for p in answer.programs if p.program_id == "hekou-loan-interest")
    assert interest.status == "eligible" and interest.amount_yuan == 385000.0


def test_an_amount_denied_that_no_fact_holds_is_still_asked_about() -> None:
    conversation = Conversation(default_engine(), date(2021, 6, 30))
    conversation.ask("河口区技改项目总投资800万，设备投资300万，能拿多少？")
    answer = conversation.ask("另外有笔钱是50万，不是60万")
    assert answer.open_amounts == ["50万", "60万"]
