"""All programs of all policies, loaded once and checked against the texts they quote.

Loading is where a broken rule is caught: a quote that is not verbatim in its clause, a tag that
no vocabulary defines, a fact name the facts model does not know. The calculator can then trust
what it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from assistant.core.paths import index_file
from assistant.core.settings import Settings
from assistant.rules.errors import field_errors
from assistant.rules.schema import (
    AMOUNT_UNITS,
    Citation,
    Level,
    NonProgram,
    Procedure,
    Program,
    RulesFile,
    TagDef,
    Threshold,
    check_citation,
    known_unit,
    load_rules,
)
from assistant.texts.library import Library, load_library
from assistant.texts.policies import CorpusError, Policy

RULES_FILE = "programs.yaml"


class AmountRole(BaseModel):
    """How questions name one amount, and which others make it up when it is not given itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    cues: list[str]
    unit: str = "元"  # or a quantity (亩, 平方米: rules.schema.QUANTITY_UNITS) for a per-unit formula
    # Cues that say only "an investment" (投资额): they give way to a specific noun in the clause before.
    weak_cues: list[str] = []
    # Nouns that name the amount only when they follow it ("一个800万的技改项目"): before an amount they
    # are the subject of another noun ("技改项目贷款1600万").
    after_cues: list[str] = []
    includes: list[str] = []  # roles whose stated amounts add into this one (设备投资 含工艺包和软件)
    at_least_sum_of: list[str] = []  # roles whose sum bounds this one from below (the parts of a total)

    @field_validator("unit")
    @classmethod
    def _unit(cls, unit: str) -> str:
        """Only units the reader can read counts of: any other would be asked for and never understood."""
        return known_unit(unit, AMOUNT_UNITS)

    @model_validator(mode="before")
    @classmethod
    def _label_is_a_cue(cls, data: Any) -> Any:
        """The label names the amount too: the assistant's own question uses it ("您说的“120万”是开展创新
        创业系列活动实际发生的费用吗？"), and a "是" is read back as the label and the amount."""
        if isinstance(data, dict) and data.get("label") and data["label"] not in (data.get("cues") or []):
            return {**data, "cues": [*(data.get("cues") or []), data["label"]]}
        return data


class ReplyWords(BaseModel):
    """How people answer a yes/no question briefly, or say they do not know (answering.replies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    affirm: list[str]  # not `yes`/`no`: YAML reads those keys as booleans
    deny: list[str]
    unknown: list[str]
    # 我们, 我司 …: the subject a reply may open with ("我们是研发制造单位"), read past to the yes or no.
    subjects: list[str] = []
    # Put before a reply to "企业在哪个地区？" ("东营市河口区"): the words that make a place the enterprise's own.
    own_place: str = "企业在"


class FocusWords(BaseModel):
    """Words that say which program a question is about, beyond the programs' own titles and topics
    (answering.focus): the kind of support asked for, the level of government that pays, and words
    that ask for every program, expired ones included."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # A word here that the question and a program's title or topics share points at that program.
    benefit_words: list[str]
    # 区里 / 市里 / 省里 …: the issuing level, which a policy's region depth gives (省 1, 市 2, 区县 3).
    issuer_levels: dict[Level, list[str]]
    # 国家 names no issuer here: a program whose title names the state is what 国家 points at.
    state_words: list[str]
    state_in_title: list[str]
    all_words: list[str]  # 所有, 全部, 已失效的也算: expired programs are shown too
    # 不要, 不选 …: a program named in the same clause is declined ("直接奖补我们不要"), unless the word
    # is half of an A-not-A question ("要不要", "需不需要").
    decline_words: list[str] = []


