"""Which programs a question is about.

A program is shown when the question
- states the recognition its first condition requires (the condition that says whom it is for), or
- gives every figure its formula is computed from, or
- names it by a distinctive topic word (首台套保险, 纳统), or
- names it by a common word (技改, 研发投入) or gives some of its figures, and the program either has a
  formula (so "needs info" is a useful answer) or leaves nothing it requires unstated.
The last rule keeps a question about 研发投入 from listing every fund that also mentions research
but is reserved for, say, pharmaceutical firms.
"""

from __future__ import annotations

from collections import Counter

from assistant.calculator.facts import EnterpriseFacts
from assistant.rules.rulebook import Rulebook
from assistant.rules.schema import Program
from assistant.texts.policies import Policy
from assistant.texts.regions import covers

# A topic word listed by more programs than this is common, not distinctive.
DISTINCTIVE_MAX_PROGRAMS = 4
DISTINCTIVE_MIN_CHARS = 3  # two-character words (设备, 研发) are common whatever the rules list


def covering_policies(book: Rulebook, place: str | None) -> list[Policy]:
    """Policies that apply where the enterprise is; all of them while the place is unknown."""
    return [p for p in book.library.policies.values() if place is None or covers(p.meta.region_name, place)]


def _required_tags(program: Program) -> list[list[str]]:
    """The yes/no facts the program requires that users do state (presumed ones excluded)."""
    return [
        [c.tag] if c.tag else list(c.any_tags) for c in program.conditions if (c.tag or c.any_tags) and not c.presumed
    ]


def is_relevant(program: Program, question: str, facts: EnterpriseFacts, topic_counts: Counter[str]) -> bool:
    required = _required_tags(program)
    if required and any(facts.tags.get(tag) is True for tag in required[0]):
        return True  # the program's first requirement names whom it is for, and the user said it
    base = program.formula.base
    if base and all(role in facts.amounts for role in base):
        return True  # the user gave exactly the figures this program's formula is computed from
    hits = [topic for topic in program.topics if topic in question]
    if any(len(t) >= DISTINCTIVE_MIN_CHARS and topic_counts[t] <= DISTINCTIVE_MAX_PROGRAMS for t in hits):
        return True
    named = bool(hits) or any(role in facts.amounts for role in base)
    # A program computed from figures is worth a "needs info" answer; a fund or award with no formula
    # is shown only once nothing it requires of the enterprise is left unstated.
    all_stated = all(any(tag in facts.tags for tag in group) for group in required)
    return named and (bool(base) or all_stated)


def relevant_programs(book: Rulebook, question: str, facts: EnterpriseFacts) -> list[str]:
    policy_ids = {p.id for p in covering_policies(book, facts.place)}
    topic_counts = Counter(t for p in book.programs.values() for t in set(p.topics))
    return [
        program_id
        for program_id, program in book.programs.items()
        if book.program_policy[program_id] in policy_ids and is_relevant(program, question, facts, topic_counts)
    ]
