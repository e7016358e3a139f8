"""Why a quote is not found verbatim, and what the text itself says there.

A quote is copied by hand, and received texts carry stray spaces ("不超过 100 万元"), half-width
commas and brackets; the copy loses them, and "not found" alone sends the maintainer hunting. Here
the quote is looked up again ignoring blanks and the width of punctuation, and the text's own
characters are shown, blanks made visible, with the clause the quote really sits in.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.texts.clauses import Clause

# Full-width punctuation and its half-width twin: a copy often changes one into the other.
WIDTH = str.maketrans("，：；（）！？", ",:;()!?")
BLANKS = " \t\u3000\u00a0\r\n"


@dataclass(frozen=True)
class QuoteFinding:
    found: bool  # verbatim inside the named clause
    message: str = ""
    hint: str = ""


def visible(text: str) -> str:
    """Blanks shown as ␣ (and a full-width one as □), so a maintainer sees the spacing to copy."""
    return text.replace("\u3000", "□").replace(" ", "␣").replace("\t", "⇥").replace("\n", "↵")


def _folded(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """The span without blanks, punctuation made half-width, and each kept character's offset."""
    chars, where = [], []
    for i in range(start, end):
        ch = text[i]
        if ch in BLANKS:
            continue
        chars.append(ch.translate(WIDTH))
        where.append(i)
    return "".join(chars), where


def _loose_find(source: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of source[start:end] that equals the quote but for blanks and punctuation width."""
    hay, where = _folded(source, start, end)
    needle, _ = _folded(quote, 0, len(quote))
    at = hay.find(needle) if needle else -1
    if at < 0:
        return None
    return where[at], where[at + len(needle) - 1] + 1


def _agreeing_prefix(source: str, quote: str, start: int, end: int) -> int:
    """How many leading characters of the quote (folded) are found in the span (folded)."""
    hay, _ = _folded(source, start, end)
    needle, _ = _folded(quote, 0, len(quote))
    lo, hi = 0, len(needle)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if needle[:mid] in hay:
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_quote(quote: str, clause_id: str, source: str, clauses: dict[str, Clause]) -> QuoteFinding:
    """Whether the quote is verbatim in its clause; if not, what the text says and where."""
    clause = clauses.get(clause_id)
    if clause is None:
        near = [c for c in clauses.values() if quote in c.text]
        return QuoteFinding(
            False,
            f"条款编号 {clause_id} 不存在",
            f"这句话在条款 {near[0].clause_id} 中，把 clause 改为它"
            if near
            else "用 `assistant policy outline` 查条款编号",
        )
    if source.find(quote, clause.start, clause.end) >= 0:
        return QuoteFinding(True)
    elsewhere = [c for c in clauses.values() if c.policy_id == clause.policy_id and quote in c.text]
    if elsewhere:
        return QuoteFinding(
            False,
            f"引文“{quote}”不在条款 {clause_id} 中，而在 {elsewhere[0].clause_id} 中",
            f"把 clause 改为 {elsewhere[0].clause_id}",
        )
    loose = _loose_find(source, quote, clause.start, clause.end)
    if loose:
        own = source[loose[0] : loose[1]]
        return QuoteFinding(
            False,
            f"引文与原文不是逐字一致（空格或标点不同）：原文写作“{own}”，即 {visible(own)}",
            f"把 quote 改为原文这段，空格和标点照原文：{own}",
        )
    agree = _agreeing_prefix(source, quote, clause.start, clause.end)
    folded, _ = _folded(quote, 0, len(quote))
    return QuoteFinding(
        False,
        f"引文在条款 {clause_id} 中找不到"
        + (f"：前面“{folded[:agree]}”与原文一致，从“{folded[agree : agree + 10]}”起不同" if agree else ""),
        f"从 source.txt 复制这句原文（条款 {clause_id}：{visible(clause.text[:40])}…）",
    )
