"""Blind dialogues: conversations run against a simulated user, scored as a user would judge them.

`python -m assistant eval --dialogues eval/blind/dialogues [--save LABEL]`

Each case (eval/blind/dialogues/cases.jsonl, written from the policy texts by someone who never saw
the code) gives an opening message, the program the user asks about (`focus`), what the user knows
(`user_knows`: short replies, found by words the assistant's question would contain) and optional
later messages (`script`; "reset" is the user starting a new conversation). The simulated user
answers each follow-up question it recognises, as briefly as people do ("300万", "是", "没有",
"不清楚"), until the program in focus is settled or it is asked something it does not know.

Scored: the final outcome for the program in focus (status, figure, nothing offered that the user
declined), and the figures of the dialogue issue: turns to the first figure, whether the first
follow-up asks about the program in focus, whether the answer leads with it, and how many programs
the answer shows (in all, and not folded under "其他可能适用的政策"). These are read on the answer to
the user's first question about the program in focus (`focus_answer`), which is the opening except
where the case says otherwise: a fact question first (kind fact_then_assessment), or a new
conversation whose question the focus belongs to. The lead share on the conversation's very first
answer is kept beside it, as earlier runs reported it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.api_models import Answer
from assistant.answering.conversation import Conversation
from assistant.evaluation.blind import matching_programs
from assistant.evaluation.runner import git_hash

MAX_REPLIES = 6  # follow-ups the simulated user answers before giving up


@dataclass
class DialogueRun:
    """One conversation as it went: every answer, and what the simulated user could not answer."""

    case: Mapping[str, Any]
    answers: list[dict[str, Any]] = field(default_factory=list)
    unanswered: str | None = None  # the first follow-up the user did not recognise
    failures: list[str] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)  # indexes in `answers` of the user's own messages
    reset_at: int | None = None  # index in `asked` of the first message after the last "reset"

    def focus_answer(self) -> dict[str, Any]:
        """The answer to the user's first question about the program in focus: after a reset the new
        conversation's first; in a fact-then-assessment case the first assessment; else the opening's."""
        if self.reset_at is not None and self.reset_at < len(self.asked):
            return self.answers[self.asked[self.reset_at]]
        if self.case["kind"] == "fact_then_assessment" and len(self.asked) > 1:
            return self.answers[self.asked[1]]
        return self.answers[0]


def load_dialogues(folder: Path) -> list[dict[str, Any]]:
    lines = (Path(folder) / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _focus(answer: Mapping[str, Any], case: Mapping[str, Any], book: Any) -> list[Mapping[str, Any]]:
    focus = case["focus"]
    return matching_programs(answer, focus["doc"], focus["quote_has"], book)


def _settled(answer: Mapping[str, Any], case: Mapping[str, Any], book: Any) -> bool:
    found = _focus(answer, case, book)
    return bool(found) and all(p["status"] != "needs_info" for p in found)


def _reply(question: str | None, knows: Sequence[Mapping[str, Any]], used: set[int]) -> tuple[int, str] | None:
    """The user's answer to a follow-up: the first fact they know whose words the question contains."""
    if not question:
        return None
    for i, entry in enumerate(knows):
        if i not in used and any(word in question for word in entry["about"]):
            return i, entry["reply"]
    return None


def run_dialogue(engine: Any, case: Mapping[str, Any]) -> DialogueRun:
    run = DialogueRun(case)
    conversation = Conversation(engine, date.fromisoformat(case["as_of"]))
    used: set[int] = set()

    def say(text: str) -> None:
        answer: Answer = conversation.ask(text)
        run.answers.append(answer.to_json())

    def ask(text: str) -> None:
        run.asked.append(len(run.answers))
        say(text)

    def answer_follow_ups() -> None:
        for _ in range(MAX_REPLIES):
            last = run.answers[-1]
            if _settled(last, case, engine.book):
                return
            reply = _reply(last.get("follow_up"), case["user_knows"], used)
            if reply is None:
                run.unanswered = run.unanswered or last.get("follow_up")
                return
            used.add(reply[0])
            say(reply[1])

    ask(case["opening"])
    answer_follow_ups()
    for message in case.get("script") or []:
        if message == "reset":
            conversation.reset()
            used.clear()
            run.reset_at = len(run.asked)
            continue
        ask(message)
        answer_follow_ups()
    return run


