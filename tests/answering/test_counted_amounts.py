"""A policy that pays per head (every graduate hired: 500元 a month), in a conversation: the count is
asked for, a short reply ("8人", "8", "八个") answers it, and money said near the noun is never a count.
The folder is the onboarded 耀州区 policy (tests/onboarding/texts/yaozhou-bigdata), served alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine
from assistant.core.settings import Settings
from assistant.onboarding.trial import trial_settings

FOLDER = Path(__file__).parents[1] / "onboarding" / "texts" / "yaozhou-bigdata"
HOUSING = "yaozhou-bigdata-housing"
QUESTION = "耀州区的大数据企业，聘用本科毕业生的住房补贴每月能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with trial_settings(FOLDER, Settings.from_env()) as trial:
        yield Engine.load(trial)


def _housing(answer: Answer) -> tuple[str, float | None]:
    found = next(p for p in answer.programs if p.program_id == HOUSING)
    return found.status, found.amount_yuan


@pytest.mark.parametrize("reply", ["8人", "8", "八个", "共8名"])
def test_the_count_asked_for_is_answered_by_a_short_reply(engine: Engine, reply: str) -> None:
    chat = Conversation(engine, as_of=date(2019, 6, 30))
    first = chat.ask(QUESTION)
    assert _housing(first) == ("needs_info", None)
    assert first.follow_up == "请问聘用的本科以上毕业生人数是多少？"
    assert _housing(chat.ask(reply)) == ("eligible", 4000.0)  # 500元 × 8 人


def test_a_count_in_the_question_is_read_and_money_beside_the_noun_is_not(engine: Engine) -> None:
    chat = Conversation(engine, as_of=date(2019, 6, 30))
    assert _housing(chat.ask("耀州区的大数据企业，聘用了8名本科毕业生，住房补贴每月能拿多少？")) == ("eligible", 4000.0)
    money = Conversation(engine, as_of=date(2019, 6, 30)).ask("耀州区的大数据企业，毕业生住房补贴5万，能拿多少？")
    assert _housing(money)[0] == "needs_info"


def test_a_reward_per_item_counts_the_items_said() -> None:
    """鹿城区: 每件奖励1000元 for every new software copyright; '5件' and '五项' are five of them."""
    folder = FOLDER.parent / "lucheng-industry-2019"
    with trial_settings(folder, Settings.from_env()) as trial:
        engine = Engine.load(trial)
    for question in (
        "鹿城区的软件企业，今年新增软件著作权5件，奖励多少？",
        "我们在鹿城区，新增了五项软件著作权，能奖多少钱？",
    ):
        answer = Conversation(engine, as_of=date(2020, 6, 30)).ask(question)
        found = next(p for p in answer.programs if p.program_id == "lucheng-industry-2019-34")
        assert (found.status, found.amount_yuan) == ("eligible", 5000.0)  # 5 × 1000元
