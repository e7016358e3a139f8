"""The rules files (`index/policies/<id>/programs.yaml`): each program a policy offers, as data.

After OpenFisca and PolicyEngine: every parameter has a value, a unit and a citation; eligibility
(conditions, exclusions) is kept apart from the amount (formula, caps). After Catala: the rules file
sits beside the text it encodes and quotes it verbatim, and loading fails if a quote is not found in
`source.txt` inside the clause it names.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.core.money import format_quantity
from assistant.rules.bounds import bound_for


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    clause: str  # clause id, e.g. hekou-2020-5:3.1.p1
    quote: str = Field(min_length=4)  # verbatim from source.txt, inside that clause


class Level(str, Enum):
    NATIONAL = "国家级"
    PROVINCIAL = "省级"
    CITY = "市级"
    DISTRICT = "区县级"


LEVEL_RANK = {Level.DISTRICT: 1, Level.CITY: 2, Level.PROVINCIAL: 3, Level.NATIONAL: 4}

# Quantities other than money that texts count support by (按每亩X元, 占地50亩以上, 每件发明专利1万元): a
# fact in one of these units is compared and multiplied like money, shown with its unit, and read from
# counts in questions (assistant.reading.count_facts), never from a sum of money.
QUANTITY_UNITS = ("亩", "平方米", "吨", "台", "套", "人", "件", "项", "家", "个", "千瓦", "千瓦时")
PARAM_UNITS = ("元", "比例", "LPR倍数", *(f"元/{u}" for u in QUANTITY_UNITS))
# Quantities counted in whole numbers: "2.5人" is a slip to ask about, and a boundary is one apart (99 人).
WHOLE_UNITS = ("人", "件", "项", "家", "个", "台", "套")
# Money a text states in another currency (实缴注册外资1000万美元以上): compared in that currency, never
# converted, and read from a question only where the question names the currency too.
CURRENCY_UNITS = ("美元",)
MONEY_UNITS = ("元", *CURRENCY_UNITS)
AMOUNT_UNITS = (*MONEY_UNITS, *QUANTITY_UNITS)


def known_unit(unit: str, allowed: tuple[str, ...]) -> str:
    if unit not in allowed:
        raise ValueError(f"单位“{unit}”不可用，可用的单位：{'、'.join(allowed)}")
    return unit


class Threshold(_Strict):
    """A condition on an amount in the text's own words: `fact` must be `number` `word` (e.g. 500万元
    以上, 50亩以上); the unit is the fact's (元 unless the vocabulary gives the role another)."""

    fact: str
    word: str  # 以上 / 超过 / 不满 …: its meaning comes from assistant.rules.bounds only
    number: Decimal
    unit: str = "元"

    @field_validator("unit")
    @classmethod
    def _unit(cls, unit: str) -> str:
        return known_unit(unit, AMOUNT_UNITS)

    @field_validator("word")
    @classmethod
    def _known_word(cls, word: str) -> str:
        bound_for(word)
        return word


class Window(_Strict):
    """The years a tag's status counts from the year it began: 从列入培育名单年度起连续支持3年 (that
    year and the next two). Checked when the user states the year; otherwise the tag alone decides."""

    years: int = Field(gt=0)
    citation: Citation


class Condition(_Strict):
    """One thing that must hold. Exactly one of threshold / tag / min_level is given."""

    id: str
    describe: str  # Chinese, as the answer states it
    threshold: Threshold | None = None
    tag: str | None = None  # a yes/no fact from the vocabulary (e.g. tech_transformation)
    any_tags: list[str] | None = None  # at least one of these
    min_level: Level | None = None  # the level the user states must reach this
    # Most conditions must be known to decide; a presumed one is taken as met unless the user
    # says otherwise, and the answer says it was presumed (e.g. "项目属于工业技术改造项目").
    presumed: bool = False
    within: Window | None = None  # only with `tag`: the years from the one the tag's status began
    citation: Citation

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [self.threshold, self.tag, self.any_tags, self.min_level]
        if sum(k is not None for k in kinds) != 1:
            raise ValueError(f"condition {self.id}: give exactly one of threshold, tag, any_tags, min_level")
        if self.within and not self.tag:
            raise ValueError(f"condition {self.id}: a window (within) needs a tag")
        return self


