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
from assistant.web.report_html import ReportHeader

DOWNLOAD_FOLDER = "policy-assistant-downloads"  # under the process's temp folder (assistant.web.serving)
KEPT_MESSAGES = 40  # chat messages a tab keeps and shows (20 turns): each turn sends them all back


class RecentMessages(list[dict[str, str]]):
    """The chat as the tab shows it, bounded to the last `KEPT_MESSAGES`: the page sends the whole
    chat with every answer, so an unbounded one made each turn of a long conversation slower and
    every session bigger. The conversation's facts, not the chat, carry what was learnt."""

    def append(self, message: dict[str, str]) -> None:
        super().append(message)
        self._trim()

    def __iadd__(self, messages: Any) -> RecentMessages:  # type: ignore[override]
        super().__iadd__(messages)
        self._trim()
        return self

    def _trim(self) -> None:
        del self[: max(0, len(self) - KEPT_MESSAGES)]


# --- one browser tab --------------------------------------------------------------------------------


@dataclass
class Session:
    """Everything one tab knows: its conversation, what it was shown, the files made for it.

    `visitor` is the browser's visitor cookie and `reports` the registry through which only that
    browser may fetch this tab's report (assistant.web.downloads); `header` is what the user typed
    for the report (enterprise and project names), kept for every report the tab makes."""

    conversation: Conversation
    chat: list[dict[str, str]] = field(default_factory=RecentMessages)
    citations: list[dict[str, Any]] = field(default_factory=list)
    folder: Path | None = None
    visitor: str | None = None
    reports: ReportOwners | None = None
    header: ReportHeader = field(default_factory=ReportHeader)

    @property
    def last(self) -> Answer | None:
        """The answer the tab shows now: the conversation's latest."""
        return self.conversation.responses[-1] if self.conversation.responses else None

    def download_folder(self) -> Path:
        """A private temp dir per session: the report file is only ever written here."""
        if self.folder is None:
            root = Path(tempfile.gettempdir()) / DOWNLOAD_FOLDER
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix="session-", dir=root))
        return self.folder

    def forget_reports(self, suffix: str = "") -> None:
        """Delete this session's report files (those ending in `suffix`; all when empty) and unregister
        them, so that the DownloadGuard refuses Gradio's cached copies too (they stay on disk until
        Gradio's cache cleaning)."""
        if self.folder is None:
            return
        for old in self.folder.glob(f"assessment-*{suffix}"):
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
