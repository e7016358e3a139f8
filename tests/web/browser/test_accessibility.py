"""Accessibility of the enterprise page, checked by axe-core (bundled by axe-playwright-python) in
Chromium at a desktop and a phone size, on the landing page and after one answer: no serious or
critical finding (names, contrast, nesting), an h1, Chinese names on the controls, a visible focus ring,
and nothing wider than the screen.

Screenshots go to test-artifacts/ (a11y-*.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs Debian's chromium"),
]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
BAD = ("serious", "critical")


def serious_findings(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in violations if v["impact"] in BAD]


def accessible_name(page, selector: str) -> str:
    return page.locator(selector).first.evaluate(
        "(e) => e.getAttribute('aria-label') || e.labels?.[0]?.innerText || e.innerText"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_no_serious_axe_findings_before_and_after_an_answer(chromium, running_app, artifacts: Path, size: str) -> None:
    width, height = SIZES[size]
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(running_app.url + "/")
        page.locator("#coverage table").wait_for()
        page.wait_for_function("() => document.querySelector('#as-of button.calendar')?.getAttribute('aria-label')")
        assert page.locator("h1").inner_text() == "政策自评估助手"
        assert accessible_name(page, "#question textarea") == "您的问题"
        assert accessible_name(page, "#as-of button.calendar") == "打开日历选择日期"
        assert serious_findings(page) == []
        page.screenshot(path=artifacts / f"a11y-{size}-landing.png", full_page=True)

        # The focus ring is drawn and is not faint: 3px, a dark blue.
        page.locator("#question textarea").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "send"
        page.wait_for_function(  # polled: Gradio's buttons animate their style changes
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2"
            " && s.outlineColor === 'rgb(29, 78, 216)'; }",
            timeout=3000,
        )

        box = page.locator("#as-of input").first
        box.fill("2021-06-30")
        box.press("Tab")
        page.locator("#question textarea").fill(HEKOU)
        page.locator("#send").click()
        page.locator("#subsidy-chart img").wait_for()
        page.wait_for_function(
            "() => [...document.querySelectorAll('#chat button')].some((b) => b.getAttribute('aria-label') === '复制这条回答')"
        )
        assert not page.locator('#chat button[aria-label="Copy message"]').count()
        assert serious_findings(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        # The folded details still open from their title (its arrow is inert, not a second button).
        page.locator("#chat [role=button]").filter(has_text="点击展开").last.click()
        page.locator("#chat").get_by_text("依据：").last.wait_for()
        page.screenshot(path=artifacts / f"a11y-{size}-answer.png", full_page=True)
    finally:
        context.close()
