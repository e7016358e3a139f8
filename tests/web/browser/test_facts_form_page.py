"""The facts form on the page (issue #17 item 5), in the real Chromium: after a 济源 question it shows
the amounts and the yes/no facts the programs in play read (not 保费 or 销售价格), each amount with its
exact 元; tabbing through the fields recomputes nothing; 重新计算 does, with the choices made.
Screenshot: test-artifacts/facts-form.png."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs it"),
]

JIYUAN = "济源市企业研发投入200万，有什么补贴？"
NEW_PRODUCT = "认定为省工业新产品"
MESSAGES = "() => document.querySelectorAll('#chat .message-row').length"


def tag_slot(page, label: str):
    return page.locator("[id^=fact-tag-]").filter(has_text=label).first


def test_the_form_shows_the_facts_in_play_and_recomputes_only_on_the_button(asked_page, artifacts) -> None:
    page = asked_page("2021-06-30", JIYUAN, "济政〔2017〕27号")

    rd = page.locator("#fact-rd_investment input")
    assert rd.input_value() == "200" and "即 2,000,000.00 元" in page.locator("#fact-rd_investment").inner_text()
    for role in ("year_investment", "equipment_investment"):
        assert page.locator(f"#fact-{role} input").is_visible(), role
    for role in ("premium", "insured_amount", "sales_price", "loan_amount"):
        assert not page.locator(f"#fact-{role}").is_visible(), role
    for label in (NEW_PRODUCT, "十百千", "项目已竣工投产"):
        slot = tag_slot(page, label)
        assert slot.is_visible(), label
        assert slot.get_by_label("不清楚").is_checked(), label  # not stated: neither 是 nor 否
    page.locator("#facts-form").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "facts-form.png")

    # Tabbing through the fields, after typing in one, recomputes nothing.
    messages, card = page.evaluate(MESSAGES), page.locator("#result-card").inner_text()
    rd.fill("300")
    for _ in range(6):
        page.keyboard.press("Tab")
    page.wait_for_timeout(2500)
    assert page.evaluate(MESSAGES) == messages
    assert page.locator("#result-card").inner_text() == card
    assert "已按修改后的企业信息重新测算" not in page.locator("#chat").inner_text()

    # 重新计算 does: with the amount typed and the yes/no choice made.
    tag_slot(page, NEW_PRODUCT).get_by_label("是", exact=True).check()
    page.wait_for_timeout(1000)
    assert page.evaluate(MESSAGES) == messages  # a choice alone recomputes nothing either
    page.locator("#recompute").click()
    page.locator("#chat .message-row").filter(has_text="已按修改后的企业信息重新测算").last.wait_for()
    page.locator("#result-card").filter(has_text="90万（900,000.00 元）").wait_for()  # 30% × 300万
    assert "即 3,000,000.00 元" in page.locator("#fact-rd_investment").inner_text()
    assert tag_slot(page, NEW_PRODUCT).get_by_label("是", exact=True).is_checked()
