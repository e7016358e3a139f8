"""The answer as one typed model: what `ask --json`, the web API (`/ask`, `/chat`), the page, the
logbook and the evaluation all share.

Why a model and not a dict: the answer is a contract with callers outside this code (a help desk's
integration, stored logs, evaluation results), and a key renamed in one module used to surface only
where some other module read it. Here every key is declared once, with what it means; `extra="forbid"`
rejects a key nobody declared, so a stored log or a fixture that drifts fails loudly instead of
quietly. The published JSON Schema (docs/answer.schema.json, `python -m assistant schema`) is
generated from these classes, and the descriptions in it are the attribute docstrings below.

The JSON is what it was before the model existed, key order included: figures are JSON numbers in
yuan (exact to the cent below 10^13), dates ISO text, and the keys that only some kinds of answer
carry (`quotes`, `covered_policies`, the language model's `answer_source` …) are left out, not null,
where they do not apply.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.calculator.facts import EnterpriseFacts

Kind = Literal["assessment", "fact", "out_of_scope", "bad_input"]
# The calculator's Status, AmountKind and Benefit values, as plain strings: a str-valued Enum hashes by
# its name, so `{"eligible": …}.get(status)` would miss; tests/answering/test_api_models.py holds
# these lists to the enums.
ProgramStatus = Literal["eligible", "ineligible", "needs_info", "expired"]
AmountKindName = Literal["max", "exact", "unspecified"]
BenefitName = Literal["cash", "tax_credit", "tax_deduction", "tax_rate", "fund", "in_kind"]


def _absent(value: Any) -> bool:
    """A key this kind of answer does not have: left out of the JSON rather than written as null."""
    return value is None


def _only_some() -> Any:
    """A field only some answers carry (see `_absent`)."""
    return Field(default=None, exclude_if=_absent)


class ContractModel(BaseModel):
    """Every part of the answer: unknown keys are refused, assignments are checked, the attribute
    docstrings become the schema's descriptions."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_attribute_docstrings=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON object (dicts, lists, str, numbers, None) as the CLI prints it and the APIs send it."""
        return self.model_dump(mode="json")

    def dumps(self) -> str:
        """`to_json()` as text, Chinese kept readable (not \\u-escaped): one line of `ask --json`."""
        return json.dumps(self.to_json(), ensure_ascii=False)


# The contract's version. 2 (2026-12-01): `facts.unsettled` (amounts named but not given exactly)
# replaces `facts.approximate`. Answers stored before (version 1) are read with that list dropped.
# 3 (2026-12-02): `facts_state.rates` (rates of its own the user stated, e.g. premium_rate) and
# `facts_state.not_yet` (conditions said not reached yet), empty by default, so answers of version 2 read
# unchanged.
CONTRACT_VERSION = 3


def _without_approximate(data: Any) -> Any:
    """A version-1 facts object as version 2: `approximate` is gone, `unsettled` is empty."""
    if isinstance(data, dict) and "approximate" in data:
        data = {k: v for k, v in data.items() if k != "approximate"}
        data.setdefault("unsettled", {})
    return data


class UnsettledAmount(ContractModel):
    """An amount the user named without giving it exactly ("不到500万", "150万美元"): never used for a figure."""

    said: str
    """The user's words, as quoted back."""
    ask: str
    """The question that settles it (e.g. 您说的“不到500万”具体是多少？)."""


class Facts(ContractModel):
    """What the answer understood about the enterprise, for showing; amounts as JSON numbers in yuan."""

    place: str | None
    """The region the enterprise is in, as the policies name it (e.g. 山东省东营市河口区); null if not said."""
    place_mention: str | None
    """The word the user wrote for that region (e.g. 河口)."""
    amounts: dict[str, float]
    """Amounts by role, in yuan; roles (total_investment, equipment_investment, …) as in index/vocabulary.yaml."""
    unsettled: dict[str, UnsettledAmount]
    """Amount roles the user named without an exact amount; none of them is in `amounts`."""

    _from_version_1 = model_validator(mode="before")(_without_approximate)
    tags: dict[str, bool]
    """Yes/no facts by name (e.g. whether the project is completed and in production)."""
    level: str | None
    """The recognition level the user stated: 国家级, 省级, 市级 or 区县级."""
    lpr_rate: float | None
    """A one-year LPR the user stated, as a fraction (0.0385); null means the published rate is used."""


