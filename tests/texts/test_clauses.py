"""The clause parser on every document: spans round-trip, headings follow the text, leftovers are dropped."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.retrieval.corpus import corpus_fingerprint, library_units
from assistant.texts.clauses import ClauseKind, heading_level, parse_clauses
from assistant.texts.library import Library
from assistant.texts.policies import load_policies

SETTINGS = Settings.from_env()
POLICIES = {p.id: p for p in load_policies(SETTINGS.policies_dir)}
LIBRARY = Library(SETTINGS.policies_dir)
UNITS = library_units(LIBRARY, SETTINGS.max_unit_chars)


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_every_clause_span_round_trips_to_the_source(policy_id: str) -> None:
    policy = POLICIES[policy_id]
    clauses = parse_clauses(policy)
    assert clauses
    for c in clauses:
        assert policy.text[c.start : c.end] == c.text
    ids = [c.clause_id for c in clauses]
    assert len(ids) == len(set(ids)), "clause ids must be unique"
    # nothing of the text is lost: every non-blank character lies in some clause
    covered = bytearray(len(policy.text))
    for c in clauses:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    lost = "".join(ch for i, ch in enumerate(policy.text) if not covered[i] and not ch.isspace())
    assert lost == ""


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_heading_paths_follow_the_numbering(policy_id: str) -> None:
    for c in parse_clauses(POLICIES[policy_id]):
        if c.kind is ClauseKind.HEADING:
            level = heading_level(c.text)
            assert level is not None
            assert c.text.startswith(c.heading_path[-1].rstrip("…"))


def test_known_clauses_have_the_paths_an_officer_would_name() -> None:
    clause = LIBRARY.clauses["henan-2017-22:P4.2.8"]
    assert " › ".join(clause.heading_path) == (
        "河南省推进企业技术改造攻坚方案 › 二、重点任务 › (八)支持首台(套)重大技术装备研发和应用"
    )
    award = LIBRARY.clauses["hekou-2020-5:3.1.p1"]
    assert award.text.startswith("给予直接奖补的")
    assert award.heading_path == ("三、扶持措施", "(一)加大财政支持力度")
    # a two-line plan title in the 2016 file
    assert LIBRARY.clauses["henan-2016-action-plans:P5"].heading_path == (
        "能源原材料（煤炭及煤化工部分）工业转型发展2016年度行动计划",
    )
    # the closing sentence belongs to the whole document, not to the last heading
    closing = next(c for c in LIBRARY.clauses.values() if c.text.startswith("本意见自2020年9月21日起施行"))
    assert closing.heading_path == ()


def test_web_page_leftovers_are_not_indexed() -> None:
    leftovers = ["扫一扫在手机打开当前页", "【关闭当前页面】", "文章内容来自网络", "意见.docx", "相关阅读"]
    boiler = [c for c in LIBRARY.clauses.values() if c.kind is ClauseKind.BOILERPLATE]
    assert {any(w in c.text for c in boiler) for w in leftovers} == {True}
    for unit in UNITS:
        assert not any(w in unit.text for w in leftovers), unit.unit_id


def test_tables_stay_whole_with_their_header() -> None:
    tables = [c for c in LIBRARY.clauses.values() if c.kind is ClauseKind.TABLE]
    assert len(tables) >= 11  # ten 2016 task tables and the 济源 annex
    jiyuan = next(c for c in tables if c.policy_id == "jiyuan-2017-27")
    assert "虎岭" in jiyuan.text and "下冶" in jiyuan.text and jiyuan.text.startswith("地区")
    split = [u for u in UNITS if u.context]
    assert split
    for unit in split:  # each piece of a split table repeats its caption and header row
        caption, header = unit.context.split(" ", 1)
        assert LIBRARY.clauses[unit.clause_id].text.splitlines()[:2] == [caption, header]


def test_units_are_clause_sized_and_never_cut_mid_sentence() -> None:
    limit = SETTINGS.max_unit_chars
    for unit in UNITS:
        policy = POLICIES[unit.policy_id]
        assert policy.text[unit.start : unit.end] == unit.text
        clause = LIBRARY.clauses[unit.clause_id]
        if "~" in unit.unit_id and clause.kind is not ClauseKind.TABLE:
            ends_clause = unit.end == clause.end
            assert ends_clause or re.search(r"[。！？；;!?]$", unit.text), unit.unit_id
        assert unit.indexed_text.startswith(policy.meta.short_title)
    assert max(len(u.text) for u in UNITS if "~" not in u.unit_id) <= max(limit, 600)


def test_a_sixth_policy_needs_no_code_change(tmp_path: Path) -> None:
    shutil.copytree(SETTINGS.policies_dir / "hekou-2020-5", tmp_path / "hekou-2020-5")
    new = tmp_path / "demo-2024-1"
    new.mkdir()
    (new / "source.txt").write_text(
        "示范市关于支持技术改造的意见\n一、支持措施\n（一）设备补助。对设备投资给予5%补助。\n", encoding="utf-8"
    )
    (new / "policy.yaml").write_text(
        "id: demo-2024-1\nsource_file: demo.txt\ndoc_number: 示政〔2024〕1号\ntitle: 示范市意见\n"
        "short_title: 示范市意见\nissuer: 示范市人民政府\nissue_date: 2024-01-01\nregion: [示范省, 示范市]\n"
        "valid_from: 2024-01-01\nvalid_to: null\nvalidity_basis: 未载明\n",
        encoding="utf-8",
    )
    settings = replace(SETTINGS, policies_dir=tmp_path)
    library = Library(settings.policies_dir)
    assert "demo-2024-1:1.1" in library.clauses
    units = library_units(library, settings.max_unit_chars)
    assert any(u.policy_id == "demo-2024-1" and "5%补助" in u.text for u in units)
    before = corpus_fingerprint(settings)
    (new / "source.txt").write_text(
        "示范市关于支持技术改造的意见\n一、支持措施\n（一）设备补助。对设备投资给予6%补助。\n", encoding="utf-8"
    )
    assert corpus_fingerprint(settings) != before
