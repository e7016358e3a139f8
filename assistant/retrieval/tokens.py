"""Tokenizers for BM25 over Chinese policy text.

Chinese has no spaces, so BM25 needs a segmenter. Two are offered and chosen by name, because
which one retrieves better is an empirical question for the gold set:

* ``jieba``: dictionary words in search mode (``技术改造`` yields 技术 / 改造 / 技术改造), so exact
  policy terms match and their parts still match paraphrases;
* ``char``: character unigrams + bigrams, dictionary-free and robust to out-of-vocabulary terms
  (place names, 首台套-style coinages), at the cost of a larger, noisier index.

Both are pure ``str -> list[str]`` functions, NFKC-normalised and lowercased, with punctuation,
whitespace and a short list of function/question words dropped.
The tokenizer's name is part of the index key, so switching it rebuilds the index.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from assistant.core.settings import Settings

Tokenizer = Callable[[str], list[str]]

# Part of the index key: bump when tokenizer output changes (stop words, normalisation), so old
# indexes are rebuilt rather than searched with mismatched tokens.
TOKENIZER_REVISION = 1

# Function words and question words. In a small corpus their idf is not negligible, so a
# colloquial question ("…的厂子怎么处理") would otherwise pull in clauses that merely share 的/不/对,
# and reciprocal rank fusion would rank those as high as the dense side's real match.
STOPWORDS = frozenset(
    [
        "的",
        "地",
        "得",
        "之",
        "了",
        "着",
        "过",
        "和",
        "与",
        "及",
        "或",
        "而",
        "并",
        "且",
        "在",
        "于",
        "对",
        "是",
        "为",
        "被",
        "把",
        "将",
        "从",
        "向",
        "以",
        "其",
        "该",
        "此",
        "这",
        "那",
        "个",
        "有",
        "也",
        "都",
        "就",
        "还",
        "又",
        "再",
        "很",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "嘛",
        "哪",
        "谁",
        "啥",
        "几",
        "能",
        "可",
        "会",
        "要",
        "想",
        "不",
        "没",
        "没有",
        "可以",
        "能否",
        "能不能",
        "是否",
        "有没有",
        "是不是",
        "怎么",
        "怎样",
        "怎么样",
        "如何",
        "什么",
        "哪些",
        "哪个",
        "多少",
        "请问",
        "一下",
        "我",
        "我们",
        "你",
        "您",
        "你们",
        "他",
        "她",
        "它",
        "他们",
        "咱们",
        "自己",
    ]
)


def _normalise(text: str) -> str:
    """NFKC folds full-width digits and letters (１０, ＡＢ) into ASCII; then lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def _is_word(token: str) -> bool:
    """A token worth indexing has a letter, digit or CJK character and is not a stop word."""
    return token not in STOPWORDS and any(ch.isalnum() for ch in token)


@cache
def _jieba() -> Any:
    """Import jieba once, with its start-up chatter ("Building prefix dict ...") silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def jieba_tokens(text: str) -> list[str]:
    """jieba search-mode words: whole terms plus their dictionary sub-words."""
    return [t for t in (w.strip() for w in _jieba().cut_for_search(_normalise(text))) if _is_word(t)]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """jieba's precise-mode words with their spans in `text` (not normalised: spans must index it),
    for telling a word on its own (中药) from one inside a longer word (中药材)."""
    return [(w, a, b) for w, a, b in _jieba().tokenize(text)]


# A run of CJK ideographs, or a run of other letters/digits kept whole ("2020" stays one token
# rather than four digits; "10%" becomes "10").
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{_CJK_CHARS}]+|[^\\W_{_CJK_CHARS}]+")
_CJK = re.compile(f"[{_CJK_CHARS}]")


def char_bigram_tokens(text: str) -> list[str]:
    """CJK character unigrams and bigrams; non-CJK letter/digit runs as single tokens."""
    out: list[str] = []
    for run in _RUNS.findall(_normalise(text)):
        if not _CJK.match(run):
            out.append(run)
            continue
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [t for t in out if _is_word(t)]


TOKENIZERS: dict[str, Tokenizer] = {"jieba": jieba_tokens, "char": char_bigram_tokens}


def get_tokenizer(name: str) -> Tokenizer:
    """The tokenizer registered under `name`; a typo fails loudly rather than silently degrading."""
    try:
        return TOKENIZERS[name]
    except KeyError:
        raise ValueError(f"unknown tokenizer {name!r}; choose one of {sorted(TOKENIZERS)}") from None


def tokenizer_name(settings: Settings) -> str:
    """The configured tokenizer (Settings.tokenizer, from $ASSISTANT_TOKENIZER), validated early."""
    get_tokenizer(settings.tokenizer)
    return settings.tokenizer