class PolicyRef(ContractModel):
    """The policy document a program belongs to, and whether it is in force on the as-of date."""

    id: str
    """The policy's id in this corpus (e.g. hekou-2020-5)."""
    doc_number: str | None
    """The document number (e.g. 东河政发〔2020〕5号); null for a text that has none."""
    title: str
    """The document's full title."""
    issuer: str
    """Who issued it."""
    valid_from: date | None
    """First day the program applies (the program's own date where it has one, else the document's); null
    when the text does not say when it took effect."""
    valid_to: date | None
    """Last day it applies; null when the text gives no end date."""
    in_force: bool | None
    """Whether the document is in force on the as-of date; null when that cannot be determined."""
    label: str
    """How answers name the document: its document number, or 《its short title》 if it has none."""


class Citation(ContractModel):
    """A sentence of a policy text that a program's conditions or figure rest on, quoted verbatim."""

    doc_number: str | None
    """The document number of the policy quoted."""
    clause: str
    """The clause id (e.g. hekou-2020-5:3.1.p1)."""
    heading_path: list[str]
    """The headings above the clause, outermost first, the clause's own heading last."""
    quote: str
    """The quoted sentence, exactly as in the policy text."""
    start: int
    """Where the quote starts in the policy's source text (character offset)."""
    end: int
    """Where it ends (exclusive)."""


class Program(ContractModel):
    """One support program assessed against the facts: status, figure, formula and the reasons."""

    program_id: str
    """The program's id in the rules files (e.g. hekou-direct-award)."""
    title: str
    """The program's name."""
    policy: PolicyRef
    """The policy document it belongs to."""
    status: ProgramStatus
    """eligible, ineligible, needs_info (a fact is missing) or expired (figure for reference only)."""
    status_label: str
    """The status as the answer says it, in Chinese."""
    amount_yuan: float | None
    """The figure in yuan; null when it cannot be computed (missing facts, or the text names no sum)."""
    amount_text: str | None
    """The figure written out in yuan (180,000.00)."""
    amount_wan: str | None
    """The figure in 万 (18万)."""
    amount_prefix: str
    """"最高 " when the figure is a ceiling, else empty."""
    conditional_yuan: float | None = None
    """Only when needs_info with every amount known: the figure once the missing yes/no facts hold, in yuan."""
    conditional_wan: str | None = None
    """That figure in 万 ("若已投产，最高1000万"); never counted in a total."""
    amount_kind: AmountKindName
    """max (the figure is a ceiling), exact, or unspecified (the text names no figure)."""
    benefit: BenefitName
    """What kind of support: cash, tax_credit, tax_deduction, tax_rate, fund or in_kind."""
    formula: str
    """How the figure was computed, in the user's numbers; empty when nothing was computed."""
    not_modelled: str | None = None
    """Why no figure is computed although the text gives one (the calculator cannot say it yet); null
    otherwise. Answers then say the amount is not computed, never that the text states none."""
    caps: list[str]
    """The upper limits the policy sets, as text."""
    lpr_used: str | None
    """The LPR used for an interest subsidy, and the date it was published."""
    reasons: list[str]
    """Each condition and exclusion as checked, in Chinese."""
    missing: list[str]
    """Facts still needed to decide or compute (names as in `missing_facts`)."""
    failed: list[str]
    """Ids of the conditions or exclusions that failed."""
    choose_one_group: str | None
    """Programs sharing a group are alternatives: only one of them may be chosen."""
    departments: list[str]
    """The departments responsible, as the text names them."""
    how_to_apply: str | None
    """How to apply, where the text says."""
    validity: str
    """Whether the policy is in force on the as-of date, explained in Chinese."""
    warnings: list[str]
    """Caveats on this program's result."""
    citations: list[Citation]
    """The sentences of the text the result rests on."""