class Exclusion(_Strict):
    """A circumstance that rules the program out (e.g. already funded by a higher level)."""

    id: str
    tag: str
    describe: str
    citation: Citation


class Param(_Strict):
    """A number from the text with its unit and clause. A range in the text ("5%—20%") is its maximum
    as `value` and its minimum as `range_from`: the calculator computes the maximum and says so."""

    value: Decimal
    unit: str  # 元, 比例, LPR倍数, or 元 per a quantity (元/亩)
    range_from: Decimal | None = None
    citation: Citation

    @field_validator("unit")
    @classmethod
    def _unit(cls, unit: str) -> str:
        return known_unit(unit, PARAM_UNITS)

    @model_validator(mode="after")
    def _range_in_order(self) -> Param:
        if self.range_from is not None and self.range_from > self.value:
            raise ValueError(f"区间下限 {self.range_from} 大于上限 {self.value}：value 写最大值，range_from 写最小值")
        return self


class BaseLimit(_Strict):
    """The base may count only up to a share of another fact (premium rate capped at 3% of the insured sum)."""

    rate: Param
    of: str  # fact name
    describe: str
    # A rate of the enterprise's own (vocabulary stated_rates) that says the same when stated instead of
    # `of`: the base is that share of `of` ("综合费率2%，保费120万": the insured sum is 保费 ÷ 2%).
    rate_fact: str | None = None


class Tier(_Strict):
    """One row of a tier table; the first whose bounds admit the fact's value applies. A row gives a
    sum (`tiers`) or a rate on the base (`rate_bands`: 分档 70%、80%、90%)."""

    lower: Threshold | None = None
    upper: Threshold | None = None
    amount: Param | None = None
    rate: Param | None = None

    @model_validator(mode="after")
    def _one_figure(self) -> Tier:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("每一档给出 amount（金额）或 rate（比例）之一")
        return self

    @property
    def param(self) -> Param:
        figure = self.amount or self.rate
        assert figure is not None  # _one_figure
        return figure


class YearRate(_Strict):
    """One stretch of a schedule by year: 前2年80% is {years: 2, rate: 0.8}."""

    years: int = Field(gt=0)
    rate: Param


class RateAddition(_Strict):
    """Points added to the rate for an enterprise that holds a recognition ("省级“三名”企业，补助比例在原有
    基础上再提高2个百分点"): 2个百分点 is `points` 0.02. Additions add up ("可累计享受")."""

    tag: str
    points: Param
    describe: str  # 省级“三名”企业


class FormulaKind(str, Enum):
    RATE = "rate"  # rate × base (a share of investment, of a premium, of another grant)
    LPR_INTEREST = "lpr_interest"  # share of the one-year LPR × loan actually drawn
    FIXED = "fixed"  # a fixed sum
    TIERS = "tiers"  # a sum chosen by the value of one fact
    BY_LEVEL = "by_level"  # a sum chosen by the level the user states (国家级 / 省级 …)
    PER_UNIT = "per_unit"  # a sum per unit of a quantity × the quantity (每亩500元 × 亩数)
    RATE_BANDS = "rate_bands"  # a rate chosen by the value of one fact, × base (分档 70%、80%、90%)
    RATE_ABOVE = "rate_above"  # rate × the part of the base above a threshold (超出额的0.5%)
    # each band's rate × the part of the base inside that band, summed (超额累进: 500万以下的部分1%，
    # 500万至1000万的部分2% …)
    RATE_STEPS = "rate_steps"
    # a sum for every whole step of the base (年零售额每实现2000万元，给予奖励2万元), counted above `above`
    # when given (达到1亿元后每增加1亿元，另给予10万元)
    PER_STEP = "per_step"
    YEAR_SCHEDULE = "year_schedule"  # a yearly base at a rate per stretch of years (前2年80%、后3年50%)
    UNSPECIFIED = "unspecified"  # the text promises support but names no figure
    # The text gives a figure the schema cannot say yet: no figure is computed, and `reason` is
    # shown in the answer instead, so the gap is stated rather than hidden or guessed.
    NOT_MODELLED = "not_modelled"


