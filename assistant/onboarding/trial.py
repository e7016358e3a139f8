"""A policy folder tried on its own, before it is served: settings under which the real engine answers
from that folder alone (BM25, no embedding model), with the shared vocabulary beside it as when served.

Why a copy: the engine reads a policies folder and the shared files next to it; the folder being
onboarded may sit anywhere (a fixture, a draft under review), so it is copied into a temporary layout
of the served shape. Only approved programs answer, as when it is served. The engine itself is loaded
by the caller (the CLI passes `Engine.load`): onboarding sits below answering and needs only its shape
(`questions.Asks`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from assistant.core.settings import Settings
from assistant.onboarding.questions import Asks

SHARED_FILES = ("vocabulary.yaml", "lpr.yaml", "synonyms.yaml")
LoadEngine = Callable[[Settings], Asks]


@contextmanager
def trial_settings(folder: Path, settings: Settings) -> Iterator[Settings]:
    """Settings serving `folder` alone, from a temporary copy removed afterwards."""
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="policy-trial-") as tmp:
        root = Path(tmp)
        shutil.copytree(folder, root / "policies" / folder.name)
        for name in SHARED_FILES:
            shutil.copy(settings.policies_dir.parent / name, root / name)
        yield replace(settings, policies_dir=root / "policies", build_dir=root / "build", embedding_model="bm25")
