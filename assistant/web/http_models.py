"""The JSON API's requests and replies (assistant.web.http_api), and its bad-input messages in Chinese.

Why typed models here and not dicts: the OpenAPI document at /api/v1/openapi.json is generated from
them, so a caller's integration is checked against what the server really takes. Replies reuse the
answer contract (`Answer`, assistant.answering.api_models) unchanged, so the JSON of `/api/v1/ask`
is the JSON of `ask --json`, of the Gradio `/ask` and of the logbook.

Amounts and dates are read by the same functions as the page and the CLI (`parse_amount`,
`parse_date`), so "500万" and "2021年6月30日" mean the same everywhere; a JSON number is yuan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import ErrorDetails

from assistant.answering.api_models import Answer
from assistant.core.money import implausible
from assistant.reading.amounts import InputError, parse_amount, parse_date
from assistant.rules.schema import Level

MAX_CONVERSATION_ID = 64


class Request(BaseModel):
    """A request body: unknown keys are refused (a misspelt `asof` must not silently mean today)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def _as_of(value: Any) -> Any:
    """Text dates as the page reads them (2021-06-30, 2021年6月30日); empty means today."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            return parse_date(value)
        except InputError as err:
            raise ValueError(err.message) from None
    return value


class AskRequest(Request):
    """One question, alone or as the next turn of a conversation the server started."""

    question: str = Field(examples=["河口区技改项目总投资500万，设备投资300万，能拿多少？"])
    """The question, in Chinese, as enterprise staff would ask it."""
    as_of: date | None = Field(default=None, examples=["2021-06-30"])
    """The day whose policies count (YYYY-MM-DD or 2021年6月30日); absent or empty means today."""
    conversation_id: str | None = Field(default=None, max_length=MAX_CONVERSATION_ID)
    """A `conversation_id` an earlier reply gave: this question is its next turn. Absent: a new conversation."""
    id: str | int | None = None
    """The caller's own id for this request, echoed back as the answer's `id`."""

    _read_as_of = field_validator("as_of", mode="before")(_as_of)


class AskReply(BaseModel):
    """The answer and the conversation it belongs to (send the id back to continue it)."""

    conversation_id: str
    """The conversation this turn belongs to; unguessable, known only to the caller."""
    answer: Answer
    """The answer, exactly as `python -m assistant ask --json` prints it."""


class FactsIn(Request):
    """What is known about the enterprise and its project; names as in index/vocabulary.yaml."""

    place: str | None = Field(default=None, examples=["山东省东营市河口区"])
    """Where the enterprise is: a province, city or county (河口区, 河南省济源市); absent if not known."""
    amounts: dict[str, Decimal] = Field(default={}, examples=[{"total_investment": 5000000}])
    """Amounts by role (total_investment, equipment_investment, …): a number in yuan, or text such as "300万"."""
    tags: dict[str, bool] = Field(default={}, examples=[{"completed_in_production": True}])
    """Yes/no facts by name."""
    level: Level | None = None
    """A recognition level: 国家级, 省级, 市级 or 区县级."""
    lpr_rate: Decimal | None = Field(default=None, gt=0, lt=1)
    """A one-year LPR as a fraction (0.0385); absent means the published rate of the as-of date."""

    @field_validator("amounts", mode="before")
    @classmethod
    def _read_amounts(cls, amounts: Any) -> Any:
        if not isinstance(amounts, dict):
            return amounts
        out: dict[Any, Any] = {}
        for role, value in amounts.items():
            if isinstance(value, bool):
                raise ValueError(f"{role} 应为金额（数字，单位元；或如“300万”的文字），而不是 true/false")
            if isinstance(value, str):
                try:
                    value = parse_amount(value)
                except InputError as err:
                    raise ValueError(f"{role}：{err.message}") from None
            elif isinstance(value, (int, float)):
                value = Decimal(str(value))
            if isinstance(value, Decimal):
                problem = implausible(value)
                if problem:
                    raise ValueError(f"{role} {problem}")
            out[role] = value
        return out


class AssessRequest(Request):
    """Facts given directly (no question to read): every program they bring into play, assessed."""

    facts: FactsIn
    """The enterprise's facts."""
    as_of: date | None = Field(default=None, examples=["2021-06-30"])
    """The day whose policies count; absent or empty means today."""
    id: str | int | None = None
    """The caller's own id for this request, echoed back as the answer's `id`."""

    _read_as_of = field_validator("as_of", mode="before")(_as_of)


class ErrorReply(BaseModel):
    """Why a request was refused before any answer was made (HTTP 4xx), in Chinese."""

    error: str
    """The first problem, as one sentence."""
    problems: list[str]
    """Every problem, one per field."""


# --- validation errors in Chinese -----------------------------------------------------------------

_MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的字段（请对照 /api/v1/openapi.json）",
    "string_type": "应为文字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "date_type": "应为日期（YYYY-MM-DD，如 2021-06-30）",
    "date_parsing": "应为日期（YYYY-MM-DD，如 2021-06-30）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD，如 2021-06-30）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD，如 2021-06-30）",
    "string_too_long": "过长",
    "greater_than": "应大于 0",
    "less_than": "应小于 1（以小数表示，如 0.0385）",
    "enum": "应为 国家级、省级、市级 或 区县级",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体应为 JSON 对象",
    "int_type": "应为整数或文字",
    "union_tag_invalid": "取值无效",
}
_FIELD_NAMES = {
    "question": "问题（question）",
    "as_of": "评估日期（as_of）",
    "conversation_id": "会话编号（conversation_id）",
    "facts": "企业信息（facts）",
    "amounts": "金额（amounts）",
    "tags": "是否类信息（tags）",
    "level": "认定级别（level）",
    "lpr_rate": "一年期LPR（lpr_rate）",
    "place": "地区（place）",
    "id": "请求编号（id）",
}


def _where(loc: tuple[int | str, ...]) -> str:
    path = [str(p) for p in loc if p != "body"]
    # a union's branch names (str, int, decimal) are pydantic's, not the caller's
    path = [p for p in path if p not in ("str", "int", "decimal", "date", "none", "Decimal")]
    if not path:
        return "请求体"
    return " › ".join(_FIELD_NAMES.get(p, p) for p in path)


def chinese_problems(errors: list[ErrorDetails] | list[dict[str, Any]]) -> list[str]:
    """pydantic's errors as Chinese sentences naming the field ("评估日期（as_of）：无法识别日期…");
    one per field, since a union reports each branch that failed."""
    out: list[str] = []
    seen: set[str] = set()
    for error in errors:
        kind = error.get("type", "")
        where = "请求体" if kind.startswith("json_") else _where(tuple(error.get("loc", ())))
        if where in seen:
            continue
        seen.add(where)
        if kind == "value_error":
            message = str(error.get("msg", "")).removeprefix("Value error, ")
        else:
            message = _MESSAGES.get(kind, "取值无效")
        out.append(f"{where}：{message}")
    return out or ["请求无效"]
