"""Which of the relevant programs the question is about, and which only the facts make relevant.

A question names what it asks for in a few ways: a program by its title or a distinctive topic word,
by a figure of its own (a rate of its title or formula, "技改后补助30%那个"; a sum it awards, "那个5万的
奖励"), its policy by name, a recognition the enterprise states (the one a program is for), the kind of
support (贴息, 后补助, 配套 …, shared with the program's own title or topics), the level that pays (区里,
市里, 省里: the policy's region depth) and the figures a formula is computed from. Each way adds to a
program's score; a name or a kind of support in the sentence that asks (not in the scene set before
it) adds more, and a name in the scene only to say its recognition is not held ("还没认定为省工业新产品")
counts nothing; a topic word inside a longer name the question gives another program (新产品 in 省工业
新产品) names nothing. The programs with the top score, those computed from exactly the figures the user
gave, and any other the asking sentence names by a word of its own ("纳统奖励和直接奖补都能拿吗") are the
focus, the clearest named first: they lead the answer, and the first follow-up asks what
they are missing. The rest are shown folded, as "其他可能适用的政策（N）".

Left out: a program the user declined ("我们没有贷款": all its base amounts are none; "直接奖补我们不要":
declined by name), and a program no longer in force unless the question names it or its years ("2016年
的时候"), or asks for everything. A program in force that the question is about leads over one that is
not; an expired one leads only when nothing in force is asked about, the question names its policy, or
the question names it and nothing in force.
All words come from the rules files and index/vocabulary.yaml (`focus`), none from this code.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assistant.answering.api_models import OtherPrograms, Program
from assistant.answering.per_book import per_book
from assistant.answering.selection import distinctive_topics, states_recipient
from assistant.calculator.facts import EnterpriseFacts
from assistant.reading.amounts import find_amounts
from assistant.reading.intent import asking_sentences
from assistant.rules.rulebook import Rulebook
from assistant.rules.schema import Level, Param
from assistant.rules.schema import Program as Rule
from assistant.texts.policies import PolicyMeta

# How much each way of naming a program counts: naming it outright outweighs the kind of support and
# the level together, and a name in the asking sentence outweighs one in the scene set before it.
NAMED = 8
IN_THE_ASK = 4
RECOGNITION = 5
POLICY = 4
LEVEL = 3
BENEFIT = 2
ALL_FIGURES = 2
SOME_FIGURES = 1
TOPIC = 1
CLEARER = 2  # an ended program named this many times as clearly as anything in force is what is asked about

POLICY_NAME_CHARS = 8  # a span of a policy's title this long, in the question, names the policy
OTHERS_TITLE = "其他可能适用的政策（{n}）"
REGION_DEPTH_LEVEL = {1: Level.PROVINCIAL, 2: Level.CITY, 3: Level.DISTRICT}
YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
PERCENT = re.compile(r"[0-9]+(?:\.[0-9]+)?%")
CLAUSE = re.compile(r"[，,。；;！!？?：:\n]")


@dataclass(frozen=True)
class Focus:
    """The programs the question is about (first) and the others the facts make relevant (folded)."""

    asked: list[Program]
    others: list[Program]

    @property
    def ordered(self) -> list[Program]:
        return self.asked + self.others

    def folded(self) -> OtherPrograms | None:
        """The answer's fold of the others, or None when there are none."""
        if not self.others:
            return None
        return OtherPrograms(
            title=OTHERS_TITLE.format(n=len(self.others)), program_ids=[p.program_id for p in self.others]
        )


@per_book
def mention_counts(book: Rulebook) -> Counter[str]:
    """For each topic word, how many programs speak of it in their title or topics, inside longer words
    too: 所得税 is common, since many programs list 企业所得税."""
    spoken = [p.title + "|" + "|".join(p.topics) for p in book.programs.values()]
    return Counter({t: sum(t in s for s in spoken) for t in {t for p in book.programs.values() for t in p.topics}})