def judge_dialogue(run: DialogueRun, book: Any) -> list[str]:
    """The final outcome checked against the case; the list of what is wrong (empty when right)."""
    expect, final = run.case["expect"], run.answers[-1]
    fails: list[str] = []
    want = expect["final"]
    found = matching_programs(final, want["doc"], want["quote_has"], book)
    fits = [p for p in found if p["status"] == want["status"]]
    if "amount_yuan" in want:
        fits = [
            p for p in fits if p.get("amount_yuan") is not None and abs(p["amount_yuan"] - want["amount_yuan"]) < 0.01
        ]
    if not fits and not (want["status"] == "ineligible" and not found):
        got = ", ".join(f"{p['status']} {p.get('amount_yuan')}" for p in found) or "not in the answer"
        fails.append(f"focus: expected {want['status']} {want.get('amount_yuan', '')}, got {got}")
    if "max_amount_yuan" in expect:
        over = [
            p
            for p in final.get("programs") or []
            if p["status"] == "eligible" and (p.get("amount_yuan") or 0) > expect["max_amount_yuan"] + 0.01
        ]
        fails += [f"{p['program_id']}: {p['amount_yuan']} above {expect['max_amount_yuan']}" for p in over]
    for declined in expect.get("not_offered") or []:
        for p in matching_programs(final, declined["doc"], declined["quote_has"], book):
            if p["status"] == "eligible":
                fails.append(f"{p['program_id']}: offered although the user declined it")
    if "as_of_used" in expect and final.get("as_of") != expect["as_of_used"]:
        fails.append(f"as_of: expected {expect['as_of_used']}, used {final.get('as_of')}")
    for figure in expect.get("changed") or []:
        if not any(figure in (a.get("answer") or "") for a in run.answers[1:]):
            fails.append(f"the change is not said: {figure}")
    return fails


def dialogue_figures(run: DialogueRun, book: Any) -> dict[str, Any]:
    """The dialogue issue's figures for one conversation, read on the answer to its first question
    about the program in focus (`DialogueRun.focus_answer`)."""
    asked = run.focus_answer()
    focus_asked = _focus(asked, run.case, book)
    programs = asked.get("programs") or []
    figure_turn = next(
        (
            i + 1
            for i, a in enumerate(run.answers)
            if any(p["status"] == "eligible" and p.get("amount_yuan") for p in _focus(a, run.case, book))
        ),
        None,
    )
    on_focus = None
    if asked.get("follow_up") and focus_asked and focus_asked[0]["status"] == "needs_info":
        labels = _missing_labels(focus_asked[0], book)
        on_focus = any(label in asked["follow_up"] for label in labels)
    return {
        "turns_to_first_figure": figure_turn,
        "first_follow_up_on_focus": on_focus,
        "first_program_is_focus": _leads(asked, run.case, book),
        "very_first_answer_leads": _leads(run.answers[0], run.case, book),
        "focus_in_first_answer": bool(focus_asked),
        "programs_shown": len(programs),
        "programs_unfolded": len(programs) - len((asked.get("other_programs") or {}).get("program_ids") or []),
    }


def _leads(answer: Mapping[str, Any], case: Mapping[str, Any], book: Any) -> bool:
    programs, focus = answer.get("programs") or [], _focus(answer, case, book)
    return bool(programs) and bool(focus) and programs[0]["program_id"] == focus[0]["program_id"]


