"""`ask`: region and validity rules end to end, bad input, the number check, and the CLI's JSON.

The answer's keys are declared in assistant.answering.api_models (and held to it in test_api_models)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.api_models import Answer, Program
from assistant.answering.engine import Engine, default_engine
from assistant.answering.grounding import unsupported_numbers
from assistant.core.settings import REPO_ROOT

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def _program(response: Answer, program_id: str) -> Program:
    return next(p for p in response.programs if p.program_id == program_id)


def test_the_hekou_example_gives_180000_with_its_formula_and_clause(engine: Engine) -> None:
    r = engine.ask(HEKOU, date(2021, 6, 30))
    award = _program(r, "hekou-direct-award")
    assert award.status == "eligible" and award.amount_yuan == 180000.0
    assert "6% × 实际设备投资额（含工艺包和软件） 3,000,000.00 元 = 180,000.00 元" in award.formula
    assert award.policy.doc_number == "东河政发〔2020〕5号" and award.policy.in_force is True
    assert any("最高不超过6%" in c.quote for c in award.citations)
    assert r.total_max_yuan == 180000.0
    assert "180,000.00" in r.answer and "东河政发〔2020〕5号" in r.answer
    assert "山东省东营市河口区" in r.answer  # 河口 is said to be the 东营 district
    assert r.sources and r.sources[0].doc_number == "东河政发〔2020〕5号"


def test_after_expiry_the_figure_is_reference_only(engine: Engine) -> None:
    r = engine.ask(HEKOU, date(2026, 11, 22))
    award = _program(r, "hekou-direct-award")
    assert award.status == "expired" and award.amount_yuan == 180000.0
    assert award.policy.in_force is False
    assert "仅供参考" in r.answer and "2022-12-31" in r.answer
    assert r.total_max_yuan is None  # expired programs are not counted
    # It says plainly that one cannot apply now and whom to ask, and gives no how-to-apply text.
    assert "目前不能按此申报" in r.answer and "请咨询" in r.answer
    assert "申报方式" not in r.answer and "下一步：申报" not in r.answer


def test_a_formula_shown_for_an_ineligible_program_says_it_does_not_apply(engine: Engine) -> None:
    """Not in the 十百千 programme: the province's 30% is computed (officers check it) but must not read
    as an offer, and is not in the total."""
    r = engine.ask(
        "我们在济源，设备投资300万，研发投入100万，当年完成投资500万，已经竣工投产，没有列入十百千示范工程",
        date(2018, 6, 30),
    )
    demo = next(p for p in r.programs if p.status == "ineligible" and p.formula)
    line = next(x for x in r.answer.splitlines() if demo.formula in x)
    assert line.strip().startswith("测算（仅在满足全部条件时适用，本项目不能申请）")
    assert r.total_max_yuan == 1200000.0  # 济源's own 30% only


def test_a_project_not_yet_in_production_gets_the_figure_once_it_is_and_is_not_asked_again(engine: Engine) -> None:
    """ "投产后…给予后补助": not yet in production awaits it (never 可以申请, never 不符合)."""
    r = engine.ask(
        "河口区技改项目投资2600万，已新增统计入库，设备还在调试，预计明年3月投产。纳统奖励能拿吗？", date(2021, 12, 1)
    )
    award = next(p for p in r.programs if p.program_id == "hekou-statistics-award")
    assert (award.status, award.amount_yuan, award.conditional_yuan) == ("needs_info", None, 30000.0)
    assert "若项目已竣工投产，3万" in r.answer and "尚待：项目已竣工投产" in r.answer
    assert "投产" not in (r.follow_up or "")
    said = engine.ask("项目没有投产，纳统奖励能拿吗？我们在河口区，投资2600万，已新增统计入库", date(2021, 12, 1))
    assert next(p for p in said.programs if p.program_id == "hekou-statistics-award").status == "ineligible"


def test_alternatives_count_only_the_larger(engine: Engine) -> None:
    r = engine.ask("河口区技改，总投资3000万，设备投资1000万，项目贷款2000万", date(2021, 6, 30))
    assert _program(r, "hekou-direct-award").amount_yuan == 600000.0
    assert _program(r, "hekou-loan-interest").amount_yuan == 192500.0
    assert r.total_max_yuan == 600000.0
    assert "只能任选其一" in r.answer


@pytest.mark.parametrize(
    "question,allowed,forbidden",
    [
        ("我们在河口做技改，设备投资300万，总投资600万", {"hekou-2020-5"}, {"henan-2017-22", "jiyuan-2017-27"}),
        ("我们在济源做技改，当年完成投资600万，设备投资300万", {"jiyuan-2017-27", "henan-2017-22"}, {"hekou-2020-5"}),
        ("郑州企业技改，设备投资300万，研发投入100万", {"henan-2017-22"}, {"hekou-2020-5", "jiyuan-2017-27"}),
    ],
)
def test_region_decides_which_policies_apply(engine: Engine, question: str, allowed: set, forbidden: set) -> None:
    r = engine.ask(question, date(2019, 6, 30))
    policies = {p.program_id.split("-")[0] for p in r.programs}
    ids = {engine.book.program_policy[p.program_id] for p in r.programs}
    assert policies and ids & allowed and not ids & forbidden


def test_a_place_no_policy_covers_gets_no_figure(engine: Engine) -> None:
    r = engine.ask("我们在上海做技改，总投资1000万，设备投资500万，能拿多少", date(2021, 6, 30))
    assert r.kind == "out_of_scope" and r.programs == [] and r.total_max_yuan is None
    assert "不涉及" in r.answer
    # What is covered and where to ask instead; no clause of another region's policy.
    assert "收录范围" in r.answer and "工信" in r.answer and "发改" in r.answer
    assert r.sources == [] and "最接近的条款" not in r.answer


@pytest.mark.parametrize(
    ("question", "program_id"),
    [
        (
            "我们是焦作的企业，也拿了省级服务型制造示范，济源那个30万的奖励我们能不能拿？",
            "jy-service-manufacturing-demo-award",
        ),
        (
            "我们企业在东营市垦利区，技改项目实际贷款发生额4000万，想申请河口区的技改贷款贴息，能贴多少？",
            "hekou-loan-interest",
        ),
    ],
)
def test_a_program_of_a_named_region_not_covering_the_enterprise_is_answered_with_why_not(
    engine: Engine, question: str, program_id: str
) -> None:
    """The question names the region whose program it asks about, and the enterprise is elsewhere: that
    program leads, not eligible, with the region as the reason (it was a general refusal, or a fact
    answer), and no figure is offered."""
    r = engine.ask(question, date(2021, 7, 1))
    assert r.kind == "assessment" and r.programs[0].program_id == program_id
    assert all(p.status == "ineligible" for p in r.programs) and r.total_max_yuan is None
    assert "所述企业所在地不在其范围内" in r.answer


def test_a_place_wider_than_a_covered_region_is_asked_not_out_of_scope(engine: Engine) -> None:
    """东营市 holds 河口区: the enterprise may be in it, so the district is asked and no figure is given."""
    r = engine.ask("东营的企业，技改总投资1000万，设备600万，能拿多少？", date(2021, 6, 30))
    assert r.kind == "assessment" and r.total_max_yuan is None
    assert all(p.status != "eligible" for p in r.programs)
    assert "只收录了山东省东营市河口区的政策" in r.answer and r.follow_up_fact == "place"


@pytest.mark.parametrize(
    "question",
    ["", "   ", "总投资-500万，设备300万，河口", "河口区技改，总投资300万，设备投资500万", "x" * 2001],
)
def test_bad_input_gets_a_chinese_message_and_no_figure(engine: Engine, question: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert r.kind == "bad_input" and r.programs == [] and r.total_max_yuan is None
    assert r.answer.startswith("无法测算")


@pytest.mark.parametrize(
    "question",
    [
        "河口区技改项目\x7f总投资500万，设备投资300万",  # DEL
        "河口区技改项目\x85总投资500万，设备投资300万",  # a C1 control: Latin-1 bytes read as text
        "河口区\udcff技改项目总投资500万，设备投资300万",  # a lone surrogate: undecodable bytes
        "河口区技改\ufffe项目总投资500万，设备投资300万",  # a Unicode noncharacter
        "河口区技改项目总投资" + "9" * 80 + "万，设备投资300万",  # more digits than any amount
        "河口区技改项目总投资5000000000亿，设备投资300万",  # over 10^12 yuan
    ],
)
def test_garbled_text_and_absurd_amounts_are_refused_in_chinese(engine: Engine, question: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert r.kind == "bad_input" and r.answer.startswith("无法测算")
    assert r.total_max_yuan is None and all(p.amount_yuan is None for p in r.programs)
    assert CJK.search(r.answer) and "Traceback" not in r.answer
    assert len(r.answer) < 400  # a message, not the pasted text echoed back


def test_a_pasted_wall_of_text_is_answered_without_a_guessed_figure(engine: Engine) -> None:
    """1,800 characters of numerals, or a question pasted 60 times. That their cost stays bounded is
    checked where it is decided (amount reading in test_amounts, the dense query's length in
    test_retrieval); here, that the answers are still right."""
    numerals = engine.ask("伍佰万" * 600 + "河口区技改", date(2021, 6, 30))
    repeated = engine.ask(HEKOU * 60, date(2021, 6, 30))
    assert numerals.total_max_yuan is None  # no amount can be read from a run of numerals
    assert _program(repeated, "hekou-direct-award").amount_yuan == 180000.0


@pytest.mark.parametrize(
    "question",
    [
        "😀😀😀",
        "Привет مرحبا こんにちは 안녕하세요",
        "🚀💰 how much subsidy?",
        "总投资1e20元，河口区技改",
        "\u200b\ufeff",
    ],
)
def test_emoji_and_other_scripts_get_a_chinese_answer_without_a_figure(engine: Engine, question: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert r.total_max_yuan is None and all(p.amount_yuan is None for p in r.programs)
    assert CJK.search(r.answer) and "Traceback" not in r.answer


@pytest.mark.parametrize(
    "question",
    [
        "河口区🚀技改项目总投资500万，设备投资300万，能拿多少？😀",
        "河口区技改项目总投资５００万，设备投资３００万，能拿多少？",  # fullwidth digits
        "河口区技改项目\r\n总投资500万，\t设备投资300万，能拿多少？",  # Windows line breaks are text
        "\ufeff河口区技改项目总投资500万，设备投资300万，能拿多少？",  # a byte-order mark from a paste
    ],
)
def test_decoration_around_a_real_question_does_not_stop_the_answer(engine: Engine, question: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert _program(r, "hekou-direct-award").amount_yuan == 180000.0


QUESTIONS = [
    HEKOU,
    "河口区技改，总投资3000万，设备投资1000万，项目贷款2000万",
    "河口企业新增统计入库技改项目，已竣工投产，投资2500万",
    "河口区，我们被认定为市级数字化车间，能奖多少",
    "济源的企业，当年完成投资800万，设备投资500万，研发投入100万，已投产",
    "济源，首台套装备卖了2000万给本地企业，省里认定过",
    "河南洛阳，首台套保险，保费60万元，保险金额3000万",
    "郑州企业首次认定为高新技术企业，有什么奖励",
    "河口区技改，总投资500万",
    "我们是济源的，500万",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_number_in_an_answer_is_backed(engine: Engine, question: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert unsupported_numbers(r.answer, r) == []


def test_the_number_check_catches_an_invented_figure(engine: Engine) -> None:
    r = engine.ask(HEKOU, date(2021, 6, 30))
    assert set(unsupported_numbers(r.answer.replace("180,000.00", "190,000.00"), r)) == {"190,000.00"}


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )


def test_cli_batch_answers_in_order_and_echoes_ids(tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    lines = [
        {"id": "a", "question": HEKOU, "as_of": "2021-06-30"},
        {"id": "b", "question": "河口区技改"},
        {"id": "c", "question": HEKOU, "as_of": "2021-02-30"},
    ]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n", encoding="utf-8")
    out = _cli("ask", "--batch", str(batch), "--as-of", "2022-01-01")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", "b", "c", None]
    assert rows[0]["as_of"] == "2021-06-30" and rows[1]["as_of"] == "2022-01-01"
    assert "2月只有28天" in rows[2]["error"] and "JSON" in rows[3]["error"]


def test_cli_json_is_the_answer_model_s_json() -> None:
    out = _cli("ask", HEKOU, "--as-of", "2021-06-30", "--json")
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    answer = Answer.model_validate(printed)
    assert answer.to_json() == printed and list(printed)[:4] == ["contract_version", "id", "question", "as_of"]
    assert _program(answer, "hekou-direct-award").amount_yuan == 180000.0


def test_cli_batch_refuses_an_id_the_answer_cannot_echo(tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    lines = [{"id": 7, "question": HEKOU}, {"id": [1], "question": HEKOU}, {"id": True, "question": HEKOU}]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    out = _cli("ask", "--batch", str(batch), "--as-of", "2021-06-30")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[0]["id"] == 7 and rows[0]["kind"] == "assessment"
    assert [r["error"] for r in rows[1:]] == ["第2行的 id 应为字符串或整数", "第3行的 id 应为字符串或整数"]


def test_cli_rejects_a_malformed_date_in_chinese_without_traceback() -> None:
    out = _cli("ask", HEKOU, "--as-of", "2021-13-01", "--json")
    assert out.returncode == 2 and "月份" in out.stderr and "Traceback" not in out.stderr


def test_while_the_index_builds_figures_come_without_sources(engine: Engine, monkeypatch) -> None:
    from dataclasses import replace

    from assistant.retrieval import hybrid as retrieval

    monkeypatch.setattr(retrieval, "_DEFAULT", {})  # as on a first start: nothing built yet
    r = replace(engine, wait_for_index=False).ask(HEKOU, date(2021, 6, 30))
    assert r.total_max_yuan == 180000.0 and r.sources == []


@pytest.mark.parametrize(
    "question,quoted",
    [
        ("河南省2017年化解煤炭过剩产能目标是多少？", "2017年,化解煤炭过剩产能2000万吨"),
        ("什么样的企业算僵尸企业？", "对已停产6个月或半停产12个月以上、连年亏损"),
        ("河口区技改政策有效期到什么时候？", "有效期至2022年12月31日"),
    ],
)
def test_fact_questions_are_answered_with_the_texts_own_sentences(engine: Engine, question: str, quoted: str) -> None:
    r = engine.ask(question, date(2021, 6, 30))
    assert r.kind == "fact" and r.programs == [] and r.total_max_yuan is None
    assert quoted in r.answer
    texts = {p.id: p.text for p in engine.book.library.policies.values()}
    for q in r.quotes:  # every quote is verbatim in its policy text
        assert q.text in texts[q.clause.split(":")[0]]