KIND_NEEDS = {
    FormulaKind.RATE: "rate 和 base",
    FormulaKind.LPR_INTEREST: "rate 和 base",
    FormulaKind.FIXED: "amount",
    FormulaKind.TIERS: "tiers，每档有 amount",
    FormulaKind.BY_LEVEL: "by_level",
    FormulaKind.PER_UNIT: "rate（单位如 元/亩）和 base",
    FormulaKind.RATE_BANDS: "tiers（每档有 rate）和 base",
    FormulaKind.RATE_ABOVE: "rate、base 和 above",
    FormulaKind.RATE_STEPS: "tiers（每档有 rate 和以基数为准的 lower/upper）和 base",
    FormulaKind.PER_STEP: "amount（每一步的金额）、step（每一步的基数，元）和 base",
    FormulaKind.YEAR_SCHEDULE: "schedule 和 base",
    FormulaKind.UNSPECIFIED: "",
    FormulaKind.NOT_MODELLED: "reason",
}


class Formula(_Strict):
    kind: FormulaKind
    rate: Param | None = None
    base: list[str] = []  # facts summed into the base
    base_describe: str | None = None  # e.g. 实际设备投资额（含工艺包和软件）
    base_limit: BaseLimit | None = None
    amount: Param | None = None
    tiers: list[Tier] = []
    by_level: dict[Level, Param] = {}
    above: Param | None = None  # rate_above, per_step: the threshold (元) the excess above which counts
    step: Param | None = None  # per_step: the base (元) each `amount` is given for
    schedule: list[YearRate] = []  # year_schedule, in order
    reason: str | None = None  # not_modelled: why, in Chinese, as the answer says it
    rate_additions: list[RateAddition] = []  # rate and rate_bands: points added for a recognition held

    @model_validator(mode="after")
    def _complete(self) -> Formula:
        rated = self.rate is not None and bool(self.base)
        need = {
            FormulaKind.RATE: rated,
            FormulaKind.LPR_INTEREST: rated,
            FormulaKind.FIXED: self.amount is not None,
            FormulaKind.TIERS: bool(self.tiers) and all(t.amount for t in self.tiers),
            FormulaKind.BY_LEVEL: bool(self.by_level),
            FormulaKind.PER_UNIT: rated and bool(self.rate and "/" in self.rate.unit),
            FormulaKind.RATE_BANDS: bool(self.tiers and self.base) and all(t.rate for t in self.tiers),
            FormulaKind.RATE_ABOVE: rated and self.above is not None,
            FormulaKind.RATE_STEPS: self._steps_complete(),
            FormulaKind.PER_STEP: self.amount is not None
            and self.step is not None
            and self.step.value > 0
            and bool(self.base),
            FormulaKind.YEAR_SCHEDULE: bool(self.schedule and self.base),
            FormulaKind.UNSPECIFIED: True,
            FormulaKind.NOT_MODELLED: bool(self.reason),
        }[self.kind]
        if not need:
            raise ValueError(f"算法 {self.kind.value} 缺少参数（需要 {KIND_NEEDS[self.kind]}）")
        if self.rate_additions and self.kind not in (FormulaKind.RATE, FormulaKind.RATE_BANDS):
            raise ValueError(
                f"rate_additions 只用于 rate 和 rate_bands（比例再提高几个百分点），不用于 {self.kind.value}"
            )
        return self

    def _steps_complete(self) -> bool:
        """Every band of a progressive rate has its rate and is bounded on the base itself."""
        bounds = [b for t in self.tiers for b in (t.lower, t.upper) if b]
        return (
            bool(self.tiers and self.base)
            and all(t.rate for t in self.tiers)
            and all(b.fact in self.base for b in bounds)
        )

    def params(self) -> list[Param]:
        """Every number of the formula, for citations and range notes."""
        out = [self.rate, self.amount, self.above, self.step] + [t.param for t in self.tiers]
        out += list(self.by_level.values())
        out += [y.rate for y in self.schedule] + ([self.base_limit.rate] if self.base_limit else [])
        out += [a.points for a in self.rate_additions]
        return [p for p in out if p is not None]

    def amount_facts(self) -> list[str]:
        """The amounts this formula reads: its base, the fact its tiers are chosen by, the fact that
        bounds its base. The one list the loader checks, the calculator asks for and the reader flags."""
        facts = list(self.base) + [b.fact for t in self.tiers for b in (t.lower, t.upper) if b]
        facts += [self.base_limit.of] if self.base_limit else []
        return list(dict.fromkeys(facts))