def issuer_level(book: Rulebook, program_id: str) -> Level | None:
    """The level of government that issued the program's policy, from its region (省 › 市 › 区)."""
    region = book.library.policies[book.program_policy[program_id]].meta.region
    return REGION_DEPTH_LEVEL.get(len(region))


def names_policy(meta: PolicyMeta, question: str) -> bool:
    """The question names the policy: its document number, short title, or a long span of its title."""
    if meta.doc_number and meta.doc_number in question:
        return True
    if meta.short_title.split("（")[0] in question:
        return True
    subject = meta.title.split("关于", 1)[-1]
    return any(subject[i : i + POLICY_NAME_CHARS] in question for i in range(len(subject) - POLICY_NAME_CHARS + 1))


def names_program(book: Rulebook, rule: Rule, text: str, counts: Counter[str]) -> bool:
    """`text` names the program: its title or a distinctive topic word. A word that names an amount
    (设备投资, 软硬件投资) gives a figure, which `score` counts as such, and names no program."""
    return bool(naming_words(book, rule, text, counts))


def naming_words(book: Rulebook, rule: Rule, text: str, counts: Counter[str]) -> list[str]:
    """The words of `text` that name the program (its title, its distinctive topic words), none of them
    only part of a longer name the text gives another program (新产品 in 省工业新产品)."""
    figure_words = _figure_words(book)
    topics = [t for t in distinctive_topics(rule, counts) if t in text and t not in figure_words]
    if topics:
        own = set(rule.topics)
        longer = {
            t
            for other in book.programs.values()
            for t in distinctive_topics(other, counts)
            if t in text and t not in own and t not in figure_words
        }
        topics = [t for t in topics if not any(t in name and t != name for name in longer)]
    return [rule.title, *topics] if rule.title in text else topics


def _figure_words(book: Rulebook) -> set[str]:
    """The words that name an amount (设备投资, 研发投入): a figure's name, not a program's."""
    return {cue for role in book.vocabulary.amount_roles.values() for cue in role.cues}


def quotes_its_figure(rule: Rule, text: str, facts: EnterpriseFacts) -> bool:
    """`text` quotes a figure of the program's own: a percentage its title or formula states ("技改后补助
    30%那个", "按投资额10%抵") or a sum it awards ("那个5万块钱的奖励") that is none of the amounts the
    user gave for a fact. The user knows which program they mean by what it pays."""
    rates = {_percent(p.value) for p in _rates(rule)}
    if any(rate in rule.title or rate in rates for rate in PERCENT.findall(text)):
        return True
    given = set(facts.amounts.values())
    sums = {p.value for p in _sums(rule)}
    return any(m.value in sums and m.value not in given and not m.currency for m in find_amounts(text))


def _rates(rule: Rule) -> list[Param]:
    formula = rule.formula
    return [p for p in [formula.rate, *(t.rate for t in formula.tiers)] if p is not None and p.unit == "比例"]


def _sums(rule: Rule) -> list[Param]:
    formula = rule.formula
    found = [formula.amount, *(t.amount for t in formula.tiers), *formula.by_level.values()]
    return [p for p in found if p is not None and p.unit == "元"]


def _percent(fraction: Decimal) -> str:
    """0.3 as the question writes it: "30%"."""
    return f"{(fraction * 100).normalize():f}%"


def about(book: Rulebook, rule: Rule, question: str, counts: Counter[str], facts: EnterpriseFacts) -> bool:
    """The question names this program (not only facts that make it relevant)."""
    return names_program(book, rule, question, counts) or quotes_its_figure(rule, question, facts)


