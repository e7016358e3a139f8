"""A policy folder's own vocabulary.yaml adds what only its rules use, and may not redefine a shared word."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.rules.rulebook import load_vocabulary, with_folder_vocabularies

SHARED = load_vocabulary(Settings.from_env())


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocabulary.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_folder_adds_its_own_amount_roles_and_tags(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "a",
        "amount_roles:\n  rent: {label: 年租金, cues: [年租金, 房租], unit: 元}\n"
        "tags:\n  gem_ipo: {label: 创业板上市, phrases: [创业板上市]}\n",
    )
    merged = with_folder_vocabularies(SHARED, [folder, tmp_path / "no-vocabulary"])
    assert merged.amount_roles["rent"].cues == ["年租金", "房租"]
    assert merged.tags["gem_ipo"].phrases == ["创业板上市"]
    assert "rent" not in SHARED.amount_roles  # the shared vocabulary itself is untouched


def test_a_shared_word_may_not_be_redefined(tmp_path: Path) -> None:
    name = next(iter(SHARED.amount_roles))
    folder = write(tmp_path / "b", f"amount_roles:\n  {name}: {{label: 别的意思, cues: [别的]}}\n")
    with pytest.raises(ValueError, match=f"amount role '{name}' is already defined"):
        with_folder_vocabularies(SHARED, [folder])


def test_two_folders_may_share_a_word_only_with_the_same_meaning(tmp_path: Path) -> None:
    same = "amount_roles:\n  rent: {label: 年租金, cues: [年租金]}\n"
    a, b = write(tmp_path / "a", same), write(tmp_path / "b", same)
    assert with_folder_vocabularies(SHARED, [a, b]).amount_roles["rent"].label == "年租金"
    c = write(tmp_path / "c", "amount_roles:\n  rent: {label: 月租金, cues: [月租金]}\n")
    with pytest.raises(ValueError, match="rent"):
        with_folder_vocabularies(SHARED, [a, c])


def test_a_folder_names_the_short_name_of_its_own_place(tmp_path: Path) -> None:
    from assistant.reading.places import read_place

    folder = write(tmp_path / "d", "places:\n  浙江省湖州市德清县: [德清]\n")
    assert read_place("我们是德清的企业，能拿多少？", SHARED).place != "浙江省湖州市德清县"
    merged = with_folder_vocabularies(SHARED, [folder])
    assert read_place("我们是德清的企业，能拿多少？", merged).place == "浙江省湖州市德清县"