class CapScope(str, Enum):
    PROJECT = "project"  # 单个项目
    ENTERPRISE = "enterprise"  # 单个企业 (counts what the enterprise already received under it)
    YEAR = "year"  # 每年 (counts what was already received this year)
    TOTAL = "total"  # 奖励总额


CAP_LABEL = {
    CapScope.PROJECT: "单项目上限",
    CapScope.ENTERPRISE: "单个企业上限",
    CapScope.YEAR: "每年上限",
    CapScope.TOTAL: "奖励总额上限",
}


class Cap(_Strict):
    """A ceiling on the figure: a sum (单个项目最高100万元), or a share of another amount when `of` names it
    ("两项合计不超过企业当年新增经济贡献量的20%": amount 0.2 in 比例, of the contribution)."""

    scope: CapScope
    amount: Param
    of: str | None = None  # the amount the share is of
    note: str | None = None  # e.g. that the scope of 奖励总额 is the department's to interpret

    @model_validator(mode="after")
    def _sum_or_share(self) -> Cap:
        if (self.of is None) != (self.amount.unit == "元"):
            raise ValueError("上限写金额（unit: 元），或写比例（unit: 比例）并用 of 写明是哪个金额的比例")
        return self

    def describe(self, labels: dict[str, str]) -> str:
        """As an answer names it: 单个企业上限 1,000,000.00 元, or 单个企业上限 当年新增经济贡献量的20%."""
        if self.of is None:
            return f"{CAP_LABEL[self.scope]} {format_quantity(self.amount.value)}"
        share = f"{(self.amount.value * 100).normalize():f}%"
        return f"{CAP_LABEL[self.scope]} {labels.get(self.of, self.of)}的{share}"

    def limit(self, amounts: dict[str, Decimal]) -> Decimal | None:
        """The ceiling in yuan; None while the amount a share is of is not known."""
        if self.of is None:
            return self.amount.value
        return self.amount.value * amounts[self.of] if self.of in amounts else None


REVIEW_FIELDS = ("review", "review_notes", "approved_by", "approved_on", "approved_hash")


class AmountKind(str, Enum):
    MAX = "max"  # 最高 / 不超过 / 可达: the figure is a ceiling
    EXACT = "exact"  # a fixed sum
    UNSPECIFIED = "unspecified"


class Benefit(str, Enum):
    CASH = "cash"  # 奖励、补助、贴息 paid out
    TAX_CREDIT = "tax_credit"  # 抵免 of tax payable
    TAX_DEDUCTION = "tax_deduction"  # 加计扣除: lowers taxable income, not cash
    TAX_RATE = "tax_rate"  # a reduced rate
    FUND = "fund"  # a fund or pool; no per-enterprise figure
    IN_KIND = "in_kind"  # land, service, priority


# Benefits whose figure is money the enterprise receives or saves, and so counts in a total.
COUNTED_BENEFITS = {Benefit.CASH, Benefit.TAX_CREDIT}


