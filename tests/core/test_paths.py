"""Where `locate()` says things are: the repo's folders in a checkout, packaged data plus XDG folders
when installed. The installed branch is reached here by pointing the packaged-data probe at a
temporary folder; tests/packaging/test_wheel.py runs it for real from an installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import paths
from assistant.core.paths import REPO_ROOT, index_file, locate
from assistant.core.settings import Settings


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Pretend the imported package is an installed one whose data sits in tmp/site/assistant."""
    package = tmp_path / "site" / "assistant"
    monkeypatch.setattr(paths, "_packaged_root", lambda: package)
    return package


def test_a_checkout_reads_and_writes_the_repo_folders_as_before() -> None:
    where = locate()
    assert not where.installed
    assert where.policies_dir == REPO_ROOT / "index" / "policies"
    assert where.prompts_dir == REPO_ROOT / "prompts"
    settings = Settings()
    assert settings.policies_dir == REPO_ROOT / "index" / "policies"
    assert settings.build_dir == REPO_ROOT / "index" / "build"
    assert settings.data_dir == REPO_ROOT / "data"
    assert (where.prompts_dir / "answer" / "01_card.j2").is_file()
    assert index_file(settings.policies_dir, "lpr.yaml").is_file()


def test_installed_data_comes_from_the_package_and_writes_go_to_the_xdg_folders(
    installed: Path, tmp_path: Path
) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "share")}
    where = locate(env)
    assert where.installed
    assert where.policies_dir == installed / "index" / "policies"
    assert where.prompts_dir == installed / "prompts"
    assert where.build_dir == tmp_path / "cache" / "policy-assistant"
    assert where.data_dir == tmp_path / "share" / "policy-assistant"


def test_without_xdg_variables_the_home_folders_are_used(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for env in ({}, {"XDG_CACHE_HOME": "", "XDG_DATA_HOME": ""}, {"XDG_CACHE_HOME": "rel", "XDG_DATA_HOME": "rel"}):
        where = locate(env)  # unset, empty and relative values are all ignored, as the XDG spec says
        assert where.build_dir == tmp_path / "home" / ".cache" / "policy-assistant"
        assert where.data_dir == tmp_path / "home" / ".local" / "share" / "policy-assistant"


def test_the_assistant_variables_still_override_an_installed_copy(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("POLICIES", "BUILD", "DATA"):
        monkeypatch.delenv(f"ASSISTANT_{name}_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert Settings.from_env().build_dir == tmp_path / "cache" / "policy-assistant"
    for name, field in (("POLICIES", "policies_dir"), ("BUILD", "build_dir"), ("DATA", "data_dir")):
        monkeypatch.setenv(f"ASSISTANT_{name}_DIR", str(tmp_path / name))
        assert getattr(Settings.from_env(), field) == tmp_path / name


def test_corpus_wide_files_sit_beside_the_policies_folder(tmp_path: Path) -> None:
    assert index_file(tmp_path / "policies", "vocabulary.yaml") == tmp_path / "vocabulary.yaml"
