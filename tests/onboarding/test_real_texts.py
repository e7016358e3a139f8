"""The real local policies onboarded with the commands (tests/onboarding/texts/, see SOURCES.md):
each folder checks clean, its draft still reads what it read when measured, and its ten questions
with hand-computed answers are answered right by the real engine, the folder served on its own."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.onboarding.check import check_folder
from assistant.onboarding.draft import draft_folder
from assistant.onboarding.questions import ask_questions, load_questions
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
def test_ten_questions_with_hand_computed_answers(folder: Path, tmp_path: Path) -> None:
    from assistant.answering.engine import Engine

    served = tmp_path / "policies"
    shutil.copytree(folder, served / folder.name)
    for name in ("vocabulary.yaml", "lpr.yaml", "synonyms.yaml"):
        shutil.copy(SETTINGS.policies_dir.parent / name, tmp_path / name)
    settings = replace(SETTINGS, policies_dir=served, build_dir=tmp_path / "build", embedding_model="bm25")
    outcomes = ask_questions(Engine.load(settings), load_questions(folder))
    wrong = [f"{o.question.id} {o.question.question}: {o.wrong}" for o in outcomes if not o.right]
    assert not wrong, "\n".join(wrong)
