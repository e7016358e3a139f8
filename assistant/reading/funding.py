"""Money already had from a higher level, and the option of a choose-one group already chosen.

河口's rule "享受上级专项资金奖补扶持的，不再纳入区级奖补扶持范围" is said as 拿到了省里的技改专项资金,
去年拿了东营市里的奖补资金, 前年拿到了国家工信部的技改专项资金支持: who gave it (a level above the
enterprise's own place: 市, 省 and 国家 for a district), a funding noun, and a verb of receiving.
It fills the tags whose rule speaks of 上级 money, so a new rule of that kind needs no code.

"企业可任选一种奖补方式" is said as 已经选了贷款贴息 / 已经选了直接奖补并且拿到钱了: the option named
by a word of its own (a topic no other option of the group has, and no amount's name: 贷款 is the
loan, 贴息 the subsidy). What was had for another project (是另一个项目的) binds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.reading.wording import after_break, has_any, negated
from assistant.rules.rulebook import Vocabulary
from assistant.rules.schema import LEVEL_RANK, Level

HIGHER = "上级"
APPLIED = "applied"  # applied for, the outcome not said: asked, never taken as had
SOURCE_REACH = 8  # characters from who gave to the funding noun (省里的技改专项资金, 中央预算内投资补助)
OPTION_REACH = 12  # characters from "已经选了" to the option's name
# "之前几个技改项目", "两个技改项目" (not "第四个项目"): projects besides this one, with words between
# (the listed other_project phrases are the plain forms)
# Several projects, or money received for several ("三个项目", "拿了两笔贴息"), or a later one of them
# ("第三个项目"): what was had was another project's, not this one's.
OTHER_PROJECTS = re.compile(
    r"(?<!第)(?:[几两三四五六七八九十多]|[0-9]+)个[^，,。；;]{0,4}项目"
    r"|第(?:[二三四五六七八九十]|[2-9])个[^，,。；;]{0,4}项目"
    r"|(?:[几两三四五六七八九十多]|[0-9]+)笔"
)
CHOOSING = "选"  # in 选了/选择了: chosen, not yet had (领过/拿过/享受过 say it was had)
WISHES = ("能", "可以", "想", "要", "可", "否", "会", "没")  # 能拿, 想要: hoped for, not had
CLAUSE = re.compile(r"[，,。；;！!？?\n]")
PLACE_RANKS = (("区", 1), ("县", 1), ("市", 2), ("省", 3))


@dataclass(frozen=True)
class Statement:
    """What a clause says of a tag: True, False or APPLIED, at [start, end) of the clause."""

    tag: str
    start: int
    end: int
    words: str
    stated: bool | str


def _rank_of_place(place: str | None) -> int:
    """How high the enterprise's own place stands: a district 1, a city 2, a province 3."""
    for suffix, rank in PLACE_RANKS:
        if place and place.endswith(suffix):
            return rank
    return 1


def _sources(vocab: Vocabulary) -> list[tuple[str, int]]:
    """Words naming who gave money, with their rank: 工信部 4, 省里 3, 东营市 2 …"""
    out = [(w, LEVEL_RANK[Level(level)]) for level, words in vocab.recognition.issuers.items() for w in words]
    for place, words in vocab.places.items():
        rank = next((r for suffix, r in PLACE_RANKS if place.endswith(suffix)), None)
        out += [(w, rank) for w in words if rank]
    return out


def funding_tags(vocab: Vocabulary) -> list[str]:
    """The tags whose rule speaks of money from a higher level (享受上级专项资金…)."""
    return [
        tag
        for tag, spec in vocab.tags.items()
        if HIGHER in spec.label or (tag in vocab.tag_texts and any(HIGHER in t for t in vocab.tag_texts[tag].all()))
    ]


def received(text: str, vocab: Vocabulary) -> bool:
    """A verb of receiving that is not a wish (能拿, 想要) nor a question (拿多少)."""
    for verb in vocab.recognition.received:
        for m in re.finditer(re.escape(verb), text):
            wish = text[max(0, m.start() - 2) : m.start()].endswith(WISHES)
            if not wish and not text.startswith("多少", m.end()):
                return True
    return False


def funding_statements(
    clause: str, vocab: Vocabulary, place: str | None, tags: frozenset[str] | list[str]
) -> list[Statement]:
    """Money from a higher level said as had, not had, or applied for, in one normalized clause, for
    `tags` (funding_tags, worked out once per vocabulary)."""
    cues = vocab.recognition
    own = _rank_of_place(place)
    sources = _sources(vocab)
    for noun in sorted(cues.funding_nouns, key=len, reverse=True):
        at = clause.find(noun)
        if at < 0:
            continue
        window_start = max(0, at - SOURCE_REACH)
        found = [(clause.find(w, window_start, at), rank) for w, rank in sources if w in clause[window_start:at]]
        higher = [pos for pos, rank in found if rank > own]
        if not higher:
            continue
        source = min(higher)
        before = after_break(clause[:source], cues.breaks)
        after = clause[at + len(noun) :]
        if negated(before, vocab.negations, cues.lookalikes):
            stated: bool | str = False
        elif received(before, vocab) or received(after[:6], vocab):
            stated = True
        elif has_any(before, cues.applied):
            stated = APPLIED
        else:
            continue
        words = clause[source : at + len(noun)]
        return [Statement(tag, source, at + len(noun), words, stated) for tag in tags]
    return []


def chosen_options(text: str, vocab: Vocabulary) -> tuple[dict[str, str], list[str]]:
    """choose-one group → the option the user says is already chosen or had for this project; and the
    options said to be had already (领过/拿过/享受过…, not only 选了): used up for this project."""
    cues = vocab.recognition
    if has_any(text, cues.other_project) or OTHER_PROJECTS.search(text):
        return {}, []
    amount_words = {cue for role in vocab.amount_roles.values() for cue in role.cues}
    chosen: dict[str, str] = {}
    had: list[str] = []
    for clause in CLAUSE.split(text):
        for verb in sorted(cues.chose, key=len, reverse=True):
            at = clause.find(verb)
            if at < 0 or negated(clause[max(0, at - 3) : at], vocab.negations, cues.lookalikes):
                continue
            rest = clause[at + len(verb) : at + len(verb) + OPTION_REACH]
            for group, options in vocab.choice_options.items():
                named = [
                    program
                    for program, words in options.items()
                    if any(w in rest for w in words if w not in amount_words)
                ]
                if len(named) == 1:
                    chosen.setdefault(group, named[0])
                    if CHOOSING not in verb and named[0] not in had:
                        had.append(named[0])
    return chosen, had
