"""Where the enterprise is: the table's name rules on a tiny tree, then questions read with the real
table (tests/reading/data/places.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.settings import Settings
from assistant.reading.place_table import PlaceTable, build_table
from assistant.reading.places import place_words, read_place
from assistant.rules.rulebook import load_rulebook

DATA = yaml.safe_load((Path(__file__).parent / "data" / "places.yaml").read_text(encoding="utf-8"))
VOCAB = load_rulebook(Settings.from_env()).vocabulary

TREE = {
    "山东省": {
        "_full_name": "山东省",
        "_alias": "山东",
        "东营市": {
            "_full_name": "东营市",
            "_alias": ["东营"],
            "河口区": {"_full_name": "河口区", "_alias": "河口"},
            "东营经济技术开发区": {"_full_name": "东营经济技术开发区", "_alias": "经开区"},
            "东营港经济开发区": {"_full_name": "东营港经济开发区", "_alias": "东营港"},
        },
    },
    "北京市": {
        "_full_name": "北京市",
        "_alias": "北京",
        "北京市": {"_full_name": "北京市", "城区": {"_full_name": "城区"}},
    },
    "河南省": {
        "_full_name": "河南省",
        "_alias": "河南",
        "省直辖行政区划": {"_full_name": "省直辖行政区划", "济源市": {"_full_name": "济源市", "_alias": "济源"}},
    },
    "云南省": {
        "_full_name": "云南省",
        "红河哈尼族彝族自治州": {"_full_name": "红河哈尼族彝族自治州", "_alias": ["红河"]},
    },
}


def _paths(table: PlaceTable, name: str, anywhere: bool) -> set[str]:
    return {u.path for u in (table.anywhere if anywhere else table.after_parent).get(name, set())}


@pytest.mark.parametrize(
    ("name", "anywhere", "paths"),
    [
        ("河口区", True, {"山东省东营市河口区"}),  # a full name, anywhere
        ("河口", True, set()),  # a county's two-character short name: not on its own
        ("河口", False, {"山东省东营市河口区"}),  # only right after a place above it
        ("东营", True, {"山东省东营市"}),  # a city's short name, anywhere
        ("山东", True, {"山东省"}),
        ("东营港", True, {"山东省东营市东营港经济开发区"}),  # three characters: anywhere
        ("经开区", True, set()),  # a kind of zone, not one place
        ("经开区", False, {"山东省东营市东营经济技术开发区"}),
        ("济源", True, {"河南省济源市"}),  # 省直辖行政区划 is skipped: a city under the province, read anywhere
        ("济源市", True, {"河南省济源市"}),
        ("省直辖行政区划", True, set()),
        ("北京市", True, {"北京市"}),  # a municipality's city repeats it: one unit
        ("城区", True, set()),  # one character and 区 names no place
        ("红河州", True, {"云南省红河哈尼族彝族自治州"}),  # how autonomous prefectures are written
    ],
)
def test_which_names_the_table_reads_where(name: str, anywhere: bool, paths: set[str]) -> None:
    assert _paths(build_table(TREE), name, anywhere) == paths


@pytest.mark.parametrize("case", DATA["read"], ids=[c["q"] for c in DATA["read"]])
def test_reads_the_enterprise_place(case: dict) -> None:
    got = read_place(case["q"], VOCAB)
    assert got.place == case["place"], (got.notes, got.errors)
    notes = " ".join(got.notes)
    assert all(phrase in notes for phrase in case.get("notes", [])), got.notes
    assert not any(phrase in notes for phrase in case.get("notes_lack", [])), got.notes
    if "error" in case:
        assert any(case["error"] in e for e in got.errors), got.errors
    else:
        assert got.errors == []
    if got.place is not None:
        assert got.mention is not None and got.mention in case["q"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("河南洛阳的企业，能拿济源那个奖励吗", ["河南", "洛阳", "济源"]),
        ("东营垦利", ["东营", "垦利"]),
        ("新建项目的合作单位", []),
    ],
)
def test_place_words_are_the_names_written(text: str, words: list[str]) -> None:
    assert place_words(text, VOCAB) == words
