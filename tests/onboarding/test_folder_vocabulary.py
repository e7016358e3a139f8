"""A policy folder's own vocabulary.yaml adds what only its rules use, and may not redefine a shared word."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.rules.rulebook import load_vocabulary, with_folder_vocabularies
from assistant.texts.policies import CorpusError

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
    with pytest.raises(CorpusError, match=f"金额名 {name} 已在共用词表或另一项政策里用别的说法定义过"):
        with_folder_vocabularies(SHARED, [folder])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "amount_roles:\n  visits: {label: 接待人次, cues: [人次], unit: 人次}\n",
            "字段 amount_roles.visits.unit：单位“人次”不可用",
        ),
        ("amount_roles:\n  rent: {label: 年租金, cue: [房租]}\n", "字段 amount_roles.rent.cue：不是可用的字段名"),
        ("amount_roles: [年租金\n", "不是有效的 YAML"),
    ],
)
def test_a_wrong_vocabulary_is_a_chinese_error_naming_the_field(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(CorpusError, match=says.replace(".", r"\.")):
        with_folder_vocabularies(SHARED, [write(tmp_path / "d", text)])


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
