"""Where the policy data, the answer templates and the writable folders are: a checkout or a wheel.

One function decides, so that no module guesses from its own `__file__`:

- In a checkout (tests, `make`), everything is where the repo keeps it: `index/` (the policies and
  the corpus-wide YAML files), `prompts/`, `index/build/` for the generated index and `data/`.
- An installed wheel carries `index/` and `prompts/` inside the package, as `assistant/index/` and
  `assistant/prompts/` (pyproject.toml's `[tool.setuptools]` maps them there). Site-packages may be
  read-only and is shared by every user, so the generated index goes to the user's cache directory
  and the SQLite data to the user's data directory (XDG base directories).

The `ASSISTANT_*` environment variables still override these defaults; `Settings.from_env` applies them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

# The checkout this module sits in (assistant/core/paths.py -> the repo). Meaningless when installed.
REPO_ROOT = Path(__file__).resolve().parents[2]
# The folder name under the XDG cache and data directories.
APP_DIR = "policy-assistant"


@dataclass(frozen=True)
class Locations:
    """The default folders; `installed` tells a wheel's packaged data from a checkout's."""

    installed: bool
    index_dir: Path  # policies/ plus lpr.yaml, vocabulary.yaml, synonyms.yaml (read-only when installed)
    prompts_dir: Path  # answer/*.j2 and llm/*.txt (read-only when installed)
    build_dir: Path  # the generated retrieval index (written)
    data_dir: Path  # the SQLite log and officer accounts (written)

    @property
    def policies_dir(self) -> Path:
        """One folder per policy: source.txt, policy.yaml, programs.yaml, cases.yaml."""
        return self.index_dir / "policies"


def locate(environ: Mapping[str, str] | None = None) -> Locations:
    """The checkout's folders when the imported code is a checkout, else the packaged data and the
    user's XDG cache/data folders. `environ` (default `os.environ`) supplies XDG_CACHE_HOME and XDG_DATA_HOME.

    The test is whether the imported `assistant` package has data inside it, which only a wheel's
    does: a checkout keeps `index/` beside `assistant/`, so tests and `make` see the repo's files even
    when some other copy of the package is installed in the same environment.
    """
    packaged = _packaged_root()
    if packaged is None:
        return Locations(
            installed=False,
            index_dir=REPO_ROOT / "index",
            prompts_dir=REPO_ROOT / "prompts",
            build_dir=REPO_ROOT / "index" / "build",
            data_dir=REPO_ROOT / "data",
        )
    env = os.environ if environ is None else environ
    return Locations(
        installed=True,
        index_dir=packaged / "index",
        prompts_dir=packaged / "prompts",
        build_dir=_xdg_home(env, "XDG_CACHE_HOME", ".cache") / APP_DIR,
        data_dir=_xdg_home(env, "XDG_DATA_HOME", ".local/share") / APP_DIR,
    )


def index_file(policies_dir: Path, name: str) -> Path:
    """The corpus-wide file `name` (lpr.yaml, vocabulary.yaml, ...) of the policies at `policies_dir`.

    It sits beside the policies folder: in the repo's `index/`, in the wheel's `assistant/index/`, and
    beside a folder named by ASSISTANT_POLICIES_DIR, whose vocabulary must describe its own policies.
    """
    return Path(policies_dir).parent / name


def _packaged_root() -> Path | None:
    """The installed package's folder when it carries the policy data, else None (a checkout)."""
    root = files("assistant")
    if not (root / "index" / "policies").is_dir():
        return None
    if not isinstance(root, Path):  # e.g. imported from a zip: the loaders need real files
        raise RuntimeError(
            f"assistant 的数据须安装为普通文件，不能在压缩包内运行 / install the package unpacked: {root}"
        )
    return root


def _xdg_home(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    """An XDG base directory: the variable when it is an absolute path (as the spec asks), else ~/fallback."""
    value = env.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback
