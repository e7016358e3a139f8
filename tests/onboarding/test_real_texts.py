"""The real local policies onboarded with the commands (tests/onboarding/texts/, see SOURCES.md):
each folder checks clean, its draft still reads what it read when measured, and its ten questions
with hand-computed answers are answered right by the real engine, the folder served on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.core.settings import Settings
from assistant.onboarding.check import check_folder
from assistant.onboarding.draft import draft_folder
from assistant.onboarding.questions import ask_questions, load_questions
from assistant.onboarding.trial import trial_settings
from assistant.rules.rulebook import load_vocabulary

TEXTS = Path(__file__).parent / "texts"
FOLDERS = sorted(p for p in TEXTS.iterdir() if (p / "policy.yaml").is_file())
SETTINGS = Settings.from_env()


@pytest.mark.slow  # jieba and the place table load once: about 4 s
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_each_onboarded_folder_checks_clean(folder: Path) -> None:
    report = check_folder(folder, SETTINGS)
    assert report.problems == [], "\n".join(report.lines())
    assert report.programs >= 10 and report.rows >= report.programs
    assert len(load_questions(folder)) == 10


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_the_draft_of_the_received_text_reads_one_program_per_money_sentence(folder: Path, tmp_path: Path) -> None:
    original = next(folder.glob("original.*"), folder / "source.txt")
    received = tmp_path / original.name
    shutil.copy(original, received)
    result = draft_folder(received, folder.name, tmp_path / folder.name, load_vocabulary(SETTINGS))
    assert (tmp_path / folder.name / "source.txt").read_bytes() == (folder / "source.txt").read_bytes()
    assert result.programs >= 10


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_ten_questions_with_hand_computed_answers(folder: Path) -> None:
    from assistant.answering.engine import Engine

    with trial_settings(folder, SETTINGS) as trial:
        outcomes = ask_questions(Engine.load(trial), load_questions(folder))
    wrong = [f"{o.question.id} {o.question.question}: {o.wrong}" for o in outcomes if not o.right]
    assert not wrong, "\n".join(wrong)


def test_the_maintainers_commands_try_a_folder_before_it_is_served(capsys: pytest.CaptureFixture[str]) -> None:
    """`policy ask` answers from the folder alone; `policy questions` runs its questions.jsonl."""
    folder = TEXTS / "anhui-2021-82"
    assert main(["policy", "questions", str(folder)]) == 0
    assert "10/10 个问题的答复与手算一致" in capsys.readouterr().out
    question = load_questions(folder)[0]
    assert main(["policy", "ask", str(folder), question.question, "--as-of", question.as_of.isoformat()]) == 0
    assert "可以申请" in capsys.readouterr().out
    assert main(["policy", "ask", str(folder), "能拿多少", "--as-of", "2022-13-01"]) == 2
    assert "--as-of" in capsys.readouterr().err
