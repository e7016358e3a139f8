"""`assistant policy draft`: the figures a money sentence states, policy.yaml from the text, and a
draft folder whose programs answer nobody until approved."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from assistant.cli import main
from assistant.core.settings import Settings
from assistant.onboarding.metadata import read_metadata
from assistant.onboarding.sentence_rules import read_sentence
from assistant.rules.rulebook import build_rulebook

SETTINGS = Settings.from_env()


@pytest.mark.parametrize(
    "sentence,field,expected",
    [
        ("按设备投资额的10%给予补助，最高不超过500万元。", "rates", [Decimal("0.1")]),
        ("按设备投资额的10%给予补助，最高不超过500万元。", "caps", [(Decimal("5000000"), "project")]),
        ("单个企业最高2000万元。", "caps", [(Decimal("20000000"), "enterprise")]),
        ("每家企业每年最高100万元。", "caps", [(Decimal("1000000"), "enterprise")]),
        # the support's verb between 最高 and the sum
        (
            "给予企业5%、每项不超过50万元的资助，同一单位每年最高资助100万元。",
            "caps",
            [(Decimal("500000"), "project"), (Decimal("1000000"), "year")],
        ),
        ("对认定的创新平台，最高可一次性资助100万元", "caps", [(Decimal("1000000"), "project")]),
        ("最高给予一次性奖励50万元", "caps", [(Decimal("500000"), "project")]),
        ("给予一次性奖励1.5亿元", "amounts", [Decimal("150000000")]),
        ("给予一次性奖励50万元", "amounts", [Decimal("500000")]),
        ("对总投资500万元以上的项目", "thresholds", [(Decimal("5000000"), "以上")]),
        ("实际完成投资1000万元及以上的", "thresholds", [(Decimal("10000000"), "以上")]),
        ("投资500万元（含）以上的", "thresholds", [(Decimal("5000000"), "以上")]),
        ("年纳税额超过1000万元的", "thresholds", [(Decimal("10000000"), "超过")]),
        ("技术转让额超过50万元以上的", "thresholds", [(Decimal("500000"), "超过")]),  # one threshold, two words
        ("按每亩500元给予补助", "per_unit", (Decimal("500"), "亩")),
        ("按200元/亩给予补贴", "per_unit", (Decimal("200"), "亩")),
        # per item, in 万元: 元/件, 元/项
        ("获得国内发明专利授权的，每件给予资助1万元", "per_unit", (Decimal("10000"), "件")),
        ("获国家级科技示范工程的企业，每项奖励15万元", "per_unit", (Decimal("150000"), "项")),
        ("按每千瓦时0.1元给予补贴", "per_unit", (Decimal("0.1"), "千瓦时")),
        ("按5%—20%给予奖励", "rate_range", (Decimal("0.05"), Decimal("0.2"))),
        ("对国家级、省级、市级企业技术中心分别给予100万元、50万元、10万元奖励", "levels", ["国家级", "省级", "市级"]),
    ],
)
def test_what_a_money_sentence_states(sentence: str, field: str, expected: object) -> None:
    r = read_sentence(sentence)
    got = {
        "rates": lambda: [v for v, _ in r.rates],
        "caps": lambda: [(v, s) for v, s, _ in r.caps],
        "amounts": lambda: [v for v, _ in r.amounts],
        "thresholds": lambda: [(v, w) for v, w, _ in r.thresholds],
        "per_unit": lambda: r.per_unit and r.per_unit[:2],
        "rate_range": lambda: r.rate_range and r.rate_range[:2],
        "levels": lambda: r.levels,
    }[field]()
    assert got == expected


POLICY_TEXT = """示范县人民政府关于支持工业企业发展的若干措施
（示政发〔2023〕3号）
示范县人民政府
（2023年2月8日）
一、支持措施
（一）技术改造。对总投资500万元以上的项目，按设备投资额的10%给予补助，单个项目最高不超过100万元。
（二）企业技术中心。对新认定的国家级、省级企业技术中心分别给予100万元、50万元奖励。
（三）用地。对新建厂房按每亩5000元给予补助。
（四）上云。上云费用达1万元、5万元以上的分别给予奖励5000元、1万元。
本措施自发布之日起施行，暂定三年有效期。
"""


def test_policy_yaml_fields_are_read_where_the_text_states_them() -> None:
    meta = read_metadata("demo-2023-3", POLICY_TEXT, "demo.txt")
    f = meta.fields
    assert f["doc_number"] == "示政发〔2023〕3号"
    assert f["issue_date"] == date(2023, 2, 8)
    assert f["valid_from"] == date(2023, 2, 8)  # 自发布之日起施行
    assert f["valid_to"] == date(2026, 2, 7)  # 暂定三年有效期
    assert "暂定三年有效期" in str(f["validity_basis"])
    assert f["region"] is None and "region" in meta.review  # 示范县 is no real place
    bare = read_metadata("x", "关于支持工业的意见\n一、对项目给予补助。\n", "x.txt")
    assert bare.fields["issue_date"] is None and set(bare.review) >= {"issue_date", "valid_from", "valid_to"}


def test_a_real_region_is_read_from_the_issuer() -> None:
    text = "德清县人民政府关于支持工业的意见\n德清县人民政府\n2024年3月1日\n本意见自2024年4月1日起施行，有效期至2026年12月31日。\n"
    f = read_metadata("x", text, "x.txt").fields
    assert f["region"] == ["浙江省", "湖州市", "德清县"]
    assert (f["valid_from"], f["valid_to"]) == (date(2024, 4, 1), date(2026, 12, 31))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("draft")
    page = (
        "<html><head><title>t</title><script>x=1</script></head><body>"
        + "".join(f"<p>{line}</p>" for line in POLICY_TEXT.splitlines())
        + "</body></html>"
    )
    (root / "page.html").write_text(page, encoding="utf-8")
    assert (
        main(
            [
                "policy",
                "draft",
                str(root / "page.html"),
                "--id",
                "demo-2023-3",
                "--out",
                str(root / "policies" / "demo-2023-3"),
            ]
        )
        == 0
    )
    return root


def test_a_draft_from_a_web_page_keeps_the_page_and_quotes_its_words(drafted: Path) -> None:
    folder = drafted / "policies" / "demo-2023-3"
    meta = yaml.safe_load((folder / "policy.yaml").read_text(encoding="utf-8"))
    page = (folder / "original.html").read_bytes()
    assert page == (drafted / "page.html").read_bytes()
    assert meta["original_sha256"] == hashlib.sha256(page).hexdigest()
    assert meta["source_sha256"] == hashlib.sha256((folder / "source.txt").read_bytes()).hexdigest()
    text = (folder / "source.txt").read_text(encoding="utf-8")
    assert "x=1" not in text and "（一）技术改造。对总投资500万元以上的项目" in text


def test_one_draft_program_per_money_sentence_with_what_it_states(drafted: Path) -> None:
    rules = yaml.safe_load((drafted / "policies" / "demo-2023-3" / "programs.yaml").read_text(encoding="utf-8"))
    programs = rules["programs"]
    assert [p["review"] for p in programs] == ["todo"] * 4
    tech, centre, land, cloud = programs
    assert tech["formula"]["kind"] == "rate" and tech["formula"]["rate"]["value"] == "0.1"
    assert tech["formula"]["base"] == ["equipment_investment"]
    assert tech["caps"][0]["amount"]["value"] == "1000000"
    assert tech["conditions"][0]["threshold"] == {"fact": "total_investment", "word": "以上", "number": "5000000"}
    assert centre["formula"]["kind"] == "by_level"
    assert {k: v["value"] for k, v in centre["formula"]["by_level"].items()} == {"国家级": "1000000", "省级": "500000"}
    assert land["formula"]["kind"] == "per_unit" and land["formula"]["rate"]["unit"] == "元/亩"
    assert cloud["formula"]["kind"] == "tiers" and not cloud.get("conditions")
    assert [
        (t.get("lower", {}).get("number"), t.get("upper", {}).get("number"), t["amount"]["value"])
        for t in cloud["formula"]["tiers"]
    ] == [
        ("10000", "50000", "5000"),
        ("50000", None, "10000"),
    ]
    assert all(
        p["citations"][0]["quote"] in (drafted / "policies" / "demo-2023-3" / "source.txt").read_text(encoding="utf-8")
        for p in programs
    )


def test_draft_programs_are_never_loaded_for_answers(drafted: Path) -> None:
    policies = drafted / "policies"
    served = next(p for p in sorted(SETTINGS.policies_dir.iterdir()) if (p / "programs.yaml").is_file())
    shutil.copytree(served, policies / served.name)
    shutil.copy(SETTINGS.policies_dir.parent / "vocabulary.yaml", drafted / "vocabulary.yaml")
    folder = policies / "demo-2023-3"
    meta = (folder / "policy.yaml").read_text(encoding="utf-8").replace("region: null", "region: [安徽省]")
    (folder / "policy.yaml").write_text(meta, encoding="utf-8")
    book = build_rulebook(replace(SETTINGS, policies_dir=policies))
    assert "demo-2023-3" in book.library.policies
    assert not [p for p in book.programs if p.startswith("demo-2023-3")]
    assert any(book.program_policy[p] == served.name for p in book.programs)  # approved ones load


def test_draft_refuses_to_overwrite_and_says_so_in_chinese(drafted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = drafted / "policies" / "demo-2023-3"
    assert main(["policy", "draft", str(drafted / "page.html"), "--id", "demo-2023-3", "--out", str(out)]) == 2
    assert "已存在且不是空文件夹" in capsys.readouterr().err
    assert main(["policy", "draft", str(drafted / "none.txt"), "--id", "x", "--out", str(drafted / "x")]) == 2
    assert "找不到原文文件" in capsys.readouterr().err


def test_a_text_without_a_title_line_or_issuer_gets_candidates_for_review() -> None:
    """甘井子区's text begins with its first chapter and names only who interprets it."""
    text = "总则\n第一条 为支持科技创新，制定本规定。\n第十六条 本规定由甘井子区人民政府负责解释。\n第十七条 本规定自2018年1月1日起施行。\n"
    meta = read_metadata("x", text, "x.txt")
    assert meta.fields["title"] is None and "总则" in meta.review["title"]
    assert meta.fields["issuer"] == "甘井子区人民政府" and "负责解释" in meta.review["issuer"]
    assert meta.fields["region"] == ["辽宁省", "大连市", "甘井子区"]
    titled = read_metadata("y", "甘井子区支持科技创新若干规定\n" + text, "y.txt")
    assert titled.fields["title"] == "甘井子区支持科技创新若干规定" and "title" not in titled.review


