"""Is the user asking for a figure (a self-assessment) or for a fact the texts state?

A fact question ("僵尸企业是什么", "有效期到什么时候", "目标是多少") gets quoted sentences, never a computed
figure; a self-assessment gets the calculator. Figures the user gives are the strongest signal.
"""

from __future__ import annotations

from enum import Enum

from assistant.calculator.facts import EnterpriseFacts


class Intent(str, Enum):
    ASSESSMENT = "assessment"
    FACT = "fact"


FIGURE_CUES = (
    "能拿",
    "拿多少",
    "补多少",
    "奖多少",
    "补贴多少",
    "奖励多少",
    "奖补多少",
    "贴息多少",
    "多少钱",
    "能补",
    "能奖",
    "能不能申请",
    "能否申请",
    "可以申请",
    "能申请",
    "符合条件吗",
    "能享受",
    "能获得",
    "可以获得",
    "有什么奖励",
    "有什么补贴",
    "有什么政策",
    "有哪些政策",
    "有哪些补贴",
    "有哪些奖励",
    "怎么算",
    "能得到",
    "可以拿",
)
FACT_CUES = (
    "是什么",
    "什么样",
    "什么是",
    "算不算",
    "怎么认定",
    "如何认定",
    "目标",
    "有效期",
    "什么时候",
    "哪一年",
    "谁负责",
    "哪个部门",
    "哪些部门",
    "责任单位",
    "怎么申请",
    "如何申请",
    "申报流程",
    "怎么申报",
    "如何申报",
    "是否有效",
    "还有效",
    "失效",
    "多少家",
    "多少个",
    "多少吨",
    "多少万千瓦",
    "主要内容",
    "重点任务",
)


def classify(question: str, facts: EnterpriseFacts) -> Intent:
    if facts.amounts:
        return Intent.ASSESSMENT
    if any(cue in question for cue in FACT_CUES) and not any(cue in question for cue in FIGURE_CUES):
        return Intent.FACT
    if any(cue in question for cue in FIGURE_CUES) or any(facts.tags.values()) or facts.level:
        return Intent.ASSESSMENT
    return Intent.FACT
