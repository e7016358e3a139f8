"""Which programs a question is about.

A program is shown when the question
- states the recognition its first condition requires (the condition that says whom it is for), or
- gives every figure its formula is computed from, or
- names it by a distinctive topic word (首台套保险, 纳统), or
- names it by a common word (技改, 研发投入) or gives some of its figures, and the program either has a
  formula (so "needs info" is a useful answer) or leaves nothing it requires unstated.
The last rule keeps a question about 研发投入 from listing every fund that also mentions research
but is reserved for, say, pharmaceutical firms. When no program is shown by these rules, the few a
topic word names are ("省里的“双创”牌子"): each then asks what it requires. Programs of a region the
question names that does not cover the enterprise are shown too, to say so.
"""

from __future__ import annotations

from collections import Counter

from assistant.answering.per_book import per_book
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


def states_recipient(program: Program, facts: EnterpriseFacts) -> bool:
    """The program's first requirement names whom it is for (a recognition), and the user said they are."""
    required = _required_tags(program)
    return bool(required) and any(facts.tags.get(tag) is True for tag in required[0])


@per_book
def topic_counts(book: Rulebook) -> Counter[str]:
    """How many programs list each topic word: a word many list is common, not distinctive."""
    return Counter(t for p in book.programs.values() for t in set(p.topics))


@per_book
def generic_benefit_words(book: Rulebook) -> frozenset[str]:
    """Benefit words too many programs list to single one out (奖励, 补助)."""
    counts = topic_counts(book)
    return frozenset(w for w in book.vocabulary.focus.benefit_words if counts[w] > DISTINCTIVE_MAX_PROGRAMS)


def distinctive_topics(program: Program, counts: Counter[str]) -> list[str]:
    """The program's topic words few other programs list (首台套保险, 纳统)."""
    return [t for t in program.topics if len(t) >= DISTINCTIVE_MIN_CHARS and counts[t] <= DISTINCTIVE_MAX_PROGRAMS]


def names_distinctively(program: Program, question: str, counts: Counter[str]) -> bool:
    """The question holds one of the program's distinctive topic words."""
    return any(t in question for t in distinctive_topics(program, counts))


def is_relevant(
    program: Program,
    question: str,
    facts: EnterpriseFacts,
    topic_counts: Counter[str],
    generic: frozenset[str] = frozenset(),
) -> bool:
    required = _required_tags(program)
    if states_recipient(program, facts):
        return True
    base = program.formula.base
    if base and all(role in facts.amounts for role in base):
        return True  # the user gave exactly the figures this program's formula is computed from
    # A word for the kind of support that many programs list ("奖励", "奖补") names none of them:
    # "拿了个省里的牌子，市里能奖励多少？" is not about the 首台套 awards.
    if names_distinctively(program, question, topic_counts):
        return True
    named = _named(program, question, generic) or any(role in facts.amounts for role in base)
    # A program computed from figures is worth a "needs info" answer; a fund or award with no formula
    # is shown only once nothing it requires of the enterprise is left unstated.
    all_stated = all(any(tag in facts.tags for tag in group) for group in required)
    return named and (bool(base) or all_stated)


def relevant_programs(book: Rulebook, question: str, facts: EnterpriseFacts) -> list[str]:
    policy_ids = {p.id for p in covering_policies(book, facts.place)}
    counts = topic_counts(book)
    generic = generic_benefit_words(book)
    covered = {pid: p for pid, p in book.programs.items() if book.program_policy[pid] in policy_ids}
    relevant = [pid for pid, program in covered.items() if is_relevant(program, question, facts, counts, generic)]
    if relevant:
        return relevant
    # Nothing is relevant by the rules above, but a topic word names a few programs ("拿了个省里的“双创”牌子"):
    # those programs, each asking what it requires, rather than no program at all. A word for a kind of
    # support (补贴, 奖励) names none here, however few list it ("招用残疾人，有什么补贴？").
    support = frozenset(book.vocabulary.focus.benefit_words)
    named = [pid for pid, program in covered.items() if _named(program, question, support)]
    return named if len(named) <= DISTINCTIVE_MAX_PROGRAMS else []


def programs_named_elsewhere(
    book: Rulebook, question: str, facts: EnterpriseFacts, places: frozenset[str]
) -> list[str]:
    """The programs a question asks about of a region it names that does not cover the enterprise
    ("我们是焦作的企业，济源那个30万的奖励我们能不能拿？"): assessed with the enterprise's place they say why
    not (the region), where no program or a general refusal would leave the question unanswered."""
    if facts.place is None:
        return []
    elsewhere = {
        p.meta.id
        for p in book.library.policies.values()
        if p.meta.region_name in places and not covers(p.meta.region_name, facts.place)
    }
    if not elsewhere:
        return []
    unplaced = facts.model_copy(update={"place": None})
    return [pid for pid in relevant_programs(book, question, unplaced) if book.program_policy[pid] in elsewhere]


def _named(program: Program, question: str, excluded: frozenset[str]) -> bool:
    return any(topic in question and topic not in excluded for topic in program.topics)
