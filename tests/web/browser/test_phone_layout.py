"""The page on a phone (390×844): the question, the date and the answer come first, in that order,
and nothing is wider than the screen, before and after an answer.

Screenshots go to test-artifacts/ (phone-*.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs Debian's chromium"),
]

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
TOPS = """(ids) => ids.map((id) => document.querySelector(id).getBoundingClientRect().top + window.scrollY)"""


def tops(page, ids: list[str]) -> list[float]:
    """Page offsets of the elements, once each is rendered: the result card comes a moment after the
    chat's message, so reading it at once can find nothing (a flaky null in one clean run)."""
    for element in ids:
        page.locator(element).first.wait_for(state="attached")
    return page.evaluate(TOPS, ids)


def test_question_date_and_answer_first_and_nothing_wider_than_the_screen(chromium, running_app, artifacts) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(running_app.url + "/")
        page.locator("#coverage table").wait_for()
        question, day, chat, form, coverage = tops(page, ["#question", "#as-of", "#chat", "#facts-form", "#coverage"])
        assert question < day < chat < form < coverage
        assert page.locator("#as-of").bounding_box()["y"] + 60 < 844  # the date is on the first screen
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=artifacts / "phone-landing.png")

        box = page.locator("#as-of input").first
        box.fill("2021-06-30")
        box.press("Tab")
        page.locator("#question textarea").fill(HEKOU)
        page.locator("#send").click()
        page.locator("#chat .message-row").filter(has_text="符合条件，可以申请").last.wait_for()
        page.wait_for_timeout(900)  # the scroll to the newest answer
        chat_top, result, form_top = tops(page, ["#chat", "#result-card", "#facts-form"])
        assert chat_top < result < form_top
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=artifacts / "phone-answer.png", full_page=True)
    finally:
        context.close()
