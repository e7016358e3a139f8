"""The two pages in a real browser: what an enterprise user and a help-desk officer actually see.

Screenshots go to test-artifacts/ (git-ignored) so a reviewer can look at the pages as rendered.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: `make test` installs Debian's "
        "chromium (apt-get install chromium chromium-driver)",
    ),
]


HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
JIYUAN = "济源市企业研发投入200万，有什么补贴？"
DOC = "东河政发〔2020〕5号"
QUOTE = "给予直接奖补的,按照实际设备投资额(含工艺包和软件)最高不超过6%予以奖补"


def open_page(context, app):
    page = context.new_page()
    page.goto(app.url + "/")
    page.locator("#question textarea").wait_for()
    return page


def set_as_of(page, day: str) -> None:
    box = page.locator("#as-of").locator("input, textarea").first
    box.fill(day)
    box.press("Tab")  # the date picker takes a typed date when the field is left


def ask(page, question: str, wait_for: str | None = None) -> None:
    """Type a question and send it; wait until the answer's text (or `wait_for`) is on the page."""
    answers = page.locator("#chat .message-row, #chat .message").count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    if wait_for:
        page.locator("#result-card, #chat").filter(has_text=wait_for).first.wait_for()
    else:
        page.wait_for_function(
            "n => document.querySelectorAll('#chat .message-row, #chat .message').length > n", arg=answers
        )


def fact(page, role: str):
    return page.locator(f"#fact-{role} input")


def test_assessment_edit_citation_and_download(context, running_app, artifacts: Path) -> None:
    page = open_page(context, running_app)
    assert not page.locator("#fact-total_investment").is_visible()  # before an answer: the place alone
    page.screenshot(path=artifacts / "enterprise-empty.png", full_page=True)
    set_as_of(page, "2021-06-30")
    ask(page, HEKOU, wait_for="180,000")
    # Untouched number fields are empty, not a 0 that would be read back as a stated fact.
    assert fact(page, "loan_amount").input_value() == ""
    card = page.locator("#result-card")
    assert "18万" in card.inner_text() and "180,000.00" in card.inner_text()
    assert DOC in card.inner_text() and "符合条件" in card.inner_text()
    assert DOC in page.locator("#citations").inner_text()
    assert fact(page, "equipment_investment").input_value() == "300"
    assert page.locator("#fact-place input").input_value() == "山东省东营市河口区"
    page.screenshot(path=artifacts / "enterprise-answer.png", full_page=True)

    # Editing the form recomputes from exactly these facts.
    fact(page, "equipment_investment").fill("400")
    page.locator("#recompute").click()
    card.filter(has_text="240,000").wait_for()
    assert "24万" in card.inner_text()
    assert "已按修改后的企业信息重新测算" in page.locator("#chat").inner_text()

    # A citation shows its quoted sentence highlighted in the full clause, with document and validity.
    page.locator("#citations label").filter(has_text=QUOTE[:12]).first.click()
    mark = page.locator("#citation-view mark")
    mark.wait_for()
    assert QUOTE in mark.inner_text()
    meta = page.locator("#citation-view .meta").inner_text()
    assert DOC in meta and "三、扶持措施" in meta and "现行有效" in meta and "2022-12-31" in meta
    page.locator("#citation-view").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "enterprise-recomputed-citation.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#download").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert HEKOU in report and "240,000.00" in report and DOC in report and "6% ×" in report


def test_bad_date_and_expired_policy_banner(context, running_app, artifacts: Path) -> None:
    page = open_page(context, running_app)
    set_as_of(page, "2021-13-45")
    ask(page, HEKOU, wait_for="评估日期有误")
    chat = page.locator("#chat").inner_text()
    assert "月份应在1到12之间" in chat and "Traceback" not in chat
    assert "180,000" not in page.locator("#result-card").inner_text()

    # Only programs the question is about are shown when their policy is no longer in force (济源's
    # own policy is, so a question about 济源's figures would show no expired program): ask about one.
    set_as_of(page, "2024-06-30")
    ask(page, "河南省企业购买首台套装备，销售价格1000万，保费30万，能补多少？", wait_for="豫政〔2017〕22号")
    banner = page.locator("#validity-banner")
    banner.filter(has_text="已不在有效期内").wait_for()
    assert "2024-06-30" in banner.inner_text()
    page.screenshot(path=artifacts / "enterprise-expired-banner.png", full_page=True)


