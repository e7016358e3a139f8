"""One problem found in a policy folder: where it is (file and line), what is wrong, how to fix it.

Every onboarding command reports through this, so a maintainer reads the same shape everywhere and
an editor can jump to `file:line`. Pydantic's English errors are turned into Chinese here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


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


ERROR_WORDS = {
    "missing": "未填写",
    "date_from_datetime_parsing": "不是日期，应写作 YYYY-MM-DD（如 2023-02-08）",
    "date_parsing": "不是日期，应写作 YYYY-MM-DD（如 2023-02-08）",
    "date_type": "不是日期，应写作 YYYY-MM-DD（如 2023-02-08）",
    "string_pattern_mismatch": "格式不对（只用小写字母、数字和连字符）",
    "extra_forbidden": "不是可用的字段名（拼写有误？）",
    "decimal_parsing": "不是数字",
    "enum": "不是可选的取值",
    "literal_error": "不是可选的取值",
    "too_short": "太短或为空",
    "string_type": "应为文字",
    "list_type": "应为列表（[甲, 乙]）",
}


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
        words = ERROR_WORDS.get(item["type"], _plain(item))
        line = key_line(text, loc[-1], near) if loc else None
        out.append(Problem(file, line or near or None, f"字段 {field} {words}", _hint(item)))
    return out


def _plain(item: Any) -> str:
    """A validator's own message (already Chinese where the schema wrote it so), without pydantic's prefix."""
    return str(item.get("msg", "")).removeprefix("Value error, ")


def _hint(item: Any) -> str:
    if item["type"] == "missing":
        return "补上这个字段；原文没有写明的，写 null 并在 review 下说明"
    if item["type"] == "extra_forbidden":
        return "对照 docs/adding-a-policy.md 的字段表改正拼写"
    return ""
