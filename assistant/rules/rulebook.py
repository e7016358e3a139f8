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

import yaml
from pydantic import BaseModel, ConfigDict

from assistant.core.settings import Settings
from assistant.rules.schema import (
    Citation,
    NonProgram,
    Procedure,
    Program,
    RulesFile,
    TagDef,
    check_citation,
    load_rules,
)
from assistant.texts.library import Library, load_library
from assistant.texts.policies import CorpusError, Policy

RULES_FILE = "programs.yaml"


class AmountRole(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    cues: list[str]


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


class ClaimCues(BaseModel):
    """Words around an amount that make it the subsidy hoped for, not a fact of the project."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verbs: list[str]
    nouns: list[str]


class Vocabulary(BaseModel):
    """index/vocabulary.yaml: how staff name amounts, levels, places and yes/no facts, and the words
    that say what kind of question it is. Data, not code, so that wording is changed in one file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    amount_roles: dict[str, AmountRole]
    negations: list[str]
    levels: dict[str, list[str]]
    places: dict[str, list[str]]
    tags: dict[str, TagDef]
    intent: IntentCues
    answer_kinds: dict[str, AnswerKind]
    claimed_subsidy: ClaimCues
    lpr_cues: list[str]
    generic_words: list[str]
    # Filled in from the policy folders when the rulebook loads, never written in the yaml: messages
    # that say what is covered name these, so adding a policy folder changes them.
    covered_regions: list[str] = []


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


@dataclass
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


def load_vocabulary(settings: Settings) -> Vocabulary:
    path = Path(settings.policies_dir).parent / "vocabulary.yaml"
    return Vocabulary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


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
    for fact in facts:
        if fact not in roles:
            raise ValueError(f"{program.id}: unknown amount fact {fact!r}")
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
    vocabulary = load_vocabulary(settings)
    files: list[RulesFile] = []
    for policy in library.policies.values():
        path = policy.folder / RULES_FILE
        if path.exists():
            rules = load_rules(path)
            if rules.policy != policy.id:
                raise ValueError(f"{path}: policy {rules.policy!r} differs from folder {policy.id!r}")
            files.append(rules)
    all_tags = dict(vocabulary.tags)
    for rules in files:
        for name, tag in rules.tags.items():
            if name in all_tags and all_tags[name] != tag:
                raise ValueError(f"tag {name!r} defined twice with different phrases ({rules.policy})")
            all_tags[name] = tag
    covered = list(dict.fromkeys(p.meta.region_name for p in library.policies.values()))
    book = Rulebook(library, vocabulary.model_copy(update={"tags": all_tags, "covered_regions": covered}))
    for rules in files:
        for program in rules.programs:
            if program.id in book.programs:
                raise ValueError(f"program id {program.id!r} used twice")
            book.programs[program.id] = program
            book.program_policy[program.id] = rules.policy
        book.non_programs[rules.policy] = list(rules.non_programs)
        for item in rules.non_programs:
            book.resolve(rules.policy, Citation(clause=item.clause, quote=item.quote))
        for key, procedure in rules.procedures.items():
            book.procedures[key] = procedure
            book.procedure_policy[key] = rules.policy
            book.resolve(rules.policy, procedure.citation)
    for program_id, program in book.programs.items():
        _check_program(book, book.program_policy[program_id], program)
    return book


@lru_cache(maxsize=4)
def load_rulebook(settings: Settings) -> Rulebook:
    return build_rulebook(settings)
