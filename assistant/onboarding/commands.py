"""The `assistant policy …` sub-commands: argument parsing and printing only; the work is in the modules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.onboarding.check import check_folder
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