class Source(ContractModel):
    """A clause the retriever found for the question, among the policies that cover the region."""

    doc_number: str | None
    """The document number of the policy."""
    policy_id: str
    """The policy's id."""
    clause: str
    """The clause id."""
    heading_path: list[str]
    """The headings above the clause, outermost first."""
    text: str
    """The clause's text."""
    score: float
    """The retriever's score (higher is closer); only its order means anything."""
    start: int
    """Where the clause starts in the policy's source text (character offset)."""
    end: int
    """Where it ends (exclusive)."""
    label: str
    """How answers name the document."""
    heading: str
    """The heading path as one line (" › " between levels)."""


class FigureChange(ContractModel):
    """A figure a correction changed, said before anything else ("18万 → 24万")."""

    program_id: str
    """The program whose figure changed."""
    title: str
    """Its title, as the answer names it."""
    before_yuan: float
    """The figure of the turn before, in yuan."""
    after_yuan: float
    """The figure now, in yuan."""


class OtherPrograms(ContractModel):
    """Programs the facts also make relevant but the question did not ask about: shown folded, after
    the programs asked about."""

    title: str
    """The fold's heading, e.g. 其他可能适用的政策（3）."""
    program_ids: list[str]
    """Their ids, in the order `programs` lists them (after every program asked about)."""


class Overlap(ContractModel):
    """Programs asked about that count the same expense, where the text does not say they may be
    combined: the headline total counts only the larger, and the answer says the text leaves it open."""

    program_ids: list[str]
    """The programs, as in `programs`."""
    shared: list[str]
    """The expenses both count, as the answer names them (e.g. 研发投入)."""
    note: str
    """What the answer says of it, in Chinese."""


class Quote(ContractModel):
    """A sentence (or, for a procedure, a whole clause) a fact answer quotes verbatim."""

    doc_number: str | None
    """The document number of the policy quoted."""
    clause: str
    """The clause id."""
    heading_path: list[str]
    """The headings above the clause, outermost first."""
    text: str
    """The quoted text, exactly as in the policy."""