class VagueSense(BaseModel):
    """Words that make an amount not exact, and what they still say of it: below / at_most /
    above / at_least the number, or only about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    bound: Literal["below", "at_most", "above", "at_least", "about"]
    before: list[str] = []
    after: list[str] = []


class IntentCues(BaseModel):
    """Words that tell an ask of the enterprise's own benefit ("能拿多少") from an ask of what the text
    says ("有效期到什么时候"); index/vocabulary.yaml explains each list."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    benefit_asks: list[str]
    property_asks: list[str]
    count_words: list[str]
    count_units: list[str]
    how_words: list[str]
    process_verbs: list[str]
    which_words: list[str]
    either_or: tuple[str, str]
    measure_words: list[str]
    benefit_words: list[str]
    interrogatives: list[str]
    ellipsis: list[str]
    not_asking: list[str]
    computation_asks: list[str]
    parameter_asks: list[str]
    validity_asks: list[str]  # 还有效吗: whether our application still can be made, once we say who we are
    budget_words: list[str]
    modal_words: list[str]
    procedure_cues: list[str]


class AnswerKind(BaseModel):
    """A kind of answer a fact question asks for ("哪个单位": a body) and how a sentence that gives one
    looks, so that such a sentence is quoted first, and its absence said."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str  # named in "政策原文未载明…"
    asked_by: list[str]
    given_by: re.Pattern[str]


class StatedRate(BaseModel):
    """A rate the enterprise states of itself ("综合投保费率2%"): a percentage after one of the cues."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    cues: list[str]


class ClaimCues(BaseModel):
    """Words around an amount that make it the subsidy hoped for, not a fact of the project."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verbs: list[str]
    nouns: list[str]


class PlaceCues(BaseModel):
    """Words around a place name that say whose place it is: the enterprise's, or a policy's."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enterprise_after: list[str]
    fillers: list[str]
    other_after: list[str]
    other_before: list[str]
    own_before: list[str]  # 我们郑州的装备厂生产的: the asker's own place, whatever follows
    enterprise_before: list[str]
    policy_after: list[str]
    policy_before: list[str]


class Contrary(BaseModel):
    """Words that say a qualifier of the rule does not hold: the rule says 首次, the user 重新认定.

    Keyed by the rule's own word, so a new rule using it is covered; `near`, when given, must also
    be said in the same clause (改成 says nothing against 不改变土地用途 unless 用途 is said)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    said: list[str]
    near: list[str] = []


class RecognitionCues(BaseModel):
    """How people say where a recognition, a grant or a choice stands (assistant.reading.recognitions)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fillers: list[str]  # particles dropped before matching (了, 的)
    same_as: dict[str, str]  # forms read as one (省级 → 省, 首台（套） → 首台套)
    questions: list[str]  # 有没有, 是不是: negation words inside a question, not a negation
    lookalikes: list[str]  # 未来, 无锡: words that begin with a one-character negation
    breaks: list[str]  # 但, 而是: a negation before one of these does not reach past it
    verbs: list[str]  # 认定, 评定, 入选 …: the verbs of being recognised
    granted: list[str]  # 认定为, 获批, 批下来 …: stated as done
    pending: list[str]  # 正在申报 …: stated as not yet, before the recognition
    pending_after: list[str]  # 还没批 …: stated as not yet, after it or in a clause of its own
    # 还没, 尚未, 预计 …: a negation that says "not yet", so the condition awaits it rather than fails
    not_yet: list[str] = []
    in_process: list[str]  # 还在评审, 还没公布结果 …: the outcome awaited, after it or in a clause of its own
    applied: list[str]  # 申报 …: applied for, the outcome not said
    doubts: list[str]  # 不确定, 不知道 …: whether it holds is not known to the user
    issuers: dict[str, list[str]]  # level → words naming who grants or funds (工信部 → 国家级)
    contraries: list[Contrary]
    asked_money: list[str]  # 奖励, 扣除 …: a clause asking for these names the program it asks about
    funding_nouns: list[str]  # 专项资金, 奖补 …
    received: list[str]  # 拿到, 享受 …: money received
    chose: list[str]  # 已经选了 …: an option chosen (read on the raw text: 了 matters here)
    other_project: list[str]  # 另一个项目 …: what was received belongs to another project
    actions: dict[str, list[str]]  # a role's action word in the rules → how it is said (购买: 买, 采购 …)
    makers: list[str]  # 生产, 制造: a maker said with its place
    here: list[str]  # 本市, 本地: the enterprise's own place


