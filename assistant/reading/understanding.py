"""Reading a Chinese question into EnterpriseFacts, without a language model.

Amounts and their roles are read by assistant.reading.amount_facts. Places come from places.py (China's
administrative table); levels and yes/no facts from index/vocabulary.yaml and the rules files' tags. What cannot be read safely becomes an
error (bad input), an open question (an amount with no role) or an unsettled amount (one not given
exactly), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.calculator.facts import EnterpriseFacts, Unsettled
from assistant.core.money import format_wan
from assistant.reading.amount_facts import OpenAmount, read_amounts
from assistant.reading.amounts import find_percents
from assistant.reading.places import Role, read_place
from assistant.reading.recognitions import read_recognitions
from assistant.rules.rulebook import StatedRate, Vocabulary
from assistant.rules.schema import Level
from assistant.texts.regions import covers

CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n]")
# "已经陆续拿到直接奖补240万", "已经先后拿到省里资金": an adverb inside 已经拿到 hides the received cue from
# every reader (amounts, funding, recognitions), so it is read past once, before any of them
ADVERB_AFTER_ALREADY = re.compile(r"(已经|已)(?:陆续|先后|分批|分别|都|也|累计|一共|总共)(?=[拿获领享得])")
NEGATION_WINDOW = 8  # characters before a phrase, within its clause, where a negation applies
PARTS_OF_TOTAL = {
    "equipment_investment": "设备投资",
    "software_hardware_investment": "软硬件投资",
    "year_investment": "当年完成投资",
}


@dataclass
class Understanding:
    facts: EnterpriseFacts
    errors: list[str] = field(default_factory=list)  # bad input: shown, and no figure is given
    open_amounts: list[OpenAmount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how something was read, e.g. 河口
    confirmations: dict[str, str] = field(default_factory=dict)  # tag → question where only half-said
    # whose place the place read is: the enterprise's own ("我们是河口的"), a policy's (河口区的奖补) …
    place_role: Role | None = None
    places_named: frozenset[str] = frozenset()  # every place this text names and settles (places.PlaceReading)


def _read_place(text: str, vocab: Vocabulary, out: Understanding, known_place: str | None) -> None:
    place = read_place(text, vocab)
    out.place_role, out.places_named = place.role, place.named
    out.errors += place.errors
    if known_place and place.place and covers(place.place, known_place):
        return  # "拿到东营市里的技改专项资金" said by a 河口区 enterprise: it is still where it was
    out.facts.place, out.facts.place_mention = place.place, place.mention
    out.notes += place.notes


def _read_level(text: str, vocab: Vocabulary) -> Level | None:
    """The first level said, leaving out those said not to hold ("不是国家级也不是省级的，只是市级的")."""
    found = [
        (m.start(), level)
        for level, words in vocab.levels.items()
        for w in words
        for m in re.finditer(re.escape(w), text)
        if not text[: m.start()].endswith(NOT_LEVEL)
    ]
    return Level(min(found)[1]) if found else None


# A one-year LPR has never been near these bounds; a stated rate outside them is a slip to ask about.
NOT_LEVEL = ("不是", "并非", "不属于", "不算", "非")  # right before a level: it does not hold
RATE_REACH = 12  # characters before a percentage within which its cue (LPR, 费率) stands
PLAUSIBLE_LPR = (Decimal("0.001"), Decimal("0.15"))
SHARE_OF = ("的", "×", "*", "x", "乘以", "乘", "的百分之")  # between LPR and a percentage that is a share of it


def _cue_end(before: str, cues: list[str]) -> int | None:
    """Where the last of `cues` in `before` ends, if one is there."""
    ends = [before.rfind(cue) + len(cue) for cue in cues if cue in before]
    return max(ends) if ends else None


def _read_lpr(text: str, lpr_cues: list[str], out: Understanding) -> None:
    """The one-year LPR the user states; a negative or implausible one ("385%") is asked about."""
    for p in find_percents(text):
        before = text[max(0, p.start - RATE_REACH) : p.start]
        cue_end = _cue_end(before, lpr_cues)
        if cue_end is None:
            continue
        if before[cue_end:].strip() in SHARE_OF:  # "按LPR的25%": the text's share of the LPR, not the rate
            continue
        said = text[p.start : p.end]
        negative = text[max(0, p.start - 1) : p.start] in ("-", "－", "−", "负")
        if negative or not PLAUSIBLE_LPR[0] <= p.value <= PLAUSIBLE_LPR[1]:
            said = f"-{said}" if negative else said
            out.facts.unsettled = out.facts.unsettled | {
                "lpr_rate": Unsettled(said=said, ask=f"您说的一年期LPR“{said}”不像实际利率，请核对（例如 3.85%）")
            }
        else:
            out.facts.lpr_rate = p.value
        return


def _read_rates(text: str, rates: dict[str, StatedRate], out: Understanding) -> None:
    """Other rates of its own the user states ("综合费率2%"), each after its cue; one that cannot be a
    rate (0, 100% or more) is an input error to correct, never a figure computed from it."""
    for p in find_percents(text):
        before = text[max(0, p.start - RATE_REACH) : p.start]
        ends = {name: _cue_end(before, rate.cues) for name, rate in rates.items()}
        said = {name: end for name, end in ends.items() if end is not None}
        if not said:
            continue
        name = max(said, key=lambda n: said[n])  # the nearest cue names it
        if 0 < p.value < 1:
            out.facts.rates = out.facts.rates | {name: p.value}
        else:
            out.errors.append(f"您说的{rates[name].label}“{text[p.start : p.end]}”不像实际费率，请核对")


def consistency_errors(facts: EnterpriseFacts) -> list[str]:
    """Facts that cannot all be true; checked again after a conversation merges turns."""
    total = facts.amounts.get("total_investment")
    for part, label in PARTS_OF_TOTAL.items():
        value = facts.amounts.get(part)
        if total is not None and value is not None and value > total:
            return [f"{label} {format_wan(value)} 大于总投资 {format_wan(total)}，请核对两个金额是否写反"]
    return []


def understand(text: str, vocab: Vocabulary, known_place: str | None = None) -> Understanding:
    """What one turn says. `known_place`: where the conversation already has the enterprise; a place
    this turn names above it (东营市 for 山东省东营市河口区) does not move it, and money from a level
    above it is told by that place."""
    text = ADVERB_AFTER_ALREADY.sub(r"\1", text)
    out = Understanding(EnterpriseFacts())
    read = read_amounts(text, vocab)
    out.facts.amounts, out.facts.unsettled = read.amounts, read.unsettled
    out.open_amounts, out.errors = read.open_amounts, read.errors
    _read_place(text, vocab, out, known_place)
    found = read_recognitions(text, vocab, out.facts.place or known_place)
    out.facts.tags, out.facts.chosen, out.facts.since = found.tags, found.chosen, found.since
    out.facts.had = found.had
    out.facts.not_yet = found.not_yet
    out.confirmations = found.confirmations
    out.facts.to_confirm = sorted(found.confirmations)
    out.facts.level = _read_level(text, vocab) or found.level
    said = set(found.levels.values()) | ({out.facts.level} if out.facts.level else set())
    out.facts.levels = found.levels if len(said) > 1 else {}  # only where they differ (from the first said, too)
    if len(said) == 1 and out.facts.level is None:  # one level, written in front of its recognition only
        out.facts.level = next(iter(said))
    _read_lpr(text, vocab.lpr_cues, out)
    _read_rates(text, vocab.stated_rates, out)
    out.errors += consistency_errors(out.facts)
    return out
