"""Is the user asking for their own figure (a self-assessment) or for what the texts state (a fact)?

Decided by what the question asks, not by what it mentions: "我们总投资2000万，申报截止是哪天？"
gives figures but asks a date the text states, and gets the text's sentence; "能拿多少？" asks the
enterprise's own benefit, and gets the calculator. The asking clauses count — the last clause of
each sentence ending in a question mark, or of the text — since the clauses before them give context
("今年几个项目已经拿满300万了，还能再拿吗"), unless they ask the enterprise's benefit themselves
("可以拿多少钱，多久到账"). Each asking clause asks either of the enterprise's
benefit or of a property of a program, fund or body: who, where, when, how long, how many, which
materials, how a procedure goes, whether two programs combine, a fund's yearly budget, how the text
computes something. A property wins within a clause ("什么时候能拿到" asks when); a benefit wins
across clauses, as the calculator answers it. A question asking neither is an assessment when it
gives figures, yes/no facts or a level, else a fact question. The words are index/vocabulary.yaml's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from assistant.calculator.facts import EnterpriseFacts
from assistant.reading.places import Role
from assistant.reading.recognitions import US
from assistant.reading.understanding import Understanding
from assistant.rules.rulebook import IntentCues

SENTENCE = re.compile(r"[^。？?！!；;\n]+[？?]?")
CLAUSE_BREAK = re.compile(r"[，,]")
HOW_REACH = 4  # characters after a how-word within which its verb stands ("如何才能申请")
THING_LENGTH = 4  # characters after a which-word that name the thing asked for
COMPARATIVES = ("多", "更多", "高", "更高", "少")  # "直接奖补和贴息哪个多": which gives us more, ours
# "是2万还是3万", "按3000万算还是1800万": which of two figures is ours
AMOUNT_EITHER_OR = re.compile(
    r"[0-9一二两三四五六七八九十百千.]+万元?(?:算|计算|来算)?还是(?:按)?[0-9一二两三四五六七八九十百千.]+万"
)
FIGURE = re.compile(r"[0-9一二两三四五六七八九十百千.]+万")  # a figure said in 万 (5万, 三十万)
YES_NO = ("吗", "么", "嘛")  # the end of a yes/no question
SUBJECT_VERBS = ("包括", "包含", "都有", "有", "是", "需要", "要")  # between a noun and a which-word ending the clause


class Intent(str, Enum):
    ASSESSMENT = "assessment"
    FACT = "fact"


class Ask(str, Enum):
    BENEFIT = "benefit"  # the enterprise's own figure or eligibility
    PROPERTY = "property"  # what the text says of a program, fund or body


@dataclass(frozen=True)
class Asker:
    """What the question says of the enterprise asking. With its figures or its own place, "标准是多少"
    and "怎么算" ask how its own figure comes out; having said what it is ("我们是医药储备企业",
    "我们技改项目新入统计库了"), "怎么算" and "怎么申请" ask whether it can, and how."""

    figures_or_place: bool = False
    what_it_is: bool = False


def _questions(text: str) -> list[list[str]]:
    """The clauses of each question: every sentence ending in a question mark, and the last one."""
    sentences = [m.group().strip() for m in SENTENCE.finditer(text) if m.group().strip()]
    asking = [s for s in sentences if s[-1] in "？?"]
    if sentences and sentences[-1] not in asking:
        asking.append(sentences[-1])
    return [[c.strip() for c in CLAUSE_BREAK.split(s.rstrip("？?")) if c.strip()] for s in asking]


def asking_clauses(text: str) -> list[str]:
    """The clause of each question that carries its interrogative: its last."""
    return [clauses[-1] for clauses in _questions(text) if clauses]


def asking_sentences(text: str) -> str:
    """The sentences that ask (those ending in a question mark, and the last), without what only sets
    the scene before them ("我们是省骨干煤炭企业，今年压力很大……问一个具体的：保证金还得缴存吗？")."""
    return "。".join("，".join(clauses) for clauses in _questions(text))


def _has(clause: str, words: list[str]) -> bool:
    return any(w in clause for w in words)


def _counts(clause: str, cues: IntentCues) -> bool:
    """ "多少家", "几年": a count or span, which the text states."""
    return any(w + u in clause for w in cues.count_words for u in cues.count_units)


def _how_to(clause: str, cues: IntentCues) -> bool:
    """ "怎么申请", "如何才能进入项目库": how a procedure goes."""
    return any(
        _has(clause[m.end() : m.end() + HOW_REACH], cues.process_verbs)
        for how in cues.how_words
        for m in re.finditer(re.escape(how), clause)
    )


def _which_thing(clause: str, cues: IntentCues) -> bool:
    """ "哪个单位", "什么材料": which thing, when the thing is not a benefit ("哪些奖励", "什么补贴",
    "哪个划算" ask of the enterprise's own)."""
    measure = "".join(cues.measure_words)
    for which in cues.which_words:
        for m in re.finditer(re.escape(which), clause):
            thing = clause[m.end() :].lstrip(measure).rstrip("？?。！!呢啊吗")[:THING_LENGTH]
            if (
                thing
                and not thing.startswith(COMPARATIVES)
                and not any(thing.startswith(w) for w in cues.benefit_words)
            ):
                return True
            if not thing and _subject_is_thing(clause[: m.start()], cues):
                return True
    return False


def _subject_is_thing(before: str, cues: IntentCues) -> bool:
    """ "申报材料清单包括哪些": a which-word ending the clause asks of the noun before its verb, a
    property of the text unless that noun is a benefit ("济源的政策有哪些")."""
    verb = next((v for v in sorted(SUBJECT_VERBS, key=len, reverse=True) if before.endswith(v)), None)
    head = before[: -len(verb)][-THING_LENGTH:] if verb else ""
    return len(head) >= 2 and not any(w in head for w in cues.benefit_words)


def _either_or(clause: str, cues: IntentCues) -> bool:
    """ "钱是给企业还是给银行": which of two the text says, unless the two are benefits ("是奖补还是贴息")."""
    either, then = cues.either_or
    at = clause.find(then)
    other = clause[at + len(then) :] if at > 0 else ""
    return bool(other) and either in clause[:at] and not _has(other, cues.benefit_words)


def _yes_no(clause: str) -> bool:
    return clause.rstrip("？?。 ").endswith(YES_NO)


def _asks_of_a_figure(clause: str, cues: IntentCues) -> bool:
    """A yes/no question about a benefit's figure ("这个5万奖励算我们的吗"): whether we get it."""
    if not _yes_no(clause):
        return False
    return any(clause[m.end() :].lstrip("元的").startswith(tuple(cues.benefit_words)) for m in FIGURE.finditer(clause))


def _we_may(clause: str, cues: IntentCues) -> bool:
    """ "这个政策我们能用吗", "我司可以参加吗": a yes/no question whether we, the asker, may."""
    if not _yes_no(clause):
        return False
    found = [clause.find(w) for w in US if w in clause]
    return bool(found) and _has(clause[min(found) :], cues.modal_words)


def ask_of(clause: str, cues: IntentCues, asker: Asker) -> Ask | None:
    """What one asking clause asks of; None when it holds no interrogative this knows."""
    for words in cues.not_asking:
        clause = clause.replace(words, " ")
    if AMOUNT_EITHER_OR.search(clause):  # "纳统奖励是2万还是3万": which figure is ours
        return Ask.BENEFIT
    if asker.what_it_is and _how_to(clause, cues):  # "我们是医药储备企业，贴息怎么申请": whether we can, then how
        return Ask.BENEFIT
    property_tests = (_counts, _how_to, _which_thing, _either_or)
    if _has(clause, cues.property_asks) or any(test(clause, cues) for test in property_tests):
        return Ask.PROPERTY
    if _has(clause, cues.benefit_asks) or _asks_of_a_figure(clause, cues) or _we_may(clause, cues):
        return Ask.BENEFIT
    if _has(clause, cues.parameter_asks):  # our figure's standard, or the rule's
        return Ask.BENEFIT if asker.figures_or_place else Ask.PROPERTY
    if _has(clause, cues.computation_asks):  # how our figure comes out, or how the rule computes
        return Ask.BENEFIT if asker.figures_or_place or asker.what_it_is else Ask.PROPERTY
    budget = _has(clause, cues.budget_words) and not _has(clause, cues.modal_words)
    if budget and _has(clause, cues.count_words):  # "每年安排多少钱": a fund's own budget
        return Ask.PROPERTY
    return None


def asks(text: str, cues: IntentCues, asker: Asker) -> set[Ask]:
    """What the asking clauses ask of; a question's earlier clauses count only when they ask the
    enterprise's benefit ("可以拿多少钱，多久到账"): as context ("截止目前", "前几年", "听说能拿6%")
    they ask nothing."""
    out = set()
    for clauses in _questions(text):
        last = len(clauses) - 1
        for at, clause in enumerate(clauses):
            if at and clause.startswith(cues.either_or[1]):  # "钱是打到企业账户上，还是直接给银行": one either-or
                clause = f"{clauses[at - 1]}，{clause}"
            ask = ask_of(clause, cues, asker)
            asked = at == last or (ask is Ask.BENEFIT and _has(clause, cues.interrogatives))
            if ask is not None and asked:
                out.add(ask)
            # "按什么利率算、能贴多少": a benefit asked after 、 is asked too (not "多少个智能工厂、智能车间")
            tail = clause.rsplit("、", 1)[-1] if "、" in clause else ""
            if tail and asked and ask_of(tail, cues, asker) is Ask.BENEFIT:
                out.add(Ask.BENEFIT)
    return out


def _states(facts: EnterpriseFacts) -> bool:
    """Figures, a yes/no fact or a level: what the calculator works from."""
    return bool(facts.amounts) or any(facts.tags.values()) or facts.level is not None


def _elliptical(question: str, read: Understanding, cues: IntentCues) -> bool:
    """ "济源呢？": a turn that states nothing and asks only "what about…", so asks what was asked before
    ("那能贴多少？" asks on its own)."""
    own = [w for w in cues.interrogatives if w not in cues.ellipsis]
    return not (_states(read.facts) or read.open_amounts or _has(question, own))


def classify(question: str, read: Understanding, facts: EnterpriseFacts, cues: IntentCues, context: str = "") -> Intent:
    """`read` is this turn's reading, `facts` all the conversation's, `context` its earlier questions,
    which say what is asked only when this turn is elliptical. Amounts the reader could not place
    count as figures given."""
    gave_figures = bool(facts.amounts) or bool(read.open_amounts)
    of_itself = gave_figures or read.place_role is Role.ENTERPRISE
    said_us = _has(question, list(US))
    asker = Asker(of_itself, _states(read.facts) and said_us)
    asked = asks(question, cues, asker)
    if not asked and _elliptical(question, read, cues):
        asked = asks(context, cues, asker)
    if any(_has(clause, cues.validity_asks) for clause in asking_clauses(question)):
        # "还有效吗": once we said who we are, whether we can still apply (each program judged on the day)
        return Intent.ASSESSMENT if of_itself or said_us else Intent.FACT
    if Ask.BENEFIT in asked:
        return Intent.ASSESSMENT
    if Ask.PROPERTY in asked:
        return Intent.FACT
    return Intent.ASSESSMENT if gave_figures or _states(facts) else Intent.FACT
