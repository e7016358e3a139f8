"""The names a tag is recognised by: its phrases, and items of the rule's own words.

A rules file names a tag in its conditions' and exclusions' describe and quotes
(`Vocabulary.tag_texts`). Their list items before the promise, without the words around them
(对认定的市级及以上智能工厂、数字化车间… → 智能工厂, 数字化车间), are names as good as the phrases,
so a new rule is read in its own words. A quote may list more than the tag (对技改示范项目的设备、
研发投入): its items count only where they share words with what the tag's describe and phrases say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.reading.funding import funding_tags
from assistant.reading.wording import normalize_name
from assistant.rules.rulebook import RecognitionCues, RuleWords, Vocabulary

# The rule's words are cut where the promise begins (…的，给予50万元) and at list marks.
PROMISE_STARTS = ("给予", "按照", "予以", "省财政", "可以", "可按", "分年度")
CLAUSE_MARKS = re.compile(r"[，,；;：:。]")
ITEM_MARKS = re.compile(r"[、等]")
EXPLANATION = re.compile(r"[（(][^（）()]{2,}[）)]")  # （智能工厂、智能车间…）; not 首台（套）
# Function words before a name. The recognition's verb (认定为, 列入, 获得) stays: 省创新中心 alone is
# also the start of 省创新中心培育名单, while 认定为省创新中心 is the recognition itself.
LEADING_WORDS = ("对于", "对", "凡", "经", "被", "企业", "属于", "为", "是", "该", "由")
# A range of levels (市级及以上) is read as a level condition, not as part of the name; a single
# level stays in it, so 省制造业创新中心培育名单 is not found in 市级制造业创新中心培育名单.
LEVEL_TOKENS = ("国家及以上", "省及以上", "市及以上", "区及以上", "县及以上", "及以上")
RULE_NAME_CHARS = (5, 16)  # shorter is too common a word (技术改造, 重大项目), longer never said whole


def rule_names(text: str, cues: RecognitionCues) -> list[str]:
    """Names in a rule's own text: the items of its first clause before the promise, without the words
    around them (对认定的市级及以上智能工厂、数字化车间… → 数字化车间 …). What follows a comma is another
    condition (…，且在培育期内), and an explanation in brackets is not part of the name."""
    text = EXPLANATION.sub("", text)
    norm = normalize_name(text, cues.same_as, cues.fillers)
    cut = min((norm.find(w) for w in PROMISE_STARTS if norm.find(w) > 0), default=len(norm))
    first = CLAUSE_MARKS.split(norm[:cut])[0]
    names = []
    for part in ITEM_MARKS.split(first):
        changed = True
        while changed:
            changed = False
            for word in LEADING_WORDS + LEVEL_TOKENS:
                if part.startswith(word) and len(part) > len(word):
                    part, changed = part[len(word) :], True
        low, high = RULE_NAME_CHARS
        if low <= len(part) <= high and not any(ch.isdigit() for ch in part) and "不" not in part:
            names.append(part)
    return names


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


@dataclass(frozen=True)
class TagNames:
    """Every tag's names in matching form, and the words its rule is written in (for verb checks)."""

    names: dict[str, tuple[str, ...]]
    words: dict[str, str]  # tag → its label, texts and phrases run together
    money: frozenset[str]  # the tags whose rule speaks of higher-level money (funding_tags)


_BUILT: dict[int, tuple[Vocabulary, TagNames]] = {}  # by vocabulary object: a rulebook loads it once


def tag_names(vocab: Vocabulary) -> TagNames:
    """The names of a vocabulary's tags, built once per vocabulary object (a rulebook loads it once)."""
    kept = _BUILT.get(id(vocab))
    if kept and kept[0] is vocab:
        return kept[1]
    if len(_BUILT) > 8:
        _BUILT.clear()
    index = _build_index(vocab)
    _BUILT[id(vocab)] = (vocab, index)
    return index


def _names_something(name: str, vocab: Vocabulary) -> bool:
    """A quoted item names a recognition only with words of its own: "认定为国家级、省级技术创新示范企业"
    splits into "认定为国家级", a verb and a level, which named every national recognition."""
    rest = name
    for word in sorted(
        [
            *vocab.recognition.verbs,
            *vocab.recognition.granted,
            *(w for ws in vocab.levels.values() for w in ws),
            "国家",
            "省",
            "市",
        ],
        key=len,
        reverse=True,
    ):
        rest = rest.replace(normalize_name(word, vocab.recognition.same_as, vocab.recognition.fillers), "")
    return len(rest) >= 3


def _build_index(vocab: Vocabulary) -> TagNames:
    cues = vocab.recognition
    names: dict[str, tuple[str, ...]] = {}
    words: dict[str, str] = {}
    phrases = {
        tag: [normalize_name(p, cues.same_as, cues.fillers) for p in spec.phrases] for tag, spec in vocab.tags.items()
    }
    for tag, spec in vocab.tags.items():
        rule = vocab.tag_texts.get(tag, RuleWords())
        # A name another tag has as a phrase is that tag's (技术改造 in a list of 转型升级项目).
        others = {p for other, ps in phrases.items() if other != tag for p in ps}
        own = [n for t in [spec.label, *rule.describes] for n in rule_names(t, cues) if n not in others]
        # A quote locates the clause and may list more than the tag (质量标杆企业、工业品牌培育示范企业):
        # its items name the tag only where they share three characters with what the tag is said to be.
        said = {g for name in phrases[tag] + own for g in _trigrams(name)}
        quoted = [
            n
            for q in rule.quotes
            for n in rule_names(q, cues)
            if _trigrams(n) & said and n not in others and _names_something(n, vocab)
        ]
        names[tag] = tuple(dict.fromkeys(phrases[tag] + own + quoted))
        texts = [spec.label, *rule.all(), *spec.phrases]
        words[tag] = "|".join(normalize_name(t, cues.same_as, cues.fillers) for t in texts)
    return TagNames(names, words, frozenset(funding_tags(vocab)))
