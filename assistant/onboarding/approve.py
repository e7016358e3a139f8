"""`assistant policy approve DIR PROGRAM --by NAME`: a maintainer's approval of one draft program.

Approval is recorded in programs.yaml itself (review: approved, approved_by, approved_on, and the
fingerprint approved_hash of the rule approved), next to the rule it vouches for, and only for a program that `policy check` finds nothing wrong with but its
pending review: a program whose quote is not verbatim, whose facts are unknown or that no test row
exercises cannot be approved. The file is edited as text, so its comments and layout stay.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from assistant.core.settings import Settings
from assistant.onboarding.check import check_folder
from assistant.onboarding.folder import FolderError
from assistant.onboarding.problems import Problem
from assistant.rules.rulebook import RULES_FILE
from assistant.rules.schema import Program

NAME = re.compile(r"^\S{1,40}$")


def _blocks(problem: Problem, program_id: str) -> bool:
    """A problem of this program, or of the policy as a whole, stops its approval; a pending review does not."""
    if problem.pending:
        return False
    return (
        problem.file == "policy.yaml"
        or re.search(rf"{re.escape(program_id)}(?![0-9a-z-])", problem.message) is not None
    )


def approve(folder: Path, program_id: str, by: str, settings: Settings, today: date | None = None) -> None:
    if not NAME.match(by):
        raise FolderError("--by 请写审核人的姓名或账号（不含空格）")
    report = check_folder(folder, settings)
    blocking = [p for p in report.problems if _blocks(p, program_id)]
    if blocking:
        listed = "\n".join(p.render() for p in blocking)
        raise FolderError(f"项目 {program_id} 还有问题，不能审核通过：\n{listed}")
    if not report.rows_ran:
        listed = "\n".join(p.render() for p in report.problems if not p.pending)
        raise FolderError(f"测试行还不能运行，先改正这些问题再审核：\n{listed}")
    path = Path(folder) / RULES_FILE
    text = path.read_text(encoding="utf-8")
    head = re.search(rf"^(\s*)- id: {re.escape(program_id)}\s*$", text, re.M)
    if head is None:
        raise FolderError(f"{path} 中没有项目 {program_id}")
    nxt = re.compile(rf"^{head.group(1)}- id: ", re.M).search(text, head.end())
    block_end = nxt.start() if nxt else len(text)
    block = text[head.end() : block_end]
    program = _program(path, program_id)
    todo = re.search(r"^([ \t]+)review: todo[ \t]*$", block, re.M)
    if todo is None and not program.changed_since_approval:
        raise FolderError(f"项目 {program_id} 不是待审核状态（没有 review: todo），审核后也没有改动过")
    if todo is None:  # approved before, edited since: the old record goes, the new one takes its place
        todo = re.search(r"^([ \t]+)review: approved[ \t]*$", block, re.M)
        assert todo is not None  # changed_since_approval: it is approved
        block = block[: todo.end()] + STAMP_LINES.sub("", block[todo.end() :])
    pad = todo.group(1)
    stamp = (
        f"{pad}review: approved\n{pad}approved_by: {by}\n{pad}approved_on: {(today or date.today()).isoformat()}\n"
        f"{pad}approved_hash: '{program.content_hash()}'"
    )
    block = block[: todo.start()] + stamp + block[todo.end() :]
    path.write_text(text[: head.end()] + block + text[block_end:], encoding="utf-8")


# The lines of an earlier approval, right after its review line.
STAMP_LINES = re.compile(r"\A(?:\n[ \t]+approved_(?:by|on|hash):[^\n]*)+")


def _program(path: Path, program_id: str) -> Program:
    """The program as written (check has just validated it)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = next(p for p in data["programs"] if isinstance(p, dict) and p.get("id") == program_id)
    return Program.model_validate(raw)
