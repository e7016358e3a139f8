"""The `assistant policy …` sub-commands: argument parsing and printing only; the work is in the modules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.onboarding.approve import approve
from assistant.onboarding.cases import propose_cases
from assistant.onboarding.check import check_folder
from assistant.onboarding.draft import draft_folder
from assistant.onboarding.folder import open_policy
from assistant.onboarding.outline import outline_lines
from assistant.onboarding.review import review_page


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


def cmd_cases(args: argparse.Namespace, settings: Any) -> int:
    result = propose_cases(Path(args.dir), settings)
    print(f"已写出 {result.rows} 行待核的边界测试：{result.rows_file}")
    print(f"已写出 {result.questions} 个待核的评估问题骨架：{result.questions_file}")
    print("请逐行按原文手算核对期望值；无误的行移入 cases.yaml，问题改成企业的说法后放入 eval.jsonl")
    return 0


def cmd_approve(args: argparse.Namespace, settings: Any) -> int:
    approve(Path(args.dir), args.program, args.by, settings)
    print(f"已审核通过 {args.program}（审核人 {args.by}）：它将用于答复")
    return 0


def cmd_review(args: argparse.Namespace, settings: Any) -> int:
    page = review_page(Path(args.dir), settings)
    print(f"已写出审核页 {page}：用浏览器打开，对照原文逐项核对")
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

    cases = policy_sub.add_parser(
        "cases", help="boundary rows for cases.yaml and question skeletons, to confirm by hand"
    )
    cases.add_argument("dir", help="a policy folder whose programs.yaml loads")
    cases.set_defaults(func=cmd_cases)

    approve_cmd = policy_sub.add_parser(
        "approve", help="approve one draft program (recorded in programs.yaml with who and when)"
    )
    approve_cmd.add_argument("dir", help="the policy folder")
    approve_cmd.add_argument("program", help="the program id")
    approve_cmd.add_argument("--by", required=True, help="who approves (name or officer account)")
    approve_cmd.set_defaults(func=cmd_approve)

    review = policy_sub.add_parser(
        "review", help="a static HTML page: the text with quoted spans coloured, a card per program"
    )
    review.add_argument("dir", help="the policy folder")
    review.set_defaults(func=cmd_review)
