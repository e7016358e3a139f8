"""The officer console's 政策审核 tab: read a draft policy folder's review page, try a question on it,
approve its programs, without switching to the `assistant policy review / ask / approve` commands.

Why here and built on the commands' own functions (issue #15): a help-desk maintainer onboards a
policy without code, in the console where officers already work, and must get exactly what the
commands give: the page is `onboarding.review.review_html`, a trial answer is the real engine loaded
by `Engine.load` under `onboarding.trial.trial_settings` (that folder alone, approved programs
only), and approval is `onboarding.approve.approve`, with the checks that guard it.

What may be read or written is bounded: only the sub-folders of `Settings.drafts_dir` are offered,
picked from a list and looked up by name among them, never a path the officer types. The approver
is the logged-in officer (`gr.Request.username`), never a typed name.

A trial engine takes a second or more to load, so `TrialEngines` keeps the last few, each for as long
as its folder's files are unchanged (their names, sizes and modification times): an approval or an
edit gives the next question a fresh engine. One dropped has its temporary copy removed and its
retriever forgotten, so a long-running server does not collect them.
"""

from __future__ import annotations

import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering.engine import Engine
from assistant.core.settings import Settings
from assistant.onboarding.approve import approve
from assistant.onboarding.folder import FolderError, read_yaml
from assistant.onboarding.questions import Asks
from assistant.onboarding.review import review_html
from assistant.onboarding.trial import LoadEngine, trial_settings
from assistant.reading.amounts import InputError, parse_date
from assistant.retrieval.hybrid import default_retriever, forget_retriever
from assistant.rules.rulebook import RULES_FILE
from assistant.texts.policies import CorpusError

logger = logging.getLogger(__name__)

TRIAL_ENGINES = 2  # trial engines kept loaded at once (one per folder)
PAGE_HEIGHT = "78vh"
UNREADABLE = "无法读取该文件夹：请在命令行运行 `assistant policy check {folder}` 查看问题（详情已写入服务器日志）"

Stamp = tuple[tuple[str, int, int], ...]


def folder_stamp(folder: Path) -> Stamp:
    """What changes when any file of the folder is written, added or removed."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    return tuple((str(p.relative_to(folder)), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@dataclass
class _Trial:
    stamp: Stamp
    settings: Settings  # the trial's, for forgetting its retriever
    engine: Asks
    copy: ExitStack  # keeps the trial's temporary copy of the folder until the engine is dropped

    def close(self) -> None:
        self.copy.close()
        forget_retriever(self.settings)


class TrialEngines:
    """The real engine on one folder alone, loaded once per version of the folder, the last `keep` kept."""

    def __init__(self, settings: Settings, load_engine: LoadEngine, keep: int = TRIAL_ENGINES) -> None:
        self.settings, self.load_engine, self.keep = settings, load_engine, keep
        self._trials: OrderedDict[Path, _Trial] = OrderedDict()
        self._lock = threading.Lock()  # officers' events run in threads; one load at a time

    def get(self, folder: Path) -> Asks:
        stamp = folder_stamp(folder)
        with self._lock:
            kept = self._trials.pop(folder, None)
            if kept is not None and kept.stamp != stamp:
                kept.close()
                kept = None
            if kept is None:
                kept = self._load(folder, stamp)
            self._trials[folder] = kept  # the most recent last
            while len(self._trials) > self.keep:
                self._trials.popitem(last=False)[1].close()
            return kept.engine

    def _load(self, folder: Path, stamp: Stamp) -> _Trial:
        copy = ExitStack()
        try:
            trial = copy.enter_context(trial_settings(folder, self.settings))
            engine = self.load_engine(trial)
            default_retriever(trial)  # the index is built now, while loading, not on the first question
        except BaseException:
            copy.close()
            raise
        return _Trial(stamp, trial, engine, copy)

    def close(self) -> None:
        with self._lock:
            while self._trials:
                self._trials.popitem()[1].close()


def _message(err: Exception, folder: Path) -> str:
    """A folder's problem in Chinese: its own message when it has one, else a pointer to `policy check`."""
    if isinstance(err, CorpusError):
        return str(err)
    logger.exception("政策审核：读取草稿文件夹 %s 失败", folder)
    return UNREADABLE.format(folder=folder)


def _block(text: str, css: str) -> str:
    return f"<div class='{css}' style='white-space:pre-wrap'>{html.escape(text)}</div>"


