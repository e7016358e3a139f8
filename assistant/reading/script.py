"""Questions typed in traditional characters ("設備500萬，沒拿上級資金") read as simplified ones.

Every cue, role and recognition in the vocabulary and the rules is written in simplified characters, so
a question in traditional ones would match none of them and be answered as if it said nothing. jionlp's
character table converts it, one character for one (spans and quotes stay aligned). A character that
is itself in GB2312, the simplified set (覆, 著), is never converted: "覆盖" and "显著" stay as written.
"""

from __future__ import annotations

import contextlib
import io
from functools import lru_cache


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        from jionlp.dictionary.dictionary_loader import traditional_simplified_loader

        pairs: dict[str, str] = traditional_simplified_loader("tra2sim_char.txt")
    return {ord(t): s for t, s in pairs.items() if t != s and len(t) == len(s) == 1 and not _simplified(t)}


def _simplified(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified(text: str) -> str:
    """`text` with its traditional characters replaced by simplified ones; the same length."""
    return text.translate(_table())
