"""The page's download is the printable report (issue #17 item 2), in the real Chromium: the HTML
file the button gives opens as a document with the verdict, the figure, the citations, the as-of date
and the names the user typed on the page; the PDF made on request is a real PDF. Screenshots:
test-artifacts/page-report-html.png (the downloaded file as opened), page-report-buttons.png (the page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs it"),
]

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
QUOTE = "给予直接奖补的,按照实际设备投资额(含工艺包和软件)最高不超过6%予以奖补"
ENTERPRISE, PROJECT = "东营某机械有限公司", "数控产线技改项目"


def field(page, elem_id: str):
    return page.locator(f"#{elem_id}").locator("input, textarea").first


def test_the_download_is_the_printable_report_with_the_names_and_a_pdf(
    asked_page, chromium, artifacts: Path, tmp_path: Path
) -> None:
    page = asked_page("2021-06-30", HEKOU, "180,000")

    field(page, "report-enterprise").fill(ENTERPRISE)
    field(page, "report-project").fill(PROJECT)
    page.locator("#make-pdf").click()  # takes the names as typed, rewrites the HTML and makes the PDF
    page.locator("#download-pdf").wait_for(state="visible", timeout=90_000)
    assert not page.locator("#report-note").is_visible()
    page.locator("#actions").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "page-report-buttons.png")

    with page.expect_download() as html_download:
        page.locator("#download").click()
    assert html_download.value.suggested_filename.endswith(".html")
    report = tmp_path / html_download.value.suggested_filename  # Playwright keeps it under a name without suffix
    html_download.value.save_as(report)
    opened = chromium.new_page(viewport={"width": 900, "height": 1200})
    try:
        opened.goto(report.as_uri())
        text = opened.locator("body").inner_text()
        opened.screenshot(path=artifacts / "page-report-html.png", full_page=True)
    finally:
        opened.close()
    assert opened.url.startswith("file:") and "政策自评估报告" in text
    assert ENTERPRISE in text and PROJECT in text
    assert "符合条件" in text and "18万元（180,000.00 元）" in text  # the verdict and the calculator's figure
    assert QUOTE in text and "[1]" in text  # the citation the answer numbered
    assert "2021-06-30" in text  # the as-of date
    assert "|---|" not in text and "**" not in text  # not Markdown

    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) >= 1
    (artifacts / "page-report.pdf").write_bytes(pdf)
