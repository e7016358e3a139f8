"""The printable report (assistant.web.report_html) as PDF, rendered by the installed Chromium.

Why Chromium and not a PDF library: the report's layout is its HTML and print stylesheet; a second
layout in a PDF library (fpdf2, reportlab) would drift from it and needs CJK fonts embedded by hand,
and WeasyPrint needs Pango and its own CSS dialect. Chromium is already the browser of the tests
(`make test` installs Debian's /usr/bin/chromium), lays out Chinese with the system's fonts and
prints exactly what the browser's "打印" shows. Where it is missing, the HTML report still works
and the caller says that the PDF is not available, in Chinese.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "ASSISTANT_CHROMIUM"
CHROMIUM_NAMES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 60


class PdfUnavailable(RuntimeError):
    """The PDF could not be made; the message is Chinese and can be shown as is."""


def chromium() -> str | None:
    """The browser binary: $ASSISTANT_CHROMIUM, else the first of CHROMIUM_NAMES found."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(document: str) -> bytes:
    """The A4 PDF of `document` (a self-contained HTML page), as Chromium prints it."""
    browser = chromium()
    if browser is None:
        raise PdfUnavailable(
            "本机未安装 Chromium 浏览器，暂时无法生成 PDF；请下载网页版报告，用浏览器的“打印”另存为 PDF。"
        )
    with tempfile.TemporaryDirectory(prefix="assistant-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox; the page is our own
            command.insert(1, "--no-sandbox")
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PdfUnavailable(f"生成 PDF 失败（{type(err).__name__}），请改用网页版报告打印。") from None
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("生成 PDF 失败，请改用网页版报告打印。")
        return target.read_bytes()
