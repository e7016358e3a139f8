"""The landing page in a real browser: what is covered and as of when is said before any question, the
date is a picker defaulting to today with one-click days inside each document's validity, an expired
answer says it cannot be applied for now, and an uncovered place gets no unrelated clause.

Screenshots go to test-artifacts/ (landing-*.png).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.texts.policies import load_policies, validity_on
from assistant.web.cards import VALIDITY_LABEL
from assistant.web.coverage import day_in_force

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs Debian's chromium"),
]

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
SHANGHAI = "我们在上海做技改，总投资1000万，设备投资500万，能拿多少"


def open_page(context, app):
    page = context.new_page()
    page.goto(app.url + "/")
    page.locator("#question textarea").wait_for()
    page.locator("#coverage table").wait_for()
    return page


def ask(page, question: str, wait_for: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.locator("#chat .message-row").filter(has_text=wait_for).last.wait_for()


def date_box(page):
    return page.locator("#as-of input").first


def test_coverage_date_picker_and_a_day_in_force(context, running_app, artifacts: Path) -> None:
    policies = load_policies(Path(Settings().policies_dir))
    today = date.today()
    page = open_page(context, running_app)
    panel = page.locator("#coverage")
    assert f"按今天 {today.isoformat()}" in panel.inner_text()
    for policy in policies:
        row = panel.locator("tr").filter(has_text=policy.meta.short_title)
        assert policy.meta.region_name in row.inner_text()
        assert VALIDITY_LABEL[validity_on(policy.meta, today).state] in row.inner_text()
    assert "按哪一天的政策判断" in page.locator("#as-of").inner_text()
    assert date_box(page).input_value() == today.isoformat()
    assert page.locator("#as-of button").count() >= 1  # the calendar
    assert not page.locator("#subsidy-chart").is_visible()  # nothing to draw before an answer
    page.screenshot(path=artifacts / "landing-coverage.png", full_page=True)

    # Today 河口's policy is out of force: the answer says so plainly and gives no how-to-apply text.
    ask(page, HEKOU, "目前不能按此申报")
    chat = page.locator("#chat").inner_text()
    assert "请咨询" in chat and "每年11月份" not in chat and "下一步：申报" not in chat
    page.screenshot(path=artifacts / "landing-expired.png", full_page=True)

    # One click picks a day inside its validity and recomputes the answer on screen.
    hekou = next(p for p in policies if p.id == "hekou-2020-5")
    day = day_in_force(hekou.meta).isoformat()
    page.locator(".in-force-day").filter(has_text=hekou.meta.short_title).click()
    page.locator("#chat .message-row").filter(has_text="符合条件，可以申请").last.wait_for()
    assert date_box(page).input_value() == day
    assert "180,000.00" in page.locator("#result-card").inner_text()
    # Beside the result: the chart of the subsidy against 设备投资 for the program in focus.
    chart = page.locator("#subsidy-chart img")
    chart.wait_for()
    box, card = chart.bounding_box(), page.locator("#result-card").bounding_box()
    assert box["width"] > 300 and box["height"] > 150 and abs(box["x"] - card["x"]) < 40
    page.locator("#subsidy-chart").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "landing-in-force-day-chart.png", full_page=True)


def test_a_place_not_covered_gets_the_coverage_and_where_to_ask(context, running_app, artifacts: Path) -> None:
    page = open_page(context, running_app)
    ask(page, SHANGHAI, "收录范围")
    answer = page.locator("#chat .message-row").last.inner_text()
    assert "不涉及" in answer and "工信" in answer and "发改" in answer and "最接近" not in answer
    assert page.locator("#citations label").count() == 0  # no clause of another region's policy
    page.screenshot(path=artifacts / "landing-out-of-scope.png", full_page=True)