def test_a_threshold_is_named_only_by_a_noun_of_its_own_phrase(tmp_path: Path) -> None:
    """甘井子区 第九条: the 研发 of the phrase before does not name the 技术转让额; the draft says todo,
    which `policy check` reports until a person names it, and asks which bound word is meant."""
    text = (
        "支持科技成果转化的规定\n一、成果转化\n"
        "高校院所通过自主研发形成的科技成果在区内转化，技术转让额超过50万元以上的，按实际支付金额给予企业5%资助。\n"
    )
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    assert main(["policy", "draft", str(tmp_path / "t.txt"), "--id", "t-1", "--out", str(tmp_path / "t-1")]) == 0
    program = yaml.safe_load((tmp_path / "t-1" / "programs.yaml").read_text(encoding="utf-8"))["programs"][0]
    (threshold,) = [c["threshold"] for c in program["conditions"]]
    assert threshold == {"fact": "todo", "word": "超过", "number": "500000"}
    assert any("两个边界词并用" in note for note in program["review_notes"])


W = Decimal(10_000)


@pytest.mark.parametrize(
    ("sentence", "bands", "figures", "rates"),
    [
        # two bounds per band, one rate each (rate_bands)
        (
            "对单个项目设备购置在50万元以上至100万元以下、100万元以上至200万元以下、300万元以上的项目，分别给予实际投资额5%、6%、8%的补助；",
            [((50 * W, "以上"), (100 * W, "以下")), ((100 * W, "以上"), (200 * W, "以下")), ((300 * W, "以上"), None)],
            [Decimal("0.05"), Decimal("0.06"), Decimal("0.08")],
            True,
        ),
        # lower bounds alone, rising: the list's word for each, each band closed below the next
        (
            "上云费用达1万元、5万元、20万元以上的分别给予奖励5000元、1万元、5万元。",
            [((1 * W, "达"), (5 * W, "低于")), ((5 * W, "达"), (20 * W, "低于")), ((20 * W, "以上"), None)],
            [Decimal(5000), 1 * W, 5 * W],
            False,
        ),
        # falling: already in first-match order, 超过 for each
        (
            "对年度工业总产值首次超过50亿元、30亿元的企业，分别奖励100万元、50万元。",
            [((500000 * W, "超过"), None), ((300000 * W, "超过"), None)],
            [100 * W, 50 * W],
            False,
        ),
    ],
)
def test_a_list_of_bands_given_one_figure_each(
    sentence: str, bands: list[object], figures: list[Decimal], rates: bool
) -> None:
    r = read_sentence(sentence)
    assert [(b.lower, b.upper) for b in r.bands] == bands
    assert [f for f, _ in r.band_figures] == figures and r.band_rates is rates
    assert r.thresholds == []  # the bands' bounds are not conditions too


def test_counts_that_do_not_agree_are_not_read_as_bands() -> None:
    r = read_sentence("对50万元以上、100万元以上的项目，分别给予5%的补助。")
    assert r.bands == []
