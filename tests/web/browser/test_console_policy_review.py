"""The console's 政策审核 tab in a real browser, on the real server: an officer logs in, opens the tab,
chooses a draft folder, reads its review page, tries a question and approves the program left to do,
which the server records under the officer's login name."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.bench.appprocess import AppDidNotStart
from assistant.bench.appprocess import running_app as start_app

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).resolve().parents[2] / "onboarding" / "texts" / "anhui-2021-82"
TODO = "anhui-2021-82-12"
OFFICER, PASSWORD = "li.officer", "browser-tests-password-2"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # a server of its own (about 10 s to start) and a trial engine
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing"),
]


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drafts folder holding the Anhui policy with one program back to `review: todo`."""
    root = tmp_path_factory.mktemp("drafts")
    folder = root / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    rules = yaml.safe_load((folder / "programs.yaml").read_text(encoding="utf-8"))
    for program in rules["programs"]:
        if program["id"] == TODO:
            program["review"] = "todo"
            del program["approved_by"], program["approved_on"]
    (folder / "programs.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, drafts: Path) -> Iterator[str]:
    env = {"ASSISTANT_DRAFTS_DIR": str(drafts)}
    try:
        with start_app(
            tmp_path_factory.mktemp("review-data"), env=env, ready=None, officers={OFFICER: PASSWORD}
        ) as process:
            yield process.url
    except AppDidNotStart as err:
        pytest.fail(str(err))


def test_review_try_and_approve_a_draft_in_the_console(context, app_url: str, drafts: Path, artifacts: Path) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url + "/console")
    page.fill("#name", OFFICER)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url("**/console/app/")
    page.get_by_role("tab", name="政策审核").click()

    page.locator("#draft-folder input").click()
    page.get_by_role("option", name=FIXTURE.name).click()
    frame = page.frame_locator("#review-frame")
    frame.locator("#cards h2").wait_for()
    programs = yaml.safe_load((FIXTURE / "programs.yaml").read_text(encoding="utf-8"))["programs"]
    assert frame.locator(".card").count() == len(programs)
    assert "待审核（不会用于答复）" in frame.locator(f"[id='{TODO}']").inner_text()
    assert page.locator("#trial-as-of input, #trial-as-of textarea").first.input_value() == date.today().isoformat()

    page.locator("#trial-question textarea").fill(
        "芜湖一家企业实施设备数字化网络化技术改造，设备购置2000万，省里能补多少？"
    )
    page.locator("#trial-as-of input, #trial-as-of textarea").first.fill("2022-06-30")
    page.locator("#trial-ask").click()
    answer = page.locator("#trial-answer textarea")
    page.wait_for_function(
        "() => (document.querySelector('#trial-answer textarea') || {}).value?.includes('设备网络化技术改造奖补')",
        timeout=60_000,
    )
    assert "最高 200万（2,000,000.00 元）" in answer.input_value()
    page.screenshot(path=artifacts / "console-policy-review.png", full_page=True)
    page.locator("#review-frame").screenshot(path=artifacts / "console-policy-review-page.png")

    page.locator("#approve-program input").click()
    page.get_by_role("option", name=f"（{TODO}）").click()
    page.locator("#approve").click()
    status = page.locator("#approve-status").filter(has_text="已审核通过")
    status.wait_for(timeout=60_000)
    assert f"（审核人：{OFFICER}，{date.today().isoformat()}）" in status.inner_text()
    frame.locator(f"[id='{TODO}']").filter(has_text=f"已审核通过：{OFFICER}").wait_for()
    program = next(
        p
        for p in yaml.safe_load((drafts / FIXTURE.name / "programs.yaml").read_text(encoding="utf-8"))["programs"]
        if p["id"] == TODO
    )
    assert (program["approved_by"], program["approved_on"]) == (OFFICER, date.today())
