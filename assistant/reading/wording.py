"""Words of a question matched to words of a rule, tolerant of words inserted between them.

People say the text's words with a word more or less: "入选了山东省智能工厂名单" for 智能工厂,
"工业云平台试点示范" for 工业云试点示范, "年度评估被评为优秀" for 年度评估优秀. A name is matched
in order, in pieces of at least two characters, with short gaps between them; what share of the
name was found and how long the gaps were tell a sure match from one to confirm.

Both sides are first put in one form (`Normalized`): particles (了, 的) dropped, forms that mean the
same made one (省级 → 省), brackets around one character opened (首台（套） → 首台套), question forms
(有没有) blanked so their 没有 is not read as a negation; positions map back to the question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Clause ends: a negation or a recognition does not reach across one. 、 is not one: it joins a list.
CLAUSE_END = frozenset("，,。；;！!？?\n:：")
QUOTES = frozenset("“”\"'‘’「」《》〈〉『』 \t")
MIN_PIECE = 2  # a single character matches too much to count as found
MAX_GAP = 8  # characters between two pieces of a name ("全职引进了一位中国工程院院士")
SURE_PIECE = 3  # a longer name found in pieces holds one of at least this many characters
CANDIDATE_SHARE = 0.75  # found in part: a candidate, to be confirmed
# The rank a rule names (同品种前3家) and the one the user states (第2家).
# Where a clause of a question ends: an amount's, a count's or a recognition's words do not reach past it.
CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n]")
RANK_IN_RULE = re.compile(r"前(\d+)(家|名|位|个|强)")
RANK_SAID = re.compile(r"第(\d+)(家|名|位|个)")
CN_DIGITS = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}


@dataclass(frozen=True)
class Normalized:
    """A text in matching form, with each character's position in the original."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int, original: str) -> str:
        """The user's own words behind normalized [start, end)."""
        if start >= end:
            return ""
        return original[self.origin[start] : self.origin[end - 1] + 1]


def normalize(
    text: str, same_as: Mapping[str, str], fillers: Iterable[str], questions: Iterable[str] = ()
) -> Normalized:
    out: list[str] = []
    origin: list[int] = []
    src = unicodedata.normalize("NFKC", text)
    for word in questions:  # blanked to a clause-neutral mark, so 有没有 holds no 没有
        src = src.replace(word, "·" * len(word))
    drop = set(fillers)
    forms = [(unicodedata.normalize("NFKC", old), new) for old, new in same_as.items()]
    replacements = sorted(forms, key=lambda kv: -len(kv[0]))
    i = 0
    while i < len(src):
        for old, new in replacements:
            if src.startswith(old, i):
                out += new
                origin += [i] * len(new)
                i += len(old)
                break
        else:
            ch = src[i]
            if ch == "(" and i + 2 < len(src) and src[i + 2] == ")":  # 首台(套) → 首台套
                out.append(src[i + 1])
                origin.append(i + 1)
                i += 3
                continue
            if ch in "()[]【】":
                ch = "，"  # a parenthesis is a clause of its own: "（不是示范企业）"
            if ch not in drop and ch not in QUOTES and ch != "·":
                out.append(ch)
                origin.append(i)
            i += 1
    return Normalized("".join(out), tuple(origin))


def normalize_name(name: str, same_as: Mapping[str, str], fillers: Iterable[str]) -> str:
    return normalize(name, same_as, fillers).text


def clauses(text: str) -> list[tuple[int, int]]:
    """[start, end) of each clause of a normalized text."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in CLAUSE_END:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def with_ranks(clause: str, name: str) -> str:
    """The clause with a rank the name's 前N covers ("第2家" for 前3家) written as the name writes it."""
    rule = RANK_IN_RULE.search(name)
    if not rule:
        return clause

    def covered(m: re.Match[str]) -> str:
        said = "".join(CN_DIGITS.get(c, c) for c in m.group(1))
        fits = said.isdigit() and m.group(2) == rule.group(2) and int(said) <= int(rule.group(1))
        return rule.group(0) if fits and len(rule.group(0)) == len(m.group(0)) else m.group(0)

    return RANK_SAID.sub(covered, re.sub(r"第([一二两三四五六七八九])", lambda m: "第" + CN_DIGITS[m.group(1)], clause))


