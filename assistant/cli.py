"""`python -m assistant` (also `assistant`): build the index, search clauses, ask a question.

Output with `--json` is the machine contract used by the web page and the evaluation: one JSON object
per question, in input order for `--batch`, the `Answer` of assistant.answering.api_models (whose JSON
Schema `schema` prints). Errors a user can fix are printed in Chinese, with exit code 2, never as a
traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from assistant.core.settings import Settings
from assistant.reading.amounts import InputError, parse_date
from assistant.texts.policies import CorpusError

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time


class UsageError(Exception):
    """A mistake in how the command was called; its message is shown as is."""


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except InputError as err:
        raise UsageError(f"--as-of：{err.message}") from None


def read_batch(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, record, error) for each non-blank line of a JSONL file; bad lines are reported, not fatal."""
    source = sys.stdin if path == "-" else None
    try:
        handle = source or open(path, encoding="utf-8")  # noqa: SIM115 (closed by the `with` below)
    except OSError as err:
        raise UsageError(f"无法读取批量文件 {path}：{err.strerror}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield number, None, f"第{number}行不是合法的 JSON：{err.msg}"
                continue
            if not isinstance(record, dict) or not isinstance(record.get("question"), str):
                yield number, None, f"第{number}行缺少字符串字段 question"
                continue
            yield number, record, None


# --- index ---------------------------------------------------------------------------------------


def cmd_index_build(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.retrieval.hybrid import build_retriever

    started = time.perf_counter()
    retriever = build_retriever(settings, progress=not args.quiet)
    index = retriever.index
    mode = "BM25 + dense" if retriever.has_dense else "BM25 only (no dense model)"
    print(f"index ready: {len(index.units)} units, {mode}, in {index.folder} ({time.perf_counter() - started:.1f} s)")
    return 0


# --- search --------------------------------------------------------------------------------------


def _search_one(retriever: Any, query: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    policy_ids = set(args.policy) if args.policy else None
    hits = retriever.search(query, k=args.k, policy_ids=policy_ids, region=args.region, mode=args.mode)
    return [hit.to_json() for hit in hits]


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.retrieval.hybrid import build_retriever

    if not args.batch and not args.query:
        raise UsageError("请给出检索问题，或用 --batch FILE.jsonl 批量检索")
    retriever = build_retriever(settings, progress=True)
    if args.batch:
        for _, record, error in read_batch(args.batch):
            if error:
                print(_dump({"error": error}), flush=True)
                continue
            results = _search_one(retriever, record["question"], args)
            print(_dump({"id": record.get("id"), "question": record["question"], "results": results}), flush=True)
        return 0
    results = _search_one(retriever, args.query, args)
    if args.json:
        print(_dump(results))
    else:
        for n, r in enumerate(results, start=1):
            print(f"[{n}] {r['score']:.4f} {r['doc_number'] or r['title']} {' › '.join(r['heading_path'])}")
            print(f"    {' '.join(r['text'].split())[:160]}")
    return 0


# --- ask -----------------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answering.engine import Engine

    default_as_of = _as_of(args.as_of)
    if not args.batch and args.question is None:
        raise UsageError("请给出问题，或用 --batch FILE.jsonl 批量提问")
    engine = Engine.load(settings)
    if args.batch:
        for number, record, error in read_batch(args.batch):
            if error:
                print(_dump({"id": None, "error": error}), flush=True)
                continue
            request_id = record.get("id")
            if isinstance(request_id, bool) or not isinstance(request_id, str | int | None):
                # the answer echoes it, and the answer's `id` is a string or an integer (api_models)
                print(_dump({"id": None, "error": f"第{number}行的 id 应为字符串或整数"}), flush=True)
                continue
            try:
                as_of = _as_of(record.get("as_of")) or default_as_of
            except UsageError as err:
                print(_dump({"id": request_id, "question": record["question"], "error": str(err)}), flush=True)
                continue
            print(engine.ask(record["question"], as_of, request_id=request_id).dumps(), flush=True)
        return 0
    response = engine.ask(args.question, default_as_of)
    print(response.dumps() if args.json else response.answer)
    return 0


# --- chat ----------------------------------------------------------------------------------------

CHAT_HELP = "命令：/facts 查看已知情况，/reset 重新开始，/quit 退出。直接输入问题或补充信息即可。"


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The web page's conversation in a terminal: facts carry over turns until /reset."""
    from assistant.answering.conversation import Conversation
    from assistant.answering.engine import Engine

    chat = Conversation(Engine.load(settings), as_of=_as_of(args.as_of))
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"政策自评估助手（评估日期：{chat.as_of or '今天'}）。{CHAT_HELP}")
    while True:
        try:
            line = input("您> " if interactive else "")
        except EOFError:
            return 0
        text = line.strip()
        if text in ("/quit", "/exit"):
            return 0
        if text == "/reset":
            chat.reset()
            print("已清空，请重新描述企业情况。")
        elif text == "/facts":
            print(_dump(chat.facts.model_dump(mode="json") if chat.facts else {}))
        elif text == "/help":
            print(CHAT_HELP)
        elif text:
            print(f"助手> {chat.ask(text).answer}\n", flush=True)


# --- schema ---------------------------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    """The JSON Schema of the answer `ask --json` and the web API give; docs/answer.schema.json is this output."""
    from assistant.answering.api_models import schema_text

    sys.stdout.write(schema_text())
    return 0


# --- officers -------------------------------------------------------------------------------------


def _officers(settings: Settings) -> Any:
    from assistant.storage.logbook import database_path
    from assistant.storage.officers import Officers

    return Officers(database_path(settings))


def cmd_officer(args: argparse.Namespace, settings: Settings) -> int:
    """The officer accounts: add, list, passwd, disable, enable, remove, revoke-sessions. A password
    is never taken from the command line: it is typed twice, or read from --password-stdin or
    $ASSISTANT_OFFICER_PASSWORD."""
    from assistant.storage.officers import check_name, read_new_password

    action = args.officer_command
    try:
        if action != "list":
            check_name(args.name)
        password = read_new_password(args.name, args.password_stdin) if action in ("add", "passwd") else None
        officers = _officers(settings)
        try:
            return _officer_action(officers, action, args, password)
        finally:
            officers.close()
    except ValueError as err:
        raise UsageError(str(err)) from None


def _officer_action(officers: Any, action: str, args: argparse.Namespace, password: str | None) -> int:
    if action == "list":
        accounts = officers.accounts()
        if not accounts:
            print(f"尚无审核员账号（数据库：{officers.path}）")
        for a in accounts:
            state = f"已停用（{a.disabled_at:%Y-%m-%d %H:%M}）" if a.disabled_at else "可登录"
            throttled = f"，{a.throttled_clients}个地址登录受限" if a.throttled_clients else ""
            print(
                f"{a.name}\t{state}\t在线会话 {a.live_sessions}{throttled}\t"
                f"创建 {a.created_at:%Y-%m-%d}\t改密 {a.password_changed_at:%Y-%m-%d %H:%M}（UTC）"
            )
        return 0
    name = args.name
    if action == "add":
        officers.add(name, password)
        print(f"已创建审核员账号 {name}（数据库：{officers.path}）")
    elif action == "passwd":
        officers.set_password(name, password)
        print(f"已修改 {name} 的密码；其登录会话已全部结束，登录限制已清除")
    elif action == "disable":
        officers.set_disabled(name, True)
        print(f"已停用 {name}：不能再登录，已登录的会话已结束")
    elif action == "enable":
        officers.set_disabled(name, False)
        print(f"已启用 {name}")
    elif action == "remove":
        officers.remove(name)
        print(f"已删除审核员账号 {name}")
    else:  # revoke-sessions
        print(f"已结束 {name} 的 {officers.revoke_sessions(name)} 个登录会话")
    return 0


# --- parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="政策自评估助手：条款检索与奖补测算")
    parser.add_argument("-v", "--verbose", action="store_true", help="show log messages")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="the retrieval index over the policy texts")
    index_sub = index.add_subparsers(dest="index_command", required=True)
    build = index_sub.add_parser("build", help="build the index if it is missing or stale (no-op when fresh)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=cmd_index_build)

    search = sub.add_parser("search", help="rank policy clauses for a question")
    search.add_argument("query", nargs="?", help="the question, in Chinese")
    search.add_argument("-k", type=int, default=5, help="how many results (default 5)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--batch", metavar="FILE.jsonl", help='lines of {"id", "question"}; "-" reads stdin')
    search.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    search.add_argument("--region", help="only clauses of policies of this region, e.g. 河南省")
    search.add_argument("--policy", action="append", help="only this policy id (repeatable)")
    search.set_defaults(func=cmd_search)

    ask = sub.add_parser("ask", help="assess a question: programs, figures, formulas, citations")
    ask.add_argument("question", nargs="?", help="the question, in Chinese")
    ask.add_argument("--json", action="store_true", help="print the full JSON response")
    ask.add_argument("--as-of", help="judge validity on this date (YYYY-MM-DD); default today")
    ask.add_argument("--batch", metavar="FILE.jsonl", help='lines of {"id", "question", "as_of"?}; "-" reads stdin')
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="a multi-turn self-assessment in the terminal")
    chat.add_argument("--as-of", help="judge validity on this date (YYYY-MM-DD); default today")
    chat.set_defaults(func=cmd_chat)

    schema = sub.add_parser("schema", help="print the JSON Schema of the answer (`ask --json`, /ask, /chat)")
    schema.set_defaults(func=cmd_schema)

    # Listed here for --help; main() hands `bench ...` to assistant.bench.cli, which has its own options.
    sub.add_parser(
        "bench", help="benchmarks that print figures: `bench retrieval`, `bench ask`, `bench load` (see bench --help)"
    )

    from assistant.evaluation.cli import add_eval_parser

    add_eval_parser(sub)

    from assistant.onboarding.commands import add_policy_parser

    add_policy_parser(sub, _load_engine)

    officer = sub.add_parser("officer", help="help-desk officer accounts for the review console")
    officer_sub = officer.add_subparsers(dest="officer_command", required=True)
    actions = {
        "add": "create an account",
        "passwd": "set a new password (ends the officer's sessions, clears log-in throttling)",
        "disable": "stop an account from logging in and end its sessions (the password is kept)",
        "enable": "let a disabled account log in again",
        "remove": "delete an account and its sessions",
        "revoke-sessions": "end every open session of an account (it can log in again)",
    }
    officer_sub.add_parser(
        "list", help="the accounts: enabled or not, open sessions, throttled addresses"
    ).set_defaults(func=cmd_officer)
    for action, help_text in actions.items():
        command = officer_sub.add_parser(action, help=help_text)
        command.add_argument("name", help="login name: letters, digits, _ . -")
        if action in ("add", "passwd"):
            command.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from the first line of stdin (else $ASSISTANT_OFFICER_PASSWORD, "
                "else typed twice without echo)",
            )
        command.set_defaults(func=cmd_officer)
    return parser


def _load_engine(settings: Settings) -> Any:
    """Engine.load, imported only when a command answers (the policy commands' `ask`, `questions`)."""
    from assistant.answering.engine import Engine

    return Engine.load(settings)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from assistant.bench.cli import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args, Settings.from_env())
    except (UsageError, CorpusError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
