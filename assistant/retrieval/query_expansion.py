"""Query expansion for BM25: the policy's words for what staff say in their own.

A colloquial question ("借钱的利息能报吗") shares few tokens with the clause it needs ("贷款贴息"); the
dense model bridges some of that, BM25 none. The thesaurus is data (index/synonyms.yaml) and only
adds words to the BM25 query, so a bad entry costs ranking, never a figure.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from assistant.core.paths import locate

SYNONYMS = locate().index_dir / "synonyms.yaml"


@lru_cache(maxsize=4)
def load_expansions(path: Path = SYNONYMS) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {phrase: tuple(terms) for phrase, terms in (data.get("expansions") or {}).items()}


def expand(query: str, expansions: dict[str, tuple[str, ...]] | None = None) -> str:
    """The query followed by the policy terms of every colloquial phrase it contains."""
    table = load_expansions() if expansions is None else expansions
    extra = [term for phrase, terms in table.items() if phrase in query for term in terms]
    return f"{query} {' '.join(extra)}" if extra else query
