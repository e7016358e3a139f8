"""The blind-set scorer: what counts as right, and what as confidently wrong, on hand-made answers."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from assistant.core.settings import REPO_ROOT, Settings
from assistant.evaluation.blind import judge_blind
from assistant.rules.rulebook import load_rulebook

BOOK = load_rulebook(Settings.from_env())
PHRASE = "按照实际设备投资额"  # in the quotes of hekou-direct-award


def answer(status: str, amount: float | None) -> dict[str, Any]:
    program = {
        "program_id": "hekou-direct-award",
        "policy": {"id": "hekou-2020-5"},
        "status": status,
        "amount_yuan": amount,
        "citations": [],
    }
    return {"programs": [program], "answer": "", "kind": "assessment", "follow_up": None}


def case(**expect: Any) -> dict[str, Any]:
    return {"id": "t", "category": "calculation", "expect": expect}


EXPECT_180K = {"programs": [{"doc": "hekou-2020-5", "quote_has": PHRASE, "status": "eligible", "amount_yuan": 180000}]}
EXPECT_ASK = {"programs": [{"doc": "hekou-2020-5", "quote_has": PHRASE, "status": "needs_info"}]}
EXPECT_NO = {"programs": [{"doc": "hekou-2020-5", "quote_has": PHRASE, "status": "ineligible"}]}


@pytest.mark.parametrize(
    ("expect", "got", "right", "confident_wrong"),
    [
        (EXPECT_180K, answer("eligible", 180000.0), True, False),
        (EXPECT_180K, answer("eligible", 180000.01), True, False),  # a cent of tolerance, no more
        (EXPECT_180K, answer("eligible", 180000.02), False, True),  # a wrong figure offered
        (EXPECT_180K, answer("needs_info", None), False, False),  # asked although it could tell: wrong, not dangerous
        (EXPECT_ASK, answer("eligible", 180000.0), False, True),  # a figure where it should have asked
        (EXPECT_NO, {"programs": [], "answer": "", "kind": "out_of_scope"}, True, False),  # left out: misleads no one
        ({"no_eligible_amount": True}, answer("eligible", 50000.0), False, True),
        ({"max_amount_yuan": 100000}, answer("eligible", 100000.0), True, False),
    ],
)
def test_right_and_confidently_wrong(
    expect: dict[str, Any], got: dict[str, Any], right: bool, confident_wrong: bool
) -> None:
    verdict = judge_blind(case(**expect), got, BOOK)
    assert verdict.ok is right and bool(verdict.confident_wrong) is confident_wrong, verdict


def test_a_missing_blind_folder_is_a_message_not_a_traceback(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "eval", "--blind", str(tmp_path / "none")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "无法读取盲测集" in done.stderr and "Traceback" not in done.stderr