def declined_by_name(book: Rulebook, rule: Rule, question: str, counts: Counter[str]) -> bool:
    """A clause of the question declines the program by name or by the kind of support its title names:
    the declining word after the name ("直接奖补我们不要", "贴息不申请") or right before it ("不申请贴息"),
    or alone in the clause after the name ("平台那个奖励由合作单位去申报，我们不报"); "不要封顶" declines
    nothing, "要不要贴息" asks."""
    words = book.vocabulary.focus
    kinds = [w for w in words.benefit_words if w in rule.title]
    level = issuer_level(book, rule.id)
    named_before = False
    for clause in CLAUSE.split(question):
        # "省里的技改示范后补助我们不报了": the kind of support, of another level's policy, is not this one's
        said = [lvl for lvl, level_words in words.issuer_levels.items() if any(w in clause for w in level_words)]
        of_its_level = not said or level in said
        by_name = naming_words(book, rule, clause, counts)
        names = by_name + [w for w in _used(kinds, clause) if of_its_level and _kind_said_of(book, rule, clause, w)]
        for word in words.decline_words:
            for at in _declining_at(clause, word):
                if any(clause.find(n) < at or clause.startswith(n, at + len(word)) for n in names):
                    return True
                # "平台那个奖励由合作单位去申报，我们不报": a declining clause that names nothing declines
                # what the clause before it named
                if named_before and not names and not any(w in clause for w in words.benefit_words):
                    return True
        named_before = bool(by_name)  # by its own words: "奖励" names every award
    return False


@per_book
def _all_topics(book: Rulebook) -> frozenset[str]:
    return frozenset(t for p in book.programs.values() for t in p.topics)


def _kind_said_of(book: Rulebook, rule: Rule, clause: str, kind: str) -> bool:
    """The kind of support (后补助) stands in the clause unqualified, or qualified by one of the
    program's own topic words: "技改后补助我们不报" declines the 技改 program's, not the 新产品 one's."""
    others = _all_topics(book) - set(rule.topics)
    for at in (i for i in range(len(clause)) if clause.startswith(kind, i)):
        if not any(clause[:at].endswith(t) for t in others):
            return True
    return False


def _declining_at(clause: str, word: str) -> list[int]:
    """Where `word` (不要) stands in `clause`, not as half of an A-not-A question (要不要, 需不需要)."""
    found = [i for i in range(len(clause) - len(word) + 1) if clause.startswith(word, i)]
    if not word.startswith("不"):
        return found
    return [i for i in found if clause[i - 1 : i] != word[1:2]]


def score(book: Rulebook, rule: Rule, question: str, facts: EnterpriseFacts, counts: Counter[str]) -> int:
    """How clearly the question is about this program (0: only the facts make it relevant)."""
    words = book.vocabulary.focus
    points = 0
    in_the_ask = names_program(book, rule, asking_sentences(question), counts)
    # Named in the scene only to say the recognition it is for is not held ("还没认定为省工业新产品").
    if in_the_ask or (names_program(book, rule, question, counts) and not _denies_recipient(rule, facts)):
        points += NAMED + (IN_THE_ASK if in_the_ask else 0)
    if quotes_its_figure(rule, question, facts):
        points += NAMED
    first = _first_tags(rule)
    if (
        not first <= set(book.vocabulary.project_tags)
        and (states_recipient(rule, facts) or first & set(facts.to_confirm))
        and not _only_named_by_a_figure(book, first, question)
    ):
        # a recognition it is for (首次认定高企), not a fact of any project (已投产); also one half-said,
        # still to be confirmed ("国家技术创新中心" for 国家级制造业创新中心)
        points += RECOGNITION
    if names_policy(book.library.policies[book.program_policy[rule.id]].meta, question):
        points += POLICY
    own_words = rule.title + "|" + "|".join(rule.topics)
    points += BENEFIT * sum(1 for w in _used(words.benefit_words, question) if w in own_words)
    # The kind of support the asking sentence asks for ("后补助能拿多少") outweighs a recognition the scene states.
    points += IN_THE_ASK * any(w in own_words for w in _used(words.benefit_words, asking_sentences(question)))
    level = issuer_level(book, rule.id)
    if level and any(w in question for w in words.issuer_levels.get(level, [])):
        points += LEVEL
    if any(w in question for w in words.state_words) and any(w in rule.title for w in words.state_in_title):
        points += LEVEL
    base = rule.formula.base
    given = [role for role in base if role in facts.amounts]
    points += ALL_FIGURES if base and len(given) == len(base) else SOME_FIGURES if given else 0
    # A benefit word among the topics (奖励) is counted once, as the kind of support, not again as a topic.
    points += TOPIC * len([t for t in _used(rule.topics, question) if t not in words.benefit_words])
    return points


