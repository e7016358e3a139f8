"""Fixtures for the browser tests: one real app process and one Chromium for the whole module.

The browser is Debian's Chromium at /usr/bin/chromium (`make test` installs it); Playwright never
downloads one. Without it the tests are skipped with the reason (see test_pages.pytestmark).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.bench.appprocess import AppDidNotStart, AppProcess
from assistant.bench.appprocess import running_app as start_app

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFICER, PASSWORD = "zhang.officer", "browser-tests-password-1"


@dataclass
class RunningApp:
    """The app under test and the officer account made for it."""

    process: AppProcess
    officer: str = OFFICER
    password: str = PASSWORD

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def db(self) -> Path:
        return self.process.db


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`python app.py` on a free port with its SQLite file in a temp dir and one officer account."""
    try:
        with start_app(tmp_path_factory.mktemp("browser-data"), ready=None, officers={OFFICER: PASSWORD}) as process:
            yield RunningApp(process)
    except AppDidNotStart as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium):
    """A fresh browser profile per test: its own cookies, so its own Gradio session."""
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def asked_page(context, running_app):
    """Opens a new tab on the page, judged on `as_of`, sends `question`, and returns the tab once the
    answer card shows `card_text` (the steps every test of an answered page starts with)."""

    def ask(as_of: str, question: str, card_text: str):
        page = context.new_page()
        page.goto(running_app.url + "/")
        page.locator("#question textarea").wait_for()
        date_box = page.locator("#as-of").locator("input, textarea").first
        date_box.fill(as_of)
        date_box.press("Tab")
        page.locator("#question textarea").fill(question)
        page.locator("#send").click()
        page.locator("#result-card").filter(has_text=card_text).wait_for()
        return page

    return ask
