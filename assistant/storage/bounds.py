"""How much of one answered turn the log keeps: every stored turn has a size bound.

Why: whatever a caller sends ends up in the log, and an officer opening an entry reads all of it. A
200 MB question refused as too long used to be stored whole (a 1 GB database, an officer's page
that took 33 s), so the log keeps a question's first `QUESTION_CHARS` characters and its length,
and every other stored text (the answer, the facts, the calculator's trace, the sources) is held to
`FIELD_CHARS` characters with a marker saying how long it was, lists to `LIST_ITEMS` items, and the
whole stored answer to `TURN_CHARS` characters. An answer the engine gives today is far below every
bound (the longest seen is ~13,000 characters in all, ~2,500 in one text), so a normal turn is kept
exactly; the bounds only bite on input no one types.

The stored answer stays a valid `Answer` (the officer console reads it back through the model): only
strings are shortened and lists cut, never a key removed.
"""

from __future__ import annotations

import json
from typing import Any

QUESTION_CHARS = 2000  # = the engine's MAX_QUESTION_CHARS: a longer question is refused, not read
FIELD_CHARS = 8000
LIST_ITEMS = 200
TURN_CHARS = 128_000  # the stored answer's JSON, all of it
SESSION_CHARS = 128  # a session id comes from the client; a real one is ~12 characters
REGION_CHARS = 200
_SMALLEST_FIELD, _SMALLEST_LIST = 32, 4  # the last round of shortening (see `bounded_json`)


def cut(text: str, limit: int) -> str:
    """`text` as stored: itself when short enough, else its start and how long it was."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"…（已截断，原文共{len(text)}字）"


def _shortened(value: Any, field_chars: int, list_items: int) -> tuple[Any, bool]:
    """`value` with every string cut to `field_chars` and every list to `list_items`; whether anything was cut."""
    if isinstance(value, str):
        return cut(value, field_chars), len(value) > field_chars
    if isinstance(value, list):
        items = [_shortened(v, field_chars, list_items) for v in value[:list_items]]
        return [v for v, _ in items], len(value) > list_items or any(c for _, c in items)
    if isinstance(value, dict):
        pairs = {k: _shortened(v, field_chars, list_items) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    return value, False


def bounded_json(data: dict[str, Any]) -> tuple[dict[str, Any], str, bool]:
    """An answer's JSON object shortened, its text (at most about `TURN_CHARS` characters), and
    whether anything was cut.

    Strings and lists are shortened, halving the limits until the whole fits: the answer's model
    nests a fixed number of levels deep, so at the smallest limits it always fits."""
    field_chars, list_items = FIELD_CHARS, LIST_ITEMS
    while True:
        shortened, was_cut = _shortened(data, field_chars, list_items)
        text = json.dumps(shortened, ensure_ascii=False)
        if len(text) <= TURN_CHARS or (field_chars <= _SMALLEST_FIELD and list_items <= _SMALLEST_LIST):
            return shortened, text, was_cut
        field_chars, list_items = max(_SMALLEST_FIELD, field_chars // 2), max(_SMALLEST_LIST, list_items // 2)
