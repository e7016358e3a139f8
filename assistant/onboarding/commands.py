"""The `assistant policy …` sub-commands: argument parsing and printing only; the work is in the modules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.onboarding.approve import approve
from assistant.onboarding.cases import propose_cases
from assistant.onboarding.check import check_folder
from assistant.onboarding.draft import draft_folder
from assistant.onboarding.folder import FolderError, open_policy
from assistant.onboarding.outline import outline_lines
from assistant.onboarding.questions import ask_questions, load_questions
from assistant.onboarding.review import review_page
from assistant.onboarding.trial import LoadEngine, trial_settings


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
    print(
        "请逐行按原文手算核对期望值；无误的行移入 cases.yaml，问题骨架（与 questions.jsonl 同一格式）改成企业的说法、写上手算过程（note）后，挑 10 个放入 questions.jsonl"
    )
    return 0


def cmd_approve(args: argparse.Namespace, settings: Any) -> int:
    approve(Path(args.dir), args.program, args.by, settings)
    print(f"已审核通过 {args.program}（审核人 {args.by}）：该文件夹上线（放入 index/policies/）后，它将用于答复")
    return 0


def cmd_review(args: argparse.Namespace, settings: Any) -> int:
    page = review_page(Path(args.dir), settings)
    print(f"已写出审核页 {page}：用浏览器打开，对照原文逐项核对")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Any) -> int:
    from assistant.reading.amounts import InputError, parse_date

    try:
        as_of = parse_date(args.as_of) if args.as_of else None
    except InputError as err:
        raise FolderError(f"--as-of：{err.message}") from None
    with trial_settings(Path(args.dir), settings) as trial:
        print(args.load_engine(trial).ask(args.question, as_of).answer)
    return 0


def cmd_questions(args: argparse.Namespace, settings: Any) -> int:
    questions = load_questions(Path(args.dir))
    if not questions:
        print(f"{args.dir} 里没有 questions.jsonl（或它是空的）：请先按 docs/adding-a-policy.md 写 10 个问题")
        return 2
    with trial_settings(Path(args.dir), settings) as trial:
        outcomes = ask_questions(args.load_engine(trial), questions)
    for o in outcomes:
        print(f"{'✓' if o.right else '✗'} {o.question.id} {o.question.question}")
        for line in o.wrong:
            print(f"    {line}")
    right = sum(o.right for o in outcomes)
    print(f"{right}/{len(outcomes)} 个问题的答复与手算一致")
    return 0 if right == len(outcomes) else 2


def add_policy_parser(sub: Any, load_engine: LoadEngine) -> None:
    """`policy` and its sub-commands, added to the `assistant` parser; `load_engine` (Engine.load) is
    what `ask` and `questions` answer with."""
    policy = sub.add_parser(
        "policy",
        help="不写代码添加一项政策：draft 起草、outline 条款树、check 检查、cases 测试行、approve 审核、review 审核页、ask 试问、questions 跑问题",
    )
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    outline = policy_sub.add_parser("outline", help="政策文件夹的条款树，以及像标题却未按标题解析的行")
    outline.add_argument("dir", help="政策文件夹（含 source.txt、policy.yaml）")
    outline.set_defaults(func=cmd_outline)

    check = policy_sub.add_parser("check", help="一次列出政策文件夹的全部问题：文件、行号和改法")
    check.add_argument("dir", help="政策文件夹（含 source.txt、policy.yaml、programs.yaml、cases.yaml）")
    check.set_defaults(func=cmd_check)

    draft = policy_sub.add_parser("draft", help="从收到的原文（纯文本或网页）生成政策文件夹草稿")
    draft.add_argument("source", help="收到的政策原文：.txt（UTF-8 或 GBK）或网页 .html")
    draft.add_argument("--id", required=True, help="新政策的编号：小写字母、数字和连字符，如 anhui-2021-82")
    draft.add_argument("--out", required=True, help="要生成的文件夹（不存在或为空）")
    draft.set_defaults(func=cmd_draft)

    cases = policy_sub.add_parser(
        "cases", help="为 cases.yaml 提出边界测试行、为 questions.jsonl 提出问题骨架，供逐行手算核对"
    )
    cases.add_argument("dir", help="政策文件夹（programs.yaml 须能读入）")
    cases.set_defaults(func=cmd_cases)

    approve_cmd = policy_sub.add_parser("approve", help="审核通过一个草稿项目（在 programs.yaml 记下审核人和时间）")
    approve_cmd.add_argument("dir", help="政策文件夹")
    approve_cmd.add_argument("program", help="项目编号")
    approve_cmd.add_argument("--by", required=True, help="审核人（姓名或坐席账号）")
    approve_cmd.set_defaults(func=cmd_approve)

    review = policy_sub.add_parser(
        "review", help="生成审核页（HTML）：原文中引用处着色、未覆盖的金额句标红，每个项目一张卡片"
    )
    review.add_argument("dir", help="政策文件夹")
    review.set_defaults(func=cmd_review)

    ask = policy_sub.add_parser("ask", help="试问：只用这个文件夹里已审核的项目回答一个问题（上线前自查）")
    ask.add_argument("dir", help="政策文件夹")
    ask.add_argument("question", help="企业会问的问题")
    ask.add_argument("--as-of", help="按这一天判断是否在有效期内（YYYY-MM-DD），默认今天")
    ask.set_defaults(func=cmd_ask, load_engine=load_engine)

    questions = policy_sub.add_parser("questions", help="用 questions.jsonl 的问题逐个提问，与手算的答案比对")
    questions.add_argument("dir", help="政策文件夹")
    questions.set_defaults(func=cmd_questions, load_engine=load_engine)
