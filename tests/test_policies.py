"""The corpus copy and its metadata: byte-identical sources, validity on a given day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.policies import Validity, load_policies, validity_on
from assistant.settings import REPO_ROOT, Settings

SHARED = REPO_ROOT.parent / "shared" / "policies"
POLICIES = {p.id: p for p in load_policies(Settings.from_env().policies_dir)}


def test_five_policies_load() -> None:
    assert len(POLICIES) >= 5


@pytest.mark.skipif(not SHARED.exists(), reason="shared/policies is not beside this checkout")
@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_source_is_byte_identical_to_the_received_text(policy_id: str) -> None:
    policy = POLICIES[policy_id]
    assert (policy.folder / "source.txt").read_bytes() == (SHARED / policy.meta.source_file).read_bytes()


# (policy, day, state) — the boundaries of each validity period first.
VALIDITY = [
    ("hekou-2020-5", date(2020, 9, 20), Validity.NOT_YET),
    ("hekou-2020-5", date(2020, 9, 21), Validity.IN_FORCE),
    ("hekou-2020-5", date(2022, 12, 31), Validity.IN_FORCE),
    ("hekou-2020-5", date(2023, 1, 1), Validity.EXPIRED),
    ("henan-2017-22", date(2022, 12, 31), Validity.IN_FORCE),
    ("henan-2017-22", date(2023, 6, 1), Validity.UNKNOWN),
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
