"""Traditional characters are read as simplified ones, and simplified text is left exactly as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.reading.script import simplified

SETTINGS = Settings.from_env()


@pytest.mark.parametrize(
    "typed,read",
    [
        ("總投資800萬,設備500萬,沒拿上級資金,選直接獎補", "总投资800万,设备500万,没拿上级资金,选直接奖补"),
        ("我們在濟源，已認定為國家級", "我们在济源，已认定为国家级"),
        ("覆盖面显著提高", "覆盖面显著提高"),  # 覆, 著 are simplified characters too: untouched
    ],
)
def test_traditional_characters_read_as_simplified(typed: str, read: str) -> None:
    assert simplified(typed) == read


def test_the_rules_and_the_vocabulary_are_unchanged() -> None:
    """Everything the reader matches against (rule quotes and phrases, the vocabulary) is simplified
    already: converting it changes nothing."""
    files = [
        *Path(SETTINGS.policies_dir).glob("*/programs.yaml"),
        Path(SETTINGS.policies_dir).parent / "vocabulary.yaml",
    ]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert simplified(text) == text, path
