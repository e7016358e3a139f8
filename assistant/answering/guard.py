"""What a language model may and may not change, checked without trusting it.

The model is never in charge of numbers. Facts it extracts are kept only where the user's own text
contains the amount; a rewritten answer is used only if it states exactly the same numbers, keeps
every quoted sentence verbatim, keeps every citation marker and every status, and adds no number
the response does not back. Anything else falls back to the templated answer.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.answering.api_models import Answer
from assistant.answering.grounding import number_value, numbers_in, unsupported_numbers
from assistant.calculator.facts import EnterpriseFacts
from assistant.reading.amounts import find_amounts, find_percents

QUOTE = re.compile(r"“([^”]{4,})”")
CITATION_MARK = re.compile(r"\[\d+\]")
STATUS_WORDS = (
    "符合条件，可以申请",
    "不符合条件",
    "需补充信息",
    "政策已不在有效期内",
    "仅供参考",
    "无法测算",
    "不涉及",
)


def checked_facts(extracted: EnterpriseFacts, question: str) -> EnterpriseFacts:
    """The model's facts, less any amount or rate the user did not write."""
    written = {m.value for m in find_amounts(question)}
    rates = {p.value for p in find_percents(question)}
    amounts = {role: value for role, value in extracted.amounts.items() if value in written}
    lpr = extracted.lpr_rate if extracted.lpr_rate in rates else None
    place = extracted.place if extracted.place_mention and extracted.place_mention in question else None
    return extracted.model_copy(
        update={
            "amounts": amounts,
            "lpr_rate": lpr,
            "place": place,
            "place_mention": extracted.place_mention if place else None,
            "unsettled": {r: u for r, u in extracted.unsettled.items() if u.said in question},
        }
    )


def fill_gaps(parsed: EnterpriseFacts, extra: EnterpriseFacts) -> EnterpriseFacts:
    """The deterministic reading wins; the model only fills what it left empty."""
    return parsed.model_copy(
        update={
            "amounts": {**extra.amounts, **parsed.amounts},
            "place": parsed.place or extra.place,
            "place_mention": parsed.place_mention or extra.place_mention,
            "tags": {**extra.tags, **parsed.tags},
            "level": parsed.level or extra.level,
            "lpr_rate": parsed.lpr_rate if parsed.lpr_rate is not None else extra.lpr_rate,
        }
    )


def _number_set(text: str) -> set[Decimal]:
    return {v for v in (number_value(t) for t in numbers_in(text)) if v is not None}


def rewrite_problems(original: str, candidate: str, response: Answer) -> list[str]:
    """Why a rewritten answer may not replace the template; empty when it may."""
    problems = []
    before, after = _number_set(original), _number_set(candidate)
    if after - before:
        problems.append(f"added or changed numbers: {sorted(map(str, after - before))}")
    if before - after:
        problems.append(f"dropped numbers: {sorted(map(str, before - after))}")
    for quote in QUOTE.findall(original):
        if quote not in candidate:
            problems.append(f"quoted sentence altered or dropped: {quote[:30]}…")
    if sorted(CITATION_MARK.findall(original)) != sorted(CITATION_MARK.findall(candidate)):
        problems.append("citation markers changed")
    for word in STATUS_WORDS:
        if (word in original) != (word in candidate):
            problems.append(f"status wording changed: {word}")
    if unsupported_numbers(candidate, response):
        problems.append("numbers not backed by the calculator, the user or a quoted source")
    return problems
