"""The report files a user downloads from the page: the printable HTML (assistant.web.report_html)
and, on request, its PDF (assistant.web.report_pdf), in the session's private folder.

Why the HTML is written with every answer and the PDF only when asked: the HTML costs milliseconds,
the PDF a Chromium run of a second or more on a shared machine; the download button must always
hold the report of the answer on screen, while few users want the PDF. A PDF is dropped whenever the
HTML is rewritten (a new answer, new names), so the two never disagree.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from assistant.answering.engine import Engine
from assistant.web.downloads import new_report_name
from assistant.web.report_html import assessment_html
from assistant.web.report_pdf import html_to_pdf
from assistant.web.session import Session


def _written(session: Session, suffix: str, content: str | bytes) -> Path:
    """A new report file of the session, registered so that only the session's visitor may fetch it."""
    path = session.download_folder() / new_report_name(datetime.now().strftime("%Y%m%d-%H%M%S"), suffix)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if session.reports is not None:
        session.reports.register(path.name, session.visitor)
    return path


def report_document(engine: Engine, session: Session) -> str:
    """The printable report of the session's latest answer, with the names the user typed."""
    return assessment_html(engine, session.last, session.conversation.questions, session.header)


def write_report(engine: Engine, session: Session) -> Path:
    """The session's HTML report, replacing every earlier report file (the PDF too: it is stale now)."""
    session.forget_reports()
    return _written(session, ".html", report_document(engine, session))


def write_pdf(engine: Engine, session: Session) -> Path:
    """The session's report as PDF, replacing an earlier PDF; raises report_pdf.PdfUnavailable (a
    Chinese message) when Chromium is missing or fails. The HTML report is left as it is."""
    pdf = html_to_pdf(report_document(engine, session))
    session.forget_reports(".pdf")
    return _written(session, ".pdf", pdf)
