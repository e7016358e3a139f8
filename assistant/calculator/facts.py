"""What we know about the enterprise and its project: the calculator's only input.

Filled by the deterministic parser (assistant.reading.understanding), corrected over a conversation, or
given directly by a test table. Amounts are Decimal yuan; names of amounts and tags come from
index/vocabulary.yaml and the rules files, so the model stays the same when a policy is added.

An amount the user did not give exactly ("不到500万", "700万左右", "400到600万", "150万美元") is not
an amount: it is `unsettled`, with what is known of it (an interval) and the question to ask. The
calculator decides a threshold from the interval only when the whole interval lies on one side, and
never computes a figure from it, so a vague amount can never produce a confident figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from assistant.core.money import implausible
from assistant.rules.bounds import Interval
from assistant.rules.schema import Level


class Unsettled(BaseModel):
    """An amount the user named without giving it exactly: their words, what it surely lies within,
    and the question that settles it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
    said: str
    """The user's words, quoted back: 不到500万."""
    ask: str
    """The question that settles it: 您说的“不到500万”具体是多少？"""
    low: Decimal | None = None
    """The least the amount can be, in yuan; null if nothing is known."""
    low_inclusive: bool = True
    """Whether `low` itself is possible (500多万: yes; 超过500万: no)."""
    high: Decimal | None = None
    """The most the amount can be, in yuan; null if nothing is known."""
    high_inclusive: bool = True
    """Whether `high` itself is possible (500万以内: yes; 不到500万: no)."""

    @property
    def interval(self) -> Interval:
        return Interval(self.low, self.low_inclusive, self.high, self.high_inclusive)


class EnterpriseFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A full administrative path, province first, as the reader resolves it (河南省洛阳市, 山东省东营市河口区),
    # or a place the facts form offers (a key of vocabulary `places`, e.g. 其他地区).
    place: str | None = None
    place_mention: str | None = None  # the word the user wrote, e.g. 河口
    amounts: dict[str, Decimal] = {}
    unsettled: dict[str, Unsettled] = {}  # roles named without an exact amount (never also in amounts)
    tags: dict[str, bool] = {}
    level: Level | None = None
    lpr_rate: Decimal | None = None  # a fraction (0.0385) the user stated; wins over the table
    rates: dict[str, Decimal] = {}  # other rates of its own the user stated (vocabulary stated_rates), fractions
    unknown: list[str] = []  # facts the user said they do not know ("不清楚"): not asked again
    # choose-one group → the program the user has already chosen (and had) for this project
    chosen: dict[str, str] = {}
    # options of a choose-one group this project already received ("前年已经领过直接奖补"): not offered again
    had: list[str] = []
    # tag → the year the user says its status began ("2016年列入市培育名单"), for rules that count years
    since: dict[str, int] = {}
    # Yes/no facts the user spoke of without settling them (applied for, the outcome awaited, or only half
    # named): asked about; an exclusion among them is not presumed away ("申请了省里的专项，还在评审").
    to_confirm: list[str] = []
    # tag → the level said with that recognition, where several are said with different levels
    # ("分别拿到了国家级服务型制造示范企业和省级工业大数据试点示范"); `level` is the one said first.
    levels: dict[str, Level] = {}
    # Tags stated false as not reached yet ("还没投产，预计明年3月投产", "还没列入名单，正在申报"): a condition
    # on one awaits it (the figure once it holds), where a flat "没有" fails it.
    not_yet: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _drop_version_1_flags(cls, data: Any) -> Any:
        """Facts stored before 2026-12-01 marked approximate amounts instead of keeping them unsettled;
        such a log entry is still shown, with the flag dropped."""
        if isinstance(data, dict) and "approximate" in data:
            return {k: v for k, v in data.items() if k != "approximate"}
        return data

    @field_validator("amounts")
    @classmethod
    def _sane_amounts(cls, amounts: dict[str, Decimal]) -> dict[str, Decimal]:
        for role, value in amounts.items():
            problem = implausible(value)
            if problem:
                raise ValueError(f"{role} {problem}")
        return amounts

    def with_level_of(self, tags: Iterable[str]) -> EnterpriseFacts:
        """These facts as one program sees them: `level` is the one said with its own recognition, if
        one was, so each of two recognitions said with different levels gets its own award."""
        own = next((self.levels[t] for t in tags if t in self.levels), None)
        return self.model_copy(update={"level": own}) if own and own is not self.level else self

    def merged(self, newer: EnterpriseFacts) -> EnterpriseFacts:
        """Facts of a later turn added to or correcting these: a later statement wins, whether it
        settles a vague amount or makes an exact one vague again."""
        amounts = {r: v for r, v in self.amounts.items() if r not in newer.unsettled} | newer.amounts
        unsettled = {r: u for r, u in self.unsettled.items() if r not in newer.amounts} | newer.unsettled
        return EnterpriseFacts(
            place=newer.place or self.place,
            place_mention=newer.place_mention or self.place_mention,
            amounts=amounts,
            unsettled=unsettled,
            tags={**self.tags, **newer.tags},
            level=newer.level or self.level,
            lpr_rate=newer.lpr_rate if newer.lpr_rate is not None else self.lpr_rate,
            rates={**self.rates, **newer.rates},
            chosen={**self.chosen, **newer.chosen},
            had=sorted(set(self.had) | set(newer.had)),
            since={**self.since, **newer.since},
            levels={**self.levels, **newer.levels},
            not_yet=sorted((set(self.not_yet) - set(newer.tags)) | set(newer.not_yet)),
            to_confirm=sorted((set(self.to_confirm) | set(newer.to_confirm)) - set(newer.tags)),
            unknown=sorted(
                (set(self.unknown) | set(newer.unknown)) - set(newer.amounts) - set(newer.tags) - set(newer.unsettled)
            ),
        )