class RuleWords(BaseModel):
    """What the rules files say of one tag: the describe of each condition or exclusion using it (written
    for it), and the quotes they cite (the text's own words, which may name more than the tag)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    describes: list[str] = []
    quotes: list[str] = []

    def all(self) -> list[str]:
        return self.describes + self.quotes


class Vocabulary(BaseModel):
    """index/vocabulary.yaml: how staff name amounts, levels, places and yes/no facts, and the words
    that say what kind of question it is. Data, not code, so that wording is changed in one file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amount_roles: dict[str, AmountRole]
    negations: list[str]
    levels: dict[str, list[str]]
    places: dict[str, list[str]]  # place offered in forms → short names read inside it (河口, 济源)
    place_cues: PlaceCues
    tags: dict[str, TagDef]
    intent: IntentCues
    answer_kinds: dict[str, AnswerKind]
    claimed_subsidy: ClaimCues
    lpr_cues: list[str]
    stated_rates: dict[str, StatedRate] = {}
    generic_words: list[str]
    vague_amounts: list[VagueSense]
    self_corrections: list[str]  # 不对，是…: the next amount corrects the one before
    business_figures: list[str] = []  # 营收3个亿: the enterprise's own figures, which no rule reads
    replies: ReplyWords
    recognition: RecognitionCues
    focus: FocusWords
    # Filled in from the policy folders when the rulebook loads, never written in the yaml: messages
    # that say what is covered name these, so adding a policy folder changes them.
    covered_regions: list[str] = []
    # The tags of index/vocabulary.yaml itself: facts of any project (技改, 已投产), not a recognition of
    # the enterprise that one policy's program is for (those come from the policies' own files).
    project_tags: list[str] = []
    # The rule's own words for each tag (its conditions' and exclusions' describe and the quotes no
    # other tag shares), so a recognition is read in the words of the text, not only of a phrase list.
    tag_texts: dict[str, RuleWords] = {}
    # choose-one group → program id → the words that name that option and no other of the group.
    choice_options: dict[str, dict[str, list[str]]] = {}


@dataclass(frozen=True)
class ResolvedCitation:
    """A citation with its document and exact span, ready for an answer."""

    policy_id: str
    doc_number: str | None
    clause: str
    heading_path: tuple[str, ...]
    quote: str
    start: int
    end: int


@dataclass(eq=False)  # one built rulebook is one set of rules: identity, which per-book caches key on
class Rulebook:
    library: Library
    vocabulary: Vocabulary
    programs: dict[str, Program] = field(default_factory=dict)
    program_policy: dict[str, str] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    procedure_policy: dict[str, str] = field(default_factory=dict)
    non_programs: dict[str, list[NonProgram]] = field(default_factory=dict)  # by policy id

    def policy_of(self, program_id: str) -> Policy:
        return self.library.policies[self.program_policy[program_id]]

    def resolve(self, policy_id: str, citation: Citation) -> ResolvedCitation:
        policy = self.library.policies[policy_id]
        clause = self.library.clauses.get(citation.clause)
        if clause is None or clause.policy_id != policy_id:
            raise ValueError(f"{policy_id}: citation names unknown clause {citation.clause!r}")
        start, end = check_citation(citation, policy.text, (clause.start, clause.end))
        return ResolvedCitation(
            policy_id, policy.meta.doc_number, clause.clause_id, clause.heading_path, citation.quote, start, end
        )


class FolderVocabulary(BaseModel):
    """A policy folder's own `vocabulary.yaml`: the amounts and yes/no facts only its rules use, kept
    beside them so that adding a policy never edits the shared file other policies' questions are
    read with. A name the shared vocabulary (or another folder) already defines must mean the same."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amount_roles: dict[str, AmountRole] = {}
    tags: dict[str, TagDef] = {}
    # The policy's place → short names staff write on their own (德清 for 浙江省湖州市德清县), as in
    # the shared `places`; a county's short name is otherwise read only right after its city.
    places: dict[str, list[str]] = {}


FOLDER_VOCABULARY = "vocabulary.yaml"


def with_folder_vocabularies(vocabulary: Vocabulary, folders: list[Path]) -> Vocabulary:
    """The shared vocabulary plus each folder's own (see FolderVocabulary); raises on a clash."""
    roles, tags, places = dict(vocabulary.amount_roles), dict(vocabulary.tags), dict(vocabulary.places)
    for folder in folders:
        path = folder / FOLDER_VOCABULARY
        if not path.is_file():
            continue
        own = _folder_vocabulary(path)
        mine_all = (("金额名", own.amount_roles, roles), ("是/否事实", own.tags, tags), ("地名", own.places, places))
        for kind, mine, merged in mine_all:
            for name, value in mine.items():
                if name in merged and merged[name] != value:
                    raise CorpusError(f"{path}：{kind} {name} 已在共用词表或另一项政策里用别的说法定义过，请换一个名称")
                merged[name] = value  # type: ignore[assignment]
    return vocabulary.model_copy(update={"amount_roles": roles, "tags": tags, "places": places})


