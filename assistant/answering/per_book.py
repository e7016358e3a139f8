"""Figures computed once per rulebook, not once per question.

Word counts over all programs (how many list a topic, how many speak of it) depend only on the
rulebook, yet selection and focus need them on every question; a rulebook does not change once built
(a trial or a reload builds a new one), so each is kept for as long as its rulebook lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from assistant.rules.rulebook import Rulebook

T = TypeVar("T")


def per_book(compute: Callable[[Rulebook], T]) -> Callable[[Rulebook], T]:
    kept: weakref.WeakKeyDictionary[Rulebook, T] = weakref.WeakKeyDictionary()

    @wraps(compute)
    def cached(book: Rulebook) -> T:
        if book not in kept:
            kept[book] = compute(book)
        return kept[book]

    return cached
