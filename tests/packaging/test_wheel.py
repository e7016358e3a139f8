"""The wheel is the product outside the repo: it must carry the policy data and the templates, leave
the generated index and the developer folders behind, and answer from any working directory.

The slow test builds from a copy of the checkout, because an in-tree build writes build/ and
*.egg-info into the repo, and a stale build/lib left by an earlier build could hide what the
configuration in pyproject.toml really selects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from assistant.core.settings import REPO_ROOT

QUESTION = "河口区技改项目总投资500万，设备投资300万，能拿多少？"
# Planted in the copy, so that leaving them out of the wheel is tested even on a fresh checkout.
PLANTED = ["index/build/planted/manifest.json", "eval/results/planted/summary.json", "data/assistant.sqlite3"]
# Copied as they are: everything but version control, caches and earlier build output.
NOT_COPIED = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist", "test-artifacts"}


def _setuptools() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_the_package_list_names_every_subpackage_on_disk() -> None:
    """The packages are listed by name (`find` cannot see the mapped data packages), so a new
    subpackage must be added to pyproject.toml or the wheel silently goes without it."""
    config = _setuptools()
    mapped = set(config["package-dir"])
    on_disk = {".".join(p.parent.relative_to(REPO_ROOT).parts) for p in (REPO_ROOT / "assistant").rglob("__init__.py")}
    assert set(config["packages"]) - mapped == on_disk
    assert mapped <= set(config["packages"]) and all((REPO_ROOT / d).is_dir() for d in config["package-dir"].values())


def _files(root: Path, pattern: str = "**/*") -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}


def _copy_checkout(destination: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        skip = {n for n in names if n in NOT_COPIED or n.endswith(".egg-info")}
        if here == REPO_ROOT:
            skip |= {"data"}
        if here == REPO_ROOT / "index":
            skip |= {"build"}
        if here == REPO_ROOT / "eval":
            skip |= {"results"}
        return skip

    shutil.copytree(REPO_ROOT, destination, ignore=ignore)
    for name in PLANTED:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        (destination / name).write_text("{}", encoding="utf-8")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_an_installed_wheel_carries_its_data_and_answers_from_anywhere(tmp_path: Path) -> None:
    source, dist, site, work = (tmp_path / n for n in ("src", "dist", "site", "work"))
    _copy_checkout(source)
    work.mkdir()
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [sys.executable, "-m", "pip"]
    built = _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist), "."], source, pip_env
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("policy_assistant-*.whl")

    # Exactly the code, the policy data and the templates: no generated index, results, tests or data.
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {
        f"assistant/index/{n}"
        for n in _files(REPO_ROOT / "index", "*.yaml") | _files(REPO_ROOT / "index", "policies/**/*")
    }
    data |= {f"assistant/prompts/{n}" for n in _files(REPO_ROOT / "prompts")}
    code = {f"assistant/{n}" for n in _files(REPO_ROOT / "assistant", "**/*.py")}
    assert {"assistant/index/lpr.yaml", "assistant/index/policies/hekou-2020-5/source.txt"} <= data
    assert {n for n in names if ".dist-info/" not in n} == code | data
    left_out = ("assistant/index/build/", "eval/", "tests/", "data/")
    assert not [n for n in names if n.startswith(left_out) or "planted" in n or "sqlite3" in n]

    installed = _run(
        [*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(site), str(wheel)], work, pip_env
    )
    assert installed.returncode == 0, installed.stderr
    package_files = _files(site)

    # The installed copy alone: its own data, the index and data written under the XDG folders.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "PYTHONPATH"}
    env |= {
        "PYTHONPATH": str(site),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "ASSISTANT_EMBEDDING_MODEL": "bm25",
        "HF_HUB_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    probe = "import json, assistant; from assistant.core.settings import Settings; s = Settings.from_env(); "
    probe += "print(json.dumps([assistant.__file__, str(s.policies_dir), str(s.build_dir), str(s.data_dir)]))"
    where = _run([sys.executable, "-c", probe], work, env)
    assert where.returncode == 0, where.stderr
    module, policies, build, data_dir = (Path(p) for p in json.loads(where.stdout))
    assert module == site / "assistant" / "__init__.py"
    assert policies == site / "assistant" / "index" / "policies"
    assert (build, data_dir) == (tmp_path / "cache" / "policy-assistant", tmp_path / "share" / "policy-assistant")

    asked = _run([sys.executable, "-m", "assistant", "ask", QUESTION, "--as-of", "2021-06-30", "--json"], work, env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["total_max_yuan"] == 180000
    assert list(build.glob("*/manifest.json")), "the index is built in the user's cache folder"
    assert _files(site) == package_files, "nothing is written into the installed package"

    # The developer tools point into the checkout's eval/: without it, a message, not a traceback.
    for tool in (["eval"], ["bench", "retrieval"]):
        done = _run([sys.executable, "-m", "assistant", *tool], work, env)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "/eval/" in done.stderr, done.stderr
