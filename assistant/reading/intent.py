"""Is the user asking for a figure (a self-assessment) or for a fact the texts state?

A fact question ("僵尸企业是什么", "有效期到什么时候", "目标是多少") gets quoted sentences, never a computed
figure; a self-assessment gets the calculator. Figures the user gives are the strongest signal.
"""

from __future__ import annotations

from enum import Enum

from assistant.calculator.facts import EnterpriseFacts
from assistant.rules.rulebook import IntentCues


class Intent(str, Enum):
    ASSESSMENT = "assessment"
    FACT = "fact"


def classify(question: str, facts: EnterpriseFacts, cues: IntentCues) -> Intent:
    if facts.amounts:
        return Intent.ASSESSMENT
    asks_figure = any(cue in question for cue in cues.figure_cues)
    if any(cue in question for cue in cues.fact_cues) and not asks_figure:
        return Intent.FACT
    if asks_figure or any(facts.tags.values()) or facts.level:
        return Intent.ASSESSMENT
    return Intent.FACT
