"""Words of a policy folder that would match more than they mean: a topic, or a region, that is only
part of a longer word.

A program is chosen when one of its topics occurs in the question, and a place by its name; a topic
that the text itself only ever uses inside a longer word (中药 in 中药材) would select the program for
questions about that other thing, and a region that is not a real administrative unit is never read.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.onboarding.problems import Problem, key_line, yaml_value_line
from assistant.reading.place_table import china
from assistant.retrieval.tokens import word_spans
from assistant.rules.schema import Program
from assistant.texts.policies import Policy

# A word plus one of these is the same thing said in full (进项税 → 进项税额) or a particle jieba
# glued on (晋升为), not another thing.
SAME_THING_SUFFIXES = ("额", "为", "的", "等", "了", "者")


def _same_thing(longer: str, word: str) -> bool:
    return longer.startswith(word) and longer[len(word) :] in SAME_THING_SUFFIXES


@lru_cache(maxsize=8)
def _spans(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple(word_spans(text))


def inside_longer_words(word: str, text: str) -> list[str]:
    """The longer words the text uses `word` inside, when it never uses it on its own; [] otherwise
    (also when the text does not use it at all: a topic may be how people ask, not how the text says)."""
    spans = _spans(text)
    starts = {a for _, a, _ in spans}
    ends = {b for _, _, b in spans}
    longer: list[str] = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if at in starts and end in ends:
            return []
        longer += [w for w, a, b in spans if a <= at and end <= b and w != word and not _same_thing(w, word)]
        at = text.find(word, at + 1)
    return list(dict.fromkeys(longer))


def part_of_word_problems(programs: list[Program], rules_text: str, source: str) -> list[Problem]:
    """A problem for each topic the policy text only uses inside a longer word."""
    out = []
    for program in programs:
        for topic in program.topics:
            longer = inside_longer_words(topic, source)
            if longer:
                out.append(
                    Problem(
                        "programs.yaml",
                        yaml_value_line(rules_text, topic),
                        f"{program.id}：话题词“{topic}”在原文中只出现在“{'、'.join(longer[:3])}”之中，"
                        f"问到“{longer[0]}”的问题也会选中本项目",
                        f"改用原文的整词（如“{longer[0]}”），或确认问“{topic}”时确指本项目",
                    )
                )
    return out


def region_problems(policy: Policy, meta_text: str) -> list[Problem]:
    """The region must be a real administrative unit, spelled as the table spells it (河南省济源市)."""
    region = list(policy.meta.region or [])
    if not region:
        return []
    table = china()
    paths = {u.path for units in (*table.anywhere.values(), *table.after_parent.values()) for u in units}
    path = "".join(region)
    if path in paths:
        return []
    stem = region[-1][:-1] if len(region[-1]) > 2 else region[-1]
    near = sorted(p for p in paths if stem in p[-len(region[-1]) - 1 :])[:3]
    return [
        Problem(
            "policy.yaml",
            key_line(meta_text, "region"),
            f"地区 {region} 不是行政区划表中的地方（应由省到县逐级写全称）",
            f"改为如 {near[0]} 的逐级全称" if near else "逐级写全称，如 [山东省, 东营市, 河口区]",
        )
    ]