class Program(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    plan: str | None = None  # plan title inside a multi-plan document
    clause: str  # the clause that states the program
    topics: list[str] = Field(min_length=1)  # words in a question that make the program relevant
    benefit: Benefit
    conditions: list[Condition] = []
    exclusions: list[Exclusion] = []
    formula: Formula
    caps: list[Cap] = []
    # "一次性奖励": given once per project, so what the user already received under it for this project
    # uses it up (the quote that says so).
    once: Citation | None = None
    amount_kind: AmountKind
    choose_one_group: str | None = None  # programs sharing a group are alternatives: one may be chosen
    # Where the text says only one may be had (企业可任选一种奖补方式): once the user has chosen
    # another option of the group, this one is ruled out, and the answer quotes this.
    choose_one_citation: Citation | None = None
    departments: list[str] = []  # the text's 责任单位
    how_to_apply: str | None = None  # key into the file's procedures
    valid_from: date | None = None  # only where the program's own period differs from the document's
    valid_to: date | None = None
    notes: list[str] = []  # caveats the answer must carry
    citations: list[Citation] = Field(min_length=1)
    # A program `policy draft` wrote is `todo` until a maintainer has checked it against the text and
    # approved it (`policy approve`); the loader skips todo programs, so a draft never answers anyone.
    review: Literal["todo", "approved"] = "approved"
    review_notes: list[str] = []  # what the draft read and what it could not, for the reviewer
    approved_by: str | None = None
    approved_on: date | None = None
    # The fingerprint of what was approved (`content_hash` on that day): a program edited since is no
    # longer what its approver vouched for, so it is left out like a draft until approved again.
    approved_hash: str | None = None

    def content_hash(self) -> str:
        """SHA-256 (16 hex digits) of the rule itself, without its review record. Fields left at their
        default are left out, so a field the schema gains later does not void approvals made before it."""
        rule = self.model_dump(mode="json", exclude=set(REVIEW_FIELDS), exclude_defaults=True)
        return hashlib.sha256(json.dumps(rule, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def changed_since_approval(self) -> bool:
        return (
            self.review == "approved" and self.approved_hash is not None and self.approved_hash != self.content_hash()
        )

    @model_validator(mode="after")
    def _kind_matches_formula(self) -> Program:
        if (self.formula.kind is FormulaKind.UNSPECIFIED) != (self.amount_kind is AmountKind.UNSPECIFIED):
            raise ValueError(
                f"{self.id}：amount_kind 写 unspecified 当且仅当算法是 unspecified（原文没有金额）；"
                "有金额的项目写 exact（定额）或 max（最高）"
            )
        if self.choose_one_citation and not self.choose_one_group:
            raise ValueError(f"{self.id}：有 choose_one_citation 就要写 choose_one_group")
        return self

    def amount_facts(self) -> list[str]:
        """Every amount the program reads: its thresholds', then its formula's (see Formula.amount_facts)."""
        thresholds = [c.threshold.fact for c in self.conditions if c.threshold]
        shares = [cap.of for cap in self.caps if cap.of]
        return list(dict.fromkeys(thresholds + self.formula.amount_facts() + shares))

    def all_citations(self) -> list[Citation]:
        """Every quote the program rests on, for the verbatim check and for the answer's sources."""
        cites = list(self.citations)
        cites += [c.citation for c in self.conditions] + [e.citation for e in self.exclusions]
        cites += [c.within.citation for c in self.conditions if c.within]
        params = self.formula.params() + [cap.amount for cap in self.caps]
        cites += [p.citation for p in params]
        cites += [self.choose_one_citation] if self.choose_one_citation else []
        return cites


class Procedure(_Strict):
    """How to apply, where the text says it."""

    describe: str
    citation: Citation


class TagDef(_Strict):
    """A yes/no fact and the phrases by which a question states it."""

    label: str
    phrases: list[str] = Field(min_length=1)
    # Phrases that state the fact is false without a negation word ("郑州企业生产的" for 济源制造).
    negative_phrases: list[str] = []


class NonProgram(_Strict):
    """A sentence that uses a money word (奖励, 补助 …) but promises nothing an enterprise can apply for.

    Listed so the coverage test can tell "looked at and set aside, for this reason" from "missed".
    """

    clause: str
    quote: str
    reason: str


class RulesFile(_Strict):
    policy: str
    tags: dict[str, TagDef] = {}
    procedures: dict[str, Procedure] = {}
    programs: list[Program]
    non_programs: list[NonProgram] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> RulesFile:
        ids = [p.id for p in self.programs]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.policy}: duplicate program ids")
        for p in self.programs:
            if p.how_to_apply and p.how_to_apply not in self.procedures:
                raise ValueError(f"{p.id}: unknown procedure {p.how_to_apply!r}")
        return self


class CitationError(ValueError):
    pass


def check_citation(citation: Citation, source: str, clause_span: tuple[int, int] | None) -> tuple[int, int]:
    """The quote's span in source.txt; raises unless it occurs verbatim inside its clause."""
    if clause_span is None:
        raise CitationError(f"unknown clause {citation.clause!r}")
    start, end = clause_span
    at = source.find(citation.quote, start, end)
    if at < 0:
        raise CitationError(f"quote not found verbatim in {citation.clause}: {citation.quote!r}")
    return at, at + len(citation.quote)


def load_rules(path: Path) -> RulesFile:
    """The approved programs of a rules file: draft programs (`review: todo`) are left out unread, and so
    is a program edited since its approval."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("programs"), list):
        data["programs"] = [p for p in data["programs"] if not (isinstance(p, dict) and p.get("review") == "todo")]
    rules = RulesFile.model_validate(data)
    return rules.model_copy(update={"programs": [p for p in rules.programs if not p.changed_since_approval]})
