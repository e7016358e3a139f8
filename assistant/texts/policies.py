"""Policy metadata (`policy.yaml`) and whether a policy is in force on a given day.

Each policy lives in its own folder under `index/policies/<id>/` with `source.txt` (a byte-identical
copy of the received text) and `policy.yaml`. Adding a policy means adding a folder: nothing in code
lists the policies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Plan(BaseModel):
    """A plan inside a multi-plan document (豫政〔2017〕22号 holds five)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    # The title's lines as they stand in the text, where a layout broke it over several lines.
    lines: list[str] | None = None

    @property
    def source_lines(self) -> list[str]:
        return self.lines or [self.title]


class PolicyMeta(BaseModel):
    """What `policy.yaml` says about one document; validated so a typo fails at load, not in an answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source_file: str  # its name in shared/policies, for the byte-identical check
    # SHA-256 of source.txt as received: every quote and span rests on these exact bytes, so an edited
    # or damaged copy is refused at load even where the received originals are not at hand.
    source_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    doc_number: str | None
    title: str
    short_title: str
    issuer: str
    issue_date: date | None  # None: the received text does not say when it was issued
    region: list[str] = Field(min_length=1)  # outermost first: [山东省, 东营市, 河口区]
    valid_from: date | None  # None: the text does not say when it took effect (nor when it was issued)
    valid_to: date | None  # None: the text gives no end date
    validity_basis: str
    repealed_by: str | None = None
    # Where the repeal is known only to a period (the repealing document's year), its first and last day.
    repealed_between: tuple[date, date] | None = None
    plans: list[Plan] = []
    boilerplate: list[str] = []  # extra lines of this text that are web-page leftovers
    # The file as received when source.txt is not it byte for byte (an HTML page, a GBK text), kept
    # beside it so the reading can be redone and checked: its name in the folder and its SHA-256.
    original_file: str | None = None
    original_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Fields `policy draft` could not read from the text, with why: `policy check` lists each until
    # the maintainer has filled it in and removed it from here.
    review: dict[str, str] = {}

    @model_validator(mode="after")
    def _dates_in_order(self) -> PolicyMeta:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValueError(f"{self.id}: valid_to {self.valid_to} before valid_from {self.valid_from}")
        if self.repealed_between and not self.repealed_by:
            raise ValueError(f"{self.id}: repealed_between needs repealed_by")
        return self

    @property
    def region_name(self) -> str:
        return "".join(self.region)

    @property
    def region_path(self) -> str:
        return " › ".join(self.region)

    @property
    def label(self) -> str:
        """How an answer names the document: its number where it has one."""
        return self.doc_number or f"《{self.short_title}》"


class CorpusError(ValueError):
    """The policy data (a folder under index/policies, its YAML or its text) is unusable. Raised with
    the file and the reason so the one who added or edited it can fix it; the CLI and app.py print it
    as a message, never a traceback."""


class Validity(str, Enum):
    IN_FORCE = "in_force"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    REPEALED = "repealed"
    # The day falls inside the period in which the repeal was decided, on a day the text does not
    # give: the policy may already be void, so nothing may be offered under it as current.
    MAYBE_REPEALED = "maybe_repealed"
    UNKNOWN = "unknown"  # the text states no end (文中未载明有效期)


@dataclass(frozen=True)
class ValidityStatus:
    state: Validity
    explanation: str  # Chinese, for the answer

    @property
    def in_force(self) -> bool | None:
        if self.state is Validity.UNKNOWN:
            return None
        return self.state is Validity.IN_FORCE


def validity_on(
    meta: PolicyMeta, day: date, valid_from: date | None = None, valid_to: date | None = None
) -> ValidityStatus:
    """Whether the policy (or one program with its own dates) is in force on `day`, and why.

    A program may carry dates of its own (a three-year fund in an annual plan); those override
    the document's.
    """
    start = valid_from or meta.valid_from
    end = valid_to or meta.valid_to
    if start is None:
        return _start_unknown(meta, day, end)
    period = f"{start.isoformat()} 至 {end.isoformat() if end else '（文中未载明终止日期）'}"
    if day < start:
        return ValidityStatus(Validity.NOT_YET, f"自{start.isoformat()}起施行，{day.isoformat()}尚未施行")
    if meta.repealed_by and meta.repealed_between:
        first, last = meta.repealed_between
        if day > last:
            return ValidityStatus(
                Validity.REPEALED, f"已被{meta.repealed_by}宣布失效（{first.year}年）；原施行期间 {period}"
            )
        if day >= first:
            return ValidityStatus(
                Validity.MAYBE_REPEALED,
                f"{meta.repealed_by}于{first.year}年宣布该文件失效，具体失效日期文中未载明，"
                f"{day.isoformat()}是否仍有效无法确定",
            )
        return ValidityStatus(
            Validity.IN_FORCE, f"自{start.isoformat()}起施行，{first.year}年被{meta.repealed_by}宣布失效前有效"
        )
    if end and day > end:
        return ValidityStatus(Validity.EXPIRED, f"有效期 {period}，已于{end.isoformat()}届满")
    if end is None:
        return ValidityStatus(
            Validity.UNKNOWN, f"自{start.isoformat()}起施行，文中未载明有效期（{meta.validity_basis}）"
        )
    return ValidityStatus(Validity.IN_FORCE, f"有效期 {period}")


def _start_unknown(meta: PolicyMeta, day: date, end: date | None) -> ValidityStatus:
    """Validity of a text that does not say when it took effect: ended after its end, else not known."""
    if end and day > end:
        return ValidityStatus(Validity.EXPIRED, f"有效期至{end.isoformat()}（施行日期文中未载明），已届满")
    until = f"有效期至{end.isoformat()}" if end else "也未载明有效期"
    return ValidityStatus(
        Validity.UNKNOWN,
        f"施行日期文中未载明，{until}，{day.isoformat()}是否已施行无法确定（{meta.validity_basis}）",
    )


@dataclass(frozen=True)
class Policy:
    meta: PolicyMeta
    folder: Path
    text: str  # source.txt decoded; spans index into this string

    @property
    def id(self) -> str:
        return self.meta.id


def load_policy(folder: Path) -> Policy:
    meta = PolicyMeta.model_validate(yaml.safe_load((folder / "policy.yaml").read_text(encoding="utf-8")))
    if meta.id != folder.name:
        raise ValueError(f"policy.yaml id {meta.id!r} differs from its folder name {folder.name!r}")
    raw = (folder / "source.txt").read_bytes()
    if meta.source_sha256 and hashlib.sha256(raw).hexdigest() != meta.source_sha256:
        raise ValueError(
            f"{folder / 'source.txt'} 与收到的原文不一致：其 SHA-256 与 policy.yaml 的 "
            f"source_sha256 不符（文本被修改或损坏），请恢复原文件"
        )
    return Policy(meta=meta, folder=folder, text=raw.decode("utf-8"))


def load_policies(policies_dir: Path) -> list[Policy]:
    """Every folder with a policy.yaml, in name order, so ids and outputs are reproducible."""
    policies = []
    for path in sorted(policies_dir.glob("*/policy.yaml")):
        try:
            policies.append(load_policy(path.parent))
        except (ValueError, yaml.YAMLError, OSError) as err:  # UnicodeDecodeError is a ValueError
            raise CorpusError(f"政策库数据有误（{path.parent}）：{err}") from err
    return policies
