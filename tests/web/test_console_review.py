"""The officer console's 政策审核 tab, through the functions behind it, on a real draft folder (the
Anhui fixture copied into a drafts folder) with the real engine: the list of folders, the review
page, a trial answer from approved programs only, approval as the logged-in officer, and the
Chinese lines for a missing drafts folder, a broken folder and a name that is not in the list."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant.answering.engine import Engine
from assistant.core.settings import Settings
from assistant.web.console_review import DraftReview, TrialEngines

FIXTURE = Path(__file__).resolve().parents[1] / "onboarding" / "texts" / "anhui-2021-82"
LEFT_TODO = "anhui-2021-82-12"  # the first-tape-out award (首轮流片), left for the officer to approve
TAPE_OUT = "我们是合肥的集成电路设计企业，首轮流片合同金额1500万元，能拿多少奖补？"
TAPE_OUT_TITLE = "集成电路设计企业首轮流片奖补"
SETTINGS = Settings.from_env()


def as_draft(folder: Path, program_id: str) -> None:
    """Put one approved program of the folder back to `review: todo`, as a fresh draft has it."""
    path = folder / "programs.yaml"
    text = path.read_text(encoding="utf-8")
    stamp = re.compile(rf"(- id: {program_id}\n  )review: approved\n  approved_by: \S+\n  approved_on: \S+\n")
    changed, n = stamp.subn(r"\1review: todo\n", text)
    assert n == 1
    path.write_text(changed, encoding="utf-8")


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drafts")
    shutil.copytree(FIXTURE, root / FIXTURE.name)
    as_draft(root / FIXTURE.name, LEFT_TODO)
    broken = root / "broken-2024-1"
    shutil.copytree(FIXTURE, broken)
    meta = broken / "policy.yaml"
    meta.write_text(re.sub(r"(?m)^id: .*$", "id: broken-2024-1", meta.read_text(encoding="utf-8")), encoding="utf-8")
    (broken / "programs.yaml").write_text("programs:\n  - id: [unclosed\n", encoding="utf-8")
    (root / "notes.txt").write_text("not a folder", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def review(drafts: Path) -> DraftReview:
    return DraftReview(replace(SETTINGS, drafts_dir=drafts))


def test_the_folders_offered_are_the_drafts_folders_sub_folders(review: DraftReview) -> None:
    assert review.folders() == ["anhui-2021-82", "broken-2024-1"]


def test_a_missing_drafts_folder_says_where_to_put_a_draft(tmp_path: Path) -> None:
    missing = DraftReview(replace(SETTINGS, drafts_dir=tmp_path / "none"))
    assert missing.folders() == []
    line = missing.where_to_put()
    assert str(tmp_path / "none") in line and "assistant policy draft" in line and "--out" in line


def test_the_review_page_is_the_commands_page_in_a_frame(review: DraftReview) -> None:
    page = review.page("anhui-2021-82")
    assert page.startswith("<iframe") and "sandbox=''" in page
    inner = html.unescape(re.search(r"srcdoc='([^']*)'", page).group(1))
    title = yaml.safe_load((FIXTURE / "policy.yaml").read_text(encoding="utf-8"))["title"]
    assert f"<h2>{html.escape(title)}</h2>" in inner
    programs = yaml.safe_load((FIXTURE / "programs.yaml").read_text(encoding="utf-8"))["programs"]
    assert inner.count('<div class="card"') == len(programs)
    assert f"{len(programs)} 个项目，已审核 {len(programs) - 1} 个" in inner


def test_a_broken_folder_or_a_name_not_listed_gives_chinese_not_a_traceback(review: DraftReview) -> None:
    broken = review.page("broken-2024-1")
    assert "⚠" in broken and "programs.yaml" in broken and "不是合法的 YAML" in broken
    assert "Traceback" not in broken
    assert "请先从列表中选择一个草稿文件夹" in review.page("../anhui-2021-82")
    assert "请先从列表中选择一个草稿文件夹" in review.page(None)
    asked = review.ask("broken-2024-1", TAPE_OUT, "2022-06-30")
    assert asked.startswith("⚠") and "programs.yaml 第3行不是合法的 YAML" in asked
    refused = review.approve("broken-2024-1", LEFT_TODO, "zhang.officer")
    assert refused.startswith("⚠") and "不是合法的 YAML" in refused and "Traceback" not in refused
    assert review.ask("anhui-2021-82", TAPE_OUT, "2022-13-45").startswith("⚠ 判断日期")
    assert review.ask("anhui-2021-82", "  ", None) == "⚠ 请输入要试问的问题"
    assert review.pending("broken-2024-1") == []


@pytest.mark.slow  # a trial engine per version of the folder, and approve's check (jieba, the place table): ~5 s
def test_only_approved_programs_answer_and_approval_records_the_officer(review: DraftReview, drafts: Path) -> None:
    folder = drafts / "anhui-2021-82"
    assert [pid for _, pid in review.pending("anhui-2021-82")] == [LEFT_TODO]
    before = review.ask("anhui-2021-82", TAPE_OUT, "2022-06-30")
    assert TAPE_OUT_TITLE not in before and "（皖政办秘〔2021〕82号）" in before  # answered, by other programs

    assert review.approve("anhui-2021-82", LEFT_TODO, None) == "⚠ 登录已失效，请重新登录"
    message = review.approve("anhui-2021-82", LEFT_TODO, "zhang.officer", today=date(2026, 12, 2))
    assert message.startswith(f"✔ 已审核通过 {TAPE_OUT_TITLE}") and "（审核人：zhang.officer，2026-12-02）" in message
    program = next(
        p
        for p in yaml.safe_load((folder / "programs.yaml").read_text(encoding="utf-8"))["programs"]
        if p["id"] == LEFT_TODO
    )
    assert (program["review"], program["approved_by"], program["approved_on"]) == (
        "approved",
        "zhang.officer",
        date(2026, 12, 2),
    )
    assert review.pending("anhui-2021-82") == []

    after = review.ask("anhui-2021-82", TAPE_OUT, "2022-06-30")  # the folder changed: a fresh trial engine
    assert TAPE_OUT_TITLE in after and "最高 300万（3,000,000.00 元）" in after
    again = review.approve("anhui-2021-82", LEFT_TODO, "zhang.officer")
    assert again.startswith("⚠") and "不是待审核状态" in again


def test_trial_engines_are_kept_per_unchanged_folder_and_bounded(drafts: Path, tmp_path: Path) -> None:
    loads: list[Settings] = []

    def load(settings: Settings) -> Engine:
        loads.append(settings)
        return Engine.load(settings)

    trials = TrialEngines(replace(SETTINGS, drafts_dir=drafts), load, keep=1)
    first = drafts / "anhui-2021-82"
    second = tmp_path / "anhui-2021-82"
    shutil.copytree(first, second)
    try:
        engine = trials.get(first)
        assert trials.get(first) is engine and len(loads) == 1
        copy = loads[0].policies_dir
        assert copy.is_dir()
        trials.get(second)  # a second folder with keep=1: the first is dropped, its copy removed
        assert len(loads) == 2 and not copy.exists()
        (second / "questions.jsonl").write_text("", encoding="utf-8")
        trials.get(second)  # changed: loaded again
        assert len(loads) == 3
    finally:
        trials.close()
    assert not loads[-1].policies_dir.exists()
