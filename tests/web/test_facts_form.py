"""The facts form: which fields it shows for the programs in play, what its yes/no choices set, and
its place field, as a table: what the form offers and what the reader read stay as they are (the list
need not hold every county), a typed place is read like a question's, the rest is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.answering.engine import Engine, default_engine
from assistant.calculator.facts import EnterpriseFacts
from assistant.core.settings import Settings
from assistant.reading.amounts import InputError
from assistant.rules.rulebook import load_rulebook
from assistant.web.chat_messages import NO, UNKNOWN, YES
from assistant.web.facts_form import (
    FORM_ROLES,
    TAG_SLOTS,
    FieldsInPlay,
    facts_from_form,
    fields_in_play,
    form_place,
    tag_choice,
)

VOCAB = load_rulebook(Settings.from_env()).vocabulary
READ = EnterpriseFacts(place="河南省洛阳市", place_mention="洛阳")


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (None, READ, None),  # left empty
        ("", None, None),
        ("  ", None, None),
        ("河南省济源市", None, "河南省济源市"),  # offered by the list
        ("其他地区", None, "其他地区"),
        ("河南省洛阳市", READ, "河南省洛阳市"),  # what the reader read, not in the list
        ("洛阳", None, "河南省洛阳市"),  # typed in: read like a question's place
        ("河南省洛阳市", None, "河南省洛阳市"),
        ("河口", None, "山东省东营市河口区"),
        ("东营市垦利区", READ, "山东省东营市垦利区"),
    ],
)
def test_the_place_the_form_says(value: str | None, base: EnterpriseFacts | None, expected: str | None) -> None:
    assert form_place(value, base, VOCAB) == expected


@pytest.mark.parametrize("value", ["火星", "宝山", "某某县"])  # unknown, or two places of that name
def test_a_place_the_form_cannot_read_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="请填写省、市或区县"):
        form_place(value, READ, VOCAB)


# --- which fields the form shows, and the yes/no facts it sets ------------------------------------


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def test_the_form_shows_what_the_programs_in_play_read(engine: Engine) -> None:
    assert fields_in_play(engine.book, None) == FieldsInPlay()  # before an answer: the place alone
    hekou = fields_in_play(
        engine.book, engine.ask("河口区技改项目总投资500万，设备投资300万，能拿多少？", date(2021, 6, 30))
    )
    assert {"total_investment", "equipment_investment", "loan_amount"} <= set(hekou.roles)
    assert not {"premium", "insured_amount", "sales_price", "rd_investment"} & set(hekou.roles)
    assert hekou.lpr and not hekou.level  # 贷款贴息 reads the LPR
    jiyuan = fields_in_play(engine.book, engine.ask("济源市企业研发投入200万，有什么补贴？", date(2021, 6, 30)))
    assert "rd_investment" in jiyuan.roles and "premium" not in jiyuan.roles
    assert {"jy_provincial_new_product", "hn17_tech_demo_project", "production_started"} <= set(jiyuan.tags)
    assert jiyuan.tags[0] == "jy_provincial_new_product"  # the one the program asked about still waits for
    assert len(jiyuan.tags) <= TAG_SLOTS and len(set(jiyuan.tags)) == len(jiyuan.tags)


def test_yes_no_choices_set_or_clear_the_facts_shown_and_hidden_fields_keep_theirs() -> None:
    base = EnterpriseFacts(
        place="河南省济源市",
        amounts={"rd_investment": Decimal(2_000_000), "premium": Decimal(300_000)},
        tags={"production_started": True, "jy_rd_activity": True, "tech_transformation": True},
    )
    shown = FieldsInPlay(
        roles=["rd_investment"], tags=["jy_provincial_new_product", "production_started", "jy_rd_activity"]
    )
    typed = [None] * len(FORM_ROLES)
    typed[FORM_ROLES.index("rd_investment")] = 250
    typed[FORM_ROLES.index("premium")] = 99  # a hidden field: not the user's to change here
    facts = facts_from_form(base, {}, "河南省济源市", typed, None, None, shown, [YES, NO, UNKNOWN])
    assert facts.amounts == {"rd_investment": Decimal("2500000.00"), "premium": Decimal(300_000)}
    assert facts.tags == {"jy_provincial_new_product": True, "production_started": False, "tech_transformation": True}
    assert [tag_choice(facts, t) for t in shown.tags] == [YES, NO, UNKNOWN]
