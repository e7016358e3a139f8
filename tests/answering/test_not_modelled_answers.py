"""A program whose sum the text states but the calculator cannot compute yet (not_modelled): the answer
says so and gives the reason; it never says the text states no sum. 鹿城区's 创新券, onboarded as such."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine
from assistant.core.settings import Settings
from assistant.onboarding.trial import trial_settings
from assistant.web.display import amount_text

FOLDER = Path(__file__).parents[1] / "onboarding" / "texts" / "lucheng-industry-2019"


def test_a_sum_not_computed_is_not_called_a_sum_the_text_does_not_state() -> None:
    with trial_settings(FOLDER, Settings.from_env()) as trial:
        engine = Engine.load(trial)
    answer = Conversation(engine, as_of=date(2020, 6, 30)).ask("我们在鹿城区，想用创新券买检验检测服务，能抵多少钱？")
    voucher = next(p for p in answer.programs if p.not_modelled and "创新券" in p.title)
    assert voucher.status == "eligible" and voucher.amount_yuan is None
    assert "原文规定的金额暂未纳入测算（创新券" in answer.answer
    assert "未规定具体金额" not in answer.answer
    assert amount_text(voucher) == "金额暂未纳入测算"
