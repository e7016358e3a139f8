"""Pydantic's validation errors in the Chinese a maintainer reads: what is wrong with a field of a YAML
file they wrote (programs.yaml, vocabulary.yaml), without pydantic's English."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

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


def error_words(item: Any) -> str:
    """One error of `ValidationError.errors()` in Chinese: the schema's own message where it wrote one."""
    return ERROR_WORDS.get(item["type"]) or str(item.get("msg", "")).removeprefix("Value error, ")


def field_errors(err: ValidationError) -> str:
    """Every error of `err` as "字段 a.b：…", joined: for a message that names a file but no line."""
    return "；".join(f"字段 {'.'.join(str(x) for x in e['loc'])}：{error_words(e)}" for e in err.errors())