def test_two_browsers_do_not_share_facts(chromium, running_app, artifacts: Path) -> None:
    contexts = [chromium.new_context(viewport={"width": 1500, "height": 1100}) for _ in range(2)]
    try:
        a, b = (open_page(ctx, running_app) for ctx in contexts)
        set_as_of(a, "2021-06-30")
        set_as_of(b, "2021-06-30")
        ask(a, HEKOU, wait_for="180,000")
        ask(b, JIYUAN, wait_for="济政〔2017〕27号")
        assert a.locator("#fact-place input").input_value() == "山东省东营市河口区"
        assert not fact(a, "rd_investment").is_visible()  # no 河口 program reads it
        assert b.locator("#fact-place input").input_value() == "河南省济源市"
        assert fact(b, "equipment_investment").input_value() == ""
        assert fact(b, "rd_investment").input_value() == "200"
        assert "济源" not in a.locator("#chat").inner_text()
        assert "河口" not in b.locator("#chat").inner_text()
        # A follow-up in A builds on A's facts only.
        ask(a, "设备投资改成400万", wait_for="240,000")
        assert "河南省济源市" not in a.locator("#result-card").inner_text()
        a.screenshot(path=artifacts / "session-a.png", full_page=True)
        b.screenshot(path=artifacts / "session-b.png", full_page=True)
    finally:
        for ctx in contexts:
            ctx.close()


def test_console_login_review_and_logout(context, running_app, artifacts: Path) -> None:
    from gradio_client import Client

    client = Client(running_app.url + "/", verbose=False)
    client.predict(HEKOU, "2021-06-30", True, api_name="/chat")
    client.predict("设备投资改成400万", "2021-06-30", False, api_name="/chat")
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})  # the laptop the console is used on
    for path in ("/console", "/console/app/", "/console/app/config"):
        page.goto(running_app.url + path)
        assert page.url.endswith("/console/login"), path
        assert page.locator("#login").is_visible()

    page.fill("#name", running_app.officer)
    page.fill("#password", "not-the-password")
    page.click("#login")
    assert "用户名或密码错误" in page.locator("#login-error").inner_text()
    page.screenshot(path=artifacts / "console-login-refused.png", full_page=True)

    page.fill("#name", running_app.officer)
    page.fill("#password", running_app.password)
    page.click("#login")
    page.wait_for_url("**/console/app/")
    page.locator("#officer").filter(has_text=running_app.officer).wait_for()
    page.locator("#log-status").filter(has_text="问答记录正常写入").wait_for()  # the log's state, for officers
    assert page.locator("#review input").input_value() == "未审核"  # the default filter: work still to do
    amount_header = page.locator("#entries th").filter(has_text="合计最高金额").first
    amount_header.wait_for()
    box, width = amount_header.bounding_box(), page.viewport_size["width"]
    assert box and box["x"] + box["width"] <= width, "the amount column needs horizontal scrolling"
    page.locator("#entries [data-testid$='-3']").filter(has_text=HEKOU).first.click()
    page.locator("#entry").filter(has_text="测算（计算器轨迹）").wait_for()
    entry_id = int(float(page.locator("#entry-id input").input_value()))
    detail = page.locator("#entry").inner_text()
    assert HEKOU in detail and "技术改造项目直接奖补" in detail and "6% ×" in detail
    assert "hekou-direct-award" not in detail and "北京时间" in detail
    assert "本会话全部轮次（共 2 轮）" in detail and "更正 设备投资" in detail  # the conversation, with what changed
    page.screenshot(path=artifacts / "console-conversation.png", full_page=True)

    comment = "金额应以专家评审核定为准（浏览器测试）"
    page.locator("#verdict label").filter(has_text="错误").click()
    page.locator("#comment textarea").fill(comment)
    page.locator("#correct-amount").locator("input, textarea").first.fill("15万")
    page.locator("#mark-next").click()
    page.locator("#mark-status").filter(has_text="已将记录").wait_for()
    page.wait_for_function(
        f"() => Number(document.querySelector('#entry-id input').value) !== {entry_id}", timeout=15_000
    )
    # the next record opened with an empty form: the verdict just given does not carry over
    assert not page.locator("#verdict input:checked").count()
    assert page.locator("#comment textarea").input_value() == ""
    page.screenshot(path=artifacts / "console-marked.png", full_page=True)
    with sqlite3.connect(f"file:{running_app.db}?mode=ro", uri=True) as conn:
        review, reviewer, saved, amount = conn.execute(
            "SELECT review, reviewer, review_comment, correct_amount FROM log_entries WHERE id = ?", (entry_id,)
        ).fetchone()
    assert (review, reviewer, saved, amount) == ("wrong", running_app.officer, comment, "150000")

    with page.expect_download() as download:
        page.locator("#export-link").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert f'"id": "review-{entry_id}"' in exported and comment in exported
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    table = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert comment in table and "15万元（150,000.00 元）" in table

    page.locator("#logout").click()
    page.wait_for_url("**/console/login")
    page.goto(running_app.url + "/console/app/")
    assert page.url.endswith("/console/login")
