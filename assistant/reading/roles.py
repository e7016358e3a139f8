"""Roles said around a recognised thing: who bought it, who developed it, where it was made.

A rule may give the same recognised item to two parties (首台（套）: 对省内研发和购买使用单位 …分别
给予奖励) or only to buyers of what the city itself makes (购买使用我市…的首台（套）). People say the
role with a verb before the item (买了一台…首台（套）装备, 我们研制的…) and the maker as a place and a
verb (洛阳企业生产). A role tag is one whose rule words hold an action word (购买, 研发) and a name of
the item: the action said, not negated, before a sure mention of the item states it. A maker tag is one
whose rule words hold a maker verb (制造, 生产) and a place: a maker said in that place states it true,
in another place false. The words are the vocabulary's; which tags they fill comes from the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.reading.funding import Statement
from assistant.reading.place_table import china
from assistant.reading.wording import has_any, negated
from assistant.rules.rulebook import RuleWords, Vocabulary
from assistant.texts.regions import covers

ITEM_FOLLOWERS = (
    "经",
    "已",
    "被",
    "关键部件",
    "部件",
    "装备",
    "设备",
    "产品",
)  # 买的首台套装备经省认定, 首台套关键部件: the item still ends what was bought
ACTION_REACH = 20  # characters from the action to the item (买了一台洛阳企业生产、经省认定的首台（套）装备)
MAKER_NOUNS = ("本地企业", "企业", "公司", "厂家", "工厂", "厂", "单位", "本地")
OWN_MAKERS = ("我公司", "本公司", "我司", "本企业", "我们企业", "我厂", "本厂", "本单位", "我单位")
NOT_MAKING = ("产业", "产品", "产值", "产能", "产量", "产权")  # 洛阳产业园: 产 that is not "made in"
MAKER_NAMED = re.compile(r"[\u4e00-\u9fff]{1,4}?(?:企业|公司|厂家|工厂|厂)")  # 装备厂 (研制的)
MAKER_MODIFIERS = ("的", "一家", "这家", "那家", "某家", "某", "一个", "当地")  # 洛阳一家厂生产的


@dataclass(frozen=True)
class Item:
    """A sure, affirmed mention of a tag, as a possible object of a role."""

    tag: str
    start: int  # in the clause
    end: int
    names: tuple[str, ...]  # every name of its tag


def role_statements(
    clause: str, items: list[Item], words: dict[str, str], vocab: Vocabulary, stated: set[str]
) -> list[Statement]:
    """Role tags stated by an action before an item in this clause; `stated`: tags already said here."""
    cues = vocab.recognition
    out: list[Statement] = []
    for item in items:
        tail = clause[item.end :]
        if tail and not tail.startswith(tuple(cues.granted) + ITEM_FOLLOWERS):
            continue  # 买了首台套保险: what was bought is the insurance, not the item
        reach = clause[max(0, item.start - ACTION_REACH) : item.start]
        for action, said_as in cues.actions.items():
            others = [w for other, ws in cues.actions.items() if other != action for w in ws]
            for tag, text in words.items():
                if tag in stated or tag == item.tag or action not in text or not has_any(text, item.names):
                    continue
                at = max((reach.rfind(w) for w in said_as if w in reach), default=-1)
                if at < 0 or _another_maker(reach[:at], others):
                    continue
                denied = negated(reach[:at], vocab.negations, cues.lookalikes)
                begin = item.start - len(reach) + at
                out.append(Statement(tag, begin, item.end, clause[begin : item.end], not denied))
    return out


def _another_maker(before: str, other_actions: list[str]) -> bool:
    """买了郑州一家公司研发的首台套: the action's subject is another enterprise, named after the asker's
    own action (a maker noun right before it, 我公司研发的 excepted), so the action is not the asker's."""
    return before.endswith(MAKER_NOUNS) and not before.endswith(OWN_MAKERS) and has_any(before, other_actions)


@lru_cache(maxsize=1)
def _table_names() -> tuple[tuple[str, frozenset[str]], ...]:
    """Every name China's table reads on its own, with the full paths it may mean."""
    return tuple((name, frozenset(u.path for u in units)) for name, units in china().anywhere.items())


def _maker_place(clause: str, vocab: Vocabulary, place: str | None) -> tuple[frozenset[str], int, int] | None:
    """The places a maker is said to be in (洛阳企业生产 → 河南省洛阳市, as full paths from China's table;
    本地企业生产 → the enterprise's own place), with the span that says it."""
    cues = vocab.recognition
    if not any(verb in clause for verb in cues.makers):
        return None
    nouns = sorted(MAKER_NOUNS, key=len, reverse=True)
    names = dict(_table_names())
    names |= {w: frozenset({p}) for p, words in vocab.places.items() for w in words}
    if place:
        names |= {w: frozenset({place}) for w in cues.here}
    for word in sorted(names, key=len, reverse=True):
        at = clause.find(word)
        while at >= 0:
            rest = clause[at + len(word) :]
            while rest.startswith(MAKER_MODIFIERS):
                rest = rest[len(next(m for m in MAKER_MODIFIERS if rest.startswith(m))) :]
            named = MAKER_NAMED.match(rest)  # 一家装备厂, 某机械公司: the maker's own short name
            rest = rest[named.end() :] if named else rest[len(next((n for n in nouns if rest.startswith(n)), "")) :]
            verb = next((v for v in cues.makers if rest.startswith(v)), None)
            if verb and not rest.startswith(NOT_MAKING):
                return names[word], at, len(clause) - len(rest) + len(verb)
            at = clause.find(word, at + 1)
    return None


def maker_statements(clause: str, vocab: Vocabulary, place: str | None) -> list[Statement]:
    """洛阳企业生产 / 济源本地企业生产 / 本市企业制造: where the item was made, against the place the
    rule names (maker tags: rule words with a maker verb and a place)."""
    said = _maker_place(clause, vocab, place)
    if said is None:
        return []
    said_places, start, end = said
    out = []
    for tag, spec in vocab.tags.items():
        text = "|".join([spec.label, *vocab.tag_texts.get(tag, RuleWords()).all()])
        rule_places = {p for p, ws in vocab.places.items() if has_any(text, ws)}
        if rule_places and has_any(text, vocab.recognition.makers):
            inside = {any(covers(r, p) for r in rule_places) for p in said_places}
            if len(inside) == 1:  # a name of several places that disagree says nothing
                out.append(Statement(tag, start, end, clause[start:end], inside.pop()))
    return out
