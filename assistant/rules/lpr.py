"""The dated table of published one-year LPR values, and which one was "most recently published" on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict


class LprRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: date
    rate: Decimal  # a fraction: 0.0385 is 3.85%


class LprTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    rates: list[LprRow]

    def latest_on(self, day: date) -> LprRow | None:
        """The last value published on or before `day`; None before the first row."""
        known = [row for row in self.rates if row.date <= day]
        return max(known, key=lambda row: row.date) if known else None

    @property
    def last_row(self) -> LprRow:
        return max(self.rates, key=lambda row: row.date)


@dataclass(frozen=True)
class ChosenRate:
    rate: Decimal
    published: date | None  # None when the user stated the rate
    stated_by_user: bool

    def describe(self) -> str:
        pct = f"{(self.rate * 100).normalize():f}%"
        if self.stated_by_user or self.published is None:
            return f"一年期LPR {pct}（用户提供）"
        return f"一年期LPR {pct}（{self.published.isoformat()}公布）"


def load_lpr_table(path: Path) -> LprTable:
    return LprTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
