"""One problem found in a policy folder: where it is (file and line), what is wrong, how to fix it.

Every onboarding command reports through this, so a maintainer reads the same shape everywhere and
an editor can jump to `file:line`. Pydantic's English errors are worded in Chinese by `assistant.rules.errors`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from assistant.rules.errors import error_words


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    hint: str = ""
    pending: bool = False  # a draft's state (review: todo), not an error: rows still run

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}：{self.message}" + (f"\n    改法：{self.hint}" if self.hint else "")


def key_line(text: str, key: str, after: int = 0) -> int | None:
    """The line where `key:` is written (from line `after` on), for pointing at a YAML field."""
    pattern = re.compile(rf"^\s*(-\s+)?{re.escape(key)}\s*:", re.M)
    start = 0
    if after > 1:
        start = sum(len(line) + 1 for line in text.split("\n")[: after - 1])
    m = pattern.search(text, start)
    return text.count("\n", 0, m.start()) + 1 if m else None


def yaml_value_line(text: str, value: str) -> int | None:
    """The line where a value (an id, a quote) is written."""
    at = text.find(value)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def validation_problems(err: ValidationError, file: str, text: str, near: int = 0) -> list[Problem]:
    """Each pydantic error as a Chinese problem at the line of its field."""
    out = []
    for item in err.errors():
        loc = [str(x) for x in item["loc"] if not isinstance(x, int)]
        field = ".".join(loc) or "（整个文件）"
        words = error_words(item)
        line = key_line(text, loc[-1], near) if loc else None
        out.append(Problem(file, line or near or None, f"字段 {field} {words}", _hint(item)))
    return out


def _hint(item: Any) -> str:
    if item["type"] == "missing":
        return "补上这个字段；原文没有写明的，写 null 并在 review 下说明"
    if item["type"] == "extra_forbidden":
        return "对照 docs/adding-a-policy.md 的字段表改正拼写"
    return ""
