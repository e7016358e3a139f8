"""Answering a fact question with the texts' own sentences.

Sentences come from the best retrieved clauses, scored by the character pairs they share with the
question (in the texts' words, via the BM25 thesaurus), weighted by how rare each pair is in the
corpus (僵尸 says more than 企业), by what their clause's heading shares with it ("工作目标" is often
only in the heading), and by the retriever's rank. They are quoted exactly, with their clause.
A question that shares no informative pair with any of them is about something the texts do not
cover; a question about a procedure gets its whole clause. A question asking for a kind of answer
(a body, a span, a date, a list of materials) prefers the sentences giving one, and is told plainly
when none quoted does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.api_models import Quote, Source
from assistant.reading.intent import asking_clauses
from assistant.retrieval.query_expansion import expand
from assistant.rules.rulebook import AnswerKind

SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
PUNCT = re.compile(r"[\s，,。？?！!、：:；;（）()“”《》〔〕\[\]【】·—-]")
STOP = set("的了是在和与及或我们你们什么怎么多少哪些吗呢啊请问有要")
MAX_SENTENCES = 2
SENTENCE_LENGTH = 40  # characters: longer candidates are discounted, or they win on sheer size
RANK_WEIGHT = 2.0  # the retriever's judgement, added as 2 / (1 + rank)
KIND_WEIGHT = 0.5  # a sentence giving every kind of answer asked for weighs this much more
SHORT_LEAD = 16  # a sentence this short opening a clause, or a line this short without an end mark, is a title
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


def asked_kinds(question: str, kinds: Mapping[str, AnswerKind]) -> list[AnswerKind]:
    """The kinds of answer the question's asking clauses want: "哪个单位负责" a body, "缓几年" a span."""
    clauses = asking_clauses(question)
    return [k for k in kinds.values() if any(cue in c for c in clauses for cue in k.asked_by)]


def _given(text: str, kinds: Sequence[AnswerKind]) -> float:
    """The share of the asked kinds of answer that `text` gives."""
    return sum(k.given_by.search(text) is not None for k in kinds) / len(kinds) if kinds else 0.0


def unstated(kinds: Sequence[AnswerKind], quoted: Sequence[Quotation]) -> list[str]:
    """What was asked for that no quote about the question's subject gives: the text does not state it
    (the closest sentences are still quoted, for the user to judge)."""
    return [k.label for k in kinds if not any(q.informative and k.given_by.search(q.text) for q in quoted)]


def sentences(text: str) -> list[str]:
    """The text's sentences, a title kept with the sentence it heads: a short first sentence
    ("（二）主要目标。"), or a short line with no end mark ("技术改造攻坚年度目标")."""
    spans = [m.span() for m in SENTENCE.finditer(text) if m.group().strip()]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and _title(text[out[-1][0] : out[-1][1]].strip(), first=len(out) == 1):
            start = out.pop()[0]
        out.append((start, end))
    return [text[a:b].strip() for a, b in out]


def _title(sentence: str, first: bool) -> bool:
    """Whether `sentence` heads the next one rather than saying something itself."""
    return len(sentence) <= SHORT_LEAD and (first or sentence[-1] not in "。；;！!？?")


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
    kinds: Sequence[AnswerKind] = (),
) -> list[Quotation]:
    """The sentences (or, for a procedure, the clause) that answer the question best, each with its
    source and `informative`: whether what it shares with the question's subject is rare enough to
    mean it is about the same thing.

    A pair the question shares with every candidate ("技术改造" when all results are about it) tells
    them apart less than one only a single candidate has ("办公室"), so each pair's corpus weight is
    scaled by how few of the candidates contain it. A sentence giving the kind of answer asked for
    (`kinds`: a body for "哪个单位", a span for "几年") is preferred to one that only shares words —
    if it shares words of the question's subject itself, not only its place or its clause's heading.
    """
    wanted = pairs(expand(question))
    topical = subject | (wanted - pairs(question))  # the subject, in the question's and the texts' words
    candidates = []
    for rank, source in enumerate(sources):
        heading = wanted & pairs(source.heading)
        texts = [source.text.strip()] if procedure else sentences(source.text)
        candidates += [(rank, source, text, wanted & pairs(text), wanted & (pairs(text) | heading)) for text in texts]
    local = Counter(p for *_, shared in candidates for p in shared)

    def weight(shared: set[str]) -> float:
        return sum(stats.idf.get(p, stats.default_idf) * math.log(1 + len(candidates) / local[p]) for p in shared)

    scored = []
    for rank, source, text, own, shared in candidates:
        if own:
            kind = 1 + KIND_WEIGHT * _given(text, kinds) if own & topical else 1
            score = kind * weight(shared) / (1 + math.log(1 + len(text) / SENTENCE_LENGTH)) + RANK_WEIGHT / (1 + rank)
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
