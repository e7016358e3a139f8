"""Answering a fact question with the texts' own sentences.

Sentences come from the best retrieved clauses, scored by the character pairs they share with the
question (in the texts' words, via the BM25 thesaurus), weighted by how rare each pair is in the
corpus (僵尸 says more than 企业), by what their clause's heading shares with it ("工作目标" is often
only in the heading), and by the retriever's rank. They are quoted exactly, with their clause.
A question that shares no informative pair with any of them is about something the texts do not
cover; a question about a procedure gets its whole clause.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.answering.api_models import Quote, Source
from assistant.retrieval.query_expansion import expand

SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
PUNCT = re.compile(r"[\s，,。？?！!、：:；;（）()“”《》〔〕\[\]【】·—-]")
STOP = set("的了是在和与及或我们你们什么怎么多少哪些吗呢啊请问有要")
MAX_SENTENCES = 2
SENTENCE_LENGTH = 40  # characters: longer candidates are discounted, or they win on sheer size
RANK_WEIGHT = 2.0  # the retriever's judgement, added as 2 / (1 + rank)
SHORT_LEAD = 16  # a sentence this short that opens a clause ("（二）主要目标。") is a title: keep it with the next
# What a sentence shares with the question's subject must weigh at least as much as one pair found in
# 3% of units: else the sentence is about something else, and so, likely, is the question.
INFORMATIVE_SHARE = 0.03


def pairs(text: str) -> set[str]:
    chars = [c for c in PUNCT.sub("", text) if c not in STOP]
    return {a + b for a, b in zip(chars, chars[1:])}


@dataclass(frozen=True)
class PairStats:
    """How rare each character pair is across the corpus's units."""

    idf: dict[str, float]
    default_idf: float  # a pair the corpus never has
    informative_weight: float

    @classmethod
    def of(cls, texts: Iterable[str]) -> PairStats:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            df.update(pairs(text))
            n += 1
        idf = {p: math.log((n + 1) / (c + 1)) for p, c in df.items()}
        return cls(idf, math.log(n + 1), math.log(1 / INFORMATIVE_SHARE))

    def weight(self, shared: set[str]) -> float:
        return sum(self.idf.get(p, self.default_idf) for p in shared)


@dataclass(frozen=True)
class Quotation:
    """A sentence (or a procedure's whole clause) picked to quote, with what the template names it by.

    `informative`: whether what it shares with the question's subject is rare enough to mean it is
    about the same thing; an answer whose quotations are all uninformative is out of scope."""

    doc_number: str | None
    clause: str
    heading_path: list[str]
    heading: str
    label: str
    text: str
    informative: bool

    @classmethod
    def of(cls, source: Source, text: str, informative: bool) -> Quotation:
        """`text` (a sentence of `source`, or all of it) as quoted from that source."""
        return cls(
            source.doc_number, source.clause, source.heading_path, source.heading, source.label, text, informative
        )

    def quote(self) -> Quote:
        """As the answer's `quotes` list it."""
        return Quote(doc_number=self.doc_number, clause=self.clause, heading_path=self.heading_path, text=self.text)


def asks_procedure(question: str, cues: Iterable[str]) -> bool:
    return any(cue in question for cue in cues)


def _sentences(text: str) -> list[str]:
    found = [m.group().strip() for m in SENTENCE.finditer(text) if m.group().strip()]
    if len(found) > 1 and len(found[0]) <= SHORT_LEAD:
        found[:2] = [text[text.index(found[0]) : text.index(found[1]) + len(found[1])]]
    return found


def subject_pairs(question: str, ignored: Iterable[str]) -> set[str]:
    """The pairs that say what the question is about: `ignored` are place names and the words every
    question here has (money, question words)."""
    text = question
    for word in sorted(set(ignored), key=len, reverse=True):
        text = text.replace(word, " ")
    return pairs(text)


def best_sentences(
    question: str,
    sources: Sequence[Source],
    stats: PairStats,
    subject: set[str],
    procedure: bool = False,
    limit: int = MAX_SENTENCES,
) -> list[Quotation]:
    """The sentences (or, for a procedure, the clause) that answer the question best, each with its
    source and `informative`: whether what it shares with the question's subject is rare enough to
    mean it is about the same thing.

    A pair the question shares with every candidate ("技术改造" when all results are about it) tells
    them apart less than one only a single candidate has ("办公室"), so each pair's corpus weight is
    scaled by how few of the candidates contain it.
    """
    wanted = pairs(expand(question))
    candidates = []
    for rank, source in enumerate(sources):
        heading = wanted & pairs(source.heading)
        texts = [source.text.strip()] if procedure else _sentences(source.text)
        candidates += [(rank, source, text, wanted & pairs(text), wanted & (pairs(text) | heading)) for text in texts]
    local = Counter(p for *_, shared in candidates for p in shared)

    def weight(shared: set[str]) -> float:
        return sum(stats.idf.get(p, stats.default_idf) * math.log(1 + len(candidates) / local[p]) for p in shared)

    scored = []
    for rank, source, text, own, shared in candidates:
        if own:
            score = weight(shared) / (1 + math.log(1 + len(text) / SENTENCE_LENGTH)) + RANK_WEIGHT / (1 + rank)
            informative = stats.weight(shared & subject) >= stats.informative_weight
            scored.append((score, Quotation.of(source, text, informative)))
    scored.sort(key=lambda pair: -pair[0])
    chosen: list[Quotation] = []
    for _, item in scored:
        if item.text not in {c.text for c in chosen}:
            chosen.append(item)
        if len(chosen) == (1 if procedure else limit):
            break
    return chosen
