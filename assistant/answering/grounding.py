"""The number check: every number an answer states must come from the calculator, the user's own
question, or a quoted source sentence.

Run on every answer (templated or rewritten by a language model); a rewrite that fails it is
rejected, and the evaluation reports the share of answers that pass.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.answering.api_models import Answer

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
# List markers the templates add ([1], 【2】) are numbering, not claims.
MARKER = re.compile(r"\[\d+\]|【\d+】")
SCALES = (Decimal(1), Decimal(10_000), Decimal(100_000_000), Decimal("0.01"))
# Keys of the response that back no number: the answer itself, and how long computing it took (a
# timing that happened to equal a number in the answer is no evidence for it).
NOT_EVIDENCE = ("answer", "elapsed_ms")


def number_value(token: str) -> Decimal | None:
    try:
        return Decimal(token.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(MARKER.sub(" ", text))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [format(Decimal(str(value)), "f")]
    return []


def allowed_numbers(response: Answer) -> set[Decimal]:
    """Numbers the answer may state: everything in the response except the answer text itself (and
    its timing), each also in 万 and 亿 and percent form, since the answer may say 18万 for 180,000.00.

    Read from the answer's JSON, every key of it: what the user is shown is what may back a number."""
    allowed: set[Decimal] = set()
    for text in _strings({k: v for k, v in response.to_json().items() if k not in NOT_EVIDENCE}):
        for token in NUMBER.findall(text):
            value = number_value(token)
            if value is not None:
                allowed |= {(value / scale).normalize() for scale in SCALES}
    return allowed


def unsupported_numbers(answer: str, response: Answer) -> list[str]:
    """Numbers in `answer` that nothing in the response backs; empty when the answer is grounded."""
    allowed = allowed_numbers(response)
    return [t for t in numbers_in(answer) if (number_value(t) not in allowed)]
