"""The clause parser on the numbering real local policies use, and `policy outline` on a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_folders import write_folder

from assistant.cli import main
from assistant.onboarding.folder import open_policy
from assistant.onboarding.outline import outline_lines
from assistant.texts.clauses import ClauseKind, heading_level, looks_like_heading, parse_clauses

ARTICLES = """示范县关于支持工业发展的若干措施
第一章 总则
第一条 为推动工业高质量发展，制定本措施。
第二章 支持措施
第五条 对总投资500万元以上的技术改造项目，按设备投资的6%给予补助。
单个项目最高不超过100万元。
第十二条【首台套奖励】
对认定的首台（套）装备，给予一次性奖励50万元。
第二十六条 本措施自2024年1月1日起施行。
"""


@pytest.mark.parametrize(
    "line,expected",
    [
        ("第一章 总则", (1, 1)),
        ("第 三 章 附则", (1, 3)),
        ("一、总体要求", (2, 1)),
        ("二 、支持措施", (2, 2)),  # a space before 、 is still a heading
        ("十二\u3000、保障", (2, 12)),  # a full-width blank too
        ("第五条 对……", (3, 5)),
        ("第二十六条", (3, 26)),
        ("第一百零五条 附则", (3, 105)),
        ("第12条 补助", (3, 12)),
        ("（ 一 ）加大支持", (4, 1)),
        ("1 .设备", (5, 1)),
        ("（ 2 ）软件", (6, 2)),
        ("第五条规定的项目", (3, 5)),
        ("对第五条所列项目", None),
    ],
)
def test_heading_markers_and_their_numbers(line: str, expected: tuple[int, int] | None) -> None:
    assert heading_level(line) == expected


def test_articles_are_a_level_with_their_number_in_the_id_and_path(tmp_path: Path) -> None:
    policy = open_policy(write_folder(tmp_path, ARTICLES)).policy
    clauses = {c.clause_id.split(":")[1]: c for c in parse_clauses(policy)}
    assert clauses["ch2.art5"].kind is ClauseKind.HEADING
    assert clauses["ch2.art5"].heading_path == ("第二章 支持措施", "第五条")
    assert clauses["ch2.art5.p1"].text == "单个项目最高不超过100万元。"
    assert clauses["ch2.art5.p1"].heading_path == ("第二章 支持措施", "第五条")
    assert clauses["ch2.art12"].heading_path[-1] == "第十二条【首台套奖励】"
    assert clauses["ch2.art12.p1"].text.startswith("对认定的首台（套）装备")
    assert clauses["ch2.art12.p1"].heading_path == ("第二章 支持措施", "第十二条【首台套奖励】")
    assert "ch2.art26" in clauses


def test_a_spaced_marker_gives_the_paragraphs_under_it_their_heading(tmp_path: Path) -> None:
    text = "示范意见\n一、总体要求\n做好工作。\n二 、支持措施\n对技改项目给予补助。\n"
    policy = open_policy(write_folder(tmp_path, text)).policy
    award = next(c for c in parse_clauses(policy) if c.text.startswith("对技改"))
    assert award.clause_id == "demo-2024-1:2.p1"
    assert award.heading_path == ("二 、支持措施",)


def test_a_tab_after_the_marker_is_a_heading_and_a_spaced_fujie_is_the_next_section(tmp_path: Path) -> None:
    """A page copy writes "一、\t强化…" (not a table row) and "附  则" alone after the last numbered section."""
    text = (
        "示范意见\n一、\t强化创新\n1.对新产品给予补助10万元。\n二、\t发展数字经济\n1.对平台给予奖励50万元。\n"
        "附  则\n1.本政策自印发之日起施行。\n"
    )
    clauses = {c.clause_id.split(":")[1]: c for c in parse_clauses(open_policy(write_folder(tmp_path, text)).policy)}
    assert clauses["1"].kind is ClauseKind.HEADING and clauses["1.1"].heading_path == (
        "一、\t强化创新",
        "1.对新产品给予补助10万元",
    )
    assert clauses["3"].heading_path == ("附  则",)
    assert clauses["3.1"].heading_path == ("附  则", "1.本政策自印发之日起施行")


@pytest.mark.parametrize("line", ["一．总体要求", "一）加大支持", "第三部分 保障措施", "二 是加强领导", "1)设备"])
def test_lines_that_only_look_like_headings_are_flagged(line: str) -> None:
    assert looks_like_heading(line)


@pytest.mark.parametrize(
    "line", ["一、总体要求", "第五条 补助", "对技改项目给予补助。", "2024年起施行", "一是加强领导"]
)
def test_headings_and_prose_are_not_flagged(line: str) -> None:
    assert not looks_like_heading(line)


def test_outline_lists_ids_article_numbers_and_skipped_headings(tmp_path: Path) -> None:
    text = ARTICLES + "一．附则说明\n本措施由县工信局负责解释。\n"
    lines = outline_lines(open_policy(write_folder(tmp_path, text)).policy)
    joined = "\n".join(lines)
    assert "ch2.art12  标题  第十二条【首台套奖励】" in joined
    warnings = [line for line in lines if line.startswith("警告")]
    assert len(warnings) == 1 and "source.txt 第10行“一．附则说明”" in warnings[0]


def test_outline_command_says_in_chinese_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "empty-1"
    folder.mkdir()
    (folder / "source.txt").write_text("一、总则\n", encoding="utf-8")
    assert main(["policy", "outline", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "policy.yaml 不存在" in err and "Traceback" not in err