class Answer(ContractModel):
    """One answer to one question (or one turn of a conversation, or one edit of the facts form).

    `kind` says which it is: an `assessment` (programs and figures, or the one question that
    unlocks them), a `fact` (quoted sentences of the texts), `out_of_scope` (no policy here covers
    the place or subject; no figure) or `bad_input` (the question could not be read; no figure).
    Every figure comes from the calculator or the user; `answer` is rendered from the rest."""

    # Fields are declared in the order the JSON has always had them (a dump follows declaration
    # order), which is why the few keys only some kinds carry sit around `answer`.
    contract_version: int = CONTRACT_VERSION
    """The version of this contract the answer follows (see CONTRACT_VERSION); 1 for answers stored before it."""
    id: str | int | None
    """The caller's id for the request (`ask --batch` lines, the page's log id), echoed back."""
    question: str
    """The question as asked (for a facts-form edit, the conversation's questions so far)."""
    as_of: date
    """The date policy validity was judged on."""
    region: str | None
    """The region the enterprise is in, as understood; null if not known."""
    facts: Facts
    """What is known about the enterprise, for showing."""
    facts_state: EnterpriseFacts
    """The same facts in the calculator's form (amounts as exact decimal text), which a next turn resumes from."""
    open_amounts: list[str]
    """Amounts the user wrote whose meaning is unclear ("500万" of what?), as written."""
    notes: list[str]
    """How the question was read or what a later turn corrected, said back to the user."""
    missing_facts: list[str]
    """Facts still needed, most needed first (amount roles, tags, place, level, lpr_rate)."""
    programs: list[Program]
    """The programs assessed: those the question is about first, then `other_programs`; within each, those
    the user can act on first. Empty unless kind is assessment."""
    total_max_yuan: float | None
    """The headline: the most the eligible programs the question is about add up to, in yuan (of
    alternatives only the larger; of programs counting the same expense, see `overlaps`, only the
    larger); null if none."""
    sources: list[Source]
    """Clauses retrieved for the question; empty while the retrieval index is still being built."""
    warnings: list[str]
    """Caveats of the programs, or for bad_input what is wrong with the question."""
    follow_up: str | None
    """The one question to answer next, when something the user has not said holds the answer back."""
    follow_up_fact: str | None = None
    """The fact `follow_up` asks for (an amount role, a yes/no fact, level, place), so a short reply can fill it."""
    figure_changes: list[FigureChange] = []
    """Figures of the turn before that this turn changed (a correction); empty otherwise."""
    overlaps: list[Overlap] = []
    """Programs asked about that count the same expense and whose text does not say they stack."""
    other_programs: OtherPrograms | None = None
    """The programs in `programs` the question did not ask about (shown folded); null when every program
    shown is one the question is about."""
    kind: Kind
    """assessment, fact, out_of_scope or bad_input."""
    covered_policies: list[str] | None = _only_some()
    """Only when out_of_scope: the regions and policies this assistant does cover."""
    answer: str
    """The answer text shown to the user, in Chinese."""
    quotes: list[Quote] | None = _only_some()
    """Only when fact: the sentences the answer quotes, with their clauses."""
    answer_source: Literal["template", "llm"] | None = _only_some()
    """Only with a language model (assessment, fact): whether `answer` is the template's or the model's."""
    rewrite_rejected: list[str] | None = _only_some()
    """Only when the model's rewrite was refused: why (a number, quote, citation or status it changed)."""
    answer_template: str | None = _only_some()
    """Only when the model's rewrite was used: the template's text it replaced, for checking."""
    retrieval_warning: str | None
    """Set when retrieval runs degraded (e.g. keyword matching only); null otherwise."""
    elapsed_ms: float
    """How long the engine took, in milliseconds."""

    @model_validator(mode="before")
    @classmethod
    def _stored_before_versions(cls, data: Any) -> Any:
        """An answer stored before versions were written (its facts still list `approximate`) is
        version 1; its facts are read as version 2's (Facts and EnterpriseFacts drop the list)."""
        facts = data.get("facts") if isinstance(data, dict) else None
        if isinstance(facts, dict) and "approximate" in facts and "contract_version" not in data:
            return {**data, "contract_version": 1}
        return data

    @model_validator(mode="after")
    def _keys_of_its_kind(self) -> Answer:
        """The kind-only keys appear with their kind: a fact answer without quotes, or quotes on an
        assessment, is drift in the engine."""
        if (self.quotes is not None) != (self.kind == "fact"):
            raise ValueError("quotes are given with, and only with, kind fact")
        if (self.covered_policies is not None) != (self.kind == "out_of_scope"):
            raise ValueError("covered_policies are given with, and only with, kind out_of_scope")
        if self.kind == "bad_input" and (self.programs or self.total_max_yuan is not None):
            raise ValueError("bad_input gives no programs and no figure")
        return self


class BadParameter(ContractModel):
    """The web API's reply when a parameter is wrong (a malformed as_of), before any question is read:
    kind bad_input like an `Answer` that refuses, with only these keys."""

    id: None = None
    """Always null: nothing was answered."""
    question: str
    """The question as sent."""
    as_of: str
    """The as_of text as sent (it could not be read as a date)."""
    kind: Literal["bad_input"] = "bad_input"
    """Always bad_input."""
    error: str
    """What is wrong, in Chinese."""
    warnings: list[str]
    """The same message, where an answer lists its warnings."""
    answer: str
    """The message as the answer text."""


SCHEMA_FILE = "docs/answer.schema.json"  # relative to the repository root


def answer_schema() -> dict[str, Any]:
    """The JSON Schema of `Answer` (what a caller may validate an answer against)."""
    return Answer.model_json_schema()


def schema_text() -> str:
    """The schema exactly as `python -m assistant schema` prints it and SCHEMA_FILE holds it."""
    return json.dumps(answer_schema(), ensure_ascii=False, indent=2) + "\n"
