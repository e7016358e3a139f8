"""The page's report files (assistant.web.assessment_doc) and the guard that serves them
(assistant.web.downloads): the HTML report of the answer on screen with the names typed, the PDF only
on request and withdrawn with its HTML, every report suffix guarded (the old .md links too), and a
missing Chromium a Chinese sentence, not a traceback, with the HTML still there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from assistant.answering.conversation import Conversation
from assistant.answering.engine import Engine, default_engine
from assistant.web.assessment_doc import write_pdf, write_report
from assistant.web.downloads import DownloadGuard, ReportOwners, new_report_name
from assistant.web.report_html import ReportHeader
from assistant.web.report_pdf import CHROMIUM_ENV, PdfUnavailable
from assistant.web.session import Session
from assistant.web.visitors import VISITOR_COOKIE, Visitors

HEKOU = "河口区技改项目总投资500万，设备投资300万，能拿多少？"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    talk = Session(Conversation(engine, as_of=date(2021, 6, 30)), reports=ReportOwners(), visitor="visitor-a")
    talk.conversation.ask(HEKOU)
    talk.header = ReportHeader(enterprise="东营<某>机械有限公司", project="数控产线技改")
    yield talk
    talk.close()


def test_the_html_report_holds_the_answer_and_the_names_and_replaces_the_last(engine: Engine, session: Session) -> None:
    first = write_report(engine, session)
    assert first.suffix == ".html" and first.name.startswith("assessment-")
    text = first.read_text(encoding="utf-8")
    assert "东营&lt;某&gt;机械有限公司" in text and "<某>" not in text and "数控产线技改" in text
    assert "180,000.00" in text and "2021-06-30" in text and HEKOU in text
    assert session.reports.may_fetch(first.name, "visitor-a") and not session.reports.may_fetch(first.name, "b")
    second = write_report(engine, session)
    assert not first.exists() and not session.reports.may_fetch(first.name, "visitor-a")
    assert [p.name for p in session.download_folder().iterdir()] == [second.name]


def test_without_chromium_the_pdf_is_a_chinese_sentence_and_the_html_stays(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = write_report(engine, session)
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    with pytest.raises(PdfUnavailable, match="无法生成 PDF"):
        write_pdf(engine, session)
    assert page.exists() and session.reports.may_fetch(page.name, "visitor-a")
    assert not list(session.download_folder().glob("*.pdf"))


def test_a_new_html_report_withdraws_the_pdf_of_the_old_one(engine: Engine, session: Session) -> None:
    """The PDF is as the HTML was; a stale PDF registered beside a new HTML would disagree with it."""
    write_report(engine, session)
    stale = session.download_folder() / new_report_name("old", ".pdf")
    stale.write_bytes(b"%PDF-1.4")
    session.reports.register(stale.name, "visitor-a")
    write_report(engine, session)
    assert not stale.exists() and not session.reports.may_fetch(stale.name, "visitor-a")


def test_report_names_only_take_suffixes_the_guard_covers() -> None:
    with pytest.raises(ValueError):
        new_report_name("x", ".txt")


def test_the_guard_serves_each_kind_of_report_only_to_its_visitor() -> None:
    served = Starlette(routes=[Route("/gradio_api/file={path:path}", lambda r: PlainTextResponse("report"))])
    owners, visitors = ReportOwners(), Visitors(b"k" * 32)
    client = TestClient(DownloadGuard(served, owners, visitors))
    names = [new_report_name("x", ".html"), new_report_name("x", ".pdf")]
    for name in names:
        owners.register(name, "visitor-a")
    for name in [*names, "assessment-20260101-0000-abcd.md"]:  # an old Markdown link: never made for anyone
        url = f"/gradio_api/file=/tmp/cache/{name}"
        assert client.get(url, headers={"cookie": f"{VISITOR_COOKIE}=visitor-b"}).status_code == 404, name
        assert client.get(url).status_code == 404, name
        if not name.endswith(".md"):
            assert client.get(url, headers={"cookie": f"{VISITOR_COOKIE}=visitor-a"}).text == "report", name
    assert client.get("/gradio_api/file=/tmp/cache/other.html").text == "report"  # not a report: Gradio decides
