"""Without Chromium the page's PDF button says so in Chinese and the HTML report still downloads, with
the names typed: the real server, started with ASSISTANT_CHROMIUM pointing at nothing, driven through
the page's own events (tests/page_protocol.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from page_protocol import PageSession, value

from assistant.bench.appprocess import AppDidNotStart, AppProcess, running_app

pytestmark = pytest.mark.slow

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    data = tmp_path_factory.mktemp("no-chromium")
    try:
        with running_app(data, ready=None, env={"ASSISTANT_CHROMIUM": str(data / "no-such-browser")}) as process:
            yield process
    except AppDidNotStart as err:
        pytest.fail(str(err))


def test_no_pdf_is_said_in_chinese_and_the_html_report_still_downloads(app: AppProcess) -> None:
    page = PageSession(app.url)
    try:
        page.run("send", "click", [QUESTION, "2021-06-30", None])
        _, html_report, pdf_report, note = page.run("make-pdf", "click", ["东营某机械有限公司", "数控产线技改", None])
        assert "PDF 版报告未能生成" in value(note) and "Chromium" in value(note) and "Traceback" not in value(note)
        assert note.get("visible") is True
        assert value(pdf_report) is None and pdf_report.get("visible") is False
        got = page.http.get(value(html_report)["url"])
        assert got.status_code == 200 and got.text.startswith("<!doctype html>")
        assert "东营某机械有限公司" in got.text and "数控产线技改" in got.text and "180,000.00" in got.text
    finally:
        page.close()