def _used(words: list[str], question: str) -> list[str]:
    """The words the question uses, each once, none inside a longer one it uses (补助 in 后补助)."""
    found = {w for w in words if w in question}
    return [w for w in found if not any(w != longer and w in longer for longer in found)]


def _only_named_by_a_figure(book: Rulebook, tags: set[str], question: str) -> bool:
    """The recognition was read only from the name of an amount ("研发投入1500万" says 开展研发活动): the
    user gave a figure, and named no program by it."""
    figure_words = _figure_words(book)
    said = [w for t in tags if t in book.vocabulary.tags for w in book.vocabulary.tags[t].phrases if w in question]
    return bool(said) and all(any(w in cue or cue in w for cue in figure_words if cue in question) for w in said)


def _denies_recipient(rule: Rule, facts: EnterpriseFacts) -> bool:
    """The user said they hold none of the recognitions the program's first condition is for."""
    first = _first_tags(rule)
    return bool(first) and all(facts.tags.get(tag) is False for tag in first)


def _first_tags(rule: Rule) -> set[str]:
    """The tags of the program's first yes/no condition: whom it is for."""
    first = next((c for c in rule.conditions if (c.tag or c.any_tags) and not c.presumed), None)
    return set([first.tag] if first and first.tag else (first.any_tags or []) if first else [])


def _about_its_years(question: str, program: Program) -> bool:
    """The question names a year in which the program's policy was in force ("2016年的时候")."""
    start = program.policy.valid_from.year if program.policy.valid_from else date.min.year
    end = program.policy.valid_to.year if program.policy.valid_to else date.max.year
    return any(start <= int(y) <= end for y in YEAR.findall(question))


def choose(book: Rulebook, question: str, facts: EnterpriseFacts, programs: list[Program], as_of: date) -> Focus:
    """Split the assessed programs into those asked about and the others; drop declined programs and,
    unless asked for, expired ones. Order within each part is kept (what the user can act on first)."""
    counts = mention_counts(book)
    points = {p.program_id: score(book, book.programs[p.program_id], question, facts, counts) for p in programs}
    shown = [
        p
        for p in programs
        if "declined" not in p.failed and not declined_by_name(book, book.programs[p.program_id], question, counts)
    ] or programs
    current = [p for p in shown if p.status != "expired"]
    if current and not any(w in question for w in book.vocabulary.focus.all_words):
        shown = [
            p
            for p in shown
            if p.status != "expired"
            or about(book, book.programs[p.program_id], question, counts, facts)
            or _about_its_years(question, p)
        ]
    # In force and asked about leads; an expired program leads only when nothing in force is asked about,
    # when the question names its policy ("《…2016年度行动计划》里那一条，现在还能申请吗"), or when it names
    # the program and names none in force ("医药储备企业的贴息怎么申请" against a stray 技改).
    named_period = [p for p in shown if p.status == "expired" and _names_its_policy(book, p, question)]
    leading = current + named_period if any(points[p.program_id] for p in current) else shown
    if _named_only_when_past(book, question, facts, counts, points, shown, as_of):
        leading = shown
    top = max((points[p.program_id] for p in leading), default=0)
    if top == 0:
        return Focus(shown, [])
    asked = [p for p in leading if points[p.program_id] == top or _takes_every_figure(book, p, facts)]
    asked += [p for p in leading if p not in asked and _named_besides(book, p, asked, question, counts)]
    groups = {p.choose_one_group for p in asked if p.choose_one_group}
    asked += [
        p for p in leading if p not in asked and p.choose_one_group in groups and _title_has_benefit(book, p, question)
    ]
    # The clearest named leads; at equal score, one open to the project as told before one reserved for a
    # recognition the user has not stated (技改后补助 before 技改示范项目后补助). Otherwise the order is kept.
    asked.sort(key=lambda p: (-points[p.program_id], _reserved_for_unstated(book, p, facts)))
    return Focus(asked, [p for p in shown if p not in asked])