def _folder_vocabulary(path: Path) -> FolderVocabulary:
    """A folder's vocabulary.yaml, or a CorpusError that says in Chinese which field is wrong and why."""
    try:
        return FolderVocabulary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except yaml.YAMLError as err:
        raise CorpusError(f"{path}：不是有效的 YAML（{err}）") from None
    except ValidationError as err:
        raise CorpusError(f"{path}：{field_errors(err)}") from None


def load_vocabulary(settings: Settings) -> Vocabulary:
    """The vocabulary beside the policies folder, since its places and tags describe those policies."""
    path = index_file(settings.policies_dir, "vocabulary.yaml")
    return Vocabulary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _tag_texts(programs: list[Program]) -> dict[str, RuleWords]:
    """Each tag's describes and quotes. A text that speaks of several tags (an any_tags condition, a
    quote two conditions of different tags share: 省内研发和购买使用单位) belongs to none of them."""
    owners: dict[tuple[str, bool], set[str]] = {}  # (text, is a quote) → tags
    for program in programs:
        for cond in program.conditions:
            tags = [cond.tag] if cond.tag else list(cond.any_tags or [])
            for key in ((cond.describe, False), (cond.citation.quote, True)) if tags else ():
                owners.setdefault(key, set()).update(tags)
        for excl in program.exclusions:
            for key in ((excl.describe, False), (excl.citation.quote, True)):
                owners.setdefault(key, set()).add(excl.tag)
        for add in program.formula.rate_additions:
            for key in ((add.describe, False), (add.points.citation.quote, True)):
                owners.setdefault(key, set()).add(add.tag)
    texts: dict[str, dict[str, list[str]]] = {}
    for (text, quote), owned_by in owners.items():
        if len(owned_by) == 1:
            kind = texts.setdefault(owned_by.pop(), {"describes": [], "quotes": []})
            kind["quotes" if quote else "describes"].append(text)
    return {tag: RuleWords(**kinds) for tag, kinds in texts.items()}


def _choice_options(programs: list[Program]) -> dict[str, dict[str, list[str]]]:
    """For each group whose text says only one may be chosen, the topic words of each option that no
    other option of the group has (直接奖补 / 贷款, 贴息): how the user names the one already chosen."""
    groups: dict[str, list[Program]] = {}
    for program in programs:
        if program.choose_one_group and program.choose_one_citation:
            groups.setdefault(program.choose_one_group, []).append(program)
    return {
        group: {
            p.id: [t for t in p.topics if not any(t in other.topics for other in options if other is not p)]
            for p in options
        }
        for group, options in groups.items()
    }


def _check_program(book: Rulebook, policy_id: str, program: Program) -> None:
    """Every quote verbatim in its clause; every fact and tag known; raises with the program's id."""
    for citation in program.all_citations():
        book.resolve(policy_id, citation)
    if program.clause not in book.library.clauses:
        raise ValueError(f"{program.id}: unknown clause {program.clause!r}")
    roles = book.vocabulary.amount_roles
    facts = program.amount_facts()
    tags = [c.tag for c in program.conditions if c.tag] + [e.tag for e in program.exclusions]
    tags += [t for c in program.conditions for t in (c.any_tags or [])]
    tags += [a.tag for a in program.formula.rate_additions]
    for fact in facts:
        if fact not in roles:
            raise ValueError(f"{program.id}: unknown amount fact {fact!r}")
    limit = program.formula.base_limit
    if limit and limit.rate_fact and limit.rate_fact not in book.vocabulary.stated_rates:
        raise ValueError(f"{program.id}: unknown stated rate {limit.rate_fact!r}")
    for tag in tags:
        if tag not in book.vocabulary.tags:
            raise ValueError(f"{program.id}: unknown tag {tag!r}")


