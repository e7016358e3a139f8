"""A policy folder tried on its own, before it is served: the real engine answering from that folder
alone (BM25, no embedding model), with the shared vocabulary beside it as when it is served.

Why a copy: the engine reads a policies folder and the shared files next to it; the folder being
onboarded may sit anywhere (a fixture, a draft under review), so it is copied into a temporary
layout of the served shape. Only approved programs answer, as when it is served.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from assistant.answering.engine import Engine
from assistant.core.settings import Settings

SHARED_FILES = ("vocabulary.yaml", "lpr.yaml", "synonyms.yaml")


@contextmanager
def folder_engine(folder: Path, settings: Settings) -> Iterator[Engine]:
    """The engine serving `folder` alone, in a temporary copy removed afterwards."""
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="policy-trial-") as tmp:
        root = Path(tmp)
        shutil.copytree(folder, root / "policies" / folder.name)
        for name in SHARED_FILES:
            shutil.copy(settings.policies_dir.parent / name, root / name)
        trial = replace(settings, policies_dir=root / "policies", build_dir=root / "build", embedding_model="bm25")
        yield Engine.load(trial)
