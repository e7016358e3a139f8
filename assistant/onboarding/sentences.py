"""The money sentences of a text: every sentence that promises money or a tax benefit.

Each must be covered by a program's quote or set aside (`non_programs`) with a reason; `draft` makes
one program per such sentence, `check` reports those nobody covers, and the rules test uses the same
list, so "covered" means one thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.texts.clauses import Clause, ClauseKind

# Words by which a text promises money or a tax benefit (issue #3's list).
MONEY_WORDS = ("奖励", "补助", "补贴", "奖补", "贴息", "配套", "抵免", "扣除", "资助")
# Money too, but only with a figure beside them: 抵用 (a voucher paid against a bill, "超过5000元部分抵用50%")
# and 补偿 (a risk compensation, "补偿标准为…利息的10%"); without one they name a means ("风险补偿等多种方式")
# or a worker's due ("经济补偿金").
FIGURED_MONEY_WORDS = ("抵用", "补偿")
FIGURE = re.compile(r"\d\s*(?:[%％]|亿元|万元|元)")
# … or by giving a sum in other words ("分两批最高给予50万元的支持", "安排专项资金100万元", "给予30万元扶持"):
# a verb of giving shortly before an amount, or an amount followed by 支持/扶持. The words alone say
# nothing ("支持科技创新"), so only beside an amount.
GIVEN_SUM = re.compile(
    r"(?:给予|安排|拨付)[^。；;！!？?]{0,12}?\d[\d.,，]*\s*(?:亿元|万元|元)"
    r"|\d[\d.,，]*\s*(?:亿元|万元|元)的?(?:支持|扶持)"
)
SENTENCE = re.compile(r"[^。；;！!？?]+[。；;！!？?]?")
# A table's rows end without punctuation, so there a line break ends a sentence too; in a paragraph it
# is the layout's ("给予20\n万元一次性奖励" is one sentence).
TABLE_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


@dataclass(frozen=True)
class Sentence:
    clause: Clause
    start: int  # span in source.txt
    end: int
    text: str  # stripped of surrounding blanks

    def overlaps(self, spans: list[tuple[int, int]]) -> bool:
        return any(a < self.end and self.start < b for a, b in spans)

    def covered(self, spans: list[tuple[int, int]], source: str) -> bool:
        """Whether a quote covers this sentence, or another occurrence of the same words: a clause that
        says one sentence twice ("超过500万元不超过1000万元（含）的部分按投资额的2%给予奖励；") is quoted once."""
        words = self.text.rstrip("。；;！!？?")
        return self.overlaps(spans) or any(words in source[a:b] for a, b in spans)


def is_money_sentence(text: str) -> bool:
    """Whether the sentence promises money or a tax benefit: a money word, or a sum given."""
    if any(w in text for w in MONEY_WORDS) or GIVEN_SUM.search(text) is not None:
        return True
    return any(w in text for w in FIGURED_MONEY_WORDS) and FIGURE.search(text) is not None


def money_sentences(clauses: list[Clause]) -> list[Sentence]:
    """Every sentence of the body text (boilerplate excluded) with a money word, in text order."""
    found = []
    for clause in clauses:
        if clause.kind is ClauseKind.BOILERPLATE:
            continue
        pattern = TABLE_SENTENCE if clause.kind is ClauseKind.TABLE else SENTENCE
        for m in pattern.finditer(clause.text):
            text = m.group().strip()
            if is_money_sentence(text):
                lead = len(m.group()) - len(m.group().lstrip())
                start = clause.start + m.start() + lead
                found.append(Sentence(clause, start, start + len(text), text))
    return found
