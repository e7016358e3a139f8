"""Answering a fact question with the texts' own sentences.

The sentences are chosen from the best retrieved clauses by how many of the question's character
pairs they share, and quoted exactly with their clause; nothing is paraphrased into new numbers.
"""

from __future__ import annotations

import re
from typing import Any

SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
STOP = set("的了是在和与及或我们你们什么怎么多少哪些吗呢啊请问")
MAX_SENTENCES = 2


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.strip() and c not in STOP and not re.match(r"[，,。？?！!、：:（）()“”]", c)]
    return {a + b for a, b in zip(chars, chars[1:])}


def best_sentences(question: str, sources: list[dict[str, Any]], limit: int = MAX_SENTENCES) -> list[dict[str, Any]]:
    """The sentences of the top sources that share most with the question, each with its source."""
    wanted = _pairs(question)
    scored = []
    for rank, source in enumerate(sources):
        for m in SENTENCE.finditer(source["text"]):
            sentence = m.group().strip()
            overlap = len(wanted & _pairs(sentence))
            if overlap:
                # earlier sources break ties: the retriever already judged them closer
                scored.append((overlap - 0.1 * rank, {**source, "text": sentence, "overlap": overlap}))
    scored.sort(key=lambda pair: -pair[0])
    chosen: list[dict[str, Any]] = []
    for _, item in scored:
        if item["text"] not in {c["text"] for c in chosen}:
            chosen.append(item)
        if len(chosen) == limit:
            break
    return chosen
