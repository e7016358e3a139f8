"""What we know about the enterprise and its project: the calculator's only input.

Filled by the deterministic parser (assistant.reading.understanding), corrected over a conversation, or
given directly by a test table. Amounts are Decimal yuan; names of amounts and tags come from
index/vocabulary.yaml and the rules files, so the model stays the same when a policy is added.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, field_validator

from assistant.core.money import implausible
from assistant.rules.schema import Level


class EnterpriseFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A key of vocabulary `places`: 山东省东营市河口区, 河南省济源市, 河南省, 山东省, 其他地区 …
    place: str | None = None
    place_mention: str | None = None  # the word the user wrote, e.g. 河口
    amounts: dict[str, Decimal] = {}
    approximate: list[str] = []  # amount roles the user gave as approximate ("300多万")
    tags: dict[str, bool] = {}
    level: Level | None = None
    lpr_rate: Decimal | None = None  # a fraction (0.0385) the user stated; wins over the table
    # choose-one group → the program the user has already chosen (and had) for this project
    chosen: dict[str, str] = {}
    # tag → the year the user says its status began ("2016年列入市培育名单"), for rules that count years
    since: dict[str, int] = {}

    @field_validator("amounts")
    @classmethod
    def _sane_amounts(cls, amounts: dict[str, Decimal]) -> dict[str, Decimal]:
        for role, value in amounts.items():
            problem = implausible(value)
            if problem:
                raise ValueError(f"{role} {problem}")
        return amounts

    def merged(self, newer: EnterpriseFacts) -> EnterpriseFacts:
        """Facts of a later turn added to or correcting these: a later statement wins."""
        return EnterpriseFacts(
            place=newer.place or self.place,
            place_mention=newer.place_mention or self.place_mention,
            amounts={**self.amounts, **newer.amounts},
            approximate=sorted((set(self.approximate) - set(newer.amounts)) | set(newer.approximate)),
            tags={**self.tags, **newer.tags},
            level=newer.level or self.level,
            lpr_rate=newer.lpr_rate if newer.lpr_rate is not None else self.lpr_rate,
            chosen={**self.chosen, **newer.chosen},
            since={**self.since, **newer.since},
        )
