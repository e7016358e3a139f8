"""One browser tab's state: its conversation, its last answer and its download, dropped when the tab goes."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.web.downloads import ReportOwners

DOWNLOAD_ROOT = Path(tempfile.gettempdir()) / "policy-assistant-downloads"


# --- one browser tab --------------------------------------------------------------------------------


@dataclass
class Session:
    """Everything one tab knows: its conversation, what it was shown, the files made for it.

    `visitor` is the browser's visitor cookie and `reports` the registry through which only that
    browser may fetch this tab's report (assistant.web.downloads)."""

    conversation: Conversation
    chat: list[dict[str, str]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    folder: Path | None = None
    visitor: str | None = None
    reports: ReportOwners | None = None

    @property
    def last(self) -> Answer | None:
        """The answer the tab shows now: the conversation's latest."""
        return self.conversation.responses[-1] if self.conversation.responses else None

    def download_folder(self) -> Path:
        """A private temp dir per session: the report file is only ever written here."""
        if self.folder is None:
            DOWNLOAD_ROOT.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix="session-", dir=DOWNLOAD_ROOT))
        return self.folder

    def forget_reports(self) -> None:
        """Delete this session's report files and unregister them, so that the DownloadGuard refuses
        Gradio's cached copies too (they stay on disk until Gradio's cache cleaning)."""
        if self.folder is None:
            return
        for old in self.folder.glob("assessment-*.md"):
            if self.reports is not None:
                self.reports.forget(old.name)
            old.unlink(missing_ok=True)

    def close(self) -> None:
        if self.folder is not None:
            self.forget_reports()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def close_session(session: Session | None) -> None:
    """gr.State's delete callback: the tab was closed (or timed out); its files go with it."""
    if isinstance(session, Session):
        session.close()
