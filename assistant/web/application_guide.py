"""The application guide of one program, from its rule data: whom it benefits, the conditions, when
and where to apply, in the text's own words, and "原文未载明" wherever the text is silent.

Why from the rules files and not from the answer: the answer says how the user's facts fared; a
guide says what the policy asks of anyone, which the rules hold as data beside the clause they quote
(`conditions`, `exclusions`, `departments`, `procedures`). Nothing is filled in that the text does
not give: a program whose text names no time to apply says so, rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.rules.rulebook import Rulebook

SILENT = "原文未载明"
# Phrases that say when to apply (每年11月份, 2017年9月30日前, 每季度 …) in a procedure's words.
_WHEN = re.compile(
    r"每年[0-9一二三四五六七八九十]+月份?|[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?前?|每季度|每半年|每年年初|每年年底"
)

_CJK = "\u4e00-\u9fff，。；：、（）“”"
_FOLD = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")


@dataclass(frozen=True)
class Guide:
    beneficiaries: str
    """惠及对象: the kinds of enterprise or project the conditions name."""
    conditions: list[str]
    """申报条件: every condition, then each exclusion, as the rules describe them."""
    timing: str
    """申报时间: the part of the procedure that names a time, or SILENT."""
    departments: str
    """受理部门: the departments responsible (the text's 责任单位), or SILENT."""
    procedure: str
    """申报程序: how to apply, as the rules file describes it, or SILENT."""


def _unfolded(text: str) -> str:
    """A YAML-folded describe as one line: the breaks folding left between Chinese characters go."""
    return _FOLD.sub("", " ".join(text.split()))


def _when(procedure: str) -> str:
    """The clauses of `procedure` that name a time ("每年11月份各镇街、开发区对上年度竣工项目进行推荐")."""
    parts = [p.strip() for p in re.split(r"[；;。]", procedure) if p.strip()]
    timed = [p for p in parts if _WHEN.search(p)]
    return "；".join(timed) if timed else SILENT


def guide(book: Rulebook, program_id: str) -> Guide:
    program = book.programs[program_id]
    whom = [c.describe for c in program.conditions if c.tag or c.any_tags or c.min_level]
    conditions = [c.describe for c in program.conditions]
    conditions += [f"不适用：{e.describe}" for e in program.exclusions]
    procedure = book.procedures.get(program.how_to_apply) if program.how_to_apply else None
    described = _unfolded(procedure.describe) if procedure else ""
    return Guide(
        beneficiaries="；".join(whom) or SILENT,
        conditions=conditions or [SILENT],
        timing=_when(described) if described else SILENT,
        departments="、".join(program.departments) or SILENT,
        procedure=described or SILENT,
    )
