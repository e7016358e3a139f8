"""The answer as chat messages: the card first, the details folded, one-click replies that bind."""

from __future__ import annotations

from datetime import date

from assistant.answering import presenter
from assistant.answering.conversation import Conversation
from assistant.answering.engine import default_engine
from assistant.web.chat_messages import DETAILS_TITLE, NO, UNKNOWN, YES, answer_messages, asks_yes_no, missing_yes_no
from assistant.web.citations import linked_numbers

JIYUAN = "济源技改项目当年完成投资5000万，设备投资2000万，研发投入1500万，能拿多少？"


def test_the_card_is_one_message_and_the_details_a_folded_one() -> None:
    answer = default_engine().ask(JIYUAN, as_of=date(2025, 6, 30))
    card, details = answer_messages(answer)
    assert "结论：若项目已竣工投产，最高 1000万" in card["content"] and "依据：" not in card["content"]
    assert details["metadata"] == {"title": DETAILS_TITLE, "status": "done"}
    assert details["content"].startswith("【1】") and "依据：" in details["content"]
    cited = len(presenter.citations(answer.programs))
    assert card["content"] + "\n\n" + details["content"] == linked_numbers(answer.answer, cited)
    assert "[\\[1\\]](#cite-1)" in details["content"]  # the citation numbers open the viewer


def test_a_fact_answer_is_all_card() -> None:
    answer = default_engine().ask("河口区贴息的钱是打给企业还是打给银行？", as_of=date(2021, 6, 30))
    assert [m["content"] for m in answer_messages(answer)] == [answer.answer]


def test_the_one_click_replies_fill_the_fact_asked() -> None:
    """是 / 否 / 不清楚, sent as the buttons send them, settle (or leave open) the fact just asked."""
    engine = default_engine()
    for reply, settled in ((YES, True), (NO, False), (UNKNOWN, None)):
        chat = Conversation(engine, date(2025, 6, 30))
        first = chat.ask(JIYUAN)
        assert asks_yes_no(first, engine.book.vocabulary) and first.follow_up_fact == "production_started"
        after = chat.ask(reply)
        assert after.facts_state.tags.get("production_started") is settled
        assert after.follow_up != first.follow_up


def test_the_compact_form_lists_the_yes_no_facts_the_programs_asked_about_wait_for() -> None:
    engine = default_engine()
    answer = engine.ask(JIYUAN, as_of=date(2025, 6, 30))
    assert missing_yes_no(answer, engine.book.vocabulary) == [("项目已竣工投产", "production_started")]
    settled = engine.ask(JIYUAN + "已投产", as_of=date(2025, 6, 30))
    assert missing_yes_no(settled, engine.book.vocabulary) == []
