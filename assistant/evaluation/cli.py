"""`python -m assistant eval`: run the cases, write the results, hold them to the gate or compare two runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings
from assistant.evaluation.blind import format_blind, load_blind_set, run_blind, summarize_blind, write_blind_run
from assistant.evaluation.cases import DEFAULT_CASES, DEFAULT_CONFIG, DEFAULT_OUT, CaseFileError
from assistant.evaluation.dialogues import (
    format_dialogues,
    load_dialogues,
    run_dialogues,
    summarize_dialogues,
    write_dialogue_run,
)
from assistant.evaluation.gate import format_table
from assistant.evaluation.runner import compare_runs, evaluate, load_verdicts, resolve_run


def add_eval_parser(subparsers: Any) -> None:
    """Register `eval` on an argparse subparsers object; its func takes (args, settings)."""
    parser = subparsers.add_parser("eval", help="run the question set end to end; scores, report, gate")
    configure_parser(parser)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="JSONL question set (eval/cases.jsonl)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (eval/results)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="thresholds (eval/config.yaml)")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("RUN_A", "RUN_B"),
        help="print the cases whose verdict changed between two runs (dirs or ids under --out)",
    )
    parser.add_argument("--gate", action="store_true", help="exit 1 when a threshold in --config is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--blind", type=Path, metavar="DIR", help="score a blind set (eval/blind/<set>) instead")
    parser.add_argument("--dialogues", type=Path, metavar="DIR", help="run blind conversations (eval/blind/dialogues)")
    parser.add_argument(
        "--save", metavar="LABEL", help="with --blind/--dialogues: keep the run as DIR/results/LABEL.json"
    )
    parser.set_defaults(func=cmd_eval)


@dataclass(frozen=True)
class BlindSuite:
    """How one kind of blind folder is read, run, summed up, printed and kept."""

    what: str  # named in the error message
    load: Callable[[Path], list[dict[str, Any]]]
    run: Callable[[Any, list[dict[str, Any]]], list[Any]]
    summary: Callable[[list[Any]], Mapping[str, Any]]
    show: Callable[[str, Mapping[str, Any]], str]
    keep: Callable[[Path, str, list[Any]], Path]


BLIND_SETS = BlindSuite(
    "盲测集", load_blind_set, run_blind, lambda rs: summarize_blind([v for v, _ in rs]), format_blind, write_blind_run
)
DIALOGUES = BlindSuite(
    "对话测试集", load_dialogues, run_dialogues, summarize_dialogues, format_dialogues, write_dialogue_run
)


def cmd_blind(suite: BlindSuite, folder: Path, label: str | None, settings: Settings) -> int:
    """Score a blind folder and print its tables; a missing or broken one is a message, not a traceback."""
    from assistant.answering.engine import Engine

    try:
        cases = suite.load(folder)
    except (OSError, ValueError) as err:
        print(f"错误：无法读取{suite.what} {folder}：{err}", file=sys.stderr)
        return 2
    results = suite.run(Engine.load(settings), cases)
    print(suite.show(folder.name, suite.summary(results)))
    if label:
        print(f"wrote {suite.keep(folder, label, results)}")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.blind:
        return cmd_blind(BLIND_SETS, args.blind, args.save, settings)
    if args.dialogues:
        return cmd_blind(DIALOGUES, args.dialogues, args.save, settings)
    try:
        if args.compare:
            a, b = (resolve_run(name, args.out) for name in args.compare)
            changed = compare_runs(load_verdicts(a), load_verdicts(b))
            print(f"{a.name} -> {b.name}: {len(changed)} case(s) changed")
            print("\n".join(changed))
            return 0
        run_dir, summary = evaluate(args.cases, args.out, settings, args.config, progress=not args.quiet)
    except CaseFileError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    overall = summary["overall"]
    print(format_table(summary))
    print(
        f"\n{overall['passed']}/{overall['cases']} cases passed; run {summary['run_id']} in "
        f"{summary['runtime_s']:.1f} s (start-up {summary['startup_ms']:.0f} ms); wrote {run_dir}"
    )
    if args.gate:
        for line in summary["gate"]:
            print(line, file=sys.stderr)
        if summary["gate"]:
            return 1
        print("门槛全部达标 / gate passed")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.evaluation.runner [...]`: the same as `python -m assistant eval [...]`."""
    parser = argparse.ArgumentParser(prog="assistant eval", description="端到端评测：用例、指标、报告与门槛")
    configure_parser(parser)
    args = parser.parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
