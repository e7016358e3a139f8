"""Short replies bound to the question just asked: "300万", "是", "没有", "不清楚".

Asked "请问设备投资（含工艺包和软件）是多少？", a user answers "300万", not a sentence; asked "请问是否项目已竣工
投产？", they answer "是", "还没有" or "我们是…" (the subject read past). Read on its own such a reply says nothing (or asks which amount
"300万" is), so it is read as the answer to the fact the last question asked for (`Answer.follow_up_fact`):
rewritten into the words the reader knows for that fact (a place as the enterprise's own), or, for "不清楚", recorded as not known so that
the next question moves on. The yes / no / don't-know words are data (index/vocabulary.yaml `replies:`).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.api_models import Answer
from assistant.answering.followup import PLACE_FACT
from assistant.reading.amount_facts import read_amounts
from assistant.reading.amounts import find_counts
from assistant.reading.count_facts import said_as
from assistant.rules.rulebook import Vocabulary
from assistant.rules.schema import MONEY_UNITS

SHORT_REPLY = 16  # characters: a longer message is a sentence of its own and is read as one
TRIM = " 。.!！，,~～的啊呀吧哈"
COUNT_OPENER = 2  # characters a count reply may open with: "共8人", "大约8名"


@dataclass(frozen=True)
class Reply:
    """The reply as the reader should read it, and the facts the user said they do not know."""

    text: str
    unknown: tuple[str, ...] = ()


def bind_reply(text: str, last: Answer | None, vocab: Vocabulary) -> Reply:
    """`text` read as the answer to the last question, when it is short and that question asked a fact."""
    fact = last.follow_up_fact if last else None
    reply = text.strip().strip(TRIM)
    if not fact or not reply or len(reply) > SHORT_REPLY:
        return Reply(text)
    read = read_amounts(reply, vocab)
    if read.amounts or read.unsettled:  # "不对，研发中试设备是1000万" says its own facts: read it as it is
        return Reply(text)
    words = vocab.replies
    reply = _past_subject(reply, words.subjects)
    if reply.startswith(tuple(words.unknown)):
        return Reply(text, (fact,))
    said_no = reply.startswith(tuple(words.deny))
    if fact == PLACE_FACT and not said_no:  # the enterprise's own place, as the question asked
        return Reply(f"{words.own_place}{reply.removeprefix('在')}")
    if fact in vocab.amount_roles:
        role = vocab.amount_roles[fact]
        if role.unit not in MONEY_UNITS:  # "8人", "8", "八个" to "请问聘用的本科以上毕业生人数是多少？"
            count = _count_said(reply, role.unit)
            if said_no:
                return Reply(text, (fact,))
            return Reply(_as_fact(fact, count, vocab)) if count else Reply(text)
        if last and last.open_amounts:  # "您说的“120万”是…的费用吗？"
            if said_no:  # the amount is something else: that fact is not known, ask on
                return Reply(text, (fact,))
            if reply.startswith(tuple(words.affirm)) and len(last.open_amounts) == 1:
                return Reply(f"{role.label}{last.open_amounts[0]}")
            return Reply(text)
        if read.open_amounts:
            return Reply(_as_fact(fact, reply, vocab))  # "300万" → "设备投资（含工艺包和软件）300万"
        if said_no:
            return Reply(f"没有{role.cues[0]}")  # "没贷款" → none: the program does not apply
        return Reply(text)
    if fact in vocab.tags and (said_no or reply.startswith(tuple(words.affirm))):
        phrase = vocab.tags[fact].phrases[0]
        return Reply(f"没有{phrase}" if said_no else phrase)
    return Reply(text)


def _as_fact(fact: str, amount: str, vocab: Vocabulary) -> str:
    """The amount with the first of the fact's names (its label, then its cues) that reads back as that
    fact: "技术引进及仪器、设备、软件投入2050万" would read as 软件投入."""
    role = vocab.amount_roles[fact]
    for name in (role.label, *role.cues):
        if fact in read_amounts(f"{name}{amount}", vocab).amounts:
            return f"{name}{amount}"
    return f"{role.label}{amount}"


def _count_said(reply: str, unit: str) -> str | None:
    """The reply as a count in `unit` when it is one count and nothing else ("8人", "约8名", a bare "8")."""
    words = said_as(unit)
    said = reply if reply.endswith(words) else f"{reply}{unit}"
    counts = find_counts(said, words)
    return said if len(counts) == 1 and counts[0].end == len(said) and counts[0].start <= COUNT_OPENER else None


def _past_subject(reply: str, subjects: list[str]) -> str:
    """The reply after the subject it opens with ("我们是研发单位" → "是研发单位"), longest subject first."""
    for subject in sorted(subjects, key=len, reverse=True):
        if reply.startswith(subject) and len(reply) > len(subject):
            return reply[len(subject) :]
    return reply
