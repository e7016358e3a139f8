"""A policy folder written into a temporary directory, as a maintainer would create one, and the shared
vocabulary with a folder's own amounts beside it."""

from __future__ import annotations

from pathlib import Path

from assistant.core.settings import Settings
from assistant.rules.rulebook import AmountRole, Vocabulary, load_vocabulary

POLICY_YAML = """id: {id}
source_file: source.txt
doc_number: 示政〔2024〕1号
title: 示范县关于支持工业发展的若干措施
short_title: 示范县工业措施
issuer: 示范县人民政府
issue_date: 2024-01-01
region: [示范省, 示范县]
valid_from: 2024-01-01
valid_to: 2026-12-31
validity_basis: 自2024年1月1日起施行，有效期至2026年12月31日
"""


def write_folder(root: Path, source: str, policy_id: str = "demo-2024-1", policy_yaml: str | None = None) -> Path:
    folder = root / policy_id
    folder.mkdir(parents=True)
    (folder / "source.txt").write_text(source, encoding="utf-8")
    (folder / "policy.yaml").write_text(policy_yaml or POLICY_YAML.format(id=policy_id), encoding="utf-8")
    return folder


def vocabulary_with(roles: dict[str, AmountRole]) -> Vocabulary:
    """The shared vocabulary plus amounts a folder defines (counted in 人, kept in 美元 …), as served."""
    shared = load_vocabulary(Settings.from_env())
    return shared.model_copy(update={"amount_roles": {**shared.amount_roles, **roles}})
