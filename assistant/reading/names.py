"""The names a tag is recognised by: its phrases, and items of the rule's own words.

A rules file names a tag in its conditions' and exclusions' describe and quotes
(`Vocabulary.tag_texts`). Their list items before the promise, without the words around them
(对认定的市级及以上智能工厂、数字化车间… → 智能工厂, 数字化车间), are names as good as the phrases,
so a new rule is read in its own words. A quote may list more than the tag (对技改示范项目的设备、
研发投入): its items count only where they share words with what the tag's describe and phrases say.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.reading.funding import funding_tags
from assistant.reading.wording import bigrams, normalize_name
from assistant.rules.rulebook import RecognitionCues, RuleWords, Vocabulary

# The rule's words are cut where the promise begins (…的，给予50万元) and at list marks.
PROMISE_STARTS = ("给予", "按照", "予以", "省财政", "可以", "可按", "分年度")
LIST_MARKS = "、，,；;：:。等"
LEADING_WORDS = (
    "对于",
    "对",
    "凡",
    "经",
    "被",
    "企业",
    "属于",
    "获得",
    "认定为",
    "认定",
    "列入",
    "为",
    "是",
    "该",
    "由",
)
# A range of levels (市级及以上) is read as a level condition, not as part of the name; a single
# level stays in it, so 省制造业创新中心培育名单 is not found in 市级制造业创新中心培育名单.
LEVEL_TOKENS = ("国家及以上", "省及以上", "市及以上", "区及以上", "县及以上", "及以上")
RULE_NAME_CHARS = (4, 16)  # shorter says too little, longer is never said whole


def rule_names(text: str, cues: RecognitionCues) -> list[str]:
    """Names in a rule's own text: its list items before the promise, without the words around them
    (对认定的市级及以上智能工厂、数字化车间… → 智能工厂, 数字化车间 …)."""
    norm = normalize_name(text, cues.same_as, cues.fillers)
    cut = min((norm.find(w) for w in PROMISE_STARTS if norm.find(w) > 0), default=len(norm))
    names = []
    part = ""
    for ch in norm[:cut] + "。":
        if ch not in LIST_MARKS:
            part += ch
            continue
        changed = True
        while changed:
            changed = False
            for word in LEADING_WORDS + LEVEL_TOKENS:
                if part.startswith(word) and len(part) > len(word):
                    part, changed = part[len(word) :], True
        low, high = RULE_NAME_CHARS
        if low <= len(part) <= high and not any(ch.isdigit() for ch in part) and "不" not in part:
            names.append(part)
        part = ""
    return names


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


def _build_index(vocab: Vocabulary) -> TagNames:
    cues = vocab.recognition
    names: dict[str, tuple[str, ...]] = {}
    words: dict[str, str] = {}
    for tag, spec in vocab.tags.items():
        rule = vocab.tag_texts.get(tag, RuleWords())
        own = [normalize_name(p, cues.same_as, cues.fillers) for p in spec.phrases]
        own += [n for t in [spec.label, *rule.describes] for n in rule_names(t, cues)]
        # A quote locates the clause and may list more than the tag ("对技改示范项目的设备、研发投入"):
        # its items name the tag only where they share words with what the tag is said to be.
        said = bigrams("".join(own)) - set(vocab.generic_words)
        quoted = [n for q in rule.quotes for n in rule_names(q, cues) if bigrams(n) & said]
        names[tag] = tuple(dict.fromkeys(own + quoted))
        texts = [spec.label, *rule.all(), *spec.phrases]
        words[tag] = "|".join(normalize_name(t, cues.same_as, cues.fillers) for t in texts)
    return TagNames(names, words, frozenset(funding_tags(vocab)))
