"""`assistant policy review`: the review page in a real browser (Debian's Chromium, headless).

The page is static, so the browser opens the file itself: coloured quotes, a red money sentence
no program covers, a grey set-aside one with its reason, and a card per program with its approval
and its test rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.cli import main

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).parent / "texts" / "anhui-2021-82"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review") / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    rules = yaml.safe_load((folder / "programs.yaml").read_text(encoding="utf-8"))
    rules["programs"] = [p for p in rules["programs"] if p["id"] != "anhui-2021-82-09"]  # leave one sentence uncovered
    (folder / "programs.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["policy", "review", str(folder)]) == 0
    return folder / "review.html"


def test_the_review_page_in_a_browser(page_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(page_file.as_uri())
            quoted = page.locator("#text mark", has_text="最高3000万元").first
            assert quoted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
            red = page.locator("#text mark.uncovered")
            assert red.count() == 1 and "网络改造应用良好的企业" in red.inner_text()
            grey = page.locator("#text mark.aside", has_text="叠加奖补")
            assert "由各市自定" in (grey.get_attribute("title") or "")
            card = page.locator("#anhui-2021-82-12")
            assert "已审核通过：h-onboarding，2026-12-01" in card.inner_text()
            assert card.locator(".pass").count() >= 3 and card.locator(".fail").count() == 0
            assert page.locator(".card").count() == 18
        finally:
            browser.close()
