"""The dialogue scorer on one conversation written here (not from the blind set): the simulated user
answers the follow-up briefly, and the figures of the dialogue issue are read from the answers."""

from __future__ import annotations

from assistant.answering.engine import default_engine
from assistant.evaluation.dialogues import dialogue_figures, judge_dialogue, run_dialogue, summarize_dialogues

CASE = {
    "id": "t-1",
    "kind": "short_replies",
    "as_of": "2025-06-30",
    "opening": "济源技改项目当年完成投资5000万，设备投资2000万，研发投入1500万，市里的技改后补助能拿多少？",
    "focus": {"doc": "jiyuan-2017-27", "quote_has": "按照项目的设备、研发投入的"},
    "user_knows": [{"about": ["投产"], "reply": "是"}],
    "expect": {
        "final": {
            "doc": "jiyuan-2017-27",
            "quote_has": "按照项目的设备、研发投入的",
            "status": "eligible",
            "amount_yuan": 10_000_000,
        }
    },
}


def test_a_short_reply_settles_the_program_asked_about_and_the_figures_say_so() -> None:
    engine = default_engine()
    run = run_dialogue(engine, CASE)
    assert judge_dialogue(run, engine.book) == []
    assert len(run.answers) == 2 and run.answers[1]["question"] == "是"
    figures = dialogue_figures(run, engine.book)
    assert figures["first_follow_up_on_focus"] is True and figures["first_program_is_focus"] is True
    folded = run.answers[0]["other_programs"]["program_ids"] if run.answers[0]["other_programs"] else []
    assert figures["programs_unfolded"] == figures["programs_shown"] - len(folded) >= 1
    summary = summarize_dialogues([(run, figures)])
    assert summary["share_first_program_is_focus_where_shown"] == 1.0
    assert summary["median_programs_unfolded"] == figures["programs_unfolded"]


def test_the_figures_are_read_on_the_first_question_about_the_program_in_focus() -> None:
    """A fact question first, or another project before a new conversation: the lead and the
    follow-up are those of the answer to the question about the case's program, not the opening's."""
    engine = default_engine()
    fact_first = {**CASE, "kind": "fact_then_assessment", "opening": "济源的技改后补助由哪个部门负责？"}
    fact_first["script"] = [CASE["opening"]]
    run = run_dialogue(engine, fact_first)
    assert run.asked == [0, 1] and run.focus_answer() is run.answers[1]
    figures = dialogue_figures(run, engine.book)
    assert figures["first_program_is_focus"] is True and figures["very_first_answer_leads"] is False

    reset = {**CASE, "kind": "new_conversation", "opening": "河口区技改项目总投资500万，设备投资300万，能拿多少？"}
    reset["script"] = ["reset", CASE["opening"]]
    run = run_dialogue(engine, reset)
    assert run.reset_at == 1 and run.focus_answer() is run.answers[run.asked[1]]
    figures = dialogue_figures(run, engine.book)
    assert figures["first_program_is_focus"] is True and figures["very_first_answer_leads"] is False
    assert figures["first_follow_up_on_focus"] is True