class DraftReview:
    """What the tab does, as plain functions of a folder's name (testable without a server)."""

    def __init__(self, settings: Settings, load_engine: LoadEngine = Engine.load) -> None:
        self.settings = settings
        self.trials = TrialEngines(settings, load_engine)

    @property
    def drafts_dir(self) -> Path:
        return Path(self.settings.drafts_dir)

    def folders(self) -> list[str]:
        """The draft folders to choose from: the drafts folder's sub-folders, by name."""
        if not self.drafts_dir.is_dir():
            return []
        return sorted(p.name for p in self.drafts_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def where_to_put(self) -> str:
        """Said when there is nothing to review: where a draft folder goes and how to make one."""
        return (
            f"草稿目录 {self.drafts_dir} 中还没有政策文件夹。请在服务器上运行 "
            f"`assistant policy draft 原文文件 --id 政策编号 --out {self.drafts_dir}/政策编号` 生成草稿，然后点“刷新列表”。"
        )

    def folder(self, name: str | None) -> Path:
        """The named draft folder, only if it is one of `folders()`: nothing else can be reached."""
        if not name or name not in self.folders():
            raise FolderError("请先从列表中选择一个草稿文件夹")
        return self.drafts_dir / name

    def page(self, name: str | None) -> str:
        """The folder's review page in a frame of its own (its styles stay inside), or why not."""
        try:
            folder = self.folder(name)
            page = review_html(folder, self.settings)
        except Exception as err:
            return _block("⚠ " + _message(err, self.drafts_dir / (name or "")), "draft-error")
        return (
            f"<iframe id='review-frame' title='审核页' sandbox='' srcdoc='{html.escape(page, quote=True)}' "
            f"style='width:100%;height:{PAGE_HEIGHT};border:1px solid #ccc;border-radius:6px'></iframe>"
        )

    def pending(self, name: str | None) -> list[tuple[str, str]]:
        """(title（id）, id) of the folder's programs still `review: todo`, as approve takes them."""
        try:
            data = read_yaml(self.folder(name) / RULES_FILE)
        except (CorpusError, OSError):
            return []  # the page says what is wrong with the folder
        programs = data.get("programs") if isinstance(data, dict) else None
        return [
            (f"{p.get('title') or p['id']}（{p['id']}）", str(p["id"]))
            for p in programs or []
            if isinstance(p, dict) and "id" in p and p.get("review") == "todo"
        ]

    def ask(self, name: str | None, question: str | None, as_of: str | None) -> str:
        """The answer the folder alone gives, as `assistant policy ask` prints it, or why there is none."""
        if not (question or "").strip():
            return "⚠ 请输入要试问的问题"
        try:
            day = parse_date(as_of) if as_of and as_of.strip() else None
        except InputError as err:
            return f"⚠ 判断日期：{err.message}"
        try:
            folder = self.folder(name)
            read_yaml(folder / RULES_FILE)  # a YAML slip is told as `policy check` tells it, with its line
            return self.trials.get(folder).ask(question or "", day).answer
        except Exception as err:
            return "⚠ " + _message(err, self.drafts_dir / (name or ""))

    def approve(self, name: str | None, program_id: str | None, officer: str | None, today: date | None = None) -> str:
        """Approve one program as the logged-in officer; the result, or what blocks it, in Chinese."""
        if not officer:
            return "⚠ 登录已失效，请重新登录"
        if not program_id:
            return "⚠ 请先选择一个待审核的项目"
        day = today or date.today()
        try:
            folder = self.folder(name)
            titles = {pid: label for label, pid in self.pending(name)}
            approve(folder, program_id, officer, self.settings, today=day)
        except Exception as err:
            return "⚠ " + _message(err, self.drafts_dir / (name or ""))
        return f"✔ 已审核通过 {titles.get(program_id, program_id)}（审核人：{officer}，{day.isoformat()}）"


def review_tab(review: DraftReview) -> Callable[[Any], Any]:
    """The tab's components and events, built inside the console's Blocks (within its gr.Tab).
    Returns the tab's page-load step: given the dependency the console's load chain ends with, it
    fills the folder list and today's date after it and returns the new end of the chain."""
    private = {"api_visibility": "private"}
    with gr.Row():
        folder = gr.Dropdown(choices=[], value=None, label="草稿文件夹", elem_id="draft-folder", scale=4)
        reload = gr.Button("刷新列表", elem_id="draft-reload", scale=1)
    note = gr.Markdown(elem_id="draft-note")
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                question = gr.Textbox(label="试问：企业会怎么问", elem_id="trial-question", scale=4)
                as_of = gr.Textbox(
                    label="按哪一天判断（YYYY-MM-DD）",
                    elem_id="trial-as-of",
                    scale=1,
                    min_width=150,
                )
            ask = gr.Button("试问", variant="primary", elem_id="trial-ask")
            answer = gr.Textbox(
                label="试问的答复（只用这个文件夹中已审核通过的项目）",
                lines=6,
                interactive=False,
                elem_id="trial-answer",
            )
        with gr.Column(scale=2):
            program = gr.Dropdown(choices=[], value=None, label="待审核的项目", elem_id="approve-program")
            approve_button = gr.Button("审核通过", elem_id="approve")
            approved = gr.HTML(elem_id="approve-status")
    page = gr.HTML(elem_id="review-page")

    def listed(current: str | None) -> tuple[Any, str]:
        names = review.folders()
        keep = current if current in names else None
        return gr.Dropdown(choices=names, value=keep), "" if names else review.where_to_put()

    def chosen(name: str | None) -> tuple[str, Any, str, str]:
        if not name:
            return "", gr.Dropdown(choices=[], value=None), "", ""
        return review.page(name), gr.Dropdown(choices=review.pending(name), value=None), "", ""

    def approving(name: str | None, program_id: str | None, request: gr.Request) -> str:
        result = review.approve(name, program_id, getattr(request, "username", None))
        return _block(result, "approve-ok" if result.startswith("✔") else "approve-error")

    def opened(current: str | None) -> tuple[Any, str, str]:
        # today's date on each load, by a private event: a callable `value` would be a public API endpoint
        return (*listed(current), date.today().isoformat())

    reload.click(listed, folder, [folder, note], **private)
    folder.change(chosen, folder, [page, program, answer, approved], **private)
    for trigger in (ask.click, question.submit):
        trigger(review.ask, [folder, question, as_of], answer, **private)
    approve_button.click(approving, [folder, program], approved, **private).then(
        lambda name: (review.page(name), gr.Dropdown(choices=review.pending(name), value=None)),
        folder,
        [page, program],
        **private,
    )
    return lambda after: after.then(opened, folder, [folder, note, as_of], **private)