def build_rulebook(settings: Settings) -> Rulebook:
    """The rules of every policy folder, checked against their texts; a broken rules file or text
    is a `CorpusError` naming it."""
    try:
        return _build_rulebook(settings)
    except CorpusError:
        raise
    except (ValueError, yaml.YAMLError, OSError) as err:
        raise CorpusError(f"政策规则数据有误：{err}") from err


def _build_rulebook(settings: Settings) -> Rulebook:
    library = load_library(settings.policies_dir)
    files: list[RulesFile] = []
    for policy in library.policies.values():
        path = policy.folder / RULES_FILE
        if path.exists():
            rules = load_rules(path)
            if rules.policy != policy.id:
                raise ValueError(f"{path}: policy {rules.policy!r} differs from folder {policy.id!r}")
            files.append(rules)
    folders = [policy.folder for policy in library.policies.values()]
    book = rulebook_from(library, with_folder_vocabularies(load_vocabulary(settings), folders), files)
    for program_id, program in book.programs.items():
        _check_program(book, book.program_policy[program_id], program)
    return book


def in_its_units(program: Program, vocabulary: Vocabulary) -> Program:
    """The program with each threshold that names no unit in its fact's (员工人数不少于50人: 人), so a
    maintainer writes the unit once, on the amount, and a count is never compared or shown as 元."""

    def fill(t: Threshold | None) -> Threshold | None:
        if t is None or "unit" in t.model_fields_set or t.fact not in vocabulary.amount_roles:
            return t
        return t.model_copy(update={"unit": vocabulary.amount_roles[t.fact].unit})

    conditions = [c.model_copy(update={"threshold": fill(c.threshold)}) for c in program.conditions]
    tiers = [t.model_copy(update={"lower": fill(t.lower), "upper": fill(t.upper)}) for t in program.formula.tiers]
    formula = program.formula.model_copy(update={"tiers": tiers})
    return program.model_copy(update={"conditions": conditions, "formula": formula})


def rulebook_from(library: Library, vocabulary: Vocabulary, files: list[RulesFile]) -> Rulebook:
    """The rulebook of these rules files over this library, not yet checked program by program (the
    loader raises at the first broken program; `policy check` lists them all)."""
    all_tags = dict(vocabulary.tags)
    for rules in files:
        for name, tag in rules.tags.items():
            if name in all_tags and all_tags[name] != tag:
                raise ValueError(f"tag {name!r} defined twice with different phrases ({rules.policy})")
            all_tags[name] = tag
    covered = list(dict.fromkeys(p.meta.region_name for p in library.policies.values()))
    programs = [program for rules in files for program in rules.programs]
    derived = {
        "tags": all_tags,
        "project_tags": list(vocabulary.tags),
        "covered_regions": covered,
        "tag_texts": _tag_texts(programs),
        "choice_options": _choice_options(programs),
    }
    book = Rulebook(library, vocabulary.model_copy(update=derived))
    for rules in files:
        for program in rules.programs:
            if program.id in book.programs:
                raise ValueError(f"program id {program.id!r} used twice")
            book.programs[program.id] = in_its_units(program, vocabulary)
            book.program_policy[program.id] = rules.policy
        book.non_programs[rules.policy] = list(rules.non_programs)
        for item in rules.non_programs:
            book.resolve(rules.policy, Citation(clause=item.clause, quote=item.quote))
        for key, procedure in rules.procedures.items():
            book.procedures[key] = procedure
            book.procedure_policy[key] = rules.policy
            book.resolve(rules.policy, procedure.citation)
    return book


@lru_cache(maxsize=4)
def load_rulebook(settings: Settings) -> Rulebook:
    return build_rulebook(settings)
