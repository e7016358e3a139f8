"""Reading a Chinese question into EnterpriseFacts, without a language model.

Every amount is tied to its role by the words right before it (总投资500万, 设备300万), or, failing
that, right after it (300万的设备); the cue nearest the number wins, and longer cues beat shorter
ones at the same distance. Places, levels and yes/no facts come from index/vocabulary.yaml and the
rules files' tags. What cannot be read safely becomes an error (bad input) or an open question
(an amount with no role), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.calculator.facts import EnterpriseFacts
from assistant.core.money import format_wan, implausible
from assistant.reading.amounts import AmountMention, find_amounts, find_percents
from assistant.reading.recognitions import read_recognitions
from assistant.rules.rulebook import ClaimCues, Vocabulary
from assistant.rules.schema import Level

CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n]")
LOOK_BEHIND = 14  # characters before an amount searched for its role
LOOK_AHEAD = 6  # and after it, when nothing before it says
LOOK_BACK_ACROSS = 20  # and across a comma, when its own clause names nothing
# A place-like word ("拉萨市", "某某县") that the vocabulary does not know.
PLACE_LIKE = re.compile(r"(?:在|位于|地处|属于|来自)([\u4e00-\u9fa5]{2,5}?(?:省|市|区|县|州|盟))(?!级)")
PARTS_OF_TOTAL = {
    "equipment_investment": "设备投资",
    "software_hardware_investment": "软硬件投资",
    "year_investment": "当年完成投资",
}
PLACE_NOTE = "“河口”按山东省东营市河口区理解（本库只收录东营市河口区的政策）"


@dataclass(frozen=True)
class OpenAmount:
    """An amount whose role the words do not say ("500万" alone): the assistant must ask."""

    raw: str
    value: Decimal


@dataclass
class Understanding:
    facts: EnterpriseFacts
    errors: list[str] = field(default_factory=list)  # bad input: shown, and no figure is given
    open_amounts: list[OpenAmount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how something was read, e.g. 河口
    confirmations: dict[str, str] = field(default_factory=dict)  # tag → question where only half-said


def _segment(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after an amount within its own clause of the sentence."""
    left_edge = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    nxt = CLAUSE_BREAK.search(text, end)
    right_edge = nxt.start() if nxt else len(text)
    return text[max(left_edge, start - LOOK_BEHIND) : start], text[end : min(right_edge, end + LOOK_AHEAD)]


def _cue_before(before: str, vocab: Vocabulary) -> str | None:
    """The role whose cue ends nearest the number; where cues overlap ("研发中试设备投入"), the one that
    starts earliest names the whole term, so the qualifier (研发中试) is not lost to the head (设备投入)."""
    matches = [
        (at, at + len(cue), role)
        for role, spec in vocab.amount_roles.items()
        for cue in spec.cues
        for at in [before.rfind(cue)]
        if at >= 0
    ]
    if not matches:
        return None
    nearest = max(matches, key=lambda m: (m[1], m[1] - m[0]))
    overlapping = [m for m in matches if m[0] < nearest[1] and nearest[0] < m[1]]
    return min(overlapping, key=lambda m: (m[0], -m[1]))[2]


def _cue_after(after: str, vocab: Vocabulary) -> str | None:
    """ "300万的设备", "500万是当年完成投资": the role named right after the number."""
    rest = after.lstrip("的是为指")
    for role, spec in vocab.amount_roles.items():
        if any(rest.startswith(cue) for cue in spec.cues):
            return role
    return None


def _role_of(text: str, mention: AmountMention, previous_end: int, vocab: Vocabulary) -> str | None:
    """Its own clause first (before, then after the number); failing that, the clause before it,
    as long as no other amount stands between ("研发投入说错了，应该是200万")."""
    before, after = _segment(text, mention.start, mention.end)
    role = _cue_before(before, vocab) or _cue_after(after, vocab)
    if role is None:
        role = _cue_before(text[max(previous_end, mention.start - LOOK_BACK_ACROSS) : mention.start], vocab)
    return role


def _claimed_subsidy(text: str, mention: AmountMention, cues: ClaimCues) -> bool:
    """ "能拿1000万", "批给我们500万补贴": a figure the user wants, not a fact about the project."""
    before = text[max(0, mention.start - 3) : mention.start]
    after = text[mention.end : mention.end + 4].lstrip("的")
    return before.endswith(tuple(cues.verbs)) or after.startswith(tuple(cues.nouns))


