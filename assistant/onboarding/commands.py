"""The `assistant policy …` sub-commands: argument parsing and printing only; the work is in the modules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.onboarding.check import check_folder
from assistant.onboarding.draft import draft_folder
from assistant.onboarding.folder import open_policy
from assistant.onboarding.outline import outline_lines


def cmd_outline(args: argparse.Namespace, settings: Any) -> int:
    opened = open_policy(Path(args.dir))
    for problem in opened.problems:
        print(problem.render())
    print("\n".join(outline_lines(opened.policy)))
    return 0


def cmd_check(args: argparse.Namespace, settings: Any) -> int:
    report = check_folder(Path(args.dir), settings)
    print("\n".join(report.lines()))
    return 2 if report.problems else 0


def cmd_draft(args: argparse.Namespace, settings: Any) -> int:
    from assistant.rules.rulebook import load_vocabulary

    result = draft_folder(Path(args.source), args.id, Path(args.out), load_vocabulary(settings))
    print(f"已生成草稿 {result.folder}：{result.programs} 个待审核项目（review: todo）")
    if result.review_fields:
        print(f"policy.yaml 中原文未写明、需人工填写的字段：{'、'.join(result.review_fields)}")
    print(f"下一步：assistant policy outline {result.folder}；assistant policy check {result.folder}")
    return 0


def add_policy_parser(sub: Any) -> None:
    """`policy` and its sub-commands, added to the `assistant` parser."""
    policy = sub.add_parser("policy", help="add a policy without code: draft, outline, check, cases, review")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    outline = policy_sub.add_parser(
        "outline", help="the clause tree of a policy folder, and lines that look like skipped headings"
    )
    outline.add_argument("dir", help="a policy folder (source.txt, policy.yaml)")
    outline.set_defaults(func=cmd_outline)

    check = policy_sub.add_parser(
        "check", help="every problem of a policy folder at once, with file, line and how to fix it"
    )
    check.add_argument("dir", help="a policy folder (source.txt, policy.yaml, programs.yaml, cases.yaml)")
    check.set_defaults(func=cmd_check)

    draft = policy_sub.add_parser("draft", help="a draft policy folder from a received text (plain text or HTML)")
    draft.add_argument("source", help="the received policy text: .txt (UTF-8 or GBK) or the web page .html")
    draft.add_argument(
        "--id", required=True, help="the new policy id: lower-case letters, digits and -, e.g. anhui-2021-82"
    )
    draft.add_argument("--out", required=True, help="the folder to create (must not exist or be empty)")
    draft.set_defaults(func=cmd_draft)
