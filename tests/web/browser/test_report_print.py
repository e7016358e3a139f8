"""The printable report in the real Chromium: it opens, prints (print media) without overflowing the
page, and renders to a PDF; a PNG of each view is kept in test-artifacts/ to look at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.answering.conversation import Conversation
from assistant.answering.engine import default_engine
from assistant.web.report_html import ReportHeader, assessment_html
from assistant.web.report_pdf import html_to_pdf

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs it"),
]


@pytest.fixture(scope="module")
def document() -> str:
    talk = Conversation(default_engine(), as_of=date(2018, 6, 30))
    talk.ask("我们在济源，技改项目投资500万，能拿多少？")
    answer = talk.ask("设备投资300万，研发投入100万，当年完成投资500万，已经竣工投产，没有列入十百千示范工程")
    return assessment_html(default_engine(), answer, talk.questions, ReportHeader(enterprise="济源某机械有限公司"))


def test_the_report_opens_and_prints_on_a4(chromium, document: str, tmp_path: Path, artifacts: Path) -> None:
    source = tmp_path / "report.html"
    source.write_text(document, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
    try:
        page.goto(source.as_uri())
        assert page.locator("h1").inner_text() == "政策自评估报告"
        page.locator("[data-field='项目名称']").fill("年产5万台减速机技改项目")  # the user fills it in the browser
        page.screenshot(path=artifacts / "report-screen.png", full_page=True)
        page.emulate_media(media="print")
        assert not page.locator(".toolbar").is_visible()  # the print button does not print
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 794, f"the printed report is {wide}px wide, wider than A4"
        page.screenshot(path=artifacts / "report-print.png", full_page=True)
        assert "年产5万台减速机技改项目" in page.locator("[data-field='项目名称']").inner_text()
    finally:
        page.close()


def test_the_report_renders_to_pdf(document: str, artifacts: Path) -> None:
    pdf = html_to_pdf(document)
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    (artifacts / "report.pdf").write_bytes(pdf)
