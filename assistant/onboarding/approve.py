"""`assistant policy approve DIR PROGRAM --by NAME`: a maintainer's approval of one draft program.

Approval is recorded in programs.yaml itself (review: approved, approved_by, approved_on), next to
the rule it vouches for, and only for a program that `policy check` finds nothing wrong with but its
pending review: a program whose quote is not verbatim, whose facts are unknown or that no test row
exercises cannot be approved. The file is edited as text, so its comments and layout stay.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from assistant.core.settings import Settings
from assistant.onboarding.check import check_folder
from assistant.onboarding.folder import FolderError
from assistant.onboarding.problems import Problem
from assistant.rules.rulebook import RULES_FILE

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
    todo = re.search(r"^([ \t]+)review: todo[ \t]*$", block, re.M)
    if todo is None:
        raise FolderError(f"项目 {program_id} 不是待审核状态（没有 review: todo）")
    pad = todo.group(1)
    stamp = f"{pad}review: approved\n{pad}approved_by: {by}\n{pad}approved_on: {(today or date.today()).isoformat()}"
    block = block[: todo.start()] + stamp + block[todo.end() :]
    path.write_text(text[: head.end()] + block + text[block_end:], encoding="utf-8")