def _stated_none(text: str, vocab: Vocabulary) -> dict[str, Decimal]:
    """ "没有研发投入" states the amount is zero, which a formula summing several figures needs to know."""
    found: dict[str, Decimal] = {}
    for role, spec in vocab.amount_roles.items():
        for cue in spec.cues:
            if len(cue) >= 2 and any(f"{neg}{cue}" in text for neg in ("没有", "无", "没")):
                found[role] = Decimal(0)
    return found


def _negative(text: str, mention: AmountMention) -> bool:
    before = text[max(0, mention.start - 2) : mention.start]
    return before.endswith(("-", "－", "负", "−"))


def _quoted(raw: str, limit: int = 24) -> str:
    """The user's amount as quoted back in an error: whole unless absurdly long (a pasted run of digits)."""
    return raw if len(raw) <= limit else f"{raw[:12]}…{raw[-8:]}（共{len(raw)}个字符）"


def _read_amounts(text: str, vocab: Vocabulary, out: Understanding) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    approximate: list[str] = []
    previous_end = 0
    for mention in find_amounts(text):
        role = _role_of(text, mention, previous_end, vocab)
        previous_end = mention.end
        label = vocab.amount_roles[role].label if role else "金额"
        problem = implausible(-mention.value if _negative(text, mention) else mention.value, zero_ok=False)
        if problem:
            out.errors.append(f"{label}“{_quoted(mention.raw)}”{problem}")
            continue
        if role is None:
            if not _claimed_subsidy(text, mention, vocab.claimed_subsidy):
                out.open_amounts.append(OpenAmount(mention.raw, mention.value))
            continue
        amounts[role] = mention.value  # a later mention of the same role corrects an earlier one
        if mention.approximate:
            approximate.append(role)
    out.facts.approximate = sorted(set(approximate) & set(amounts))
    return amounts


def _read_place(text: str, vocab: Vocabulary, out: Understanding) -> None:
    best: tuple[int, str, str] | None = None  # (-len(word), place, word): the most specific wins
    for place, words in vocab.places.items():
        for word in words:
            if word in text:
                candidate = (-len(place), place, word)
                best = min(best, candidate) if best else candidate
    if best:
        _, out.facts.place, out.facts.place_mention = best
        if out.facts.place.endswith("河口区"):
            out.notes.append(PLACE_NOTE)
        return
    for m in PLACE_LIKE.finditer(text):
        out.errors.append(
            f"无法识别地区“{m.group(1)}”。本助手收录的政策适用于"
            f"{'、'.join(vocab.covered_regions)}，请说明企业所在的省、市或区县"
        )
        return


def _read_level(text: str, vocab: Vocabulary) -> Level | None:
    found = [(text.find(w), level) for level, words in vocab.levels.items() for w in words if w in text]
    return Level(min(found)[1]) if found else None


def _read_lpr(text: str, lpr_cues: list[str]) -> Decimal | None:
    for p in find_percents(text):
        if any(cue in text[max(0, p.start - 12) : p.start] for cue in lpr_cues):
            return p.value
    return None


def consistency_errors(facts: EnterpriseFacts) -> list[str]:
    """Facts that cannot all be true; checked again after a conversation merges turns."""
    total = facts.amounts.get("total_investment")
    for part, label in PARTS_OF_TOTAL.items():
        value = facts.amounts.get(part)
        if total is not None and value is not None and value > total:
            return [f"{label} {format_wan(value)} 大于总投资 {format_wan(total)}，请核对两个金额是否写反"]
    return []


def understand(text: str, vocab: Vocabulary) -> Understanding:
    out = Understanding(EnterpriseFacts())
    out.facts.amounts = {**_stated_none(text, vocab), **_read_amounts(text, vocab, out)}
    _read_place(text, vocab, out)
    found = read_recognitions(text, vocab, out.facts.place)
    out.facts.tags, out.facts.chosen, out.facts.since = found.tags, found.chosen, found.since
    out.confirmations = found.confirmations
    out.facts.level = _read_level(text, vocab) or found.level
    out.facts.lpr_rate = _read_lpr(text, vocab.lpr_cues)
    out.errors += consistency_errors(out.facts)
    return out
