"""Every policy folder and its clauses, parsed once: the texts that rules quote and answers cite.

The rules layer checks each quote against these clauses and the retrieval layer cuts them into
units; both read the same `Library`, so a citation and a search hit name the same clause.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.texts.clauses import Clause, parse_clauses
from assistant.texts.policies import Policy, load_policies


class Library:
    """The policies of one folder, by id, and all their clauses, by clause id."""

    def __init__(self, policies_dir: Path | None = None, policies: list[Policy] | None = None):
        """The policies of a folder, or (for checking one folder before it is served) those given."""
        loaded = load_policies(policies_dir) if policies_dir is not None else list(policies or [])
        self.policies: dict[str, Policy] = {p.id: p for p in loaded}
        self.clauses: dict[str, Clause] = {}
        for policy in self.policies.values():
            for clause in parse_clauses(policy):
                self.clauses[clause.clause_id] = clause


@lru_cache(maxsize=4)
def load_library(policies_dir: Path) -> Library:
    return Library(Path(policies_dir))