def _named_only_when_past(
    book: Rulebook,
    question: str,
    facts: EnterpriseFacts,
    counts: Counter[str],
    points: dict[str, int],
    shown: list[Program],
    as_of: date,
) -> bool:
    """The question names a program whose policy has ended, at least `CLEARER` times as clearly as
    anything in force, and names none in force ("省里确定的医药储备企业，贴息补助怎么申请", where the
    programs in force share only 省里 and 补助): what it asks about is that program. A twin in force
    named by the same words ("首台（套）保险") keeps the lead; a program not issued yet never takes it."""
    past = [p for p in shown if p.status == "expired" and (p.policy.valid_from or date.min) <= as_of]
    if not past:  # most questions: nothing ended is shown, and nothing below need be read
        return False

    def named(p: Program) -> bool:
        return about(book, book.programs[p.program_id], question, counts, facts)

    in_force = [p for p in shown if p.status != "expired"]
    if any(_uses_its_topic(book, p, question) or named(p) for p in in_force):
        return False
    in_force_top = max((points[p.program_id] for p in in_force), default=0)
    return any(points[p.program_id] >= CLEARER * in_force_top and named(p) for p in past)


def _uses_its_topic(book: Rulebook, program: Program, question: str) -> bool:
    """The question uses a topic word of the program besides the kind of support ("首台套奖励": 首台套),
    though one too common to name it outright."""
    benefit_words = book.vocabulary.focus.benefit_words
    topics = book.programs[program.program_id].topics
    return any(t not in benefit_words for t in _used(topics, question))


def _named_besides(book: Rulebook, program: Program, asked: list[Program], question: str, counts: Counter[str]) -> bool:
    """The asking sentence names this program too, by a word that names none of those already asked
    about ("纳统奖励和直接奖补都能拿吗"): several programs asked about are all in focus. A topic word no
    other program speaks of names it here even when short (纳统)."""
    ask = asking_sentences(question)

    def names(p: Program) -> set[str]:
        rule = book.programs[p.program_id]
        own = {t for t in rule.topics if counts[t] == 1 and t in ask}
        return own | set(naming_words(book, rule, ask, counts))

    taken = {w for p in asked for w in names(p)}
    return bool(names(program) - taken)


def _names_its_policy(book: Rulebook, program: Program, question: str) -> bool:
    return names_policy(book.library.policies[book.program_policy[program.program_id]].meta, question)


def _reserved_for_unstated(book: Rulebook, program: Program, facts: EnterpriseFacts) -> bool:
    """The program is for holders of a recognition (its first condition) the user has not said they hold."""
    rule = book.programs[program.program_id]
    first = _first_tags(rule)
    return bool(first) and not first <= set(book.vocabulary.project_tags) and not states_recipient(rule, facts)


def _title_has_benefit(book: Rulebook, program: Program, question: str) -> bool:
    """The question names the kind of support this program's own title names ("贴息" for 贷款贴息): with
    an alternative of it asked about ("直接奖补和贴息选哪个"), both are, since only one may be chosen."""
    return any(w in program.title for w in _used(book.vocabulary.focus.benefit_words, question))


def _takes_every_figure(book: Rulebook, program: Program, facts: EnterpriseFacts) -> bool:
    """The program's formula is computed from every amount the user gave that any formula reads (设备
    and 研发 for 济源's 技改后补助): the figures were given for it, whatever else the question names."""
    formula_roles = {role for rule in book.programs.values() for role in rule.formula.base}
    given = {role for role in facts.amounts if role in formula_roles}
    return bool(given) and given == set(book.programs[program.program_id].formula.base)
