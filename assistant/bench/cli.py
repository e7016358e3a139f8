"""`python -m assistant bench retrieval | ask | load | hardening`: the benchmarks' one argument parser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.bench.gold import DEFAULT_K, GoldError
from assistant.bench.retrieval import DEFAULT_GOLD, format_report, run_retrieval_benchmark
from assistant.core.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """`retrieval`, `ask` and `load`; exit 2 with a message (no traceback) for a bad gold file, model or app."""
    parser = argparse.ArgumentParser(prog="python -m assistant bench", description="Benchmarks of the assistant.")
    sub = parser.add_subparsers(dest="bench", required=True)
    retrieval = sub.add_parser("retrieval", help="our BM25 / dense / hybrid vs the Langchain-Chatchat baseline")
    retrieval.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="gold questions (JSONL)")
    retrieval.add_argument("--k", type=int, default=DEFAULT_K, help="results per query (at least 5)")
    retrieval.add_argument("--json", dest="json_out", type=Path, help="also write all figures to this JSON file")
    retrieval.add_argument("--quiet", action="store_true", help="no progress bars")
    sub.add_parser("ask", help="ask latency after start-up, without a language model (target p95 ≤ 100 ms)")
    load = sub.add_parser(
        "load", help="concurrent users on the running web app's /ask and /chat (target p95 ≤ 1 s at 8 users)"
    )
    load.add_argument("--url", help="a running app; without it `python app.py` is started on a free loopback port")
    load.add_argument("--levels", default="1,8,32", help="concurrent users per level (default 1,8,32)")
    load.add_argument("--seconds", type=float, default=60.0, help="seconds per level (default 60)")
    load.add_argument("--json", dest="json_out", type=Path, help="also write all figures to this JSON file")
    hardening = sub.add_parser(
        "hardening", help="a flood from one client vs other users' p95, a 2 MB body, memory per session and turn"
    )
    hardening.add_argument("--users", type=int, default=4, help="other users during the flood (default 4)")
    hardening.add_argument("--seconds", type=float, default=20.0, help="seconds per phase (default 20)")
    hardening.add_argument(
        "--server-sessions", type=int, default=200, help="tabs opened on the server to measure its memory (default 200)"
    )
    hardening.add_argument("--sessions", type=int, default=1000, help="sessions whose memory is split in-process")
    hardening.add_argument("--turns", type=int, default=100, help="turns of the long conversation")
    args = parser.parse_args(argv)
    if args.bench == "hardening":
        from assistant.bench.appprocess import AppDidNotStart
        from assistant.bench.hardening import format_hardening_report, run_hardening_benchmark

        if min(args.users, args.sessions, args.server_sessions) < 1 or args.turns < 20 or args.seconds <= 0:
            parser.error("--users, --server-sessions and --sessions ≥ 1, --turns ≥ 20, --seconds > 0")
        try:
            result = run_hardening_benchmark(args.users, args.seconds, args.server_sessions, args.turns, args.sessions)
        except AppDidNotStart as err:
            print(f"benchmark not run: {err}", file=sys.stderr)
            return 2
        print(format_hardening_report(result))
        return 0
    if args.bench == "ask":
        from assistant.bench.ask import print_ask_benchmark, run_ask_benchmark

        print_ask_benchmark(run_ask_benchmark(Settings.from_env()))
        return 0
    if args.bench == "load":
        from assistant.bench.appprocess import AppDidNotStart
        from assistant.bench.load import format_load_report, parse_levels, run_load_benchmark, write_json

        try:
            levels = parse_levels(args.levels)
        except ValueError as err:
            parser.error(str(err))
        if args.seconds <= 0:
            parser.error("--seconds must be positive")
        try:
            load_result = run_load_benchmark(args.url, levels, args.seconds)
        except AppDidNotStart as err:
            print(f"benchmark not run: {err}", file=sys.stderr)
            return 2
        print(format_load_report(load_result))
        if args.json_out:
            write_json(load_result, args.json_out)
        return 0
    if args.k < 5:
        parser.error("--k must be at least 5 (hit@5 is reported)")
    try:
        result = run_retrieval_benchmark(args.gold, Settings.from_env(), k=args.k, progress=not args.quiet)
    except (GoldError, RuntimeError) as err:
        print(f"benchmark not run: {err}", file=sys.stderr)
        return 2
    print(format_report(result))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