def _missing_labels(program: Mapping[str, Any], book: Any) -> list[str]:
    vocab, out = book.vocabulary, []
    for name in program.get("missing") or []:
        if name in vocab.amount_roles:
            out.append(vocab.amount_roles[name].label)
        elif name in vocab.tags:
            out.append(vocab.tags[name].label)
        else:
            out.append({"place": "地区", "level": "级别"}.get(name, name))
    return out


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def summarize_dialogues(runs: Sequence[tuple[DialogueRun, dict[str, Any]]]) -> dict[str, Any]:
    right = sum(not r.failures for r, _ in runs)
    figures = [f for _, f in runs]
    turns = [f["turns_to_first_figure"] for f in figures if f["turns_to_first_figure"]]
    on_focus = [f["first_follow_up_on_focus"] for f in figures if f["first_follow_up_on_focus"] is not None]
    by_kind: dict[str, list[int]] = {}
    for r, _ in runs:
        by_kind.setdefault(r.case["kind"], []).append(int(not r.failures))
    return {
        "cases": len(runs),
        "right": right,
        "share_right": round(right / len(runs), 3) if runs else None,
        "median_turns_to_first_figure": statistics.median(turns) if turns else None,
        "reached_a_figure": len(turns),
        "share_first_follow_up_on_focus": round(sum(on_focus) / len(on_focus), 3) if on_focus else None,
        "share_first_program_is_focus": _share([f["first_program_is_focus"] for f in figures]),
        "share_very_first_answer_leads": _share([f["very_first_answer_leads"] for f in figures]),
        # The same share among first answers that show the program in focus at all (not a fact answer,
        # not a conversation whose program in focus is the one after a reset).
        "share_first_program_is_focus_where_shown": _share(
            [f["first_program_is_focus"] for f in figures if f["focus_in_first_answer"]]
        ),
        "median_programs_shown": statistics.median(f["programs_shown"] for f in figures) if figures else None,
        "median_programs_unfolded": statistics.median(f["programs_unfolded"] for f in figures) if figures else None,
        "by_kind": {k: {"cases": len(v), "right": sum(v)} for k, v in sorted(by_kind.items())},
    }


def run_dialogues(engine: Any, cases: Sequence[Mapping[str, Any]]) -> list[tuple[DialogueRun, dict[str, Any]]]:
    out = []
    for case in cases:
        run = run_dialogue(engine, case)
        run.failures = judge_dialogue(run, engine.book)
        out.append((run, dialogue_figures(run, engine.book)))
    return out


def format_dialogues(name: str, summary: Mapping[str, Any]) -> str:
    s = summary
    lines = [
        f"{name}: {s['right']}/{s['cases']} conversations right ({s['share_right']:.1%})",
        f"  reached a figure for the program in focus: {s['reached_a_figure']}, median turns {s['median_turns_to_first_figure']}",
        f"  first follow-up about the program in focus: {s['share_first_follow_up_on_focus']}",
        f"  the answer to the first question about it leads with it: {s['share_first_program_is_focus']}",
        f"  … of those answers that show it: {s['share_first_program_is_focus_where_shown']}",
        f"  the conversation's very first answer leads with it: {s['share_very_first_answer_leads']}",
        f"  programs shown in the first answer (median): {s['median_programs_shown']}",
        f"  of them not folded under 其他可能适用的政策 (median): {s['median_programs_unfolded']}",
    ]
    lines += [f"  {kind:<22} {row['right']}/{row['cases']}" for kind, row in s["by_kind"].items()]
    return "\n".join(lines)


def write_dialogue_run(folder: Path, label: str, runs: Sequence[tuple[DialogueRun, dict[str, Any]]]) -> Path:
    record = {
        "label": label,
        "commit": git_hash(),
        "summary": summarize_dialogues(runs),
        "failed": [
            {
                "id": r.case["id"],
                "kind": r.case["kind"],
                "failures": r.failures,
                "unanswered": r.unanswered,
                "turns": [a.get("question") for a in r.answers],
            }
            for r, _ in runs
            if r.failures
        ],
    }
    path = Path(folder) / "results" / f"{label}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
