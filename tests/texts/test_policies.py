"""The corpus copy and its metadata: byte-identical sources, validity on a given day."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.core.settings import REPO_ROOT, Settings
from assistant.texts.policies import Validity, load_policies, load_policy, validity_on

SHARED = REPO_ROOT.parent / "shared" / "policies"
POLICIES = {p.id: p for p in load_policies(Settings.from_env().policies_dir)}


def test_five_policies_load() -> None:
    assert len(POLICIES) >= 5


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_source_is_byte_identical_to_the_received_text(policy_id: str) -> None:
    """Against the original kept in the folder (original_file, with its hash) where there is one,
    else against ../shared/policies when that is beside the checkout."""
    meta = POLICIES[policy_id].meta
    folder = POLICIES[policy_id].folder
    if meta.original_file:
        kept = (folder / meta.original_file).read_bytes()
        assert hashlib.sha256(kept).hexdigest() == meta.original_sha256
        return
    if not SHARED.exists():
        pytest.skip("shared/policies is not beside this checkout and the folder keeps no original_file")
    received = SHARED / meta.source_file
    if not received.is_file():
        pytest.fail(
            f"{received} 不存在：policy.yaml 的 source_file 应是 ../shared/policies 中收到的原文文件名，"
            f"或把原文放进 {folder} 并在 policy.yaml 写 original_file 和 original_sha256"
        )
    assert (folder / "source.txt").read_bytes() == received.read_bytes()


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_each_copy_records_the_hash_of_the_text_received(policy_id: str) -> None:
    """Checked at every load, so CI on a clone without shared/policies still guards the copy."""
    assert POLICIES[policy_id].meta.source_sha256


def test_an_edited_copy_is_refused_at_load(tmp_path: Path) -> None:
    original = POLICIES["hekou-2020-5"].folder
    copy = tmp_path / "hekou-2020-5"
    shutil.copytree(original, copy)
    assert load_policy(copy).text == POLICIES["hekou-2020-5"].text
    text = (copy / "source.txt").read_text(encoding="utf-8")
    (copy / "source.txt").write_text(text.replace("最高不超过6%", "最高不超过8%"), encoding="utf-8")
    with pytest.raises(ValueError, match="SHA-256"):
        load_policy(copy)


def test_the_cli_names_a_damaged_policy_file_without_a_traceback(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES["hekou-2020-5"].folder, policies / "hekou-2020-5")
    with (policies / "hekou-2020-5" / "source.txt").open("ab") as text:
        text.write(b"\n")
    env = {
        **os.environ,
        "ASSISTANT_POLICIES_DIR": str(policies),
        "ASSISTANT_EMBEDDING_MODEL": "bm25",
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "河口区技改，总投资500万，设备投资300万"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "政策库数据有误" in done.stderr and "hekou-2020-5" in done.stderr and "SHA-256" in done.stderr
    assert "Traceback" not in done.stderr and "180,000" not in done.stdout


# (policy, day, state) — the boundaries of each validity period first.
VALIDITY = [
    ("hekou-2020-5", date(2020, 9, 20), Validity.NOT_YET),
    ("hekou-2020-5", date(2020, 9, 21), Validity.IN_FORCE),
    ("hekou-2020-5", date(2022, 12, 31), Validity.IN_FORCE),
    ("hekou-2020-5", date(2023, 1, 1), Validity.EXPIRED),
    ("henan-2017-22", date(2022, 12, 31), Validity.IN_FORCE),
    ("henan-2017-22", date(2023, 6, 1), Validity.MAYBE_REPEALED),  # repealed in 2023, day not given
    ("henan-2017-22", date(2024, 1, 1), Validity.REPEALED),
    ("jiyuan-2017-27", date(2019, 1, 1), Validity.UNKNOWN),
    ("henan-2012-tech-opinions", date(2015, 12, 31), Validity.IN_FORCE),
    ("henan-2012-tech-opinions", date(2016, 1, 1), Validity.EXPIRED),
    ("henan-2016-action-plans", date(2016, 12, 31), Validity.IN_FORCE),
]


@pytest.mark.parametrize("policy_id,day,state", VALIDITY)
def test_validity_on_a_day(policy_id: str, day: date, state: Validity) -> None:
    status = validity_on(POLICIES[policy_id].meta, day)
    assert status.state is state, status.explanation
    assert status.explanation
    # The explanation wraps the policy's own basis in fixed words: the basis must not repeat them.
    assert status.explanation.count("未载明有效期") <= 1, status.explanation


def test_a_program_period_overrides_the_document_period() -> None:
    meta = POLICIES["henan-2016-action-plans"].meta
    assert validity_on(meta, date(2018, 6, 1)).state is Validity.EXPIRED
    assert validity_on(meta, date(2018, 6, 1), valid_to=date(2018, 12, 31)).state is Validity.IN_FORCE


def test_an_issue_date_the_text_does_not_give_is_null(tmp_path) -> None:
    from policy_folders import POLICY_YAML, write_folder

    from assistant.texts.policies import load_policy

    folder = write_folder(
        tmp_path,
        "示范措施\n",
        policy_yaml=POLICY_YAML.format(id="demo-2024-1").replace("issue_date: 2024-01-01", "issue_date: null"),
    )
    meta = load_policy(folder).meta
    assert meta.issue_date is None and meta.valid_from.isoformat() == "2024-01-01"


@pytest.mark.parametrize(
    ("valid_to", "day", "state", "says"),
    [
        (
            "null",
            date(2024, 6, 1),
            Validity.UNKNOWN,
            "施行日期文中未载明，也未载明有效期，2024-06-01是否已施行无法确定",
        ),
        ("2025-12-31", date(2025, 12, 31), Validity.UNKNOWN, "施行日期文中未载明，有效期至2025-12-31"),
        ("2025-12-31", date(2026, 1, 1), Validity.EXPIRED, "有效期至2025-12-31（施行日期文中未载明），已届满"),
    ],
)
def test_a_start_the_text_does_not_give_is_null_and_validity_is_unknown_until_the_end(
    tmp_path: Path, valid_to: str, day: date, state: Validity, says: str
) -> None:
    from policy_folders import POLICY_YAML, write_folder

    text = POLICY_YAML.format(id="demo-2024-1").replace("issue_date: 2024-01-01", "issue_date: null")
    text = text.replace("valid_from: 2024-01-01", "valid_from: null").replace(
        "valid_to: 2026-12-31", f"valid_to: {valid_to}"
    )
    status = validity_on(load_policy(write_folder(tmp_path, "示范措施\n", policy_yaml=text)).meta, day)
    assert status.state is state and says in status.explanation
    assert status.in_force is (False if state is Validity.EXPIRED else None)
