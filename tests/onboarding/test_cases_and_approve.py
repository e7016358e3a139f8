"""`policy cases` proposes boundary rows; `policy approve` records who approved a program, and only
an approved program is used for answers."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from assistant.cli import main
from assistant.core.settings import Settings
from assistant.onboarding.approve import approve
from assistant.onboarding.check import check_folder
from assistant.onboarding.folder import FolderError
from assistant.onboarding.questions import FolderQuestion
from assistant.rules.rulebook import build_rulebook

SETTINGS = Settings.from_env()
TEXT = """德清县人民政府关于支持工业企业发展的若干措施
德清县人民政府
2024年3月1日
一、支持措施
（一）技术改造。对总投资500万元以上的项目，按设备投资额的10%给予补助，单个项目最高不超过100万元。
（二）用地。对新建厂房按每亩5000元给予补助。
本措施自2024年4月1日起施行，有效期至2026年12月31日。
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("approve")
    (root / "deqing.txt").write_text(TEXT, encoding="utf-8")
    out = root / "policies" / "deqing-2024-1"
    assert main(["policy", "draft", str(root / "deqing.txt"), "--id", "deqing-2024-1", "--out", str(out)]) == 0
    return out


def test_boundary_rows_sit_on_both_sides_of_each_threshold_cap_and_date(folder: Path) -> None:
    assert main(["policy", "cases", str(folder)]) == 0
    rows = yaml.safe_load((folder / "cases.draft.yaml").read_text(encoding="utf-8"))["cases"]
    tech = {r["name"].split("：", 1)[1]: r for r in rows if r["name"].startswith("deqing-2024-1-01")}
    at, below = tech["总投资 5000000（“以上”边界上）"], tech["总投资 4999999.99（差一分）"]
    assert at["expect"]["deqing-2024-1-01"]["status"] == "eligible"
    assert below["expect"]["deqing-2024-1-01"] == {"status": "ineligible", "failed": ["threshold-1"]}
    cap = tech["设备投资（含工艺包和软件） 10000000.00：恰好达到上限"]
    assert cap["expect"]["deqing-2024-1-01"]["amount"] == "1000000.00"
    assert tech["期满次日 2027-01-01"]["expect"]["deqing-2024-1-01"]["status"] == "expired"
    assert tech["施行前一天 2024-03-31"]["as_of"] == "2024-03-31"
    questions = (folder / "questions.draft.jsonl").read_text(encoding="utf-8").splitlines()
    assert any("浙江省湖州市德清县的企业，总投资500万" in q for q in questions)
    # the skeletons are in the questions.jsonl format: a maintainer moves the confirmed lines over
    assert [FolderQuestion.model_validate_json(q) for q in questions]


@pytest.mark.slow  # the first check in a process loads jieba and the place table (about 3 s)
def test_a_program_with_problems_cannot_be_approved(folder: Path) -> None:
    with pytest.raises(FolderError, match="doc_number 待核实：原文未见文号"):
        approve(folder, "deqing-2024-1-01", "张三", SETTINGS)
    meta = folder / "policy.yaml"  # the maintainer confirms the text has no number: null stays, the note goes
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.index("review:")] + "review: {}\n", encoding="utf-8")
    with pytest.raises(FolderError, match="项目 deqing-2024-1-01 没有测试行"):
        approve(folder, "deqing-2024-1-01", "张三", SETTINGS)
    with pytest.raises(FolderError, match="--by 请写审核人"):
        approve(folder, "deqing-2024-1-01", "张 三", SETTINGS)


def test_an_approved_program_records_who_and_when_and_is_then_served(folder: Path, tmp_path: Path) -> None:
    rows = yaml.safe_load((folder / "cases.draft.yaml").read_text(encoding="utf-8"))["cases"]
    mine = [r for r in rows if r["name"].startswith("deqing-2024-1-01")]
    (folder / "cases.yaml").write_text(yaml.safe_dump({"cases": mine}, allow_unicode=True), encoding="utf-8")
    approve(folder, "deqing-2024-1-01", "张三", SETTINGS, today=date(2026, 12, 1))
    program = next(
        p
        for p in yaml.safe_load((folder / "programs.yaml").read_text(encoding="utf-8"))["programs"]
        if p["id"] == "deqing-2024-1-01"
    )
    assert (program["review"], program["approved_by"], program["approved_on"]) == (
        "approved",
        "张三",
        date(2026, 12, 1),
    )
    text = (folder / "programs.yaml").read_text(encoding="utf-8")
    assert "# 草稿" in text  # the file's comments stay
    assert "  review: approved\n  approved_by: 张三\n  approved_on: 2026-12-01\n" in text
    served = tmp_path / "policies"
    shutil.copytree(folder, served / folder.name)
    shutil.copy(SETTINGS.policies_dir.parent / "vocabulary.yaml", tmp_path / "vocabulary.yaml")
    book = build_rulebook(replace(SETTINGS, policies_dir=served))
    assert sorted(book.programs) == ["deqing-2024-1-01"]  # 02 is still a draft
    with pytest.raises(FolderError, match="不是待审核状态"):
        approve(folder, "deqing-2024-1-01", "张三", SETTINGS)

    # edited after approval: no longer what 张三 vouched for, so not served and reported until approved again
    programs = folder / "programs.yaml"
    data = yaml.safe_load(text)
    first = next(p for p in data["programs"] if p["id"] == "deqing-2024-1-01")
    programs.write_text(text.replace(f"title: {first['title']}", f"title: {first['title']}（改）", 1), encoding="utf-8")
    shutil.copy(programs, served / folder.name / "programs.yaml")
    assert sorted(build_rulebook(replace(SETTINGS, policies_dir=served)).programs) == []
    assert any("审核（张三，2026-12-01）之后改动过" in line for line in check_folder(folder, SETTINGS).lines())
    approve(folder, "deqing-2024-1-01", "李四", SETTINGS, today=date(2026, 12, 2))
    again = programs.read_text(encoding="utf-8")
    assert "  review: approved\n  approved_by: 李四\n  approved_on: 2026-12-02\n  approved_hash: '" in again
    assert again.count("approved_by:") == 1  # the old record is replaced, not kept beside


def test_a_head_count_boundary_is_one_person_apart(tmp_path: Path) -> None:
    """大连: 员工人数不少于50人 → rows at 50 and 49 people, not 49.99."""
    folder = tmp_path / "dalian-fdi"
    shutil.copytree(Path(__file__).parent / "texts" / "dalian-fdi", folder)
    assert main(["policy", "cases", str(folder)]) == 0
    rows = yaml.safe_load((folder / "cases.draft.yaml").read_text(encoding="utf-8"))["cases"]
    staff = [
        r["facts"]["amounts"]["dl_staff"] for r in rows if r["name"].startswith("dalian-fdi-10") and "（" in r["name"]
    ]
    assert sorted({Decimal(str(v)) for v in staff}) == [Decimal(49), Decimal(50)]
