"""The web API's arguments checked before anything is read: wrong types get a Chinese reply.

Why: `gr.api` endpoints take whatever JSON a caller sends, so a number or a list as the question
reached the engine and came back as Python's own exception text ("'list' object has no attribute
'strip'"). A caller gets the same `BadParameter` reply as for a malformed date instead.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.answering.api_models import BadParameter
from assistant.answering.engine import EXAMPLE

SHOWN_CHARS = 200  # of a wrong-typed argument, echoed back in the reply


def argument_error(question: object, as_of: object, new_conversation: object = False) -> str | None:
    """What is wrong with the arguments' types, in Chinese; None when they are right."""
    if not isinstance(question, str):
        return f"问题（question）应为文字，例如“{EXAMPLE}”，而不是 {type_name(question)}。"
    if as_of is not None and not isinstance(as_of, str):
        return f"评估日期（as_of）应为 YYYY-MM-DD 格式的文字，或留空表示今天，而不是 {type_name(as_of)}。"
    if new_conversation is not None and not isinstance(new_conversation, bool):
        return f"是否开始新对话（new_conversation）应为 true 或 false，而不是 {type_name(new_conversation)}。"
    return None


def type_name(value: object) -> str:
    names = {int: "数字", float: "数字", list: "列表", dict: "对象", type(None): "空值 null", bool: "true/false"}
    return names.get(type(value), type(value).__name__)


def shown(value: object) -> str:
    """An argument as text for the reply: itself if text, else its JSON, cut to SHOWN_CHARS."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:SHOWN_CHARS]


def bad_parameter(question: object, as_of: object, message: str) -> dict[str, Any]:
    """The `BadParameter` reply's JSON for this message."""
    refused = BadParameter(
        question=shown(question), as_of=shown(as_of or ""), error=message, warnings=[message], answer=f"错误：{message}"
    )
    return refused.to_json()