@dataclass(frozen=True)
class Alignment:
    """Where a name was found in a clause: its pieces' spans, and the name's characters not found."""

    pieces: tuple[tuple[int, int], ...]  # spans in the clause
    found: int  # characters of the name found
    size: int  # characters of the name
    missing: tuple[str, ...]  # parts of the name not found
    tail_missing: int = 0  # characters at the end of the name not found (单项冠军示范 in …培育企业)

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    @property
    def share(self) -> float:
        return self.found / self.size

    @property
    def longest(self) -> int:
        return max(b - a for a, b in self.pieces)

    @property
    def whole(self) -> bool:
        """The whole name found, tightly enough to be sure: a short name (4 characters or fewer) in one
        piece (智能工厂 is not in 智能化改造工厂), a longer one with a piece of SURE_PIECE or more."""
        if self.found != self.size:
            return False
        return self.longest == self.size or (self.size > 4 and self.longest >= SURE_PIECE)

    def gaps(self, clause: str) -> list[str]:
        return [clause[a[1] : b[0]] for a, b in zip(self.pieces, self.pieces[1:])]


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _align_from(name: str, clause: str, first: int) -> Alignment:
    """Greedy: the longest piece of the name at each step, the first at `first`, each next no
    further than MAX_GAP after the last."""
    pieces: list[tuple[int, int]] = []
    found, i, last = 0, 0, 0
    while i < len(name):
        placed = None
        for k in range(len(name) - i, MIN_PIECE - 1, -1):
            piece = name[i : i + k]
            if pieces:
                at = clause.find(piece, pieces[-1][1], pieces[-1][1] + MAX_GAP + k)
            else:
                at = first if clause.startswith(piece, first) else -1
            if at >= 0:
                placed = (at, k)
                break
        if placed is None:
            i += 1  # this character of the name is not in the clause
            continue
        at, k = placed
        pieces.append((at, at + k))
        found += k
        i += k
        last = i
    return Alignment(tuple(pieces), found, len(name), tuple(_runs(name, pieces, clause)), len(name) - last)


def _runs(name: str, pieces: list[tuple[int, int]], clause: str) -> list[str]:
    """The parts of the name between the pieces found (what the user said differently or left out)."""
    covered = [False] * len(name)
    i = 0
    for a, b in pieces:
        at = name.find(clause[a:b], i)
        for j in range(at, at + (b - a)):
            covered[j] = True
        i = at + (b - a)
    runs, current = [], ""
    for ch, ok in zip(name, covered):
        if ok:
            if current:
                runs.append(current)
            current = ""
        else:
            current += ch
    return runs + ([current] if current else [])


def align(name: str, clause: str, clause_grams: set[str] | None = None) -> Alignment | None:
    """The best placing of `name` in `clause` (most of the name found, then the tightest), or None
    when not even a candidate's share of it is there. `clause_grams`: the clause's bigrams, when
    many names are tried in one clause."""
    if len(name) < MIN_PIECE:
        return None
    grams = bigrams(name)
    present = grams & (bigrams(clause) if clause_grams is None else clause_grams)
    if len(present) < len(grams) / 2:  # a quick test before any placing is tried
        return None
    best: Alignment | None = None
    for first in range(len(clause) - 1):
        if clause[first : first + 2] not in present:
            continue
        got = _align_from(name, clause, first)
        if not got.pieces:
            continue
        key = (got.found, -(got.end - got.start))
        if best is None or key > (best.found, -(best.end - best.start)):
            best = got
    if best is None or best.share < CANDIDATE_SHARE:
        return None
    return best


def has_any(text: str, words: Iterable[str]) -> bool:
    return any(w in text for w in words)


def after_break(before: str, breaks: list[str]) -> str:
    """The part of a clause before a mention that can still speak of it (after 但, 而是 …)."""
    cut = max((before.rfind(b) + len(b) for b in breaks if b in before), default=0)
    return before[cut:]


NEAR_NEGATION = 6  # a one-character negation (没, 未) reaches this far: 没享受过…, 未被列入…


def negated(before: str, negations: Iterable[str], lookalikes: Iterable[str] = ()) -> bool:
    """A negation word before the mention: a word of two or more characters anywhere in the part,
    a single character (没, 未, 无) only close to it, and not where it begins another word (未来, 无锡)."""
    words = list(negations)
    if any(n in before for n in words if len(n) > 1):
        return True
    tail = before[-NEAR_NEGATION:]
    for word in lookalikes:
        tail = tail.replace(word, "·" * len(word))
    return any(n in tail for n in words if len(n) == 1)
